#include "engine/runtime/shard.h"

#include "engine/outbox.h"
#include "engine/runtime/runtime.h"

namespace loyalty {

Answer Shard::CannotRead(uint64_t request_id, const Status& status) {
  return Answer::Error(request_id, AnswerKind::kUnavailable, "",
                       "the store could not be read: " + status.message());
}

Shard::Shard(ShardContext context, uint32_t index, std::map<std::string, int64_t> budget_used,
             const RuntimeOptions& options)
    : ctx_(context),
      queue_max_(options.queue_max),
      group_max_(options.group_max),
      cached_customers_max_(options.cached_customers_max),
      on_commit_(options.on_commit),
      observer_(options.observer),
      stepped_(options.stepped),
      outbox_types_(options.outbox_types),
      outbox_source_(options.outbox_source),
      budget_log_(index) {
  budget_log_.Seed(std::move(budget_used));
  if (stepped_) return;  // the caller steps it (StepDecide, StepCommit)
  committer_ = std::thread([this] { RunCommits(); });
  thread_ = std::thread([this] { Run(); });
}

Shard::~Shard() { Stop(); }

std::shared_ptr<const CustomerState> Shard::CommittedState(const std::string& card) const {
  std::lock_guard lock(view_mu_);
  auto it = committed_.find(card);
  return it == committed_.end() ? nullptr : it->second;
}

bool Shard::Enqueue(Work work) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= queue_max_) return false;
    queue_.push_back(std::move(work));
  }
  ready_.notify_one();
  return true;
}

std::shared_ptr<ShardPause> Shard::Pause() {
  auto pause = std::make_shared<ShardPause>();
  Work work;
  work.pause = pause;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || finished_) return nullptr;
    queue_.push_back(std::move(work));
  }
  ready_.notify_one();
  std::unique_lock lock(pause->mu);
  pause->cv.wait(lock, [&] { return pause->parked; });
  return pause;
}

// Shard thread: nothing in flight; waits for the release, then drops what
// it holds of the customers the caller changed.
void Shard::Park(ShardPause& pause) {
  std::unique_lock lock(pause.mu);
  pause.parked = true;
  pause.cv.notify_all();
  pause.cv.wait(lock, [&] { return pause.released; });
  std::lock_guard view(view_mu_);
  for (const std::string& key : pause.forget) {
    by_card_.erase(key);
    committed_.erase(key);
  }
}

bool Shard::Requeue(Work&& work) {
  {
    std::lock_guard lock(mu_);
    if (finished_) return false;
    queue_.push_back(std::move(work));
  }
  ready_.notify_one();
  return true;
}

void Shard::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_one();
  if (stepped_) {  // no threads: the runtime has drained it (Runtime::Stop)
    std::lock_guard lock(mu_);
    finished_ = true;
    return;
  }
  if (thread_.joinable()) thread_.join();  // after every group in flight is answered
  {
    std::lock_guard lock(mu_);
    committer_stop_ = true;
  }
  commit_ready_.notify_one();
  if (committer_.joinable()) committer_.join();
}

void Shard::Run() {
  std::vector<Work> work;
  while (true) {
    std::vector<uint64_t> committed;
    {
      std::unique_lock lock(mu_);
      // One group is decided while one is being committed, no further ahead:
      // what queues meanwhile makes the next group. Stopping waits for the
      // groups in flight too: their commits may send copies back here
      // (Requeue), and those are still decided.
      // A pause waits for every group in flight to be answered.
      ready_.wait(lock, [&] {
        return (!queue_.empty() && inflight_ < (queue_.front().pause ? 1 : 2)) ||
               (queue_.empty() && stopping_ && inflight_ == 0);
      });
      if (queue_.empty()) {
        finished_ = true;
        return;
      }
      TakeWork(work, committed);
    }
    if (work.size() == 1 && work.front().pause) {
      Forget(committed);
      Park(*work.front().pause);
      work.clear();
      continue;
    }
    DecideAndHandOff(work, committed);
  }
}

