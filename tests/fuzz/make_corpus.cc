// Writes the seed corpus of the fuzz targets: real requests, as the CLI and
// the registers send them, and a few broken ones. Deterministic, so running
// it again changes nothing that is checked in.
//
//   build/fuzz/bin/make_fuzz_corpus tests/fuzz/corpus
#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "adapters/net/framing.h"
#include "loyalty/v1/wire.pb.h"
#include "proto/store_codec.h"
#include "tests/fuzz/seed_credentials.h"
#include "tests/fuzz/seed_history.h"

namespace loyalty::fuzz {
namespace {

namespace fs = std::filesystem;

constexpr TimeMs kAnHourAgoMs = kNowMs - 60 * 60 * 1000;

struct Seed {
  std::string name;
  v1::Request request;
};

template <typename Msg>
void AtRegister(Msg* m, const std::string& txn) {
  m->set_transaction_id(txn);
  m->set_store_id("S1");
  m->set_register_id("R1");
  m->set_card(kCard);
  m->set_event_time_ms(kAnHourAgoMs);
}

void AddLine(v1::Purchase* p, const char* sku, const char* category, int64_t quantity,
             int64_t unit_price_minor, const char* offer_id = "") {
  v1::Line* l = p->add_lines();
  l->set_sku(sku);
  l->set_category(category);
  l->set_brand("acme");
  l->set_quantity(quantity);
  l->set_unit_price_minor(unit_price_minor);
  l->set_line_total_minor(quantity * unit_price_minor);
  l->set_offer_id(offer_id);
}

v1::Request Purchase(const std::string& txn) {
  v1::Request r;
  r.set_request_id(3);
  v1::Purchase* p = r.mutable_purchase();
  AtRegister(p, txn);
  p->set_currency("EUR");
  AddLine(p, "SKU-42", "school", 2, 450);
  AddLine(p, "COFFEE-1", "coffee", 1, 320);
  AddLine(p, "DEPOSIT", "groceries", 3, 25);
  p->set_total_minor(2 * 450 + 320 + 3 * 25);
  return r;
}

std::vector<Seed> ValidRequests() {
  std::vector<Seed> seeds;
  v1::Request r;

  r.set_request_id(1);
  r.mutable_hello()->set_key_id("S1-R1");
  r.mutable_hello()->set_secret(std::string(64, 'a'));
  r.mutable_hello()->set_client("acme-pos/4.2");
  seeds.push_back({"hello", r});

  r.Clear();
  r.set_request_id(2);
  r.mutable_enroll()->set_card("C-2");
  r.mutable_enroll()->set_customer_id("CUST-2");
  r.mutable_enroll()->set_birthday("1990-02-28");
  seeds.push_back({"enroll", r});
  r.mutable_enroll()->set_birthday("--02-29");
  seeds.push_back({"enroll_birthday_without_year", r});

  seeds.push_back({"purchase", Purchase("T-100")});
  r = Purchase("T-101");
  r.mutable_purchase()->set_redeem_points(500);
  seeds.push_back({"purchase_paid_with_points", r});
  r = Purchase("T-102");
  r.mutable_purchase()->mutable_lines(0)->set_offer_id("school-voucher");
  seeds.push_back({"purchase_with_offer", r});
  seeds.push_back({"purchase_retry_of_history", Purchase(kPurchaseTxn)});

  r.Clear();
  r.set_request_id(4);
  v1::Return* ret = r.mutable_purchase_return();
  AtRegister(ret, "T-103");
  ret->set_currency("EUR");
  ret->set_original_transaction_id(kPurchaseTxn);
  v1::Line* l = ret->add_lines();
  l->set_sku("SKU-1");
  l->set_category("school");
  l->set_quantity(1);
  l->set_unit_price_minor(25'000);
  l->set_line_total_minor(25'000);
  seeds.push_back({"return", r});

  r.Clear();
  r.set_request_id(5);
  AtRegister(r.mutable_redeem(), "T-104");
  r.mutable_redeem()->set_currency("EUR");
  r.mutable_redeem()->set_points(500);
  r.mutable_redeem()->set_basket_total_minor(5'000);
  seeds.push_back({"redeem", r});

  r.Clear();
  r.set_request_id(6);
  AtRegister(r.mutable_cancel_redeem(), "T-105");
  r.mutable_cancel_redeem()->set_original_transaction_id(kRedeemTxn);
  seeds.push_back({"cancel_redeem", r});

  r.Clear();
  r.set_request_id(7);
  AtRegister(r.mutable_feedback(), "T-106");
  r.mutable_feedback()->set_score(9);
  r.mutable_feedback()->set_comment("Très bien, merci");
  seeds.push_back({"feedback", r});

  r.Clear();
  r.set_request_id(8);
  v1::Adjust* a = r.mutable_adjust();
  a->set_transaction_id("T-107");
  a->set_card(kCard);
  a->set_event_time_ms(kAnHourAgoMs);
  a->set_points(-100);
  a->set_reason("correction");
  a->set_operator_id("ops-1");
  seeds.push_back({"adjust", r});
  a->set_points(0);
  a->set_set_tier("gold");
  seeds.push_back({"adjust_set_tier", r});

  r.Clear();
  r.set_request_id(9);
  r.mutable_lookup()->set_card(kCard);
  seeds.push_back({"lookup", r});
  return seeds;
}

// Requests that decode or validate to a refusal: each names a field.
std::vector<Seed> RefusedRequests() {
  std::vector<Seed> seeds;
  v1::Request r;
  seeds.push_back({"refused_no_body", r});
  r = Purchase("T-200");
  r.mutable_purchase()->set_total_minor(1);
  seeds.push_back({"refused_total_mismatch", r});
  r = Purchase("T-201");
  r.mutable_purchase()->set_currency("USD");
  seeds.push_back({"refused_currency", r});
  r = Purchase("T-202");
  r.mutable_purchase()->set_event_time_ms(kNowMs + 60 * 60 * 1000);
  seeds.push_back({"refused_time_ahead", r});
  r = Purchase("T-203");
  r.mutable_purchase()->mutable_lines(1)->set_quantity(-3);
  seeds.push_back({"refused_quantity", r});
  r.Clear();
  r.mutable_enroll()->set_card("C-3");
  r.mutable_enroll()->set_birthday("2023-02-29");
  seeds.push_back({"refused_birthday", r});
  r.Clear();
  AtRegister(r.mutable_feedback(), "T-204");
  r.mutable_feedback()->set_score(3);
  r.mutable_feedback()->set_comment("bad \xc3\x28 utf-8");
  seeds.push_back({"refused_comment_not_utf8", r});
  return seeds;
}

void Write(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

std::string Framed(const std::vector<v1::Request>& requests) {
  std::string out;
  for (const v1::Request& r : requests) net::AppendFrame(out, r.SerializeAsString());
  return out;
}

// Byte streams a connection might carry: several frames in a row, and the
// ways framing breaks.
void WriteFrameSeeds(const fs::path& dir, const std::vector<Seed>& valid) {
  std::vector<v1::Request> all;
  for (const Seed& s : valid) all.push_back(s.request);
  Write(dir / "every_request_pipelined", Framed(all));
  Write(dir / "hello_then_purchase", Framed({valid[0].request, Purchase("T-300")}));
  Write(dir / "one_purchase", Framed({Purchase("T-301")}));
  Write(dir / "empty_frames", std::string(3, '\0'));
  Write(dir / "prefix_never_ends", std::string(6, '\xff'));
  Write(dir / "oversized_length", std::string("\xf1\xa2\x04", 3));  // 70,001 bytes declared
  const std::string one = Framed({Purchase("T-302")});
  Write(dir / "truncated_body", one.substr(0, one.size() - 7));
  Write(dir / "body_not_a_request", std::string("\x03\xff\xff\xff", 4));
  Write(dir / "good_then_garbage", one + std::string("\x02\x08\x80", 3));
}

v1::Request Hello(const std::string& key_id, const std::string& secret) {
  v1::Request r;
  r.set_request_id(1);
  r.mutable_hello()->set_key_id(key_id);
  r.mutable_hello()->set_secret(secret);
  r.mutable_hello()->set_client("acme-pos/4.2");
  return r;
}

// Connections as they open: a Hello (right, wrong, revoked, malformed or
// missing), then requests of a till, some naming another store.
void WriteHelloSeeds(const fs::path& dir, const std::vector<Seed>& valid) {
  const SeedCredential& till = kSeedCredentials[0];
  const SeedCredential& ops = kSeedCredentials[1];
  const SeedCredential& revoked = kSeedCredentials[2];
  std::vector<v1::Request> session = {Hello(till.key_id, till.secret)};
  for (std::size_t i = 1; i < valid.size(); ++i) session.push_back(valid[i].request);
  v1::Request own_store = Purchase("T-400");
  own_store.mutable_purchase()->clear_store_id();
  own_store.mutable_purchase()->clear_register_id();
  session.push_back(own_store);
  v1::Request other_store = Purchase("T-401");
  other_store.mutable_purchase()->set_store_id("S2");
  session.push_back(other_store);
  v1::Request other_register = Purchase("T-402");
  other_register.mutable_purchase()->set_register_id("R7");
  session.push_back(other_register);
  session.push_back(Hello(till.key_id, till.secret));  // a second Hello
  Write(dir / "till_session", Framed(session));
  session[0] = Hello(ops.key_id, ops.secret);
  Write(dir / "operator_session", Framed(session));
  Write(dir / "revoked", Framed({Hello(revoked.key_id, revoked.secret), Purchase("T-403")}));
  std::string wrong = till.secret;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  Write(dir / "wrong_secret", Framed({Hello(till.key_id, wrong), Purchase("T-404")}));
  Write(dir / "unknown_key", Framed({Hello("S9-R9", till.secret)}));
  Write(dir / "short_secret", Framed({Hello(till.key_id, "3f9a")}));
  Write(dir / "no_hello", Framed({Purchase("T-405"), Hello(till.key_id, till.secret)}));
}

// Registers files as operators write them, and as they get them wrong.
void WriteRegistersFileSeeds(const fs::path& dir) {
  using net::VerifierText;
  const std::string good = SeedRegistersFile();
  Write(dir / "example", good);
  Write(dir / "crlf_tabs_comments", "# tills of store S1\r\n\tS1-R1\tregister\tS1\tR1\t" +
                                        VerifierText(kSeedCredentials[0].secret) +
                                        "  # front desk\r\n\n");
  Write(dir / "secret_of_zeros", "Z-1 register S1 R1 " + VerifierText(std::string(64, '0')) + "\n");
  Write(dir / "refused_duplicate_key", good + good.substr(good.find('\n') + 1));
  Write(dir / "refused_operator_with_store",
        "ops-2 operator S1 * " + VerifierText(kSeedCredentials[1].secret) + "\n");
  Write(dir / "refused_bad_hex", "S1-R2 register S1 R2 sha256:" + std::string(64, 'g') + "\n");
  Write(dir / "refused_kind",
        "S1-R3 till S1 R3 " + VerifierText(kSeedCredentials[0].secret) + " revoked\n");
  Write(dir / "refused_words", "S1-R4 register S1\n");
}

// Stored records as the store writes them, each after the byte that tells
// store_codec_fuzzer which decoder reads it (0 customer, 1 ledger, 2 txn).
void WriteStoreSeeds(const fs::path& dir) {
  CustomerState c;
  c.customer_id = kCard;
  c.cards = {kCard, "C-1-replaced"};
  c.enrolled_at_ms = kNowMs - 90 * kMsPerDay;
  c.birthday = Date{1990, 2, 29};
  c.version = 3;
  c.next_ledger_seq = 3;
  c.lots = {Lot{1'000, kNowMs - 60 * kMsPerDay, kNowMs - 46 * kMsPerDay, kNowMs + 300 * kMsPerDay,
                kPurchaseTxn}};
  c.lifetime_points = 1'000;
  c.tier = "silver";
  c.visits = 1;
  c.spend_minor = 100'000;
  c.months = {{24'316, 100'000, 1}};
  c.category_affinity = {{"school", 1'000}};
  c.nps_score = 9;
  c.nps_comment = "quick till";
  const std::string customer = store_codec::EncodeCustomer(c);
  Write(dir / "customer", std::string(1, '\0') + customer);
  Write(dir / "customer_truncated", std::string(1, '\0') + customer.substr(0, customer.size() / 2));
  Write(dir / "customer_empty", std::string(1, '\0'));

  LedgerEntry e;
  e.kind = LedgerKind::kSpend;
  e.points = -500;
  e.transaction_id = kRedeemTxn;
  e.at_ms = kNowMs - 10 * kMsPerDay;
  Write(dir / "ledger_spend", std::string(1, '\1') + store_codec::EncodeLedgerEntry(e));
  Write(dir / "ledger_unknown_kind", std::string("\1\x08\x09", 3));

  TxnRecord t;
  t.fingerprint = 0x1234'5678'9abc'def0;
  t.kind = EventKind::kPurchase;
  t.customer_id = kCard;
  t.event_time_ms = kNowMs - 60 * kMsPerDay;
  t.store_id = "S1";
  t.lines = {TxnLine{"SKU-1", 4, 100'000, 1'000, 1, 250}};
  t.reply = std::string("\x08\x01", 2);
  Write(dir / "txn_purchase", std::string(1, '\2') + store_codec::EncodeTxn(t, kNowMs));
  TxnRecord r;
  r.kind = EventKind::kRedeem;
  r.customer_id = kCard;
  r.points_spent = 500;
  r.spent = {SpentSlice{500, kNowMs - 60 * kMsPerDay, kNowMs - 46 * kMsPerDay,
                        kNowMs + 300 * kMsPerDay, kPurchaseTxn}};
  r.cancelled = true;
  Write(dir / "txn_redeem_cancelled", std::string(1, '\2') + store_codec::EncodeTxn(r, kNowMs));
  Write(dir / "txn_unknown_outcome", std::string("\2\x10\x02\x18\x63", 5));
}

}  // namespace
}  // namespace loyalty::fuzz

int main(int argc, char** argv) {
  using namespace loyalty::fuzz;
  google::protobuf::SetLogHandler(nullptr);  // the seed with invalid UTF-8 is meant
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_corpus CORPUS_DIR\n");
    return 2;
  }
  const fs::path root = argv[1];
  const std::vector<Seed> valid = ValidRequests();
  fs::create_directories(root / "request");
  fs::create_directories(root / "frame_reader");
  fs::create_directories(root / "canary");
  fs::create_directories(root / "hello");
  fs::create_directories(root / "registers_file");
  fs::create_directories(root / "store_codec");
  for (const Seed& s : valid) Write(root / "request" / s.name, s.request.SerializeAsString());
  for (const Seed& s : RefusedRequests()) {
    Write(root / "request" / s.name, s.request.SerializeAsString());
  }
  WriteFrameSeeds(root / "frame_reader", valid);
  WriteHelloSeeds(root / "hello", valid);
  WriteRegistersFileSeeds(root / "registers_file");
  WriteStoreSeeds(root / "store_codec");
  Write(root / "canary" / "asan", "asan");
  Write(root / "canary" / "ubsan", "ubsan");
  return 0;
}
