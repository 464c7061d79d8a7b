// Runs every tests/scenarios/*.scenario file (format: README.md beside this
// file) through the pure core, the way a shard drives it: validate, decide,
// apply. After every step the ledger invariant must hold for everyone.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "adapters/yaml/rules_file.h"
#include "engine/money.h"
#include "engine/signals.h"
#include "engine/validate.h"
#include "tests/support/world.h"

namespace loyalty {
namespace {

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(
      line.substr(0, line.find(" #") == std::string::npos ? line.size() : line.find(" #")));
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

TimeMs ParseAt(const std::string& date, const std::string& time) {
  std::tm tm{};
  std::sscanf((date + " " + time).c_str(), "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
              &tm.tm_hour, &tm.tm_min);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<TimeMs>(timegm(&tm)) * 1000;
}

int64_t Minor(const std::string& text) { return *ParseDecimalMinor(text, 2); }

// What the last step produced, for `expect`.
struct Seen {
  std::string outcome;
  Decision decision;
  Balances balances;
  int64_t lots = 0;
  std::string card;                // the customer of the step, if any
  std::vector<OfferShown> offers;  // shown by a lookup or issued by a purchase
  std::vector<std::string> hints;  // lookup
};

// "0.5" -> 500 (per mille).
int32_t Permille(const std::string& text) {
  return static_cast<int32_t>(*ParseDecimalMinor(text, 3));
}

class Runner {
 public:
  explicit Runner(std::string file) : file_(std::move(file)) {}

  void Run() {
    std::ifstream in(file_);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      at_ = file_ + ":" + std::to_string(i + 1);
      const auto w = Words(lines[i]);
      if (w.empty() || w[0][0] == '#') continue;
      if (w[0] == "rules:")
        i = ReadRules(lines, i);
      else if (w[0] == "at")
        now_ = ParseAt(w.at(1), w.at(2));
      else if (w[0] == "expect")
        Expect(w);
      else
        i = Step(w, lines, i);
      if (world_) {
        EXPECT_TRUE(world_->Consistent()) << at_ << ": balance != sum of ledger";
      }
    }
  }

 private:
  testing::World& world() {
    if (!world_) world_ = std::make_unique<testing::World>(rules_);
    return *world_;
  }

  std::size_t ReadRules(const std::vector<std::string>& lines, std::size_t i) {
    std::string yaml;
    while (i + 1 < lines.size() && lines[i + 1].rfind("  ", 0) == 0)
      yaml += lines[++i].substr(2) + "\n";
    auto loaded = rules_file::Parse(yaml, at_);
    for (const auto& p : loaded.problems) ADD_FAILURE() << p.ToString();
    if (loaded.rules) {
      rules_ = *loaded.rules;
      if (world_) world_->SetRules(rules_);  // publishing new rules mid-story
    }
    return i;
  }

  // The indented item lines under an event.
  std::vector<std::vector<std::string>> Items(const std::vector<std::string>& lines,
                                              std::size_t& i) {
    std::vector<std::vector<std::string>> items;
    while (i + 1 < lines.size() && lines[i + 1].rfind("  ", 0) == 0)
      items.push_back(Words(lines[++i]));
    return items;
  }

  Event Sale(EventKind kind, const std::string& txn, const std::string& card) {
    Event e;
    e.kind = kind;
    e.transaction_id = txn;
    e.card = card;
    e.store_id = "S1";
    e.event_time_ms = now_;
    e.currency = rules_.program.currency;
    return e;
  }

