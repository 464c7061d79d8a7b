#include "tools/bench/workload.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "adapters/net/framing.h"

namespace loyalty::bench {
namespace {

constexpr std::size_t kReturnableMax = 100'000;
const char* const kCategories[] = {"grocery", "bakery", "dairy",  "drinks",     "household",
                                   "toys",    "school", "garden", "gift-cards", "tobacco"};

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kPurchase: return "purchase";
    case Kind::kReturn: return "return";
    case Kind::kRedeem: return "redeem";
    case Kind::kLookup: return "lookup";
  }
  return "?";
}

bool ParseMix(const std::string& text, Mix* mix) {
  Mix m{0, 0, 0, 0};
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');) {
    const auto eq = part.find('=');
    if (eq == std::string::npos) return false;
    const std::string name = part.substr(0, eq);
    int value = 0;
    try {
      value = std::stoi(part.substr(eq + 1));
    } catch (const std::exception&) {
      return false;
    }
    if (value < 0) return false;
    if (name == "purchase")
      m.purchase = value;
    else if (name == "return")
      m.ret = value;
    else if (name == "redeem")
      m.redeem = value;
    else if (name == "lookup")
      m.lookup = value;
    else
      return false;
  }
  if (m.purchase + m.ret + m.redeem + m.lookup == 0) return false;
  *mix = m;
  return true;
}

Workload::Workload(WorkloadOptions options) : options_(std::move(options)), rng_(options_.seed) {
  cdf_.resize(options_.customers);
  double sum = 0;
  for (std::size_t i = 0; i < cdf_.size(); ++i) {
    sum += 1.0 / std::pow(static_cast<double>(i + 1), options_.zipf_s);
    cdf_[i] = sum;
  }
  for (double& c : cdf_) c /= sum;
  BuildBaskets();
}

void Workload::BuildBaskets() {
  constexpr int kBaskets = 4096;
  baskets_.resize(kBaskets);
  for (Basket& b : baskets_) {
    v1::Purchase p;
    const int lines =
        std::uniform_int_distribution<int>(options_.lines_min, options_.lines_max)(rng_);
    for (int i = 0; i < lines; ++i) {
      v1::Line* l = p.add_lines();
      const uint64_t sku = rng_() % 5000;
      l->set_sku("SKU" + std::to_string(sku));
      l->set_category(kCategories[sku % 10]);
      l->set_quantity(1 + static_cast<int64_t>(rng_() % 3));
      l->set_unit_price_minor(50 + static_cast<int64_t>(rng_() % 5000));
      l->set_line_total_minor(l->quantity() * l->unit_price_minor());
    }
    b.lines_bytes = p.SerializeAsString();  // only field 7 is set
    const v1::Line& pick = p.lines(static_cast<int>(rng_() % static_cast<uint64_t>(lines)));
    b.sku = pick.sku();
    b.quantity = pick.quantity();
  }
}

std::size_t Workload::PickCustomer() {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
  const auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
  return std::min<std::size_t>(static_cast<std::size_t>(it - cdf_.begin()), cdf_.size() - 1);
}

template <typename Msg>
void Workload::Stamp(Msg* m, const std::string& card) {
  m->set_transaction_id(options_.run_id + "-" + std::to_string(next_txn_++));
  const uint64_t store = rng_() % 40, till = rng_() % 8;  // drawn either way: same sequence
  if (!options_.stores_from_credential) {
    m->set_store_id("S" + std::to_string(store));
    m->set_register_id("R" + std::to_string(till));
  }
  m->set_card(card);
  m->set_event_time_ms(NowMs());
  m->set_currency("EUR");
}

namespace {

// A frame of Request{request_id, <field> = body}, body already serialized.
std::string Frame(uint64_t request_id, int field, const std::string& body) {
  std::string request;
  {
    google::protobuf::io::StringOutputStream raw(&request);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.WriteTag(1 << 3 | 0);
    out.WriteVarint64(request_id);
    out.WriteTag(static_cast<uint32_t>(field) << 3 | 2);
    out.WriteVarint32(static_cast<uint32_t>(body.size()));
    out.WriteString(body);
  }
  std::string frame;
  net::AppendFrame(frame, request);
  return frame;
}

}  // namespace

