// Knowing the customer (DESIGN.md §8): the lifecycle ladder's thresholds,
// churn risk, affinity decay, and segments: named conditions over a
// customer's profile that earn rules and offers use.
#include "adapters/yaml/rules_reader.h"
#include "engine/customer_state.h"
#include "engine/rfm.h"

namespace loyalty::rules_file::detail {
namespace {

// The words of the file are the engine's names (Lifecycle is 1-based).
std::vector<std::string> LifecycleWords() {
  std::vector<std::string> out;
  for (int i = 1; i <= kLifecycleStages; ++i) out.push_back(LifecycleName(Lifecycle(i)));
  return out;
}
std::vector<std::string> NpsWords() {
  std::vector<std::string> out;
  for (int i = 0; i <= static_cast<int>(NpsGroup::kPromoter); ++i) {
    out.push_back(NpsGroupName(NpsGroup(i)));
  }
  return out;
}
constexpr int32_t kDaysMax = 36'500;

}  // namespace

void Reader::Ladder(const YAML::Node& n, LifecycleRules& l) {
  if (!IsMap(n, "lifecycle")) return;
  OnlyKeys(n, "lifecycle", {"buyer", "account", "patron", "advocate"});
  // Whether `lifecycle.<name>` is there, with only `keys`.
  auto stage = [&](const char* name, std::initializer_list<const char*> keys) {
    const YAML::Node s = n[name];
    if (!s || !IsMap(s, std::string("lifecycle.") + name)) return false;
    OnlyKeys(s, std::string("lifecycle.") + name, {keys.begin(), keys.end()});
    return true;
  };
  auto read = [&](const char* name, const char* key, int64_t lo, int64_t hi, int32_t& into) {
    const YAML::Node v = n[name][key];
    if (!v) return;
    if (auto x = Integer(v, std::string("lifecycle.") + name + "." + key, lo, hi)) {
      into = static_cast<int32_t>(*x);
    }
  };
  if (stage("buyer", {"purchases"})) read("buyer", "purchases", 2, 100'000, l.buyer_purchases);
  if (stage("account", {"visits_12m", "categories"})) {
    read("account", "visits_12m", 1, 100'000, l.account_visits_12m);
    read("account", "categories", 0, static_cast<int64_t>(kAffinitiesKept), l.account_categories);
  }
  if (stage("patron", {"spend_12m", "tenure_days"})) {
    if (n["patron"]["spend_12m"]) {
      if (auto v = Money(n["patron"]["spend_12m"], "lifecycle.patron.spend_12m"))
        l.patron_spend_12m_minor = *v;
    }
    read("patron", "tenure_days", 0, kDaysMax, l.patron_tenure_days);
  }
  if (stage("advocate", {"nps_min"})) read("advocate", "nps_min", 0, 10, l.advocate_nps_min);
}

void Reader::Churn(const YAML::Node& n, ChurnRules& c) {
  if (!IsMap(n, "churn")) return;
  OnlyKeys(n, "churn",
           {"first_interval_days", "min_interval_days", "lost_after_intervals", "welcome_back_at",
            "alert_at"});
  auto read = [&](const char* key, int64_t lo, int64_t hi, int32_t& into) {
    if (!n[key]) return;
    if (auto v = Integer(n[key], std::string("churn.") + key, lo, hi)) {
      into = static_cast<int32_t>(*v);
    }
  };
  read("first_interval_days", 1, 3650, c.first_interval_days);
  read("min_interval_days", 1, 3650, c.min_interval_days);
  read("lost_after_intervals", 2, 100, c.lost_after_intervals);
  if (n["welcome_back_at"]) {
    if (auto v = Share(n["welcome_back_at"], "churn.welcome_back_at", "a churn risk"))
      c.welcome_back_permille = *v;
  }
  if (n["alert_at"]) {
    if (auto v = Share(n["alert_at"], "churn.alert_at", "a churn risk")) c.alert_permille = *v;
  }
}

void Reader::Affinity(const YAML::Node& n, RuleSet& r) {
  if (!IsMap(n, "affinity")) return;
  OnlyKeys(n, "affinity", {"half_life_days"});
  if (n["half_life_days"]) {
    if (auto v = Integer(n["half_life_days"], "affinity.half_life_days", 1, 3650))
      r.affinity_half_life_days = static_cast<int32_t>(*v);
  }
}

void Reader::ConditionOf(const YAML::Node& n, const std::string& path, Condition& c,
                         bool in_segment) {
  if (!IsMap(n, path)) return;
  OnlyKeys(n, path,
           {"segment", "lifecycle", "tier", "churn_risk_min", "churn_risk_max", "spend_12m_min",
            "spend_12m_max", "visits_12m_min", "visits_12m_max", "days_since_purchase_min",
            "days_since_purchase_max", "tenure_days_min", "top_category", "top_store", "nps",
            "rfm_segment", "rfm_min", "value_min"});
  auto list = [&](const char* key, std::vector<std::string>& into, std::vector<Ref>* refs) {
    if (!n[key]) return;
    into = OneOrMany(n[key], path + "." + key);
    if (refs != nullptr) NoteRefs(*refs, n[key], path + "." + key, into);
  };
  if (in_segment && n["segment"]) {
    Fail(n["segment"], path + ".segment",
         "a segment cannot be made of other segments: write its conditions here");
  } else {
    list("segment", c.segments, &segment_refs_);
  }
  list("tier", c.tiers, &tier_refs_);
  list("top_category", c.top_categories, &category_refs_);
  list("top_store", c.top_stores, nullptr);
  if (n["lifecycle"]) {
    for (std::size_t i :
         Words(n["lifecycle"], path + ".lifecycle", "a lifecycle stage", LifecycleWords()))
      c.lifecycle.push_back(static_cast<Lifecycle>(i + 1));
  }
  if (n["nps"]) {
    for (std::size_t i : Words(n["nps"], path + ".nps", "an NPS group", NpsWords()))
      c.nps.push_back(static_cast<NpsGroup>(i));
  }
  if (n["rfm_segment"]) {
    const std::vector<std::string> names(kRfmSegments.begin(), kRfmSegments.end());
    for (std::size_t i : Words(n["rfm_segment"], path + ".rfm_segment", "an RFM segment", names))
      c.rfm_segments.push_back(names[i]);
  }
  ConditionBounds(n, path, c);
}

// The numeric parts of a condition: bounds, each max at least its min.
void Reader::ConditionBounds(const YAML::Node& n, const std::string& path, Condition& c) {
  auto min_max = [&](const char* name, auto read, auto& min, auto& max) {
    const std::string lo = std::string(name) + "_min", hi = std::string(name) + "_max";
    if (n[lo]) {
      if (auto v = read(n[lo], path + "." + lo)) min = *v;
    }
    if (n[hi]) {
      auto v = read(n[hi], path + "." + hi);
      if (v && *v < min) {
        Fail(n[hi], path + "." + hi, "is below " + lo + " (" + n[lo].as<std::string>("") + ")");
      } else if (v) {
        max = *v;
      }
    }
  };
  auto share = [&](const YAML::Node& x, const std::string& at) {
    return Share(x, at, "0 = on time, 1 = lost");
  };
  auto money = [&](const YAML::Node& x, const std::string& at) { return Money(x, at); };
  auto count = [&](const YAML::Node& x, const std::string& at) {
    auto v = Integer(x, at, 0, kDaysMax);
    return v ? std::optional<int32_t>(static_cast<int32_t>(*v)) : std::nullopt;
  };
  min_max("churn_risk", share, c.churn_risk_min_permille, c.churn_risk_max_permille);
  min_max("spend_12m", money, c.spend_12m_min_minor, c.spend_12m_max_minor);
  min_max("visits_12m", count, c.visits_12m_min, c.visits_12m_max);
  min_max("days_since_purchase", count, c.days_since_purchase_min, c.days_since_purchase_max);
  if (n["tenure_days_min"]) {
    if (auto v = count(n["tenure_days_min"], path + ".tenure_days_min")) c.tenure_days_min = *v;
  }
  if (n["value_min"]) {
    if (auto v = Money(n["value_min"], path + ".value_min")) c.value_min_minor = *v;
  }
  if (const YAML::Node r = n["rfm_min"]; r && IsMap(r, path + ".rfm_min")) {
    OnlyKeys(r, path + ".rfm_min", {"recency", "frequency", "monetary"});
    auto score = [&](const char* key, int32_t& into) {
      if (!r[key]) return;
      if (auto v = Integer(r[key], path + ".rfm_min." + key, 1, 5)) into = static_cast<int32_t>(*v);
    };
    score("recency", c.rfm_recency_min);
    score("frequency", c.rfm_frequency_min);
    score("monetary", c.rfm_monetary_min);
  }
}

void Reader::Segments(const YAML::Node& n, RuleSet& r) {
  if (!IsList(n, "segments", limits::kSegmentsMax, "segments", "- { id: ..., when: { ... } }"))
    return;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = "segments[" + std::to_string(i) + "]";
    const YAML::Node x = n[i];
    if (!IsMap(x, path)) continue;
    OnlyKeys(x, path, {"id", "name", "when"});
    Segment segment;
    if (auto id = Id(x, path, ids, "every segment needs an id (earn rules and offers name it)")) {
      segment.id = *id;
    }
    segment.name = Name(x, path, segment.id);
    if (x["when"]) {
      ConditionOf(x["when"], path + ".when", segment.when, true);
    } else {
      Fail(x, path, "a segment needs conditions: when: { lifecycle: [account], ... }");
    }
    r.segments.push_back(std::move(segment));
  }
}

}  // namespace loyalty::rules_file::detail
