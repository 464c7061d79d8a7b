#include "tools/loyalty/render.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "tools/report/format.h"

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

// "LIFECYCLE_PATRON" -> "patron": enum names without their prefix, for people.
std::string EnumWord(const std::string& name, std::string_view prefix) {
  return Lower(name.substr(name.rfind(prefix, 0) == 0 ? prefix.size() : 0));
}
std::string LifecycleWord(v1::Lifecycle l) { return EnumWord(v1::Lifecycle_Name(l), "LIFECYCLE_"); }
std::string NpsWord(v1::NpsGroup g) { return EnumWord(v1::NpsGroup_Name(g), "NPS_GROUP_"); }

std::string Amount(int64_t minor, const Display& d) {
  return report::Money{d.currency}.Format(minor);
}
std::string When(int64_t ms, const Display& d) {
  return report::DayOrTime(ms, d.utc_offset_minutes);
}
std::string Points(int64_t n) { return report::Counted(n, "point", "points"); }

// Beside `key_ms`: `key_date` (the program's day) and `key_at` (ISO 8601
// with the program's offset); nothing when the time is 0 (none).
void PutTime(nlohmann::json& j, const std::string& key, int64_t ms, const Display& d) {
  j[key + "_ms"] = ms;
  if (ms == 0) return;
  j[key + "_date"] = report::IsoDate(ms, d.utc_offset_minutes);
  j[key + "_at"] = report::IsoDateTime(ms, d.utc_offset_minutes);
}

using Offers = google::protobuf::RepeatedPtrField<v1::Offer>;

nlohmann::json OffersJson(const Offers& offers, const Display& d) {
  nlohmann::json j = nlohmann::json::array();
  for (const v1::Offer& o : offers) {
    nlohmann::json offer = {{"offer_id", o.offer_id()},
                            {"name", o.name()},
                            {"reward", o.reward()},
                            {"early_access", o.early_access()}};
    PutTime(offer, "valid_until", o.valid_until_ms(), d);
    j.push_back(std::move(offer));
  }
  return j;
}

nlohmann::json SignalsJson(const v1::Signals& g) {
  nlohmann::json j;
  j["lifecycle"] = LifecycleWord(g.lifecycle());
  j["churn_risk_permille"] = g.churn_risk_permille();
  j["usual_interval_days"] = g.usual_interval_days();
  j["mean_interval_days"] = g.mean_interval_days();
  j["days_since_purchase"] =
      g.has_days_since_purchase() ? nlohmann::json(g.days_since_purchase()) : nlohmann::json();
  j["tenure_days"] = g.tenure_days();
  j["mean_basket_minor"] = g.mean_basket_minor();
  j["items_per_basket_x10"] = g.items_per_basket_x10();
  j["spend_12m_minor"] = g.spend_12m_minor();
  j["visits_12m"] = g.visits_12m();
  j["nps_score"] = g.has_nps_score() ? nlohmann::json(g.nps_score()) : nlohmann::json();
  j["nps_group"] = NpsWord(g.nps_group());
  j["rfm"] = {{"recency", g.rfm().recency()},
              {"frequency", g.rfm().frequency()},
              {"monetary", g.rfm().monetary()},
              {"segment", g.rfm().segment()}};
  const v1::CostToServe& c = g.cost_to_serve();
  j["cost_to_serve"] = {{"revenue_minor", c.revenue_minor()},
                        {"returns_minor", c.returns_minor()},
                        {"redeemed_minor", c.redeemed_minor()},
                        {"discounts_minor", c.discounts_minor()},
                        {"net_minor", c.net_minor()}};
  auto list = [](const auto& r) { return std::vector<std::string>(r.begin(), r.end()); };
  j["top_categories"] = list(g.top_categories());
  j["top_brands"] = list(g.top_brands());
  j["top_stores"] = list(g.top_stores());
  j["segments"] = list(g.segments());
  return j;
}

