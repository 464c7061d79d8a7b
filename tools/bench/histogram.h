// A log-linear latency histogram (HdrHistogram's idea, small): exact below
// 64 ns, then 32 sub-buckets per power of two, so any recorded value is known
// to within about 3%. Fixed memory; Record is O(1).
#pragma once

#include <array>
#include <cstdint>

namespace loyalty::bench {

class Histogram {
 public:
  void Record(uint64_t nanos);
  void Merge(const Histogram& other);
  uint64_t count() const { return count_; }
  // The value at quantile q (0..1), in nanoseconds (upper edge of its bucket).
  uint64_t Quantile(double q) const;
  double MeanNanos() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }
  uint64_t MaxNanos() const { return max_; }

 private:
  static constexpr int kSubBits = 5;
  static constexpr int kBuckets = (64 - kSubBits) * (1 << kSubBits) + 64;
  static int IndexOf(uint64_t v);
  static uint64_t UpperEdge(int index);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

}  // namespace loyalty::bench
