// Merges: two customers become one (EventKind::kMerge, the admin API's
// POST /v1/customers/{card}/merge). The two customers may live on two shards,
// so a merge is not a shard's: it runs on the runtime's merge thread, with
// every shard parked between groups (Shard::Pause). Then both customers are
// on disk as last committed and nobody changes them; the merge is decided by
// the core (DecideMerge) and written in one durable batch: both states, the
// pair of ledger entries, the merged customer's cards now leading to the
// survivor, the transaction record, the outbox events. A crash leaves all of
// it or none. The shards then drop what they held of the two and go on; the
// merged customer's cards are routed to the survivor's shard from then on.
// Sales wait for the length of one commit while a merge runs.
#include "engine/outbox.h"
#include "engine/runtime/card_routes.h"
#include "engine/runtime/runtime.h"
#include "engine/runtime/shard.h"
#include "engine/runtime/txn_claims.h"

namespace loyalty {
namespace {

// The customer a card leads to in the store (none: not enrolled).
Result<std::optional<CustomerState>> CustomerOfCard(const DurableStore& store,
                                                    const std::string& card) {
  auto id = store.GetCustomerIdForCard(card);
  if (!id.ok()) return id.status();
  if (!id->has_value()) return std::optional<CustomerState>();
  return store.GetCustomer(**id);
}

}  // namespace

void Runtime::RunMerges() {
  std::unique_lock lock(merge_mu_);
  while (true) {
    merge_cv_.wait(lock, [&] { return !merges_.empty() || merge_stop_; });
    if (merges_.empty()) return;
    Work work = std::move(merges_.front());
    merges_.pop_front();
    lock.unlock();
    Merge(work);
    lock.lock();
  }
}

void Runtime::Merge(Work& work) {
  const Event& e = work.event;
  const uint64_t id = work.request_id;
  auto answer = [&](Answer a) {
    if (options_.observer) {
      options_.observer->OnEvent(EventKind::kMerge, AnswerLabel(a),
                                 (std::chrono::steady_clock::now() - work.accepted).count());
    }
    work.answer(std::move(a));
  };
  auto unavailable = [&](std::string why) {
    answer(Answer::Error(id, AnswerKind::kUnavailable, "", std::move(why)));
  };
  // Every shard parked: everything decided is committed, nothing moves.
  std::vector<std::shared_ptr<ShardPause>> paused;
  std::vector<std::string> forget;
  struct Resume {  // whatever happens below, the shards go on
    std::vector<std::shared_ptr<ShardPause>>& paused;
    std::vector<std::string>& forget;
    ~Resume() {
      for (auto& p : paused) p->Release(forget);
    }
  } resume{paused, forget};
  for (auto& shard : shards_) {
    auto pause = shard->Pause();
    if (!pause) return unavailable("the engine is stopping; retry with the same transaction id");
    paused.push_back(std::move(pause));
  }
  if (!claims_->TryClaim(e.transaction_id)) {
    return unavailable("transaction " + e.transaction_id + " is in flight; retry");
  }
  struct Unclaim {
    TxnClaims& claims;
    const std::string& txn;
    ~Unclaim() {
      for (WaitingCopy& c : claims.Release(txn)) {
        if (c.home->Requeue(std::move(c.work))) continue;
        if (c.work.answer) {
          c.work.answer(Answer::Error(c.work.request_id, AnswerKind::kUnavailable, "",
                                      "the engine is stopping; retry"));
        }
      }
    }
  } unclaim{*claims_, e.transaction_id};

  auto prior = store_.GetTxn(e.transaction_id);
  auto survivor = CustomerOfCard(store_, e.card);
  auto merged = CustomerOfCard(store_, e.merged_card);
  for (const Status* s : {&prior.status(), &survivor.status(), &merged.status()}) {
    if (!s->ok()) return unavailable("the store could not be read: " + s->message());
  }
  if (!prior->has_value()) {  // a retry finds the merged card leading to the survivor
    if (!survivor->has_value()) {
      return answer(Answer::Error(id, AnswerKind::kUnknownCard, "card",
                                  "card " + e.card + " is not enrolled"));
    }
    if (!merged->has_value()) {
      return answer(Answer::Error(id, AnswerKind::kUnknownCard, "merged_card",
                                  "card " + e.merged_card + " is not enrolled"));
    }
    if ((*merged)->customer_id == (*survivor)->customer_id) {
      return answer(Answer::Error(
          id, AnswerKind::kInvalid, "merged_card",
          "cards " + e.card + " and " + e.merged_card + " already belong to the same customer"));
    }
  }
  const CustomerState* before = survivor->has_value() ? &**survivor : nullptr;
  const CustomerState* from = merged->has_value() ? &**merged : nullptr;
  auto rules = work.rules;
  DecideInput in{e,       before,  prior->has_value() ? &**prior : nullptr,
                 nullptr, *rules,  work.now_ms,
                 nullptr, nullptr, from};
  DecideResult result = Decide(in);
  if (result.replay) {
    Answer a;
    a.request_id = id;
    a.kind = AnswerKind::kReplayed;
    a.decision_bytes = (*prior)->reply;
    return answer(std::move(a));
  }
  if (TravelsAsError(result.decision.outcome)) {
    Answer a;
    a.request_id = id;
    a.kind = AnswerKind::kRefused;
    a.outcome = result.decision.outcome;
    a.refusal = std::move(result.decision);
    return answer(std::move(a));
  }
  Effects& fx = result.effects;
  LOYALTY_CHECK(fx.state && fx.merged_state && fx.txn);
  const std::string bytes = codec_.Encode(result.decision);
  std::unique_ptr<StoreBatch> batch = store_.NewBatch();
  fx.txn->reply = bytes;
  batch->PutTxn(*fx.txn, work.now_ms);
  for (const LedgerEntry& entry : fx.ledger) batch->PutLedger(entry);
  batch->PutCustomer(*fx.state);
  batch->PutCustomer(*fx.merged_state);
  for (const std::string& card : fx.moved_cards) batch->PutCard(card, fx.state->customer_id);
  if (!options_.outbox_types.empty()) {
    std::vector<LedgerEntry> mine, theirs;
    for (const LedgerEntry& entry : fx.ledger) {
      (entry.customer_id == fx.state->customer_id ? mine : theirs).push_back(entry);
    }
    const OutboxChange changes[] = {{.event = &e,
                                     .before = before,
                                     .after = &*fx.state,
                                     .decision = &result.decision,
                                     .ledger = &mine,
                                     .rules = rules.get(),
                                     .now_ms = work.now_ms,
                                     .merged = &*fx.merged_state},
                                    {.event = &e,
                                     .before = from,
                                     .after = &*fx.merged_state,
                                     .decision = &result.decision,
                                     .ledger = &theirs,
                                     .rules = rules.get(),
                                     .now_ms = work.now_ms}};
    for (const OutboxChange& change : changes) {
      for (const OutboxEvent& ev : OutboxEventsOf(change, options_.outbox_types)) {
        batch->PutOutbox(ev.customer_id, CloudEventJson(ev, options_.outbox_source));
      }
    }
  }
  if (work.with_commit) {
    for (const auto& [key, value] : work.with_commit(result.decision)) {
      batch->PutRecord(key, value);
    }
  }
  // Whatever the commit's outcome, the shards reload both from the store.
  forget = {RouteCard(*before), RouteCard(*from)};
  const Status committed = store_.Commit(*batch);
  if (!committed.ok()) {
    return unavailable("the store could not commit: " + committed.message() +
                       "; the outcome is unknown, retry with the same transaction id");
  }
  // The merged cards go to the survivor's shard from now on.
  for (const std::string& card : fx.moved_cards) routes_->Learn(card, RouteCard(*fx.state));
  if (options_.on_commit) options_.on_commit(*fx.state, work.now_ms);
  Answer a;
  a.request_id = id;
  a.kind = AnswerKind::kDecided;
  a.outcome = result.decision.outcome;
  a.decision_bytes = bytes;
  answer(std::move(a));
}

}  // namespace loyalty
