// WebhookSink: events POSTed to one HTTP(S) endpoint as a CloudEvents batch
// (Content-Type application/cloudevents-batch+json: a JSON array), signed so
// the receiver knows they come from this engine and were not replayed:
//   Loyalty-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
// under the shared secret (docs/EVENTS.md "Events out" shows a check). Any
// 2xx takes the batch; anything else, or no answer within the time-out,
// fails it (OutboxDispatcher retries). One connection is kept open across
// batches (HTTP/1.1 keep-alive; one TLS handshake, not one per batch) and
// opened again when the receiver closes it.
//
// Thread safety: the dispatcher's thread only.
#pragma once

#include <set>
#include <string>

#include "adapters/http/client.h"
#include "tools/wiring/outbox_dispatcher.h"

namespace loyalty {

struct WebhookOptions {
  std::string url;              // http://HOST:PORT/path or https://...
  std::string secret;           // the HMAC key
  std::set<std::string> types;  // sent (empty: all); others are taken without a request
  int64_t timeout_ms = 10'000;
  std::string ca_path;  // https: CA certificates to trust; empty: the system's
};

class WebhookSink final : public OutboxSink {
 public:
  explicit WebhookSink(WebhookOptions options);
  std::string name() const override;  // "webhook <host:port>"
  Status Deliver(const std::vector<std::string>& events_json) override;

 private:
  WebhookOptions options_;
  std::string address_;  // HOST:PORT or https://HOST:PORT
  std::string target_;   // the path and query
  http::Client client_;  // to address_
};

// "t=1764360000,v1=<hex>" for `body` sent at `unix_s` (what the receiver
// recomputes).
std::string WebhookSignature(const std::string& secret, int64_t unix_s, const std::string& body);

}  // namespace loyalty
