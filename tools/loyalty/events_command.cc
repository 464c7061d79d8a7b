#include "tools/loyalty/events_command.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "adapters/redis/connection.h"
#include "tools/loyalty/admin_call.h"

namespace loyalty::cli {
namespace {

using Json = nlohmann::json;

std::string Text(const Json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "-";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

void PrintStatus(const Json& s) {
  if (!s.value("configured", false)) {
    std::cout << "events out: not configured (webhook_url or events_redis_stream)\n";
    return;
  }
  std::cout << "events out: " << Text(s, "staged") << " staged, " << Text(s, "backlog")
            << " waiting, " << Text(s, "delivered") << " delivered since start, "
            << Text(s, "failures") << " failed deliveries, " << s["dead_letters"].size()
            << (s["dead_letters"].size() == 1 ? " dead letter" : " dead letters") << "\n";
  if (!s["last_error"].is_null()) std::cout << "last error: " << Text(s, "last_error") << "\n";
}

void PrintDeadLetters(const Json& s) {
  if (s["dead_letters"].empty()) {
    std::cout << "no dead letters\n";
    return;
  }
  for (const Json& d : s["dead_letters"]) {
    std::cout << Text(d, "at") << "  " << Text(d, "type") << "  " << Text(d, "id") << "  "
              << Text(d, "tries") << (d.value("tries", 0) == 1 ? " try" : " tries") << "  "
              << Text(d, "error") << "\n";
  }
}

// One line an event: when, type, whose, id; --json: the CloudEvent itself.
int Tail(const EventsOptions& o) {
  auto endpoint = redis::ParseEndpoint(o.redis);
  if (!endpoint.ok()) {
    std::cerr << "loyalty: --redis: " << endpoint.status().message() << "\n";
    return 1;
  }
  auto c = redis::Connection::Open(*endpoint, 1'000, 5'000);
  if (!c.ok()) {
    std::cerr << "loyalty: " << o.redis << ": " << c.status().message() << "\n";
    return 3;
  }
  std::string after = o.from_start ? "0" : "$";
  std::size_t shown = 0;
  while (o.count == 0 || shown < o.count) {
    (*c)->Append({"XREAD", "COUNT", "100", "BLOCK", "1000", "STREAMS", o.stream, after});
    auto reply = (*c)->Read();
    if (!reply.ok() || reply->IsError()) {
      std::cerr << "loyalty: " << o.redis << ": "
                << (reply.ok() ? reply->str : reply.status().message()) << "\n";
      return 3;
    }
    if (reply->type != redis::Reply::Type::kArray) continue;  // nothing new within a second
    for (const redis::Reply& entry : reply->elements.at(0).elements.at(1).elements) {
      after = entry.elements.at(0).str;
      const auto& fields = entry.elements.at(1).elements;
      for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str != "event") continue;
        const Json e = Json::parse(fields[i + 1].str, nullptr, false);
        if (o.json || e.is_discarded()) {
          std::cout << fields[i + 1].str << "\n";
        } else {
          std::cout << Text(e, "time") << "  " << Text(e, "type") << "  " << Text(e, "subject")
                    << "  " << Text(e, "id") << "\n";
        }
      }
      std::cout.flush();
      if (++shown == o.count) break;
    }
  }
  return 0;
}

}  // namespace

void AddEventsCommands(CLI::App& app, EventsOptions& o) {
  auto* events = app.add_subcommand("events", "events out: their state and dead letters");
  auto common = [&](CLI::App* cmd) {
    cmd->add_option("--admin", o.admin,
                    "HOST:PORT of loyaltyd's admin API (default 127.0.0.1:7071)");
    cmd->add_option("--token", o.token, "bearer token (default: $LOYALTY_ADMIN_TOKEN)");
    return cmd;
  };
  o.status = common(events->add_subcommand("status", "staged, waiting, delivered, failing"));
  o.dead_letters = common(events->add_subcommand("dead-letters", "the events given up on"));
  o.dead_letters->add_option("--limit", o.limit, "at most this many, oldest first (default 50)")
      ->check(CLI::Range(1, 1000));
  o.redeliver =
      common(events->add_subcommand("redeliver", "every dead letter back into the outbox (admin)"));
  o.redeliver->alias("replay");
  o.tail = events->add_subcommand(
      "tail", "follow the events in the Redis stream (events_redis_stream), one line each");
  o.tail->add_option("--redis", o.redis, "HOST:PORT of Redis (default 127.0.0.1:6379)");
  o.tail->add_option("--stream", o.stream, "the stream's key (loyaltyd's events_redis_stream)")
      ->required();
  o.tail->add_flag("--from-start", o.from_start, "from the oldest event kept, not from now");
  o.tail->add_option("--count", o.count, "stop after this many events (default: follow)");
  events->require_subcommand(1);
}

int RunEvents(const EventsOptions& o) {
  if (o.tail->parsed()) return Tail(o);
  http::ClientRequest req;
  if (o.status->parsed()) {
    req = AdminRequest("GET", "/v1/events/out?limit=1000", o.token, o.timeout_ms);
  } else if (o.dead_letters->parsed()) {
    req = AdminRequest("GET", "/v1/events/out?limit=" + std::to_string(o.limit), o.token,
                       o.timeout_ms);
  } else if (o.redeliver->parsed()) {
    req = AdminRequest("POST", "/v1/events/out/redeliver", o.token, o.timeout_ms);
  } else {
    return -1;
  }
  auto reply = http::Call(o.admin, req);
  if (!reply.ok()) {
    std::cerr << "loyalty: " << o.admin << ": " << reply.status().message() << "\n";
    return 3;
  }
  const Json s = Json::parse(reply->body, nullptr, false);
  if (o.json || s.is_discarded()) {
    std::cout << reply->body;
  } else if (reply->status >= 400) {
    std::cout << "refused (" << reply->status << " " << Text(s, "code")
              << "): " << Text(s, "message") << "\n";
  } else if (o.status->parsed()) {
    PrintStatus(s);
  } else if (o.dead_letters->parsed()) {
    PrintDeadLetters(s);
  } else {
    const int64_t n = s.value("redelivered", 0);
    std::cout << "redelivered " << n << (n == 1 ? " dead letter" : " dead letters") << "\n";
  }
  return reply->status >= 400 ? 1 : 0;
}

}  // namespace loyalty::cli
