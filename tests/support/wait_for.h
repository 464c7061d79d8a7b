// Waiting on a condition with a deadline, never sleep-then-assert: true as
// soon as `done` holds, false once `within` has passed without it.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace loyalty::testing {

inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds within,
                    std::chrono::milliseconds poll = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

}  // namespace loyalty::testing