nlohmann::json DecisionJson(const v1::Decision& d, const Display& display) {
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
  PutTime(j, "next_expiry", d.next_expiry_ms(), display);
  j["offers"] = OffersJson(d.offers(), display);
  j["offers_applied"] = nlohmann::json::array();
  for (const auto& a : d.offers_applied()) {
    j["offers_applied"].push_back({{"offer_id", a.offer_id()},
                                   {"line", a.line()},
                                   {"discount_minor", a.discount_minor()},
                                   {"points", a.points()}});
  }
  j["offer_discount_minor"] = d.offer_discount_minor();
  if (d.lifecycle() != v1::LIFECYCLE_UNSPECIFIED) j["lifecycle"] = LifecycleWord(d.lifecycle());
  return j;
}

nlohmann::json ProfileJson(const v1::Profile& p, const Display& d) {
  nlohmann::json j;
  j["customer_id"] = p.customer_id();
  j["cards"] = std::vector<std::string>(p.cards().begin(), p.cards().end());
  j["enrolled_at_ms"] = p.enrolled_at_ms();
  if (p.enrolled_at_ms() != 0) {
    j["enrolled_date"] = report::IsoDate(p.enrolled_at_ms(), d.utc_offset_minutes);
  }
  if (!p.birthday().empty()) j["birthday"] = p.birthday();
  PutBalances(j, p.balances());
  j["tier"] = p.tier();
  j["next_expiry_points"] = p.next_expiry_points();
  PutTime(j, "next_expiry", p.next_expiry_ms(), d);
  j["next_release_points"] = p.next_release_points();
  PutTime(j, "next_release", p.next_release_ms(), d);
  j["visits"] = p.visits();
  j["spend_minor"] = p.spend_minor();
  PutTime(j, "last_purchase", p.last_purchase_ms(), d);
  j["version"] = p.version();
  // From the server only (a Redis snapshot does not carry it).
  if (!p.marketing_consent().empty()) {
    j["marketing_consent"] = p.marketing_consent();
    PutTime(j, "consent", p.consent_at_ms(), d);
  }
  if (p.has_signals()) j["signals"] = SignalsJson(p.signals());
  j["greeting_hints"] =
      std::vector<std::string>(p.greeting_hints().begin(), p.greeting_hints().end());
  j["offers"] = OffersJson(p.offers(), d);
  if (!d.currency.empty()) j["currency"] = d.currency;
  if (p.has_replica()) {  // a standby's copy answered (docs/PROTOCOL.md §13)
    const v1::ReplicaView& r = p.replica();
    nlohmann::json copy = {
        {"node_id", r.node_id()},
        {"applied_seq", r.applied_seq()},
        {"primary_seq", r.primary_seq()},
        {"batches_behind", r.primary_seq() - std::min(r.primary_seq(), r.applied_seq())}};
    PutTime(copy, "read", r.read_at_ms(), d);
    j["replica"] = copy;
  }
  return j;
}

