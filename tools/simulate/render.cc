#include "tools/simulate/render.h"

#include <cstdio>
#include <ctime>
#include <functional>
#include <set>
#include <sstream>

#include "tools/report/format.h"

namespace loyalty::simulate {
namespace {

nlohmann::json RunToJson(const RunTotals& t) {
  return {{"events", t.events},
          {"applied", t.applied},
          {"retries", t.retries},
          {"refused", t.refused},
          {"invalid", t.invalid},
          {"invalid_why", t.invalid_why},
          {"points_issued", t.points_issued},
          {"points_reversed", t.points_reversed},
          {"points_spent", t.points_spent},
          {"points_refunded", t.points_refunded},
          {"points_adjusted", t.points_adjusted},
          {"points_expired", t.points_expired},
          {"cost_issued_minor", t.cost_issued_minor()},
          {"cost_net_minor", t.cost_net_minor()},
          {"customers", t.customers},
          {"customers_earning", t.customers_earning},
          {"offers_issued", t.offers_issued},
          {"offers_held_out", t.offers_held_out},
          {"offers_redeemed", t.offers_redeemed},
          {"offer_discount_minor", t.offer_discount_minor},
          {"customers_offered", t.customers_offered},
          {"points_by_rule", t.points_by_rule}};
}

std::string Date(TimeMs ms) {
  const std::time_t s = ms / 1000;
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// Rows of label, baseline, candidate, and the change.
class Table {
 public:
  using Format = std::function<std::string(int64_t)>;
  void Row(const std::string& label, int64_t a, int64_t b, const Format& format) {
    std::string change;
    if (a != b) {
      change = (b > a ? "+" : "-") + format(b > a ? b - a : a - b);
      if (a != 0) {
        char percent[32];
        std::snprintf(percent, sizeof percent, " (%+.1f%%)",
                      100.0 * static_cast<double>(b - a) / static_cast<double>(a));
        change += percent;
      }
    }
    char line[256];
    std::snprintf(line, sizeof line, "  %-38s %16s %16s   %s\n", label.c_str(), format(a).c_str(),
                  format(b).c_str(), change.c_str());
    out_ << line;
  }
  void Row(const std::string& label, int64_t a, int64_t b) { Row(label, a, b, report::Grouped); }
  std::ostringstream& out() { return out_; }

 private:
  std::ostringstream out_;
};

template <typename T>
std::set<std::string> Keys(const std::map<std::string, T>& a, const std::map<std::string, T>& b) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  return keys;
}

template <typename T>
T At(const std::map<std::string, T>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? T{} : it->second;
}

}  // namespace

nlohmann::json ComparisonToJson(const Comparison& c, const Labels& labels) {
  return {{"baseline", RunToJson(c.baseline)},
          {"candidate", RunToJson(c.candidate)},
          {"baseline_rules", labels.baseline},
          {"candidate_rules", labels.candidate},
          {"customers_points_differ", c.customers_differ},
          {"requests", c.requests},
          {"lookups", c.lookups},
          {"undecodable", c.undecodable},
          {"first_event_ms", c.first_event_ms},
          {"last_event_ms", c.last_event_ms},
          {"currency", labels.currency},
          {"seconds", labels.seconds},
          {"source", c.source_summary},
          {"warnings", c.warnings}};
}

std::string ComparisonToText(const Comparison& c, const Labels& labels) {
  const RunTotals& a = c.baseline;
  const RunTotals& b = c.candidate;
  const report::Money currency{labels.currency};
  auto money = [&](int64_t minor) { return currency.FormatBare(minor); };
  Table t;
  t.out() << "events: " << c.source_summary << "\n";
  t.out() << report::Counted(c.requests, "event", "events");
  if (c.first_event_ms > 0) {
    t.out() << " from " << Date(c.first_event_ms) << " to " << Date(c.last_event_ms);
  }
  char took[64];
  std::snprintf(took, sizeof took, " simulated in %.1f s", labels.seconds);
  t.out() << took << " (\"now\" follows event time; nothing written)\n\n";
  char head[256];
  std::snprintf(head, sizeof head, "  %-38s %16s %16s   %s\n", "", "baseline", "candidate",
                "change");
  t.out() << "  baseline:  " << labels.baseline << "\n  candidate: " << labels.candidate << "\n\n"
          << head;
  t.Row("points issued", a.points_issued, b.points_issued);
  t.Row("points reversed by returns", a.points_reversed, b.points_reversed);
  t.Row("points redeemed", a.points_spent, b.points_spent);
  t.Row("redeemed points given back", a.points_refunded, b.points_refunded);
  t.Row("manual adjustments, net", a.points_adjusted, b.points_adjusted);
  t.Row("points expired by the end", a.points_expired, b.points_expired);
  t.Row("cost of points issued (" + labels.currency + ")", a.cost_issued_minor(),
        b.cost_issued_minor(), money);
  t.Row("net cost, after returns (" + labels.currency + ")", a.cost_net_minor(), b.cost_net_minor(),
        money);
  t.Row("customers earning points", a.customers_earning, b.customers_earning);
  t.Row("offers issued", a.offers_issued, b.offers_issued);
  t.Row("offers held out (holdout groups)", a.offers_held_out, b.offers_held_out);
  t.Row("offers redeemed", a.offers_redeemed, b.offers_redeemed);
  t.Row("offer discounts (" + labels.currency + ")", a.offer_discount_minor, b.offer_discount_minor,
        money);
  t.Row("customers offered something", a.customers_offered, b.customers_offered);
  t.Row("events applied", a.applied, b.applied);
  for (const std::string& rule : Keys(a.points_by_rule, b.points_by_rule)) {
    t.Row("points from rule '" + rule + "'", At(a.points_by_rule, rule),
          At(b.points_by_rule, rule));
  }
  for (const std::string& why : Keys(a.refused, b.refused)) {
    t.Row("refused: " + why, At(a.refused, why), At(b.refused, why));
  }
  for (const std::string& field : Keys(a.invalid, b.invalid)) {
    t.Row("invalid " + field, At(a.invalid, field), At(b.invalid, field));
  }
  t.out() << "\n  customers whose points differ: " << c.customers_differ << "\n";
  for (const std::string& field : Keys(a.invalid_why, b.invalid_why)) {
    const std::string why =
        At(a.invalid_why, field).empty() ? At(b.invalid_why, field) : At(a.invalid_why, field);
    t.out() << "  invalid " << field << ": " << why << "\n";
  }
  for (const auto& [why, n] : c.undecodable) {
    t.out() << "  skipped " << report::Counted(n, "event", "events")
            << " the wire codec refuses: " << why << "\n";
  }
  for (const std::string& w : c.warnings) t.out() << "  warning: " << w << "\n";
  return t.out().str();
}

}  // namespace loyalty::simulate