void Shard::TakeWork(std::vector<Work>& work, std::vector<uint64_t>& committed) {
  // Take what queued while the previous group was being decided.
  while (!queue_.empty() && work.size() < group_max_) {
    if (queue_.front().pause && !work.empty()) break;  // a pause goes alone
    const bool pause = queue_.front().pause != nullptr;
    work.push_back(std::move(queue_.front()));
    queue_.pop_front();
    if (pause) break;
  }
  committed.swap(committed_seqs_);
}

void Shard::DecideAndHandOff(std::vector<Work>& work, const std::vector<uint64_t>& committed) {
  Forget(committed);
  Group group = DecideGroup(work);
  work.clear();
  {
    std::lock_guard lock(mu_);
    to_commit_.push_back(std::move(group));  // behind the one being committed, if any
    inflight_ += 1;
  }
  commit_ready_.notify_one();
}

bool Shard::StepDecide() {
  std::vector<Work> work;
  std::vector<uint64_t> committed;
  {
    std::lock_guard lock(mu_);
    if (finished_ || queue_.empty() || inflight_ >= 2) return false;
    TakeWork(work, committed);
  }
  DecideAndHandOff(work, committed);
  return true;
}

bool Shard::StepCommit() {
  Group group;
  {
    std::lock_guard lock(mu_);
    if (finished_ || to_commit_.empty()) return false;
    group = std::move(to_commit_.front());
    to_commit_.pop_front();
  }
  CommitAndAnswer(group);
  return true;
}

void Shard::Crash() {
  std::lock_guard lock(mu_);
  queue_.clear();      // never decided: their answers are dropped, uncalled
  to_commit_.clear();  // decided, never committed: likewise
  finished_ = true;
}

// Shard thread: decides every event of `work` on the state the groups in
// flight will leave, staging the writes in one batch.
Shard::Group Shard::DecideGroup(std::vector<Work>& work) {
  // A commit failed since the last group: everything held in memory may be
  // ahead of what is on disk (the groups in flight fail too). Start afresh.
  if (const uint64_t f = failures_.load(); f != failures_seen_) {
    failures_seen_ = f;
    by_card_.clear();
    staged_txns_.clear();
    new_customers_.clear();
    inflight_cards_.clear();
    retiring_.clear();
    staged_keys_.clear();
  }
  Group group;
  group.seq = next_seq_++;
  group.failures_seen = failures_seen_;
  group.batch = ctx_.store.NewBatch();
  group.owed.reserve(work.size());
  staged_keys_.push_back(StagedKeys{group.seq, {}, {}, {}, {}});
  deciding_ = &group;
  for (Work& w : work) group.owed.push_back(Process(w, *group.batch));
  deciding_ = nullptr;
  counters_.events += work.size();
  budget_log_.Stage(*group.batch);
  Evict();
  return group;
}

// Shard thread: what the committed groups staged is now on disk (or, after a
// failure, forgotten anyway); drop it unless a later group staged it again.
void Shard::Forget(const std::vector<uint64_t>& committed) {
  for (uint64_t seq : committed) {
    while (!staged_keys_.empty() && staged_keys_.front().seq <= seq) {
      const StagedKeys& k = staged_keys_.front();
      for (const std::string& t : k.txns) {
        auto it = staged_txns_.find(t);
        if (it != staged_txns_.end() && it->second.seq == k.seq) staged_txns_.erase(it);
      }
      for (const std::string& c : k.customers) {
        auto it = new_customers_.find(c);
        if (it != new_customers_.end() && it->second == k.seq) new_customers_.erase(it);
      }
      for (const std::string& c : k.cards) {
        auto it = inflight_cards_.find(c);
        if (it != inflight_cards_.end() && it->second == k.seq) inflight_cards_.erase(it);
      }
      for (const std::string& c : k.retired) {
        auto it = retiring_.find(c);
        if (it != retiring_.end() && it->second == k.seq) retiring_.erase(it);
      }
      staged_keys_.pop_front();
    }
  }
}

