// Reads the UCI Online Retail log (../shared/data, gzip CSV) as invoices:
// one invoice = one basket at one checkout = one purchase, or for a
// cancellation ('C' invoice) one return, for card = CustomerID.
//
// The data set's oddities are handled by rules, never by crashing; each is
// counted in Counts so a summary can say what was skipped and why:
//   - rows without a CustomerID (or only ".5"): anonymous sales, skipped;
//   - a line with quantity or price <= 0 on an ordinary invoice (adjustments,
//     free samples), beyond a line's maximum (engine/limits.h: 100,000 units,
//     10,000,000.00), or a non-product code (POST, M, D, BANK CHARGES,
//     AMAZONFEE, DOT, CRUK, PADS, B, S, C2): the line is dropped;
//   - a date out of the calendar's range: time 0;
//   - 'A' invoices (bad-debt adjustments): skipped;
//   - prices with more than 2 decimals: rounded half up to the penny;
//   - CustomerID written as a float (17850.0): read as 17850.
// Rows of one invoice are consecutive in the file (it is in time order).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "tools/replay/gz_lines.h"

namespace loyalty::replay {

struct InvoiceLine {
  std::string stock_code;
  std::string description;
  int64_t quantity = 0;          // > 0; for a cancellation, the units returned
  int64_t unit_price_minor = 0;  // pence
};

struct Invoice {
  std::string number;       // "536365", or "C536379" for a cancellation
  std::string customer_id;  // "17850"
  int64_t time_ms = 0;      // InvoiceDate as UTC
  bool cancellation = false;
  std::vector<InvoiceLine> lines;
  int64_t total_minor() const;
};

struct Counts {
  uint64_t rows = 0;
  uint64_t anonymous_rows = 0;
  uint64_t dropped_lines = 0;        // non-positive quantity/price or non-product codes
  uint64_t adjustment_invoices = 0;  // 'A' invoices
  uint64_t malformed_rows = 0;
  uint64_t invoices = 0;  // returned by Next
  uint64_t cancellations = 0;
};

class RetailCsv {
 public:
  // buffer_bytes: as GzLines::Open.
  static Result<std::unique_ptr<RetailCsv>> Open(const std::string& path,
                                                 unsigned buffer_bytes = 1 << 20);
  ~RetailCsv();

  // The next invoice with at least one line, or nullopt at the end.
  std::optional<Invoice> Next();
  const Counts& counts() const { return counts_; }

 private:
  explicit RetailCsv(std::unique_ptr<GzLines> lines) : lines_(std::move(lines)) {}
  bool ReadRow(std::vector<std::string>* fields);

  std::unique_ptr<GzLines> lines_;
  Counts counts_;
  std::vector<std::string> pending_;  // first row of the next invoice
  bool have_pending_ = false;
};

// Splits one CSV line (RFC 4180 quoting: "a,b" and "" inside quotes).
std::vector<std::string> SplitCsv(const std::string& line);

}  // namespace loyalty::replay
