// The runtime driven without a disk, a network or protobuf: a MemoryStore, a
// plain-text DecisionCodec and a fixed clock (engine/runtime/ports.h).
#include "engine/runtime/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <numeric>
#include <set>
#include <thread>

#include "engine/runtime/memory_store.h"
#include "tests/support/events.h"

namespace loyalty {
namespace {

using testing::kT0;
using testing::L;

// Enough of a decision to tell two apart; the runtime only stores the bytes.
class TextCodec final : public DecisionCodec {
 public:
  std::string Encode(const Decision& d) const override {
    return std::string(OutcomeName(d.outcome)) + " " + d.transaction_id + " +" +
           std::to_string(d.points_earned) + " balance " + std::to_string(d.balances.balance);
  }
};

class RuntimeTest : public ::testing::Test {
 protected:
  void Start(RuleSet rules, std::size_t shards = 2, std::set<std::string> outbox_types = {}) {
    RuntimeOptions options;
    options.shards = shards;
    options.sweep_interval_ms = 0;
    options.outbox_types = std::move(outbox_types);
    runtime_ =
        std::make_unique<Runtime>(store_, codec_, std::make_shared<const RuleSet>(std::move(rules)),
                                  options, [this] { return now_.load(); });
    ASSERT_TRUE(runtime_->status().ok());
  }
  std::future<Answer> Send(Event e) {
    auto promise = std::make_shared<std::promise<Answer>>();
    auto future = promise->get_future();
    runtime_->Submit(1, std::move(e), [promise](Answer a) { promise->set_value(std::move(a)); });
    return future;
  }
  Answer Call(Event e) {
    auto f = Send(std::move(e));
    EXPECT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return f.get();
  }
  template <typename Condition>
  static bool WaitFor(Condition done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }
  int64_t Balance(const std::string& customer_id) {
    auto c = store_.GetCustomer(customer_id);
    EXPECT_TRUE(c.ok() && c->has_value());
    return c.ok() && c->has_value() ? (*c)->balance() : -1;
  }

