#include "tests/sim/simulator.h"

#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "engine/runtime/memory_store.h"
#include "engine/runtime/runtime.h"

namespace loyalty::sim {
namespace {

constexpr TimeMs kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr int64_t kBonus = 50, kBonusBudget = 40'000, kBonusMinBasket = 5'000;

// The decision as the runtime stores it, in a form this file reads back.
class SimCodec final : public DecisionCodec {
 public:
  std::string Encode(const Decision& d) const override {
    std::ostringstream out;
    out << static_cast<int>(d.outcome) << '|' << d.transaction_id << '|' << d.customer_id << '|'
        << d.points_earned << '|' << d.points_spent << '|' << d.points_reversed << '|'
        << d.points_refunded << '|' << d.balances.balance << '|' << d.rules_version << '|';
    for (const RuleAward& a : d.awards) out << a.rule_id << ':' << a.points << ';';
    return out.str();
  }
};

struct Decoded {
  Outcome outcome = Outcome::kApplied;
  std::string txn, customer;
  int64_t earned = 0, spent = 0, reversed = 0, refunded = 0, balance = 0;
  uint32_t version = 0;
  std::map<std::string, int64_t> awards;
  int64_t delta() const { return earned - spent - reversed + refunded; }
};

Decoded Decode(const std::string& bytes) {
  std::vector<std::string> f;
  std::stringstream in(bytes);
  for (std::string part; std::getline(in, part, '|');) f.push_back(part);
  f.resize(10);
  Decoded d;
  d.outcome = static_cast<Outcome>(std::stoi(f[0]));
  d.txn = f[1];
  d.customer = f[2];
  d.earned = std::stoll(f[3]);
  d.spent = std::stoll(f[4]);
  d.reversed = std::stoll(f[5]);
  d.refunded = std::stoll(f[6]);
  d.balance = std::stoll(f[7]);
  d.version = static_cast<uint32_t>(std::stoul(f[8]));
  std::stringstream awards(f[9]);
  for (std::string a; std::getline(awards, a, ';');) {
    const auto colon = a.find(':');
    d.awards[a.substr(0, colon)] += std::stoll(a.substr(colon + 1));
  }
  return d;
}

// SplitMix64: the same numbers from the same seed on every machine.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  bool Percent(uint64_t p) { return Below(1000) < p * 10; }
  bool Permille(uint64_t p) { return Below(1000) < p; }

 private:
  uint64_t s_;
};

std::shared_ptr<const RuleSet> Rules(uint32_t version) {
  auto rules = std::make_shared<RuleSet>();
  rules->version = version;
  // Odd versions: one point per unit; even: two.
  rules->program.points_per_unit_milli = version % 2 == 1 ? 1000 : 2000;
  rules->program.pending_days = 2;
  rules->program.expiry_days = 30;
  rules->program.return_policy = ReturnPolicy::kWithinBalance;
  EarnRule bonus;
  bonus.id = "bonus";
  bonus.bonus_points = kBonus;
  bonus.basket_total_min_minor = kBonusMinBasket;
  bonus.budget_points = kBonusBudget;
  rules->earn_rules.push_back(bonus);
  return rules;
}

class Sim {
 public:
  explicit Sim(const SimOptions& o) : o_(o), rng_(o.seed) {
    for (uint32_t v = 1; v <= 2; ++v) versions_[v] = Rules(v);
    rules_ = versions_[1];
    next_checkpoint_ = o.checkpoint_every;
    Start();
  }

  SimResult Run() {
    while (r_.events < o_.events && r_.ok) {
      Tick();
      if (r_.events >= next_checkpoint_) {
        Checkpoint();
        next_checkpoint_ += o_.checkpoint_every;
      }
    }
    if (r_.ok) Checkpoint();
    runtime_->Stop();
    return r_;
  }

 private:
  enum class Known { kInFlight, kUnknown, kStored, kUnstored };
  struct Txn {
    Event event;
    Known known = Known::kInFlight;
    std::string bytes;  // kStored: the decision as stored
    Decoded decision;
  };
  enum class Probe { kSend, kOtherPayload };
  struct Request {
    std::string txn;  // "" for lookups
    Probe probe = Probe::kSend;
  };

