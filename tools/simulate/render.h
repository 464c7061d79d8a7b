// How a rule simulation is shown: side by side as text for a marketer, or
// one JSON object (stable keys) for scripts and the admin HTTP API.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/rules.h"
#include "tools/simulate/simulator.h"

namespace loyalty::simulate {

struct Labels {
  std::string baseline;  // "rules.yaml (v1 'example')"
  std::string candidate;
  std::string currency;  // of the costs
  double seconds = 0;    // wall time of the simulation
};

// Keys: baseline and candidate (each: events, applied, retries, refused{},
// invalid{}, points_issued, points_reversed, points_spent, points_refunded,
// points_adjusted, points_expired,
// cost_issued_minor, cost_net_minor, customers, customers_earning,
// points_by_rule{}), customers_points_differ, requests, lookups,
// undecodable{}, first_event_ms, last_event_ms, currency, seconds, source.
nlohmann::json ComparisonToJson(const Comparison& c, const Labels& labels);
std::string ComparisonToText(const Comparison& c, const Labels& labels);

}  // namespace loyalty::simulate
