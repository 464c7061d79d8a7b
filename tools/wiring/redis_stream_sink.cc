#include "tools/wiring/redis_stream_sink.h"

namespace loyalty {
namespace {

// A top-level string field of a CloudEvent as engine/outbox.cc writes it
// ("key":"value", no space, the value escaped only where JSON must).
std::string FieldOf(const std::string& event_json, std::string_view key) {
  const std::string marker = "\"" + std::string(key) + "\":\"";
  const std::size_t at = event_json.find(marker);
  if (at == std::string::npos) return "";
  const std::size_t from = at + marker.size();
  return event_json.substr(from, event_json.find('"', from) - from);
}

}  // namespace

RedisStreamSink::RedisStreamSink(RedisStreamOptions options) : options_(std::move(options)) {}
RedisStreamSink::~RedisStreamSink() = default;

std::string RedisStreamSink::name() const {
  return "redis stream " + options_.key + " at " + options_.endpoint.ToString();
}

Status RedisStreamSink::Deliver(const std::vector<std::string>& events_json) {
  if (!connection_) {
    auto opened = redis::Connection::Open(options_.endpoint, options_.connect_timeout_ms,
                                          options_.command_timeout_ms);
    if (!opened.ok()) return opened.status();
    connection_ = std::move(*opened);
  }
  for (const std::string& e : events_json) {
    connection_->Append({"XADD", options_.key, "MAXLEN", "~", std::to_string(options_.maxlen), "*",
                         "id", FieldOf(e, "id"), "type", FieldOf(e, "type"), "subject",
                         FieldOf(e, "subject"), "event", e});
  }
  Status failed = Status::Ok();
  for (std::size_t i = 0; i < events_json.size(); ++i) {
    auto reply = connection_->Read();
    if (!reply.ok()) {  // the connection is broken: every later reply is lost too
      connection_.reset();
      return reply.status();
    }
    if (reply->IsError() && failed.ok()) failed = Status::Unavailable("XADD: " + reply->str);
  }
  return failed;
}

}  // namespace loyalty
