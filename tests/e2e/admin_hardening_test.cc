// The admin listener against what a probe found (issue 13, "Admin listener
// hardening"), on a real loyaltyd: HTTPS with the register channel's
// certificate; tokens kept as verifiers, weak ones refused, a config file
// others can read warned about; the health probes answered while every
// connection is taken; ambiguous JSON refused; a stranger's body never read;
// a retried adjustment audited once.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/http/client.h"
#include "adapters/net/verifier.h"
#include "tests/e2e/admin_fixture.h"
#include "tests/support/pki.h"

namespace loyalty {
namespace {

using namespace admin_testing;

// A raw TCP connection to 127.0.0.1:port (-1: refused).
int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, const std::string& text) {
  for (std::size_t sent = 0; sent < text.size();) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// What arrives on `fd` until the peer closes or `deadline_ms` passes;
// `closed` says which.
std::string ReadUntilClosed(int fd, int deadline_ms, bool* closed) {
  std::string got;
  *closed = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0) break;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      *closed = true;
      break;
    }
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

class AdminHardeningTest : public AdminTest {};

TEST_F(AdminHardeningTest, TheAdminListenerSpeaksHttpsWithTheRegisterChannelsCertificate) {
  Start({}, "admin_tls: on\n");
  EXPECT_NE(server_->banner().find("(HTTPS)"), std::string::npos) << server_->banner();
  http::ClientRequest health{"GET", "/healthz"};
  health.ca_path = testing::Pki().ca;
  auto ok = http::Call("https://127.0.0.1:" + std::to_string(port_), health);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);
  // Signed in over HTTPS, the session cookie's Secure flag holds off the box too.
  http::ClientRequest signin{"POST", "/v1/session", "",
                             std::string("{\"token\": \"") + kViewer + "\"}"};
  signin.ca_path = testing::Pki().ca;
  auto session = http::Call("https://127.0.0.1:" + std::to_string(port_), signin);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ASSERT_EQ(session->status, 200) << session->body;
  bool secure = false;
  for (const auto& [name, value] : session->headers) {
    if (name == "Set-Cookie" && value.find("; Secure") != std::string::npos) secure = true;
  }
  EXPECT_TRUE(secure);
  // Plain HTTP gets no answer on the HTTPS port.
  EXPECT_EQ(Http(port_, "GET", "/healthz").status, 0);
  // The CLI speaks HTTPS to it, trusting $LOYALTY_CA (set by the test PKI).
  auto cli = RunCli({"rules", "list", "--admin", "https://127.0.0.1:" + std::to_string(port_),
                     "--token", kViewer});
  EXPECT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_NE(cli.out.find("version 1"), std::string::npos) << cli.out;
}

TEST_F(AdminHardeningTest, HttpsNeedsACertificateAndSaysWhichFileIsWrong) {
  const std::string err = dir_.Sub("err.txt");
  auto none = testing::RunLoyaltyd({"--check-config", "--register-tls", "off", "--listen",
                                    "127.0.0.1:0", "--registers", testing::Pki().registers},
                                   {"LOYALTY_ADMIN_TLS=on"}, err);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("admin_tls is on, so admin_tls_cert and admin_tls_key"),
            std::string::npos)
      << none.err;
  auto missing = testing::RunLoyaltyd(
      {"--data-dir", dir_.Sub("db"), "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
       "--register-tls", "off", "--registers", testing::Pki().registers},
      {"LOYALTY_ADMIN_TLS=on", "LOYALTY_ADMIN_TLS_CERT=" + dir_.Sub("no.pem"),
       "LOYALTY_ADMIN_TLS_KEY=" + testing::Pki().key},
      err);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("admin listener: tls_cert " + dir_.Sub("no.pem")), std::string::npos)
      << missing.err;
}

