#include "tools/loyalty/render.h"

#include <algorithm>
#include <cctype>

namespace loyalty::cli {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

void PutBalances(nlohmann::json& j, const v1::Balances& b) {
  j["balance"] = b.balance();
  j["spendable"] = b.spendable();
  j["pending"] = b.pending();
  j["lifetime"] = b.lifetime();
}

nlohmann::json DecisionJson(const v1::Decision& d) {
  nlohmann::json j;
  j["outcome"] = Lower(v1::Outcome_Name(d.outcome()));
  if (!d.message().empty()) j["message"] = d.message();
  j["customer_id"] = d.customer_id();
  j["transaction_id"] = d.transaction_id();
  j["points_earned"] = d.points_earned();
  j["points_spent"] = d.points_spent();
  j["points_reversed"] = d.points_reversed();
  j["points_refunded"] = d.points_refunded();
  j["discount_minor"] = d.discount_minor();
  j["awards"] = nlohmann::json::array();
  for (const auto& a : d.awards())
    j["awards"].push_back({{"rule", a.rule_id()}, {"points", a.points()}});
  j["line_points"] = std::vector<int64_t>(d.line_points().begin(), d.line_points().end());
  PutBalances(j, d.balances());
  j["tier"] = d.tier();
  if (!d.previous_tier().empty()) j["previous_tier"] = d.previous_tier();
  j["rules_version"] = d.rules_version();
  j["next_expiry_points"] = d.next_expiry_points();
  j["next_expiry_ms"] = d.next_expiry_ms();
  return j;
}

nlohmann::json ProfileJson(const v1::Profile& p) {
  nlohmann::json j;
  j["customer_id"] = p.customer_id();
  j["cards"] = std::vector<std::string>(p.cards().begin(), p.cards().end());
  j["enrolled_at_ms"] = p.enrolled_at_ms();
  if (!p.birthday().empty()) j["birthday"] = p.birthday();
  PutBalances(j, p.balances());
  j["tier"] = p.tier();
  j["next_expiry_points"] = p.next_expiry_points();
  j["next_expiry_ms"] = p.next_expiry_ms();
  j["visits"] = p.visits();
  j["spend_minor"] = p.spend_minor();
  j["last_purchase_ms"] = p.last_purchase_ms();
  j["version"] = p.version();
  return j;
}

std::string BalancesText(const v1::Balances& b) {
  return "balance " + std::to_string(b.balance()) + " (spendable " + std::to_string(b.spendable()) +
         ", pending " + std::to_string(b.pending()) + ")";
}

}  // namespace

nlohmann::json ReplyToJson(const v1::Reply& r) {
  nlohmann::json j;
  j["request_id"] = r.request_id();
  switch (r.body_case()) {
    case v1::Reply::kDecision: j["decision"] = DecisionJson(r.decision()); break;
    case v1::Reply::kProfile: j["profile"] = ProfileJson(r.profile()); break;
    case v1::Reply::kError:
      j["error"] = {{"code", v1::ErrorCode_Name(r.error().code())},
                    {"field", r.error().field()},
                    {"message", r.error().message()}};
      break;
    case v1::Reply::BODY_NOT_SET: j["error"] = {{"code", "EMPTY_REPLY"}}; break;
  }
  return j;
}

std::string ReplyToText(const v1::Reply& r) {
  if (r.has_error()) {
    return "error " + v1::ErrorCode_Name(r.error().code()) +
           (r.error().field().empty() ? "" : " [" + r.error().field() + "]") + ": " +
           r.error().message();
  }
  if (r.has_profile()) {
    const v1::Profile& p = r.profile();
    return "customer " + p.customer_id() + ": " + BalancesText(p.balances()) + ", tier " +
           p.tier() + ", " + std::to_string(p.visits()) + " visits";
  }
  const v1::Decision& d = r.decision();
  std::string out = Lower(v1::Outcome_Name(d.outcome()));
  if (d.points_earned() != 0) out += ": +" + std::to_string(d.points_earned()) + " points";
  if (d.points_spent() != 0)
    out += ": -" + std::to_string(d.points_spent()) + " points, discount " +
           std::to_string(d.discount_minor()) + " minor units";
  if (d.points_reversed() != 0)
    out += ": -" + std::to_string(d.points_reversed()) + " points reversed";
  if (d.points_refunded() != 0)
    out += ": +" + std::to_string(d.points_refunded()) + " points given back";
  for (const auto& a : d.awards())
    out += " [" + a.rule_id() + " " + std::to_string(a.points()) + "]";
  if (!d.message().empty()) out += " (" + d.message() + ")";
  out += "; " + BalancesText(d.balances()) + ", tier " + d.tier();
  if (!d.previous_tier().empty()) out += " (was " + d.previous_tier() + ")";
  return out;
}

int ExitCodeFor(const v1::Reply& r) {
  if (r.has_profile()) return 0;
  if (r.has_decision() && r.decision().outcome() == v1::APPLIED) return 0;
  return 1;
}

}  // namespace loyalty::cli
