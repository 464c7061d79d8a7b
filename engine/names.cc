// Stable names of the core's enums: they appear in logs, JSON and reports, so
// they are part of the contract. Never rename one.
#include "engine/decision.h"
#include "engine/event.h"
#include "engine/ledger.h"
#include "engine/rules.h"

namespace loyalty {

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kEnroll: return "enroll";
    case EventKind::kPurchase: return "purchase";
    case EventKind::kReturn: return "return";
    case EventKind::kRedeem: return "redeem";
    case EventKind::kLookup: return "lookup";
    case EventKind::kAdjust: return "adjust";
    case EventKind::kCancelRedeem: return "cancel_redeem";
    case EventKind::kFeedback: return "feedback";
    case EventKind::kConsent: return "consent";
    case EventKind::kReplaceCard: return "replace_card";
    case EventKind::kErase: return "erase";
    case EventKind::kLinkCard: return "link_card";
    case EventKind::kMerge: return "merge";
  }
  return "unknown";
}

const char* ConsentName(Consent consent) {
  switch (consent) {
    case Consent::kUnknown: return "unknown";
    case Consent::kGranted: return "granted";
    case Consent::kRefused: return "refused";
  }
  return "unknown";
}

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kApplied: return "applied";
    case Outcome::kAlreadyEnrolled: return "already_enrolled";
    case Outcome::kUnknownCard: return "unknown_card";
    case Outcome::kDuplicateDifferentPayload: return "duplicate_different_payload";
    case Outcome::kInsufficientPoints: return "insufficient_points";
    case Outcome::kBelowMinimumRedemption: return "below_minimum_redemption";
    case Outcome::kExceedsBasketShare: return "exceeds_basket_share";
    case Outcome::kUnknownOriginal: return "unknown_original";
    case Outcome::kOriginalNotReturnable: return "original_not_returnable";
    case Outcome::kReturnExceedsPurchase: return "return_exceeds_purchase";
    case Outcome::kAlreadyCancelled: return "already_cancelled";
    case Outcome::kNotCancellable: return "not_cancellable";
    case Outcome::kOfferNotAvailable: return "offer_not_available";
    case Outcome::kPointsPerEventOverMax: return "points_per_event_over_max";
  }
  return "unknown";
}

const char* LedgerKindName(LedgerKind kind) {
  switch (kind) {
    case LedgerKind::kEarn: return "earn";
    case LedgerKind::kSpend: return "spend";
    case LedgerKind::kExpire: return "expire";
    case LedgerKind::kReverse: return "reverse";
    case LedgerKind::kRefund: return "refund";
    case LedgerKind::kAdjust: return "adjust";
    case LedgerKind::kMerge: return "merge";
  }
  return "unknown";
}

const char* LifecycleName(Lifecycle stage) {
  switch (stage) {
    case Lifecycle::kProspect: return "prospect";
    case Lifecycle::kTester: return "tester";
    case Lifecycle::kBuyer: return "buyer";
    case Lifecycle::kAccount: return "account";
    case Lifecycle::kPatron: return "patron";
    case Lifecycle::kAdvocate: return "advocate";
  }
  return "unknown";
}

const char* NpsGroupName(NpsGroup group) {
  switch (group) {
    case NpsGroup::kNone: return "none";
    case NpsGroup::kDetractor: return "detractor";
    case NpsGroup::kPassive: return "passive";
    case NpsGroup::kPromoter: return "promoter";
  }
  return "unknown";
}

}  // namespace loyalty
