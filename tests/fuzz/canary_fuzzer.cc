// A fuzz target with two planted bugs, one for each sanitizer, each reached
// by its own seed (corpus/canary/). run.sh runs it and expects each run to
// fail: the proof that a crash or an undefined-behaviour report found by a
// real target fails the test rather than scrolling by.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size >= 4 && std::memcmp(data, "asan", 4) == 0) {
    auto bytes = std::make_unique<uint8_t[]>(size);
    std::memcpy(bytes.get(), data, size);
    return bytes[size];  // heap-buffer-overflow: AddressSanitizer
  }
  if (size >= 5 && std::memcmp(data, "ubsan", 5) == 0) {
    int64_t total = INT64_MAX - 1;
    total += static_cast<int64_t>(size);  // signed overflow: UBSan
    return static_cast<int>(total & 1);
  }
  return 0;
}
