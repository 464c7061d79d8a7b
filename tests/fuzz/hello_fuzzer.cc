// Fuzz target: the handshake. The input is a connection's byte stream after
// TLS: the first frame must be a Hello, checked against a fixed registers
// file (seed_credentials.h) by CredentialBook::Verify as the server does
// (adapters/net/server.cc Hello); the frames after it are requests on the
// authenticated connection, each put through Authorize.
//
// Checked against what the registers file says, independently of Verify:
// only the right secret of a credential that is not revoked is accepted,
// and then as that credential. A register credential never gets an Adjust
// through, and an event it does get through carries its store and register,
// whatever the request said; an operator's requests pass unchanged.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/net/authorize.h"
#include "adapters/net/credentials.h"
#include "adapters/net/framing.h"
#include "engine/check.h"
#include "engine/limits.h"
#include "loyalty/v1/wire.pb.h"
#include "tests/fuzz/seed_credentials.h"

namespace loyalty::net {
namespace {

const CredentialBook& Book() {
  static const std::shared_ptr<const CredentialBook> book = [] {
    auto parsed = CredentialBook::Parse(fuzz::SeedRegistersFile(), "seed registers");
    LOYALTY_CHECK(parsed.ok());
    return parsed.value();
  }();
  return *book;
}

const fuzz::SeedCredential* SeedOf(std::string_view key_id) {
  for (const fuzz::SeedCredential& c : fuzz::kSeedCredentials) {
    if (key_id == c.key_id) return &c;
  }
  return nullptr;
}

// The Hello: accepted exactly when the file says it should be.
const Credential* CheckHello(const v1::Hello& hello) {
  const Credential* credential = nullptr;
  const AuthRefusal refusal = Book().Verify(hello.key_id(), hello.secret(), &credential);
  const fuzz::SeedCredential* seed = SeedOf(hello.key_id());
  const bool right_secret = seed != nullptr && hello.secret() == seed->secret;
  LOYALTY_CHECK((refusal == AuthRefusal::kNone) == (right_secret && !seed->revoked));
  LOYALTY_CHECK((credential != nullptr) == (refusal == AuthRefusal::kNone));
  if (refusal == AuthRefusal::kRevoked) LOYALTY_CHECK(right_secret && seed->revoked);
  if (refusal == AuthRefusal::kUnknownKey) LOYALTY_CHECK(seed == nullptr);
  if (credential != nullptr) LOYALTY_CHECK(credential->key_id == hello.key_id());
  return credential;
}

template <typename Event>
void CheckBound(const Credential& c, const Event& before, const Event& after, bool denied) {
  if (denied) {
    LOYALTY_CHECK((!before.store_id().empty() && before.store_id() != c.store_id) ||
                  (!before.register_id().empty() && before.register_id() != c.register_id));
    return;
  }
  LOYALTY_CHECK(after.store_id() == c.store_id && after.register_id() == c.register_id);
}

void CheckAuthorize(const Credential& c, const v1::Request& request) {
  v1::Request after = request;
  const std::optional<v1::Error> denied = Authorize(c, after);
  if (denied) {
    LOYALTY_CHECK(denied->code() == v1::PERMISSION_DENIED && !denied->field().empty());
  }
  if (c.kind == CredentialKind::kOperator) {
    LOYALTY_CHECK(!denied && after.SerializeAsString() == request.SerializeAsString());
    return;
  }
  switch (request.body_case()) {
    case v1::Request::kAdjust: LOYALTY_CHECK(denied && denied->field() == "adjust"); return;
    case v1::Request::kReplaceCard:
      LOYALTY_CHECK(denied && denied->field() == "replace_card");
      return;
    case v1::Request::kErase: LOYALTY_CHECK(denied && denied->field() == "erase"); return;
    case v1::Request::kMerge: LOYALTY_CHECK(denied && denied->field() == "merge"); return;
    case v1::Request::kPurchase:
      return CheckBound(c, request.purchase(), after.purchase(), denied.has_value());
    case v1::Request::kPurchaseReturn:
      return CheckBound(c, request.purchase_return(), after.purchase_return(), denied.has_value());
    case v1::Request::kRedeem:
      return CheckBound(c, request.redeem(), after.redeem(), denied.has_value());
    case v1::Request::kCancelRedeem:
      return CheckBound(c, request.cancel_redeem(), after.cancel_redeem(), denied.has_value());
    case v1::Request::kFeedback:
      return CheckBound(c, request.feedback(), after.feedback(), denied.has_value());
    case v1::Request::kConsent:
      return CheckBound(c, request.consent(), after.consent(), denied.has_value());
    default: LOYALTY_CHECK(!denied); return;
  }
}

}  // namespace
}  // namespace loyalty::net

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 would log each time
  loyalty::net::Book();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace loyalty;
  using namespace loyalty::net;
  const std::string_view stream(reinterpret_cast<const char*>(data), size);
  const Credential* credential = nullptr;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    const std::string_view view = stream.substr(pos);
    const FrameHeader h = ParseFrameHeader(view, limits::kFrameBytesMax);
    if (h.status != FrameStatus::kComplete) break;
    v1::Request request;
    if (!request.ParseFromArray(view.data() + h.prefix_bytes, static_cast<int>(h.body_bytes))) {
      break;
    }
    pos += h.prefix_bytes + h.body_bytes;
    if (credential == nullptr) {  // the first frame: a Hello, or the connection ends
      if (!request.has_hello()) break;
      credential = CheckHello(request.hello());
      if (credential == nullptr) break;
      continue;
    }
    if (request.has_hello()) continue;  // refused INVALID_FIELD, the connection lives
    CheckAuthorize(*credential, request);
  }
  return 0;
}
