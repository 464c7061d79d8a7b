// The register channel as an attacker on the store network would try it
// (issue 12): TLS, a credential per register, the store bound to the
// credential, no points minted from a till, fair limits. Every test runs the
// real loyaltyd over TLS on 127.0.0.1.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "adapters/net/client.h"
#include "adapters/net/credentials.h"
#include "tests/support/http_client.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using testing::ConnectAs;
using testing::ServerProcess;
using testing::TempDir;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

v1::Request Purchase(const std::string& txn, const std::string& card, const std::string& store) {
  v1::Request r = testing::WirePurchase(txn, card, 1000);
  r.mutable_purchase()->set_store_id(store);
  r.mutable_purchase()->clear_register_id();
  r.mutable_purchase()->set_event_time_ms(NowMs());
  return r;
}

// Points the customer holds, as an operator sees them (0: unknown card).
int64_t Balance(const std::string& address, const std::string& card) {
  auto c = ConnectAs(address);
  if (!c.ok()) return -1;
  auto r = (*c)->Call(testing::WireLookup(card));
  if (!r.ok()) return -1;
  return r->has_profile() ? r->profile().balances().balance() : 0;
}

// The admin API's counter of refusals for `reason`, from /metrics.
double Refused(const ServerProcess& server, const std::string& reason) {
  auto m = testing::Http(server.admin_port(), "GET", "/metrics");
  const std::string needle = "reason=\"" + reason + "\"} ";
  const auto at = m.body.find(needle);
  return at == std::string::npos ? 0 : std::stod(m.body.substr(at + needle.size()));
}

long RssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

testing::TestPki MakeRenewed(const std::string& dir) {
  std::filesystem::create_directories(dir);
  return testing::MakeCertificates(dir);
}

class RegisterChannelTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args = {}) {
    args.insert(args.end(), {"--rules", EXAMPLE_RULES_PATH});
    server_ = std::make_unique<ServerProcess>(dir_.Sub("db"), args);
    ASSERT_TRUE(server_->ok()) << server_->Stderr();
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(RegisterChannelTest, AClientWithoutAHelloIsRefusedBeforeAnyEffect) {
  Start();
  net::ClientOptions anonymous = testing::ClientOptionsFor();
  anonymous.key_id.clear();  // TLS, but no credential
  auto c = net::Client::Connect(server_->address(), anonymous);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto r = (*c)->Call(Purchase("T-anon", "C-anon", "S1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->error().code(), v1::UNAUTHENTICATED) << r->DebugString();
  EXPECT_TRUE((*c)->ServerClosed());
  EXPECT_EQ(Balance(server_->address(), "C-anon"), 0);
  EXPECT_TRUE(WaitFor([&] { return Refused(*server_, "auth_no_hello") >= 1; }, 5s));
}

TEST_F(RegisterChannelTest, AWrongSecretOrAnUnknownKeyIsRefused) {
  Start();
  net::ClientOptions wrong = testing::ClientOptionsFor("S1-R1");
  wrong.secret = std::string(64, 'a');
  auto c = net::Client::Connect(server_->address(), wrong);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("UNAUTHENTICATED"), std::string::npos);
  wrong.key_id = "nobody";
  EXPECT_FALSE(net::Client::Connect(server_->address(), wrong).ok());
  EXPECT_TRUE(WaitFor([&] { return Refused(*server_, "auth_wrong_secret") >= 1; }, 5s));
  EXPECT_GE(Refused(*server_, "auth_unknown_key"), 1);
}

TEST_F(RegisterChannelTest, ARegisterOfStoreAIsRefusedAnEventOfStoreB) {
  Start();
  auto till = ConnectAs(server_->address(), "S1-R1");
  ASSERT_TRUE(till.ok()) << till.status().ToString();
  EXPECT_EQ((*till)->welcome().store_id(), "S1");
  auto r = (*till)->Call(Purchase("T-B", "C-B", "S2"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error().code(), v1::PERMISSION_DENIED);
  EXPECT_EQ(r->error().field(), "store_id");
  EXPECT_EQ(Balance(server_->address(), "C-B"), 0);
  // The connection lives; an event with no store is the credential's store.
  auto ok = (*till)->Call(Purchase("T-A", "C-A", ""));
  ASSERT_TRUE(ok.ok());
  ASSERT_TRUE(ok->has_decision()) << ok->DebugString();
  EXPECT_EQ(ok->decision().points_earned(), 10);
}

TEST_F(RegisterChannelTest, AnAdjustmentFromATillIsRefusedAndAnOperatorMayMakeIt) {
  Start();
  auto till = ConnectAs(server_->address(), "S1-R1");
  ASSERT_TRUE(till.ok());
  v1::Request adjust;
  adjust.mutable_adjust()->set_transaction_id("A-1");
  adjust.mutable_adjust()->set_card("C-adj");
  adjust.mutable_adjust()->set_points(1'000'000'000);
  adjust.mutable_adjust()->set_reason("goodwill");
  adjust.mutable_adjust()->set_operator_id("mallory");
  adjust.mutable_adjust()->set_event_time_ms(NowMs());
  auto r = (*till)->Call(adjust);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error().code(), v1::PERMISSION_DENIED);
  EXPECT_EQ(r->error().field(), "adjust");
  v1::Request tier = adjust;
  tier.mutable_adjust()->set_points(0);
  tier.mutable_adjust()->set_set_tier("patron");
  EXPECT_EQ((*till)->Call(tier)->error().code(), v1::PERMISSION_DENIED);
  ASSERT_TRUE((*till)->Call(Purchase("T-1", "C-adj", "S1"))->has_decision());
  EXPECT_EQ(Balance(server_->address(), "C-adj"), 10);
  auto op = ConnectAs(server_->address(), "ops-test");
  ASSERT_TRUE(op.ok());
  adjust.mutable_adjust()->set_points(5);
  auto applied = (*op)->Call(adjust);
  ASSERT_TRUE(applied->has_decision()) << applied->DebugString();
  EXPECT_EQ(Balance(server_->address(), "C-adj"), 15);
}

TEST_F(RegisterChannelTest, ARevokedCredentialIsRefusedWithoutARestart) {
  const std::string registers = dir_.Sub("registers");
  {
    std::ifstream in(testing::Pki().registers);
    std::ofstream(registers) << in.rdbuf();
  }
  Start({"--tls-cert", testing::Pki().cert, "--tls-key", testing::Pki().key, "--registers",
         registers});
  auto till = ConnectAs(server_->address(), "S1-R2");
  ASSERT_TRUE(till.ok()) << till.status().ToString();
  ASSERT_TRUE((*till)->Call(Purchase("T-1", "C-rev", "S1"))->has_decision());
  const auto revoke =
      testing::RunCli({"credentials", "revoke", "--registers", registers, "--key-id", "S1-R2"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.out;
  ::kill(server_->pid(), SIGHUP);
  EXPECT_TRUE((*till)->ServerClosed());  // its open connection ends too
  EXPECT_TRUE(WaitFor(
      [&] {
        auto again = ConnectAs(server_->address(), "S1-R2");
        return !again.ok() && again.status().message().find("revoked") != std::string::npos;
      },
      10s));
  EXPECT_GE(Refused(*server_, "auth_revoked"), 1);
  EXPECT_TRUE(ConnectAs(server_->address(), "S1-R1").ok());  // the others go on
}

// A certificate replaced on disk is served after a SIGHUP, without a restart
// and without dropping the connections that are open.
TEST_F(RegisterChannelTest, SighupServesARenewedCertificate) {
  const std::string tls = dir_.Sub("tls");
  std::filesystem::create_directories(tls);
  std::filesystem::copy_file(testing::Pki().cert, tls + "/server.pem");
  std::filesystem::copy_file(testing::Pki().key, tls + "/server.key");
  Start({"--tls-cert", tls + "/server.pem", "--tls-key", tls + "/server.key", "--registers",
         testing::Pki().registers});
  auto open = ConnectAs(server_->address(), "S1-R1");
  ASSERT_TRUE(open.ok());
  const testing::TestPki renewed = MakeRenewed(dir_.Sub("renewed"));
  net::ClientOptions trusting_new = testing::ClientOptionsFor("S1-R1");
  trusting_new.ca_file = renewed.ca;
  EXPECT_FALSE(net::Client::Connect(server_->address(), trusting_new).ok());
  std::filesystem::copy_file(renewed.cert, tls + "/server.pem",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed.key, tls + "/server.key",
                             std::filesystem::copy_options::overwrite_existing);
  ::kill(server_->pid(), SIGHUP);
  EXPECT_TRUE(
      WaitFor([&] { return net::Client::Connect(server_->address(), trusting_new).ok(); }, 10s));
  EXPECT_FALSE(ConnectAs(server_->address(), "S1-R1").ok());  // the old CA no longer matches
  EXPECT_TRUE((*open)->Call(Purchase("T-open", "C-open", "S1"))->has_decision());
}

// `loyalty credentials`: the secret goes only to the 0600 key file; revoking
// a line that carries a comment still revokes it, and list shows it.
TEST(CredentialsCliTest, AddWritesOnlyAVerifierAndRevokeSurvivesAComment) {
  TempDir dir;
  const std::string registers = dir.Sub("registers");
  const auto added =
      testing::RunCli({"credentials", "add", "--registers", registers, "--key-id", "S9-R1",
                       "--store", "S9", "--register", "R1", "--out", dir.Sub("")});
  ASSERT_EQ(added.exit_code, 0) << added.out;
  auto credential = net::LoadClientCredential(dir.Sub("S9-R1.key"));
  ASSERT_TRUE(credential.ok());
  std::ifstream in(registers);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(credential->secret), std::string::npos);  // a verifier, never the secret
  EXPECT_EQ(added.out.find(credential->secret), std::string::npos);
  EXPECT_NE(text.find(net::VerifierText(credential->secret)), std::string::npos);
  std::ofstream(registers) << text.substr(0, text.size() - 1) << "   # front till\n";
  ASSERT_EQ(
      testing::RunCli({"credentials", "revoke", "--registers", registers, "--key-id", "S9-R1"})
          .exit_code,
      0);
  auto book = net::CredentialBook::Load(registers);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  EXPECT_TRUE((*book)->Find("S9-R1")->revoked);
  const auto listed = testing::RunCli({"credentials", "list", "--registers", registers});
  EXPECT_NE(listed.out.find("S9-R1  register  store S9  register R1  REVOKED"), std::string::npos)
      << listed.out;
}

TEST_F(RegisterChannelTest, PlaintextAgainstTheTlsPortGetsNothing) {
  Start();
  auto plain = net::Client::ConnectPlain(server_->address(), 3000);
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE((*plain)->Send(Purchase("T-plain", "C-plain", "S1")).ok());
  EXPECT_TRUE((*plain)->ServerClosed());
  EXPECT_EQ(Balance(server_->address(), "C-plain"), 0);
  EXPECT_TRUE(WaitFor([&] { return Refused(*server_, "tls_handshake") >= 1; }, 5s));
}

TEST_F(RegisterChannelTest, PlaintextIsRefusedToStartOffLoopbackAndServesOnLoopback) {
  const auto refused = testing::RunLoyaltyd(
      {"--listen", "0.0.0.0:0", "--data-dir", dir_.Sub("db0"), "--register-tls", "off",
       "--registers", testing::Pki().registers, "--check-config"},
      {}, dir_.Sub("check.err"));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("loopback"), std::string::npos) << refused.err;
  Start({"--register-tls", "off", "--registers", testing::Pki().registers});
  net::ClientOptions plain = testing::ClientOptionsFor("S1-R1");
  plain.tls = false;
  auto c = net::Client::Connect(server_->address(), plain);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE((*c)->Call(Purchase("T-1", "C-1", "S1"))->has_decision());
}

TEST_F(RegisterChannelTest, LookupsBeyondTheCredentialsRateAreRefusedAndCounted) {
  Start({"--lookups-per-second", "1", "--lookup-burst", "5"});
  auto till = ConnectAs(server_->address(), "S1-R1");
  ASSERT_TRUE(till.ok());
  int limited = 0;
  int64_t retry_after = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = (*till)->Call(testing::WireLookup("C-" + std::to_string(i)));
    ASSERT_TRUE(r.ok());
    if (r->has_error() && r->error().code() == v1::RATE_LIMITED) {
      ++limited;
      retry_after = r->error().retry_after_ms();
    }
  }
  EXPECT_GE(limited, 14);  // 5 at once, then about one a second
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 1000);
  EXPECT_TRUE(WaitFor([&] { return Refused(*server_, "lookup_rate") >= 14; }, 5s));
}

// What a host refuses whoever sends it, each with the field named and
// nothing applied: a sale dated 1970, a line priced above quantity x unit
// price, a basket over the program's maximum (5000.00 EUR in the example).
TEST_F(RegisterChannelTest, ImplausibleSalesAreRefusedNamingTheField) {
  Start();
  auto till = ConnectAs(server_->address(), "S1-R1");
  ASSERT_TRUE(till.ok());
  v1::Request old = Purchase("T-1970", "C-odd", "S1");
  old.mutable_purchase()->set_event_time_ms(1000);
  v1::Request priced = Purchase("T-price", "C-odd", "S1");
  v1::Line* line = priced.mutable_purchase()->mutable_lines(0);
  line->set_quantity(2);
  line->set_unit_price_minor(100);
  line->set_line_total_minor(100'000);
  v1::Request big = Purchase("T-big", "C-odd", "S1");
  big.mutable_purchase()->mutable_lines(0)->set_unit_price_minor(600'000);
  big.mutable_purchase()->mutable_lines(0)->set_line_total_minor(600'000);
  for (const auto& [request, field] : {std::pair{old, std::string("event_time_ms")},
                                       std::pair{priced, std::string("lines[0].line_total_minor")},
                                       std::pair{big, std::string("lines")}}) {
    auto r = (*till)->Call(request);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->error().code(), v1::INVALID_FIELD) << r->DebugString();
    EXPECT_EQ(r->error().field(), field) << r->error().message();
  }
  EXPECT_EQ(Balance(server_->address(), "C-odd"), 0);
}

// A category that is not UTF-8 is INVALID_FIELD naming it; the request sent
// right after it on the same connection is answered, and so is the next.
TEST_F(RegisterChannelTest, InvalidUtf8IsAnInvalidFieldAndTheConnectionServesOn) {
  Start();
  auto till = ConnectAs(server_->address(), "S1-R1");
  ASSERT_TRUE(till.ok());
  v1::Request bad = Purchase("T-utf8", "C-utf8", "S1");
  bad.set_request_id(41);
  bad.mutable_purchase()->mutable_lines(0)->set_category("@@BAD@@");
  std::string body = bad.SerializeAsString();
  body.replace(body.find("@@BAD@@"), 7, "\xff\xfe\xc0\x80\xed\xa0\x80");
  v1::Request lookup = testing::WireLookup("C-utf8");
  lookup.set_request_id(42);
  const std::string next = lookup.SerializeAsString();
  std::string bytes;
  bytes.push_back(static_cast<char>(body.size()));
  bytes += body;
  bytes.push_back(static_cast<char>(next.size()));
  bytes += next;
  ASSERT_LT(body.size(), 128u);
  ASSERT_TRUE((*till)->SendBytes(bytes).ok());
  std::map<uint64_t, v1::Reply> replies;
  for (int i = 0; i < 2; ++i) {
    auto r = (*till)->Receive();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    replies[r->request_id()] = *r;
  }
  EXPECT_EQ(replies[41].error().code(), v1::INVALID_FIELD);
  EXPECT_EQ(replies[41].error().field(), "lines[0].category");
  EXPECT_TRUE(replies[42].has_error() && replies[42].error().code() == v1::UNKNOWN_CARD)
      << replies[42].DebugString();
  EXPECT_TRUE((*till)->Call(Purchase("T-ok", "C-utf8", "S1"))->has_decision());
}

// 1,100 idle sockets from one address (127.0.0.2) never complete a TLS
// handshake; a till from another address connects, authenticates and sells.
TEST_F(RegisterChannelTest, IdleSocketsFromOneAddressDoNotShutOutARegisteredTill) {
  Start();
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(server_->port()));
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  sockaddr_in attacker{};
  attacker.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.2", &attacker.sin_addr);
  std::vector<int> idle;
  for (int i = 0; i < 1100; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0) << "socket " << i;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&attacker), sizeof attacker), 0);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server), 0) << i;
    idle.push_back(fd);
  }
  auto till = ConnectAs(server_->address(), "S1-R1");
  ASSERT_TRUE(till.ok()) << till.status().ToString();
  auto r = (*till)->Call(Purchase("T-idle", "C-idle", "S1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->has_decision()) << r->DebugString();
  EXPECT_TRUE(WaitFor([&] { return Refused(*server_, "unauthenticated_evicted") >= 1000; }, 10s));
  for (const int fd : idle) ::close(fd);
}

// 1,000 authenticated clients send lookups and never read a reply: the
// unread replies are bounded by reply_bytes_total_max (here 16 MiB), the
// server's RSS stays under a bound, and falls back when they are gone.
TEST_F(RegisterChannelTest, ClientsThatNeverReadKeepMemoryBoundedAndItFallsBack) {
  Start({"--connections-per-credential-max", "2000", "--lookups-per-second", "1000000",
         "--lookup-burst", "1000000", "--connections-max", "2000", "--reply-bytes-total-max",
         "16777216"});
  ASSERT_EQ(Balance(server_->address(), "C-mem"), 0);
  ASSERT_TRUE(ConnectAs(server_->address(), "ops-test")
                  ->get()
                  ->Call(Purchase("T-mem", "C-mem", "S1"))
                  ->has_decision());
  const long before = RssKiB(server_->pid());
  std::vector<std::unique_ptr<net::Client>> hogs;
  std::string burst;  // 2,000 lookups of a known card, about 1 MiB of replies each
  for (int i = 0; i < 2000; ++i) {
    v1::Request r = testing::WireLookup("C-mem");
    r.set_request_id(static_cast<uint64_t>(i + 1));
    std::string framed;
    const std::string body = r.SerializeAsString();
    framed.push_back(static_cast<char>(body.size()));
    burst += framed + body;
  }
  for (int i = 0; i < 1000; ++i) {
    auto c = ConnectAs(server_->address(), "ops-test", 30'000);
    ASSERT_TRUE(c.ok()) << i << ": " << c.status().ToString();
    ASSERT_TRUE((*c)->SendBytes(burst.substr(0, 64 * 1024)).ok());
    hogs.push_back(std::move(*c));
  }
  long peak = 0;
  WaitFor(
      [&] {
        peak = std::max(peak, RssKiB(server_->pid()));
        return Refused(*server_, "reply_budget") > 0;
      },
      5s);
  peak = std::max(peak, RssKiB(server_->pid()));
  // The bystander still gets served while they hold on.
  EXPECT_EQ(Balance(server_->address(), "C-mem"), 10);
  EXPECT_LT(peak - before, 400 * 1024) << "RSS grew from " << before << " KiB to " << peak;
  hogs.clear();
  EXPECT_TRUE(WaitFor([&] { return RssKiB(server_->pid()) < before + 100 * 1024; }, 10s))
      << "RSS " << RssKiB(server_->pid()) << " KiB after the clients left, " << before << " before";
  std::cout << "loyaltyd RSS: " << before / 1024 << " MiB before, peak " << peak / 1024
            << " MiB with 1,000 clients not reading, " << RssKiB(server_->pid()) / 1024
            << " MiB after they left\n";
}

}  // namespace
}  // namespace loyalty