TEST_F(AdminHardeningTest, ATokenMayBeGivenAsItsVerifierAndWeakTokensAreRefused) {
  const std::string secret = "hashed-secret-0123456789";
  Start({}, "  - { name: hal, role: admin, token: \"" + net::VerifierText(secret) + "\" }\n");
  EXPECT_EQ(Http(port_, "GET", "/v1/audit", secret).status, 200);
  EXPECT_EQ(Http(port_, "GET", "/v1/audit", net::VerifierText(secret)).status, 401);

  const std::string err = dir_.Sub("err.txt");
  auto check = [&](const std::string& tokens) {
    return testing::RunLoyaltyd({"--check-config"}, {"LOYALTY_ADMIN_TOKENS=" + tokens}, err);
  };
  auto repeated = check("ops:admin:abababababababababab");
  EXPECT_EQ(repeated.exit_code, 1);
  EXPECT_EQ(repeated.err,
            "loyaltyd: admin_tokens[0].token (ops) is too easy to guess: 2 different characters, "
            "at least 8 needed: use a long random string (openssl rand -hex 32)\n");
  auto short_one = check("ops:admin:s3cr3t");
  EXPECT_EQ(short_one.exit_code, 1);
  EXPECT_NE(short_one.err.find("must be 16 to 256 bytes, or sha256:<64 hex>; it is 6"),
            std::string::npos)
      << short_one.err;
  auto bad_hash = check("ops:admin:sha256:abc");
  EXPECT_EQ(bad_hash.exit_code, 1);
  EXPECT_NE(bad_hash.err.find("must be sha256: and 64 hex digits"), std::string::npos)
      << bad_hash.err;
}

TEST_F(AdminHardeningTest, AConfigFileOthersCanReadIsWarnedAbout) {
  const std::string config = WriteConfig(dir_);
  const std::string err = dir_.Sub("err.txt");
  ASSERT_EQ(::chmod(config.c_str(), 0644), 0);
  auto open = testing::RunLoyaltyd({"--check-config", "--config", config}, {}, err);
  EXPECT_EQ(open.exit_code, 0);
  EXPECT_NE(open.out.find("warning: config file " + config +
                          " is readable by every user of this machine"),
            std::string::npos)
      << open.out;
  ASSERT_EQ(::chmod(config.c_str(), 0600), 0);
  auto closed = testing::RunLoyaltyd({"--check-config", "--config", config}, {}, err);
  EXPECT_EQ(closed.exit_code, 0);
  EXPECT_EQ(closed.out.find("warning"), std::string::npos) << closed.out;
  // At startup it is a log line.
  ASSERT_EQ(::chmod(config.c_str(), 0640), 0);
  ServerProcess server(dir_.Sub("db"), {"--config", config});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  EXPECT_NE(server.Stderr().find("is readable by its group"), std::string::npos) << server.Stderr();
}

// Kubernetes restarts a pod whose probes fail: 64 clients holding every
// admin connection must not make a healthy server look dead.
TEST_F(AdminHardeningTest, ProbesAreAnsweredWhileEveryConnectionIsTaken) {
  Start();
  std::vector<int> held;
  for (int i = 0; i < 64; ++i) {  // admin_connections_max
    const int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    SendAll(fd, "GET /v1/rulesets HTTP/1.1\r\n");  // and never the rest
    held.push_back(fd);
  }
  EXPECT_EQ(Http(port_, "GET", "/healthz").status, 200);
  EXPECT_EQ(Http(port_, "GET", "/readyz").status, 200);
  // The reserve is for the probes only.
  auto other = Http(port_, "GET", "/v1/rulesets", kViewer);
  EXPECT_EQ(other.status, 503);
  EXPECT_EQ(Json(other)["code"], "OVERLOADED");
  for (int fd : held) ::close(fd);
  EXPECT_TRUE(Eventually([&] { return Http(port_, "GET", "/v1/rulesets", kViewer).status; },
                         [](int status) { return status == 200; }));
}