// Shard thread: bounds the hot set. A card with a change in flight stays
// (the store does not have its state yet); the others may go.
void Shard::Evict() {
  for (auto it = by_card_.begin();
       by_card_.size() > cached_customers_max_ && it != by_card_.end();) {
    if (inflight_cards_.count(it->first) > 0) {
      ++it;
      continue;
    }
    {
      std::lock_guard lock(view_mu_);
      committed_.erase(it->first);
    }
    it = by_card_.erase(it);
  }
}

Shard::Owed Shard::Process(Work& work, StoreBatch& batch) {
  Owed o;
  if (work.key.empty()) work.key = work.event.card;
  const Result<bool> here = Resolve(work);
  if (work.sweep) {
    if (here.ok() && *here) ProcessSweep(work, batch);  // else: the next sweep tries again
    return o;
  }
  o.kind = work.event.kind;  // `work` may be parked (moved from) below
  o.accepted = work.accepted;
  o.answer.request_id = work.request_id;
  o.reply = work.answer;
  if (!here.ok()) {
    o.answer = CannotRead(work.request_id, here.status());
    return o;
  }
  if (!*here) {  // the customer is held by another shard: the answer goes with the work
    o.reply = nullptr;
    ctx_.forward(std::move(work));
    return o;
  }
  if (o.kind == EventKind::kLookup) {
    ProcessLookup(work, o);
  } else {
    ProcessChange(work, batch, o);
  }
  return o;
}

Result<bool> Shard::Resolve(Work& work) {
  if (by_card_.count(work.key) > 0) return true;  // held (ahead of the store)
  const std::string& card = work.event.card;
  auto id = ctx_.store.GetCustomerIdForCard(card);
  if (!id.ok()) return id.status();
  if (!id->has_value()) return true;  // not enrolled
  auto state = ctx_.store.GetCustomer(**id);
  if (!state.ok()) return state.status();
  if (!state->has_value()) {
    return Status::Corruption("card " + card + " points to customer " + **id + ", who is missing");
  }
  const std::string route = RouteCard(**state);
  if (route.empty()) return true;  // nobody's cards (cannot be: the store keeps none)
  if (route != work.key) {
    work.key = route;
    return false;
  }
  auto loaded = std::make_shared<const CustomerState>(std::move(**state));
  {
    std::lock_guard lock(view_mu_);
    committed_[work.key] = loaded;  // read from disk: committed
  }
  by_card_.emplace(work.key, std::move(loaded));
  return true;
}

const CustomerState* Shard::Held(const Work& work) const {
  auto it = by_card_.find(work.key);
  if (it == by_card_.end() || it->second == nullptr) return nullptr;
  return HoldsCard(*it->second, work.event.card) ? it->second.get() : nullptr;
}

Result<std::optional<TxnRecord>> Shard::LoadTxn(const std::string& txn_id) {
  if (auto it = staged_txns_.find(txn_id); it != staged_txns_.end()) {
    return std::optional<TxnRecord>(it->second.value);
  }
  return ctx_.store.GetTxn(txn_id);
}

void Shard::ProcessLookup(const Work& work, Owed& o) {
  if (Held(work) == nullptr) {
    o.answer = Answer::Error(work.request_id, AnswerKind::kUnknownCard, "card",
                             "card " + work.event.card + " is not enrolled");
  } else {
    // The state as it is now in this shard (committed, or about to be with
    // this very group: the answer waits for the commit either way).
    o.answer.kind = AnswerKind::kProfile;
    o.answer.state = by_card_.at(work.key);
    o.answer.card = work.event.card;
    const std::shared_ptr<const BudgetsUsed> budgets = ctx_.budgets.Snapshot();
    o.answer.profile = std::make_shared<const Profile>(
        ViewProfile(*o.answer.state, work.now_ms, *work.rules, work.rfm.get(), budgets.get()));
  }
}

