#include "tools/bench/histogram.h"

#include <algorithm>
#include <bit>

namespace loyalty::bench {

int Histogram::IndexOf(uint64_t v) {
  if (v < 64) return static_cast<int>(v);
  const int msb = 63 - std::countl_zero(v);  // >= 6
  const int shift = msb - kSubBits;
  const int sub = static_cast<int>((v >> shift) & ((1 << kSubBits) - 1));
  return 64 + (msb - 6) * (1 << kSubBits) + sub;
}

uint64_t Histogram::UpperEdge(int index) {
  if (index < 64) return static_cast<uint64_t>(index);
  const int msb = (index - 64) / (1 << kSubBits) + 6;
  const int sub = (index - 64) % (1 << kSubBits);
  const int shift = msb - kSubBits;
  const uint64_t low = (uint64_t{1} << msb) | (static_cast<uint64_t>(sub) << shift);
  return low + (uint64_t{1} << shift) - 1;
}

void Histogram::Record(uint64_t nanos) {
  buckets_[static_cast<std::size_t>(IndexOf(nanos))] += 1;
  count_ += 1;
  sum_ += nanos;
  max_ = std::max(max_, nanos);
}

void Histogram::Merge(const Histogram& o) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  count_ += o.count_;
  sum_ += o.sum_;
  max_ = std::max(max_, o.max_);
}

uint64_t Histogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
  uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(UpperEdge(static_cast<int>(i)), max_);
  }
  return max_;
}

}  // namespace loyalty::bench
