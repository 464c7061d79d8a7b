// Bad input against the real server: each case gets a clear error (code,
// field, why), nothing is stored, the connection closes only when the
// framing itself is broken, and a bystander client is never affected.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "adapters/net/client.h"
#include "adapters/net/framing.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using testing::ServerProcess;
using testing::TempDir;

v1::Request Purchase(const std::string& txn, const std::string& card, int64_t minor) {
  return testing::WirePurchase(txn, card, minor, testing::WallClockMs());
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.Sub("db"));
    ASSERT_TRUE(server_->ok()) << server_->Stderr();
  }
  std::unique_ptr<net::Client> Connect() {
    auto c = testing::ConnectAs(server_->address());
    EXPECT_TRUE(c.ok());
    return std::move(*c);
  }
  // Sends `request`, expects an error `code` on `field`, and that the
  // connection still serves a lookup afterwards.
  void ExpectFieldError(v1::Request request, v1::ErrorCode code, const std::string& field,
                        const std::string& says) {
    auto c = Connect();
    auto r = c->Call(std::move(request));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->has_error()) << r->DebugString();
    EXPECT_EQ(r->error().code(), code) << r->DebugString();
    EXPECT_EQ(r->error().field(), field);
    EXPECT_NE(r->error().message().find(says), std::string::npos) << r->error().message();
    v1::Request lookup;
    lookup.mutable_lookup()->set_card("bystander");
    auto alive = c->Call(lookup);
    ASSERT_TRUE(alive.ok()) << "the connection should live on: " << alive.status().ToString();
  }
  void ExpectNothingStoredFor(const std::string& card) {
    v1::Request lookup;
    lookup.mutable_lookup()->set_card(card);
    auto r = Connect()->Call(lookup);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->error().code(), v1::UNKNOWN_CARD) << r->DebugString();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(BadInputTest, AMissingTransactionIdIsNamed) {
  ExpectFieldError(Purchase("", "bad-1", 100), v1::INVALID_FIELD, "transaction_id", "is required");
  ExpectNothingStoredFor("bad-1");
}

TEST_F(BadInputTest, ANegativeAmountIsNamedWithItsLine) {
  ExpectFieldError(Purchase("T-neg", "bad-2", -500), v1::INVALID_FIELD, "lines[0].line_total_minor",
                   "got -500");
  ExpectNothingStoredFor("bad-2");
}

TEST_F(BadInputTest, AnAbsurdAmountIsRefused) {
  ExpectFieldError(Purchase("T-huge", "bad-3", 5'000'000'000), v1::INVALID_FIELD,
                   "lines[0].unit_price_minor", "must be between");
  ExpectNothingStoredFor("bad-3");
}

TEST_F(BadInputTest, AnUnknownCurrencyIsRefused) {
  v1::Request r = Purchase("T-cur", "bad-4", 100);
  r.mutable_purchase()->set_currency("XYZ");
  ExpectFieldError(r, v1::INVALID_FIELD, "currency", "not an ISO 4217");
  ExpectNothingStoredFor("bad-4");
}

TEST_F(BadInputTest, AnUnknownMessageIsRefusedAndTheConnectionLives) {
  v1::Request r;  // no body: what an older server sees of a newer message
  ExpectFieldError(r, v1::UNKNOWN_MESSAGE, "body", "no message this server knows");
}

TEST_F(BadInputTest, RedeemingOrLookingUpACardThatIsNotEnrolledIsUnknownCard) {
  v1::Request redeem;
  v1::Redeem* p = redeem.mutable_redeem();
  p->set_transaction_id("R-1");
  p->set_store_id("S1");
  p->set_card("bad-5");
  p->set_event_time_ms(testing::WallClockMs());
  p->set_currency("EUR");
  p->set_points(100);
  p->set_basket_total_minor(10000);
  ExpectFieldError(redeem, v1::UNKNOWN_CARD, "card", "not enrolled");
  ExpectNothingStoredFor("bad-5");
}

TEST_F(BadInputTest, AnOversizedFrameIsRefusedBeforeItsBodyAndTheConnectionCloses) {
  auto c = Connect();
  ASSERT_TRUE(c->SendBytes("\x80\x80\x10").ok());  // declares 256 KiB, sends nothing more
  auto r = c->Receive();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->error().code(), v1::OVERSIZED_FRAME);
  EXPECT_NE(r->error().message().find("262144 bytes"), std::string::npos);
  EXPECT_TRUE(c->ServerClosed());
}

TEST_F(BadInputTest, GarbageBytesAreAMalformedFrameAndTheConnectionCloses) {
  auto c = Connect();
  ASSERT_TRUE(c->SendBytes(std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff", 9)).ok());
  auto r = c->Receive();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->error().code(), v1::MALFORMED_FRAME);
  EXPECT_TRUE(c->ServerClosed());
}

// Much garbage at once: the server stops reading at the first bad frame, but
// must still deliver its error before closing (no reset that eats the reply).
TEST_F(BadInputTest, ALargeBlobOfGarbageStillGetsItsErrorReply) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto c = Connect();
    ASSERT_TRUE(c->SendBytes(std::string(1, '\x08') + std::string(512 * 1024, '\xff')).ok());
    auto r = c->Receive();
    ASSERT_TRUE(r.ok()) << "attempt " << attempt << ": " << r.status().ToString();
    EXPECT_EQ(r->error().code(), v1::MALFORMED_FRAME);
  }
}

TEST_F(BadInputTest, ATruncatedFrameIsExplainedWhenThePeerStopsSending) {
  auto c = Connect();
  std::string frame;
  net::AppendFrame(frame, Purchase("T-cut", "bad-6", 100).SerializeAsString());
  ASSERT_TRUE(c->SendBytes(frame.substr(0, frame.size() / 2)).ok());
  c->HalfClose();
  auto r = c->Receive();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->error().code(), v1::MALFORMED_FRAME);
  EXPECT_NE(r->error().message().find("unfinished frame"), std::string::npos);
  ExpectNothingStoredFor("bad-6");
}

TEST_F(BadInputTest, ABystanderIsNeverAffectedByAnotherClientsGarbage) {
  std::atomic<bool> stop{false};
  std::atomic<int> bystander_ok{0}, bystander_bad{0};
  std::string first_bad;
  std::thread bystander([&] {
    // A generous timeout: this is about errors, not latency on a busy machine.
    auto c = testing::ConnectAs(server_->address(), "ops-test", 30'000);
    ASSERT_TRUE(c.ok());
    for (int i = 0; !stop && i < 2000; ++i) {
      auto r = (*c)->Call(Purchase("B-" + std::to_string(i), "bystander-card", 1000));
      const bool good = r.ok() && r->has_decision();
      (good ? bystander_ok : bystander_bad) += 1;
      if (!good && first_bad.empty()) {
        first_bad = r.ok() ? r->DebugString() : r.status().ToString();
      }
    }
  });
  for (int i = 0; i < 20; ++i) {
    auto c = Connect();
    (void)c->SendBytes(i % 2 ? "\xff\xff\xff\xff\xff\xff" : "\x80\x80\x80\x01garbage");
    EXPECT_TRUE(c->ServerClosed());
  }
  stop = true;
  bystander.join();
  EXPECT_GT(bystander_ok.load(), 0);
  EXPECT_EQ(bystander_bad.load(), 0) << first_bad;
}

}  // namespace
}  // namespace loyalty
