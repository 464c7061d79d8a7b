#include "adapters/net/server.h"

#include <malloc.h>

#include <mutex>
#include <vector>

#include "adapters/net/session.h"
#include "adapters/net/tls_context.h"
#include "adapters/net/token_bucket.h"

namespace loyalty::net {

struct Server::Answers {
  using Queue = std::vector<std::pair<std::shared_ptr<Session>, std::string>>;
  explicit Answers(asio::io_context& io) : io(io) {}
  asio::io_context& io;
  std::mutex mu;
  Queue queued;         // guarded by mu
  bool posted = false;  // guarded by mu: a handler will take `queued`
  Queue taking;         // the io thread's
};

struct Server::CredentialUse {
  std::size_t connections = 0;
  TokenBucket lookups;
};

Server::Server(asio::io_context& io, ServerOptions options, RequestHandler& handler)
    : io_(io),
      options_(std::move(options)),
      handler_(handler),
      acceptor_(io),
      answers_(std::make_shared<Answers>(io)) {}

Server::~Server() {
  for (auto& s : std::list<std::shared_ptr<Session>>(sessions_)) s->Close();
}

Status Server::Reload() {
  std::shared_ptr<ssl::context> tls;
  if (!options_.tls_cert_path.empty() || !options_.tls_key_path.empty()) {
    auto made = MakeTlsContext(options_.tls_cert_path, options_.tls_key_path);
    if (!made.ok()) return made.status();
    tls = std::move(made).value();
  }
  auto book = CredentialBook::Load(options_.registers_path);
  if (!book.ok()) return book.status();
  tls_ = std::move(tls);
  credentials_ = std::move(book).value();
  // Connections of a credential revoked, removed or changed end now.
  for (auto& s : std::list<std::shared_ptr<Session>>(sessions_)) {
    if (!s->authenticated()) continue;
    const Credential* c = credentials_->Find(s->key_id());
    if (c == nullptr || c->revoked || c->verifier != s->credential().verifier ||
        c->store_id != s->credential().store_id || c->register_id != s->credential().register_id ||
        c->kind != s->credential().kind) {
      ++counters_.revoked_disconnects;
      s->Close();
    }
  }
  return Status::Ok();
}

Status Server::Listen() {
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec)
    return Status::Invalid("listen address " + where + ": '" + options_.host +
                           "' is not an IP address");
  if (options_.tls_cert_path.empty() && !address.is_loopback()) {
    return Status::Invalid("register_tls is off, which is allowed on a loopback address only; " +
                           where +
                           " is not loopback (registers' points and card numbers would "
                           "cross the network in clear): configure tls_cert and tls_key");
  }
  if (Status s = Reload(); !s.ok()) return s;
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
          socket.set_option(tcp::no_delay(true), ec);
          ++counters_.connections_accepted;
          Admit(std::make_shared<Session>(*this, std::move(socket), tls_));
        }
      },
      asio::detached);
}

// Makes room among the unauthenticated: the oldest of the same address when
// that address is at its bound, else the oldest of the busiest address.
void Server::Admit(std::shared_ptr<Session> session) {
  std::map<asio::ip::address, std::size_t> per_address;
  std::size_t unauthenticated = 0;
  for (auto& s : sessions_) {
    if (s->authenticated()) continue;
    ++unauthenticated;
    ++per_address[s->address()];
  }
  auto evict_oldest_of = [this](const asio::ip::address& a) {
    for (auto& s : sessions_) {  // in accept order: the first is the oldest
      if (!s->authenticated() && s->address() == a) {
        ++counters_.unauthenticated_evicted;
        auto victim = s;  // Close erases it from sessions_
        victim->Close();
        return;
      }
    }
  };
  if (per_address[session->address()] >= options_.unauthenticated_per_address_max) {
    evict_oldest_of(session->address());
  } else if (unauthenticated >= options_.unauthenticated_max) {
    auto busiest = per_address.begin();
    for (auto it = per_address.begin(); it != per_address.end(); ++it) {
      if (it->second > busiest->second) busiest = it;
    }
    evict_oldest_of(busiest->first);
  }
  sessions_.push_back(session);
  session->position = std::prev(sessions_.end());
  sessions_peak_ = std::max(sessions_peak_, sessions_.size());
  session->Start();
}

std::string Server::Authenticated(const Credential& credential) {
  if (authenticated_ >= options_.connections_max) {
    ++counters_.connections_refused;
    return "the server is at its limit of " + std::to_string(options_.connections_max) +
           " register connections; retry later";
  }
  auto& use = uses_[credential.key_id];
  if (!use) {
    use = std::make_unique<CredentialUse>(
        CredentialUse{0, TokenBucket(options_.lookups_per_second, options_.lookup_burst, NowMs())});
  }
  if (use->connections >= options_.connections_per_credential_max) {
    ++counters_.connections_refused;
    return "credential " + credential.key_id + " already holds " +
           std::to_string(use->connections) + " connections, its limit; close one or retry later";
  }
  ++use->connections;
  ++authenticated_;
  return "";
}

bool Server::TakeLookup(const std::string& key_id, int64_t* retry_after_ms) {
  auto it = uses_.find(key_id);
  return it == uses_.end() || it->second->lookups.Take(NowMs(), retry_after_ms);
}

std::size_t Server::ReplyShare() const {
  const std::size_t n = std::max<std::size_t>(1, sessions_.size());
  return std::max(limits::kReplyBytesFloorPerConnection, options_.reply_bytes_total_max / n);
}

void Server::Answered(const std::shared_ptr<Answers>& answers, std::shared_ptr<Session> session,
                      std::string reply) {
  if (answers->io.get_executor().running_in_this_thread()) {
    session->Deliver(std::move(reply));  // a hot lookup, a refusal: no post
    return;
  }
  bool post = false;
  {
    std::lock_guard lock(answers->mu);
    answers->queued.emplace_back(std::move(session), std::move(reply));
    post = !std::exchange(answers->posted, true);
  }
  if (!post) return;
  asio::post(answers->io, [answers] {
    {
      std::lock_guard lock(answers->mu);
      answers->taking.swap(answers->queued);
      answers->posted = false;
    }
    for (auto& [session, reply] : answers->taking) session->Deliver(std::move(reply));
    answers->taking.clear();
  });
}

void Server::Forget(Session* session) {
  if (session->authenticated()) {
    --authenticated_;
    auto it = uses_.find(session->key_id());
    // The lookup bucket stays when the last connection goes: reconnecting
    // must not refill it. Bounded by the credentials in the registers file.
    if (it != uses_.end()) --it->second->connections;
  }
  sessions_.erase(session->position);
  // Many connections went (a flood, clients that did not read): hand the
  // memory their buffers held back to the system.
  if (sessions_peak_ >= 64 && sessions_.size() < sessions_peak_ / 2) {
    sessions_peak_ = sessions_.size();
    malloc_trim(0);
  }
}

void Server::Drain(std::function<void()> done) {
  draining_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& s : std::list<std::shared_ptr<Session>>(sessions_)) s->StopReading();
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
