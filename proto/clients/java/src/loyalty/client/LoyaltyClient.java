package loyalty.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import loyalty.v1.Wire;
import loyalty.v1.Wire.ErrorCode;
import loyalty.v1.Wire.Hello;
import loyalty.v1.Wire.Reply;
import loyalty.v1.Wire.Request;
import loyalty.v1.Wire.Welcome;

/**
 * A small client of loyaltyd's register protocol (loyalty.v1, docs/PROTOCOL.md).
 *
 * <p>TLS 1.2+ verifying the server against a PEM CA file (no keystore file), then Hello with a
 * credential file ({@code KEY_ID:SECRET}). Frames are protobuf's delimited format
 * (writeDelimitedTo / parseDelimitedFrom), at most 64 KiB. Blocking, not thread-safe; several
 * requests may be in flight: {@link #send} them, then {@link #receive} (replies come in any
 * order), or {@link #call} one and wait for its own reply. {@link GroupClient} sends requests to
 * one server or a replicated group, following NOT_PRIMARY and retrying.
 */
public final class LoyaltyClient implements AutoCloseable {
  public static final int FRAME_BYTES_MAX = 64 * 1024;

  /** Error codes a register retries later with the very same request (same transaction id). */
  public static boolean isRetryable(ErrorCode code) {
    return code == ErrorCode.OVERLOADED
        || code == ErrorCode.UNAVAILABLE
        || code == ErrorCode.RATE_LIMITED;
  }

  /** The server refused the Hello or closed the connection. */
  public static final class LoyaltyException extends IOException {
    private final transient Wire.Error error;

    public LoyaltyException(String message) {
      this(message, null);
    }

    public LoyaltyException(String message, Wire.Error error) {
      super(message);
      this.error = error;
    }

    /** The server's Error when it refused the Hello, else null. */
    public Wire.Error error() {
      return error;
    }
  }

  private final SSLSocket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Map<Long, Reply> early = new HashMap<>();
  private long nextId = 2; // 1 was the Hello
  private Welcome welcome;

  private LoyaltyClient(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  /** A trust store made in memory from the CA certificates of a PEM file. */
  static SSLContext tlsContext(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream pem = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
        trusted.setCertificateEntry("ca-" + i++, ca);
      }
      if (i == 0) throw new IOException(caFile + ": no certificate in it");
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /**
   * TCP, TLS (chain verified against caFile and the host name checked against the certificate's
   * subjectAltName), then Hello. serverName: the name to verify, null for the host.
   */
  public static LoyaltyClient connect(
      String host,
      int port,
      Path caFile,
      Path credentialFile,
      String clientName,
      String serverName,
      int timeoutMs)
      throws IOException, GeneralSecurityException {
    String[] credential = readCredential(credentialFile);
    // Everything slow before connecting: the server wants the TLS handshake and
    // the Hello within its auth_timeout_ms (default 5 s) of the TCP connect.
    SSLContext context = tlsContext(caFile);
    Socket raw = new Socket();
    raw.setTcpNoDelay(true);
    raw.connect(new InetSocketAddress(host, port), timeoutMs);
    String name = serverName != null ? serverName : host;
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, name, port, true);
    SSLParameters params = tls.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS"); // check the name, not only the chain
    params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    tls.setSSLParameters(params);
    tls.setSoTimeout(timeoutMs);
    LoyaltyClient client = new LoyaltyClient(tls);
    try {
      tls.startHandshake();
      Request hello =
          Request.newBuilder()
              .setRequestId(1)
              .setHello(
                  Hello.newBuilder()
                      .setKeyId(credential[0])
                      .setSecret(credential[1])
                      .setClient(clientName))
              .build();
      client.write(hello);
      Reply reply = client.read();
      if (!reply.hasWelcome()) {
        throw new LoyaltyException(
            "Hello refused: " + reply.getError().getCode() + " " + reply.getError().getMessage(),
            reply.getError());
      }
      client.welcome = reply.getWelcome();
      return client;
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** KEY_ID:SECRET from a credential file (one line). */
  static String[] readCredential(Path file) throws IOException {
    String line = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
    int colon = line.indexOf(':');
    if (colon <= 0 || colon == line.length() - 1) {
      throw new IOException(file + ": expected one line KEY_ID:SECRET");
    }
    return new String[] {line.substring(0, colon), line.substring(colon + 1)};
  }

  public Welcome welcome() {
    return welcome;
  }

  public String tlsVersion() {
    return socket.getSession().getProtocol();
  }

  /** Sends one request; a request_id of 0 is replaced by the next free id. Returns the id. */
  public long send(Request request) throws IOException {
    if (request.getRequestId() == 0) {
      request = request.toBuilder().setRequestId(nextId++).build();
    }
    write(request);
    return request.getRequestId();
  }

  /** The next reply, whichever request it answers. */
  public Reply receive() throws IOException {
    return read();
  }

  /** Sends and waits for this request's reply; other replies are kept for their own call. */
  public Reply call(Request request) throws IOException {
    long id = send(request);
    while (!early.containsKey(id)) {
      Reply reply = read();
      early.put(reply.getRequestId(), reply);
    }
    return early.remove(id);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void write(Request request) throws IOException {
    if (request.getSerializedSize() > FRAME_BYTES_MAX) {
      throw new IOException("request over the 64 KiB frame limit");
    }
    request.writeDelimitedTo(out); // varint length, then the message
    out.flush();
  }

  private Reply read() throws IOException {
    Reply reply = Reply.parseDelimitedFrom(in);
    if (reply == null) throw new LoyaltyException("the server closed the connection");
    return reply;
  }
}
