#include "adapters/http/session.h"

#include <random>

namespace loyalty::http {

std::string RandomHex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device random;  // getrandom(2) / /dev/urandom on Linux
  std::string out;
  for (std::size_t i = 0; i < bytes; i += 4) {
    const uint32_t word = random();
    for (std::size_t k = 0; k < 4 && i + k < bytes; ++k) {
      const unsigned byte = (word >> (8 * k)) & 0xff;
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
  }
  return "";
}

ConsoleSession SessionTable::Create(const Principal& principal, int64_t now_ms) {
  ConsoleSession s{RandomHex(32), RandomHex(32), principal, now_ms, now_ms};
  std::lock_guard lock(mu_);
  ForgetExpired(now_ms);
  while (sessions_.size() >= options_.sessions_max) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.last_ms < oldest->second.last_ms) oldest = it;
    }
    sessions_.erase(oldest);
  }
  sessions_[s.id] = s;
  return s;
}

std::optional<ConsoleSession> SessionTable::Find(std::string_view id, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  ConsoleSession& s = it->second;
  if (now_ms - s.last_ms > options_.idle_ms || now_ms - s.created_ms > options_.lifetime_ms) {
    sessions_.erase(it);
    return std::nullopt;
  }
  s.last_ms = now_ms;
  return s;
}

void SessionTable::Remove(std::string_view id) {
  std::lock_guard lock(mu_);
  if (auto it = sessions_.find(id); it != sessions_.end()) sessions_.erase(it);
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void SessionTable::ForgetExpired(int64_t now_ms) {
  std::erase_if(sessions_, [&](const auto& kv) {
    return now_ms - kv.second.last_ms > options_.idle_ms ||
           now_ms - kv.second.created_ms > options_.lifetime_ms;
  });
}

}  // namespace loyalty::http
