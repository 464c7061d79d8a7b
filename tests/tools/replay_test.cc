#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "tests/support/temp_dir.h"
#include "tools/replay/requests.h"
#include "tools/replay/retail_csv.h"

namespace loyalty::replay {
namespace {

constexpr const char* kHeader =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

std::unique_ptr<RetailCsv> Open(const testing::TempDir& dir, const std::string& rows) {
  const std::string path = dir.Sub("retail.csv");  // zlib reads plain text too
  std::ofstream(path) << kHeader << rows;
  auto csv = RetailCsv::Open(path);
  EXPECT_TRUE(csv.ok()) << csv.status().ToString();
  return std::move(*csv);
}

TEST(SplitCsvTest, HonoursQuotesCommasAndDoubledQuotes) {
  EXPECT_EQ(SplitCsv(R"(1,"A, B",3)"), (std::vector<std::string>{"1", "A, B", "3"}));
  EXPECT_EQ(SplitCsv(R"(x,"RECORD FRAME 7"" SINGLE",y)"),
            (std::vector<std::string>{"x", "RECORD FRAME 7\" SINGLE", "y"}));
  EXPECT_EQ(SplitCsv("a,,b\r"), (std::vector<std::string>{"a", "", "b"}));
}

TEST(RetailCsvTest, GroupsAnInvoicesRowsAndAppliesTheDocumentedRules) {
  testing::TempDir dir;
  auto csv =
      Open(dir,
           "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
           "536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850.0,United Kingdom\n"
           "536365,22000,FREE,1,2010-12-01 08:26:00,0,17850.0,United Kingdom\n"
           "536365,71053,\"LANTERN, METAL\",6,2010-12-01 08:26:00,3.395,17850.0,United Kingdom\n"
           "536366,22633,ANON,6,2010-12-01 08:28:00,1.85,,United Kingdom\n"
           "A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,11062.06,,United Kingdom\n"
           "C536379,85123A,HEART,-2,2010-12-01 09:41:00,2.55,17850.0,United Kingdom\n");
  auto inv = csv->Next();
  ASSERT_TRUE(inv);
  EXPECT_EQ(inv->number, "536365");
  EXPECT_EQ(inv->customer_id, "17850");
  EXPECT_EQ(inv->time_ms, 1291191960000);  // 2010-12-01T08:26:00Z
  ASSERT_EQ(inv->lines.size(), 2u);        // postage and the free line dropped
  EXPECT_EQ(inv->lines[1].description, "LANTERN, METAL");
  EXPECT_EQ(inv->lines[1].unit_price_minor, 340);  // 3.395 rounds half up
  auto cancel = csv->Next();                       // the anonymous invoice and 'A' are skipped
  ASSERT_TRUE(cancel);
  EXPECT_TRUE(cancel->cancellation);
  EXPECT_EQ(cancel->lines[0].quantity, 2);
  EXPECT_FALSE(csv->Next());
  EXPECT_EQ(csv->counts().anonymous_rows, 1u);
  EXPECT_EQ(csv->counts().adjustment_invoices, 1u);
  EXPECT_EQ(csv->counts().dropped_lines, 2u);
  EXPECT_EQ(csv->counts().invoices, 2u);
}

// Found writing replay_csv_fuzzer, each shown under UBSan with the row
// below (tests/fuzz/corpus/replay_csv/regression_*): the lowest int64 as a
// cancellation's quantity overflowed when negated, a price of 1e300 did not
// fit int64, nor did a line total of huge prices, a year of -2147483648
// overflowed, and a CustomerID of ".5" made an invoice for nobody.
TEST(RetailCsvTest, NumbersOutOfRangeAreDroppedNotOverflowed) {
  testing::TempDir dir;
  auto csv = Open(dir,
                  "C1,X,d,-9223372036854775808,2010-12-01 08:26:00,2.55,17850,UK\n"
                  "1,X,d,5,2010-12-01 08:26:00,1e300,17850,UK\n"
                  "1,X,d,100000,2010-12-01 08:26:00,92233720368547,17850,UK\n"
                  "1,X,d,5,2010-12-01 08:26:00,2.5,.5,UK\n"
                  "2,X,d,5,-2147483648-12-01 08:26:00,2.5,17850,UK\n"
                  "3,X,d,100000,2010-12-01 08:26:00,10000000.00,17850,UK\n");
  auto odd_date = csv->Next();
  ASSERT_TRUE(odd_date);
  EXPECT_EQ(odd_date->number, "2");
  EXPECT_EQ(odd_date->time_ms, 0);  // malformed, as documented
  auto biggest = csv->Next();       // the largest line allowed still reads
  ASSERT_TRUE(biggest);
  EXPECT_EQ(biggest->total_minor(), 100'000 * int64_t{1'000'000'000});
  EXPECT_FALSE(csv->Next());
  EXPECT_EQ(csv->counts().dropped_lines, 3u);
  EXPECT_EQ(csv->counts().anonymous_rows, 1u);
}

TEST(RetailCsvTest, RefusesAFileThatIsNotTheRetailLog) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("x.csv")) << "a,b,c\n";
  auto csv = RetailCsv::Open(dir.Sub("x.csv"));
  ASSERT_FALSE(csv.ok());
  EXPECT_NE(csv.status().message().find("Online Retail header"), std::string::npos);
}

