// TokenBucket: at most `burst` at once, refilled at `per_second`. The caller
// passes the time, so tests need no clock. Not thread-safe (the server's io
// thread owns every bucket).
#pragma once

#include <algorithm>
#include <cstdint>

namespace loyalty::net {

class TokenBucket {
 public:
  TokenBucket(int64_t per_second, int64_t burst, int64_t now_ms)
      : per_second_(per_second), burst_(burst), tokens_milli_(burst * 1000), at_ms_(now_ms) {}

  // Takes a token if there is one. Else false, and `retry_after_ms` says
  // when the next one comes.
  bool Take(int64_t now_ms, int64_t* retry_after_ms) {
    if (now_ms > at_ms_) {
      tokens_milli_ = std::min(burst_ * 1000, tokens_milli_ + (now_ms - at_ms_) * per_second_);
      at_ms_ = now_ms;
    }
    if (tokens_milli_ >= 1000) {
      tokens_milli_ -= 1000;
      return true;
    }
    *retry_after_ms = (1000 - tokens_milli_ + per_second_ - 1) / per_second_;
    return false;
  }

 private:
  int64_t per_second_;
  int64_t burst_;
  int64_t tokens_milli_;  // thousandths of a token: whole milliseconds refill exactly
  int64_t at_ms_;
};

}  // namespace loyalty::net
