// A customer's data protection requests through the admin API, end to end
// (issue 15): the export holds everything the store holds about them.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/rocksdb/store.h"
#include "loyalty/v1/store.pb.h"
#include "proto/store_codec.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty::testing {
namespace {

using Json = nlohmann::json;

constexpr const char* kViewer = "viewer-secret-0123456789";
constexpr const char* kAdmin = "admin-secret-0123456789ab";
constexpr const char* kCard = "4000000000000042";

TEST(PrivacyTest, TheExportHoldsEveryStoredFieldEveryEntryAndTransaction) {
  TempDir dir;
  const std::string config = dir.Sub("loyaltyd.yaml");
  std::ofstream(config) << "admin_tokens:\n"
                        << "  - { name: vera, role: viewer, token: " << kViewer << " }\n"
                        << "  - { name: ada, role: admin, token: " << kAdmin << " }\n";
  ::chmod(config.c_str(), 0600);
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

}  // namespace
}  // namespace loyalty::testing
