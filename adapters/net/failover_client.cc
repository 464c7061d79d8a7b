#include "adapters/net/failover_client.h"

#include <algorithm>
#include <thread>

namespace loyalty::net {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPause{100};

bool Retryable(v1::ErrorCode code) {
  return code == v1::NOT_PRIMARY || code == v1::UNAVAILABLE || code == v1::OVERLOADED;
}

}  // namespace

FailoverClient::FailoverClient(std::vector<std::string> addresses, ClientOptions options)
    : addresses_(std::move(addresses)), options_(std::move(options)) {}

Status FailoverClient::ConnectTo(const std::string& address) {
  client_.reset();
  current_.clear();
  auto c = Client::Connect(address, options_);
  if (!c.ok()) return c.status();
  client_ = std::move(*c);
  current_ = address;
  ++reconnects_;
  return Status::Ok();
}

Result<v1::Reply> FailoverClient::Call(v1::Request request, std::chrono::milliseconds within) {
  if (request.request_id() == 0) request.set_request_id(next_request_id_++);
  const auto deadline = Clock::now() + within;
  std::string redirect;  // the primary a standby named
  Status last = Status::Unavailable("no address to try");
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
        std::this_thread::sleep_for(kPause);
        continue;
      }
    }
    auto reply = client_->Call(request);
    if (!reply.ok()) {
      last = reply.status();
      client_.reset();
      current_.clear();
      continue;
    }
    if (!reply->has_error() || !Retryable(reply->error().code())) return reply;
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
  return last;
}

}  // namespace loyalty::net