// A body is read only once its request is admitted: without a token the
// answer comes at once, before the body is even sent, and the connection
// closes (admin_timeout_ms is long here, so waiting for the body would show).
TEST_F(AdminHardeningTest, AStrangersBodyIsNotRead) {
  Start({}, "admin_timeout_ms: 60000\n");
  for (const std::string& auth :
       {std::string(), std::string("Authorization: Bearer wrong-token-0123456789\r\n")}) {
    const int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    SendAll(fd, "POST /v1/rulesets HTTP/1.1\r\nHost: x\r\nContent-Type: text/yaml\r\n" + auth +
                    "Content-Length: 900000\r\n\r\n" + std::string(1000, '#'));
    bool closed = false;
    const std::string got = ReadUntilClosed(fd, 20'000, &closed);
    ::close(fd);
    EXPECT_EQ(got.rfind("HTTP/1.1 401", 0), 0u) << got;
    EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
    EXPECT_TRUE(closed);
  }
  // A known caller's body is read as before.
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets", kEditor, Rules("next", 2)).status, 201);
}

TEST_F(AdminHardeningTest, AmbiguousJsonIsRefusedInEveryBody) {
  Start();
  ASSERT_EQ(Purchase("T-1", "10.00"), 0);
  const std::string adjust = std::string("/v1/customers/") + kCard + "/adjust";
  auto twice = Http(port_, "POST", adjust, kAdmin,
                    R"({"transaction_id": "A-1", "points": 5, "points": -5, "reason": "x"})");
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(Json(twice)["code"], "BAD_JSON");
  EXPECT_EQ(Json(twice)["message"], "the key \"points\" is given twice in one object");
  auto huge = Http(port_, "POST", adjust, kAdmin,
                   R"({"transaction_id": "A-2", "points": 9223372036854775808, "reason": "x"})");
  EXPECT_EQ(huge.status, 400);
  EXPECT_EQ(Json(huge)["message"],
            "the number 9223372036854775808 (at \"points\") is not a whole number from "
            "-9223372036854775808 to 9223372036854775807");
  auto tiny = Http(port_, "POST", adjust, kAdmin,
                   R"({"transaction_id": "A-3", "points": -9223372036854775809, "reason": "x"})");
  EXPECT_EQ(tiny.status, 400);
  EXPECT_EQ(Json(tiny)["code"], "BAD_JSON");
  // Nested objects too, and every other body: activate, rollback, submit, sign-in.
  Upload(Rules("next", 2));
  for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/rulesets/2/activate", R"({"at_ms": 1e300})"},
           {"/v1/rulesets/rollback", R"({"to": 18446744073709551616})"},
           {"/v1/rulesets/2/submit", R"({"note": "a", "note": "b"})"},
           {"/v1/session", R"({"token": "x", "token": "y"})"}}) {
    auto r = Http(port_, "POST", target, target == "/v1/session" ? "" : kAdmin, body);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    EXPECT_EQ(Json(r)["code"], "BAD_JSON") << target;
  }
  auto nothing = Json(Http(port_, "GET", "/v1/audit?action=customers.", kViewer));
  EXPECT_EQ(nothing["entries"].size(), 0u);
}

// A rule set is bounded in size (and drafts in number: rules_drafts_max,
// AdminTest.DraftsWaitingAtOnceAreBounded), whatever admin_body_bytes_max.
TEST_F(AdminHardeningTest, AnOversizedRuleSetIsRefusedAndNothingIsStored) {
  Start({}, "admin_body_bytes_max: 4194304\n");
  const std::string big = Rules("big", 2) + "# " + std::string(300 << 10, 'x') + "\n";
  for (const char* target : {"/v1/rulesets", "/v1/rulesets/validate"}) {
    auto r = Http(port_, "POST", target, kEditor, big);
    EXPECT_EQ(r.status, 413) << target << ": " << r.body;
    EXPECT_EQ(Json(r)["code"], "RULES_TOO_LARGE");
    EXPECT_NE(Json(r)["message"].get<std::string>().find("at most 262144 bytes"),
              std::string::npos);
  }
  EXPECT_EQ(Json(Http(port_, "GET", "/v1/rulesets", kViewer))["versions"].size(), 1u);
}

// The audit entry is written in the batch of the adjustment's decision
// (tests/runtime: RecordsWithAnEventAreCommittedWithItsDecisionOnce shows
// both or neither are written): a retry, answered from the stored decision,
// writes no second entry.
TEST_F(AdminHardeningTest, ARetriedAdjustmentIsAuditedOnce) {
  Start();
  ASSERT_EQ(Purchase("T-1", "10.00"), 0);
  const std::string adjust = std::string("/v1/customers/") + kCard + "/adjust";
  const std::string body = R"({"transaction_id": "ADJ-1", "points": 5, "reason": "goodwill"})";
  for (int i = 0; i < 3; ++i) {
    auto r = Http(port_, "POST", adjust, kAdmin, body);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto audit = Json(Http(port_, "GET", "/v1/audit?action=customers.adjust", kViewer));
  ASSERT_EQ(audit["entries"].size(), 1u) << audit.dump();
  EXPECT_EQ(audit["entries"][0]["detail"],
            "transaction_id=ADJ-1 points=5 reason=goodwill status=200");
  EXPECT_EQ(audit["entries"][0]["who"], "ada");
}

}  // namespace
}  // namespace loyalty
