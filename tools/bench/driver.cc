#include "tools/bench/driver.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <utility>  // before Asio (Boost 1.74)
#include <vector>

#include "adapters/net/framing.h"
#include "engine/limits.h"

namespace loyalty::bench {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Pending {
  Clock::time_point intended;
  Kind kind;
  SentPurchase sent;  // purchases: what a later return needs
};

// One connection: TLS over TCP when `tls`, else the TCP socket under it alone.
struct Conn {
  Conn(asio::io_context& io, asio::ssl::context& ssl, bool tls) : stream(io, ssl), tls(tls) {}
  asio::ssl::stream<tcp::socket> stream;
  const bool tls;
  tcp::socket& socket() { return stream.next_layer(); }
  std::string in;  // read, not yet parsed
  std::string pending_out, writing_out;
  bool writing = false;
  std::unordered_map<uint64_t, Pending> inflight;
  bool dead = false;
};

class Phase {
 public:
  Phase(const PhaseOptions& o, Workload& w) : o_(o), w_(w) {}

  PhaseResult Run() {
    if (!o_.ca_file.empty()) {
      boost::system::error_code ec;
      ssl_.set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      ssl_.load_verify_file(o_.ca_file, ec);
      if (ec) {
        result_.failed = o_.connections;
        result_.connect_error = "cannot load the CA file " + o_.ca_file + ": " + ec.message();
        return result_;
      }
    }
    for (std::size_t i = 0; i < o_.connections; ++i) {
      auto c = std::make_unique<Conn>(io_, ssl_, !o_.ca_file.empty());
      if (const std::string why = Open(*c, i); !why.empty()) {
        result_.failed += 1;
        if (result_.connect_error.empty()) result_.connect_error = why;
        continue;
      }
      conns_.push_back(std::move(c));
    }
    if (conns_.empty()) return result_;
    start_ = Clock::now();
    end_ = start_ + std::chrono::microseconds(static_cast<int64_t>(o_.seconds * 1e6));
    for (auto& c : conns_) asio::co_spawn(io_, Reader(*c), asio::detached);
    if (o_.open_loop) {
      asio::co_spawn(io_, Pacer(), asio::detached);
    } else {
      for (auto& c : conns_) {
        for (std::size_t d = 0; d < o_.depth; ++d) SendNext(*c, Clock::now());
        Flush(*c);
      }
    }
    asio::co_spawn(io_, Finisher(), asio::detached);
    io_.run();
    result_.seconds = std::chrono::duration<double>(last_reply_ - start_).count();
    return result_;
  }

 private:
  // Connects; then the TLS handshake and the Hello when asked. Blocking: all
  // connections are open before the clock starts. Empty, or why it failed.
  std::string Open(Conn& c, std::size_t index) {
    boost::system::error_code ec;
    c.socket().connect(tcp::endpoint(asio::ip::make_address(o_.host), o_.port), ec);
    if (ec) return "connect: " + ec.message();
    c.socket().set_option(tcp::no_delay(true), ec);
    if (c.tls) {
      c.stream.set_verify_mode(asio::ssl::verify_peer);
      c.stream.set_verify_callback(asio::ssl::host_name_verification(o_.server_name));
      SSL_set_tlsext_host_name(c.stream.native_handle(), o_.server_name.c_str());
      c.stream.handshake(asio::ssl::stream_base::client, ec);
      if (ec) return "TLS handshake: " + ec.message();
    }
    if (o_.credentials.empty()) return "";
    return Hello(c, o_.credentials[index % o_.credentials.size()]);
  }

  // Request{request_id: 1, hello}, then the Welcome (spec of issue 12).
  std::string Hello(Conn& c, const Credential& credential) {
    v1::Request hello;
    hello.set_request_id(1);
    hello.mutable_hello()->set_key_id(credential.key_id);
    hello.mutable_hello()->set_secret(credential.secret);
    hello.mutable_hello()->set_client("loyalty-bench");
    std::string frame;
    net::AppendFrame(frame, hello.SerializeAsString());
    boost::system::error_code ec;
    if (c.tls) {
      asio::write(c.stream, asio::buffer(frame), ec);
    } else {
      asio::write(c.socket(), asio::buffer(frame), ec);
    }
    if (ec) return "sending the Hello: " + ec.message();
    std::array<char, 4096> chunk;
    while (true) {
      const auto h = net::ParseFrameHeader(c.in, limits::kFrameBytesMax);
      if (h.status == net::FrameStatus::kComplete) {
        v1::Reply reply;
        const bool parsed =
            reply.ParseFromArray(c.in.data() + h.prefix_bytes, static_cast<int>(h.body_bytes));
        c.in.erase(0, h.prefix_bytes + h.body_bytes);
        if (parsed && reply.has_welcome()) return "";
        return "the Hello of " + credential.key_id +
               " was refused: " + (parsed ? reply.ShortDebugString() : "unreadable reply");
      }
      if (h.status != net::FrameStatus::kNeedMore) return "the Welcome is not a frame";
      const std::size_t n = c.tls ? c.stream.read_some(asio::buffer(chunk), ec)
                                  : c.socket().read_some(asio::buffer(chunk), ec);
      if (ec) return "waiting for the Welcome: " + ec.message();
      c.in.append(chunk.data(), n);
    }
  }

