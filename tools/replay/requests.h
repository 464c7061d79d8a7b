// Turns Online Retail invoices into loyalty.v1 requests, the way a register
// would send them: an invoice is a purchase for card = CustomerID; a
// cancellation is a return of those units, referring to the customer's most
// recent earlier purchase that still holds enough of that stock code (the
// data set does not say which invoice a cancellation undoes). Lines no
// earlier purchase can account for are dropped and counted.
// Not thread-safe; deterministic for the same invoices in the same order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "loyalty/v1/wire.pb.h"
#include "tools/replay/retail_csv.h"

namespace loyalty::replay {

struct RequestCounts {
  uint64_t purchases = 0;
  uint64_t returns = 0;
  uint64_t unmatched_return_lines = 0;  // cancelled units with no earlier purchase
};

class RequestMaker {
 public:
  // `prefix` makes transaction ids unique per replay ("" for the plain invoice numbers).
  explicit RequestMaker(std::string prefix = "") : prefix_(std::move(prefix)) {}

  // Zero or more requests (request_id 0): a purchase, or one return per
  // original purchase the cancellation's lines were matched to.
  std::vector<v1::Request> For(const Invoice& invoice);
  const RequestCounts& counts() const { return counts_; }

 private:
  struct Bought {
    std::string txn;
    std::map<std::string, int64_t> left;  // stock code -> units not yet returned
  };
  v1::Request Purchase(const Invoice& invoice);

  std::string prefix_;
  std::map<std::string, std::vector<Bought>> by_customer_;
  RequestCounts counts_;
  uint64_t returns_made_ = 0;
};

}  // namespace loyalty::replay
