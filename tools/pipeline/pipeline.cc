#include "tools/pipeline/pipeline.h"

#include <chrono>
#include <functional>

#include "engine/validate.h"
#include "proto/wire_codec.h"
#include "tools/pipeline/shard.h"

namespace loyalty {
namespace {

std::string ErrorBytes(uint64_t request_id, const v1::Error& error) {
  v1::Reply reply;
  reply.set_request_id(request_id);
  *reply.mutable_error() = error;
  return reply.SerializeAsString();
}

}  // namespace

Pipeline::Pipeline(Store& store, std::shared_ptr<const RuleSet> rules, PipelineOptions options,
                   ClockFn clock)
    : store_(store),
      options_(options),
      clock_(std::move(clock)),
      rules_(std::move(rules)),
      claims_(std::make_unique<TxnClaims>(options_.copies_waiting_max)),
      budgets_(std::make_unique<BudgetBook>()) {
  LOYALTY_CHECK(options_.shards >= 1);
  std::vector<std::map<std::string, int64_t>> used(options_.shards);
  status_ = budgets_->Load(store_, used);
  for (std::size_t i = 0; i < options_.shards; ++i) {
    shards_.push_back(std::make_unique<Shard>(store_, *claims_, *budgets_, static_cast<uint32_t>(i),
                                              used[i], options_));
  }
  if (options_.sweep_interval_ms > 0) {
    sweeper_ = std::thread([this] {
      std::unique_lock lock(sweep_mu_);
      while (!sweep_cv_.wait_for(lock, std::chrono::milliseconds(options_.sweep_interval_ms),
                                 [&] { return sweep_stop_; })) {
        lock.unlock();
        (void)SweepDue(clock_());  // a failed scan is retried at the next interval
        lock.lock();
      }
    });
  }
}

Result<std::size_t> Pipeline::SweepDue(TimeMs now_ms) {
  auto rules = rules_.load();
  std::size_t queued = 0;
  Status s = store_.ForEachCustomer([&](const CustomerState& c) {
    if (c.cards.empty()) return Status::Ok();
    bool due = c.tier_review_at_ms != 0 && c.tier_review_at_ms <= now_ms;
    for (const Lot& lot : c.lots)
      due = due || (lot.expires_at_ms != 0 && lot.expires_at_ms <= now_ms);
    if (!due) return Status::Ok();
    Work work;
    work.sweep = true;
    work.event.card = c.cards.front();
    work.rules = rules;
    work.now_ms = now_ms;
    Shard& shard = *shards_[std::hash<std::string>{}(work.event.card) % shards_.size()];
    if (shard.Enqueue(std::move(work))) ++queued;  // a full queue: the next sweep
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return queued;
}

std::map<std::string, int64_t> Pipeline::BudgetsUsed() const { return budgets_->Snapshot(); }

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Handle(v1::Request request, ReplyFn reply) {
  const uint64_t id = request.request_id();
  Work work;
  work.request_id = id;
  work.rules = rules_.load();
  work.rfm = rfm_.load();
  work.now_ms = clock_();
  if (options_.observer) work.accepted = std::chrono::steady_clock::now();
  if (auto error = wire::DecodeRequest(request, &work.event)) {
    rejected_ += 1;
    if (options_.observer) {
      options_.observer->OnRejected(error->code() == v1::UNKNOWN_MESSAGE ? "unknown_message"
                                                                         : "invalid_field");
    }
    reply(ErrorBytes(id, *error));
    return;
  }
  if (auto bad = ValidateEvent(work.event, *work.rules, work.now_ms)) {
    rejected_ += 1;
    if (options_.observer) options_.observer->OnRejected("invalid_field");
    reply(ErrorBytes(
        id, wire::MakeError(v1::INVALID_FIELD, bad->field, bad->field + ": " + bad->reason)));
    return;
  }
  Shard& shard = *shards_[std::hash<std::string>{}(work.event.card) % shards_.size()];
  if (work.event.kind == EventKind::kLookup) {
    // A hot card is answered here, from its committed state: no queue, no hop.
    if (auto state = shard.CommittedState(work.event.card)) {
      v1::Reply r;
      r.set_request_id(id);
      *r.mutable_profile() = wire::EncodeProfile(
          ViewProfile(*state, work.now_ms, *work.rules, work.rfm.get(), shard.budget_gate()),
          work.event.card);
      lookups_direct_ += 1;
      if (options_.observer) {
        options_.observer->OnEvent(EventKind::kLookup, "profile",
                                   (std::chrono::steady_clock::now() - work.accepted).count());
      }
      reply(r.SerializeAsString());
      return;
    }
  }
  work.reply = reply;
  if (!shard.Enqueue(std::move(work))) {
    rejected_ += 1;
    if (options_.observer) options_.observer->OnRejected("overloaded");
    reply(ErrorBytes(
        id, wire::MakeError(v1::OVERLOADED, "", "the engine is at capacity; retry with backoff")));
  }
}

void Pipeline::SetRules(std::shared_ptr<const RuleSet> rules) { rules_.store(std::move(rules)); }

std::shared_ptr<const RuleSet> Pipeline::rules() const { return rules_.load(); }

void Pipeline::SetRfm(std::shared_ptr<const RfmQuantiles> rfm) { rfm_.store(std::move(rfm)); }

std::shared_ptr<const RfmQuantiles> Pipeline::rfm() const { return rfm_.load(); }

void Pipeline::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(sweep_mu_);
    sweep_stop_ = true;
  }
  sweep_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  for (auto& s : shards_) s->Stop();
}

PipelineStats Pipeline::stats() const {
  PipelineStats st;
  st.rejected = rejected_.load();
  st.lookups_direct = lookups_direct_.load();
  for (const auto& s : shards_) {
    const ShardCounters& c = s->counters();
    st.events += c.events.load();
    st.groups += c.groups.load();
    st.grouped_events += c.grouped_events.load();
    st.commit_failures += c.commit_failures.load();
    st.replays += c.replays.load();
    st.swept += c.swept.load();
    st.copies_waited += c.copies_waited.load();
  }
  return st;
}

Profile Pipeline::View(const CustomerState& state, TimeMs now_ms) const {
  const std::shared_ptr<const RuleSet> rules = this->rules();
  const std::shared_ptr<const RfmQuantiles> rfm = this->rfm();
  // Profile holds only a reference to `state`; rules and rfm are read now.
  return ViewProfile(state, now_ms, *rules, rfm.get(), shards_.front()->budget_gate());
}

}  // namespace loyalty