  std::size_t Step(const std::vector<std::string>& w, const std::vector<std::string>& lines,
                   std::size_t i) {
    Event e;
    if (w[0] == "purchase") {  // purchase TXN card CARD [store S] [points N]
      e = Sale(EventKind::kPurchase, w.at(1), w.at(3));
      for (std::size_t k = 4; k + 1 < w.size(); k += 2) {
        if (w[k] == "store") e.store_id = w[k + 1];
        if (w[k] == "points") e.points = std::stoll(w[k + 1]);
      }
      for (const auto& it : Items(lines, i)) {  // SKU CATEGORY QTY x PRICE [brand B] [offer O]
        const int64_t qty = std::stoll(it.at(2));
        const int64_t unit = Minor(it.at(4));
        Line line{it.at(0), it.at(1), "", qty, unit, qty * unit};
        for (std::size_t k = 5; k + 1 < it.size(); k += 2) {
          if (it[k] == "brand") line.brand = it[k + 1];
          if (it[k] == "offer") line.offer_id = it[k + 1];
        }
        e.lines.push_back(line);
      }
    } else if (w[0] == "enroll") {  // enroll CARD [birthday YYYY-MM-DD] [consent yes|no]
      e.kind = EventKind::kEnroll;
      e.card = w.at(1);
      e.event_time_ms = now_;
      for (std::size_t k = 2; k + 1 < w.size(); k += 2) {
        if (w[k] == "birthday") {
          int y = 0, m = 0, d = 0;
          std::sscanf(w[k + 1].c_str(), "%d-%d-%d", &y, &m, &d);
          e.birthday = Date{y, m, d};
        }
        if (w[k] == "consent") e.marketing_consent = w[k + 1] == "yes";
      }
    } else if (w[0] == "consent") {  // consent TXN card CARD yes|no [source WORD]
      e = Sale(EventKind::kConsent, w.at(1), w.at(3));
      e.marketing_consent = w.at(4) == "yes";
      if (w.size() > 6 && w[5] == "source") e.consent_source = w[6];
    } else if (w[0] == "adjust") {  // adjust TXN card CARD points N reason R by OP [tier T]
      e.kind = EventKind::kAdjust;
      e.transaction_id = w.at(1);
      e.card = w.at(3);
      e.event_time_ms = now_;
      e.points = std::stoll(w.at(5));
      e.reason = w.at(7);
      e.operator_id = w.at(9);
      if (w.size() > 11 && w[10] == "tier") e.set_tier = w[11];
    } else if (w[0] == "cancel") {  // cancel TXN of REDEMPTION card CARD
      e = Sale(EventKind::kCancelRedeem, w.at(1), w.at(5));
      e.original_transaction_id = w.at(3);
    } else if (w[0] == "feedback") {  // feedback TXN card CARD score N [comment WORDS...]
      e = Sale(EventKind::kFeedback, w.at(1), w.at(3));
      e.score = std::stoi(w.at(5));
      for (std::size_t k = 7; k < w.size(); ++k) e.comment += (k == 7 ? "" : " ") + w[k];
    } else if (w[0] == "rfm") {  // the periodic RFM job
      world().RecomputeRfm(now_);
      return i;
    } else if (w[0] == "sweep") {
      seen_ = {"swept", {}, {}};
      seen_.decision.points_earned = world().SweepAll(now_);
      return i;
    } else if (w[0] == "return") {  // return TXN of ORIGINAL card CARD
      e = Sale(EventKind::kReturn, w.at(1), w.at(5));
      e.original_transaction_id = w.at(3);
      for (const auto& it : Items(lines, i)) {  // SKU QTY [x PRICE]
        const int64_t qty = std::stoll(it.at(1));
        const int64_t unit = it.size() > 3 ? Minor(it[3]) : 0;
        e.lines.push_back({it.at(0), "", "", qty, unit, qty * unit});
      }
    } else if (w[0] == "redeem") {  // redeem TXN card CARD points N basket AMOUNT
      e = Sale(EventKind::kRedeem, w.at(1), w.at(3));
      e.points = std::stoll(w.at(5));
      e.basket_total_minor = Minor(w.at(7));
    } else if (w[0] == "lookup") {
      const CustomerState& c = world().Customer(w.at(1));
      Profile p = world().View(w.at(1), now_);
      seen_ = {"profile", {}, p.balances};
      seen_.decision.tier = c.tier;
      seen_.lots = static_cast<int64_t>(c.lots.size());
      seen_.card = w.at(1);
      seen_.offers = std::move(p.offers);
      seen_.hints = std::move(p.hints);
      return i;
    } else {
      ADD_FAILURE() << at_ << ": unknown step '" << w[0] << "'";
      return i;
    }
    if (auto bad = ValidateEvent(e, rules_, now_)) {
      seen_ = {"invalid:" + bad->field, {}, {}};
      return i;
    }
    DecideResult r = world().Apply(e, now_);
    seen_ = {};
    seen_.card = e.card;
    if (r.replay) {
      // What the register is told again: the stored reply, marked replayed
      // (the shard sends the stored bytes); the balances are the customer's now.
      seen_.outcome = "replay";
      seen_.decision = replies_.at(e.transaction_id);
      seen_.balances = ViewProfile(world().Customer(e.card), now_).balances;
      return i;
    }
    if (r.effects.txn) replies_[e.transaction_id] = r.decision;
    seen_.offers = r.decision.offers;
    seen_.decision = r.decision;
    seen_.outcome = OutcomeName(r.decision.outcome);
    seen_.balances = r.decision.balances;
    return i;
  }

