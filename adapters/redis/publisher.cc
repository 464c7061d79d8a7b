#include "adapters/redis/publisher.h"

namespace loyalty::redis {
namespace {

// How long the publisher sleeps when there is nothing to do; bounds how late
// it notices Stop, not how late it sees a commit (commits wake it).
constexpr int64_t kIdleWaitMs = 50;

int64_t MicrosSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t)
      .count();
}

Status Range(const char* name, int64_t value, int64_t lo, int64_t hi) {
  if (value >= lo && value <= hi) return Status::Ok();
  return Status::Invalid(std::string("redis option ") + name + " is " + std::to_string(value) +
                         "; it must be from " + std::to_string(lo) + " to " + std::to_string(hi));
}

}  // namespace

Status ValidateOptions(const PublisherOptions& o) {
  const auto size = [](std::size_t v) { return static_cast<int64_t>(v); };
  for (Status s :
       {Range("connect_timeout_ms", o.connect_timeout_ms, 1, 60'000),
        Range("command_timeout_ms", o.command_timeout_ms, 1, 60'000),
        Range("ttl_s", o.ttl_s, 0, 10LL * 366 * 86'400),
        Range("backlog_max", size(o.backlog_max), 1, 10'000'000),
        Range("batch_max", size(o.batch_max), 1, 10'000),
        Range("dirty_max", size(o.dirty_max), 1, 100'000'000),
        Range("breaker failures_max", o.breaker.failures_max, 1, 1000),
        Range("backoff_initial_ms", o.breaker.backoff_initial_ms, 1, 60'000),
        Range("backoff_max_ms", o.breaker.backoff_max_ms, o.breaker.backoff_initial_ms, 600'000)}) {
    if (!s.ok()) return s;
  }
  if (o.key_prefix.size() > kKeyPrefixBytesMax) {
    return Status::Invalid("redis key prefix is longer than " + std::to_string(kKeyPrefixBytesMax) +
                           " bytes");
  }
  return Status::Ok();
}

Publisher::Publisher(PublisherOptions options, StateSource source, ClockFn clock)
    : options_(std::move(options)),
      source_(std::move(source)),
      clock_(std::move(clock)),
      handoff_(options_.backlog_max, options_.dirty_max, options_.resync_on_start),
      writer_(KeySchema(options_.key_prefix), options_.ttl_s),
      breaker_(options_.breaker) {
  LOYALTY_CHECK(ValidateOptions(options_).ok());
  LOYALTY_CHECK(source_.load && source_.for_each && clock_);
}

Publisher::~Publisher() { Stop(); }

void Publisher::SetView(ProfileView view) {
  LOYALTY_CHECK(!started_);
  source_.view = std::move(view);
}

void Publisher::Start() {
  LOYALTY_CHECK(!started_);
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void Publisher::OnCommit(const CustomerState& state, TimeMs now_ms) {
  handoff_.Offer(state, now_ms);
}

void Publisher::Stop() {
  if (!thread_.joinable()) return;
  handoff_.Stop();
  thread_.join();
}

void Publisher::Run() {
  while (!handoff_.stopping()) {
    if (!connection_ && !Connect()) {
      handoff_.WaitForStop(std::max<int64_t>(1, breaker_.retry_at_ms() - clock_()));
      continue;
    }
    const Status s = Step();
    handoff_.Done();
    if (!s.ok()) Fail(s);
  }
  FlushOnStop();
}

// A fresh connection with the script loaded. Redis without the meta key lost
// (or never had) our data: a full resync is owed.
bool Publisher::Connect() {
  if (!breaker_.AllowAttempt(clock_())) return false;
  auto c =
      Connection::Open(options_.endpoint, options_.connect_timeout_ms, options_.command_timeout_ms);
  Status s = c.ok() ? writer_.Prepare(**c) : c.status();
  Result<bool> has_meta = s.ok() ? writer_.HasMeta(**c) : Result<bool>(s);
  if (!has_meta.ok()) {
    Fail(has_meta.status());
    return false;
  }
  if (!*has_meta) handoff_.OweResync();
  connection_ = std::move(*c);
  breaker_.OnSuccess();
  handoff_.SetUp(true);
  std::lock_guard lock(counters_mu_);
  counters_.cache_up = true;
  counters_.connects += 1;
  return true;
}

Snapshot Publisher::Snap(const CustomerState& state, TimeMs now_ms) const {
  return source_.view ? MakeSnapshot(source_.view(state, now_ms), now_ms)
                      : MakeSnapshot(state, now_ms);
}

// One unit of work: a resync if owed, else a batch of commits, else a batch
// of dirty customers.
Status Publisher::Step() {
  if (handoff_.TakeResync()) return Resync();
  std::vector<Commit> commits = handoff_.TakeCommits(options_.batch_max, kIdleWaitMs);
  if (!commits.empty()) return PublishCommits(commits);
  const std::vector<std::string> ids = handoff_.TakeDirty(options_.batch_max);
  if (!ids.empty()) return Republish(ids);
  return Status::Ok();
}

Status Publisher::PublishCommits(std::vector<Commit>& commits) {
  std::vector<Snapshot> batch;
  batch.reserve(commits.size());
  for (const Commit& c : commits) batch.push_back(Snap(c.state, c.now_ms));
  if (Status s = WriteSnapshots(batch); !s.ok()) {
    std::vector<std::string> ids;
    for (const Commit& c : commits) ids.push_back(c.state.customer_id);
    handoff_.MarkDirty(ids);
    return s;
  }
  std::lock_guard lock(counters_mu_);
  for (const Commit& c : commits) lag_.Add(MicrosSince(c.offered_at));
  return Status::Ok();
}

// Writes the customers' current state; a failed write marks them dirty again.
Status Publisher::Republish(const std::vector<std::string>& customer_ids) {
  std::vector<Snapshot> batch;
  for (const std::string& id : customer_ids) {
    auto state = source_.load(id);
    if (!state.ok()) {
      handoff_.MarkDirty(customer_ids);
      return state.status();
    }
    if (*state) batch.push_back(Snap(**state, clock_()));
  }
  if (Status s = WriteSnapshots(batch); !s.ok()) {
    handoff_.MarkDirty(customer_ids);
    return s;
  }
  std::lock_guard lock(counters_mu_);
  counters_.republished += batch.size();
  return Status::Ok();
}

// Every customer, in batches; commits that arrive meanwhile are written
// between batches so they are not held up by the walk.
Status Publisher::Resync() {
  std::vector<Snapshot> batch;
  auto flush = [&]() -> Status {
    Status s = WriteSnapshots(batch);
    batch.clear();
    std::vector<Commit> commits = handoff_.TakeCommits(options_.batch_max, 0);
    if (s.ok() && !commits.empty()) s = PublishCommits(commits);
    return s;
  };
  Status s = source_.for_each([&](const CustomerState& state) -> Status {
    batch.push_back(Snap(state, clock_()));
    return batch.size() < options_.batch_max ? Status::Ok() : flush();
  });
  if (s.ok() && !batch.empty()) s = flush();
  if (s.ok()) s = writer_.WriteMeta(*connection_, clock_());
  if (!s.ok()) {
    handoff_.OweResync();
    return s;
  }
  std::lock_guard lock(counters_mu_);
  counters_.resyncs += 1;
  return Status::Ok();
}

Status Publisher::WriteSnapshots(const std::vector<Snapshot>& batch) {
  if (batch.empty()) return Status::Ok();
  auto r = writer_.Write(*connection_, batch);
  if (!r.ok()) return r.status();
  std::lock_guard lock(counters_mu_);
  for (WriteOutcome o : r->outcomes) {
    if (o == WriteOutcome::kWritten) counters_.published += 1;
    if (o == WriteOutcome::kStale) counters_.stale_skipped += 1;
    if (o == WriteOutcome::kRefused) counters_.refused += 1;
  }
  if (!r->first_error.empty()) counters_.last_error = r->first_error;
  return Status::Ok();
}

void Publisher::Fail(const Status& why) {
  connection_.reset();
  handoff_.SetUp(false);
  breaker_.OnFailure(clock_());
  std::lock_guard lock(counters_mu_);
  counters_.cache_up = false;
  counters_.errors += 1;
  counters_.last_error = why.ToString();
}

void Publisher::FlushOnStop() {
  if (!connection_) return;
  for (;;) {
    std::vector<Commit> commits = handoff_.TakeCommits(options_.batch_max, 0);
    if (commits.empty() || !PublishCommits(commits).ok()) break;
  }
  handoff_.Done();
}

PublisherCounters Publisher::counters() const {
  const HandoffStats h = handoff_.Stats();
  std::lock_guard lock(counters_mu_);
  PublisherCounters c = counters_;
  c.backlog = h.backlog;
  c.dirty = h.dirty;
  c.dirty_marked = h.dirty_marked;
  c.dirty_overflows = h.dirty_overflows;
  c.lag_last_us = lag_.last_us();
  c.lag_p50_us = lag_.Percentile(500);
  c.lag_p99_us = lag_.Percentile(990);
  c.lag_samples = lag_.count();
  return c;
}

bool Publisher::WaitUntilIdle(int64_t timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!handoff_.Idle()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace loyalty::redis
