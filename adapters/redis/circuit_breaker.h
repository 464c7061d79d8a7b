// CircuitBreaker: decides when the publisher may try Redis again. Pure: the
// caller passes the time, so tests need no clock.
//
//   closed     every attempt allowed; `failures_max` failures in a row open it
//   open       no attempt until the backoff has passed, then half-open
//   half-open  one probe: success closes it (backoff reset), failure opens
//              it again with the backoff doubled (up to backoff_max_ms)
//
// Thread safety: thread-compatible (owned by the publisher thread).
#pragma once

#include <cstdint>

namespace loyalty::redis {

struct BreakerOptions {
  int failures_max = 2;             // consecutive failures that open a closed breaker
  int64_t backoff_initial_ms = 50;  // first wait once open
  int64_t backoff_max_ms = 2000;    // the wait never grows beyond this
};

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  explicit CircuitBreaker(BreakerOptions options);

  // Whether an attempt may be made now; an open breaker whose backoff has
  // passed turns half-open and allows one.
  bool AllowAttempt(int64_t now_ms);
  void OnSuccess();
  void OnFailure(int64_t now_ms);

  State state() const { return state_; }
  int64_t retry_at_ms() const { return retry_at_ms_; }  // meaningful when open
  int64_t backoff_ms() const { return backoff_ms_; }    // the next wait once open

 private:
  void Open(int64_t now_ms);

  BreakerOptions options_;
  State state_ = State::kClosed;
  int failures_ = 0;
  int64_t backoff_ms_;
  int64_t retry_at_ms_ = 0;
};

}  // namespace loyalty::redis
