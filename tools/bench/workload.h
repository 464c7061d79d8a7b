// What loyalty-bench sends: a synthetic population of customers, Zipf-skewed
// (a few customers buy often, most rarely, as in a real shop), baskets of
// 1-30 lines, and a mix of purchases, returns, redemptions and lookups.
// Returns and redemptions only make sense after purchases were acknowledged:
// the workload remembers recent acknowledged purchases and returns one of
// their lines. Deterministic for a seed. Not thread-safe (one load thread).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "loyalty/v1/wire.pb.h"
#include "tools/replay/requests.h"

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
  // Events name no store or register: the server takes them from each
  // connection's credential (a till's credential is bound to one store).
  bool stores_from_credential = false;
  // Replay instead of the synthetic population: the real invoices in order,
  // again and again (each pass with fresh transaction ids). Mix is ignored.
  std::shared_ptr<const std::vector<replay::Invoice>> invoices;
};

// What the driver keeps of a sent purchase, so a return can refer to it.
struct SentPurchase {
  std::string txn, card, sku;
  int64_t quantity = 0;
};

class Workload {
 public:
  explicit Workload(WorkloadOptions options);

  // The next request as a ready frame (length prefix + Request bytes).
  // Purchases fill *sent. Baskets come from a pool serialized once, so the
  // load generator costs little next to the server it measures.
  std::string NextFrame(uint64_t request_id, Kind* kind, SentPurchase* sent);
  // A purchase for customer `index` (for filling the population).
  std::string PurchaseFrame(uint64_t request_id, std::size_t index, SentPurchase* sent);
  // Feeds an applied purchase back, so later returns can refer to it.
  void Acknowledged(SentPurchase sent);

  std::string CardOf(std::size_t index) const { return "bench-" + std::to_string(index); }

 private:
  struct Basket {
    std::string lines_bytes;  // repeated Line, serialized as Purchase field 7
    std::string sku;          // one of its lines, for returns
    int64_t quantity = 0;
  };
  std::size_t PickCustomer();
  void BuildBaskets();
  template <typename Msg>
  void Stamp(Msg* m, const std::string& card);
  std::string Purchase(uint64_t request_id, std::size_t customer, SentPurchase* sent);
  std::string Return(uint64_t request_id, Kind* kind, SentPurchase* sent);
  std::string Redeem(uint64_t request_id);

  WorkloadOptions options_;
  std::mt19937_64 rng_;
  std::vector<double> cdf_;  // Zipf over customers
  std::vector<Basket> baskets_;
  uint64_t next_txn_ = 0;
  std::vector<SentPurchase> returnable_;  // recent applied purchases, bounded
  // Replay state.
  std::string NextReplayed(uint64_t request_id, Kind* kind);
  std::unique_ptr<replay::RequestMaker> maker_;
  std::size_t next_invoice_ = 0;
  int pass_ = 0;
  std::vector<v1::Request> ready_;
};

}  // namespace loyalty::bench
