#include "tools/replay/requests.h"

namespace loyalty::replay {
namespace {

template <typename Msg>
void Stamp(Msg* m, const std::string& txn, const Invoice& inv) {
  m->set_transaction_id(txn);
  m->set_store_id("uk-online");
  m->set_register_id("web");
  m->set_card(inv.customer_id);
  m->set_event_time_ms(inv.time_ms);
  m->set_currency("GBP");
}

}  // namespace

v1::Request RequestMaker::Purchase(const Invoice& inv) {
  v1::Request r;
  v1::Purchase* p = r.mutable_purchase();
  const std::string txn = prefix_ + inv.number;
  Stamp(p, txn, inv);
  Bought bought{txn, {}};
  for (const InvoiceLine& l : inv.lines) {
    v1::Line* w = p->add_lines();
    w->set_sku(l.stock_code);
    w->set_quantity(l.quantity);
    w->set_unit_price_minor(l.unit_price_minor);
    w->set_line_total_minor(l.quantity * l.unit_price_minor);
    bought.left[l.stock_code] += l.quantity;
  }
  by_customer_[inv.customer_id].push_back(std::move(bought));
  counts_.purchases += 1;
  return r;
}

std::vector<v1::Request> RequestMaker::For(const Invoice& inv) {
  if (!inv.cancellation) return {Purchase(inv)};
  // Match each cancelled line to the newest purchase that still holds it.
  std::map<std::string, v1::Request> by_original;
  auto& history = by_customer_[inv.customer_id];
  for (const InvoiceLine& l : inv.lines) {
    int64_t want = l.quantity;
    for (auto it = history.rbegin(); it != history.rend() && want > 0; ++it) {
      auto held = it->left.find(l.stock_code);
      if (held == it->left.end() || held->second == 0) continue;
      const int64_t take = std::min(want, held->second);
      held->second -= take;
      want -= take;
      v1::Request& r = by_original[it->txn];
      v1::Return* ret = r.mutable_purchase_return();
      if (ret->transaction_id().empty()) {
        Stamp(ret, prefix_ + inv.number + "/" + std::to_string(++returns_made_), inv);
        ret->set_original_transaction_id(it->txn);
      }
      v1::Line* w = ret->add_lines();
      w->set_sku(l.stock_code);
      w->set_quantity(take);
      w->set_unit_price_minor(l.unit_price_minor);
      w->set_line_total_minor(take * l.unit_price_minor);
    }
    if (want > 0) counts_.unmatched_return_lines += 1;
  }
  std::vector<v1::Request> out;
  for (auto& [original, r] : by_original) out.push_back(std::move(r));
  counts_.returns += out.size();
  return out;
}

}  // namespace loyalty::replay