// Decides; when another shard drew a budget this decision counted on, decides
// again on what is left now. Terminates: each retry follows a draw by another
// shard, and budgets are finite.
DecideResult Shard::DecideWithBudgets(const DecideInput& input) {
  DecideInput in = input;
  while (true) {
    const std::shared_ptr<const BudgetsUsed> budgets = ctx_.budgets.Snapshot();
    in.budgets = budgets.get();
    DecideResult result = Decide(in);
    if (ctx_.budgets.TryReserve(result.effects.budget_draws)) {
      budget_log_.Note(result.effects.budget_draws);
      return result;
    }
    counters_.budget_retries += 1;
  }
}

void Shard::ProcessChange(Work& work, StoreBatch& batch, Owed& o) {
  const Event& e = work.event;
  std::optional<TxnRecord> prior, original;
  if (auto it = staged_txns_.find(e.transaction_id); it != staged_txns_.end()) {
    prior = it->second.value;  // staged by this group or one in flight
  } else if (!e.transaction_id.empty()) {
    // Claim first, then read: another shard may be committing the same id
    // (sent with another card) right now, and a read before the claim could
    // miss it and apply the id twice. A copy that finds the id claimed waits
    // for that claim's commit and comes back here (TxnClaims, SendHome): it
    // then reads what was committed, so every copy gets the stored reply.
    switch (ctx_.claims.ClaimOrWait(e.transaction_id, work, this)) {
      case TxnClaims::Claim::kTaken: break;
      case TxnClaims::Claim::kWaiting:  // `work` (and `e`) moved into the claim
        counters_.copies_waited += 1;
        o.reply = nullptr;
        return;
      case TxnClaims::Claim::kFull:
        o.answer = Answer::Error(work.request_id, AnswerKind::kOverloaded, "",
                                 "too many copies of transactions wait for their first copy; "
                                 "retry with backoff");
        return;
    }
    o.claimed_txn = e.transaction_id;
    auto p = ctx_.store.GetTxn(e.transaction_id);
    if (!p.ok()) {
      o.answer = CannotRead(work.request_id, p.status());
      return;
    }
    prior = std::move(*p);
    // Later copies replay it from here, without the claim.
    if (prior) StageTxn(*prior);
  }
  if (!e.original_transaction_id.empty()) {
    auto p = LoadTxn(e.original_transaction_id);
    if (!p.ok()) {
      o.answer = CannotRead(work.request_id, p.status());
      return;
    }
    original = std::move(*p);
  }
  const CustomerState* state = Held(work);
  if (state == nullptr && !prior &&
      (e.kind == EventKind::kEnroll || e.kind == EventKind::kPurchase) &&
      (!CheckNotRetired(work, e.card, o) || !CheckNewCustomerId(work, o))) {
    return;
  }
  if (state != nullptr && !prior && e.kind == EventKind::kReplaceCard && !CheckNewCard(work, o)) {
    return;
  }
  if (e.kind == EventKind::kLinkCard && state == nullptr) {
    o.answer = Answer::Error(work.request_id, AnswerKind::kUnknownCard, "link_to_card",
                             "card " + e.card + " is not enrolled: link to a customer's card");
    return;
  }
  if (e.kind == EventKind::kLinkCard && !CheckLink(work, *state, o)) return;
  DecideResult result = DecideWithBudgets(DecideInput{e, state, prior ? &*prior : nullptr,
                                                      original ? &*original : nullptr, *work.rules,
                                                      work.now_ms, nullptr, work.rfm.get()});
  if (result.replay) {
    counters_.replays += 1;
    o.answer.kind = AnswerKind::kReplayed;
    o.answer.decision_bytes = prior->reply;
    return;
  }
  o.answer.outcome = result.decision.outcome;
  if (TravelsAsError(result.decision.outcome)) {
    o.answer.kind = AnswerKind::kRefused;
    o.answer.refusal = std::move(result.decision);
    return;
  }
  Stage(work, result, batch, o, state);
}