  void Start() {
    RuntimeOptions options;
    options.shards = o_.shards;
    options.stepped = true;
    options.sweep_interval_ms = 0;
    options.cached_customers_max = o_.customers / 4 + 1;  // evictions happen too
    runtime_ = std::make_unique<Runtime>(store_, codec_, rules_, options, [this] { return now_; });
    if (!runtime_->status().ok())
      Fail("the runtime did not start: " + runtime_->status().message());
  }

  void Fail(const std::string& what) {
    if (!r_.ok) return;
    r_.ok = false;
    r_.failure =
        "seed " + std::to_string(o_.seed) + ", event " + std::to_string(r_.events) + ": " + what;
  }

  std::string Card(uint64_t i) const { return "C" + std::to_string(i); }

  void Tick() {
    const uint64_t roll = rng_.Below(1000);
    if (in_flight_ > 200 || roll < 300) return Steps(1 + rng_.Below(4));
    if (roll < 310 && !unknown_.empty()) return RetryUnknown();
    if (roll < 370) return RetryKnown();
    if (roll < 380) return OtherPayload();
    if (roll < 384) {
      r_.commit_failures += 1;
      return store_.FailCommits(1, rng_.Below(2) == 0 ? MemoryStore::Failure::kNotWritten
                                                      : MemoryStore::Failure::kWrittenButFailed);
    }
    if (roll < 386) {
      now_ += static_cast<TimeMs>(rng_.Below(10 * kMsPerDay));
      return;
    }
    if (roll < 388) {
      r_.sweeps += 1;
      (void)runtime_->SweepDue(now_);
      return;
    }
    if (roll < 389 && rng_.Permille(300)) return SwapRules();
    if (roll < 390 && rng_.Permille(200)) return Crash();
    now_ += static_cast<TimeMs>(rng_.Below(60'000));
    Event e = NewEvent();
    const bool copy = e.kind != EventKind::kLookup && rng_.Permille(30);
    if (e.kind != EventKind::kLookup) txns_[e.transaction_id] = Txn{e};
    Send(e, Probe::kSend);
    if (copy) Send(e, Probe::kSend);
  }

  Event NewEvent() {
    Event e;
    e.card = Card(rng_.Below(o_.customers));
    e.store_id = "S" + std::to_string(1 + rng_.Below(5));
    e.register_id = "R1";
    e.currency = "EUR";
    e.event_time_ms = now_;
    e.transaction_id = "T" + std::to_string(++next_txn_);
    const uint64_t kind = rng_.Below(100);
    const auto& mine = by_card_[e.card];
    if (kind < 10) {
      e.kind = EventKind::kLookup;
      e.transaction_id.clear();
    } else if (kind < 20 && !mine.purchases.empty()) {
      const Txn& original = txns_.at(mine.purchases[rng_.Below(mine.purchases.size())]);
      e.kind = EventKind::kReturn;
      e.original_transaction_id = original.event.transaction_id;
      const Line& line = original.event.lines[rng_.Below(original.event.lines.size())];
      const int64_t qty = 1 + static_cast<int64_t>(rng_.Below(line.quantity + 1));  // may exceed
      e.lines.push_back(Line{line.sku, line.category, "", qty, line.unit_price_minor,
                             qty * line.unit_price_minor});
    } else if (kind < 32) {
      e.kind = EventKind::kRedeem;
      e.points = 1 + static_cast<int64_t>(rng_.Below(400));
      e.basket_total_minor = 500 + static_cast<int64_t>(rng_.Below(20'000));
    } else if (kind < 36 && !mine.redeems.empty()) {
      e.kind = EventKind::kCancelRedeem;
      e.original_transaction_id = mine.redeems[rng_.Below(mine.redeems.size())];
    } else if (kind < 40) {
      e.kind = EventKind::kAdjust;
      e.points = static_cast<int64_t>(rng_.Below(200)) - 80;
      if (e.points == 0) e.points = 1;
      e.reason = "goodwill";
      e.operator_id = "sim";
    } else {
      e.kind = EventKind::kPurchase;
      const uint64_t lines = 1 + rng_.Below(3);
      for (uint64_t i = 0; i < lines; ++i) {
        const int64_t qty = 1 + static_cast<int64_t>(rng_.Below(3));
        const int64_t unit = 50 + static_cast<int64_t>(rng_.Below(4'000));
        e.lines.push_back(
            Line{"SKU" + std::to_string(rng_.Below(30)), "general", "", qty, unit, qty * unit});
      }
    }
    return e;
  }

  void Send(const Event& e, Probe probe) {
    const uint64_t id = ++next_request_;
    requests_[id] = Request{e.transaction_id, probe};
    r_.events += 1;
    in_flight_ += 1;
    runtime_->Submit(id, e, [this, id](Answer a) { Answered(id, std::move(a)); });
  }

  void Steps(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      const std::size_t shard = rng_.Below(runtime_->shard_count());
      if (rng_.Below(2) == 0) {
        if (!runtime_->StepDecide(shard)) runtime_->StepCommit(shard);
      } else if (!runtime_->StepCommit(shard)) {
        runtime_->StepDecide(shard);
      }
    }
  }

  void Drain() {
    for (bool busy = true; busy;) {
      busy = false;
      for (std::size_t s = 0; s < runtime_->shard_count(); ++s) {
        busy = runtime_->StepCommit(s) || runtime_->StepDecide(s) || busy;
      }
    }
  }

  // A till resends what it got no answer for, with the same transaction id
  // and payload, stamped now (the fingerprint leaves the time out).
  void RetryUnknown() {
    auto it = unknown_.begin();
    std::advance(it, static_cast<long>(rng_.Below(unknown_.size())));
    Resend(std::string(*it));
  }
  void Resend(const std::string& id) {
    Txn& t = txns_.at(id);
    t.event.event_time_ms = now_;
    t.known = Known::kInFlight;
    unknown_.erase(id);
    Send(t.event, Probe::kSend);
  }

  void RetryKnown() {
    if (stored_.empty()) return;
    Txn& t = txns_.at(stored_[rng_.Below(stored_.size())]);
    t.event.event_time_ms = now_;
    Send(t.event, Probe::kSend);
  }

  void OtherPayload() {
    if (stored_.empty()) return;
    Event e = txns_.at(stored_[rng_.Below(stored_.size())]).event;
    e.event_time_ms = now_;
    e.store_id += "-other";  // part of the payload
    Send(e, Probe::kOtherPayload);
  }

  void SwapRules() {
    r_.rule_swaps += 1;
    const uint32_t next = rules_->version + 1;
    if (!versions_.count(next)) versions_[next] = Rules(next);
    rules_ = versions_[next];
    runtime_->SetRules(rules_);
  }

  // The process dies: what was not committed is gone and never answered; a
  // new runtime starts on the same store (which kept every commit).
  void Crash() {
    r_.crashes += 1;
    runtime_->Crash();
    runtime_.reset();
    for (auto& [id, request] : requests_) {
      if (request.probe != Probe::kSend || request.txn.empty()) continue;
      Txn& t = txns_.at(request.txn);
      if (t.known == Known::kInFlight) {
        t.known = Known::kUnknown;
        unknown_.insert(request.txn);
      }
    }
    requests_.clear();
    in_flight_ = 0;
    Start();
  }

  void Answered(uint64_t id, Answer a) {
    auto at = requests_.find(id);
    if (at == requests_.end()) return Fail("an answer to a request nobody sent");
    const Request request = at->second;
    requests_.erase(at);
    in_flight_ -= 1;
    r_.trace_hash = (r_.trace_hash ^ (id * 31 + static_cast<uint64_t>(a.kind))) * 0x100000001b3ULL;
    for (char c : a.decision_bytes) r_.trace_hash = (r_.trace_hash ^ uint8_t(c)) * 0x100000001b3ULL;
    if (request.txn.empty()) {  // a lookup
      // A lookup waiting in a group whose commit failed shares its answer.
      if (a.kind != AnswerKind::kProfile && a.kind != AnswerKind::kUnknownCard &&
          a.kind != AnswerKind::kUnavailable) {
        Fail("a lookup answered " + std::string(AnswerLabel(a)) + ": " + a.message);
      }
      return;
    }
    Txn& t = txns_.at(request.txn);
    if (request.probe == Probe::kOtherPayload) {
      if (a.kind == AnswerKind::kUnavailable) return;
      if (a.kind != AnswerKind::kRefused || a.outcome != Outcome::kDuplicateDifferentPayload) {
        Fail("transaction " + request.txn + " sent again with another payload was answered " +
             std::string(AnswerLabel(a)) + " instead of refused as a duplicate");
      }
      return;
    }
    switch (a.kind) {
      case AnswerKind::kDecided:
        if (t.known == Known::kStored) {
          return Fail("transaction " + request.txn + " was decided a second time: first " +
                      t.bytes + ", then " + a.decision_bytes);
        }
        r_.applied += a.outcome == Outcome::kApplied ? 1 : 0;
        Store(t, a.decision_bytes);
        return CheckDecision(t);
      case AnswerKind::kReplayed:
        r_.replayed += 1;
        if (t.known == Known::kStored && a.decision_bytes != t.bytes) {
          return Fail("a retry of " + request.txn + " got " + a.decision_bytes +
                      " instead of the stored " + t.bytes);
        }
        if (t.known != Known::kStored) {  // an unknown outcome turns out written
          Store(t, a.decision_bytes);
          CheckDecision(t);
        }
        return;
      case AnswerKind::kRefused:
        r_.refused += 1;
        if (t.known == Known::kStored) {
          return Fail("a retry of stored " + request.txn + " was refused: " + a.message);
        }
        if (t.known != Known::kUnstored) unknown_.erase(request.txn);
        t.known = Known::kUnstored;
        return;
      case AnswerKind::kUnavailable:
        r_.unavailable += 1;
        if (t.known == Known::kInFlight) {
          t.known = Known::kUnknown;
          unknown_.insert(request.txn);
        }
        return;
      default:
        return Fail("transaction " + request.txn + " answered " + std::string(AnswerLabel(a)) +
                    " (" + a.field + "): " + a.message);
    }
  }

  void Store(Txn& t, const std::string& bytes) {
    unknown_.erase(t.event.transaction_id);
    t.known = Known::kStored;
    t.bytes = bytes;
    t.decision = Decode(bytes);
    stored_.push_back(t.event.transaction_id);
    if (t.decision.outcome != Outcome::kApplied) return;
    auto& mine = by_card_[t.event.card];
    if (t.event.kind == EventKind::kPurchase) mine.purchases.push_back(t.event.transaction_id);
    if (t.event.kind == EventKind::kRedeem) mine.redeems.push_back(t.event.transaction_id);
    if (t.event.kind == EventKind::kPurchase) bonus_awarded_ += t.decision.awards["bonus"];
  }

  // The reference model of an applied purchase.
  void CheckDecision(const Txn& t) {
    const Decoded& d = t.decision;
    if (t.event.kind != EventKind::kPurchase || d.outcome != Outcome::kApplied) return;
    int64_t total = 0;
    for (const Line& l : t.event.lines) total += l.line_total_minor;
    const auto rules = versions_.find(d.version);
    if (rules == versions_.end()) return Fail(t.event.transaction_id + " names no version");
    const int64_t base = total * rules->second->program.points_per_unit_milli / 100'000;
    const auto b = d.awards.find("base");
    const int64_t got = b == d.awards.end() ? 0 : b->second;
    if (got != base) {
      return Fail("purchase " + t.event.transaction_id + " of " + std::to_string(total) +
                  " minor units earned " + std::to_string(got) + " base points under version " +
                  std::to_string(d.version) + "; the model says " + std::to_string(base));
    }
    const auto bonus = d.awards.find("bonus");
    if (bonus != d.awards.end() && bonus->second != 0 &&
        (bonus->second != kBonus || total < kBonusMinBasket)) {
      return Fail("purchase " + t.event.transaction_id + " got a bonus of " +
                  std::to_string(bonus->second));
    }
    if (bonus_awarded_ > kBonusBudget) {
      return Fail("the bonus budget of " + std::to_string(kBonusBudget) +
                  " was overshot: " + std::to_string(bonus_awarded_));
    }
  }

  // Drains, resolves every unknown outcome by retrying, and checks the store.
  void Checkpoint() {
    r_.checkpoints += 1;
    Drain();
    for (int round = 0; !unknown_.empty() && r_.ok; ++round) {
      if (round > 50) return Fail(std::to_string(unknown_.size()) + " outcomes stay unknown");
      const std::vector<std::string> pending(unknown_.begin(), unknown_.end());
      for (const std::string& id : pending) Resend(id);
      Drain();
    }
    if (!r_.ok) return;
    if (in_flight_ != 0) return Fail(std::to_string(in_flight_) + " requests never answered");
    // Ledger entries per transaction (expiries excluded: an event may expire
    // lots as it passes).
    std::map<std::string, int64_t> by_txn;
    Status s = store_.ForEachCustomer([&](const CustomerState& c) {
      const std::vector<LedgerEntry> ledger = store_.Ledger(c.customer_id);
      int64_t sum = 0, lots = 0;
      for (std::size_t i = 0; i < ledger.size(); ++i) {
        const LedgerEntry& e = ledger[i];
        if (e.seq != i + 1) {
          return Status::Corruption(c.customer_id + ": ledger entry " + std::to_string(e.seq) +
                                    " at position " + std::to_string(i + 1));
        }
        sum += e.points;
        if (e.kind != LedgerKind::kExpire) by_txn[e.transaction_id] += e.points;
      }
      for (const Lot& l : c.lots) lots += l.points;
      if (sum != c.balance() || lots - c.debt_points != c.balance()) {
        return Status::Corruption(c.customer_id + ": balance " + std::to_string(c.balance()) +
                                  ", ledger " + std::to_string(sum) + ", lots " +
                                  std::to_string(lots) + " less debt " +
                                  std::to_string(c.debt_points));
      }
      return Status::Ok();
    });
    if (!s.ok()) return Fail(s.message());
    for (const auto& [id, t] : txns_) {
      const int64_t want = t.known == Known::kStored && t.decision.outcome == Outcome::kApplied
                               ? t.decision.delta()
                               : 0;
      auto at = by_txn.find(id);
      const int64_t got = at == by_txn.end() ? 0 : at->second;
      if (got != want) {
        return Fail("transaction " + id + " moved " + std::to_string(got) +
                    " points in the ledger; its acknowledged decision says " +
                    std::to_string(want) +
                    (t.bytes.empty() ? " (not stored)" : " (" + t.bytes + ")"));
      }
      if (at != by_txn.end()) by_txn.erase(at);
      if (t.known == Known::kStored) {
        auto record = store_.GetTxn(id);
        if (!record.ok() || !record->has_value()) return Fail(id + " has no stored record");
      }
    }
    by_txn.erase("");
    for (const auto& [id, points] : by_txn) {
      if (points != 0) return Fail("ledger entries of " + id + ", which nobody sent");
    }
    const auto budgets = runtime_->BudgetTotals();
    if (auto b = budgets.find("bonus"); b != budgets.end() && b->second > kBonusBudget) {
      return Fail("the runtime's bonus budget used " + std::to_string(b->second));
    }
  }

  SimOptions o_;
  Rng rng_;
  SimResult r_;
  MemoryStore store_;
  SimCodec codec_;
  std::map<uint32_t, std::shared_ptr<const RuleSet>> versions_;
  std::shared_ptr<const RuleSet> rules_;
  std::unique_ptr<Runtime> runtime_;
  TimeMs now_ = kStart;
  uint64_t next_txn_ = 0, next_request_ = 0, in_flight_ = 0;
  uint64_t next_checkpoint_ = 0;
  int64_t bonus_awarded_ = 0;
  std::map<std::string, Txn> txns_;
  std::vector<std::string> stored_;
  std::set<std::string> unknown_;
  std::map<uint64_t, Request> requests_;
  struct Mine {
    std::vector<std::string> purchases, redeems;
  };
  std::map<std::string, Mine> by_card_;
};

}  // namespace

std::string SimResult::Summary() const {
  std::ostringstream out;
  out << events << " events: " << applied << " applied, " << refused << " refused, " << replayed
      << " replayed, " << unavailable << " unavailable; " << crashes << " crashes, " << sweeps
      << " sweeps, " << rule_swaps << " rule swaps, " << checkpoints << " checkpoints; trace "
      << std::hex << trace_hash;
  return out.str();
}

SimResult Simulate(const SimOptions& options) {
  Sim sim(options);
  return sim.Run();
}

}  // namespace loyalty::sim
