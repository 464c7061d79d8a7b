// Offers, the lifecycle and the signals on the wire: every field the engine
// sets comes back after a trip through bytes.
#include <gtest/gtest.h>

#include "proto/wire_codec.h"
#include "tests/support/events.h"
#include "tests/support/full_profile.h"

namespace loyalty {
namespace {

using testing::kT0;

// Encodes, serializes and parses back, as a register would receive it.
template <typename Msg>
Msg ThroughBytes(const Msg& m) {
  Msg back;
  EXPECT_TRUE(back.ParseFromString(m.SerializeAsString()));
  return back;
}

OfferShown Shown(std::string id, bool early) {
  return {std::move(id), "Back to school", "10% off school", kT0 + 30 * kMsPerDay, early};
}

TEST(WireProfileTest, ADecisionCarriesOffersIssuedAndAppliedAndTheLifecycle) {
  Decision d;
  d.outcome = Outcome::kApplied;
  d.offers = {Shown("school10", false), Shown("vip-early", true)};
  d.offers_applied = {{"kitchen10", 2, 115, 0}, {"double", 0, 0, 200}};
  d.offer_discount_minor = 115;
  d.lifecycle = static_cast<uint8_t>(Lifecycle::kAccount);
  const v1::Decision w = ThroughBytes(wire::EncodeDecision(d));
  ASSERT_EQ(w.offers_size(), 2);
  EXPECT_EQ(w.offers(0).offer_id(), "school10");
  EXPECT_EQ(w.offers(0).name(), "Back to school");
  EXPECT_EQ(w.offers(0).reward(), "10% off school");
  EXPECT_EQ(w.offers(0).valid_until_ms(), kT0 + 30 * kMsPerDay);
  EXPECT_FALSE(w.offers(0).early_access());
  EXPECT_TRUE(w.offers(1).early_access());
  ASSERT_EQ(w.offers_applied_size(), 2);
  EXPECT_EQ(w.offers_applied(0).offer_id(), "kitchen10");
  EXPECT_EQ(w.offers_applied(0).line(), 2);
  EXPECT_EQ(w.offers_applied(0).discount_minor(), 115);
  EXPECT_EQ(w.offers_applied(1).points(), 200);
  EXPECT_EQ(w.offer_discount_minor(), 115);
  EXPECT_EQ(w.lifecycle(), v1::LIFECYCLE_ACCOUNT);
}

TEST(WireProfileTest, LifecycleStagesKeepTheirNumbersOnTheWire) {
  EXPECT_EQ(static_cast<int>(Lifecycle::kProspect), v1::LIFECYCLE_PROSPECT);
  EXPECT_EQ(static_cast<int>(Lifecycle::kTester), v1::LIFECYCLE_TESTER);
  EXPECT_EQ(static_cast<int>(Lifecycle::kBuyer), v1::LIFECYCLE_BUYER);
  EXPECT_EQ(static_cast<int>(Lifecycle::kAccount), v1::LIFECYCLE_ACCOUNT);
  EXPECT_EQ(static_cast<int>(Lifecycle::kPatron), v1::LIFECYCLE_PATRON);
  EXPECT_EQ(static_cast<int>(Lifecycle::kAdvocate), v1::LIFECYCLE_ADVOCATE);
  EXPECT_EQ(static_cast<int>(NpsGroup::kDetractor), v1::NPS_GROUP_DETRACTOR);
  EXPECT_EQ(static_cast<int>(NpsGroup::kPassive), v1::NPS_GROUP_PASSIVE);
  EXPECT_EQ(static_cast<int>(NpsGroup::kPromoter), v1::NPS_GROUP_PROMOTER);
}

Signals SomeSignals() {
  Signals g;
  g.lifecycle = Lifecycle::kAdvocate;
  g.churn_risk_permille = 420;
  g.usual_interval_days = 14;
  g.mean_interval_days = 12;
  g.days_since_purchase = 20;
  g.tenure_days = 400;
  g.mean_basket_minor = 769;
  g.items_per_basket_x10 = 25;
  g.spend_12m_minor = 150000;
  g.visits_12m = 26;
  g.nps = NpsGroup::kDetractor;
  g.rfm = {5, 4, 5};
  g.cost = {20001, 3003, 606, 707, 15685};
  g.top_categories = {"school", "garden"};
  g.top_stores = {"S-1", "S-2", "S-3"};
  g.segments = {"vip", "weekend"};
  return g;
}

TEST(WireProfileTest, AProfileCarriesSignalsHintsAndOffers) {
  CustomerState s;
  s.customer_id = "C";
  testing::SetEveryProfileField(s);  // NPS 0, brands: acme
  const Profile p{s,
                  {},
                  {},
                  SomeSignals(),
                  {"Gold member since March 2025", "Loves school"},
                  {Shown("school10", false)}};
  const v1::Profile w = ThroughBytes(wire::EncodeProfile(p, "C"));
  ASSERT_TRUE(w.has_signals());
  const v1::Signals& g = w.signals();
  EXPECT_EQ(g.lifecycle(), v1::LIFECYCLE_ADVOCATE);
  EXPECT_EQ(g.churn_risk_permille(), 420);
  EXPECT_EQ(g.usual_interval_days(), 14);
  EXPECT_EQ(g.mean_interval_days(), 12);
  ASSERT_TRUE(g.has_days_since_purchase());
  EXPECT_EQ(g.days_since_purchase(), 20);
  EXPECT_EQ(g.tenure_days(), 400);
  EXPECT_EQ(g.mean_basket_minor(), 769);
  EXPECT_EQ(g.items_per_basket_x10(), 25);
  EXPECT_EQ(g.spend_12m_minor(), 150000);
  EXPECT_EQ(g.visits_12m(), 26);
  ASSERT_TRUE(g.has_nps_score());
  EXPECT_EQ(g.nps_score(), 0);
  EXPECT_EQ(g.nps_group(), v1::NPS_GROUP_DETRACTOR);
  EXPECT_EQ(g.rfm().recency(), 5);
  EXPECT_EQ(g.rfm().frequency(), 4);
  EXPECT_EQ(g.rfm().monetary(), 5);
  EXPECT_EQ(g.rfm().segment(), "champions");
  EXPECT_EQ(g.cost_to_serve().revenue_minor(), 20001);
  EXPECT_EQ(g.cost_to_serve().returns_minor(), 3003);
  EXPECT_EQ(g.cost_to_serve().redeemed_minor(), 606);
  EXPECT_EQ(g.cost_to_serve().discounts_minor(), 707);
  EXPECT_EQ(g.cost_to_serve().net_minor(), 15685);
  EXPECT_EQ(std::vector<std::string>(g.top_categories().begin(), g.top_categories().end()),
            (std::vector<std::string>{"school", "garden"}));
  EXPECT_EQ(std::vector<std::string>(g.top_brands().begin(), g.top_brands().end()),
            (std::vector<std::string>{"acme"}));
  EXPECT_EQ(g.top_stores_size(), 3);
  EXPECT_EQ(g.segments(1), "weekend");
  ASSERT_EQ(w.greeting_hints_size(), 2);
  EXPECT_EQ(w.greeting_hints(1), "Loves school");
  ASSERT_EQ(w.offers_size(), 1);
  EXPECT_EQ(w.offers(0).offer_id(), "school10");
}

TEST(WireProfileTest, WhatIsUnknownIsAbsentNotZero) {
  CustomerState s;  // never bought, never answered
  Signals g;
  g.days_since_purchase = -1;
  const Profile p{s, {}, {}, g, {}, {}};
  const v1::Profile w = ThroughBytes(wire::EncodeProfile(p, "C"));
  ASSERT_TRUE(w.has_signals());
  EXPECT_FALSE(w.signals().has_days_since_purchase());
  EXPECT_FALSE(w.signals().has_nps_score());
  EXPECT_EQ(w.signals().nps_group(), v1::NPS_GROUP_NONE);
  EXPECT_EQ(w.signals().rfm().segment(), "");
  // Without the rules a profile has no signals at all.
  EXPECT_FALSE(ThroughBytes(wire::EncodeProfile(Profile{s, {}, {}}, "C")).has_signals());
}

TEST(WireProfileTest, ALookupShowsTheOtherCardsOfTheCustomerMasked) {
  CustomerState s;
  s.customer_id = "4000123412341234";  // enrolled without an id: known by the first card
  s.cards = {"4000123412341234", "5100999988887777", "C42"};
  const v1::Profile w = ThroughBytes(wire::EncodeProfile(Profile{s, {}, {}}, "5100999988887777"));
  ASSERT_EQ(w.cards_size(), 3);
  EXPECT_EQ(w.cards(0), "************1234");
  EXPECT_EQ(w.cards(1), "5100999988887777");  // the one looked up, as typed
  EXPECT_EQ(w.cards(2), "**2");               // short: half shown
  EXPECT_EQ(w.customer_id(), "************1234");
  // Looked up by the first card, the id is that card: shown.
  const v1::Profile first = ThroughBytes(wire::EncodeProfile(Profile{s, {}, {}}, s.cards[0]));
  EXPECT_EQ(first.customer_id(), "4000123412341234");
  EXPECT_EQ(first.cards(1), "************7777");
  // A chain's own customer id is not a card: shown as it is.
  s.customer_id = "CUST-9";
  EXPECT_EQ(ThroughBytes(wire::EncodeProfile(Profile{s, {}, {}}, "C42")).customer_id(), "CUST-9");
}

}  // namespace
}  // namespace loyalty
