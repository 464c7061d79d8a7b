package loyalty.client;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import loyalty.v1.Wire.Decision;
import loyalty.v1.Wire.Line;
import loyalty.v1.Wire.Lookup;
import loyalty.v1.Wire.Profile;
import loyalty.v1.Wire.Purchase;
import loyalty.v1.Wire.Reply;
import loyalty.v1.Wire.Request;
import loyalty.v1.Wire.Welcome;

/**
 * Connects to loyaltyd over TLS, authenticates as a register, sends a purchase, sends the same
 * purchase again (a retry: the reply must be the same), and looks the card up. See README.md.
 *
 * <pre>
 * java -cp classes:/usr/share/java/protobuf.jar loyalty.client.Example --server 127.0.0.1:7070 \
 *     --ca var/tls/ca.pem --credential var/credentials/S1-R1.key --card 4242
 * </pre>
 */
public final class Example {
  static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) s.append(String.format("%02x", b));
    return s.toString();
  }

  static String describe(Reply reply) {
    switch (reply.getBodyCase()) {
      case ERROR:
        return "error code=" + reply.getError().getCode() + " field=" + reply.getError().getField()
            + " message=" + reply.getError().getMessage();
      case DECISION: {
        Decision d = reply.getDecision();
        return "outcome=" + d.getOutcome() + " txn=" + d.getTransactionId() + " earned="
            + d.getPointsEarned() + " balance=" + d.getBalances().getBalance() + " pending="
            + d.getBalances().getPending() + " reply=" + hex(d.toByteArray());
      }
      case PROFILE: {
        Profile p = reply.getProfile();
        return "customer=" + p.getCustomerId() + " cards=" + String.join(",", p.getCardsList())
            + " balance=" + p.getBalances().getBalance() + " spendable="
            + p.getBalances().getSpendable() + " pending=" + p.getBalances().getPending()
            + " tier=" + p.getTier();
      }
      default:
        return reply.getBodyCase().toString();
    }
  }

  /** Sends until the reply is not OVERLOADED, UNAVAILABLE or RATE_LIMITED (same request). */
  static Reply callWithRetries(LoyaltyClient client, Request request) throws Exception {
    long backoffMs = 200;
    Reply reply = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      reply = client.call(request);
      if (!reply.hasError() || !LoyaltyClient.isRetryable(reply.getError().getCode())) break;
      long wait = reply.getError().getRetryAfterMs();
      Thread.sleep(wait > 0 ? wait : backoffMs);
      backoffMs *= 2;
    }
    return reply;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    args.put("--server", "127.0.0.1:7070");
    args.put("--txn", "JAVA-" + System.currentTimeMillis());
    for (int i = 0; i + 1 < argv.length; i += 2) args.put(argv[i], argv[i + 1]);
    for (String required : new String[] {"--ca", "--credential", "--card"}) {
      if (!args.containsKey(required)) {
        System.err.println("usage: Example [--server HOST:PORT] --ca CA.pem --credential FILE"
            + " --card CARD [--txn ID] [--server-name NAME]");
        System.exit(2);
      }
    }
    String server = args.get("--server");
    int colon = server.lastIndexOf(':');
    String host = server.substring(0, colon);
    int port = Integer.parseInt(server.substring(colon + 1));
    String card = args.get("--card");

    boolean ok;
    long started = System.nanoTime();
    try (LoyaltyClient client = LoyaltyClient.connect(host, port, Path.of(args.get("--ca")),
             Path.of(args.get("--credential")), "loyalty-java-example/1",
             args.get("--server-name"), 5000)) {
      Welcome w = client.welcome();
      System.out.println("connected: " + client.tlsVersion() + ", certificate verified against "
          + args.get("--ca") + "; TCP, TLS and Hello in " + (System.nanoTime() - started) / 1_000_000
          + " ms");
      System.out.println("welcome: kind=" + w.getKind() + " store=" + w.getStoreId()
          + " register=" + w.getRegisterId() + " server=" + w.getServerVersion());

      // 2 x 4.50 EUR + 1 x 3.20 EUR; store and register come from the credential.
      Request purchase = Request.newBuilder()
          .setPurchase(Purchase.newBuilder()
              .setTransactionId(args.get("--txn"))
              .setCard(card)
              .setEventTimeMs(System.currentTimeMillis())
              .setCurrency("EUR")
              .addLines(Line.newBuilder().setSku("COFFEE-1KG").setCategory("coffee")
                  .setQuantity(2).setUnitPriceMinor(450).setLineTotalMinor(900))
              .addLines(Line.newBuilder().setSku("MILK-1L").setCategory("dairy")
                  .setQuantity(1).setUnitPriceMinor(320).setLineTotalMinor(320))
              .setTotalMinor(1220))
          .build();
      Reply first = callWithRetries(client, purchase);
      System.out.println("purchase: " + describe(first));

      // The same request again, as a register does when it did not see the reply.
      Reply again = callWithRetries(client, purchase);
      System.out.println("retry: " + describe(again));
      boolean same = first.hasDecision() && again.hasDecision()
          && first.getDecision().toByteString().equals(again.getDecision().toByteString());
      System.out.println(same ? "retry: identical reply" : "retry: DIFFERENT reply");

      Reply profile = callWithRetries(client,
          Request.newBuilder().setLookup(Lookup.newBuilder().setCard(card)).build());
      System.out.println("lookup: " + describe(profile));
      ok = same && profile.hasProfile();
    }
    System.exit(ok ? 0 : 1);
  }
}