std::string BalancesText(const v1::Balances& b) {
  return "balance " + std::to_string(b.balance()) + " (spendable " + std::to_string(b.spendable()) +
         ", pending " + std::to_string(b.pending()) + ")";
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// "\n  offer: Welcome back: 10% off school, until 2026-02-01 [welcome10]" per offer.
std::string OffersText(const Offers& offers, const Display& d) {
  std::string out;
  for (const v1::Offer& o : offers) {
    out += "\n  offer: " + o.name() + ": " + o.reward() + ", until " + When(o.valid_until_ms(), d) +
           (o.early_access() ? " (early access)" : "") + " [" + o.offer_id() + "]";
  }
  return out;
}

// A cashier's view of the signals, a few short lines.
std::string SignalsText(const v1::Signals& g, const Display& d) {
  std::string out = "\n  " + LifecycleWord(g.lifecycle());
  if (g.has_nps_score()) {
    out += ", " + NpsWord(g.nps_group()) + " (NPS " + std::to_string(g.nps_score()) + ")";
  }
  if (g.has_days_since_purchase()) {
    out += "; last purchase " +
           (g.days_since_purchase() == 0
                ? std::string("today")
                : report::Counted(g.days_since_purchase(), "day", "days") + " ago");
    if (g.usual_interval_days() > 0) {
      out += ", usually every " + report::Counted(g.usual_interval_days(), "day", "days");
    }
    out += "; churn risk " + std::to_string(g.churn_risk_permille() / 10) + "%";
  }
  const v1::Rfm& rfm = g.rfm();
  if (!rfm.segment().empty()) {
    out += "\n  RFM " + std::to_string(rfm.recency()) + "-" + std::to_string(rfm.frequency()) +
           "-" + std::to_string(rfm.monetary()) + " " + rfm.segment();
  }
  const v1::CostToServe& c = g.cost_to_serve();
  out += "\n  worth " + Amount(c.net_minor(), d) + " (revenue " + Amount(c.revenue_minor(), d) +
         ", returns " + Amount(c.returns_minor(), d) + ", points " + Amount(c.redeemed_minor(), d) +
         ", offers " + Amount(c.discounts_minor(), d) + ")";
  if (g.mean_basket_minor() != 0) {
    const int64_t tenths = g.items_per_basket_x10();
    out += "; basket " + Amount(g.mean_basket_minor(), d) + ", " + std::to_string(tenths / 10) +
           "." + std::to_string(tenths % 10) + (tenths == 10 ? " item" : " items");
  }
  std::string likes;
  if (g.top_categories_size() > 0) likes += "likes " + Join(g.top_categories());
  if (g.top_brands_size() > 0)
    likes += (likes.empty() ? "" : "; ") + ("brands " + Join(g.top_brands()));
  if (g.top_stores_size() > 0)
    likes += (likes.empty() ? "" : "; ") + ("stores " + Join(g.top_stores()));
  if (g.segments_size() > 0)
    likes += (likes.empty() ? "" : "; ") + ("segments " + Join(g.segments()));
  if (!likes.empty()) out += "\n  " + likes;
  return out;
}

// When pending points become spendable and when the next points expire.
std::string DatesText(const v1::Profile& p, const Display& d) {
  std::string out;
  if (p.next_release_points() > 0 && p.next_release_ms() != 0) {
    out += "\n  " + Points(p.next_release_points()) + " spendable from " +
           When(p.next_release_ms(), d);
    if (p.next_release_points() < p.balances().pending()) {
      out += " (" + Points(p.balances().pending() - p.next_release_points()) + " later)";
    }
  }
  if (p.next_expiry_points() > 0 && p.next_expiry_ms() != 0) {
    out += "\n  " + Points(p.next_expiry_points()) + " expire on " + When(p.next_expiry_ms(), d);
  }
  // The cashier's cue: ask a customer never asked; never offer to one who said no.
  if (p.marketing_consent() == "unknown") out += "\n  marketing consent: not asked yet";
  if (p.marketing_consent() == "refused") out += "\n  marketing consent: no (no offers)";
  return out;
}

std::string ProfileText(const v1::Profile& p, const Display& d) {
  std::string out = "customer " + p.customer_id() + ": " + BalancesText(p.balances()) + ", tier " +
                    p.tier() + ", " + report::Counted(p.visits(), "visit", "visits");
  out += DatesText(p, d);
  if (p.has_signals()) out += SignalsText(p.signals(), d);
  for (const std::string& h : p.greeting_hints()) out += "\n  say: " + h;
  out += OffersText(p.offers(), d);
  if (p.has_replica()) {
    const v1::ReplicaView& r = p.replica();
    const uint64_t behind = r.primary_seq() - std::min(r.primary_seq(), r.applied_seq());
    out += "\n  from standby " + r.node_id() + "'s copy, read at " +
           report::IsoDateTime(r.read_at_ms(), d.utc_offset_minutes) +
           (behind == 0 ? std::string(", up to date with the primary as last heard")
                        : ", " + report::Counted(static_cast<int64_t>(behind), "batch", "batches") +
                              " behind the primary");
  }
  return out;
}

// Offers a purchase redeemed and issued, after the decision's line.
// Lines are counted from 1 for people (the wire counts from 0).
std::string DecisionOffersText(const v1::Decision& d, const Display& display) {
  std::string out;
  for (const auto& a : d.offers_applied()) {
    out += " [offer " + a.offer_id() + " on line " + std::to_string(a.line() + 1);
    if (a.discount_minor() != 0) out += ": -" + Amount(a.discount_minor(), display);
    if (a.points() != 0) out += ": +" + Points(a.points());
    out += "]";
  }
  if (d.offer_discount_minor() != 0) {
    out += "; offer discount " + Amount(d.offer_discount_minor(), display);
  }
  return out;
}

}  // namespace