  bool Sending() const {
    if (o_.fill_customers > 0) return filled_ < o_.fill_customers;
    return Clock::now() < end_;
  }

  void SendNext(Conn& c, Clock::time_point intended) {
    if (!Sending() || c.dead) return;
    Kind kind = Kind::kPurchase;
    Pending p{intended, kind, {}};
    ++next_id_;
    c.pending_out += o_.fill_customers > 0 ? w_.PurchaseFrame(next_id_, filled_++, &p.sent)
                                           : w_.NextFrame(next_id_, &kind, &p.sent);
    p.kind = kind;
    c.inflight.emplace(next_id_, std::move(p));
    result_.sent += 1;
  }

  void Flush(Conn& c) {
    if (c.writing || c.pending_out.empty() || c.dead) return;
    c.writing = true;
    std::swap(c.writing_out, c.pending_out);
    c.pending_out.clear();
    auto done = [this, &c](const boost::system::error_code& ec, std::size_t) {
      c.writing = false;
      if (ec) {
        c.dead = true;
        return;
      }
      Flush(c);
    };
    if (c.tls) {
      asio::async_write(c.stream, asio::buffer(c.writing_out), std::move(done));
    } else {
      asio::async_write(c.socket(), asio::buffer(c.writing_out), std::move(done));
    }
  }

  void OnReply(Conn& c, const v1::Reply& reply) {
    auto it = c.inflight.find(reply.request_id());
    if (it == c.inflight.end()) return;
    const auto now = Clock::now();
    last_reply_ = now;
    const auto nanos = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - it->second.intended).count());
    result_.answered += 1;
    result_.all.Record(nanos);
    result_.by_kind[static_cast<int>(it->second.kind)].Record(nanos);
    if (reply.has_error()) {
      result_.errors += 1;
      result_.outcomes[v1::ErrorCode_Name(reply.error().code())] += 1;
    } else if (reply.has_decision()) {
      result_.outcomes[v1::Outcome_Name(reply.decision().outcome())] += 1;
      if (it->second.kind == Kind::kPurchase && reply.decision().outcome() == v1::APPLIED) {
        w_.Acknowledged(std::move(it->second.sent));
      }
    } else {
      result_.outcomes["PROFILE"] += 1;
    }
    c.inflight.erase(it);
    if (!o_.open_loop) SendNext(c, Clock::now());
  }

  asio::awaitable<void> Reader(Conn& c) {
    std::string& in = c.in;
    std::array<char, 65536> chunk;
    boost::system::error_code ec;
    while (!c.dead) {
      std::size_t n = 0;
      if (c.tls) {
        n = co_await c.stream.async_read_some(asio::buffer(chunk),
                                              asio::redirect_error(asio::use_awaitable, ec));
      } else {
        n = co_await c.socket().async_read_some(asio::buffer(chunk),
                                                asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ec) break;
      in.append(chunk.data(), n);
      std::size_t pos = 0;
      while (true) {
        const auto h =
            net::ParseFrameHeader(std::string_view(in).substr(pos), limits::kFrameBytesMax);
        if (h.status != net::FrameStatus::kComplete) break;
        v1::Reply reply;
        if (reply.ParseFromArray(in.data() + pos + h.prefix_bytes,
                                 static_cast<int>(h.body_bytes))) {
          OnReply(c, reply);
        }
        pos += h.prefix_bytes + h.body_bytes;
      }
      in.erase(0, pos);
      Flush(c);  // one write for every request the replies above released
    }
    c.dead = true;
  }

  asio::awaitable<void> Pacer() {
    asio::steady_timer timer(io_);
    boost::system::error_code ec;
    const auto gap = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / o_.rate));
    auto next = start_;
    std::size_t rr = 0;
    while (next < end_) {
      while (next <= Clock::now() && next < end_) {
        SendNext(*conns_[rr++ % conns_.size()], next);
        next += gap;
      }
      for (auto& c : conns_) Flush(*c);
      timer.expires_at(next);
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // Ends the phase once sending stopped and every reply is in (or 10 s later).
  asio::awaitable<void> Finisher() {
    asio::steady_timer timer(io_);
    boost::system::error_code ec;
    Clock::time_point grace_end = Clock::time_point::max();
    while (true) {
      timer.expires_after(std::chrono::milliseconds(5));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      std::size_t open = 0;
      for (auto& c : conns_) open += c->dead ? 0 : c->inflight.size();
      if (Sending()) continue;
      if (grace_end == Clock::time_point::max())
        grace_end = Clock::now() + std::chrono::seconds(10);
      if (open == 0 || Clock::now() > grace_end) break;
    }
    for (auto& c : conns_) {
      result_.failed += c->inflight.size();
      c->socket().close(ec);
    }
    io_.stop();
  }

  const PhaseOptions& o_;
  Workload& w_;
  asio::io_context io_{1};
  asio::ssl::context ssl_{asio::ssl::context::tls_client};
  std::vector<std::unique_ptr<Conn>> conns_;
  PhaseResult result_;
  Clock::time_point start_, end_, last_reply_;
  uint64_t next_id_ = 0;
  std::size_t filled_ = 0;
};

}  // namespace

PhaseResult RunPhase(const PhaseOptions& options, Workload& workload) {
  return Phase(options, workload).Run();
}

}  // namespace loyalty::bench
