#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/yaml/rules_file.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tools/simulate/event_source.h"
#include "tools/simulate/simulator.h"

namespace loyalty::simulate {
namespace {

// A GBP program; points_per_unit varies.
std::string RulesYaml(const std::string& points_per_unit) {
  return "name: p" + points_per_unit +
         "\nversion: 1\nprogram:\n  currency: GBP\n  points_per_unit: " + points_per_unit +
         "\n  rounding: floor\n  pending_days: 0\n  expiry: { policy: rolling, days: 365 }\n"
         "  return_policy: within_balance\n"
         "  redemption: { point_value_minor: 2, min_points: 0, max_share_of_basket: 1 }\n"
         "tiers:\n  - { id: member, name: Member }\n";
}

std::shared_ptr<const RuleSet> Rules(const std::string& points_per_unit) {
  rules_file::Loaded loaded = rules_file::Parse(RulesYaml(points_per_unit), "test.yaml");
  EXPECT_TRUE(loaded.rules) << (loaded.problems.empty() ? "" : loaded.problems[0].ToString());
  return std::make_shared<const RuleSet>(*loaded.rules);
}

// Whole-pound prices, so doubling the rate doubles every basket's points
// exactly (no rounding in between).
constexpr const char* kEvents =
    R"(# two customers, a retry, a duplicate, a return, a lookup, a foreign currency
{"purchase": {"transaction_id": "T1", "store_id": "S1", "card": "A", "event_time_ms": 1291191960000, "currency": "GBP", "lines": [{"sku": "X", "quantity": 2, "unit_price_minor": 1000, "line_total_minor": 2000}, {"sku": "Y", "quantity": 1, "unit_price_minor": 500, "line_total_minor": 500}]}}
{"purchase": {"transaction_id": "T2", "store_id": "S1", "card": "B", "event_time_ms": 1291192000000, "currency": "GBP", "lines": [{"sku": "Z", "quantity": 1, "unit_price_minor": 700, "line_total_minor": 700}]}}

{"purchase": {"transaction_id": "T1", "store_id": "S1", "card": "A", "event_time_ms": 1291192100000, "currency": "GBP", "lines": [{"sku": "X", "quantity": 2, "unit_price_minor": 1000, "line_total_minor": 2000}, {"sku": "Y", "quantity": 1, "unit_price_minor": 500, "line_total_minor": 500}]}}
{"purchase": {"transaction_id": "T2", "store_id": "S1", "card": "B", "event_time_ms": 1291192200000, "currency": "GBP", "lines": [{"sku": "Z", "quantity": 2, "unit_price_minor": 700, "line_total_minor": 1400}]}}
{"purchase_return": {"transaction_id": "R1", "original_transaction_id": "T1", "store_id": "S1", "card": "A", "event_time_ms": 1291278360000, "currency": "GBP", "lines": [{"sku": "X", "quantity": 1}]}}
{"lookup": {"card": "A"}}
{"purchase": {"transaction_id": "T3", "store_id": "S1", "card": "C", "event_time_ms": 1291278400000, "currency": "EUR", "lines": [{"sku": "Z", "quantity": 1, "unit_price_minor": 700, "line_total_minor": 700}]}}
)";

std::string Write(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.Sub(name)) << text;
  return dir.Sub(name);
}

