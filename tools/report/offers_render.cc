#include "tools/report/offers_render.h"

#include <cstdio>
#include <sstream>

#include "tools/report/svg.h"

namespace loyalty::report {
namespace {

nlohmann::json GroupJson(const OfferGroup& g) {
  return {{"customers", g.customers},
          {"spend_minor", g.spend_minor},
          {"visits", g.visits},
          {"mean_spend_minor", g.mean_spend_minor()},
          {"mean_visits", g.mean_visits()}};
}

nlohmann::json OrNull(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string SignedMoney(double minor, const Money& money) {
  const auto rounded = static_cast<int64_t>(minor >= 0 ? minor + 0.5 : -minor + 0.5);
  return (minor >= 0 ? "+" : "-") + money.Format(rounded);
}

std::string UpliftText(const OfferRow& row, const Money& money) {
  if (!row.spend_uplift_minor) return "uplift: not measurable yet (a group is empty)";
  const double minor = *row.spend_uplift_minor;
  std::string text = "uplift: " + SignedMoney(minor, money) + " spend per customer";
  if (row.spend_uplift_percent) text += " (" + Fixed(*row.spend_uplift_percent, 1) + "%)";
  text += ", " + Fixed(*row.visits_uplift, 2) + " visits";
  const std::string interval = UpliftInterval(row, money);
  return interval.empty() ? text + "; no interval yet (a group has fewer than 2 customers)"
                          : text + "; " + interval;
}

}  // namespace

std::string UpliftInterval(const OfferRow& row, const Money& money) {
  if (!row.spend_uplift_ci95_low_minor || !row.spend_uplift_ci95_high_minor) return "";
  const double low = *row.spend_uplift_ci95_low_minor, high = *row.spend_uplift_ci95_high_minor;
  const char* verdict = low > 0    ? "shown to work"
                        : high < 0 ? "shown to lower spend"
                                   : "not shown to work yet";
  return "95% CI " + SignedMoney(low, money) + " to " + SignedMoney(high, money) + ", " + verdict;
}

nlohmann::json OffersToJson(const OffersReport& r) {
  nlohmann::json offers = nlohmann::json::array();
  for (const OfferRow& o : r.offers) {
    offers.push_back({{"id", o.id},
                      {"name", o.name},
                      {"holdout_permille", o.holdout_permille},
                      {"issued", o.issued},
                      {"redeemed", o.redeemed},
                      {"redeemers", o.redeemers},
                      {"redemption_rate_percent", o.redemption_rate_percent},
                      {"treated", GroupJson(o.treated)},
                      {"holdout", GroupJson(o.holdout)},
                      {"spend_uplift_minor", OrNull(o.spend_uplift_minor)},
                      {"spend_uplift_percent", OrNull(o.spend_uplift_percent)},
                      {"visits_uplift", OrNull(o.visits_uplift)},
                      {"spend_uplift_ci95_low_minor", OrNull(o.spend_uplift_ci95_low_minor)},
                      {"spend_uplift_ci95_high_minor", OrNull(o.spend_uplift_ci95_high_minor)}});
  }
  return {{"customers", r.customers},
          {"discounts_minor", r.discounts_minor},
          {"offers_issued", r.offers_issued},
          {"offers_redeemed", r.offers_redeemed},
          {"offers", offers}};
}

std::string OffersToText(const OffersReport& r, const Money& money) {
  std::ostringstream out;
  out << CountOf(r.offers.size(), "offer", "offers") << " in the rules; "
      << Grouped(r.offers_issued) << " issued, " << Grouped(r.offers_redeemed) << " redeemed, "
      << money.Format(r.discounts_minor) << " discounts given (all offers)\n";
  for (const OfferRow& o : r.offers) {
    out << o.id << " (" << o.name << "): issued " << Grouped(o.issued) << ", redeemed "
        << Grouped(o.redeemed) << " (" << Percent(o.redemption_rate_percent) << ") by "
        << CountOf(o.redeemers, "customer", "customers") << "\n"
        << "  treated " << CountOf(o.treated.customers, "customer", "customers")
        << ", mean spend since "
        << money.Format(static_cast<int64_t>(o.treated.mean_spend_minor() + 0.5)) << ", "
        << Fixed(o.treated.mean_visits(), 2) << " visits\n"
        << "  holdout " << CountOf(o.holdout.customers, "customer", "customers")
        << ", mean spend since "
        << money.Format(static_cast<int64_t>(o.holdout.mean_spend_minor() + 0.5)) << ", "
        << Fixed(o.holdout.mean_visits(), 2) << " visits\n"
        << "  " << UpliftText(o, money) << "\n";
  }
  return out.str();
}

}  // namespace loyalty::report
