#include "tools/report/pareto.h"

#include <algorithm>
#include <cmath>

namespace loyalty::report {
namespace {

// The Lorenz curve over customers sorted by revenue, ascending: cumulative[i]
// is the revenue of the poorest i customers.
class Lorenz {
 public:
  explicit Lorenz(const std::vector<int64_t>& ascending) : cumulative_(ascending.size() + 1) {
    for (std::size_t i = 0; i < ascending.size(); ++i) {
      cumulative_[i + 1] = cumulative_[i] + ascending[i];
    }
  }

  // Revenue of the poorest fraction p (0..1) of customers, interpolated.
  double RevenueAt(double p) const {
    const std::size_t n = cumulative_.size() - 1;
    const double x = std::clamp(p, 0.0, 1.0) * static_cast<double>(n);
    const auto whole = static_cast<std::size_t>(std::floor(x));
    if (whole >= n) return static_cast<double>(cumulative_[n]);
    const double part = x - static_cast<double>(whole);
    return static_cast<double>(cumulative_[whole]) +
           part * static_cast<double>(cumulative_[whole + 1] - cumulative_[whole]);
  }
  double ShareAt(double p) const {
    const double total = static_cast<double>(cumulative_.back());
    return total > 0 ? RevenueAt(p) / total : 0;
  }
  // Area under L for the gini: the trapezoids between customers.
  double Area() const {
    const std::size_t n = cumulative_.size() - 1;
    const double total = static_cast<double>(cumulative_.back());
    if (n == 0 || total <= 0) return 0.5;
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sum += static_cast<double>(cumulative_[i] + cumulative_[i + 1]) / 2;
    }
    return sum / (static_cast<double>(n) * total);
  }

 private:
  std::vector<int64_t> cumulative_;
};

}  // namespace

ParetoReport ComputePareto(std::vector<int64_t> revenue_minor) {
  std::sort(revenue_minor.begin(), revenue_minor.end());
  ParetoReport r;
  r.customers = revenue_minor.size();
  const Lorenz lorenz(revenue_minor);
  for (int64_t v : revenue_minor) r.revenue_minor += v;
  if (r.customers == 0 || r.revenue_minor <= 0) return r;

  r.top20_share_percent = 100 * (1 - lorenz.ShareAt(0.8));
  r.bottom20_share_percent = 100 * lorenz.ShareAt(0.2);
  const double bottom = lorenz.RevenueAt(0.2);
  if (bottom > 0) r.top_to_bottom_ratio = (lorenz.RevenueAt(1) - lorenz.RevenueAt(0.8)) / bottom;
  for (int k = 0; k < 10; ++k) {
    const double hi = 1 - k / 10.0;
    const double lo = 1 - (k + 1) / 10.0;
    r.decile_share_percent[k] = 100 * (lorenz.ShareAt(hi) - lorenz.ShareAt(lo));
    r.decile_revenue_minor[k] = std::llround(lorenz.RevenueAt(hi) - lorenz.RevenueAt(lo));
  }
  for (int i = 0; i <= kLorenzPoints; ++i) {
    r.lorenz[i] = lorenz.ShareAt(static_cast<double>(i) / kLorenzPoints);
  }
  r.gini = 1 - 2 * lorenz.Area();
  return r;
}

}  // namespace loyalty::report
