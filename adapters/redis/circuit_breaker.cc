#include "adapters/redis/circuit_breaker.h"

#include <algorithm>

namespace loyalty::redis {

CircuitBreaker::CircuitBreaker(BreakerOptions options)
    : options_(options), backoff_ms_(options.backoff_initial_ms) {}

bool CircuitBreaker::AllowAttempt(int64_t now_ms) {
  if (state_ == State::kOpen && now_ms >= retry_at_ms_) state_ = State::kHalfOpen;
  return state_ != State::kOpen;
}

void CircuitBreaker::OnSuccess() {
  state_ = State::kClosed;
  failures_ = 0;
  backoff_ms_ = options_.backoff_initial_ms;
}

void CircuitBreaker::OnFailure(int64_t now_ms) {
  if (state_ == State::kHalfOpen) {
    Open(now_ms);
    return;
  }
  if (state_ == State::kClosed && ++failures_ >= options_.failures_max) Open(now_ms);
}

void CircuitBreaker::Open(int64_t now_ms) {
  state_ = State::kOpen;
  retry_at_ms_ = now_ms + backoff_ms_;
  backoff_ms_ = std::min(backoff_ms_ * 2, options_.backoff_max_ms);
}

}  // namespace loyalty::redis
