// A frame whose only fault is a text field that is not UTF-8 is one request's
// INVALID_FIELD, not a broken connection.
#include "proto/wire_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace loyalty {
namespace {

// A purchase whose second line's category is `category`, as bytes. The C++
// setters do not check UTF-8 (only parsing does), as a foreign client's
// encoder might not.
std::string PurchaseBytes(uint64_t request_id, const std::string& category) {
  v1::Request r;
  r.set_request_id(request_id);
  v1::Purchase* p = r.mutable_purchase();
  p->set_transaction_id("T-1");
  p->set_card("4242");
  p->add_lines()->set_sku("A");
  v1::Line* l = p->add_lines();
  l->set_sku("B");
  l->set_category(category);
  return r.SerializeAsString();
}

TEST(WireParseTest, AWellFormedRequestParses) {
  v1::Request r;
  EXPECT_EQ(wire::ParseRequest(PurchaseBytes(7, "caf\xc3\xa9"), &r), std::nullopt);
  EXPECT_EQ(r.request_id(), 7u);
  EXPECT_EQ(r.purchase().lines(1).category(), "caf\xc3\xa9");
}

TEST(WireParseTest, ProtobufAloneRefusesTheWholeFrameForOneBadString) {
  v1::Request r;
  const std::string bytes = PurchaseBytes(7, "caf\xe9");
  EXPECT_FALSE(r.ParseFromString(bytes));  // why ParseRequest exists
}

TEST(WireParseTest, NamesTheFieldThatIsNotUtf8AndKeepsTheRequestId) {
  v1::Request r;
  auto error = wire::ParseRequest(PurchaseBytes(7, "caf\xe9"), &r);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), v1::INVALID_FIELD);
  EXPECT_EQ(error->field(), "lines[1].category");
  EXPECT_EQ(error->message(), "lines[1].category: is not valid UTF-8");
  EXPECT_EQ(r.request_id(), 7u);
  EXPECT_EQ(r.body_case(), v1::Request::BODY_NOT_SET);
}

TEST(WireParseTest, NamesTopLevelFieldsOfEveryRequestKind) {
  v1::Request lookup;
  lookup.set_request_id(9);
  lookup.mutable_lookup()->set_card("42\xff");
  v1::Request r;
  auto error = wire::ParseRequest(lookup.SerializeAsString(), &r);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->field(), "card");
  EXPECT_EQ(r.request_id(), 9u);

  v1::Request feedback;
  feedback.set_request_id(10);
  feedback.mutable_feedback()->set_comment("tr\xe8s bien");
  error = wire::ParseRequest(feedback.SerializeAsString(), &r);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->field(), "comment");
  EXPECT_EQ(r.request_id(), 10u);
}

TEST(WireParseTest, BytesThatAreNotARequestStayMalformed) {
  v1::Request r;
  auto error = wire::ParseRequest(std::string("\x1a\x05\x0a\x01", 4), &r);  // cut short
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), v1::MALFORMED_FRAME);
  // A bad string followed by garbage is malformed too: nothing to trust.
  std::string bytes = PurchaseBytes(7, "caf\xe9") + std::string("\xff\xff", 2);
  error = wire::ParseRequest(bytes, &r);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), v1::MALFORMED_FRAME);
}

}  // namespace
}  // namespace loyalty