Comparison CompareFile(const std::string& path, const std::string& base, const std::string& cand) {
  auto source = EventSource::Open(path);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  auto c = Compare(**source, Rules(base), Rules(cand));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

TEST(SimulateTest, ASmallEventsFileGivesTheNumbersWorkedOutByHand) {
  testing::TempDir dir;
  const Comparison c = CompareFile(Write(dir, "events.jsonl", kEvents), "1", "1");
  const RunTotals& t = c.baseline;
  EXPECT_EQ(c.requests, 7u);
  EXPECT_EQ(c.lookups, 1u);
  EXPECT_EQ(t.points_issued, 25 + 7);  // 25.00 and 7.00 GBP at one point per pound
  EXPECT_EQ(t.points_reversed, 10);    // one of the two X: 20 points of T1's 25 were X's
  EXPECT_EQ(t.cost_issued_minor(), 32 * 2);
  EXPECT_EQ(t.cost_net_minor(), 22 * 2);
  EXPECT_EQ(t.retries, 1u);                                    // T1 again, same payload
  EXPECT_EQ(t.refused.at("duplicate_different_payload"), 1u);  // T2 again, another basket
  EXPECT_EQ(t.invalid.at("currency"), 1u);                     // T3 in EUR
  EXPECT_EQ(t.customers, 2u);
  EXPECT_EQ(t.customers_earning, 2u);
  EXPECT_EQ(t.points_by_rule.at("base"), 32);
  EXPECT_EQ(c.customers_differ, 0u);  // the same rules twice
  EXPECT_EQ(c.candidate.points_issued, t.points_issued);
}

TEST(SimulateTest, DoublingThePointsPerUnitDoublesTheBasePoints) {
  testing::TempDir dir;
  const Comparison c = CompareFile(Write(dir, "events.jsonl", kEvents), "1", "2");
  EXPECT_EQ(c.candidate.points_by_rule.at("base"), 2 * c.baseline.points_by_rule.at("base"));
  EXPECT_EQ(c.candidate.points_issued, 2 * c.baseline.points_issued);
  EXPECT_EQ(c.candidate.points_reversed, 2 * c.baseline.points_reversed);
  EXPECT_EQ(c.customers_differ, 2u);  // A and B both earn twice as much
}

TEST(SimulateTest, ALineThatIsNotAnEventStopsWithFileAndLine) {
  testing::TempDir dir;
  const std::string path =
      Write(dir, "bad.jsonl",
            "{\"purchase\": {\"transaction_id\": \"T1\"}}\n{\"purchase\": {\"quantity\": 2}}\n");
  auto source = EventSource::Open(path);
  ASSERT_TRUE(source.ok());
  auto c = Compare(**source, Rules("1"), Rules("1"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path + ":2: not an event"), std::string::npos)
      << c.status().message();
}

TEST(SimulateTest, TheCliComparesSideBySideAsJson) {
  testing::TempDir dir;
  const std::string events = Write(dir, "events.jsonl", kEvents);
  const std::string base = Write(dir, "base.yaml", RulesYaml("1"));
  const std::string doubled = Write(dir, "double.yaml", RulesYaml("2"));
  const auto r = testing::RunCli(
      {"rules", "simulate", "--rules", doubled, "--baseline", base, "--events", events, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["baseline"]["points_issued"], 32);
  EXPECT_EQ(j["candidate"]["points_issued"], 64);
  EXPECT_EQ(j["candidate"]["cost_issued_minor"], 128);
  EXPECT_EQ(j["customers_points_differ"], 2);
  EXPECT_EQ(j["currency"], "GBP");
}

TEST(SimulateTest, TheCliRefusesABadRulesFileAndUnreadableEvents) {
  testing::TempDir dir;
  const std::string base = Write(dir, "base.yaml", RulesYaml("1"));
  const std::string bad = Write(dir, "bad.yaml", RulesYaml("-1"));
  EXPECT_EQ(testing::RunCli({"rules", "simulate", "--rules", bad, "--baseline", base, "--events",
                             Write(dir, "e.jsonl", kEvents)})
                .exit_code,
            2);
  EXPECT_EQ(testing::RunCli({"rules", "simulate", "--rules", base, "--baseline", base, "--events",
                             dir.Sub("missing.jsonl")})
                .exit_code,
            2);
}

TEST(SimulateTest, PointsAreShownPerRuleAndABudgetIsNeverOvershot) {
  testing::TempDir dir;
  const std::string events = Write(dir, "events.jsonl", R"(
{"purchase": {"transaction_id": "P1", "store_id": "S1", "card": "A", "event_time_ms": 1291191960000, "currency": "GBP", "lines": [{"sku": "X", "quantity": 1, "unit_price_minor": 2500, "line_total_minor": 2500}]}}
{"purchase": {"transaction_id": "P2", "store_id": "S1", "card": "B", "event_time_ms": 1291192960000, "currency": "GBP", "lines": [{"sku": "X", "quantity": 1, "unit_price_minor": 3000, "line_total_minor": 3000}]}}
{"purchase": {"transaction_id": "P3", "store_id": "S1", "card": "C", "event_time_ms": 1291193960000, "currency": "GBP", "lines": [{"sku": "X", "quantity": 1, "unit_price_minor": 500, "line_total_minor": 500}]}}
)");
  const std::string bonus_yaml =
      RulesYaml("1") +
      "earn_rules:\n  - { id: big-basket, when: { basket_total_min: 20.00 }, bonus_points: 50, "
      "budget_points: 60 }\n";
  rules_file::Loaded bonus = rules_file::Parse(bonus_yaml, "bonus.yaml");
  ASSERT_TRUE(bonus.rules) << bonus.problems[0].ToString();
  auto source = EventSource::Open(events);
  ASSERT_TRUE(source.ok());
  auto c = Compare(**source, Rules("1"), std::make_shared<const RuleSet>(*bonus.rules));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->baseline.points_by_rule, (std::map<std::string, int64_t>{{"base", 60}}));
  // A's basket takes 50 of the budget, B's the 10 left, C's is too small.
  EXPECT_EQ(c->candidate.points_by_rule,
            (std::map<std::string, int64_t>{{"base", 60}, {"big-basket", 60}}));
  EXPECT_EQ(c->customers_differ, 2u);
}

std::shared_ptr<const RuleSet> RulesFrom(const std::string& yaml) {
  rules_file::Loaded loaded = rules_file::Parse(yaml, "test.yaml");
  EXPECT_TRUE(loaded.rules) << (loaded.problems.empty() ? "" : loaded.problems[0].ToString());
  return loaded.rules ? std::make_shared<const RuleSet>(*loaded.rules) : Rules("1");
}

std::string InEuros(std::string yaml) {
  yaml.replace(yaml.find("currency: GBP"), 13, "currency: EUR");
  return yaml;
}

TEST(SimulateTest, RefusesACandidateInAnotherCurrencyThanTheBaseline) {
  testing::TempDir dir;
  auto source = EventSource::Open(Write(dir, "events.jsonl", kEvents));
  ASSERT_TRUE(source.ok());
  auto c = Compare(**source, RulesFrom(InEuros(RulesYaml("1"))), Rules("1"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("the candidate's currency GBP is not the baseline's EUR"),
            std::string::npos)
      << c.status().message();
}

TEST(SimulateTest, RefusesRulesInAnotherCurrencyThanTheEvents) {
  testing::TempDir dir;
  auto source = EventSource::Open(Write(dir, "events.jsonl", kEvents));
  ASSERT_TRUE(source.ok());
  const auto euros = RulesFrom(InEuros(RulesYaml("1")));
  auto c = Compare(**source, euros, euros);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("the events are in GBP (transaction T1) but the rules' "
                                      "currency is EUR"),
            std::string::npos)
      << c.status().message();
}

TEST(SimulateTest, WarnsOfARuleThatMatchesNoLineOfTheEvents) {
  testing::TempDir dir;
  auto source = EventSource::Open(Write(dir, "events.jsonl", kEvents));
  ASSERT_TRUE(source.ok());
  const auto candidate =
      RulesFrom(RulesYaml("1") +
                "earn_rules:\n"
                "  - { id: back-to-school, when: { category: school }, multiplier: 2 }\n"
                "  - { id: x-bonus, when: { sku: [X] }, points_per_item: 5 }\n");
  auto c = Compare(**source, Rules("1"), candidate);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->warnings, std::vector<std::string>{"rule 'back-to-school' (candidate) matched no "
                                                  "line of the events (categories school)"});
}

