// EventClock: the server's "now" when replaying history (loyaltyd --clock
// event). The engine reads the time only through the Runtime's clock
// function; with this clock "now" is the latest event time seen so far and
// never goes backwards, so pending windows, expiry and recency behave as
// they did at the time of the events (2010-2011 for the Online Retail data
// set) instead of as of today, when every historical lot would have expired.
//
// EventClockHandler sits between the network server and the Runtime: it
// notes each request's event time, then hands the request on unchanged.
// Noting happens before the Runtime reads the clock, so an event always
// sees now >= its own time. Lookups carry no time and see the latest.
//
// Meant for loading past events into a data dir, not for live registers: one
// register with a clock years ahead would move "now" there for good.
// Thread safety: Observe and Now from any thread (one atomic).
#pragma once

#include <atomic>

#include "adapters/net/server.h"
#include "engine/event.h"

namespace loyalty {

class EventClock {
 public:
  void Observe(TimeMs event_time_ms) {
    TimeMs seen = latest_ms_.load(std::memory_order_relaxed);
    while (event_time_ms > seen && !latest_ms_.compare_exchange_weak(seen, event_time_ms)) {
    }
  }
  TimeMs Now() const { return latest_ms_.load(); }

 private:
  std::atomic<TimeMs> latest_ms_{0};
};

class EventClockHandler final : public net::RequestHandler {
 public:
  EventClockHandler(EventClock& clock, net::RequestHandler& next) : clock_(clock), next_(next) {}

  void Handle(v1::Request request, ReplyFn reply) override {
    clock_.Observe(EventTimeOf(request));
    next_.Handle(std::move(request), std::move(reply));
  }

 private:
  static TimeMs EventTimeOf(const v1::Request& r) {
    switch (r.body_case()) {
      case v1::Request::kPurchase: return r.purchase().event_time_ms();
      case v1::Request::kPurchaseReturn: return r.purchase_return().event_time_ms();
      case v1::Request::kRedeem: return r.redeem().event_time_ms();
      case v1::Request::kAdjust: return r.adjust().event_time_ms();
      case v1::Request::kCancelRedeem: return r.cancel_redeem().event_time_ms();
      case v1::Request::kFeedback: return r.feedback().event_time_ms();
      case v1::Request::kConsent: return r.consent().event_time_ms();
      case v1::Request::kReplaceCard: return r.replace_card().event_time_ms();
      case v1::Request::kErase: return r.erase().event_time_ms();
      case v1::Request::kMerge: return r.merge().event_time_ms();
      default: return 0;
    }
  }

  EventClock& clock_;
  net::RequestHandler& next_;
};

}  // namespace loyalty