  void Expect(const std::vector<std::string>& w) {
    const std::map<std::string, int64_t> got = {
        {"earned", seen_.decision.points_earned},     {"reversed", seen_.decision.points_reversed},
        {"spent", seen_.decision.points_spent},       {"discount", seen_.decision.discount_minor},
        {"balance", seen_.balances.balance},          {"spendable", seen_.balances.spendable},
        {"pending", seen_.balances.pending},          {"lifetime", seen_.balances.lifetime},
        {"refunded", seen_.decision.points_refunded}, {"lots", seen_.lots},
        {"changed", seen_.decision.points_earned}};
    for (std::size_t k = 1; k < w.size(); ++k) {
      if (w[k] == "tier") {  // tier ID
        EXPECT_EQ(seen_.decision.tier, w.at(++k)) << at_ << ": tier";
        continue;
      }
      if (w[k] == "award") {  // award RULE POINTS (0: the rule gave nothing)
        const std::string rule = w.at(++k);
        const int64_t want = std::stoll(w.at(++k));
        int64_t points = 0;
        for (const RuleAward& a : seen_.decision.awards) {
          if (a.rule_id == rule) points = a.points;
        }
        EXPECT_EQ(points, want) << at_ << ": award " << rule;
        continue;
      }
      if (ExpectKnowing(w, k)) continue;
      auto it = got.find(w[k]);
      if (it == got.end()) {
        EXPECT_EQ(seen_.outcome, w[k]) << at_;
        continue;
      }
      EXPECT_EQ(it->second, std::stoll(w.at(++k))) << at_ << ": " << w[k - 1];
    }
  }

