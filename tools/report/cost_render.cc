#include "tools/report/cost_render.h"

#include <cstdio>
#include <sstream>

#include "tools/report/svg.h"

namespace loyalty::report {
namespace {

nlohmann::json GroupJson(const CostGroup& g) {
  return {{"customers", g.customers},
          {"revenue_minor", g.cost.revenue_minor},
          {"returns_minor", g.cost.returns_minor},
          {"redeemed_minor", g.cost.redeemed_minor},
          {"discounts_minor", g.cost.discounts_minor},
          {"net_minor", g.cost.net_minor}};
}

std::string Row(const std::string& label, const CostGroup& g, const Money& money) {
  char line[320];
  std::snprintf(line, sizeof line, "  %-10s %9s %20s %16s %16s %16s %20s\n", label.c_str(),
                Count(g.customers).c_str(), money.FormatBare(g.cost.revenue_minor).c_str(),
                money.FormatBare(g.cost.returns_minor).c_str(),
                money.FormatBare(g.cost.redeemed_minor).c_str(),
                money.FormatBare(g.cost.discounts_minor).c_str(),
                money.FormatBare(g.cost.net_minor).c_str());
  return line;
}

std::string Header(const char* first) {
  char line[320];
  std::snprintf(line, sizeof line, "  %-10s %9s %20s %16s %16s %16s %20s\n", first, "customers",
                "revenue", "returns", "redeemed", "discounts", "net");
  return line;
}

}  // namespace

nlohmann::json CostToJson(const CostReport& r) {
  nlohmann::json stages = nlohmann::json::array(), deciles = nlohmann::json::array();
  for (int k = 0; k < kLifecycleStages; ++k) {
    nlohmann::json j = GroupJson(r.by_lifecycle[k]);
    j["stage"] = LifecycleName(static_cast<Lifecycle>(k + 1));
    stages.push_back(j);
  }
  for (int k = 0; k < 10; ++k) {
    nlohmann::json j = GroupJson(r.deciles[k]);
    j["decile"] = k + 1;
    deciles.push_back(j);
  }
  return {{"as_of_ms", r.as_of_ms},
          {"total", GroupJson(r.all)},
          {"losing", GroupJson(r.losing)},
          {"by_lifecycle", stages},
          {"deciles", deciles}};
}

std::string CostToText(const CostReport& r, const Money& money) {
  std::ostringstream out;
  out << "cost to serve of " << CountOf(r.all.customers, "customer", "customers") << ": revenue "
      << money.Format(r.all.cost.revenue_minor) << " - returns "
      << money.Format(r.all.cost.returns_minor) << " - points redeemed "
      << money.Format(r.all.cost.redeemed_minor) << " - discounts "
      << money.Format(r.all.cost.discounts_minor) << " = " << money.Format(r.all.cost.net_minor)
      << "\n"
      << CountOf(r.losing.customers, "customer costs", "customers cost")
      << " more than they bring: " << money.Format(r.losing.cost.net_minor) << " together\n"
      << "by lifecycle stage:\n"
      << Header("stage");
  for (int k = 0; k < kLifecycleStages; ++k) {
    out << Row(LifecycleName(static_cast<Lifecycle>(k + 1)), r.by_lifecycle[k], money);
  }
  out << "by decile of net value (1 = the best tenth):\n" << Header("decile");
  for (int k = 0; k < 10; ++k) out << Row(std::to_string(k + 1), r.deciles[k], money);
  return out.str();
}

}  // namespace loyalty::report
