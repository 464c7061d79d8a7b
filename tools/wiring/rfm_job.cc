#include "tools/wiring/rfm_job.h"

#include <algorithm>
#include <chrono>

#include "adapters/rocksdb/key_codec.h"
#include "loyalty/v1/admin_store.pb.h"
#include "tools/wiring/background.h"

namespace loyalty {
namespace {

store::v1::RfmQuantiles Encode(const RfmQuantiles& q, TimeMs computed_ms) {
  store::v1::RfmQuantiles m;
  m.set_as_of_ms(q.as_of_ms);
  m.set_customers(q.customers);
  for (int64_t v : q.recency_days) m.add_recency_days(v);
  for (int64_t v : q.frequency) m.add_frequency(v);
  for (int64_t v : q.monetary_minor) m.add_monetary_minor(v);
  m.set_computed_ms(computed_ms);
  return m;
}

// False when a list does not hold the four cut points.
bool Decode(const store::v1::RfmQuantiles& m, RfmQuantiles* q) {
  if (m.recency_days_size() != 4 || m.frequency_size() != 4 || m.monetary_minor_size() != 4) {
    return false;
  }
  q->as_of_ms = m.as_of_ms();
  q->customers = m.customers();
  for (int k = 0; k < 4; ++k) {
    q->recency_days[k] = m.recency_days(k);
    q->frequency[k] = m.frequency(k);
    q->monetary_minor[k] = m.monetary_minor(k);
  }
  return true;
}

}  // namespace

RfmJob::RfmJob(Store& store, Runtime& runtime, int64_t interval_ms, ClockFn clock, int64_t check_ms)
    : store_(store),
      runtime_(runtime),
      interval_ms_(interval_ms),
      clock_(std::move(clock)),
      check_ms_(check_ms) {}

RfmJob::~RfmJob() { Stop(); }

Result<std::optional<RfmQuantiles>> ReadStoredRfm(const Store& store, TimeMs* computed_ms) {
  auto bytes = store.GetMeta(store_keys::kRfmQuantilesKey);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<RfmQuantiles>();
  store::v1::RfmQuantiles m;
  RfmQuantiles q;
  if (!m.ParseFromString(**bytes) || !Decode(m, &q)) {
    return Status::Corruption("the stored RFM quantiles do not decode");
  }
  if (computed_ms != nullptr) *computed_ms = m.computed_ms();
  return std::optional<RfmQuantiles>(q);
}

Status RfmJob::LoadStored() {
  TimeMs computed_ms = 0;
  auto q = ReadStoredRfm(store_, &computed_ms);
  if (!q.ok()) return q.status();
  if (!q->has_value()) return Status::Ok();
  runtime_.SetRfm(std::make_shared<const RfmQuantiles>(**q));
  computed_ms_ = computed_ms;
  return Status::Ok();
}

Result<RfmQuantiles> RfmJob::Recompute() {
  std::lock_guard run(run_mu_);
  // An event clock (loyaltyd --clock event) reads 0 until the first event:
  // recency is then measured at the latest purchase.
  TimeMs now_ms = clock_();
  const uint64_t events = runtime_.stats().grouped_events;
  std::vector<RfmInput> inputs;
  int64_t points = 0;
  Status s = store_.ForEachCustomer([&](const CustomerState& c) {
    inputs.push_back(RfmInputOf(c));
    points += c.balance();
    now_ms = std::max(now_ms, c.last_purchase_ms);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  const RfmQuantiles q = ComputeRfmQuantiles(inputs, now_ms);
  const std::string bytes = Encode(q, now_ms).SerializeAsString();
  if (s = store_.PutMeta({{store_keys::kRfmQuantilesKey, bytes}}); !s.ok()) return s;
  runtime_.SetRfm(std::make_shared<const RfmQuantiles>(q));
  computed_ms_ = now_ms;
  points_outstanding_ = points;
  events_at_run_ = events;
  customers_at_run_ = q.customers;
  return q;
}

TimeMs RfmJob::computed_ms() const { return computed_ms_.load(); }

void RfmJob::Start() {
  thread_ = std::thread([this] { Loop(); });
}

// A failed run keeps the previous quantiles and is tried again at the next
// check (if the population moved) or interval.
void RfmJob::Loop() {
  YieldToSales();
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::milliseconds(interval_ms_);
  Clock::time_point rested;  // no early run before (engine kRfmRestPerRun)
  const auto run = [&] {
    const auto began = Clock::now();
    (void)Recompute();
    const auto ended = Clock::now();
    rested = ended + (ended - began) * kRfmRestPerRun;
  };
  run();
  auto next_run = Clock::now() + interval;
  uint64_t seen = runtime_.stats().grouped_events;
  const auto check =
      std::chrono::milliseconds(interval_ms_ > 0 ? std::min(check_ms_, interval_ms_) : check_ms_);
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, check, [&] { return stop_; })) {
    lock.unlock();
    const uint64_t events = runtime_.stats().grouped_events;
    const bool quiet = events == seen;
    seen = events;
    const auto now = Clock::now();
    const bool due = interval_ms_ > 0 && now >= next_run;
    if (due || (now >= rested && RfmOutdated(customers_at_run_, events - events_at_run_, quiet))) {
      run();
      next_run = Clock::now() + interval;
    }
    lock.lock();
  }
}

void RfmJob::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace loyalty