Invoice Inv(std::string number, std::vector<InvoiceLine> lines) {
  Invoice i;
  i.number = std::move(number);
  i.customer_id = "17850";
  i.time_ms = 1291191960000;
  i.cancellation = i.number[0] == 'C';
  i.lines = std::move(lines);
  return i;
}

TEST(RequestMakerTest, ACancellationReturnsFromTheNewestPurchasesThatHoldTheStock) {
  RequestMaker maker;
  ASSERT_EQ(maker.For(Inv("1", {{"A", "", 5, 100}})).size(), 1u);
  ASSERT_EQ(maker.For(Inv("2", {{"A", "", 2, 100}, {"B", "", 1, 50}})).size(), 1u);
  auto returns = maker.For(Inv("C3", {{"A", "", 4, 100}, {"Z", "", 1, 10}}));
  ASSERT_EQ(returns.size(), 2u);  // 2 units from invoice 2, then 2 from invoice 1
  std::map<std::string, int64_t> units;
  for (const auto& r : returns) {
    units[r.purchase_return().original_transaction_id()] += r.purchase_return().lines(0).quantity();
    EXPECT_EQ(r.purchase_return().currency(), "GBP");
  }
  EXPECT_EQ(units["2"], 2);
  EXPECT_EQ(units["1"], 2);
  EXPECT_EQ(maker.counts().unmatched_return_lines, 1u);  // Z was never bought
}

TEST(RetailCsvTest, ReadsTheWholeRealDataSet) {
  auto csv = RetailCsv::Open(SHARED_DATA_DIR "/online_retail_uci_2010-2011.csv.gz");
  ASSERT_TRUE(csv.ok()) << csv.status().ToString()
                        << " (the data set is read from shared/data beside the checkout)";
  std::set<std::string> customers;
  while (auto inv = (*csv)->Next()) customers.insert(inv->customer_id);
  EXPECT_EQ((*csv)->counts().rows, 541'909u);
  EXPECT_EQ((*csv)->counts().malformed_rows, 0u);
  // 4,372 customers in the file; 10 of them have only lines the rules drop
  // (postage, manual adjustments, zero prices, quantities of the wrong sign),
  // e.g. 12503 and 17846: checked independently with Python's csv module.
  EXPECT_EQ(customers.size(), 4'362u);
  EXPECT_TRUE(customers.count("17850"));
  EXPECT_FALSE(customers.count("12503"));
}

}  // namespace
}  // namespace loyalty::replay
