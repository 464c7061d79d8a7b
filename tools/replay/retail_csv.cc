#include "tools/replay/retail_csv.h"

#include <cmath>
#include <ctime>
#include <set>

#include "engine/limits.h"

namespace loyalty::replay {
namespace {

enum Column { kInvoice = 0, kStock, kDescription, kQuantity, kDate, kPrice, kCustomer, kCountry };

const std::set<std::string> kNonProducts = {
    "POST", "M", "D", "BANK CHARGES", "AMAZONFEE", "DOT", "CRUK", "PADS", "B", "S", "C2"};

// "2010-12-01 08:26:00" as UTC milliseconds; 0 when malformed (a field out
// of its calendar range included: -2147483648 as a year overflowed).
int64_t ParseTime(const std::string& s) {
  std::tm tm{};
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) < 5 ||
      tm.tm_year < 1 || tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
      tm.tm_mday > 31 || tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
      tm.tm_sec < 0 || tm.tm_sec > 60) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

// "2.55" -> 255 pence; more decimals round half up ("0.165" -> 17). A price
// beyond a line's maximum (limits.h) is malformed: 1e300 did not fit int64.
std::optional<int64_t> ParsePence(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(v) ||
      std::abs(v * 100) > static_cast<double>(limits::kLineTotalMinorMax)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(std::floor(v * 100 + 0.5));
}

// A quantity; beyond a line's maximum (limits.h) it is malformed: the
// lowest int64, negated for a cancellation, overflowed.
std::optional<int64_t> ParseQuantity(const std::string& s) {
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0' || v < -limits::kQuantityMax || v > limits::kQuantityMax) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

int64_t Invoice::total_minor() const {
  int64_t t = 0;
  for (const InvoiceLine& l : lines) t += l.quantity * l.unit_price_minor;
  return t;
}

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

Result<std::unique_ptr<RetailCsv>> RetailCsv::Open(const std::string& path, unsigned buffer_bytes) {
  auto lines = GzLines::Open(path, buffer_bytes);
  if (!lines.ok()) return lines.status();
  std::unique_ptr<RetailCsv> csv(new RetailCsv(std::move(*lines)));
  std::string header;
  if (!csv->lines_->Next(&header) || header.rfind("InvoiceNo,StockCode", 0) != 0) {
    return Status::Invalid(path +
                           " does not start with the Online Retail header "
                           "(InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,"
                           "CustomerID,Country)");
  }
  return csv;
}

RetailCsv::~RetailCsv() = default;

bool RetailCsv::ReadRow(std::vector<std::string>* fields) {
  std::string line;
  while (lines_->Next(&line)) {
    counts_.rows += 1;
    *fields = SplitCsv(line);
    if (fields->size() == 8) return true;
    counts_.malformed_rows += 1;
  }
  return false;
}

std::optional<Invoice> RetailCsv::Next() {
  std::vector<std::string> row;
  while (true) {
    if (have_pending_) {
      row = std::move(pending_);
      have_pending_ = false;
    } else if (!ReadRow(&row)) {
      return std::nullopt;
    }
    Invoice inv;
    inv.number = row[kInvoice];
    inv.cancellation = !inv.number.empty() && inv.number[0] == 'C';
    const bool adjustment = !inv.number.empty() && inv.number[0] == 'A';
    // Gather this invoice's rows.
    std::vector<std::vector<std::string>> rows = {row};
    while (ReadRow(&row)) {
      if (row[kInvoice] != inv.number) {
        pending_ = std::move(row);
        have_pending_ = true;
        break;
      }
      rows.push_back(row);
    }
    if (adjustment) {
      counts_.adjustment_invoices += 1;
      continue;
    }
    for (const auto& r : rows) {
      // "17850.0" is 17850; ".5" names nobody.
      const std::string customer = r[kCustomer].substr(0, r[kCustomer].find('.'));
      if (customer.empty()) {
        counts_.anonymous_rows += 1;
        continue;
      }
      const auto qty = ParseQuantity(r[kQuantity]);
      const auto price = ParsePence(r[kPrice]);
      const int64_t sign = inv.cancellation ? -1 : 1;
      if (!qty || !price || *qty * sign <= 0 || *price <= 0 || kNonProducts.count(r[kStock])) {
        counts_.dropped_lines += 1;
        continue;
      }
      inv.customer_id = customer;
      inv.time_ms = ParseTime(r[kDate]);
      inv.lines.push_back({r[kStock], r[kDescription], *qty * sign, *price});
    }
    if (inv.lines.empty()) continue;
    counts_.invoices += 1;
    if (inv.cancellation) counts_.cancellations += 1;
    return inv;
  }
}

}  // namespace loyalty::replay
