#include "adapters/http/router.h"

#include <gtest/gtest.h>

#include "adapters/http/target.h"

namespace loyalty::http {
namespace {

// Found by admin_router_fuzzer: "GET /v1\xad/customers" was answered 404
// with the raw byte in the message, a body that is not JSON (JSON is UTF-8).
TEST(RouterTest, ARefusalNamingBytesThatAreNotUtf8IsStillJson) {
  EXPECT_EQ(JsonString("/v1\xad/x\xff"), "\"/v1\\ufffd/x\\ufffd\"");
  EXPECT_EQ(JsonString("caf\xc3\xa9 \"q\" \\ \n\x01"), "\"caf\xc3\xa9 \\\"q\\\" \\\\ \\n\\u0001\"");
  EXPECT_EQ(JsonError(404, "NOT_FOUND", "no such endpoint: /\xad").body,
            "{\"code\":\"NOT_FOUND\",\"message\":\"no such endpoint: /\\ufffd\"}\n");
}

// Found by admin_router_fuzzer: "GET 4 HTTP/1.1" was routed to "/" and
// "GET Xv1/audit" to /v1/audit: matching skipped the first byte unseen.
TEST(RouterTest, APathWithoutTheLeadingSlashMatchesNoRoute) {
  Router router(TokenTable({}), nullptr);
  router.Add({"GET", "/", std::nullopt, nullptr});
  router.Add({"GET", "/v1/audit", std::nullopt, nullptr});
  EXPECT_EQ(router.PatternOf("GET", "/v1/audit"), "/v1/audit");
  EXPECT_EQ(router.PatternOf("GET", "Xv1/audit"), "unmatched");
  EXPECT_EQ(router.PatternOf("GET", "4"), "unmatched");
  EXPECT_EQ(router.PatternOf("GET", ""), "unmatched");
}

TEST(RouterTest, ATargetIsDecodedAndAnEncodedSlashRefused) {
  Request r;
  EXPECT_FALSE(ReadTarget("/v1/customers/C%2D1?limit=5&q=a+b&flag", r));
  EXPECT_EQ(r.path, "/v1/customers/C-1");
  EXPECT_EQ(r.query,
            (std::map<std::string, std::string>{{"limit", "5"}, {"q", "a b"}, {"flag", ""}}));
  Request slash;
  const auto refused = ReadTarget("/v1/customers/a%2fb/adjust", slash);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400u);
  EXPECT_NE(refused->body.find("ENCODED_SLASH"), std::string::npos);
}

}  // namespace
}  // namespace loyalty::http
