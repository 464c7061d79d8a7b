// Session: one register connection of Server (server.h), in its own file
// by concern: the phases of a connection (TLS handshake, Hello, serving,
// closing), its reader, writer and watchdog. Included by server.cc only;
// it reaches the Server's counters, options and handler as a friend.
// Thread safety: the io_context thread only.
#pragma once

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <deque>
#include <optional>
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs std::exchange

#include "adapters/net/authorize.h"
#include "adapters/net/framing.h"
#include "adapters/net/server.h"
#include "proto/wire_codec.h"
#include "proto/wire_parse.h"

namespace loyalty::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

inline constexpr auto kNever = Clock::time_point::max();
// After a refusal that closes, the reply has this long to go out.
inline constexpr int64_t kCloseGraceMs = 1000;

inline std::string Framed(uint64_t request_id, v1::Error error) {
  std::string out;
  AppendFrame(out, wire::ErrorReply(request_id, std::move(error)));
  return out;
}

inline std::string FramedError(uint64_t request_id, v1::ErrorCode code, const std::string& field,
                               const std::string& message, int64_t retry_after_ms = 0) {
  v1::Error e = wire::MakeError(code, field, message);
  e.set_retry_after_ms(retry_after_ms);
  return Framed(request_id, std::move(e));
}

// A steady_timer used as a condition variable on the io thread: Wait sleeps
// until Wake. Safe because both run on the one io_context thread, so no Wake
// can slip between a check and the Wait that follows it.
inline asio::awaitable<void> Wait(asio::steady_timer& t) {
  boost::system::error_code ec;
  t.expires_at(kNever);
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

inline int64_t NowMs() {
  return std::chrono::duration_cast<Ms>(Clock::now().time_since_epoch()).count();
}

// One connection. Phases run forward only: kHandshake (TLS) -> kHello ->
// kServing -> kClosing (no more reading; what is owed is written, then the
// connection closes) -> kClosed. One reader and one writer coroutine; the
// watchdog enforces the deadline of the phase.
class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class Phase : uint8_t { kHandshake, kHello, kServing, kClosing, kClosed };

  Session(Server& server, tcp::socket socket, std::shared_ptr<ssl::context> tls)
      : server_(server),
        tls_context_(std::move(tls)),
        read_wake_(socket.get_executor()),
        write_wake_(socket.get_executor()),
        watchdog_(socket.get_executor()) {
    boost::system::error_code ec;
    address_ = socket.remote_endpoint(ec).address();
    if (tls_context_) {
      tls_.emplace(std::move(socket), *tls_context_);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  void Start() {
    auto self = shared_from_this();
    auth_deadline_ = Clock::now() + Ms(server_.options_.auth_timeout_ms);
    Arm();
    asio::co_spawn(
        lowest().get_executor(), [self]() { return self->Run(); }, asio::detached);
    asio::co_spawn(
        lowest().get_executor(), [self]() { return self->Watchdog(); }, asio::detached);
  }

  // Drain: no new requests; what is in flight is still answered.
  void StopReading() {
    if (phase_ >= Phase::kClosing) return;
    if (phase_ != Phase::kServing) {  // nothing owed yet
      Close();
      return;
    }
    phase_ = Phase::kClosing;
    boost::system::error_code ec;
    lowest().shutdown(tcp::socket::shutdown_receive, ec);  // wakes the pending read
    read_wake_.cancel();
    write_wake_.cancel();
  }

  bool quiet() const { return inflight_ == 0 && out_.empty() && !writing_; }
  bool authenticated() const { return credential_ != nullptr; }
  const std::string& key_id() const { return key_id_; }
  const Credential& credential() const { return *credential_; }
  const asio::ip::address& address() const { return address_; }
  std::size_t out_bytes() const { return out_bytes_; }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    boost::system::error_code ec;
    lowest().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close(ec);
    read_wake_.cancel();
    write_wake_.cancel();
    watchdog_.cancel();
    server_.reply_bytes_total_ -= out_bytes_;
    out_bytes_ = 0;
    std::deque<std::string>().swap(out_);
    std::string().swap(in_);
    server_.Forget(this);
  }

  std::list<std::shared_ptr<Session>>::iterator position;
  Clock::time_point accepted_at = Clock::now();

 private:
  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : *plain_; }

  asio::awaitable<std::size_t> ReadSome(boost::system::error_code& ec) {
    if (tls_) {
      co_return co_await tls_->async_read_some(asio::buffer(chunk_),
                                               asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return co_await plain_->async_read_some(asio::buffer(chunk_),
                                               asio::redirect_error(asio::use_awaitable, ec));
  }

  asio::awaitable<void> WriteAll(const std::string& bytes, boost::system::error_code& ec) {
    if (tls_) {
      co_await asio::async_write(*tls_, asio::buffer(bytes),
                                 asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await asio::async_write(*plain_, asio::buffer(bytes),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  asio::awaitable<void> Run() {
    auto self = shared_from_this();
    if (tls_) {
      boost::system::error_code ec;
      co_await tls_->async_handshake(ssl::stream_base::server,
                                     asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (phase_ != Phase::kClosed) ++server_.counters_.tls_handshakes_failed;
        Close();
        co_return;
      }
    }
    if (phase_ == Phase::kClosed) co_return;
    phase_ = Phase::kHello;
    asio::co_spawn(
        lowest().get_executor(), [self]() { return self->WriteLoop(); }, asio::detached);
    co_await ReadLoop();
  }

  asio::awaitable<void> ReadLoop() {
    boost::system::error_code ec;
    bool refused = false;
    while (phase_ == Phase::kHello || phase_ == Phase::kServing) {
      if (!ProcessFrames()) {  // a refusal that closes: its reply is queued
        refused = true;
        break;
      }
      if (Saturated()) {
        co_await Wait(read_wake_);  // backpressure: stop reading until replies drain
        continue;
      }
      SetFrameDeadline(!in_.empty());
      reading_ = true;
      const std::size_t n = co_await ReadSome(ec);
      reading_ = false;
      if (ec || n == 0) {
        const bool eof =
            ec == asio::error::eof || ec == ssl::error::stream_truncated || (!ec && n == 0);
        if (!in_.empty() && eof && phase_ == Phase::kServing) {  // the peer stopped mid-frame
          ++server_.counters_.frames_malformed;
          Queue(FramedError(0, v1::MALFORMED_FRAME, "frame",
                            "the connection closed after " + std::to_string(in_.size()) +
                                " bytes of an unfinished frame"));
        }
        break;
      }
      in_.append(chunk_.data(), n);
    }
    // Peer closed, a refusal, or draining: answer what was accepted, then
    // close; a client that takes nothing more is cut after the idle time.
    if (phase_ == Phase::kClosed) co_return;
    const int64_t grace_ms = refused ? kCloseGraceMs : server_.options_.idle_timeout_ms;
    phase_ = Phase::kClosing;
    close_deadline_ = std::min(close_deadline_, Clock::now() + Ms(grace_ms));
    Arm();
    SetFrameDeadline(false);
    write_wake_.cancel();
  }

  // Handles every complete frame in in_, up to the in-flight limit. False
  // when the connection must close after what is queued (broken framing, a
  // refused Hello, a request before the Hello).
  bool ProcessFrames() {
    std::size_t pos = 0;
    bool go_on = true;
    while (go_on && !Saturated() && phase_ != Phase::kClosed) {
      const std::string_view view = std::string_view(in_).substr(pos);
      const FrameHeader h = ParseFrameHeader(view, limits::kFrameBytesMax);
      if (h.status == FrameStatus::kNeedMore) break;
      if (h.status == FrameStatus::kOversized) {
        ++server_.counters_.frames_oversized;
        Queue(FramedError(0, v1::OVERSIZED_FRAME, "frame",
                          "frame of " + std::to_string(h.body_bytes) + " bytes; at most " +
                              std::to_string(limits::kFrameBytesMax) + " allowed"));
        go_on = false;
        break;
      }
      v1::Request request;
      std::optional<v1::Error> unparsed;
      if (h.status != FrameStatus::kMalformed) {
        unparsed = wire::ParseRequest(view.substr(h.prefix_bytes, h.body_bytes), &request);
      }
      if (h.status == FrameStatus::kMalformed ||
          (unparsed && unparsed->code() != v1::INVALID_FIELD)) {
        ++server_.counters_.frames_malformed;
        Queue(FramedError(0, v1::MALFORMED_FRAME, "frame",
                          "the bytes are not a length-delimited loyalty.v1.Request"));
        go_on = false;
        break;
      }
      pos += h.prefix_bytes + h.body_bytes;
      if (unparsed && phase_ == Phase::kServing) {  // a text field that is not UTF-8: the
        Queue(Framed(request.request_id(), std::move(*unparsed)));  // connection lives on
        continue;
      }
      go_on = phase_ == Phase::kHello ? Hello(request) : Serve(std::move(request));
    }
    in_.erase(0, go_on ? pos : in_.size());
    if (pos > 0) frame_started_ = false;  // a frame completed: the next one's clock restarts
    return go_on;
  }

  // The first request: a Hello that proves a credential, or the connection ends.
  bool Hello(const v1::Request& request) {
    if (!request.has_hello()) {
      ++server_.counters_.auth_refused[static_cast<int>(AuthRefusal::kNone)];
      Queue(FramedError(request.request_id(), v1::UNAUTHENTICATED, "hello",
                        "the first request of a connection must be a Hello with the register's "
                        "credential (docs/PROTOCOL.md)"));
      return false;
    }
    const v1::Hello& hello = request.hello();
    const Credential* credential = nullptr;
    const AuthRefusal refusal =
        server_.credentials_->Verify(hello.key_id(), hello.secret(), &credential);
    if (refusal != AuthRefusal::kNone) {
      ++server_.counters_.auth_refused[static_cast<int>(refusal)];
      Queue(FramedError(request.request_id(), v1::UNAUTHENTICATED, "hello",
                        refusal == AuthRefusal::kRevoked
                            ? "credential " + hello.key_id() + " is revoked"
                        : refusal == AuthRefusal::kMalformed
                            ? "a Hello needs a key id and a secret of 64 hex digits"
                            : "no credential matches this key id and secret"));
      return false;
    }
    const std::string refused = server_.Authenticated(*credential);
    if (!refused.empty()) {
      Queue(FramedError(request.request_id(), v1::OVERLOADED, "connection", refused, 1000));
      return false;
    }
    credential_ = std::make_shared<Credential>(*credential);
    key_id_ = credential->key_id;
    phase_ = Phase::kServing;
    idle_deadline_ = Clock::now() + Ms(server_.options_.idle_timeout_ms);
    Arm();
    v1::Reply reply;
    reply.set_request_id(request.request_id());
    v1::Welcome* w = reply.mutable_welcome();
    w->set_kind(credential->kind == CredentialKind::kOperator ? v1::CREDENTIAL_OPERATOR
                                                              : v1::CREDENTIAL_REGISTER);
    w->set_store_id(credential->store_id);
    w->set_register_id(credential->register_id);
    w->set_server_version(server_.options_.server_version);
    if (server_.options_.describe_program) server_.options_.describe_program(*w);
    std::string framed;
    AppendFrame(framed, reply.SerializeAsString());
    Queue(std::move(framed));
    return true;
  }

  // A request on an authenticated connection: checked, then handed on.
  bool Serve(v1::Request request) {
    if (request.body_case() == v1::Request::BODY_NOT_SET) {  // not activity: no idle reset
      Queue(FramedError(request.request_id(), v1::UNKNOWN_MESSAGE, "body",
                        "the request carries no message this server knows (protocol "
                        "loyalty.v1)"));
      return true;
    }
    idle_deadline_ = Clock::now() + Ms(server_.options_.idle_timeout_ms);
    if (request.has_hello()) {
      Queue(FramedError(request.request_id(), v1::INVALID_FIELD, "hello",
                        "this connection is already authenticated as " + key_id_));
      return true;
    }
    if (auto denied = Authorize(*credential_, request)) {
      ++server_.counters_.permission_denied;
      Queue(Framed(request.request_id(), std::move(*denied)));
      return true;
    }
    int64_t retry_after_ms = 0;
    if (request.has_lookup() && !server_.TakeLookup(key_id_, &retry_after_ms)) {
      ++server_.counters_.lookups_rate_limited;
      Queue(FramedError(request.request_id(), v1::RATE_LIMITED, "lookup",
                        "more than " + std::to_string(server_.options_.lookups_per_second) +
                            " lookups a second for credential " + key_id_ + "; retry in " +
                            std::to_string(retry_after_ms) + " ms",
                        retry_after_ms));
      return true;
    }
    Dispatch(std::move(request));
    return true;
  }

  void Dispatch(v1::Request request) {
    ++inflight_;
    ++server_.counters_.requests;
    auto self = shared_from_this();
    server_.handler_.Handle(std::move(request),
                            [self, answers = server_.answers_](std::string reply) {
                              Server::Answered(answers, self, std::move(reply));
                            });
  }

 public:
  // The reply to one of this connection's requests (on the io thread).
  void Deliver(std::string reply) {
    --inflight_;
    if (phase_ == Phase::kClosed) return;
    std::string framed;
    AppendFrame(framed, reply);
    Queue(std::move(framed));
    read_wake_.cancel();
  }

 private:
  // Owes the client too much already: stop reading until it takes replies.
  bool Saturated() const {
    return inflight_ >= server_.options_.inflight_max ||
           out_bytes_ > server_.options_.reply_bytes_queued_max;
  }

  void Sent(std::size_t bytes) {
    out_bytes_ -= bytes;
    server_.reply_bytes_total_ -= bytes;
    read_wake_.cancel();  // reading may resume
  }

  void Queue(std::string framed) {
    if (phase_ == Phase::kClosed) return;
    out_bytes_ += framed.size();
    server_.reply_bytes_total_ += framed.size();
    out_.push_back(std::move(framed));
    write_wake_.cancel();
    if (server_.reply_bytes_total_ > server_.options_.reply_bytes_total_max &&
        out_bytes_ > server_.ReplyShare()) {
      ++server_.counters_.reply_budget_disconnects;  // a client that does not read
      Close();
    }
  }

  asio::awaitable<void> WriteLoop() {
    auto self = shared_from_this();
    boost::system::error_code ec;
    std::string batch;
    while (phase_ != Phase::kClosed) {
      if (out_.empty()) {
        if (phase_ == Phase::kClosing && inflight_ == 0) break;
        co_await Wait(write_wake_);
        continue;
      }
      batch.clear();
      while (!out_.empty()) {
        batch += out_.front();
        out_.pop_front();
      }
      writing_ = true;
      co_await WriteAll(batch, ec);
      writing_ = false;
      if (phase_ == Phase::kClosed) co_return;
      Sent(batch.size());
      if (ec) break;
      if (batch.capacity() > limits::kReplyBytesFloorPerConnection) std::string().swap(batch);
    }
    if (!ec && phase_ == Phase::kClosing) co_await Goodbye();
    Close();
  }

  // Everything owed is written: end the stream so the last reply is not lost
  // to a reset (a FIN, and what the client still sends read and dropped),
  // within kCloseGraceMs.
  asio::awaitable<void> Goodbye() {
    close_deadline_ = Clock::now() + Ms(kCloseGraceMs);
    Arm();
    boost::system::error_code ec;
    while (reading_ && phase_ != Phase::kClosed) co_await Wait(write_wake_);  // one reader
    if (phase_ == Phase::kClosed) co_return;
    // A FIN without TLS close_notify: asio cannot send close_notify without
    // waiting for the peer's, and the peer may still be sending. Every
    // reply is written; a TLS client sees the end of the stream after it.
    lowest().shutdown(tcp::socket::shutdown_send, ec);
    std::size_t dropped = 0;
    while (phase_ != Phase::kClosed && dropped < limits::kDiscardAfterBadFrameBytesMax) {
      const std::size_t n = co_await ReadSome(ec);
      if (ec || n == 0) break;
      dropped += n;
    }
  }

  // The earliest deadline of the phase; kNever when none applies.
  Clock::time_point Deadline() const {
    Clock::time_point at = close_deadline_;
    if (phase_ == Phase::kHandshake || phase_ == Phase::kHello) at = std::min(at, auth_deadline_);
    if (frame_started_) at = std::min(at, frame_deadline_);
    if (phase_ == Phase::kServing) at = std::min(at, idle_deadline_);
    return at;
  }

  void Arm() { watchdog_.cancel(); }  // the watchdog re-reads the deadline

  void SetFrameDeadline(bool started) {
    if (started && !frame_started_) {  // a frame began: its clock starts once
      frame_started_ = true;
      frame_deadline_ = Clock::now() + Ms(server_.options_.read_timeout_ms);
      Arm();
    } else if (!started) {
      frame_started_ = false;
    }
  }

  asio::awaitable<void> Watchdog() {
    auto self = shared_from_this();
    boost::system::error_code ec;
    while (phase_ != Phase::kClosed) {
      watchdog_.expires_at(Deadline());
      co_await watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (phase_ == Phase::kClosed) break;
      const auto now = Clock::now();
      if (Deadline() > now) continue;  // re-armed, or the deadline moved
      if (close_deadline_ <= now) {    // the last reply had its time to go out
        Close();
      } else if (phase_ == Phase::kHandshake || phase_ == Phase::kHello) {
        ++server_.counters_.auth_timeouts;
        if (phase_ == Phase::kHandshake) {
          Close();
          continue;
        }
        Queue(FramedError(0, v1::UNAUTHENTICATED, "hello",
                          "no Hello within " + std::to_string(server_.options_.auth_timeout_ms) +
                              " ms of connecting"));
        CloseAfterWriting();
      } else if (frame_started_) {  // a frame begun and not finished: say why, then close
        ++server_.counters_.timeouts;
        frame_started_ = false;
        Queue(FramedError(0, v1::MALFORMED_FRAME, "frame",
                          "frame not finished within " +
                              std::to_string(server_.options_.read_timeout_ms) + " ms"));
        CloseAfterWriting();
      } else if (inflight_ > 0 || !out_.empty()) {  // quiet, but replies are owed
        idle_deadline_ = now + Ms(server_.options_.idle_timeout_ms);
      } else {  // idle
        ++server_.counters_.timeouts;
        Close();
      }
    }
  }

  void CloseAfterWriting() {
    phase_ = Phase::kClosing;
    close_deadline_ = Clock::now() + Ms(kCloseGraceMs);
    boost::system::error_code ec;
    lowest().shutdown(tcp::socket::shutdown_receive, ec);  // ends the pending read, not the write
    read_wake_.cancel();
    write_wake_.cancel();
  }

  Server& server_;
  std::shared_ptr<ssl::context> tls_context_;  // kept alive by each session across reloads
  std::optional<ssl::stream<tcp::socket>> tls_;
  std::optional<tcp::socket> plain_;
  asio::ip::address address_;
  Phase phase_ = Phase::kHandshake;
  std::shared_ptr<const Credential> credential_;  // set by the Hello
  std::string key_id_;
  std::array<char, 4096> chunk_{};
  std::string in_;               // received bytes not yet handed on
  std::deque<std::string> out_;  // framed replies not yet written
  std::size_t inflight_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  std::size_t out_bytes_ = 0;  // replies queued or being written
  Clock::time_point auth_deadline_ = kNever;
  Clock::time_point idle_deadline_ = kNever;
  Clock::time_point frame_deadline_ = kNever;
  Clock::time_point close_deadline_ = kNever;
  bool frame_started_ = false;
  asio::steady_timer read_wake_;
  asio::steady_timer write_wake_;
  asio::steady_timer watchdog_;
};

}  // namespace loyalty::net
