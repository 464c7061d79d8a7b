#include "tools/wiring/webhook_sink.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "adapters/http/client.h"
#include "adapters/net/verifier.h"
#include "engine/outbox.h"

namespace loyalty {
namespace {

// The value of "type" in a CloudEvent's JSON as engine/outbox.cc writes it.
std::string TypeOf(const std::string& event_json) {
  constexpr std::string_view kKey = "\"type\":\"";
  const std::size_t at = event_json.find(kKey);
  if (at == std::string::npos) return "";
  const std::size_t from = at + kKey.size();
  return event_json.substr(from, event_json.find('"', from) - from);
}

// HOST:PORT, or https://HOST:PORT, of a validated webhook URL.
std::string AddressOf(const std::string& url) {
  const bool tls = url.rfind("https://", 0) == 0;
  const std::string rest = url.substr(tls ? 8 : 7);  // validated by the config
  return (tls ? "https://" : "") + rest.substr(0, rest.find('/'));
}

}  // namespace

std::string WebhookSignature(const std::string& secret, int64_t unix_s, const std::string& body) {
  const std::string t = std::to_string(unix_s);
  return "t=" + t + ",v1=" + net::HmacSha256Hex(secret, t + "." + body);
}

WebhookSink::WebhookSink(WebhookOptions options)
    : options_(std::move(options)),
      address_(AddressOf(options_.url)),
      client_(address_, options_.ca_path) {
  // Every type there is: nothing to filter, and no type to look up per event.
  if (std::all_of(std::begin(kOutboxTypes), std::end(kOutboxTypes),
                  [&](const char* type) { return options_.types.count(type) > 0; })) {
    options_.types.clear();
  }
  const std::string rest = options_.url.substr(options_.url.find("//") + 2);
  const std::size_t slash = rest.find('/');
  target_ = slash == std::string::npos ? "/" : rest.substr(slash);
}

std::string WebhookSink::name() const { return "webhook " + address_; }

Status WebhookSink::Deliver(const std::vector<std::string>& events_json) {
  std::size_t size = 2;
  for (const std::string& e : events_json) size += e.size() + 1;
  std::string body;
  body.reserve(size);
  body += '[';
  std::size_t sent = 0;
  for (const std::string& e : events_json) {
    if (!options_.types.empty() && options_.types.count(TypeOf(e)) == 0) continue;
    body += sent++ == 0 ? "" : ",";
    body += e;
  }
  body += "]";
  if (sent == 0) return Status::Ok();
  http::ClientRequest request;
  request.method = "POST";
  request.target = target_;
  request.body = std::move(body);
  request.content_type = "application/cloudevents-batch+json";
  request.timeout_ms = options_.timeout_ms;
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  request.headers.emplace_back("Loyalty-Signature",
                               WebhookSignature(options_.secret, now_s, request.body));
  auto reply = client_.Call(request);
  if (!reply.ok()) return reply.status();
  if (reply->status < 200 || reply->status > 299) {
    return Status::Unavailable("answered HTTP " + std::to_string(reply->status));
  }
  return Status::Ok();
}

}  // namespace loyalty
