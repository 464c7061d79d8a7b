#include "adapters/redis/connection.h"

#include <hiredis.h>
#include <signal.h>

#include <charconv>

namespace loyalty::redis {
namespace {

timeval ToTimeval(int64_t ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = Reply::Type::kString; break;
    case REDIS_REPLY_STATUS: out.type = Reply::Type::kStatus; break;
    case REDIS_REPLY_ERROR: out.type = Reply::Type::kError; break;
    case REDIS_REPLY_INTEGER: out.type = Reply::Type::kInteger; break;
    case REDIS_REPLY_ARRAY: out.type = Reply::Type::kArray; break;
    default: out.type = Reply::Type::kNil; break;
  }
  if (r->str != nullptr) out.str.assign(r->str, r->len);
  out.integer = r->integer;
  for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
  return out;
}

void BlockSigpipeOnThisThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

Result<Endpoint> ParseEndpoint(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  Endpoint e;
  if (colon == std::string::npos || colon == 0) {
    return Status::Invalid("redis address '" + text + "' is not HOST:PORT");
  }
  e.host = text.substr(0, colon);
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, e.port);
  if (ec != std::errc() || ptr != end || e.port < 1 || e.port > 65535) {
    return Status::Invalid("redis address '" + text + "': the port must be 1..65535");
  }
  return e;
}

Result<std::unique_ptr<Connection>> Connection::Open(const Endpoint& endpoint,
                                                     int64_t connect_timeout_ms,
                                                     int64_t command_timeout_ms) {
  BlockSigpipeOnThisThread();
  redisContext* c =
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, ToTimeval(connect_timeout_ms));
  if (c == nullptr) return Status::IoError("redis " + endpoint.ToString() + ": out of memory");
  if (c->err != 0 || redisSetTimeout(c, ToTimeval(command_timeout_ms)) != REDIS_OK) {
    Status s = Status::IoError("redis " + endpoint.ToString() + ": connect: " + c->errstr);
    redisFree(c);
    return s;
  }
  return std::unique_ptr<Connection>(new Connection(c, endpoint));
}

Connection::Connection(redisContext* context, Endpoint endpoint)
    : context_(context), endpoint_(std::move(endpoint)) {}

Connection::~Connection() { redisFree(context_); }

void Connection::Append(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  // Only fails on out of memory, which the next Read reports.
  (void)redisAppendCommandArgv(context_, static_cast<int>(argv.size()), args.data(), lens.data());
}

Result<Reply> Connection::Read() {
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return Broken("read");
  redisReply* r = static_cast<redisReply*>(raw);
  Reply out = Convert(r);
  freeReplyObject(r);
  return out;
}

Result<Reply> Connection::Command(const std::vector<std::string>& argv) {
  Append(argv);
  return Read();
}

Status Connection::Broken(const std::string& doing) const {
  const std::string why = context_->err != 0 ? context_->errstr : "no reply";
  return Status::IoError("redis " + endpoint_.ToString() + ": " + doing + ": " + why);
}

}  // namespace loyalty::redis
