// Client: a blocking client of the loyalty.v1 protocol, for the CLI, the
// benchmark and the tests. One socket, TLS (OpenSSL) unless options say
// plaintext; Connect sends the Hello when a credential is given and fails
// unless it is welcomed. Call() keeps one request in flight, Send()/Receive()
// let a caller pipeline several.
//
// Every call fails with a Status (never throws) naming what went wrong; after
// an IO failure the client is closed. Not thread-safe: one thread per client.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "loyalty/v1/wire.pb.h"

namespace loyalty::net {

struct ClientOptions {
  bool tls = true;
  std::string ca_file;      // PEM: the CA that signed the server's certificate (required with tls)
  std::string server_name;  // checked against the certificate; default: the host of the address
  std::string key_id;       // the credential; empty: no Hello is sent
  std::string secret;
  std::string client = "loyalty-cpp";  // told to the server in the Hello
  std::string bind_address;            // local IPv4 address to connect from; empty: any
  int64_t timeout_ms = 5000;
};

class Client {
 public:
  // "HOST:PORT" with a numeric IPv4 host or "localhost".
  static Result<std::unique_ptr<Client>> Connect(const std::string& host_port,
                                                 const ClientOptions& options);
  // Plaintext, no Hello: only for tests of what the server does to such clients.
  static Result<std::unique_ptr<Client>> ConnectPlain(const std::string& host_port,
                                                      int64_t timeout_ms = 5000,
                                                      const std::string& bind_address = "");
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sets request_id when 0, sends, waits for the reply to that id.
  Result<v1::Reply> Call(v1::Request request);

  Status Send(const v1::Request& request);
  Result<v1::Reply> Receive();  // the next reply, whichever request it answers

  const v1::Welcome& welcome() const { return welcome_; }

  // Raw bytes, for tests of bad input.
  Status SendBytes(std::string_view bytes);
  // Tells the server nothing more will be sent (shutdown SHUT_WR); replies
  // can still be received.
  void HalfClose();
  // True when the server has closed the connection (reads EOF within timeout).
  bool ServerClosed();
  void Close();

 private:
  Client(int fd, int64_t timeout_ms);
  Status ReadSome();
  Status StartTls(const ClientOptions& options, const std::string& host);
  Status Hello(const ClientOptions& options);

  int fd_;
  int64_t timeout_ms_;
  struct Tls;
  std::unique_ptr<Tls> tls_;
  v1::Welcome welcome_;
  uint64_t next_request_id_ = 1;
  std::string in_;
};

}  // namespace loyalty::net
