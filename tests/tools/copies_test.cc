// Copies of one transaction in the pipeline, made deterministic: a commit
// listener that holds the committing shard after its commit, before its
// claims are released, keeps a transaction id claimed for as long as the
// test needs, so a copy surely finds it claimed and must wait.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "adapters/rocksdb/store.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wired_runtime.h"

namespace loyalty {
namespace {

constexpr std::size_t kShards = 2;
constexpr auto kPatience = std::chrono::seconds(10);

std::size_t ShardOf(const std::string& card) {
  return std::hash<std::string>{}(card) % kShards;  // as Runtime routes
}

// A card whose name starts with `prefix` on shard `shard`.
std::string CardOnShard(const std::string& prefix, std::size_t shard) {
  for (int i = 0;; ++i) {
    const std::string card = prefix + std::to_string(i);
    if (ShardOf(card) == shard) return card;
  }
}

// Holds the shard that commits `customer_id` until Open().
class Hold {
 public:
  explicit Hold(std::string customer_id) : customer_id_(std::move(customer_id)) {}
  void OnCommit(const CustomerState& state) {
    std::unique_lock lock(mu_);
    if (state.customer_id != customer_id_) return;
    holding_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  bool WaitHolding() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return holding_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  const std::string customer_id_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool holding_ = false;
  bool open_ = false;
};

class CopiesTest : public ::testing::Test {
 protected:
  void Start(const std::string& held_customer, std::size_t copies_waiting_max = 16) {
    StoreOptions store_options;
    store_options.path = dir_.Sub("db");
    auto store = Store::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    hold_ = std::make_unique<Hold>(held_customer);
    RuntimeOptions options;
    options.shards = kShards;
    options.sweep_interval_ms = 0;
    options.copies_waiting_max = copies_waiting_max;
    options.on_commit = [this](const CustomerState& s, TimeMs) { hold_->OnCommit(s); };
    pipeline_ = std::make_unique<testing::WiredRuntime>(
        *store_, std::make_shared<RuleSet>(), options, [] { return testing::kEventTimeMs; });
    ASSERT_TRUE(pipeline_->status().ok());
  }
  void TearDown() override {
    if (hold_) hold_->Open();
    if (pipeline_) pipeline_->Stop();
  }

