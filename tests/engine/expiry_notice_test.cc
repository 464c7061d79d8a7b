// Expiring-points notices in the core (issue 15): what the sweep marks and
// what the outbox derives from the states before and after, once per lot.
#include <gtest/gtest.h>

#include "engine/lots.h"
#include "engine/outbox.h"
#include "tests/support/events.h"
#include "tests/support/world.h"

namespace loyalty {
namespace {

using testing::kT0;
using testing::L;

// kT0 is a midnight: points earned that day expire 31 days later (rolling 30).
constexpr TimeMs kExpiresAt = kT0 + 31 * kMsPerDay;

RuleSet Rules(int32_t notice_days) {
  RuleSet r;
  r.program.expiry_days = 30;
  r.program.expiry_notice_days = notice_days;
  return r;
}

struct Swept {
  std::vector<OutboxEvent> events;
  CustomerState state;
  bool changed = false;
};

// One sweep of `before` and the events the outbox stages for it.
Swept SweepOnce(const CustomerState& before, const RuleSet& rules, TimeMs now_ms) {
  DecideResult r = Sweep(before, rules, now_ms);
  if (!r.effects.state) return {{}, before, false};
  const OutboxChange change{nullptr, &before, &*r.effects.state, nullptr, &r.effects.ledger,
                            &rules,  now_ms};
  const std::set<std::string> all(std::begin(kOutboxTypes), std::end(kOutboxTypes));
  return {OutboxEventsOf(change, all), *r.effects.state, true};
}

std::vector<std::string> TypesOf(const std::vector<OutboxEvent>& events) {
  std::vector<std::string> out;
  for (const OutboxEvent& e : events) out.push_back(e.type);
  return out;
}

TEST(ExpiryNoticeTest, OneNoticePerLotThenNeverAgainThenTheExpiry) {
  testing::World w(Rules(7));
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 1234)}), kT0);
  const CustomerState start = w.Customer("C");
  EXPECT_FALSE(SweepOnce(start, w.rules(), kExpiresAt - 8 * kMsPerDay).changed);

  Swept noticed = SweepOnce(start, w.rules(), kExpiresAt - 6 * kMsPerDay - 3'600'000);
  ASSERT_EQ(TypesOf(noticed.events), std::vector<std::string>{"loyalty.points.expiring"});
  EXPECT_EQ(noticed.events[0].id,
            "expiring:C:" + std::to_string(kT0) + ":" + std::to_string(kExpiresAt));
  EXPECT_NE(noticed.events[0].data.find("\"points\":12,"), std::string::npos);
  EXPECT_NE(noticed.events[0].data.find("\"days_left\":7,"), std::string::npos);
  ASSERT_EQ(noticed.state.lots.size(), 1u);
  EXPECT_TRUE(noticed.state.lots[0].noticed);

  Swept again = SweepOnce(noticed.state, w.rules(), kExpiresAt - kMsPerDay);
  EXPECT_FALSE(again.changed);
  Swept expired = SweepOnce(noticed.state, w.rules(), kExpiresAt);
  EXPECT_EQ(TypesOf(expired.events), std::vector<std::string>{"loyalty.points.expired"});
}

TEST(ExpiryNoticeTest, APartlySpentLotNoticesWhatIsLeft) {
  testing::World w(Rules(14));
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 1234)}), kT0);
  ASSERT_EQ(w.Apply(testing::Redeem("R-1", "C", 5, 1000), kT0).decision.outcome, Outcome::kApplied);
  Swept s = SweepOnce(w.Customer("C"), w.rules(), kExpiresAt - 10 * kMsPerDay);
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_NE(s.events[0].data.find("\"points\":7,"), std::string::npos) << s.events[0].data;
  EXPECT_NE(s.events[0].data.find("\"balance\":7,"), std::string::npos) << s.events[0].data;
}

TEST(ExpiryNoticeTest, AnAlreadyExpiredLotSendsTheExpiredEventAndNoNotice) {
  testing::World w(Rules(7));
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 1234)}), kT0);
  Swept s = SweepOnce(w.Customer("C"), w.rules(), kExpiresAt + kMsPerDay);
  EXPECT_EQ(TypesOf(s.events), std::vector<std::string>{"loyalty.points.expired"});
}

// A noticed lot spent whole and given back (a cancelled redemption) comes
// back noticed: the slice keeps the notice, so no second one goes out.
TEST(ExpiryNoticeTest, PointsGivenBackAfterTheNoticeAreNotAnnouncedAgain) {
  const RuleSet rules = Rules(7);
  const TimeMs now = kExpiresAt - 5 * kMsPerDay;
  testing::World w(rules);
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 10000)}), kT0);
  CustomerState s = w.Customer("C");
  Swept noticed = SweepOnce(s, rules, now);
  ASSERT_EQ(noticed.events.size(), 1u);
  s = noticed.state;
  std::vector<SpentSlice> slices;
  SpendLots(s, 100, "R-1", now, &slices);
  ASSERT_TRUE(s.lots.empty());
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_TRUE(slices[0].noticed);
  RestoreSlices(s, slices, 0, 100, "X-1", now);
  ASSERT_EQ(s.lots.size(), 1u);
  EXPECT_TRUE(s.lots[0].noticed);
  EXPECT_FALSE(SweepOnce(s, rules, now + kMsPerDay).changed);
}

TEST(ExpiryNoticeTest, NoticeDaysWithPointsThatNeverExpireAreRefused) {
  RuleSet r = Rules(7);
  r.program.expiry_policy = ExpiryPolicy::kNever;
  r.program.expiry_days = 0;
  const Status s = ValidateRuleSet(r);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("program.expiry.notice_days: points never expire"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace loyalty