// Expiry and tier review for a customer who may not come back (no answer).
void Shard::ProcessSweep(Work& work, StoreBatch& batch) {
  const CustomerState* state = Held(work);
  if (state == nullptr) return;  // the next sweep tries again
  DecideResult result = Sweep(*state, *work.rules, work.now_ms);
  if (!result.effects.state) return;
  StageEffects(work, result.effects, batch, state, nullptr);
  counters_.swept += 1;
}

// Puts the decision's effects in the group's batch and in shard memory; the
// answer is the stored decision, exactly as a retry will get it.
void Shard::Stage(Work& work, DecideResult& result, StoreBatch& batch, Owed& owed,
                  const CustomerState* before) {
  std::string decision_bytes = ctx_.codec.Encode(result.decision);
  Effects& fx = result.effects;
  if (fx.txn) {
    fx.txn->reply = decision_bytes;
    batch.PutTxn(*fx.txn, work.now_ms);
    StageTxn(std::move(*fx.txn));
  }
  StageEffects(work, fx, batch, before, &result.decision);
  if (work.with_commit) {
    for (const auto& [key, value] : work.with_commit(result.decision)) batch.PutRecord(key, value);
  }
  owed.answer.kind = AnswerKind::kDecided;
  owed.answer.decision_bytes = std::move(decision_bytes);
}

// The writes every decision and sweep share: the returned or cancelled
// original, the ledger, the customer's state (memory ahead of the disk by
// one group).
void Shard::StageEffects(const Work& work, Effects& fx, StoreBatch& batch,
                         const CustomerState* before, const Decision* decision) {
  if (fx.original) {
    batch.PutTxn(*fx.original, work.now_ms);
    StageTxn(std::move(*fx.original));
  }
  for (const LedgerEntry& entry : fx.ledger) batch.PutLedger(entry);
  if (fx.state && !outbox_types_.empty()) {
    const bool sweep = decision == nullptr;
    const OutboxChange change{sweep ? nullptr : &work.event,
                              before,
                              &*fx.state,
                              decision,
                              &fx.ledger,
                              work.rules.get(),
                              work.now_ms};
    for (const OutboxEvent& e : OutboxEventsOf(change, outbox_types_)) {
      batch.PutOutbox(e.customer_id, CloudEventJson(e, outbox_source_));
    }
  }
  if (fx.state) {
    if (fx.erased_from.empty()) {
      batch.PutCustomer(*fx.state);
    } else {
      batch.EraseCustomer(fx.erased_from, *fx.state);
    }
    if (fx.link_card) batch.PutCard(work.event.card, fx.state->customer_id);
    if (!fx.new_card.empty()) batch.PutCard(fx.new_card, fx.state->customer_id);
    // A retired card counts as retired at once (retiring_), though the
    // store may still link it until its group is committed.
    for (const std::string& card : fx.retired_cards) {
      batch.RetireCard(card);
      retiring_[card] = deciding_->seq;
      staged_keys_.back().retired.push_back(card);
    }
    // A customer left without a card (erased) is held as nobody's (null).
    const bool gone = fx.state->cards.empty();
    StatePtr& held = by_card_[work.key];
    held = gone ? nullptr : std::make_shared<const CustomerState>(std::move(*fx.state));
    deciding_->changed.push_back({work.key, held, work.now_ms});
    inflight_cards_[work.key] = deciding_->seq;
    staged_keys_.back().cards.push_back(work.key);
  }
}

void Shard::StageTxn(TxnRecord record) {
  std::string id = record.transaction_id;
  staged_keys_.back().txns.push_back(id);
  staged_txns_[std::move(id)] = Tagged<TxnRecord>{std::move(record), deciding_->seq};
}

}  // namespace loyalty
