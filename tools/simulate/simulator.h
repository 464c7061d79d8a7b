// Rule simulation (DESIGN.md §7, issue 3): past events replayed through a
// rule set with the pure core, in memory, writing nothing. Compare runs two
// rule sets side by side over one pass of the events, so a marketer sees
// what a change would have done: points issued and reversed, their cost,
// customers affected, points per rule, offers issued and redeemed.
//
// "Now" follows event time: it is the latest event time seen so far, never
// going backwards, so pending windows and expiry behave as they did then.
// Events are validated against each rule set as the server would (an event
// in another currency than the program's is counted invalid, by field).
// Idempotency holds as on the server: a transaction id seen again with the
// same payload changes nothing, with another payload it is refused.
// Not thread-safe; deterministic for the same events and rules.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/budget.h"
#include "engine/decide.h"
#include "engine/status.h"
#include "tools/simulate/event_source.h"

namespace loyalty::simulate {

struct RunTotals {
  uint64_t events = 0;                      // decided (valid) events
  uint64_t applied = 0;                     // outcome APPLIED
  std::map<std::string, uint64_t> refused;  // outcome name -> count
  uint64_t retries = 0;  // a transaction id again with the same payload: nothing changed
  std::map<std::string, uint64_t> invalid;         // field -> events refused by validation
  std::map<std::string, std::string> invalid_why;  // field -> the first reason seen
  int64_t points_issued = 0;                       // earned by purchases
  int64_t points_reversed = 0;                     // taken back by returns
  int64_t points_spent = 0;                        // redeemed (or paid a basket)
  int64_t points_refunded = 0;                     // spent points given back (cancel, return)
  int64_t points_adjusted = 0;                     // manual corrections, net
  int64_t points_expired = 0;                      // reached their expiry by the end
  std::map<std::string, int64_t> points_by_rule;   // earned, per rule id
  int64_t point_value_minor = 0;                   // the rule set's, for costs
  uint64_t customers = 0;                          // with a state
  uint64_t customers_earning = 0;                  // earned at least one point
  int64_t offers_issued = 0;                       // issues printed on receipts
  int64_t offers_held_out = 0;                     // would have been issued: holdout groups
  int64_t offers_redeemed = 0;
  int64_t offer_discount_minor = 0;  // discounts the offers gave
  uint64_t customers_offered = 0;    // got at least one offer
  int64_t cost_issued_minor() const { return points_issued * point_value_minor; }
  int64_t cost_net_minor() const { return (points_issued - points_reversed) * point_value_minor; }
};

// One rule set's world: customers, cards and transactions, in memory.
class Run {
 public:
  explicit Run(std::shared_ptr<const RuleSet> rules);
  void Apply(const Event& event, TimeMs now_ms);
  // The periodic sweep (expiry, tier reviews) at `now_ms` for every
  // customer, then the totals.
  RunTotals Finish(TimeMs now_ms);
  // Every customer's state as of the last event (after Finish, the sweep's).
  const std::unordered_map<std::string, CustomerState>& customers() const { return customers_; }
  // Points earned net of reversals, per customer.
  const std::unordered_map<std::string, int64_t>& net_points() const { return net_points_; }

 private:
  void Count(const DecideResult& result);

  std::shared_ptr<const RuleSet> rules_;
  std::unordered_map<std::string, std::string> card_to_customer_;
  std::unordered_map<std::string, CustomerState> customers_;
  std::unordered_map<std::string, TxnRecord> txns_;
  std::unordered_map<std::string, int64_t> net_points_;
  std::unordered_map<std::string, int64_t> earned_;
  BudgetsUsed budgets_;  // campaign budgets, spent as the events go
  // RFM quantiles as loyaltyd's periodic job would have them: recomputed
  // once a day of event time.
  RfmQuantiles rfm_;
  TimeMs rfm_next_ms_ = 0;
  RunTotals totals_;
};

struct Comparison {
  RunTotals baseline;
  RunTotals candidate;
  uint64_t requests = 0;                        // read from the events file
  uint64_t lookups = 0;                         // change nothing; skipped
  std::map<std::string, uint64_t> undecodable;  // wire codec refusals by message; skipped
  uint64_t customers_differ = 0;                // whose net points differ between the two
  TimeMs first_event_ms = 0;
  TimeMs last_event_ms = 0;
  std::string source_summary;
  // What the marketer should look at before trusting the numbers, e.g.
  // "rule 'back-to-school' matched no line of the events (categories school)".
  std::vector<std::string> warnings;
};

// Reads every event of `source` once and applies it to both rule sets.
// Fails on an unreadable event (the status names file:line and why), and
// before reading further when the two rule sets' currencies differ or the
// first sale is in another currency than the rules' (the costs would not
// compare, and every sale would count as invalid).
Result<Comparison> Compare(EventSource& source, std::shared_ptr<const RuleSet> baseline,
                           std::shared_ptr<const RuleSet> candidate);

}  // namespace loyalty::simulate
