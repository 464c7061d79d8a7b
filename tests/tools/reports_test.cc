// Every report by name over customers from a source (tools/report/reports.h):
// what the CLI and the admin API both call.
#include "tools/report/reports.h"

#include <gtest/gtest.h>

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

TEST(ReportsTest, AFailingSourceIsTheReportsFailure) {
  const RuleSet rules;
  auto made = MakeReport({ReportKind::kNps, &rules, 0, Money{}, ""},
                         [](const CustomerVisit&) { return Status::IoError("disk gone"); });
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(), "disk gone");
}

}  // namespace
}  // namespace loyalty::report
