#include "adapters/net/server.h"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <deque>

#include "adapters/net/framing.h"

namespace loyalty::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

namespace {

std::string FramedError(uint64_t request_id, v1::ErrorCode code, const std::string& field,
                        const std::string& message) {
  v1::Reply reply;
  reply.set_request_id(request_id);
  v1::Error* e = reply.mutable_error();
  e->set_code(code);
  e->set_field(field);
  e->set_message(message);
  std::string out;
  AppendFrame(out, reply.SerializeAsString());
  return out;
}

// A steady_timer used as a condition variable on the io thread: Wait sleeps
// until Wake. Safe because both run on the one io_context thread, so no Wake
// can slip between a check and the Wait that follows it.
asio::awaitable<void> Wait(asio::steady_timer& t) {
  boost::system::error_code ec;
  t.expires_at(Clock::time_point::max());
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server& server, tcp::socket socket)
      : server_(server),
        socket_(std::move(socket)),
        read_wake_(socket_.get_executor()),
        write_wake_(socket_.get_executor()),
        watchdog_(socket_.get_executor()) {}

  void Start() {
    auto self = shared_from_this();
    SetDeadline(Clock::now() + Ms(server_.options_.idle_timeout_ms), false);
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);  // for WriteNow; async operations are unaffected
    asio::co_spawn(
        socket_.get_executor(), [self]() { return self->ReadLoop(); }, asio::detached);
    asio::co_spawn(
        socket_.get_executor(), [self]() { return self->WriteLoop(); }, asio::detached);
    asio::co_spawn(
        socket_.get_executor(), [self]() { return self->Watchdog(); }, asio::detached);
  }

  // Drain: no new requests; what is in flight is still answered.
  void StopReading() {
    if (!reading_) return;
    reading_ = false;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_receive, ec);  // wakes the pending read
    read_wake_.cancel();
    write_wake_.cancel();
  }

  bool quiet() const { return inflight_ == 0 && out_.empty() && !writing_; }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    read_wake_.cancel();
    write_wake_.cancel();
    watchdog_.cancel();
    server_.Forget(this);
  }

  std::list<std::shared_ptr<Session>>::iterator position;

 private:
  asio::awaitable<void> ReadLoop() {
    boost::system::error_code ec;
    while (reading_ && !closed_) {
      reading_chunk_ = true;
      const bool framing_ok = ProcessFrames();
      reading_chunk_ = false;
      WriteNow();
      if (!framing_ok) {
        co_await DiscardThenClose();
        co_return;
      }
      if (Saturated()) {
        SetDeadline(Clock::time_point::max(), false);  // backpressure: stop reading
        co_await Wait(read_wake_);
        continue;
      }
      if (in_.empty()) {
        SetDeadline(Clock::now() + Ms(server_.options_.idle_timeout_ms), false);
      } else if (!deadline_is_read_) {  // a frame began: its clock starts once
        SetDeadline(Clock::now() + Ms(server_.options_.read_timeout_ms), true);
      }
      const std::size_t n = co_await socket_.async_read_some(
          asio::buffer(chunk_), asio::redirect_error(asio::use_awaitable, ec));
      if (ec || n == 0) {
        const bool eof = ec == asio::error::eof || (!ec && n == 0);
        if (!in_.empty() && reading_ && eof) {  // the peer stopped mid-frame
          ++server_.counters_.frames_malformed;
          Queue(FramedError(0, v1::MALFORMED_FRAME, "frame",
                            "the connection closed after " + std::to_string(in_.size()) +
                                " bytes of an unfinished frame"));
        }
        break;
      }
      in_.append(chunk_.data(), n);
    }
    // Peer closed, framing broke, or draining: answer what was accepted, then close.
    reading_ = false;
    closing_ = true;
    if (!timed_out_) SetDeadline(Clock::time_point::max(), false);
    write_wake_.cancel();
  }

  // The framing broke: the error reply is queued. Let the writer send it and
  // then a FIN, and read and drop what the client still sends, so that
  // closing does not reset the connection and lose the reply on the way.
  asio::awaitable<void> DiscardThenClose() {
    discarding_ = true;
    closing_ = true;
    write_wake_.cancel();
    timed_out_ = true;  // the watchdog closes at the deadline, whatever happens
    SetDeadline(Clock::now() + Ms(limits::kDiscardAfterBadFrameMsMax), true);
    boost::system::error_code ec;
    std::size_t dropped = 0;
    while (!closed_ && dropped < limits::kDiscardAfterBadFrameBytesMax) {
      const std::size_t n = co_await socket_.async_read_some(
          asio::buffer(chunk_), asio::redirect_error(asio::use_awaitable, ec));
      if (ec || n == 0) break;
      dropped += n;
    }
    Close();
  }

  // Hands every complete frame in in_ to the handler, up to the in-flight
  // limit. False when the framing is broken (an error is queued).
  bool ProcessFrames() {
    std::size_t pos = 0;
    bool ok = true;
    while (!Saturated()) {
      const std::string_view view = std::string_view(in_).substr(pos);
      const FrameHeader h = ParseFrameHeader(view, limits::kFrameBytesMax);
      if (h.status == FrameStatus::kNeedMore) break;
      if (h.status == FrameStatus::kOversized) {
        ++server_.counters_.frames_oversized;
        Queue(FramedError(0, v1::OVERSIZED_FRAME, "frame",
                          "frame of " + std::to_string(h.body_bytes) + " bytes; at most " +
                              std::to_string(limits::kFrameBytesMax) + " allowed"));
        ok = false;
        break;
      }
      v1::Request request;
      if (h.status == FrameStatus::kMalformed ||
          !request.ParseFromArray(view.data() + h.prefix_bytes, static_cast<int>(h.body_bytes))) {
        ++server_.counters_.frames_malformed;
        Queue(FramedError(0, v1::MALFORMED_FRAME, "frame",
                          "the bytes are not a length-delimited loyalty.v1.Request"));
        ok = false;
        break;
      }
      pos += h.prefix_bytes + h.body_bytes;
      Dispatch(std::move(request));
    }
    in_.erase(0, ok ? pos : in_.size());
    if (pos > 0) deadline_is_read_ = false;  // a frame completed: the next one's clock restarts
    return ok;
  }

  void Dispatch(v1::Request request) {
    ++inflight_;
    ++server_.counters_.requests;
    auto self = shared_from_this();
    asio::io_context* io = &server_.io_;
    server_.handler_.Handle(std::move(request), [self, io](std::string reply) {
      // Answered at once on this thread (a hot lookup, a refusal): no post.
      if (io->get_executor().running_in_this_thread()) {
        self->Deliver(std::move(reply));
        return;
      }
      asio::post(*io, [self, r = std::move(reply)]() mutable { self->Deliver(std::move(r)); });
    });
  }

  void Deliver(std::string reply) {
    --inflight_;
    std::string framed;
    AppendFrame(framed, reply);
    Queue(std::move(framed));
    read_wake_.cancel();
  }

  // Owes the client too much already: stop reading until it takes replies.
  bool Saturated() const {
    return inflight_ >= server_.options_.inflight_max ||
           out_bytes_ > server_.options_.reply_bytes_queued_max;
  }

  void Sent(std::size_t bytes) {
    out_bytes_ -= bytes;
    read_wake_.cancel();  // reading may resume
  }

  void Queue(std::string framed) {
    out_bytes_ += framed.size();
    out_.push_back(std::move(framed));
    if (!reading_chunk_) write_wake_.cancel();  // else WriteNow follows the chunk
  }

  // After a read chunk: what its requests were answered with at once goes out
  // in one non-blocking write, without waking the writer. What does not fit
  // is left to the writer, in order.
  void WriteNow() {
    if (out_.empty() || writing_ || closed_) return;
    std::string batch;
    for (std::string& s : out_) batch += s;
    out_.clear();
    boost::system::error_code ec;
    const std::size_t n = socket_.write_some(asio::buffer(batch), ec);
    Sent(ec ? 0 : n);
    if (n < batch.size()) {
      out_.push_front(batch.substr(ec ? 0 : n));
      write_wake_.cancel();
    }
  }

  asio::awaitable<void> WriteLoop() {
    boost::system::error_code ec;
    std::string batch;
    while (!closed_) {
      if (out_.empty()) {
        if (closing_ && inflight_ == 0) break;
        co_await Wait(write_wake_);
        continue;
      }
      batch.clear();
      while (!out_.empty()) {
        batch += out_.front();
        out_.pop_front();
      }
      writing_ = true;
      co_await asio::async_write(socket_, asio::buffer(batch),
                                 asio::redirect_error(asio::use_awaitable, ec));
      writing_ = false;
      Sent(batch.size());
      if (ec) break;
    }
    if (discarding_ && !ec && !closed_) {  // the reader closes once the client is done
      socket_.shutdown(tcp::socket::shutdown_send, ec);
      co_return;
    }
    Close();
  }

  asio::awaitable<void> Watchdog() {
    boost::system::error_code ec;
    while (!closed_) {
      watchdog_.expires_at(deadline_);
      co_await watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (closed_) break;
      const auto now = Clock::now();
      if (deadline_ > now) continue;
      if (!deadline_is_read_ && inflight_ > 0) {  // idle, but replies are owed
        deadline_ = now + Ms(server_.options_.idle_timeout_ms);
        continue;
      }
      if (timed_out_) {  // the explanation had its second to go out
        Close();
        continue;
      }
      ++server_.counters_.timeouts;
      if (!deadline_is_read_) {
        Close();
        continue;
      }
      // A frame begun and not finished: say why, then close (after 1 s at most).
      timed_out_ = true;
      Queue(FramedError(
          0, v1::MALFORMED_FRAME, "frame",
          "frame not finished within " + std::to_string(server_.options_.read_timeout_ms) + " ms"));
      StopReading();
      closing_ = true;
      deadline_ = now + Ms(1000);
    }
  }

  void SetDeadline(Clock::time_point at, bool is_read) {
    const bool earlier = at < deadline_;
    deadline_ = at;
    deadline_is_read_ = is_read;
    if (earlier) watchdog_.cancel();  // re-arm sooner
  }

  Server& server_;
  tcp::socket socket_;
  std::array<char, 4096> chunk_{};
  std::string in_;               // received bytes not yet handed on
  std::deque<std::string> out_;  // framed replies not yet written
  std::size_t inflight_ = 0;
  bool reading_ = true;
  bool closing_ = false;  // close once everything owed is written
  bool closed_ = false;
  bool writing_ = false;
  bool reading_chunk_ = false;  // handing a read chunk's frames on (see WriteNow)
  bool discarding_ = false;     // broken framing: dropping input until close
  std::size_t out_bytes_ = 0;   // replies queued or being written
  Clock::time_point deadline_ = Clock::time_point::max();
  bool deadline_is_read_ = false;
  bool timed_out_ = false;
  asio::steady_timer read_wake_;
  asio::steady_timer write_wake_;
  asio::steady_timer watchdog_;
};

