// A customer's data protection requests through the admin API, end to end
// (issue 15): the export holds everything the store holds about them.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/redis/connection.h"
#include "adapters/rocksdb/store.h"
#include "loyalty/v1/store.pb.h"
#include "proto/store_codec.h"
#include "tests/adapters/redis/redis_server.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_for.h"

namespace loyalty::testing {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr const char* kViewer = "viewer-secret-0123456789";
constexpr const char* kAdmin = "admin-secret-0123456789ab";
constexpr const char* kCard = "4000000000000042";

// loyaltyd.yaml with a viewer's and an admin's token, and `more`.
std::string Config(const TempDir& dir, const std::string& more = "") {
  const std::string config = dir.Sub("loyaltyd.yaml");
  std::ofstream(config) << more << "admin_tokens:\n"
                        << "  - { name: vera, role: viewer, token: " << kViewer << " }\n"
                        << "  - { name: ada, role: admin, token: " << kAdmin << " }\n";
  ::chmod(config.c_str(), 0600);
  return config;
}

TEST(PrivacyTest, TheExportHoldsEveryStoredFieldEveryEntryAndTransaction) {
  TempDir dir;
  const std::string config = Config(dir);
  const std::string data = dir.Sub("db");
  ServerProcess server(data, {"--config", config});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  for (const char* txn : {"T-1", "T-2"}) {
    ASSERT_EQ(RunCli({"--server", server.address(), "purchase", "--txn", txn, "--store", "S1",
                      "--card", kCard, "--amount", "33.30"})
                  .exit_code,
              0);
  }
  const std::string path = std::string("/v1/customers/") + kCard + "/export";
  EXPECT_EQ(Http(server.admin_port(), "GET", path, kViewer).status, 403);
  const auto unknown =
      Http(server.admin_port(), "GET", "/v1/customers/4000000000009999/export", kAdmin);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body.find("4000000000009999"), std::string::npos) << unknown.body;  // masked
  const auto r = Http(server.admin_port(), "GET", path, kAdmin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Disposition"), "attachment; filename=\"customer-export.json\"");
  const Json doc = Json::parse(r.body);
  EXPECT_EQ(doc["format"], "loyalty.customer-export.v1");
  EXPECT_EQ(doc["customer_id"], kCard);
  EXPECT_EQ(doc["cards"], Json::array({kCard}));
  ASSERT_EQ(doc["ledger"].size(), 2u);
  EXPECT_EQ(doc["ledger"][0]["points"], "33");  // 64-bit integers as strings (protobuf JSON)
  ASSERT_EQ(doc["transactions"].size(), 2u);
  EXPECT_EQ(doc["transactions"][0]["transaction_id"], "T-1");
  const auto audit = Http(server.admin_port(), "GET", "/v1/audit?action=customers.", kViewer);
  EXPECT_NE(audit.body.find("customers.export"), std::string::npos) << audit.body;
  ASSERT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();

  // Read back into the store's own message, the export is the stored record
  // field for field: nothing the engine holds is left out.
  StoreOptions options;
  options.path = data;
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto state = (*store)->GetCustomer(kCard);
  ASSERT_TRUE(state.ok() && state->has_value());
  store::v1::Customer stored, exported;
  ASSERT_TRUE(stored.ParseFromString(store_codec::EncodeCustomer(**state)));
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(doc["customer"].dump(), &exported).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(stored, exported))
      << stored.DebugString() << "\nexported:\n"
      << exported.DebugString();
}

// Reads every file under `dir` (the store's tables, logs, manifests) and
// says which of `needles` any of them holds, as raw bytes.
std::set<std::string> FoundOnDisk(const std::string& dir, const std::vector<std::string>& needles) {
  std::set<std::string> found;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const std::string& n : needles) {
      if (bytes.find(n) != std::string::npos) found.insert(n + " in " + f.path().string());
    }
  }
  return found;
}

