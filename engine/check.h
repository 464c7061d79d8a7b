// LOYALTY_CHECK: a programmer error (a broken invariant) logs where and what,
// then aborts. Never used for bad input: that is a Status or an Outcome.
#pragma once

namespace loyalty::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expression);
}  // namespace loyalty::internal

#define LOYALTY_CHECK(cond)                                                   \
  do {                                                                        \
    if (!(cond)) ::loyalty::internal::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (0)