Server::Server(asio::io_context& io, ServerOptions options, RequestHandler& handler)
    : io_(io), options_(std::move(options)), handler_(handler), acceptor_(io) {}

Server::~Server() {
  for (auto& s : std::list<std::shared_ptr<Session>>(sessions_)) s->Close();
}

Status Server::Listen() {
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec)
    return Status::Invalid("listen address " + where + ": '" + options_.host +
                           "' is not an IP address");
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IoError("listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  return Status::Ok();
}

void Server::Start() {
  asio::co_spawn(
      io_,
      [this]() -> asio::awaitable<void> {
        boost::system::error_code ec;
        asio::steady_timer backoff(io_);
        while (!draining_) {
          tcp::socket socket =
              co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
          if (draining_) break;
          if (ec) {  // e.g. out of file descriptors: pause instead of spinning
            backoff.expires_after(Ms(50));
            co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
          }
          if (sessions_.size() >= options_.connections_max) {
            ++counters_.connections_refused;
            const std::string refusal = FramedError(0, v1::OVERLOADED, "connection",
                                                    "the server is at its limit of " +
                                                        std::to_string(options_.connections_max) +
                                                        " connections; retry later");
            asio::write(socket, asio::buffer(refusal), ec);
            socket.close(ec);
            continue;
          }
          socket.set_option(tcp::no_delay(true), ec);
          ++counters_.connections_accepted;
          auto session = std::make_shared<Session>(*this, std::move(socket));
          sessions_.push_back(session);
          session->position = std::prev(sessions_.end());
          session->Start();
        }
      },
      asio::detached);
}

void Server::Forget(Session* session) { sessions_.erase(session->position); }

void Server::Drain(std::function<void()> done) {
  draining_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& s : sessions_) s->StopReading();
  asio::co_spawn(
      io_,
      [this, done = std::move(done)]() -> asio::awaitable<void> {
        boost::system::error_code ec;
        asio::steady_timer tick(io_);
        const auto deadline = Clock::now() + Ms(options_.drain_timeout_ms);
        while (Clock::now() < deadline) {
          bool quiet = true;
          for (auto& s : sessions_) quiet = quiet && s->quiet();
          if (quiet) break;
          tick.expires_after(Ms(5));
          co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        for (auto& s : std::list<std::shared_ptr<Session>>(sessions_)) s->Close();
        done();
      },
      asio::detached);
}

}  // namespace loyalty::net
