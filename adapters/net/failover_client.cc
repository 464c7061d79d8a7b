#include "adapters/net/failover_client.h"

#include <algorithm>
#include <optional>
#include <thread>

namespace loyalty::net {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPause{100};

}  // namespace

FailoverClient::FailoverClient(std::vector<std::string> addresses, ClientOptions options,
                               bool retry_busy)
    : addresses_(std::move(addresses)), options_(std::move(options)), retry_busy_(retry_busy) {}

Status FailoverClient::ConnectTo(const std::string& address) {
  client_.reset();
  current_.clear();
  auto c = Client::Connect(address, options_);
  if (!c.ok()) return c.status();
  client_ = std::move(*c);
  welcome_ = client_->welcome();
  current_ = address;
  ++reconnects_;
  return Status::Ok();
}

Result<v1::Reply> FailoverClient::Call(v1::Request request, std::chrono::milliseconds within) {
  if (request.request_id() == 0) request.set_request_id(next_request_id_++);
  const auto deadline = Clock::now() + within;
  std::string redirect;  // the primary a standby named
  Status last = Status::Unavailable("no address to try");
  std::optional<v1::Reply> last_reply;
  size_t failures = 0;  // in a row; without retry_busy, each address is tried once
  while (Clock::now() < deadline) {
    if (!client_) {
      std::string address = redirect;
      if (address.empty()) {
        address = addresses_[next_ % addresses_.size()];
        ++next_;
      }
      redirect.clear();
      if (Status s = ConnectTo(address); !s.ok()) {
        last = s;
        if (!retry_busy_ && ++failures >= addresses_.size()) break;
        std::this_thread::sleep_for(kPause);
        continue;
      }
    }
    auto reply = client_->Call(request);
    if (!reply.ok()) {
      last = reply.status();
      client_.reset();
      current_.clear();
      if (!retry_busy_ && ++failures >= addresses_.size()) break;
      continue;
    }
    failures = 0;
    const v1::ErrorCode code =
        reply->has_error() ? reply->error().code() : v1::ERROR_CODE_UNSPECIFIED;
    const bool retry = code == v1::NOT_PRIMARY ||
                       (retry_busy_ && (code == v1::UNAVAILABLE || code == v1::OVERLOADED));
    if (!retry) return reply;
    last_reply = *reply;
    const v1::Error& e = reply->error();
    last = Status::Unavailable(current_ + " answered " + v1::ErrorCode_Name(e.code()) + ": " +
                               e.message());
    if (e.code() == v1::NOT_PRIMARY && !e.primary().empty() && e.primary() != current_) {
      redirect = e.primary();
      client_.reset();
      current_.clear();
      continue;
    }
    // No name yet (an election), or a server that cannot take it now.
    if (e.code() == v1::NOT_PRIMARY) {
      client_.reset();
      current_.clear();
    }
    const int64_t pause = std::max<int64_t>(e.retry_after_ms(), kPause.count());
    std::this_thread::sleep_for(std::chrono::milliseconds(pause));
  }
  if (last_reply) return *last_reply;
  return last;
}

}  // namespace loyalty::net
