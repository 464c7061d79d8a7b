#include "engine/runtime/runtime.h"

#include <chrono>
#include <functional>

#include "engine/check.h"
#include "engine/lots.h"
#include "engine/runtime/budget_book.h"
#include "engine/runtime/card_routes.h"
#include "engine/runtime/shard.h"
#include "engine/runtime/txn_claims.h"
#include "engine/signals.h"
#include "engine/validate.h"

namespace loyalty {

std::string_view AnswerLabel(const Answer& a) {
  switch (a.kind) {
    case AnswerKind::kDecided:
    case AnswerKind::kRefused: return OutcomeName(a.outcome);
    case AnswerKind::kReplayed: return "replay";
    case AnswerKind::kProfile: return "profile";
    case AnswerKind::kUnknownCard: return "unknown_card";
    case AnswerKind::kInvalid: return "invalid_field";
    case AnswerKind::kUnavailable: return "unavailable";
    case AnswerKind::kOverloaded: return "overloaded";
  }
  return "unknown";
}

Runtime::Runtime(DurableStore& store, const DecisionCodec& codec,
                 std::shared_ptr<const RuleSet> rules, RuntimeOptions options, ClockFn clock)
    : store_(store),
      options_(std::move(options)),
      clock_(std::move(clock)),
      rules_(std::move(rules)),
      claims_(std::make_unique<TxnClaims>(options_.copies_waiting_max)),
      budgets_(std::make_unique<BudgetBook>()),
      routes_(std::make_unique<CardRoutes>()),
      codec_(codec) {
  LOYALTY_CHECK(options_.shards >= 1);
  std::vector<std::map<std::string, int64_t>> used(options_.shards);
  status_ = budgets_->Load(store_, used);
  for (std::size_t i = 0; i < options_.shards; ++i) {
    shards_.push_back(
        std::make_unique<Shard>(ShardContext{store_, codec, *claims_, *budgets_,
                                             [this](Work&& w) { Forward(std::move(w)); }},
                                static_cast<uint32_t>(i), used[i], options_));
  }
  if (!options_.stepped) merger_ = std::thread([this] { RunMerges(); });
  if (options_.sweep_interval_ms > 0 && !options_.stepped) {
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

Runtime::~Runtime() { Stop(); }

Shard& Runtime::ShardFor(const std::string& card) const {
  return *shards_[std::hash<std::string>{}(card) % shards_.size()];
}

// A shard found that work.key routes the customer: the work goes there, and
// later events with the card go there at once.
void Runtime::Forward(Work&& work) {
  routes_->Learn(work.event.card, work.key);
  if (ShardFor(work.key).Requeue(std::move(work))) return;
  if (work.answer) {  // that shard has finished: only while stopping
    work.answer(Answer::Error(work.request_id, AnswerKind::kUnavailable, "",
                              "the engine is stopping; retry with the same transaction id"));
  }
}

Result<std::size_t> Runtime::SweepDue(TimeMs now_ms) {
  auto rules = rules_.load();
  std::size_t queued = 0;
  Status s = store_.ForEachCustomer([&](const CustomerState& c) {
    if (c.cards.empty()) return Status::Ok();
    bool due = (c.tier_review_at_ms != 0 && c.tier_review_at_ms <= now_ms) ||
               ChurnAlertDue(c, rules->churn, now_ms) ||
               LifecycleMoved(c, rules->lifecycle, now_ms) ||
               CommentExpired(c, rules->program, now_ms);
    for (const Lot& lot : c.lots) {
      due = due || (lot.expires_at_ms != 0 && lot.expires_at_ms <= now_ms) ||
            NoticeDue(lot, rules->program.expiry_notice_days, now_ms);
    }
    if (!due) return Status::Ok();
    Work work;
    work.sweep = true;
    work.event.card = c.cards.front();
    work.key = RouteCard(c);
    work.rules = rules;
    work.now_ms = now_ms;
    if (ShardFor(work.key).Enqueue(std::move(work))) ++queued;  // full: the next sweep
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return queued;
}

std::map<std::string, int64_t> Runtime::BudgetTotals() const { return budgets_->Snapshot()->all(); }

void Runtime::NoteRejected(std::string_view reason) {
  rejected_ += 1;
  if (options_.observer) options_.observer->OnRejected(reason);
}

void Runtime::Submit(uint64_t request_id, Event event, AnswerFn answer,
                     CommitRecordsFn with_commit) {
  Work work;
  work.request_id = request_id;
  work.with_commit = std::move(with_commit);
  work.event = std::move(event);
  work.rules = rules_.load();
  work.rfm = rfm_.load();
  work.now_ms = clock_();
  if (options_.observer) work.accepted = std::chrono::steady_clock::now();
  if (auto bad = ValidateEvent(work.event, *work.rules, work.now_ms)) {
    NoteRejected("invalid_field");
    answer(Answer::Error(request_id, AnswerKind::kInvalid, bad->field,
                         bad->field + ": " + bad->reason));
    return;
  }
  if (work.event.kind == EventKind::kMerge) {
    if (options_.stepped) {
      answer(Answer::Error(request_id, AnswerKind::kUnavailable, "",
                           "merges need the threaded runtime"));
      return;
    }
    work.answer = std::move(answer);
    {
      std::lock_guard lock(merge_mu_);
      merges_.push_back(std::move(work));
    }
    merge_cv_.notify_one();
    return;
  }
  work.key = routes_->Route(work.event.card);
  Shard& shard = ShardFor(work.key);
  if (work.event.kind == EventKind::kLookup) {
    // A hot card is answered here, from its committed state: no queue, no hop.
    auto state = shard.CommittedState(work.key);
    if (state && HoldsCard(*state, work.event.card)) {
      Answer a;
      a.request_id = request_id;
      a.kind = AnswerKind::kProfile;
      a.state = std::move(state);
      a.card = work.event.card;
      a.profile = std::make_shared<const Profile>(View(*a.state, work.now_ms));
      lookups_direct_ += 1;
      if (options_.observer) {
        options_.observer->OnEvent(EventKind::kLookup, "profile",
                                   (std::chrono::steady_clock::now() - work.accepted).count());
      }
      answer(std::move(a));
      return;
    }
  }
  work.answer = answer;
  if (!shard.Enqueue(std::move(work))) {
    NoteRejected("overloaded");
    answer(Answer::Error(request_id, AnswerKind::kOverloaded, "",
                         "the engine is at capacity; retry with backoff"));
  }
}

void Runtime::SetRules(std::shared_ptr<const RuleSet> rules) { rules_.store(std::move(rules)); }

std::shared_ptr<const RuleSet> Runtime::rules() const { return rules_.load(); }

void Runtime::SetRfm(std::shared_ptr<const RfmQuantiles> rfm) { rfm_.store(std::move(rfm)); }

std::shared_ptr<const RfmQuantiles> Runtime::rfm() const { return rfm_.load(); }

void Runtime::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(sweep_mu_);
    sweep_stop_ = true;
  }
  sweep_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  {
    std::lock_guard lock(merge_mu_);
    merge_stop_ = true;  // the merges queued are still made and answered
  }
  merge_cv_.notify_all();
  if (merger_.joinable()) merger_.join();
  if (options_.stepped) {
    // Drain as the threads would: a commit may send copies to another shard.
    for (bool busy = true; busy;) {
      busy = false;
      for (std::size_t i = 0; i < shards_.size(); ++i)
        busy = StepCommit(i) || StepDecide(i) || busy;
    }
  }
  for (auto& s : shards_) s->Stop();
}

bool Runtime::StepDecide(std::size_t shard) {
  LOYALTY_CHECK(options_.stepped);
  return shards_.at(shard)->StepDecide();
}

bool Runtime::StepCommit(std::size_t shard) {
  LOYALTY_CHECK(options_.stepped);
  return shards_.at(shard)->StepCommit();
}

void Runtime::Crash() {
  LOYALTY_CHECK(options_.stepped);
  stopped_ = true;
  for (auto& s : shards_) s->Crash();
  for (auto& s : shards_) s->Stop();
}

RuntimeStats Runtime::stats() const {
  RuntimeStats st;
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
    st.budget_retries += c.budget_retries.load();
  }
  return st;
}

Profile Runtime::View(const CustomerState& state, TimeMs now_ms) const {
  const std::shared_ptr<const RuleSet> rules = this->rules();
  const std::shared_ptr<const RfmQuantiles> rfm = this->rfm();
  const std::shared_ptr<const BudgetsUsed> budgets = budgets_->Snapshot();
  // Profile holds only a reference to `state`; rules, rfm and budgets are read now.
  return ViewProfile(state, now_ms, *rules, rfm.get(), budgets.get());
}

}  // namespace loyalty
