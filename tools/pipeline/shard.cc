#include "tools/pipeline/shard.h"

#include <functional>

#include "engine/check.h"
#include "proto/wire_codec.h"

namespace loyalty {
namespace {

std::string ErrorReply(uint64_t request_id, const v1::Error& error) {
  v1::Reply reply;
  reply.set_request_id(request_id);
  *reply.mutable_error() = error;
  return reply.SerializeAsString();
}

std::string Unavailable(uint64_t request_id, const std::string& why) {
  return ErrorReply(request_id, wire::MakeError(v1::UNAVAILABLE, "", why));
}

}  // namespace

TxnClaims::Stripe& TxnClaims::StripeFor(const std::string& id) {
  return stripes_[std::hash<std::string>{}(id) % kStripes];
}

bool TxnClaims::TryClaim(const std::string& id) {
  Stripe& s = StripeFor(id);
  std::lock_guard lock(s.mu);
  return s.held.try_emplace(id).second;
}

TxnClaims::Claim TxnClaims::ClaimOrWait(const std::string& id, Work& work, Shard* home) {
  Stripe& s = StripeFor(id);
  std::lock_guard lock(s.mu);  // the holder's Release takes it too: no copy is left behind
  auto [it, taken] = s.held.try_emplace(id);
  if (taken) return Claim::kTaken;
  if (copies_waiting_.fetch_add(1) >= copies_waiting_max_) {
    copies_waiting_.fetch_sub(1);
    return Claim::kFull;
  }
  it->second.push_back(WaitingCopy{std::move(work), home});
  return Claim::kWaiting;
}

std::vector<WaitingCopy> TxnClaims::Release(const std::string& id) {
  Stripe& s = StripeFor(id);
  std::vector<WaitingCopy> copies;
  {
    std::lock_guard lock(s.mu);
    auto it = s.held.find(id);
    LOYALTY_CHECK(it != s.held.end());  // only the holder releases, once
    copies = std::move(it->second);
    s.held.erase(it);
  }
  copies_waiting_.fetch_sub(copies.size());
  return copies;
}

Shard::Shard(Store& store, TxnClaims& claims, BudgetBook& budgets, uint32_t index,
             std::map<std::string, int64_t> budget_used, const PipelineOptions& options)
    : store_(store),
      claims_(claims),
      queue_max_(options.queue_max),
      group_max_(options.group_max),
      cached_customers_max_(options.cached_customers_max),
      on_commit_(options.on_commit),
      observer_(options.observer),
      budgets_(budgets, index) {
  budgets_.Seed(std::move(budget_used));
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
  if (thread_.joinable()) thread_.join();
}

void Shard::Run() {
  std::vector<Work> group;
  while (true) {
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {  // stopping, and everything is answered
        finished_ = true;
        return;
      }
      // Take what queued while the previous group was being committed.
      while (!queue_.empty() && group.size() < group_max_) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    ProcessGroup(group);
    group.clear();
  }
}

void Shard::ProcessGroup(std::vector<Work>& group) {
  WriteSet writes = store_.NewWriteSet();
  std::vector<Owed> owed;
  owed.reserve(group.size());
  for (Work& w : group) owed.push_back(Process(w, writes));
  counters_.events += group.size();
  budgets_.Stage(writes);

  bool committed = true;
  std::string failure;  // why the commit failed: every reply of the group, and its copies
  if (!writes.empty()) {
    const auto commit_start = std::chrono::steady_clock::now();
    const Status s = store_.Commit(writes);
    committed = s.ok();
    if (observer_) {
      observer_->OnCommit(group.size(), (std::chrono::steady_clock::now() - commit_start).count());
    }
    counters_.groups += 1;
    counters_.grouped_events += group.size();
    if (!committed) {
      counters_.commit_failures += 1;
      // Memory ran ahead of the disk: forget it, so the next event reloads.
      {
        std::lock_guard lock(view_mu_);
        for (const auto& [card, at] : group_cards_) {
          by_card_.erase(card);
          committed_.erase(card);  // reloaded from disk when next needed
        }
      }
      // Every reply of the group may have read what failed to commit (a
      // lookup or a replay after a write), so none of them stands. A failed
      // fsync may still leave the write on disk: the outcome is unknown, and
      // only a retry with the same transaction id is safe.
      failure = "the store could not commit: " + s.message() +
                "; the outcome is unknown, retry with the same transaction id";
      for (Owed& o : owed) {
        o.outcome = "";
        o.bytes = Unavailable(o.request_id, failure);
      }
    }
  }
  if (committed && !group_cards_.empty()) {
    std::lock_guard lock(view_mu_);
    for (const auto& [card, at] : group_cards_) committed_[card] = by_card_.at(card);
  }
  if (committed && on_commit_) {
    std::set<std::string> told;
    for (auto it = group_cards_.rbegin(); it != group_cards_.rend(); ++it) {
      if (told.insert(it->first).second) on_commit_(*by_card_.at(it->first), it->second);
    }
  }
  group_txns_.clear();
  group_cards_.clear();
  new_customers_.clear();
  for (Owed& o : owed) {
    if (!o.claimed_txn.empty()) {
      SendHome(claims_.Release(o.claimed_txn), committed ? nullptr : &failure);
    }
    if (!o.extra_claim.empty()) (void)claims_.Release(o.extra_claim);  // nobody waits on these
    if (!o.reply) continue;  // a sweep, or a copy now waiting on a claim: no reply yet
    if (observer_) {
      observer_->OnEvent(o.kind, o.outcome.empty() ? "unavailable" : o.outcome,
                         (std::chrono::steady_clock::now() - o.accepted).count());
    }
    o.reply(std::move(o.bytes));
  }
  // Bound the hot set; evict only between groups, when everything is on disk.
  while (by_card_.size() > cached_customers_max_) {
    {
      std::lock_guard lock(view_mu_);
      committed_.erase(by_card_.begin()->first);
    }
    by_card_.erase(by_card_.begin());
  }
}

// Copies that waited on a claim this shard just released. After a commit
// they go back to their own shard and are decided again: they read the
// stored record and replay it (or are refused as a different payload); if
// nothing was stored (a refusal leaves no record), the first of them decides
// afresh. After a failed commit (`failure`) they share the group's fate: the
// same UNAVAILABLE, outcome unknown, retry with the same transaction id.
void Shard::SendHome(std::vector<WaitingCopy> copies, const std::string* failure) {
  for (WaitingCopy& c : copies) {
    if (!failure && c.home->Requeue(std::move(c.work))) continue;
    // Failed, or the copy's shard has finished (only while stopping).
    const std::string why =
        failure ? *failure : "the engine is stopping; retry with the same transaction id";
    if (observer_) {
      observer_->OnEvent(c.work.event.kind, "unavailable",
                         (std::chrono::steady_clock::now() - c.work.accepted).count());
    }
    c.work.reply(Unavailable(c.work.request_id, why));
  }
}

Shard::Owed Shard::Process(Work& work, WriteSet& writes) {
  if (work.sweep) return ProcessSweep(work, writes);
  const EventKind kind = work.event.kind;  // `work` may be parked (moved from) below
  const auto accepted = work.accepted;
  Owed o = kind == EventKind::kLookup ? ProcessLookup(work) : ProcessChange(work, writes);
  o.kind = kind;
  o.accepted = accepted;
  return o;
}

Result<const CustomerState*> Shard::LoadByCard(const std::string& card) {
  if (auto it = by_card_.find(card); it != by_card_.end()) return it->second.get();
  auto id = store_.GetCustomerIdForCard(card);
  if (!id.ok()) return id.status();
  if (!id->has_value()) return static_cast<const CustomerState*>(nullptr);
  auto state = store_.GetCustomer(**id);
  if (!state.ok()) return state.status();
  if (!state->has_value()) {
    return Status::Corruption("card " + card + " points to customer " + **id + ", who is missing");
  }
  auto loaded = std::make_shared<const CustomerState>(std::move(**state));
  {
    std::lock_guard lock(view_mu_);
    committed_[card] = loaded;  // read from disk: committed
  }
  return by_card_.emplace(card, std::move(loaded)).first->second.get();
}

Result<std::optional<TxnRecord>> Shard::LoadTxn(const std::string& txn_id) {
  if (auto it = group_txns_.find(txn_id); it != group_txns_.end()) {
    return std::optional<TxnRecord>(it->second);
  }
  return store_.GetTxn(txn_id);
}

Shard::Owed Shard::ProcessLookup(const Work& work) {
  Owed o{work.reply, "", "", "", work.request_id};
  auto state = LoadByCard(work.event.card);
  if (!state.ok()) {
    o.bytes =
        Unavailable(work.request_id, "the store could not be read: " + state.status().message());
  } else if (*state == nullptr) {
    o.outcome = "unknown_card";
    o.bytes = ErrorReply(
        work.request_id,
        wire::MakeError(v1::UNKNOWN_CARD, "card", "card " + work.event.card + " is not enrolled"));
  } else {
    v1::Reply reply;
    reply.set_request_id(work.request_id);
    *reply.mutable_profile() = wire::EncodeProfile(
        ViewProfile(**state, work.now_ms, *work.rules, work.rfm.get(), &budgets_), work.event.card);
    o.bytes = reply.SerializeAsString();
    o.outcome = "profile";
  }
  return o;
}

Shard::Owed Shard::ProcessChange(Work& work, WriteSet& writes) {
  const Event& e = work.event;
  Owed o{work.reply, "", "", "", work.request_id};
  std::optional<TxnRecord> prior, original;
  if (auto it = group_txns_.find(e.transaction_id); it != group_txns_.end()) {
    prior = it->second;  // staged earlier in this very group
  } else if (!e.transaction_id.empty()) {
    // Claim first, then read: another shard may be committing the same id
    // (sent with another card) right now, and a read before the claim could
    // miss it and apply the id twice. A copy that finds the id claimed waits
    // for that claim's commit and comes back here (TxnClaims, SendHome): it
    // then reads what was committed, so every copy gets the stored reply.
    switch (claims_.ClaimOrWait(e.transaction_id, work, this)) {
      case TxnClaims::Claim::kTaken: break;
      case TxnClaims::Claim::kWaiting:  // `work` (and `e`) moved into the claim
        counters_.copies_waited += 1;
        o.reply = nullptr;
        return o;
      case TxnClaims::Claim::kFull:
        o.outcome = "overloaded";
        o.bytes = ErrorReply(work.request_id,
                             wire::MakeError(v1::OVERLOADED, "",
                                             "too many copies of transactions wait for their "
                                             "first copy; retry with backoff"));
        return o;
    }
    o.claimed_txn = e.transaction_id;
    auto p = store_.GetTxn(e.transaction_id);
    if (!p.ok()) {
      o.bytes =
          Unavailable(work.request_id, "the store could not be read: " + p.status().message());
      return o;
    }
    prior = std::move(*p);
    // Later copies in this group replay it from here, without the claim.
    if (prior) group_txns_.emplace(e.transaction_id, *prior);
  }
  if (!e.original_transaction_id.empty()) {
    auto p = LoadTxn(e.original_transaction_id);
    if (!p.ok()) {
      o.bytes =
          Unavailable(work.request_id, "the store could not be read: " + p.status().message());
      return o;
    }
    original = std::move(*p);
  }
  auto state = LoadByCard(e.card);
  if (!state.ok()) {
    o.bytes =
        Unavailable(work.request_id, "the store could not be read: " + state.status().message());
    return o;
  }
  if (*state == nullptr && !prior &&
      (e.kind == EventKind::kEnroll || e.kind == EventKind::kPurchase)) {
    if (auto refusal = CheckNewCustomerId(work, o)) {
      o.outcome = "invalid_field";
      o.bytes = std::move(*refusal);
      return o;
    }
  }
  DecideResult result =
      Decide(DecideInput{e, *state, prior ? &*prior : nullptr, original ? &*original : nullptr,
                         *work.rules, work.now_ms, &budgets_, work.rfm.get()});
  if (result.replay) {
    counters_.replays += 1;
    o.outcome = "replay";
    o.bytes =
        wire::SerializeDecisionReply(work.request_id, prior->reply, wire::ReplyOrigin::kStored);
    return o;
  }
  o.outcome = OutcomeName(result.decision.outcome);
  if (auto error = wire::OutcomeAsError(result.decision)) {
    o.bytes = ErrorReply(work.request_id, *error);
    return o;
  }
  Stage(work, result, writes, o);
  return o;
}

// Expiry and tier review for a customer who may not come back (no reply).
Shard::Owed Shard::ProcessSweep(Work& work, WriteSet& writes) {
  Owed o{nullptr, "", "", "", 0};
  auto state = LoadByCard(work.event.card);
  if (!state.ok() || *state == nullptr) return o;  // the next sweep tries again
  DecideResult result = Sweep(**state, *work.rules, work.now_ms);
  if (!result.effects.state) return o;
  StageEffects(work, result.effects, writes);
  counters_.swept += 1;
  return o;
}

// A new card becomes customer `customer_id` (or the card number): refuse an
// id that already belongs to another card, even one being enrolled right now
// on another shard.
std::optional<std::string> Shard::CheckNewCustomerId(const Work& work, Owed& owed) {
  const Event& e = work.event;
  const std::string id = e.customer_id.empty() ? e.card : e.customer_id;
  // \x01 cannot occur in an id (printable ASCII), so no txn id collides.
  const std::string claim = "\x01customer:" + id;
  if (!claims_.TryClaim(claim)) {
    return Unavailable(work.request_id, "customer " + id + " is being enrolled right now; retry");
  }
  owed.extra_claim = claim;
  auto existing = store_.GetCustomer(id);
  if (!existing.ok()) {
    return Unavailable(work.request_id,
                       "the store could not be read: " + existing.status().message());
  }
  if (existing->has_value() || new_customers_.count(id) > 0) {
    const std::string field = e.customer_id.empty() ? "card" : "customer_id";
    return ErrorReply(work.request_id,
                      wire::MakeError(v1::INVALID_FIELD, field,
                                      "customer id " + id + " already belongs to another card"));
  }
  new_customers_.insert(id);
  return std::nullopt;
}

// Puts the decision's effects in the group's batch and in shard memory; the
// reply is the stored decision, exactly as a retry will get it.
void Shard::Stage(Work& work, DecideResult& result, WriteSet& writes, Owed& owed) {
  const std::string decision_bytes = wire::EncodeDecision(result.decision).SerializeAsString();
  Effects& fx = result.effects;
  if (fx.txn) {
    fx.txn->reply = decision_bytes;
    writes.PutTxn(*fx.txn, work.now_ms);
    group_txns_[fx.txn->transaction_id] = std::move(*fx.txn);
  }
  StageEffects(work, fx, writes);
  owed.bytes =
      wire::SerializeDecisionReply(work.request_id, decision_bytes, wire::ReplyOrigin::kDecidedNow);
}

// The writes every decision and sweep share: the returned or cancelled
// original, the ledger, the customer's state (memory ahead of the disk by
// one group).
void Shard::StageEffects(const Work& work, Effects& fx, WriteSet& writes) {
  if (fx.original) {
    writes.PutTxn(*fx.original, work.now_ms);
    group_txns_[fx.original->transaction_id] = std::move(*fx.original);
  }
  for (const LedgerEntry& entry : fx.ledger) writes.PutLedger(entry);
  if (fx.state) {
    writes.PutCustomer(*fx.state);
    if (fx.link_card) writes.PutCard(work.event.card, fx.state->customer_id);
    by_card_[work.event.card] = std::make_shared<const CustomerState>(std::move(*fx.state));
    group_cards_.emplace_back(work.event.card, work.now_ms);
  }
}

}  // namespace loyalty
