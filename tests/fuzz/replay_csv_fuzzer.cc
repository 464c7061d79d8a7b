// Fuzz target: the replay's CSV reader (tools/replay/retail_csv.cc), which
// reads the Online Retail log for the benchmark, the replay and the
// console's rule simulation. The input is the file after its header line,
// any bytes; the target writes the header and the input to a memory file
// and reads it as `RetailCsv::Open` reads a file (zlib reads it plain).
//
// Each line, split by SplitCsv and written back with every field quoted,
// splits to the same fields. Every invoice returned has lines, each with a
// positive quantity and price and a product code (the reader's rules), a
// customer id without a decimal part, is a cancellation exactly when its
// number starts with 'C', and its total is computed without overflow. The
// counts agree with what was returned.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/check.h"
#include "tools/replay/retail_csv.h"

namespace loyalty::replay {
namespace {

constexpr std::string_view kHeader =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

std::string Quoted(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : fields[i]) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
  }
  return out;
}

void CheckSplit(std::string_view text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string line(text.substr(start, end - start));
    const std::vector<std::string> fields = SplitCsv(line);
    LOYALTY_CHECK(!fields.empty());
    LOYALTY_CHECK(SplitCsv(Quoted(fields)) == fields);
    start = end + 1;
  }
}

// A memory file a path can name, written afresh for each input.
class MemoryFile {
 public:
  MemoryFile() : fd_(memfd_create("replay_csv", 0)) { LOYALTY_CHECK(fd_ >= 0); }
  std::string Write(std::string_view text) {
    LOYALTY_CHECK(ftruncate(fd_, 0) == 0);
    LOYALTY_CHECK(pwrite(fd_, kHeader.data(), kHeader.size(), 0) ==
                  static_cast<ssize_t>(kHeader.size()));
    LOYALTY_CHECK(pwrite(fd_, text.data(), text.size(), static_cast<off_t>(kHeader.size())) ==
                  static_cast<ssize_t>(text.size()));
    return "/proc/self/fd/" + std::to_string(fd_);
  }

 private:
  int fd_;
};

void CheckInvoices(const std::string& path) {
  auto csv = RetailCsv::Open(path, 8192);  // a megabyte each time would be most of the time
  LOYALTY_CHECK(csv.ok());
  uint64_t invoices = 0;
  uint64_t cancellations = 0;
  while (auto inv = (*csv)->Next()) {
    invoices += 1;
    cancellations += inv->cancellation ? 1 : 0;
    LOYALTY_CHECK(!inv->lines.empty());
    LOYALTY_CHECK(inv->cancellation == (!inv->number.empty() && inv->number[0] == 'C'));
    LOYALTY_CHECK(!inv->customer_id.empty() && inv->customer_id.find('.') == std::string::npos);
    for (const InvoiceLine& l : inv->lines) {
      LOYALTY_CHECK(l.quantity > 0 && l.unit_price_minor > 0);
      LOYALTY_CHECK(l.stock_code != "POST" && l.stock_code != "BANK CHARGES");
    }
    LOYALTY_CHECK(inv->total_minor() > 0);
  }
  const Counts& c = (*csv)->counts();
  LOYALTY_CHECK(c.invoices == invoices && c.cancellations == cancellations);
  LOYALTY_CHECK(c.malformed_rows + c.anonymous_rows <= c.rows);
}

}  // namespace
}  // namespace loyalty::replay

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace loyalty::replay;
  static MemoryFile* file = new MemoryFile;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckSplit(text);
  CheckInvoices(file->Write(text));
  return 0;
}
