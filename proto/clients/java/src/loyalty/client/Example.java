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
 * purchase again (a retry: the reply must be the same), and looks the card up; with several
 * --server addresses (a replicated group), wherever the primary is. See README.md.
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

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    args.put("--server", "127.0.0.1:7070");
    args.put("--txn", "JAVA-" + System.currentTimeMillis());
    for (int i = 0; i + 1 < argv.length; i += 2) args.put(argv[i], argv[i + 1]);
    for (String required : new String[] {"--ca", "--credential", "--card"}) {
      if (!args.containsKey(required)) {
        System.err.println("usage: Example [--server HOST:PORT[,HOST:PORT...]] --ca CA.pem"
            + " --credential FILE --card CARD [--txn ID] [--server-name NAME]");
        System.exit(2);
      }
    }
    String card = args.get("--card");
    String ca = args.get("--ca");

    // Connects on the first call; follows a standby's NOT_PRIMARY to the primary.
    GroupClient.Connector connect = (host, port) -> {
      long started = System.nanoTime();
      LoyaltyClient client = LoyaltyClient.connect(host, port, Path.of(ca),
          Path.of(args.get("--credential")), "loyalty-java-example/1", args.get("--server-name"),
          5000);
      Welcome w = client.welcome();
      System.out.println("connected: " + client.tlsVersion() + " to " + host + ":" + port
          + ", certificate verified against " + ca + "; TCP, TLS and Hello in "
          + (System.nanoTime() - started) / 1_000_000 + " ms");
      System.out.println("welcome: kind=" + w.getKind() + " store=" + w.getStoreId()
          + " register=" + w.getRegisterId() + " server=" + w.getServerVersion());
      return client;
    };
    boolean ok;
    try (GroupClient group = new GroupClient(args.get("--server"), connect, 15_000,
             line -> System.out.println("group: " + line))) {
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
      Reply first = group.call(purchase);
      System.out.println("purchase: " + describe(first));

      // The same request again, as a register does when it did not see the reply.
      Reply again = group.call(purchase);
      System.out.println("retry: " + describe(again));
      boolean same = first.hasDecision() && again.hasDecision()
          && first.getDecision().toByteString().equals(again.getDecision().toByteString());
      System.out.println(same ? "retry: identical reply" : "retry: DIFFERENT reply");

      Reply profile = group.call(
          Request.newBuilder().setLookup(Lookup.newBuilder().setCard(card)).build());
      System.out.println("lookup: " + describe(profile));
      ok = same && profile.hasProfile();
    }
    System.exit(ok ? 0 : 1);
  }
}
