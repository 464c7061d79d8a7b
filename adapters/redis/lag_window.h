// LagWindow: the most recent `capacity` samples of the publish lag (from the
// commit being offered to Redis acknowledging its snapshot), with
// percentiles over them. Thread safety: thread-compatible.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace loyalty::redis {

class LagWindow {
 public:
  explicit LagWindow(std::size_t capacity = 8192) : capacity_(capacity) {}

  void Add(int64_t us) {
    last_us_ = us;
    ++count_;
    if (samples_.size() < capacity_) {
      samples_.push_back(us);
    } else {
      samples_[next_] = us;
      next_ = (next_ + 1) % capacity_;
    }
  }

  // `permille` 500 = median, 990 = p99; 0 with no samples.
  int64_t Percentile(int permille) const {
    if (samples_.empty()) return 0;
    std::vector<int64_t> sorted = samples_;
    const std::size_t rank = (sorted.size() - 1) * static_cast<std::size_t>(permille) / 1000;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(rank),
                     sorted.end());
    return sorted[rank];
  }

  int64_t last_us() const { return last_us_; }
  uint64_t count() const { return count_; }

 private:
  std::size_t capacity_;
  std::vector<int64_t> samples_;
  std::size_t next_ = 0;
  int64_t last_us_ = 0;
  uint64_t count_ = 0;
};

}  // namespace loyalty::redis
