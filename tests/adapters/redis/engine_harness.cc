#include "tests/adapters/redis/engine_harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>

namespace loyalty::testing {

TimeMs NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

redis::PublisherOptions TestPublisherOptions(const RedisServer& redis) {
  redis::PublisherOptions o;
  o.endpoint = redis.endpoint();
  o.key_prefix = "test:";
  o.connect_timeout_ms = 100;
  o.command_timeout_ms = 100;
  o.breaker.backoff_initial_ms = 20;
  o.breaker.backoff_max_ms = 200;
  return o;
}

EngineHarness::EngineHarness(redis::PublisherOptions options, std::size_t shards)
    : options_(std::move(options)) {
  StoreOptions store_options;
  store_options.path = dir_.Sub("db");
  auto store = Store::Open(store_options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(*store);
  redis::StateSource source;
  source.load = [this](const std::string& id) { return store_->GetCustomer(id); };
  source.for_each = [this](const std::function<Status(const CustomerState&)>& visit) {
    return store_->ForEachCustomer(visit);
  };
  publisher_ = std::make_unique<redis::Publisher>(options_, source, NowMs);
  publisher_->Start();
  RuntimeOptions pipeline_options;
  pipeline_options.shards = shards;
  pipeline_options.on_commit = [this](const CustomerState& s, TimeMs now_ms) {
    publisher_->OnCommit(s, now_ms);
  };
  pipeline_ = std::make_unique<testing::WiredRuntime>(*store_, std::make_shared<const RuleSet>(),
                                                      pipeline_options, NowMs);
}

EngineHarness::~EngineHarness() {
  pipeline_->Stop();
  publisher_->Stop();
}

v1::Reply EngineHarness::Call(v1::Request request) {
  std::promise<std::string> done;
  std::future<std::string> bytes = done.get_future();
  pipeline_->Handle(std::move(request), [&done](std::string b) { done.set_value(std::move(b)); });
  v1::Reply reply;
  EXPECT_TRUE(reply.ParseFromString(bytes.get()));
  return reply;
}

SaleGenerator::SaleGenerator(uint64_t seed, std::string txn_prefix, int cards)
    : rng_(seed), txn_prefix_(std::move(txn_prefix)), cards_(cards) {}

template <typename Msg>
void SetSale(Msg* m, const std::string& txn, const std::string& card) {
  m->set_transaction_id(txn);
  m->set_store_id("S1");
  m->set_register_id("R1");
  m->set_card(card);
  m->set_event_time_ms(NowMs());
  m->set_currency("EUR");
}

v1::Request SaleGenerator::Purchase(const std::string& card) {
  v1::Request r;
  v1::Purchase* p = r.mutable_purchase();
  SetSale(p, txn_prefix_ + std::to_string(next_txn_++), card);
  const int64_t minor = std::uniform_int_distribution<int64_t>(100, 20'000)(rng_);
  v1::Line* l = p->add_lines();
  l->set_sku("BASKET");
  l->set_quantity(1);
  l->set_unit_price_minor(minor);
  l->set_line_total_minor(minor);
  return r;
}

v1::Request SaleGenerator::Next() {
  const int dice = std::uniform_int_distribution<int>(0, 99)(rng_);
  const std::string card =
      "C" + std::to_string(std::uniform_int_distribution<int>(0, cards_ - 1)(rng_));
  if (known_cards_.empty() || dice < 55) return Purchase(card);
  v1::Request r;
  if (dice < 75) {
    const auto& [txn, bought_with] =
        purchases_[std::uniform_int_distribution<std::size_t>(0, purchases_.size() - 1)(rng_)];
    v1::Return* ret = r.mutable_purchase_return();
    SetSale(ret, txn_prefix_ + std::to_string(next_txn_++), bought_with);
    ret->set_original_transaction_id(txn);
    v1::Line* l = ret->add_lines();
    l->set_sku("BASKET");
    l->set_quantity(1);
    return r;
  }
  const std::string& known =
      known_cards_[std::uniform_int_distribution<std::size_t>(0, known_cards_.size() - 1)(rng_)];
  v1::Redeem* red = r.mutable_redeem();
  SetSale(red, txn_prefix_ + std::to_string(next_txn_++), known);
  red->set_points(std::uniform_int_distribution<int64_t>(1, 80)(rng_));
  red->set_basket_total_minor(10'000);
  return r;
}

void SaleGenerator::Observe(const v1::Request& request, const v1::Reply& reply) {
  if (!request.has_purchase() || !reply.has_decision()) return;
  if (reply.decision().outcome() != v1::APPLIED) return;
  purchases_.emplace_back(request.purchase().transaction_id(), request.purchase().card());
  known_cards_.push_back(request.purchase().card());
}

BackgroundLoad::BackgroundLoad(EngineHarness& engine, int clients, int cards, uint64_t seed,
                               double rate_per_s)
    : engine_(engine) {
  if (rate_per_s > 0) {
    interval_ = std::chrono::microseconds(static_cast<int64_t>(1e6 * clients / rate_per_s));
  }
  for (int i = 0; i < clients; ++i) {
    threads_.emplace_back(
        [this, i, seed, cards] { Client(i, seed + static_cast<uint64_t>(i), cards); });
  }
}

BackgroundLoad::~BackgroundLoad() { (void)Stop(); }

void BackgroundLoad::Client(int index, uint64_t seed, int cards) {
  SaleGenerator sales(seed, "L" + std::to_string(seed) + "-" + std::to_string(index) + "-", cards);
  auto next_at = std::chrono::steady_clock::now();
  while (!stop_.load()) {
    if (interval_.count() > 0) {
      next_at += interval_;
      std::this_thread::sleep_until(next_at);
    }
    v1::Request request = sales.Next();
    const auto start = std::chrono::steady_clock::now();
    v1::Reply reply = engine_.Call(request);
    const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
    sales.Observe(request, reply);
    std::lock_guard lock(mu_);
    (reply.has_decision() ? totals_.answered : totals_.failed) += 1;
    window_.push_back(us);
    totals_.latencies_us.push_back(us);
  }
}

LoadTotals BackgroundLoad::TakeWindow() {
  std::lock_guard lock(mu_);
  LoadTotals t{totals_.answered, totals_.failed, std::move(window_)};
  window_.clear();
  return t;
}

LoadTotals BackgroundLoad::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  std::lock_guard lock(mu_);
  return totals_;
}

int64_t PercentileUs(std::vector<int64_t> samples, int permille) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[(samples.size() - 1) * static_cast<std::size_t>(permille) / 1000];
}

std::vector<std::string> Incoherences(const Store& store, const RedisServer& redis,
                                      const std::string& key_prefix, std::size_t* customers) {
  std::vector<std::string> problems;
  auto reader = redis::Reader::Open(redis.endpoint(), redis::KeySchema(key_prefix), 1000);
  if (!reader.ok()) return {reader.status().ToString()};
  *customers = 0;
  Status walk = store.ForEachCustomer([&](const CustomerState& state) -> Status {
    ++*customers;
    const std::string who =
        "customer " + state.customer_id + " (version " + std::to_string(state.version) + "): ";
    auto got = (*reader)->ByCustomer(state.customer_id);
    if (!got.ok()) return got.status();
    if (!*got) {
      problems.push_back(who + "no snapshot in Redis");
      return Status::Ok();
    }
    const redis::Snapshot want = redis::MakeSnapshot(state, (*got)->as_of_ms);
    if (**got != want) {
      problems.push_back(who + "Redis has version " + std::to_string((*got)->version) +
                         ", balance " + std::to_string((*got)->balance) + "; RocksDB balance " +
                         std::to_string(want.balance));
    }
    for (const std::string& card : state.cards) {
      auto by_card = (*reader)->ByCard(card);
      if (!by_card.ok()) return by_card.status();
      if (!*by_card || (*by_card)->customer_id != state.customer_id) {
        problems.push_back(who + "card " + card + " does not lead to it");
      }
    }
    return Status::Ok();
  });
  if (!walk.ok()) problems.push_back(walk.ToString());
  return problems;
}

void ExpectCoherent(EngineHarness& engine, const RedisServer& redis, std::size_t min_customers) {
  ASSERT_TRUE(engine.publisher().WaitUntilIdle(kSettleMs))
      << "still behind: " << engine.publisher().counters().last_error;
  std::size_t customers = 0;
  const auto problems =
      Incoherences(engine.store(), redis, engine.options().key_prefix, &customers);
  EXPECT_GE(customers, min_customers);
  for (std::size_t i = 0; i < problems.size() && i < 10; ++i) ADD_FAILURE() << problems[i];
  EXPECT_TRUE(problems.empty()) << problems.size() << " of " << customers << " customers differ";
}

}  // namespace loyalty::testing
