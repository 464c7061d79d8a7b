#include "adapters/net/authorize.h"

#include "proto/wire_codec.h"

namespace loyalty::net {
namespace {

std::optional<v1::Error> Denied(std::string field, std::string message) {
  return wire::MakeError(v1::PERMISSION_DENIED, std::move(field), std::move(message));
}

// Every event a till sends carries its store and register: they come from the
// credential, never from the request.
template <typename Event>
std::optional<v1::Error> BindToRegister(const Credential& c, Event* e) {
  if (e->store_id().empty()) {
    e->set_store_id(c.store_id);
  } else if (e->store_id() != c.store_id) {
    return Denied("store_id", "credential " + c.key_id + " belongs to store " + c.store_id +
                                  "; this event names another store");
  }
  if (e->register_id().empty()) {
    e->set_register_id(c.register_id);
  } else if (e->register_id() != c.register_id) {
    return Denied("register_id", "credential " + c.key_id + " is register " + c.register_id +
                                     " of store " + c.store_id +
                                     "; this event names another register");
  }
  return std::nullopt;
}

}  // namespace

std::optional<v1::Error> Authorize(const Credential& credential, v1::Request& request) {
  if (credential.kind == CredentialKind::kOperator) return std::nullopt;
  switch (request.body_case()) {
    case v1::Request::kPurchase: return BindToRegister(credential, request.mutable_purchase());
    case v1::Request::kPurchaseReturn:
      return BindToRegister(credential, request.mutable_purchase_return());
    case v1::Request::kRedeem: return BindToRegister(credential, request.mutable_redeem());
    case v1::Request::kCancelRedeem:
      return BindToRegister(credential, request.mutable_cancel_redeem());
    case v1::Request::kFeedback: return BindToRegister(credential, request.mutable_feedback());
    case v1::Request::kConsent: return BindToRegister(credential, request.mutable_consent());
    case v1::Request::kAdjust:
      return Denied("adjust",
                    "manual adjustments and tier changes are not a till's: use the admin API "
                    "(POST /v1/customers/{card}/adjust) or an operator credential");
    case v1::Request::kReplaceCard:
      return Denied("replace_card",
                    "replacing a card is not a till's: use the admin API "
                    "(POST /v1/customers/{card}/replace) or an operator credential");
    case v1::Request::kErase:
      return Denied("erase",
                    "erasing a customer is not a till's: use the admin API "
                    "(POST /v1/customers/{card}/erase) or an operator credential");
    case v1::Request::kMerge:
      return Denied("merge",
                    "merging customers is not a till's: use the admin API "
                    "(POST /v1/customers/{card}/merge) or an operator credential");
    case v1::Request::kEnroll:
    case v1::Request::kLookup:
    case v1::Request::kHello:  // answered by the server before it gets here
    case v1::Request::BODY_NOT_SET: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace loyalty::net
