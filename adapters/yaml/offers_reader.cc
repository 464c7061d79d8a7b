// The offer catalog (engine/offers.h): who gets an offer, what it gives,
// when it can be issued and redeemed, its caps, budget, holdout and rank.
#include "adapters/yaml/rules_reader.h"

namespace loyalty::rules_file::detail {

void Reader::Reward(const YAML::Node& n, const std::string& path, Offer& o) {
  if (!IsMap(n, path)) return;
  OnlyKeys(n, path, {"discount_percent", "discount", "bonus_points", "category"});
  int rewards = 0;
  // Reads the reward `key` of `kind` when it is given.
  auto take = [&](const char* key, OfferReward kind, auto read) {
    if (!n[key]) return;
    ++rewards;
    o.reward = kind;
    if (std::optional<int64_t> v = read(n[key], path + "." + key)) o.reward_value = *v;
  };
  // Per mille, so 12.5% can be written.
  take("discount_percent", OfferReward::kDiscountPercent,
       [&](const YAML::Node& v, const std::string& at) {
         auto x = Decimal(v, at, 1);
         if (x && (*x <= 0 || *x > 1000)) {
           Fail(v, at, "must be above 0 and at most 100");
           return std::optional<int64_t>();
         }
         return x;
       });
  take("discount", OfferReward::kDiscountMinor, [&](const YAML::Node& v, const std::string& at) {
    auto x = Money(v, at);
    if (x && *x == 0) {
      Fail(v, at, "must be above 0");
      return std::optional<int64_t>();
    }
    return x;
  });
  take("bonus_points", OfferReward::kBonusPoints, [&](const YAML::Node& v, const std::string& at) {
    return Integer(v, at, 1, limits::kBonusPointsMax);
  });
  if (rewards != 1) {
    Fail(n, path,
         rewards == 0 ? "the offer gives nothing: add discount_percent, discount or bonus_points"
                      : "give exactly one of discount_percent, discount, bonus_points "
                        "(write two offers to give both)");
  }
  if (const YAML::Node c = n["category"]; c && c.IsScalar() && c.Scalar() == "top_affinity") {
    o.reward_top_category = true;
  } else if (c) {
    o.reward_categories = OneOrMany(c, path + ".category");
    NoteRefs(category_refs_, c, path + ".category", o.reward_categories);
  }
}

void Reader::Offers(const YAML::Node& n, RuleSet& r) {
  if (!IsList(n, "offers", limits::kOffersMax, "offers", "- { id: ..., target: ..., reward: ... }"))
    return;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = "offers[" + std::to_string(i) + "]";
    const YAML::Node x = n[i];
    if (!IsMap(x, path)) continue;
    OnlyKeys(x, path,
             {"id", "name", "target", "reward", "valid", "early_access_days", "valid_days", "cap",
              "budget", "holdout_percent", "priority"});
    Offer offer;
    if (auto id = Id(x, path, ids, "every offer needs an id (registers redeem it by its id)")) {
      offer.id = *id;
    }
    offer.name = Name(x, path, offer.id);
    if (x["target"]) ConditionOf(x["target"], path + ".target", offer.target, false);
    if (x["reward"]) {
      Reward(x["reward"], path + ".reward", offer);
    } else {
      Fail(x, path,
           "an offer needs a reward: { discount_percent: 10 }, { discount: 5.00 } or "
           "{ bonus_points: 200 }");
    }
    if (x["valid"]) DateRange(x["valid"], path + ".valid", offer.from_ms, offer.to_ms);
    OfferLimits(x, path, offer);
    r.offers.push_back(std::move(offer));
  }
}

// Early access, validity, cap, budget, holdout and priority.
void Reader::OfferLimits(const YAML::Node& x, const std::string& path, Offer& offer) {
  auto read = [&](const YAML::Node& v, const std::string& at, int64_t lo, int64_t hi, auto& into) {
    if (!v) return;
    if (auto got = Integer(v, at, lo, hi)) into = static_cast<std::decay_t<decltype(into)>>(*got);
  };
  read(x["early_access_days"], path + ".early_access_days", 0, 365, offer.early_access_days);
  if (offer.early_access_days > 0 && offer.from_ms == 0) {
    Fail(x["early_access_days"], path + ".early_access_days",
         "early access is counted back from a start date: add valid: { from: YYYY-MM-DD }");
  }
  read(x["valid_days"], path + ".valid_days", 1, 3650, offer.valid_days);
  if (const YAML::Node c = x["cap"]; c && IsMap(c, path + ".cap")) {
    OnlyKeys(c, path + ".cap", {"per_customer"});
    read(c["per_customer"], path + ".cap.per_customer", 1, 1'000'000, offer.cap_per_customer);
  }
  if (const YAML::Node b = x["budget"]; b && IsMap(b, path + ".budget")) {
    OnlyKeys(b, path + ".budget", {"redemptions"});
    read(b["redemptions"], path + ".budget.redemptions", 1, 1'000'000'000,
         offer.budget_redemptions);
  }
  if (x["holdout_percent"]) {
    auto v = Decimal(x["holdout_percent"], path + ".holdout_percent", 1);
    if (v && (*v < 0 || *v > 500)) {
      Fail(x["holdout_percent"], path + ".holdout_percent",
           "must be between 0 and 50: the holdout is the customers kept from the offer to "
           "measure it, a minority");
    } else if (v) {
      offer.holdout_permille = static_cast<int32_t>(*v);
    }
  }
  read(x["priority"], path + ".priority", -1000, 1000, offer.priority);
}

}  // namespace loyalty::rules_file::detail