nlohmann::json ReplyToJson(const v1::Reply& r, const Display& display) {
  nlohmann::json j;
  j["request_id"] = r.request_id();
  switch (r.body_case()) {
    case v1::Reply::kDecision:
      j["decision"] = DecisionJson(r.decision(), display);
      // true: the stored answer of a retry; nothing changed now.
      j["replayed"] = r.replayed();
      break;
    case v1::Reply::kProfile: j["profile"] = ProfileJson(r.profile(), display); break;
    case v1::Reply::kError:
      j["error"] = {{"code", v1::ErrorCode_Name(r.error().code())},
                    {"field", r.error().field()},
                    {"message", r.error().message()}};
      break;
    case v1::Reply::kWelcome:
      j["welcome"] = {{"kind", v1::CredentialKind_Name(r.welcome().kind())},
                      {"store_id", r.welcome().store_id()},
                      {"register_id", r.welcome().register_id()},
                      {"server_version", r.welcome().server_version()},
                      {"currency", r.welcome().currency()},
                      {"utc_offset_minutes", r.welcome().utc_offset_minutes()}};
      break;
    case v1::Reply::BODY_NOT_SET: j["error"] = {{"code", "EMPTY_REPLY"}}; break;
  }
  return j;
}

std::string ReplyToText(const v1::Reply& r, const Display& display) {
  if (r.has_error()) {
    return "error " + v1::ErrorCode_Name(r.error().code()) +
           (r.error().field().empty() ? "" : " [" + r.error().field() + "]") + ": " +
           r.error().message();
  }
  if (r.has_profile()) return ProfileText(r.profile(), display);
  const v1::Decision& d = r.decision();
  std::string out = Lower(v1::Outcome_Name(d.outcome()));
  if (d.points_earned() != 0) out += ": +" + Points(d.points_earned());
  if (r.replayed()) out = "already applied (a retry: nothing changed now): " + out;
  if (d.points_spent() != 0)
    out += ": -" + Points(d.points_spent()) + ", discount " + Amount(d.discount_minor(), display);
  if (d.points_reversed() != 0) out += ": -" + Points(d.points_reversed()) + " reversed";
  if (d.points_refunded() != 0) out += ": +" + Points(d.points_refunded()) + " given back";
  for (const auto& a : d.awards())
    out += " [" + a.rule_id() + " " + std::to_string(a.points()) + "]";
  out += DecisionOffersText(d, display);
  if (!d.message().empty()) out += " (" + d.message() + ")";
  out += "; " + BalancesText(d.balances()) + ", tier " + d.tier();
  if (!d.previous_tier().empty()) out += " (was " + d.previous_tier() + ")";
  if (d.lifecycle() != v1::LIFECYCLE_UNSPECIFIED) out += ", " + LifecycleWord(d.lifecycle());
  return out + OffersText(d.offers(), display);
}

int ExitCodeFor(const v1::Reply& r) {
  if (r.has_profile()) return 0;
  if (r.has_decision() && r.decision().outcome() == v1::APPLIED) return 0;
  return 1;
}

}  // namespace loyalty::cli
