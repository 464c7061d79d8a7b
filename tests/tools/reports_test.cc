// Every report by name over customers from a source (tools/report/reports.h):
// what the CLI and the admin API both call.
#include "tools/report/reports.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/support/customers.h"

namespace loyalty::report {
namespace {

using testing::Customer;
using testing::kReportNowMs;

CustomerSource From(const std::vector<CustomerState>& states) {
  return [&states](const CustomerVisit& visit) {
    for (const CustomerState& s : states) {
      if (Status st = visit(s); !st.ok()) return st;
    }
    return Status::Ok();
  };
}

TEST(ReportsTest, EveryNameMakesItsReportAndOnlyChartedOnesDrawOne) {
  const std::vector<CustomerState> states = {Customer("a", 1, 1'000), Customer("b", 3, 9'000),
                                             Customer("p", 0, 0)};
  const RuleSet rules;
  for (const char* name : kReportNames) {
    const auto kind = ReportKindOf(name);
    ASSERT_TRUE(kind) << name;
    EXPECT_STREQ(ReportName(*kind), name);
    auto made = MakeReport({*kind, &rules, 0, Money{}, ""}, From(states));
    ASSERT_TRUE(made.ok()) << name;
    EXPECT_FALSE(made->text.empty()) << name;
    EXPECT_TRUE(made->json.is_object()) << name;
    EXPECT_EQ(made->svg.empty(), !HasChart(*kind)) << name;
  }
  EXPECT_FALSE(ReportKindOf("churn"));
}

TEST(ReportsTest, NowIsTheLatestPurchaseUnlessGiven) {
  const std::vector<CustomerState> states = {Customer("a", 1, 1'000, 10), Customer("b", 2, 500, 3)};
  const RuleSet rules;
  auto made = MakeReport({ReportKind::kLifecycle, &rules, 0, Money{}, ""}, From(states));
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made->json["as_of_ms"], kReportNowMs - 3 * kMsPerDay);
  made = MakeReport({ReportKind::kLifecycle, &rules, kReportNowMs, Money{}, ""}, From(states));
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made->json["as_of_ms"], kReportNowMs);
  EXPECT_EQ(made->json["customers"], 2);
}

// What a marketer reads, in every report's text and chart, never says
// "minor units", never shows a raw time in milliseconds, and never counts
// "1 customers" or "1 visits": checked over populations where every count
// is one (issue 19).
std::vector<std::string> MisReadings(const std::string& rendered) {
  // The words people read: an SVG's text, not its attributes.
  const std::string words = std::regex_replace(rendered, std::regex("<[^>]*>"), "\n");
  std::vector<std::string> found;
  if (words.find("minor") != std::string::npos) found.push_back("minor units");
  if (words.find("_ms") != std::string::npos) found.push_back("_ms");
  const std::regex raw_time(R"(\d{10,})"), one_many(R"((^|[^\d.,+-])1 ([a-z]+s)\b)");
  for (std::sregex_iterator it(words.begin(), words.end(), raw_time), end; it != end; ++it)
    found.push_back("raw time " + it->str());
  for (std::sregex_iterator it(words.begin(), words.end(), one_many), end; it != end; ++it) {
    static const std::set<std::string> kSingular = {"bonus", "status", "less", "class"};
    if (kSingular.count((*it)[2].str()) == 0) found.push_back("'1 " + (*it)[2].str() + "'");
  }
  return found;
}

TEST(ReportsTest, OneOfEverythingReadsAsPeopleWriteIt) {
  RuleSet rules;
  rules.program.currency = "GBP";
  Offer welcome;
  welcome.id = "welcome";
  welcome.name = "Welcome";
  rules.offers.push_back(welcome);
  CustomerState a = Customer("a", 1, 1'234, 3);
  a.nps_score = 9;
  a.nps_store = "S1";
  a.nps_at_ms = kReportNowMs - kMsPerDay;
  a.feedbacks = 1;
  a.offer_uses = {{"welcome", false, kReportNowMs - 5 * kMsPerDay, kReportNowMs - 5 * kMsPerDay, 1,
                   1, 1'234, 1}};
  CustomerState h = Customer("h", 1, 800, 2);
  h.offer_uses = {
      {"welcome", true, kReportNowMs - 5 * kMsPerDay, kReportNowMs - 5 * kMsPerDay, 1, 0, 800, 1}};
  for (const std::vector<CustomerState>& states :
       {std::vector<CustomerState>{a}, std::vector<CustomerState>{a, h}}) {
    for (const char* name : kReportNames) {
      auto made = MakeReport({*ReportKindOf(name), &rules, 0, Money{"GBP"}, ""}, From(states));
      ASSERT_TRUE(made.ok()) << name;
      EXPECT_EQ(MisReadings(made->text), std::vector<std::string>{})
          << name << " text, " << states.size() << " customers:\n"
          << made->text;
      EXPECT_EQ(MisReadings(made->svg), std::vector<std::string>{})
          << name << " chart, " << states.size() << " customers:\n"
          << made->svg;
    }
  }
  EXPECT_EQ(MisReadings("<text x=\"1234567890123\">1 visits, 100 minor units</text>"),
            (std::vector<std::string>{"minor units", "'1 visits'"}));  // the check bites
}

// A server keeps every report fresh with MakeEveryReport: the same six
// reports, byte for byte, from two readings of the customers instead of ten.
TEST(ReportsTest, AllSixAtOnceAreEachReportAsMadeAloneFromTwoReadings) {
  RuleSet rules;
  rules.program.currency = "GBP";
  Offer welcome;
  welcome.id = "welcome";
  rules.offers.push_back(welcome);
  CustomerState a = Customer("a", 1, 1'234, 3);
  a.nps_score = 4;
  a.nps_at_ms = kReportNowMs - kMsPerDay;
  a.offer_uses = {{"welcome", false, kReportNowMs - 5 * kMsPerDay, kReportNowMs - 5 * kMsPerDay, 1,
                   1, 1'234, 1}};
  const std::vector<CustomerState> states = {a, Customer("b", 3, 9'000, 40),
                                             Customer("c", 12, 52'000, 200), Customer("p", 0, 0)};
  int readings = 0;
  const CustomerSource counted = [&](const CustomerVisit& visit) {
    ++readings;
    return From(states)(visit);
  };
  auto every =
      MakeEveryReport({ReportKind::kPareto, &rules, kReportNowMs, Money{"GBP"}, "note"}, counted);
  ASSERT_TRUE(every.ok());
  EXPECT_EQ(readings, 2);
  for (std::size_t k = 0; k < kReportNames.size(); ++k) {
    const auto kind = static_cast<ReportKind>(k);
    auto alone = MakeReport({kind, &rules, kReportNowMs, Money{"GBP"}, "note"}, From(states));
    ASSERT_TRUE(alone.ok()) << kReportNames[k];
    EXPECT_EQ((*every)[k].json, alone->json) << kReportNames[k];
    EXPECT_EQ((*every)[k].text, alone->text) << kReportNames[k];
    EXPECT_EQ((*every)[k].svg, alone->svg) << kReportNames[k];
  }
  auto failed = MakeEveryReport({ReportKind::kPareto, &rules, 0, Money{}, ""},
                                [](const CustomerVisit&) { return Status::IoError("disk gone"); });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "disk gone");
}

TEST(ReportsTest, AFailingSourceIsTheReportsFailure) {
  const RuleSet rules;
  auto made = MakeReport({ReportKind::kNps, &rules, 0, Money{}, ""},
                         [](const CustomerVisit&) { return Status::IoError("disk gone"); });
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(), "disk gone");
}

}  // namespace
}  // namespace loyalty::report
