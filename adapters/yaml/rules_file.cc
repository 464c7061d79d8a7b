#include "adapters/yaml/rules_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "adapters/yaml/rules_reader.h"

namespace loyalty::rules_file {
namespace detail {

void Reader::Program(const YAML::Node& n, RuleSet& r) {
  if (!IsMap(n, "program")) return;
  ProgramRules& p = r.program;
  OnlyKeys(
      n, "program",
      {"currency", "points_per_unit", "rounding", "earn_on", "exclude_categories", "exclude_skus",
       "categories", "pending_days", "expiry", "return_policy", "unknown_original", "redemption",
       "utc_offset", "offers_shown", "limits", "marketing_consent", "comment_retention_days"});
  if (n["currency"]) {
    if (auto s = Scalar(n["currency"], "program.currency")) {
      if (auto e = CurrencyExponent(*s)) {
        p.currency = *s;
        exponent_ = *e;
      } else {
        Fail(n["currency"], "program.currency", "'" + *s + "' is not an ISO 4217 code like EUR");
      }
    }
  }
  if (n["points_per_unit"]) {
    if (auto v = Decimal(n["points_per_unit"], "program.points_per_unit", 3))
      p.points_per_unit_milli = *v;
  }
  if (n["rounding"]) {
    if (auto v = Pick<Rounding>(*this, n["rounding"], "program.rounding",
                                {{"floor", Rounding::kFloor},
                                 {"nearest", Rounding::kNearest},
                                 {"ceil", Rounding::kCeil}}))
      p.rounding = *v;
  }
  if (n["earn_on"]) {
    if (auto v = Pick<EarnOn>(
            *this, n["earn_on"], "program.earn_on",
            {{"money_paid", EarnOn::kMoneyPaid}, {"whole_basket", EarnOn::kWholeBasket}}))
      p.earn_on = *v;
  }
  if (n["exclude_categories"]) {
    p.exclude_categories = StringList(n["exclude_categories"], "program.exclude_categories");
    for (std::size_t i = 0; i < p.exclude_categories.size(); ++i) {
      category_refs_.push_back({n["exclude_categories"][i],
                                "program.exclude_categories[" + std::to_string(i) + "]",
                                p.exclude_categories[i]});
    }
  }
  if (n["exclude_skus"]) p.exclude_skus = StringList(n["exclude_skus"], "program.exclude_skus");
  if (n["categories"]) p.categories = StringList(n["categories"], "program.categories");
  if (n["pending_days"]) {
    if (auto v = Integer(n["pending_days"], "program.pending_days", 0, limits::kPendingDaysMax))
      p.pending_days = static_cast<int32_t>(*v);
  }
  if (n["expiry"]) Expiry(n["expiry"], p);
  if (n["return_policy"]) {
    if (auto v = Pick<ReturnPolicy>(*this, n["return_policy"], "program.return_policy",
                                    {{"within_balance", ReturnPolicy::kWithinBalance},
                                     {"allow_negative", ReturnPolicy::kAllowNegative},
                                     {"only_pending", ReturnPolicy::kOnlyPending}}))
      p.return_policy = *v;
  }
  if (n["unknown_original"]) {
    if (auto v = Pick<UnknownOriginalPolicy>(
            *this, n["unknown_original"], "program.unknown_original",
            {{"refuse", UnknownOriginalPolicy::kRefuse},
             {"reverse_at_base", UnknownOriginalPolicy::kReverseAtBase}}))
      p.unknown_original = *v;
  }
  if (n["utc_offset"]) {
    auto s = Scalar(n["utc_offset"], "program.utc_offset");
    int h = 0, m = 0;
    char sign = 0, extra = 0;
    if (s && std::sscanf(s->c_str(), "%c%2d:%2d%c", &sign, &h, &m, &extra) == 3 &&
        (sign == '+' || sign == '-') && h <= 14 && m < 60) {
      p.utc_offset_minutes = (sign == '-' ? -1 : 1) * (h * 60 + m);
    } else if (s) {
      Fail(n["utc_offset"], "program.utc_offset",
           "'" + *s + "' is not an offset from UTC like +01:00 or -05:00");
    }
  }
  if (n["marketing_consent"]) {
    if (auto v = Pick<bool>(*this, n["marketing_consent"], "program.marketing_consent",
                            {{"required", true}, {"assumed", false}}))
      p.marketing_consent_required = *v;
  }
  if (n["comment_retention_days"]) {
    if (auto v = Integer(n["comment_retention_days"], "program.comment_retention_days", 0,
                         limits::kExpiryDaysMax))
      p.comment_retention_days = static_cast<int32_t>(*v);
  }
  if (n["redemption"]) Redemption(n["redemption"], p);
  if (n["limits"]) Limits(n["limits"], p.limits);
  if (n["offers_shown"]) {
    if (auto v = Integer(n["offers_shown"], "program.offers_shown", 0, 20))
      r.offers_shown_max = static_cast<int32_t>(*v);
  }
}

void Reader::Top(const YAML::Node& root, RuleSet& r) {
  if (!IsMap(root, "(file)")) return;
  OnlyKeys(root, "",
           {"name", "version", "program", "tiers", "tier_review", "earn_rules", "lifecycle",
            "churn", "affinity", "segments", "offers"});
  if (root["name"]) {
    if (auto s = Scalar(root["name"], "name")) r.name = *s;
  }
  if (root["version"]) {
    if (auto v = Integer(root["version"], "version", 1, 1'000'000'000))
      r.version = static_cast<uint32_t>(*v);
  }
  if (root["program"])
    Program(root["program"], r);
  else
    Fail(root, "program", "missing: every rules file needs a program section");
  if (root["tiers"]) Tiers(root["tiers"], r);
  if (root["tier_review"]) TierReview(root["tier_review"], r.tier_policy);
  if (root["lifecycle"]) Ladder(root["lifecycle"], r.lifecycle);
  if (root["churn"]) Churn(root["churn"], r.churn);
  if (root["affinity"]) Affinity(root["affinity"], r);
  if (root["segments"]) Segments(root["segments"], r);
  if (root["earn_rules"]) EarnRules(root["earn_rules"], r);
  if (root["offers"]) Offers(root["offers"], r);
  // Dates in rules are the chain's local days.
  const int64_t offset_ms = int64_t{r.program.utc_offset_minutes} * 60'000;
  auto to_utc = [offset_ms](TimeMs& from_ms, TimeMs& to_ms) {
    if (from_ms != 0) from_ms -= offset_ms;
    if (to_ms != 0) to_ms -= offset_ms;
  };
  for (EarnRule& rule : r.earn_rules) to_utc(rule.from_ms, rule.to_ms);
  for (Offer& offer : r.offers) to_utc(offer.from_ms, offer.to_ms);
  CheckReferences(r);
}

// Every category, tier and segment a rule names must exist: a typo would
// otherwise silently match nothing.
void Reader::CheckReferences(const RuleSet& r) {
  auto check = [&](const std::vector<Ref>& refs, const std::vector<std::string>& known,
                   const std::string& what, const std::string& where) {
    for (const Ref& ref : refs) {
      if (std::find(known.begin(), known.end(), ref.value) != known.end()) continue;
      Fail(ref.at, ref.path,
           "unknown " + what + " '" + ref.value + "'" + Suggest(ref.value, known) + where);
    }
  };
  if (!r.program.categories.empty()) {
    check(category_refs_, r.program.categories, "category",
          "; the categories are listed under program.categories");
  }
  std::vector<std::string> tier_ids, segment_ids;
  for (const Tier& t : r.tiers) tier_ids.push_back(t.id);
  for (const Segment& s : r.segments) segment_ids.push_back(s.id);
  check(tier_refs_, tier_ids, "tier", "");
  check(segment_refs_, segment_ids, "segment", "; segments are defined under segments");
}

void Reader::Expiry(const YAML::Node& e, ProgramRules& p) {
  if (!IsMap(e, "program.expiry")) return;
  OnlyKeys(e, "program.expiry", {"policy", "days", "months", "years", "notice_days"});
  if (e["notice_days"]) {
    if (auto v = Integer(e["notice_days"], "program.expiry.notice_days", 0, 365))
      p.expiry_notice_days = static_cast<int32_t>(*v);
  }
  if (e["policy"]) {
    if (auto v = Pick<ExpiryPolicy>(*this, e["policy"], "program.expiry.policy",
                                    {{"rolling", ExpiryPolicy::kRolling},
                                     {"end_of_month", ExpiryPolicy::kEndOfMonth},
                                     {"end_of_year", ExpiryPolicy::kEndOfYear},
                                     {"never", ExpiryPolicy::kNever}}))
      p.expiry_policy = *v;
  }
  if (p.expiry_policy == ExpiryPolicy::kNever) p.expiry_days = 0;
  auto only_for = [&](const char* key, ExpiryPolicy policy, const char* policy_name) {
    if (e[key] && p.expiry_policy != policy) {
      Fail(e[key], std::string("program.expiry.") + key,
           std::string("only used with policy: ") + policy_name);
      return false;
    }
    return static_cast<bool>(e[key]);
  };
  if (only_for("days", ExpiryPolicy::kRolling, "rolling")) {
    if (auto v = Integer(e["days"], "program.expiry.days", 1, limits::kExpiryDaysMax))
      p.expiry_days = static_cast<int32_t>(*v);
  }
  if (only_for("months", ExpiryPolicy::kEndOfMonth, "end_of_month")) {
    if (auto v = Integer(e["months"], "program.expiry.months", 0, limits::kExpiryMonthsMax))
      p.expiry_months = static_cast<int32_t>(*v);
  }
  if (only_for("years", ExpiryPolicy::kEndOfYear, "end_of_year")) {
    if (auto v = Integer(e["years"], "program.expiry.years", 0, limits::kExpiryMonthsMax / 12))
      p.expiry_years = static_cast<int32_t>(*v);
  }
}

// What the host refuses (rules.h ProgramLimits), within engine/limits.h.
void Reader::Limits(const YAML::Node& n, ProgramLimits& l) {
  if (!IsMap(n, "program.limits")) return;
  OnlyKeys(n, "program.limits", {"basket_total_max", "points_per_event_max", "event_age_max_days"});
  if (n["basket_total_max"]) {
    auto v = Money(n["basket_total_max"], "program.limits.basket_total_max");
    if (v && *v == 0) {
      Fail(n["basket_total_max"], "program.limits.basket_total_max",
           "must be above 0 (the largest basket a till may send, e.g. 5000.00)");
    } else if (v) {
      l.basket_total_max_minor = *v;
    }
  }
  if (n["points_per_event_max"]) {
    if (auto v = Integer(n["points_per_event_max"], "program.limits.points_per_event_max", 1,
                         limits::kPointsPerEventMax))
      l.points_per_event_max = *v;
  }
  if (n["event_age_max_days"]) {
    if (auto v = Integer(n["event_age_max_days"], "program.limits.event_age_max_days", 1,
                         limits::kEventAgeDaysMax))
      l.event_age_max_days = static_cast<int32_t>(*v);
  }
}

void Reader::Redemption(const YAML::Node& n, ProgramRules& p) {
  if (!IsMap(n, "program.redemption")) return;
  OnlyKeys(n, "program.redemption", {"point_value_minor", "min_points", "max_share_of_basket"});
  if (n["point_value_minor"]) {
    if (auto v =
            Integer(n["point_value_minor"], "program.redemption.point_value_minor", 1, 1'000'000))
      p.point_value_minor = *v;
  }
  if (n["min_points"]) {
    if (auto v = Integer(n["min_points"], "program.redemption.min_points", 0, 1'000'000'000))
      p.min_redeem_points = *v;
  }
  if (n["max_share_of_basket"]) {
    auto v = Decimal(n["max_share_of_basket"], "program.redemption.max_share_of_basket", 3);
    if (v && (*v <= 0 || *v > 1000)) {
      Fail(n["max_share_of_basket"], "program.redemption.max_share_of_basket",
           "must be above 0 and at most 1 (0.5 = half the basket)");
    } else if (v) {
      p.max_share_of_basket_permille = static_cast<int32_t>(*v);
    }
  }
}

void Reader::Tiers(const YAML::Node& n, RuleSet& r) {
  if (!n.IsSequence() || n.size() == 0) {
    Fail(n, "tiers", "expected a list of tiers, the base tier first: - { id: member }");
    return;
  }
  if (n.size() > limits::kTiersMax) {
    Fail(n, "tiers", "at most " + std::to_string(limits::kTiersMax) + " tiers");
    return;
  }
  r.tiers.clear();
  std::set<std::string> ids;
  std::optional<Tier> prev;  // the last tier reached by qualifying
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = "tiers[" + std::to_string(i) + "]";
    const YAML::Node t = n[i];
    if (!IsMap(t, path)) continue;
    OnlyKeys(t, path,
             {"id", "name", "qualify", "earn_multiplier", "invitation_only", "benefits",
              "birthday_gift_points"});
    Tier tier;
    const auto id = Id(t, path, ids, "every tier needs an id");
    if (!t["id"]) continue;
    if (id) tier.id = *id;
    tier.name = Name(t, path, tier.id);
    if (t["invitation_only"]) {
      if (auto b = Bool(t["invitation_only"], path + ".invitation_only")) tier.invitation_only = *b;
      if (i == 0 && tier.invitation_only) {
        Fail(t["invitation_only"], path + ".invitation_only",
             "the first tier is where everyone starts; it cannot be invitation-only");
      }
    }
    if (const YAML::Node q = t["qualify"]; q && IsMap(q, path + ".qualify")) {
      OnlyKeys(q, path + ".qualify", {"spend_12m", "visits_12m"});
      if (i == 0) Fail(q, path + ".qualify", "the first tier needs no qualification");
      if (tier.invitation_only) {
        Fail(q, path + ".qualify", "an invitation-only tier is given, not qualified for");
      }
      if (q["spend_12m"]) {
        if (auto v = Money(q["spend_12m"], path + ".qualify.spend_12m")) tier.spend_12m_minor = *v;
      }
      if (q["visits_12m"]) {
        if (auto v = Integer(q["visits_12m"], path + ".qualify.visits_12m", 0, 100'000))
          tier.visits_12m = static_cast<int32_t>(*v);
      }
    } else if (i > 0 && !tier.invitation_only && !t["qualify"]) {
      Fail(t, path,
           "tier '" + tier.id +
               "' needs qualify: { spend_12m: ..., visits_12m: ... } or invitation_only: true");
    }
    if (t["earn_multiplier"]) {
      if (auto v = Multiplier(t["earn_multiplier"], path + ".earn_multiplier", 1000))
        tier.earn_multiplier_milli = *v;
    }
    if (t["benefits"]) {
      for (const std::string& b : StringList(t["benefits"], path + ".benefits")) {
        if (b == "early_access") {
          tier.early_access = true;
        } else if (b == "birthday_gift") {
          if (!t["birthday_gift_points"]) {
            Fail(t["benefits"], path + ".benefits",
                 "birthday_gift needs birthday_gift_points: N on the tier");
          }
        } else {
          Fail(t["benefits"], path + ".benefits",
               "'" + b + "' is not a benefit; known: early_access, birthday_gift");
        }
      }
    }
    if (t["birthday_gift_points"]) {
      if (auto v = Integer(t["birthday_gift_points"], path + ".birthday_gift_points", 1,
                           limits::kBonusPointsMax))
        tier.birthday_gift_points = *v;
    }
    if (i > 0 && !tier.invitation_only && prev) {
      if (!AsksMoreThan(tier, *prev)) {
        Fail(t["qualify"] ? t["qualify"] : t, path + ".qualify",
             "overlaps tier '" + prev->id + "': list tiers from lowest to highest, each asking " +
                 "more spend or visits than the one before");
      }
    }
    if (!tier.invitation_only) prev = tier;
    if (i == 0) r.base_tier = tier.id;
    r.tiers.push_back(std::move(tier));
  }
}

void Reader::TierReview(const YAML::Node& n, TierPolicy& t) {
  if (!IsMap(n, "tier_review")) return;
  OnlyKeys(n, "tier_review", {"months", "grace_days"});
  if (n["months"]) {
    if (auto v = Integer(n["months"], "tier_review.months", 1, 120))
      t.review_months = static_cast<int32_t>(*v);
  }
  if (n["grace_days"]) {
    if (auto v = Integer(n["grace_days"], "tier_review.grace_days", 0, 365))
      t.grace_days = static_cast<int32_t>(*v);
  }
}

}  // namespace detail

std::string Problem::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  return out + ": " + message;
}

namespace {

// yaml-cpp's words for a block that ends where it should not ("end of
// sequence not found") say nothing a person can act on; nearly always a
// line is indented more or less than its neighbours.
std::string YamlSyntaxMessage(const YAML::Exception& e) {
  static const char* const kIndentation[] = {// yaml-cpp's are not constexpr
                                             YAML::ErrorMsg::END_OF_MAP, YAML::ErrorMsg::END_OF_SEQ,
                                             YAML::ErrorMsg::BLOCK_ENTRY, YAML::ErrorMsg::MAP_KEY,
                                             YAML::ErrorMsg::MAP_VALUE};
  std::string message = "not valid YAML: " + e.msg;
  for (const char* m : kIndentation) {
    if (e.msg != m) continue;
    message += " near line " + std::to_string(e.mark.line + 1) +
               "; the indentation is the likely cause: the entries of one list or mapping "
               "must start in the same column, with spaces, not tabs";
  }
  return message;
}

}  // namespace

Loaded Parse(std::string_view text, const std::string& file_name) {
  Loaded out;
  detail::Reader reader(file_name);
  RuleSet rules;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    reader.Top(root, rules);
  } catch (const YAML::Exception& e) {
    reader.problems().push_back(
        {file_name, e.mark.line + 1, e.mark.column + 1, YamlSyntaxMessage(e)});
  }
  if (reader.problems().empty()) {
    if (Status s = ValidateRuleSet(rules); !s.ok()) {
      reader.problems().push_back({file_name, 0, 0, s.message()});
    }
  }
  out.problems = std::move(reader.problems());
  if (out.problems.empty()) out.rules = std::move(rules);
  return out;
}

Loaded LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    Loaded out;
    out.problems.push_back({path, 0, 0, "cannot be read (does it exist?)"});
    return out;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Parse(buffer.str(), path);
}

}  // namespace loyalty::rules_file
