// Wire requests for end-to-end tests.
#pragma once

#include <chrono>
#include <string>

#include "loyalty/v1/wire.pb.h"

namespace loyalty::testing {

inline constexpr int64_t kEventTimeMs = 1'767'225'600'000;  // 2026-01-01

// The event time to send a real loyaltyd, whose clock is the wall clock:
// events older than program.limits.event_age_max_days are refused.
inline int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A one-line EUR purchase of `total_minor` at store S1.
inline v1::Request WirePurchase(const std::string& txn, const std::string& card,
                                int64_t total_minor, int64_t at_ms = kEventTimeMs) {
  v1::Request r;
  v1::Purchase* p = r.mutable_purchase();
  p->set_transaction_id(txn);
  p->set_store_id("S1");
  p->set_register_id("R1");
  p->set_card(card);
  p->set_event_time_ms(at_ms);
  p->set_currency("EUR");
  v1::Line* l = p->add_lines();
  l->set_sku("BASKET");
  l->set_quantity(1);
  l->set_unit_price_minor(total_minor < 0 ? 0 : total_minor);
  l->set_line_total_minor(total_minor);
  return r;
}

inline v1::Request WireLookup(const std::string& card) {
  v1::Request r;
  r.mutable_lookup()->set_card(card);
  return r;
}

}  // namespace loyalty::testing
