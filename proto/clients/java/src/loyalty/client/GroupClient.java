package loyalty.client;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import loyalty.client.LoyaltyClient.LoyaltyException;
import loyalty.v1.Wire;
import loyalty.v1.Wire.ErrorCode;
import loyalty.v1.Wire.Reply;
import loyalty.v1.Wire.Request;

/**
 * A register's requests to one server or to a replicated group's nodes (docs/PROTOCOL.md,
 * "Replicated group"), on one connection at a time. Not thread-safe.
 *
 * <p>{@link #call} sends a request until it has an answer, always the very same request (same
 * transaction id), until the deadline has passed:
 *
 * <ul>
 *   <li>NOT_PRIMARY naming the primary: to the primary at once (a new connection and Hello), then
 *       the same request again;
 *   <li>NOT_PRIMARY without a primary (an election is under way), a broken or timed-out
 *       connection, a failed connect: the next address, after retry_after_ms when given, else a
 *       back-off from 200 ms doubling to 2 s;
 *   <li>OVERLOADED, UNAVAILABLE, RATE_LIMITED: the same connection, after retry_after_ms or the
 *       back-off.
 * </ul>
 *
 * The deadline is checked between attempts. Past it, call returns the last reply (a retryable
 * error) or throws the last connection error. A Hello refused for another reason
 * (UNAUTHENTICATED) throws at once.
 */
public final class GroupClient implements AutoCloseable {
  /** Makes a connection to one address: TCP, TLS, Hello. */
  @FunctionalInterface
  public interface Connector {
    LoyaltyClient connect(String host, int port) throws IOException, GeneralSecurityException;
  }

  static final long FIRST_BACKOFF_MS = 200;
  static final long BACKOFF_MAX_MS = 2000;

  private final List<String> addresses = new ArrayList<>();
  private final Connector connector;
  private final long deadlineMs;
  private final Consumer<String> log;
  private int index = 0;
  private String current;
  private LoyaltyClient client;

  /**
   * servers: "host:port", or several comma-separated ("[::1]:7070" for IPv6). deadlineMs: how long
   * one call may keep trying. log: hears of every redirect and reconnect.
   */
  public GroupClient(String servers, Connector connector, long deadlineMs, Consumer<String> log) {
    for (String address : servers.split(",")) {
      hostOf(address.trim());
      addresses.add(address.trim());
    }
    this.connector = connector;
    this.deadlineMs = deadlineMs;
    this.log = log;
    this.current = addresses.get(0);
  }

  /** The connection in use, null between connections. */
  public LoyaltyClient client() {
    return client;
  }

  /** The address requests go to now, "host:port". */
  public String address() {
    return current;
  }

  public Reply call(Request request)
      throws IOException, GeneralSecurityException, InterruptedException {
    long deadline = System.nanoTime() + deadlineMs * 1_000_000;
    long backoffMs = FIRST_BACKOFF_MS;
    boolean redirected = false;
    while (true) {
      Reply reply = null;
      IOException failure = null;
      Wire.Error error = null;
      try {
        if (client == null) client = connector.connect(hostOf(current), portOf(current));
        reply = client.call(request.toBuilder().setRequestId(0).build()); // a fresh id each time
      } catch (IOException e) {
        error = e instanceof LoyaltyException ? ((LoyaltyException) e).error() : null;
        if (error != null && !isFollowed(error.getCode())) throw e; // the Hello's refusal
        failure = e;
      }
      if (failure == null) {
        if (!reply.hasError() || !isFollowed(reply.getError().getCode())) return reply;
        error = reply.getError();
      }
      long waitMs = error != null && error.getRetryAfterMs() > 0
          ? error.getRetryAfterMs()
          : ThreadLocalRandom.current().nextLong(backoffMs / 2, backoffMs + 1);
      String was = current;
      if (error != null && error.getCode() == ErrorCode.NOT_PRIMARY
          && !error.getPrimary().isEmpty()) {
        move(error.getPrimary());
        if (!redirected) waitMs = 0; // a second redirect in a row waits: the group is changing
        redirected = true;
        log.accept(was + " is not the primary; the request goes to " + current);
      } else if (failure != null || error.getCode() == ErrorCode.NOT_PRIMARY) {
        move(null);
        redirected = false;
        log.accept(was + ": " + (error != null ? error.getMessage() : failure.toString())
            + "; next address " + current + " in " + waitMs + " ms");
      } else {
        redirected = false; // OVERLOADED, UNAVAILABLE, RATE_LIMITED: the same connection
      }
      if (System.nanoTime() + waitMs * 1_000_000 - deadline > 0) {
        if (failure != null) throw failure;
        return reply;
      }
      Thread.sleep(waitMs);
      backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
    }
  }

  @Override
  public void close() {
    if (client != null) client.close();
    client = null;
  }

  /** The errors call follows: the retryable ones, and NOT_PRIMARY. */
  static boolean isFollowed(ErrorCode code) {
    return LoyaltyClient.isRetryable(code) || code == ErrorCode.NOT_PRIMARY;
  }

  /** Closes the connection; the next goes to primary, or when null to the next address. */
  private void move(String primary) {
    close();
    if (primary == null) {
      index = (index + 1) % addresses.size();
      current = addresses.get(index);
      return;
    }
    hostOf(primary);
    current = primary;
    if (addresses.contains(primary)) index = addresses.indexOf(primary);
  }

  static String hostOf(String address) {
    int colon = address.lastIndexOf(':');
    portOf(address);
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    if (host.isEmpty()) throw new IllegalArgumentException("'" + address + "' is not HOST:PORT");
    return host;
  }

  static int portOf(String address) {
    int colon = address.lastIndexOf(':');
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (colon > 0 && port > 0 && port < 65536) return port;
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("server address '" + address + "' is not HOST:PORT");
  }
}