  // The customer's signals, offers and hints; false when w[k] is none of them.
  bool ExpectKnowing(const std::vector<std::string>& w, std::size_t& k) {
    static const std::set<std::string> kKeys = {
        "lifecycle", "churn",          "nps",     "segment",       "not-segment", "offers",
        "hint",      "no-hint",        "rfm",     "value",         "issued",      "held",
        "redeemed",  "offer-discount", "consent", "consent-source"};
    if (kKeys.count(w[k]) == 0) return false;
    const std::string key = w[k];
    std::string arg = w.at(++k);
    if (arg.front() == '"') {  // "a phrase in quotes", for hint and no-hint
      while (arg.size() < 2 || arg.back() != '"') arg += " " + w.at(++k);
      arg = arg.substr(1, arg.size() - 2);
    }
    if (key == "offers") {  // offers A,B (ids, best first) | offers none
      std::string ids;
      for (const OfferShown& o : seen_.offers) ids += (ids.empty() ? "" : ",") + o.offer_id;
      EXPECT_EQ(ids.empty() ? "none" : ids, arg) << at_ << ": offers";
      return true;
    }
    if (key == "offer-discount") {
      EXPECT_EQ(seen_.decision.offer_discount_minor, Minor(arg)) << at_ << ": offer-discount";
      return true;
    }
    if (key == "hint") {  // hint WORD or hint "A PHRASE": some greeting hint contains it
      bool found = false;
      for (const std::string& h : seen_.hints) found = found || h.find(arg) != std::string::npos;
      EXPECT_TRUE(found) << at_ << ": no hint contains '" << arg
                         << "'; hints: " << ::testing::PrintToString(seen_.hints);
      return true;
    }
    if (key == "no-hint") {  // no-hint WORD: no greeting hint contains WORD
      for (const std::string& h : seen_.hints) {
        EXPECT_EQ(h.find(arg), std::string::npos) << at_ << ": hint '" << h << "' names " << arg;
      }
      return true;
    }
    const Signals g = world().SignalsOf(seen_.card, now_);
    const CustomerState& c = world().Customer(seen_.card);
    auto use = [&](const std::string& id) {
      for (const OfferUse& u : c.offer_uses) {
        if (u.offer_id == id) return u;
      }
      return OfferUse{};
    };
    if (key == "lifecycle") {
      EXPECT_EQ(LifecycleName(g.lifecycle), arg) << at_ << ": lifecycle";
    } else if (key == "consent") {  // consent granted|refused|unknown
      EXPECT_EQ(ConsentName(c.marketing_consent), arg) << at_ << ": consent";
    } else if (key == "consent-source") {
      EXPECT_EQ(c.consent_source, arg) << at_ << ": consent source";
    } else if (key == "churn") {  // churn 0.5
      EXPECT_EQ(g.churn_risk_permille, Permille(arg)) << at_ << ": churn risk";
    } else if (key == "nps") {
      EXPECT_EQ(c.nps_score, std::stoi(arg)) << at_ << ": nps";
    } else if (key == "segment" || key == "not-segment") {
      const bool in = std::find(g.segments.begin(), g.segments.end(), arg) != g.segments.end();
      EXPECT_EQ(in, key == "segment")
          << at_ << ": segment " << arg << "; segments: " << ::testing::PrintToString(g.segments);
    } else if (key == "rfm") {  // rfm 5-4-3 (recency-frequency-monetary)
      const std::string got = std::to_string(g.rfm.recency) + "-" +
                              std::to_string(g.rfm.frequency) + "-" +
                              std::to_string(g.rfm.monetary);
      EXPECT_EQ(got, arg) << at_ << ": rfm";
    } else if (key == "value") {  // cost to serve: net value
      EXPECT_EQ(g.cost.net_minor, Minor(arg)) << at_ << ": value";
    } else if (key == "issued" || key == "held" || key == "redeemed") {  // issued OFFER N
      const OfferUse u = use(arg);
      const int64_t want = std::stoll(w.at(++k));
      const int64_t got = key == "redeemed"              ? u.redeemed
                          : u.holdout == (key == "held") ? u.issued
                                                         : 0;
      EXPECT_EQ(got, want) << at_ << ": " << key << " " << arg;
    }
    return true;
  }

  std::string file_;
  std::string at_;
  RuleSet rules_;
  std::unique_ptr<testing::World> world_;
  TimeMs now_ = 0;
  Seen seen_;
  std::map<std::string, Decision> replies_;  // by transaction id: the first answer
};

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, RunsAsWritten) { Runner(GetParam()).Run(); }

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(SCENARIO_DIR)) {
    if (f.path().extension() == ".scenario") files.push_back(f.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Files, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         [](const auto& info) {
                           return std::filesystem::path(info.param).stem().string();
                         });

}  // namespace
}  // namespace loyalty