  std::atomic<TimeMs> now_{kT0};
  MemoryStore store_;
  TextCodec codec_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(RuntimeTest, AppliesOnceAndAnswersARetryWithTheStoredBytes) {
  Start(RuleSet{});
  const Answer first = Call(testing::Purchase("T-1", "C1", {L("A", 1, 1234)}));
  ASSERT_EQ(first.kind, AnswerKind::kDecided) << first.message;
  EXPECT_EQ(first.decision_bytes, "applied T-1 +12 balance 12");
  const Answer again = Call(testing::Purchase("T-1", "C1", {L("A", 1, 1234)}));
  EXPECT_EQ(again.kind, AnswerKind::kReplayed);
  EXPECT_EQ(again.decision_bytes, first.decision_bytes);
  const Answer other = Call(testing::Purchase("T-1", "C1", {L("A", 1, 999)}));
  EXPECT_EQ(other.kind, AnswerKind::kRefused);
  EXPECT_EQ(other.outcome, Outcome::kDuplicateDifferentPayload);
  EXPECT_EQ(Balance("C1"), 12);
  EXPECT_EQ(runtime_->stats().replays, 1u);
}

TEST_F(RuntimeTest, AHotLookupReadsOnlyWhatIsCommitted) {
  Start(RuleSet{});
  EXPECT_EQ(Call(testing::Lookup("C1")).kind, AnswerKind::kUnknownCard);
  ASSERT_EQ(Call(testing::Purchase("T-1", "C1", {L("A", 1, 5000)})).kind, AnswerKind::kDecided);
  const Answer seen = Call(testing::Lookup("C1"));
  ASSERT_EQ(seen.kind, AnswerKind::kProfile);
  EXPECT_EQ(seen.profile->balances.balance, 50);
  EXPECT_EQ(runtime_->stats().lookups_direct, 1u);
}

TEST_F(RuntimeTest, AnInvalidEventIsAnsweredAtOnceAndNeverReachesAShard) {
  Start(RuleSet{});
  const Answer a = Call(testing::Purchase("T-1", "C1", {L("A", 0, 1234)}));
  EXPECT_EQ(a.kind, AnswerKind::kInvalid);
  EXPECT_FALSE(a.field.empty());
  EXPECT_EQ(runtime_->stats().events, 0u);
  EXPECT_EQ(store_.commits(), 0u);
}

// A commit that fails fails its group: the outcome is unknown, and a retry
// with the same transaction id is applied exactly once, whether the failed
// write reached the store or not.
TEST_F(RuntimeTest, AFailedCommitAnswersUnavailableAndARetryAppliesOnce) {
  Start(RuleSet{}, 1);
  store_.FailCommits(1, MemoryStore::Failure::kNotWritten);
  Answer a = Call(testing::Purchase("T-1", "C1", {L("A", 1, 1000)}));
  EXPECT_EQ(a.kind, AnswerKind::kUnavailable);
  EXPECT_NE(a.message.find("retry with the same transaction id"), std::string::npos);
  EXPECT_EQ(Call(testing::Purchase("T-1", "C1", {L("A", 1, 1000)})).kind, AnswerKind::kDecided);
  EXPECT_EQ(Balance("C1"), 10);

  store_.FailCommits(1, MemoryStore::Failure::kWrittenButFailed);
  a = Call(testing::Purchase("T-2", "C1", {L("A", 1, 1000)}));
  EXPECT_EQ(a.kind, AnswerKind::kUnavailable);
  EXPECT_EQ(Call(testing::Purchase("T-2", "C1", {L("A", 1, 1000)})).kind, AnswerKind::kReplayed);
  EXPECT_EQ(Balance("C1"), 20);
  EXPECT_EQ(runtime_->stats().commit_failures, 2u);
}

// A channel's records (an admin adjustment's audit entry) are written in the
// batch of the decision they go with: both or neither, whatever the commit
// does, and once per transaction, however often it is retried.
TEST_F(RuntimeTest, RecordsWithAnEventAreCommittedWithItsDecisionOnce) {
  Start(RuleSet{}, 1);
  int staged = 0;
  auto send = [&](const std::string& txn) {
    auto promise = std::make_shared<std::promise<Answer>>();
    auto future = promise->get_future();
    runtime_->Submit(
        1, testing::Purchase(txn, "C1", {L("A", 1, 1000)}),
        [promise](Answer a) { promise->set_value(std::move(a)); },
        [&staged, txn](const Decision& d) {
          staged += 1;
          return CommitRecords{{"audit/" + txn, OutcomeName(d.outcome)}};
        });
    EXPECT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return future.get();
  };
  EXPECT_EQ(send("T-1").kind, AnswerKind::kDecided);
  EXPECT_EQ(send("T-1").kind, AnswerKind::kReplayed);  // a retry: no second record
  EXPECT_EQ(store_.Records(), (std::map<std::string, std::string>{{"audit/T-1", "applied"}}));

  // A commit that writes nothing writes no record either; its retry writes both.
  store_.FailCommits(1, MemoryStore::Failure::kNotWritten);
  EXPECT_EQ(send("T-2").kind, AnswerKind::kUnavailable);
  EXPECT_EQ(store_.Records().count("audit/T-2"), 0u);
  EXPECT_EQ(Balance("C1"), 10);
  EXPECT_EQ(send("T-2").kind, AnswerKind::kDecided);
  EXPECT_EQ(store_.Records().count("audit/T-2"), 1u);
  EXPECT_EQ(Balance("C1"), 20);
  EXPECT_EQ(staged, 3);  // T-1 once, T-2 for the failed commit and its retry
}

// While group 1 is being committed, group 2 is decided on the state group 1
// leaves. When group 1's commit fails, group 2 fails with it, unwritten,
// though its own commit would have worked; retries then apply both once.
TEST_F(RuntimeTest, AGroupDecidedOnTopOfAFailedCommitFailsWithIt) {
  Start(RuleSet{}, 1);
  store_.HoldCommits(true);
  auto first = Send(testing::Purchase("T-1", "C1", {L("A", 1, 1000)}));
  ASSERT_TRUE(WaitFor([&] { return store_.commits_waiting() == 1; }));
  auto second = Send(testing::Purchase("T-2", "C1", {L("A", 1, 2000)}));
  ASSERT_TRUE(WaitFor([&] { return runtime_->stats().events == 2; }));  // decided, in flight
  store_.FailCommits(1, MemoryStore::Failure::kNotWritten);
  store_.HoldCommits(false);
  EXPECT_EQ(first.get().kind, AnswerKind::kUnavailable);
  const Answer a = second.get();
  EXPECT_EQ(a.kind, AnswerKind::kUnavailable);
  EXPECT_NE(a.message.find("retry with the same transaction id"), std::string::npos);
  EXPECT_EQ(store_.commits(), 1u);  // the second group was never written
  EXPECT_FALSE(store_.GetCustomer("C1")->has_value());

  EXPECT_EQ(Call(testing::Purchase("T-2", "C1", {L("A", 1, 2000)})).decision_bytes,
            "applied T-2 +20 balance 20");
  EXPECT_EQ(Call(testing::Purchase("T-1", "C1", {L("A", 1, 1000)})).decision_bytes,
            "applied T-1 +10 balance 30");
  EXPECT_EQ(Balance("C1"), 30);
}

// Many registers on two shards draw one budget at once: exactly the budget is
// awarded, never more, and what the shards wrote adds up to it.
TEST_F(RuntimeTest, ABudgetDrawnFromEveryShardAtOnceIsNeverOvershot) {
  RuleSet rules;
  EarnRule bonus;
  bonus.id = "launch";
  bonus.bonus_points = 7;
  bonus.budget_points = 100;
  rules.earn_rules.push_back(bonus);
  Start(rules, 2);
  std::vector<std::future<Answer>> answers;
  for (int i = 0; i < 40; ++i) {
    answers.push_back(Send(
        testing::Purchase("T-" + std::to_string(i), "C" + std::to_string(i), {L("A", 1, 100)})));
  }
  for (auto& f : answers) ASSERT_EQ(f.get().kind, AnswerKind::kDecided);
  EXPECT_EQ(runtime_->BudgetTotals().at("launch"), 100);
  int64_t written = 0;
  ASSERT_TRUE(store_
                  .ForEachBudgetUsed([&](const std::string& id, uint32_t, int64_t used) {
                    if (id == "launch") written += used;
                  })
                  .ok());
  EXPECT_EQ(written, 100);
  int64_t balances = 0;
  for (int i = 0; i < 40; ++i) balances += Balance("C" + std::to_string(i));
  EXPECT_EQ(balances, 40 * 1 + 100);  // a point each, and the whole budget
}

// Expiring-points notices (issue 15): the sweep marks each lot that expires
// within program.expiry.notice_days and stages one loyalty.points.expiring
// for it; a later sweep sends nothing again, and without notice_days none.
TEST_F(RuntimeTest, TheSweepSendsOneExpiringNoticePerLotOnce) {
  RuleSet rules;
  rules.program.expiry_days = 30;
  rules.program.expiry_notice_days = 7;
  Start(rules, 2, {"loyalty.points.expiring"});
  ASSERT_EQ(Call(testing::Purchase("T-1", "C1", {L("A", 1, 5000)})).kind, AnswerKind::kDecided);
  now_ = kT0 + 5 * kMsPerDay;
  ASSERT_EQ(Call(testing::Purchase("T-2", "C2", {L("A", 1, 2000)}, now_)).kind,
            AnswerKind::kDecided);
  auto notices = [&] {
    std::vector<std::string> found;
    for (const auto& [who, json] : store_.Outbox()) {
      if (json.find("\"loyalty.points.expiring\"") != std::string::npos) found.push_back(json);
    }
    return found;
  };
  // Day 20: 11 days left for C1, none due yet.
  ASSERT_EQ(runtime_->SweepDue(kT0 + 20 * kMsPerDay).value(), 0u);
  // Day 24: C1's lot (expiring on day 31) has 7 days left, C2's 12.
  ASSERT_EQ(runtime_->SweepDue(kT0 + 24 * kMsPerDay).value(), 1u);
  ASSERT_TRUE(WaitFor([&] { return notices().size() == 1; }));
  EXPECT_NE(notices()[0].find("\"points\":50"), std::string::npos) << notices()[0];
  EXPECT_NE(notices()[0].find("\"days_left\":7"), std::string::npos) << notices()[0];
  EXPECT_NE(notices()[0].find("\"expires_on\":\"2026-02-01\""), std::string::npos) << notices()[0];
  // Day 25: C1's lot was told; C2's has 11 days: nothing due.
  EXPECT_EQ(runtime_->SweepDue(kT0 + 25 * kMsPerDay).value(), 0u);
  // Day 29: C2's turn, once.
  ASSERT_EQ(runtime_->SweepDue(kT0 + 29 * kMsPerDay).value(), 1u);
  ASSERT_TRUE(WaitFor([&] { return notices().size() == 2; }));
  EXPECT_EQ(runtime_->SweepDue(kT0 + 29 * kMsPerDay + 1).value(), 0u);
  auto c1 = store_.GetCustomer("C1");
  ASSERT_TRUE(c1.ok() && c1->has_value());
  ASSERT_EQ((*c1)->lots.size(), 1u);
  EXPECT_TRUE((*c1)->lots[0].noticed);
  runtime_->Stop();
  EXPECT_EQ(notices().size(), 2u);
}

TEST_F(RuntimeTest, WithoutNoticeDaysNoLotIsEverDueForANotice) {
  RuleSet rules;
  rules.program.expiry_days = 30;
  Start(rules, 2, {"loyalty.points.expiring"});
  ASSERT_EQ(Call(testing::Purchase("T-1", "C1", {L("A", 1, 5000)})).kind, AnswerKind::kDecided);
  EXPECT_EQ(runtime_->SweepDue(kT0 + 29 * kMsPerDay).value(), 0u);
  runtime_->Stop();
  EXPECT_TRUE(store_.Outbox().empty());
}

// The win-back trigger (issue 15): the sweep tells the CRM once when a
// customer's churn risk reaches churn.alert_at; a purchase starts a new lapse.
TEST_F(RuntimeTest, TheSweepTellsOnceWhenAChurnRiskCrossesTheAlertThreshold) {
  RuleSet rules;
  rules.churn.first_interval_days = 10;  // a one-time buyer is late after 10 days
  rules.churn.lost_after_intervals = 3;  // and lost after 30: risk 0.5 on day 20
  rules.churn.alert_permille = 500;
  Start(rules, 2, {"loyalty.churn.risk_crossed"});
  ASSERT_EQ(Call(testing::Purchase("T-1", "C1", {L("A", 1, 5000)})).kind, AnswerKind::kDecided);
  auto alerts = [&] {
    std::vector<std::string> found;
    for (const auto& [who, json] : store_.Outbox()) {
      if (json.find("\"loyalty.churn.risk_crossed\"") != std::string::npos) found.push_back(json);
    }
    return found;
  };
  EXPECT_EQ(runtime_->SweepDue(kT0 + 19 * kMsPerDay).value(), 0u);  // risk 0.45
  ASSERT_EQ(runtime_->SweepDue(kT0 + 20 * kMsPerDay).value(), 1u);  // 0.5
  ASSERT_TRUE(WaitFor([&] { return alerts().size() == 1; }));
  EXPECT_NE(alerts()[0].find("\"churn_risk_permille\":500"), std::string::npos) << alerts()[0];
  EXPECT_NE(alerts()[0].find("\"purpose\":\"marketing\""), std::string::npos) << alerts()[0];
  EXPECT_EQ(runtime_->SweepDue(kT0 + 25 * kMsPerDay).value(), 0u);  // told already
  // The customer comes back, then lapses again: a second alert.
  now_ = kT0 + 26 * kMsPerDay;
  ASSERT_EQ(Call(testing::Purchase("T-2", "C1", {L("A", 1, 5000)}, now_)).kind,
            AnswerKind::kDecided);
  EXPECT_EQ(runtime_->SweepDue(kT0 + 30 * kMsPerDay).value(), 0u);
  ASSERT_EQ(runtime_->SweepDue(kT0 + 80 * kMsPerDay).value(), 1u);
  ASSERT_TRUE(WaitFor([&] { return alerts().size() == 2; }));
  runtime_->Stop();
}

// The lifecycle stage moves with sales (tester, then account) and with time
// (the visits leave the 12-month window: the sweep sees it), told once each.
TEST_F(RuntimeTest, ALifecycleStageThatMovesIsToldBySaleOrBySweepOnce) {
  RuleSet rules;
  rules.lifecycle.buyer_purchases = 2;
  rules.lifecycle.account_visits_12m = 2;
  rules.lifecycle.account_categories = 0;
  Start(rules, 2, {"loyalty.lifecycle.changed"});
  auto moves = [&] {
    std::vector<std::string> found;
    for (const auto& [who, json] : store_.Outbox()) {
      const auto from = json.find("\"from\":\"");
      if (from != std::string::npos)
        found.push_back(json.substr(from, json.find(",\"tier") - from));
    }
    return found;
  };
  ASSERT_EQ(Call(testing::Purchase("T-1", "C1", {L("A", 1, 5000)})).kind, AnswerKind::kDecided);
  EXPECT_TRUE(moves().empty());  // a new customer: the enrolment says it
  ASSERT_EQ(Call(testing::Purchase("T-2", "C1", {L("A", 1, 5000)})).kind, AnswerKind::kDecided);
  ASSERT_EQ(moves(), std::vector<std::string>{R"("from":"tester","to":"account")"});
  EXPECT_EQ(runtime_->SweepDue(kT0 + 300 * kMsPerDay).value(), 0u);  // still an account
  ASSERT_EQ(runtime_->SweepDue(kT0 + 400 * kMsPerDay).value(), 1u);  // both visits are old
  ASSERT_TRUE(WaitFor([&] { return moves().size() == 2; }));
  EXPECT_EQ(moves()[1], R"("from":"account","to":"buyer")");
  EXPECT_NE(store_.Outbox().back().second.find("\"purpose\":\"marketing\""), std::string::npos);
  EXPECT_EQ(runtime_->SweepDue(kT0 + 401 * kMsPerDay).value(), 0u);  // told already
  runtime_->Stop();
}

// A feedback comment is personal data kept for program.comment_retention_days:
// the sweep drops it then, and keeps the score.
TEST_F(RuntimeTest, TheSweepDropsAFeedbackCommentPastItsRetention) {
  RuleSet rules;
  rules.program.comment_retention_days = 30;
  Start(rules);
  ASSERT_EQ(Call(testing::Purchase("T-1", "C1", {L("A", 1, 5000)})).kind, AnswerKind::kDecided);
  Event feedback = testing::Purchase("F-1", "C1", {});
  feedback.kind = EventKind::kFeedback;
  feedback.lines.clear();
  feedback.currency.clear();
  feedback.score = 4;
  feedback.comment = "the cashier at till 3 was rude";
  const Answer told = Call(feedback);
  ASSERT_EQ(told.kind, AnswerKind::kDecided) << told.message;
  auto customer = [&] { return *store_.GetCustomer("C1").value(); };
  EXPECT_EQ(customer().nps_comment, "the cashier at till 3 was rude");
  EXPECT_EQ(runtime_->SweepDue(kT0 + 29 * kMsPerDay).value(), 0u);
  ASSERT_EQ(runtime_->SweepDue(kT0 + 30 * kMsPerDay).value(), 1u);
  ASSERT_TRUE(WaitFor([&] { return customer().nps_comment.empty(); }));
  EXPECT_EQ(customer().nps_score, 4);
  EXPECT_EQ(runtime_->SweepDue(kT0 + 31 * kMsPerDay).value(), 0u);
  runtime_->Stop();
}

int64_t LedgerSum(const MemoryStore& store, const std::string& customer_id) {
  int64_t sum = 0;
  for (const LedgerEntry& e : store.Ledger(customer_id)) sum += e.points;
  return sum;
}

// Sales on two customers' cards (one of them a linked second card, seen
// first on another shard) run from three threads while the two customers are
// merged: every sale is applied once, to one copy of the customer, and both
// ledgers still sum to their balances.
TEST_F(RuntimeTest, AMergeWhileSalesRunOnBothCustomersLosesNothing) {
  Start(RuleSet{}, 4);
  ASSERT_EQ(Call(testing::Purchase("T-A", "CA", {L("A", 1, 1000)})).kind, AnswerKind::kDecided);
  ASSERT_EQ(Call(testing::Purchase("T-B", "CB", {L("A", 1, 1000)})).kind, AnswerKind::kDecided);
  const Answer linked = Call(testing::LinkCard("CA", "CA2"));
  ASSERT_EQ(linked.kind, AnswerKind::kDecided) << linked.message;
  EXPECT_EQ(Call(testing::LinkCard("CA", "CA2")).outcome, Outcome::kAlreadyEnrolled);
  EXPECT_EQ(Call(testing::LinkCard("CA", "CB")).field, "card");  // someone else's

  constexpr int kSales = 150;
  std::vector<std::future<Answer>> answers;
  std::mutex mu;
  auto sell = [&](const std::string& card) {
    for (int i = 0; i < kSales; ++i) {
      auto f = Send(testing::Purchase(card + "-" + std::to_string(i), card, {L("A", 1, 100)}));
      std::lock_guard lock(mu);
      answers.push_back(std::move(f));
    }
  };
  std::thread t1(sell, "CA"), t2(sell, "CA2"), t3(sell, "CB");
  const Answer merged = Call(testing::Merge("M-1", "CA", "CB"));
  t1.join();
  t2.join();
  t3.join();
  ASSERT_EQ(merged.kind, AnswerKind::kDecided) << merged.message;
  for (auto& f : answers) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    const Answer a = f.get();
    ASSERT_EQ(a.kind, AnswerKind::kDecided) << a.message;
  }
  EXPECT_EQ(Call(testing::Merge("M-1", "CA", "CB")).kind, AnswerKind::kReplayed);
  EXPECT_EQ(Call(testing::Merge("M-2", "CA", "CB")).field, "merged_card");  // one customer now

  // 10 + 10 for the first sales, 1 per sale after.
  EXPECT_EQ(Balance("CA"), 20 + 3 * kSales);
  EXPECT_EQ(Balance("CB"), 0);
  EXPECT_EQ(LedgerSum(store_, "CA"), Balance("CA"));
  EXPECT_EQ(LedgerSum(store_, "CB"), 0);
  auto a = store_.GetCustomer("CA");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->visits, 2 + 3 * kSales);
  EXPECT_EQ((*a)->cards, (std::vector<std::string>{"CA", "CA2", "CB"}));
  EXPECT_EQ((*store_.GetCustomer("CB"))->merged_into, "CA");
  const Answer seen = Call(testing::Lookup("CB"));
  ASSERT_EQ(seen.kind, AnswerKind::kProfile);
  EXPECT_EQ(seen.state->customer_id, "CA");
}

}  // namespace
}  // namespace loyalty