// The output of a shell command (stderr too).
std::string Output(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

// Every key and value of every column family, as RocksDB's own `ldb`
// (rocksdb-tools) reads them: which of `needles` they hold, by family. A
// table stores the prefix a key shares with the one before it once, so the
// raw files can hide a card number the store still holds. `must` is one
// needle that is there, to show the reading works.
std::set<std::string> FoundByLdb(const std::string& data, const std::vector<std::string>& needles,
                                 const std::string& must) {
  const std::string listed = Output("ldb --db=" + data + " list_column_families");
  const std::size_t open = listed.find('{'), close = listed.find('}');
  EXPECT_NE(open, std::string::npos) << listed;
  std::set<std::string> found;
  bool read_must = false;
  std::string families = listed.substr(open + 1, close - open - 1);
  for (std::size_t at = 0; at < families.size();) {
    std::size_t comma = families.find(',', at);
    if (comma == std::string::npos) comma = families.size();
    std::string cf = families.substr(at, comma - at);
    cf.erase(0, cf.find_first_not_of(' '));
    at = comma + 1;
    const std::string scan = Output("ldb --db=" + data + " --column_family=" + cf + " scan");
    read_must = read_must || scan.find(must) != std::string::npos;
    for (const std::string& n : needles) {
      if (scan.find(n) != std::string::npos) found.insert(n + " in " + cf);
    }
  }
  EXPECT_TRUE(read_must) << "ldb found no " << must << ": " << listed;
  return found;
}

// The right to erasure (GDPR art. 17), end to end: after the admin's
// request, nothing of the customer's card number, birthday or comment is
// left in any file of the store or in Redis, nor of the accounts merged
// into theirs earlier (a chain of two); the points stay for accounting under pseudonyms and
// `loyalty check` passes; the cards are refused from then on, and the other
// customer is untouched.
TEST(PrivacyTest, AfterErasureNoPersonalDatumIsLeftInTheStoreOrRedisAndTheLedgerBalances) {
  TempDir dir;
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  const std::string config = Config(dir, "redis: " + redis.address() + "\n");
  const std::string data = dir.Sub("db");
  auto server = std::make_unique<ServerProcess>(data, std::vector<std::string>{"--config", config});
  ASSERT_TRUE(server->ok()) << server->Stderr();
  const std::string card = "4000000000007777", other = "4000000000008888",
                    merged = "4000000000009999", merged_before = "4000000000006666";
  const std::string comment = "the queue at till 3 was far too long";
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server->address()});
    return RunCli(args);
  };
  ASSERT_EQ(
      cli({"enroll", "--card", card, "--birthday", "1985-03-14", "--consent", "yes"}).exit_code, 0);
  for (const char* txn : {"T-1", "T-2"}) {
    ASSERT_EQ(cli({"purchase", "--txn", txn, "--store", "S1", "--card", card, "--line",
                   "SKU1,toys,2,12.50"})
                  .exit_code,
              0);
  }
  ASSERT_EQ(cli({"purchase", "--txn", "T-3", "--store", "S1", "--card", other, "--amount", "9.99"})
                .exit_code,
            0);
  // The same person's second account, merged into the first: its record
  // stays (its id is its card number), with its ledger and where it went.
  ASSERT_EQ(cli({"purchase", "--txn", "T-4", "--store", "S1", "--card", merged, "--amount", "3.00"})
                .exit_code,
            0);
  ASSERT_EQ(cli({"purchase", "--txn", "T-5", "--store", "S1", "--card", merged_before, "--amount",
                 "2.00"})
                .exit_code,
            0);
  const auto merge_before =
      Http(server->admin_port(), "POST", "/v1/customers/" + merged + "/merge", kAdmin,
           R"({"transaction_id": "M-0", "merged_card": ")" + merged_before +
               R"(", "reason": "DSR-2026-116"})");
  ASSERT_EQ(merge_before.status, 200) << merge_before.body;
  const auto merge = Http(
      server->admin_port(), "POST", "/v1/customers/" + card + "/merge", kAdmin,
      R"({"transaction_id": "M-1", "merged_card": ")" + merged + R"(", "reason": "DSR-2026-117"})");
  ASSERT_EQ(merge.status, 200) << merge.body;
  ASSERT_EQ(cli({"feedback", "--txn", "F-1", "--store", "S1", "--card", card, "--score", "4",
                 "--comment", comment})
                .exit_code,
            0);
  // A refusal leaves a record too: it must not keep the card either.
  EXPECT_NE(cli({"redeem", "--txn", "R-1", "--store", "S1", "--card", card, "--points", "9999",
                 "--basket", "50.00"})
                .exit_code,
            0);
  auto c = redis::Connection::Open(redis.endpoint(), 1'000, 1'000);
  ASSERT_TRUE(c.ok());
  auto get = [&](const std::string& key) {
    (*c)->Append({"EXISTS", key});
    auto r = (*c)->Read();
    return r.ok() ? r->integer : -1;
  };
  ASSERT_TRUE(WaitFor([&] { return get("loyalty:card:" + card) == 1; }, 10s));

  const std::string path = "/v1/customers/" + card + "/erase";
  const std::string body = R"({"transaction_id": "E-1", "reason": "DSR-2026-118"})";
  EXPECT_EQ(Http(server->admin_port(), "POST", path, kViewer, body).status, 403);
  const auto bad = Http(server->admin_port(), "POST", path, kAdmin, R"({"transaction_id": "E-1"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("reason is missing"), std::string::npos) << bad.body;
  const auto erased = Http(server->admin_port(), "POST", path, kAdmin, body);
  ASSERT_EQ(erased.status, 200) << erased.body;
  const Json answer = Json::parse(erased.body);
  EXPECT_EQ(answer["scrubbed"], true);
  EXPECT_EQ(answer["cache_cleared"], true);
  const std::string pseudonym = answer["customer_id"];
  EXPECT_EQ(pseudonym.rfind("erased-", 0), 0u) << pseudonym;
  // The retry is answered the same; the card is unknown from now on, for a
  // lookup and for a sale that would otherwise enrol it again.
  EXPECT_EQ(Json::parse(Http(server->admin_port(), "POST", path, kAdmin, body).body)["customer_id"],
            pseudonym);
  EXPECT_EQ(Http(server->admin_port(), "GET", "/v1/customers/" + card, kAdmin).status, 404);
  const CliResult again =
      cli({"purchase", "--txn", "T-9", "--store", "S1", "--card", card, "--amount", "5.00"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.out.find("cannot be used again"), std::string::npos) << again.out;
  EXPECT_EQ(get("loyalty:card:" + card), 0);
  EXPECT_EQ(get("loyalty:customer:" + card), 0);
  EXPECT_EQ(get("loyalty:card:" + other), 1);
  const auto audit = Http(server->admin_port(), "GET", "/v1/audit?action=customers.", kViewer);
  EXPECT_NE(audit.body.find("customers.erase"), std::string::npos) << audit.body;
  EXPECT_EQ(audit.body.find(card), std::string::npos) << audit.body;  // masked
  ASSERT_EQ(server->StopWith(SIGTERM), 0) << server->Stderr();

  // The tables and the log hold none of it now. RocksDB's MANIFEST may still
  // name the card as a bound of a table file the scrub deleted, until the
  // next start writes a new one (docs/OPERATIONS.md, "Erasure").
  std::set<std::string> found = FoundOnDisk(data, {card, comment, merged, merged_before});
  std::erase_if(found,
                [](const std::string& f) { return f.find("/MANIFEST-") != std::string::npos; });
  EXPECT_EQ(found, std::set<std::string>{});
  StoreOptions options;
  options.path = data;
  {
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().message();
    EXPECT_EQ(FoundOnDisk(data, {card, comment, merged, merged_before}), std::set<std::string>{});
    int customers = 0;
    ASSERT_TRUE((*store)
                    ->ForEachCustomer([&](const CustomerState& s) {
                      ++customers;
                      EXPECT_FALSE(s.birthday.has_value()) << s.customer_id;
                      if (s.customer_id == pseudonym) {
                        EXPECT_TRUE(s.cards.empty());
                        // 25 + 25 + 3 + 2 merged: kept for accounting
                        EXPECT_EQ(s.balance(), 55);
                        EXPECT_TRUE(s.nps_comment.empty());
                      } else if (s.customer_id == pseudonym + "-1") {
                        EXPECT_EQ(s.merged_into, pseudonym);
                        EXPECT_EQ(s.balance(), 0);
                      } else if (s.customer_id == pseudonym + "-2") {
                        EXPECT_EQ(s.merged_into, pseudonym + "-1");  // the chain, renamed
                        EXPECT_EQ(s.balance(), 0);
                      } else {
                        EXPECT_EQ(s.cards, std::vector<std::string>{other});
                      }
                      return Status::Ok();
                    })
                    .ok());
    EXPECT_EQ(customers, 4);
    auto still = (*store)->GetCustomerIdForCard(other);
    ASSERT_TRUE(still.ok() && still->has_value());
  }
  EXPECT_EQ(FoundByLdb(data, {card, comment, merged, merged_before}, other),
            std::set<std::string>{});
  const CliResult check = RunCli({"check", "--data-dir", data});
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

// A lost card (issue 15): support moves the customer to a new card; the
// balance, tier and history go with them, the old card is refused from then
// on, and the ledger still balances.
TEST(PrivacyTest, AReplacedCardCarriesTheBalanceAndHistoryAndTheOldOneIsRefused) {
  TempDir dir;
  const std::string config = Config(dir);
  const std::string data = dir.Sub("db");
  ServerProcess server(data, {"--config", config});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  const std::string lost = "4000000000001111", fresh = "4000000000002222",
                    taken = "4000000000003333";
  auto buy = [&](const std::string& txn, const std::string& card) {
    return RunCli({"--server", server.address(), "purchase", "--txn", txn, "--store", "S1",
                   "--card", card, "--amount", "40.00"});
  };
  ASSERT_EQ(buy("T-1", lost).exit_code, 0);
  ASSERT_EQ(buy("T-2", lost).exit_code, 0);
  ASSERT_EQ(buy("T-3", taken).exit_code, 0);
  const Json before =
      Json::parse(Http(server.admin_port(), "GET", "/v1/customers/" + lost, kAdmin).body);
  const std::string path = "/v1/customers/" + lost + "/replace";
  auto replace = [&](const std::string& token, const std::string& new_card) {
    return Http(
        server.admin_port(), "POST", path, token,
        R"({"transaction_id": "X-1", "new_card": ")" + new_card + R"(", "reason": "lost"})");
  };
  EXPECT_EQ(replace(kViewer, fresh).status, 403);
  const auto same = replace(kAdmin, lost);
  EXPECT_EQ(same.status, 422);  // the engine refuses the field
  EXPECT_NE(same.body.find("new_card"), std::string::npos) << same.body;
  const auto busy =
      Http(server.admin_port(), "POST", path, kAdmin,
           R"({"transaction_id": "X-0", "new_card": ")" + taken + R"(", "reason": "lost"})");
  EXPECT_EQ(busy.status, 422);
  EXPECT_NE(busy.body.find("already belongs to a customer"), std::string::npos) << busy.body;
  const auto moved = replace(kAdmin, fresh);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(replace(kAdmin, fresh).status, 200);  // a retry: the same answer

  const Json after =
      Json::parse(Http(server.admin_port(), "GET", "/v1/customers/" + fresh, kAdmin).body);
  EXPECT_EQ(after["customer_id"], before["customer_id"]);
  EXPECT_EQ(after["balance"], before["balance"]);
  EXPECT_EQ(after["tier"], before["tier"]);
  EXPECT_EQ(after["visits"], 2);
  EXPECT_EQ(after["cards"], Json::array({fresh}));
  EXPECT_EQ(Http(server.admin_port(), "GET", "/v1/customers/" + lost, kAdmin).status, 404);
  const CliResult refused = buy("T-4", lost);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.out.find("cannot be used again"), std::string::npos) << refused.out;
  ASSERT_EQ(buy("T-5", fresh).exit_code, 0);
  const Json ledger = Json::parse(
      Http(server.admin_port(), "GET", "/v1/customers/" + fresh + "/ledger", kAdmin).body);
  EXPECT_EQ(ledger["entries"].size(), 3u) << ledger.dump();
  const auto audit = Http(server.admin_port(), "GET", "/v1/audit?action=customers.", kViewer);
  EXPECT_NE(audit.body.find("customers.replace"), std::string::npos) << audit.body;
  ASSERT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();
  const CliResult check = RunCli({"check", "--data-dir", data});
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

// Two cards enrolled separately by one person: support merges them. The
// points move by a pair of ledger entries, the merged card leads to the
// survivor from then on (also after a restart, when the routes are learned
// again), a retry is answered the same, and `loyalty check` stays green.
TEST(PrivacyTest, AMergeMovesPointsAndCardsAndTheLedgersStillBalance) {
  TempDir dir;
  const std::string config = Config(dir);
  const std::string data = dir.Sub("db");
  auto server = std::make_unique<ServerProcess>(data, std::vector<std::string>{"--config", config});
  ASSERT_TRUE(server->ok()) << server->Stderr();
  const std::string a = "4000000000004444", b = "4000000000005555";
  auto buy = [&](const std::string& txn, const std::string& card, const char* amount) {
    return RunCli({"--server", server->address(), "purchase", "--txn", txn, "--store", "S1",
                   "--card", card, "--amount", amount});
  };
  auto customer = [&](const std::string& card) {
    return Json::parse(Http(server->admin_port(), "GET", "/v1/customers/" + card, kAdmin).body);
  };
  ASSERT_EQ(buy("T-1", a, "40.00").exit_code, 0);
  ASSERT_EQ(buy("T-2", b, "25.00").exit_code, 0);
  ASSERT_EQ(buy("T-3", b, "10.00").exit_code, 0);
  const int64_t balance_a = customer(a)["balance"], balance_b = customer(b)["balance"];
  ASSERT_GT(balance_b, 0);
  const std::string path = "/v1/customers/" + a + "/merge";
  auto merge = [&](const std::string& txn, const std::string& merged) {
    return Http(server->admin_port(), "POST", path, kAdmin,
                R"({"transaction_id": ")" + txn + R"(", "merged_card": ")" + merged +
                    R"(", "reason": "ticket-7"})");
  };
  EXPECT_EQ(merge("M-0", "4000000000009999").status, 404);  // nobody's card
  const auto merged = merge("M-1", b);
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(merge("M-1", b).status, 200);  // a retry: the stored answer
  const auto again = merge("M-2", b);
  EXPECT_EQ(again.status, 422) << again.body;
  EXPECT_NE(again.body.find("already belong to the same customer"), std::string::npos);

  // The merged card shows the survivor (their other card masked, as always).
  Json after = customer(b);
  EXPECT_EQ(after["customer_id"], "************4444");
  EXPECT_EQ(after["balance"], balance_a + balance_b);
  EXPECT_EQ(after["visits"], 3);
  EXPECT_EQ(after["cards"], Json::array({"************4444", b}));
  ASSERT_EQ(buy("T-4", b, "20.00").exit_code, 0);  // goes to the survivor
  after = customer(a);
  EXPECT_GT(after["balance"].get<int64_t>(), balance_a + balance_b);
  const int64_t before_restart = after["balance"];
  const Json ledger =
      Json::parse(Http(server->admin_port(), "GET", "/v1/customers/" + a + "/ledger", kAdmin).body);
  ASSERT_EQ(ledger["entries"].size(), 3u) << ledger.dump();  // earn, merge, earn
  EXPECT_EQ(ledger["entries"][1]["kind"], "merge") << ledger.dump();
  EXPECT_EQ(ledger["entries"][1]["points"], balance_b) << ledger.dump();
  const auto audit = Http(server->admin_port(), "GET", "/v1/audit?action=customers.", kViewer);
  EXPECT_NE(audit.body.find("customers.merge"), std::string::npos) << audit.body;
  ASSERT_EQ(server->StopWith(SIGTERM), 0) << server->Stderr();

  // A new process has learned no route: the merged card still reaches the
  // survivor, never a second copy of them.
  server = std::make_unique<ServerProcess>(data, std::vector<std::string>{"--config", config});
  ASSERT_TRUE(server->ok()) << server->Stderr();
  ASSERT_EQ(buy("T-5", b, "5.00").exit_code, 0);
  ASSERT_EQ(buy("T-6", a, "5.00").exit_code, 0);
  EXPECT_EQ(customer(b)["balance"], before_restart + 10);
  ASSERT_EQ(server->StopWith(SIGTERM), 0) << server->Stderr();
  const CliResult check = RunCli({"check", "--data-dir", data});
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

// A second card linked at the till (Enroll with link_to_card): one balance
// for both, the link again is no news, a card of someone else cannot join.
TEST(PrivacyTest, ASecondCardLinkedAtTheTillSharesOneBalance) {
  TempDir dir;
  const std::string config = Config(dir);
  const std::string data = dir.Sub("db");
  ServerProcess server(data, {"--config", config});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  const std::string first = "4000000000006666", second = "4000000000007777",
                    other = "4000000000008888";
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server.address()});
    return RunCli(args);
  };
  auto buy = [&](const std::string& txn, const std::string& card) {
    return cli({"purchase", "--txn", txn, "--store", "S1", "--card", card, "--amount", "30.00"});
  };
  ASSERT_EQ(buy("T-1", first).exit_code, 0);
  ASSERT_EQ(buy("T-2", other).exit_code, 0);
  const CliResult linked = cli({"enroll", "--card", second, "--link-to", first, "--json"});
  ASSERT_EQ(linked.exit_code, 0) << linked.out;
  EXPECT_EQ(Json::parse(linked.out)["decision"]["customer_id"], first) << linked.out;
  const CliResult again = cli({"enroll", "--card", second, "--link-to", first});
  EXPECT_NE(again.out.find("already"), std::string::npos) << again.out;
  const CliResult taken = cli({"enroll", "--card", other, "--link-to", first, "--json"});
  EXPECT_NE(taken.exit_code, 0);
  EXPECT_EQ(Json::parse(taken.out)["error"]["field"], "card") << taken.out;
  const CliResult unknown =
      cli({"enroll", "--card", "4000000000001212", "--link-to", "4000000000003434", "--json"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_EQ(Json::parse(unknown.out)["error"]["field"], "link_to_card") << unknown.out;

  ASSERT_EQ(buy("T-3", second).exit_code, 0);
  const Json profile =
      Json::parse(Http(server.admin_port(), "GET", "/v1/customers/" + first, kAdmin).body);
  EXPECT_EQ(profile["visits"], 2) << profile.dump();
  EXPECT_EQ(profile["cards"], Json::array({first, "************7777"}));
  const CliResult lookup = cli({"lookup", "--card", second, "--json"});
  ASSERT_EQ(lookup.exit_code, 0) << lookup.out;
  EXPECT_EQ(Json::parse(lookup.out)["profile"]["balance"], 60) << lookup.out;
  ASSERT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();
  const CliResult check = RunCli({"check", "--data-dir", data});
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

}  // namespace
}  // namespace loyalty::testing
