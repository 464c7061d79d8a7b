// Runs every tests/scenarios/*.scenario file (format: README.md beside this
// file) through the pure core, the way a shard drives it: validate, decide,
// apply. After every step the ledger invariant must hold for everyone.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "adapters/yaml/rules_file.h"
#include "engine/money.h"
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
};

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
      for (const auto& it : Items(lines, i)) {  // SKU CATEGORY QTY x PRICE [brand B]
        const int64_t qty = std::stoll(it.at(2));
        const int64_t unit = Minor(it.at(4));
        const std::string brand = it.size() > 6 && it[5] == "brand" ? it[6] : "";
        e.lines.push_back({it.at(0), it.at(1), brand, qty, unit, qty * unit});
      }
    } else if (w[0] == "enroll") {  // enroll CARD [birthday YYYY-MM-DD]
      e.kind = EventKind::kEnroll;
      e.card = w.at(1);
      e.event_time_ms = now_;
      if (w.size() > 3 && w[2] == "birthday") {
        int y = 0, m = 0, d = 0;
        std::sscanf(w[3].c_str(), "%d-%d-%d", &y, &m, &d);
        e.birthday = Date{y, m, d};
      }
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
      seen_ = {"profile", {}, ViewProfile(c, now_).balances};
      seen_.decision.tier = c.tier;
      seen_.lots = static_cast<int64_t>(c.lots.size());
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
    seen_.decision = r.decision;
    seen_.outcome = r.replay ? "replay" : OutcomeName(r.decision.outcome);
    seen_.balances =
        r.replay ? ViewProfile(world().Customer(e.card), now_).balances : r.decision.balances;
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
      auto it = got.find(w[k]);
      if (it == got.end()) {
        EXPECT_EQ(seen_.outcome, w[k]) << at_;
        continue;
      }
      EXPECT_EQ(it->second, std::stoll(w.at(++k))) << at_ << ": " << w[k - 1];
    }
  }

  std::string file_;
  std::string at_;
  RuleSet rules_;
  std::unique_ptr<testing::World> world_;
  TimeMs now_ = 0;
  Seen seen_;
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
