// What loyalty-bench sends: a synthetic population of customers, Zipf-skewed
// (a few customers buy often, most rarely, as in a real shop), baskets of
// 1-30 lines, and a mix of purchases, returns, redemptions and lookups.
// Returns and redemptions only make sense after purchases were acknowledged:
// the workload remembers recent acknowledged purchases and returns one of
// their lines. Deterministic for a seed. Not thread-safe (one load thread).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "loyalty/v1/wire.pb.h"

namespace loyalty::bench {

struct Mix {
  int purchase = 100, ret = 0, redeem = 0, lookup = 0;  // relative weights
};
// "purchase=85,return=5,redeem=5,lookup=5"; false when malformed.
bool ParseMix(const std::string& text, Mix* mix);

enum class Kind { kPurchase = 0, kReturn = 1, kRedeem = 2, kLookup = 3 };
inline constexpr int kKinds = 4;
const char* KindName(Kind k);

struct WorkloadOptions {
  std::size_t customers = 100'000;
  double zipf_s = 0.99;
  int lines_min = 1;
  int lines_max = 30;
  Mix mix;
  uint64_t seed = 1;
  std::string run_id = "r";  // prefixes transaction ids, so runs never collide
};

class Workload {
 public:
  explicit Workload(WorkloadOptions options);

  // The next request (request_id left 0) and its kind.
  v1::Request Next(Kind* kind);
  // A purchase for customer `index` (for filling the population).
  v1::Request PurchaseFor(std::size_t index);
  // Feeds an answered purchase back, so later returns can refer to it.
  void Acknowledged(const v1::Request& request, const v1::Reply& reply);

  std::string CardOf(std::size_t index) const { return "bench-" + std::to_string(index); }

 private:
  std::size_t PickCustomer();
  v1::Request Purchase(std::size_t customer);
  v1::Request Return(Kind* kind);
  v1::Request Redeem();
  template <typename Msg>
  void Stamp(Msg* m, const std::string& card);

  WorkloadOptions options_;
  std::mt19937_64 rng_;
  std::vector<double> cdf_;  // Zipf over customers
  uint64_t next_txn_ = 0;
  struct Bought {
    std::string txn, card, sku;
    int64_t quantity;
  };
  std::vector<Bought> returnable_;  // recent acknowledged purchases, bounded
};

}  // namespace loyalty::bench