// Paying with points (issue 19): the simulation decides as the engine does,
// so program.earn_on changes what a basket partly paid with points earns.
// After a 200.00 basket, a 40.00 basket with 100 points (2.00 at 2 pence a
// point) earns on 38.00 under money_paid, the default, on 40.00 under
// whole_basket.
TEST(SimulateTest, EarnOnDecidesWhatABasketPartlyPaidWithPointsEarns) {
  testing::TempDir dir;
  const std::string events = Write(
      dir, "points.jsonl",
      R"({"purchase": {"transaction_id": "P1", "store_id": "S1", "card": "A", "event_time_ms": 1291191960000, "currency": "GBP", "lines": [{"sku": "X", "quantity": 20, "unit_price_minor": 1000, "line_total_minor": 20000}]}}
{"purchase": {"transaction_id": "P2", "store_id": "S1", "card": "A", "event_time_ms": 1291278360000, "currency": "GBP", "redeem_points": 100, "lines": [{"sku": "X", "quantity": 4, "unit_price_minor": 1000, "line_total_minor": 4000}]}}
)");
  auto with = [](const std::string& earn_on) {
    std::string yaml = RulesYaml("1");
    yaml.insert(yaml.find("  rounding: floor"), "  earn_on: " + earn_on + "\n");
    return RulesFrom(yaml);
  };
  auto source = EventSource::Open(events);
  ASSERT_TRUE(source.ok());
  auto c = Compare(**source, RulesFrom(RulesYaml("1")), with("whole_basket"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->baseline.refused.empty() && c->baseline.invalid.empty());
  EXPECT_EQ(c->baseline.points_spent, 100);
  EXPECT_EQ(c->baseline.points_issued, 200 + 38);  // the default: money_paid
  EXPECT_EQ(c->candidate.points_spent, 100);
  EXPECT_EQ(c->candidate.points_issued, 200 + 40);
  EXPECT_EQ(c->customers_differ, 1u);
  source = EventSource::Open(events);
  ASSERT_TRUE(source.ok());
  auto same = Compare(**source, RulesFrom(RulesYaml("1")), with("money_paid"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->candidate.points_issued, 200 + 38);
  EXPECT_EQ(same->customers_differ, 0u);
}

// The real data set: every basket earns at least twice the base rate's
// points and less than one point more than that (floor rounding once per
// basket), so the doubled total lies in [2 x base, 2 x base + purchases).
TEST(SimulateTest, OnTheRealDataSetDoubleRateEarnsDoubleWithinRounding) {
  const std::string csv = std::string(SHARED_DATA_DIR) + "/online_retail_uci_2010-2011.csv.gz";
  const Comparison c = CompareFile(csv, "1", "2");
  const int64_t base = c.baseline.points_by_rule.at("base");
  const int64_t doubled = c.candidate.points_by_rule.at("base");
  EXPECT_GT(base, 1'000'000);
  EXPECT_GE(doubled, 2 * base);
  EXPECT_LT(doubled, 2 * base + static_cast<int64_t>(c.baseline.applied));
  EXPECT_EQ(c.baseline.customers, c.candidate.customers);
  EXPECT_GT(c.customers_differ, 4000u);
  EXPECT_TRUE(c.baseline.invalid.empty()) << c.baseline.invalid.begin()->first;
}

}  // namespace
}  // namespace loyalty::simulate