std::string Workload::Purchase(uint64_t request_id, std::size_t customer, SentPurchase* sent) {
  v1::Purchase head;
  Stamp(&head, CardOf(customer));
  const Basket& b = baskets_[rng_() % baskets_.size()];
  *sent = {head.transaction_id(), head.card(), b.sku, b.quantity};
  // Concatenated messages merge: the header's fields plus the basket's lines.
  return Frame(request_id, 3, head.SerializeAsString() + b.lines_bytes);
}

std::string Workload::PurchaseFrame(uint64_t request_id, std::size_t index, SentPurchase* sent) {
  return Purchase(request_id, index, sent);
}

std::string Workload::Return(uint64_t request_id, Kind* kind, SentPurchase* sent) {
  if (returnable_.empty()) {
    *kind = Kind::kPurchase;
    return Purchase(request_id, PickCustomer(), sent);
  }
  const std::size_t at = rng_() % returnable_.size();
  SentPurchase b = std::move(returnable_[at]);
  returnable_[at] = std::move(returnable_.back());
  returnable_.pop_back();
  v1::Return p;
  Stamp(&p, b.card);
  p.set_original_transaction_id(b.txn);
  v1::Line* l = p.add_lines();
  l->set_sku(b.sku);
  l->set_quantity(b.quantity);
  return Frame(request_id, 4, p.SerializeAsString());
}

std::string Workload::Redeem(uint64_t request_id) {
  v1::Redeem p;
  Stamp(&p, CardOf(PickCustomer()));
  p.set_points(10 + static_cast<int64_t>(rng_() % 200));
  p.set_basket_total_minor(20000);
  return Frame(request_id, 5, p.SerializeAsString());
}

std::string Workload::NextReplayed(uint64_t request_id, Kind* kind) {
  const auto& invoices = *options_.invoices;
  while (ready_.empty()) {
    if (!maker_ || next_invoice_ == invoices.size()) {
      maker_ = std::make_unique<replay::RequestMaker>(options_.run_id + "p" +
                                                      std::to_string(pass_++) + "-");
      next_invoice_ = 0;
    }
    ready_ = maker_->For(invoices[next_invoice_++]);
    std::reverse(ready_.begin(), ready_.end());
  }
  v1::Request r = std::move(ready_.back());
  ready_.pop_back();
  *kind = r.has_purchase() ? Kind::kPurchase : Kind::kReturn;
  r.set_request_id(request_id);
  if (options_.stores_from_credential && r.has_purchase()) {
    r.mutable_purchase()->clear_store_id();
    r.mutable_purchase()->clear_register_id();
  } else if (options_.stores_from_credential && r.has_purchase_return()) {
    r.mutable_purchase_return()->clear_store_id();
    r.mutable_purchase_return()->clear_register_id();
  }
  std::string frame;
  net::AppendFrame(frame, r.SerializeAsString());
  return frame;
}

std::string Workload::NextFrame(uint64_t request_id, Kind* kind, SentPurchase* sent) {
  if (options_.invoices) return NextReplayed(request_id, kind);
  const Mix& m = options_.mix;
  const int total = m.purchase + m.ret + m.redeem + m.lookup;
  int pick = static_cast<int>(rng_() % static_cast<uint64_t>(total));
  if ((pick -= m.purchase) < 0) {
    *kind = Kind::kPurchase;
    return Purchase(request_id, PickCustomer(), sent);
  }
  if ((pick -= m.ret) < 0) {
    *kind = Kind::kReturn;
    return Return(request_id, kind, sent);
  }
  if ((pick -= m.redeem) < 0) {
    *kind = Kind::kRedeem;
    return Redeem(request_id);
  }
  *kind = Kind::kLookup;
  v1::Lookup l;
  l.set_card(CardOf(PickCustomer()));
  return Frame(request_id, 6, l.SerializeAsString());
}

void Workload::Acknowledged(SentPurchase sent) {
  if (returnable_.size() < kReturnableMax) returnable_.push_back(std::move(sent));
}

}  // namespace loyalty::bench
