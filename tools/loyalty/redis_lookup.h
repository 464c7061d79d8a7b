// `loyalty lookup --via-redis`: reads a card's profile snapshot straight
// from Redis, as the web shop or a kiosk would, without touching loyaltyd,
// and prints it like a lookup answered by the server (text, or --json with
// "source": "redis" and the snapshot's "as_of_ms" added).
#pragma once

#include <cstdint>
#include <string>

namespace loyalty::cli {

struct RedisLookup {
  std::string address = "127.0.0.1:6379";  // HOST:PORT
  std::string key_prefix = "loyalty:";
  std::string card;
  int64_t timeout_ms = 5000;
  bool json = false;
};

// Exit codes as for other commands: 0 a profile, 1 no snapshot for the card
// (unknown, expired or not published yet), 2 a bad address, 3 Redis could not
// be reached or answered something unreadable.
int LookupViaRedis(const RedisLookup& lookup);

}  // namespace loyalty::cli