  // Hands `request` (request id 1) to the pipeline; the reply comes later.
  std::future<std::string> Send(v1::Request request) {
    request.set_request_id(1);
    auto answered = std::make_shared<std::promise<std::string>>();
    auto reply = answered->get_future();
    pipeline_->Handle(std::move(request),
                      [answered](std::string bytes) { answered->set_value(std::move(bytes)); });
    return reply;
  }
  // Waits until `n` copies have waited on a claim so far.
  bool WaitCopiesWaited(uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (pipeline_->stats().copies_waited < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  static v1::Reply Parse(std::future<std::string>& reply) {
    v1::Reply r;
    EXPECT_EQ(reply.wait_for(kPatience), std::future_status::ready);
    EXPECT_TRUE(r.ParseFromString(reply.get()));
    return r;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Hold> hold_;
  std::unique_ptr<testing::WiredRuntime> pipeline_;
};

v1::Request RedeemUnknown(const std::string& txn, const std::string& card) {
  v1::Request r;
  v1::Redeem* redeem = r.mutable_redeem();
  redeem->set_transaction_id(txn);
  redeem->set_store_id("S1");
  redeem->set_register_id("R1");
  redeem->set_card(card);
  redeem->set_event_time_ms(testing::kEventTimeMs);
  redeem->set_currency("EUR");
  redeem->set_points(10);
  redeem->set_basket_total_minor(1000);
  return r;
}

TEST_F(CopiesTest, ACopyOnAnotherShardWaitsForTheCommitAndIsRefusedAsADifferentPayload) {
  const std::string a = CardOnShard("A", 0);
  const std::string b = CardOnShard("B", 1);
  Start(a);
  auto first = Send(testing::WirePurchase("T-1", a, 1000));
  ASSERT_TRUE(hold_->WaitHolding());  // committed, T-1 still claimed
  auto copy = Send(testing::WirePurchase("T-1", b, 1000));
  ASSERT_TRUE(WaitCopiesWaited(1));
  EXPECT_EQ(copy.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  hold_->Open();

  EXPECT_EQ(Parse(first).decision().outcome(), v1::APPLIED);
  const v1::Reply refused = Parse(copy);
  EXPECT_EQ(refused.error().code(), v1::DUPLICATE_DIFFERENT_PAYLOAD) << refused.DebugString();
  EXPECT_EQ(refused.error().field(), "transaction_id");
}

TEST_F(CopiesTest, CopiesOnTheSameCardGetTheStoredReplyByteForByte) {
  const std::string a = CardOnShard("A", 0);
  Start(a);
  auto first = Send(testing::WirePurchase("T-1", a, 1000));
  ASSERT_TRUE(hold_->WaitHolding());
  std::vector<std::future<std::string>> copies;  // queued behind the held shard
  for (int i = 0; i < 10; ++i) copies.push_back(Send(testing::WirePurchase("T-1", a, 1000)));
  hold_->Open();

  const v1::Reply stored = Parse(first);
  EXPECT_FALSE(stored.replayed());
  for (auto& copy : copies) {
    const v1::Reply again = Parse(copy);
    EXPECT_TRUE(again.replayed());
    EXPECT_EQ(again.decision().SerializeAsString(), stored.decision().SerializeAsString());
  }
  EXPECT_EQ(pipeline_->stats().replays, 10u);
  EXPECT_EQ(pipeline_->stats().copies_waited, 0u);  // the first read serves its whole group
}

// The register sends the same purchase again after its answer: the reply
// says it is the stored one (replayed), and the decision is the same bytes.
TEST_F(CopiesTest, ASaleSentAgainIsAnsweredAsReplayedWithTheSameDecisionBytes) {
  const std::string a = CardOnShard("A", 0);
  Start("nobody");  // hold no commit
  auto first = Send(testing::WirePurchase("T-1", a, 1000));
  const v1::Reply applied = Parse(first);
  ASSERT_EQ(applied.decision().outcome(), v1::APPLIED);
  EXPECT_FALSE(applied.replayed());
  auto second = Send(testing::WirePurchase("T-1", a, 1000));
  const v1::Reply again = Parse(second);
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.decision().SerializeAsString(), applied.decision().SerializeAsString());
  EXPECT_EQ(pipeline_->stats().replays, 1u);
}

// A refusal leaves no record, so there is nothing to replay: the copies
// queued in the same group as the first wait on their own shard's claim and
// are then decided one after another, to the same refusal.
TEST_F(CopiesTest, CopiesOfARefusalThatLeavesNoRecordAreDecidedAfterIt) {
  const std::string a = CardOnShard("A", 0);
  const std::string unknown = CardOnShard("U", 0);
  Start(a);
  auto held = Send(testing::WirePurchase("T-0", a, 1000));
  ASSERT_TRUE(hold_->WaitHolding());
  std::vector<std::future<std::string>> copies;  // one group once the shard goes on
  for (int i = 0; i < 5; ++i) copies.push_back(Send(RedeemUnknown("R-1", unknown)));
  hold_->Open();

  const std::string first = copies[0].get();
  const v1::Reply refusal = [&] {
    v1::Reply r;
    EXPECT_TRUE(r.ParseFromString(first));
    return r;
  }();
  EXPECT_EQ(refusal.error().code(), v1::UNKNOWN_CARD) << refusal.DebugString();
  for (std::size_t i = 1; i < copies.size(); ++i) EXPECT_EQ(copies[i].get(), first);
  EXPECT_GE(pipeline_->stats().copies_waited, 4u);
  (void)held.get();
}

TEST_F(CopiesTest, ACopyPastTheWaitingLimitIsAnsweredOverloaded) {
  const std::string a = CardOnShard("A", 0);
  const std::string b = CardOnShard("B", 1);
  const std::string c = CardOnShard("C", 1);
  Start(a, /*copies_waiting_max=*/1);
  auto first = Send(testing::WirePurchase("T-1", a, 1000));
  ASSERT_TRUE(hold_->WaitHolding());
  auto waiting = Send(testing::WirePurchase("T-1", b, 1000));
  ASSERT_TRUE(WaitCopiesWaited(1));
  auto over = Send(testing::WirePurchase("T-1", c, 1000));
  const v1::Reply overloaded = Parse(over);  // answered while the first is still held
  EXPECT_EQ(overloaded.error().code(), v1::OVERLOADED) << overloaded.DebugString();
  hold_->Open();

  EXPECT_EQ(Parse(first).decision().outcome(), v1::APPLIED);
  EXPECT_EQ(Parse(waiting).error().code(), v1::DUPLICATE_DIFFERENT_PAYLOAD);
}

}  // namespace
}  // namespace loyalty
