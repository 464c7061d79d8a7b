#include "tools/loyalty/history_command.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "adapters/http/client.h"
#include "tools/loyalty/admin_call.h"
#include "tools/report/format.h"

namespace loyalty::cli {
namespace {

using Json = nlohmann::json;

std::string Str(const Json& j, const char* key) { return j.value(key, std::string()); }

// "2026-11-28T15:07:58+01:00" -> "2026-11-28 15:07"
std::string When(const std::string& iso) {
  return iso.size() < 16 ? iso : iso.substr(0, 10) + " " + iso.substr(11, 5);
}

void PrintHead(const Json& s) {
  std::cout << "customer " << Str(s, "customer_id") << " (card " << Str(s, "card") << "): balance "
            << s["balance"].get<int64_t>() << " (spendable " << s["spendable"].get<int64_t>()
            << ", pending " << s["pending"].get<int64_t>() << "), tier " << Str(s, "tier")
            << "; times at UTC"
            << Str(s, "as_of_at").substr(std::min<std::size_t>(19, Str(s, "as_of_at").size()))
            << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-16s  %-22s %-16s %-6s %14s  %-20s %8s %9s\n", "date", "event",
                "transaction", "store", "money", "rule or reason", "points", "balance");
  std::cout << line;
}

void PrintEntries(const Json& s) {
  const report::Money money{Str(s, "currency")};
  for (const Json& e : s["entries"]) {
    const Json ev = e.value("event", Json::object());
    std::string what = e.value("unbooked", false) ? "expire (unbooked)" : Str(e, "kind");
    if (ev.contains("kind") && Str(ev, "kind") != Str(e, "kind")) what += " " + Str(ev, "kind");
    std::string amount;
    if (ev.contains("amount_minor")) amount = money.Format(ev["amount_minor"].get<int64_t>());
    if (ev.contains("discount_minor")) {
      amount = money.Format(ev["discount_minor"].get<int64_t>()) + " off";
    }
    std::string rule = Str(e, "rule");
    if (e.contains("operator")) rule += " (" + Str(e, "operator") + ")";
    char line[512];
    std::snprintf(line, sizeof line, "%-16s  %-22s %-16s %-6s %14s  %-20s %+8lld %9lld\n",
                  When(Str(e, "at_at")).c_str(), what.c_str(), Str(e, "transaction_id").c_str(),
                  Str(ev, "store").c_str(), amount.c_str(), rule.c_str(),
                  static_cast<long long>(e["points"].get<int64_t>()),
                  static_cast<long long>(e["balance_after"].get<int64_t>()));
    std::cout << line;
  }
}

}  // namespace

CLI::App* AddHistoryCommand(CLI::App& app, HistoryOptions& o) {
  auto* cmd = app.add_subcommand(
      "history", "a customer's ledger statement from a running loyaltyd's admin API");
  cmd->add_option("--card", o.card, "card number")->required();
  cmd->add_option("--admin", o.admin,
                  "HOST:PORT of loyaltyd's admin API, https://HOST:PORT when admin_tls is on (CA: "
                  "$LOYALTY_CA; default 127.0.0.1:7071)");
  cmd->add_option("--token", o.token, "bearer token (default: $LOYALTY_ADMIN_TOKEN)");
  cmd->add_option("--limit", o.limit, "entries a page (default 50)")->check(CLI::Range(1, 500));
  cmd->add_flag("--all", o.all, "every page, to the first entry");
  return cmd;
}

int RunHistory(const HistoryOptions& o) {
  http::ClientRequest req = AdminRequest("GET", "", o.token, o.timeout_ms);
  std::string before;
  for (bool first = true;; first = false) {
    req.target = "/v1/customers/" + o.card + "/ledger?limit=" + std::to_string(o.limit) + before;
    auto reply = http::Call(o.admin, req);
    if (!reply.ok()) {
      std::cerr << "loyalty: " << reply.status().message() << "\n";
      return 3;
    }
    const Json s = Json::parse(reply->body, nullptr, false);
    if (o.json || s.is_discarded()) {
      std::cout << reply->body;
    } else if (reply->status >= 400) {
      std::cout << "refused (" << reply->status << " " << Str(s, "code")
                << "): " << Str(s, "message") << "\n";
    } else {
      if (first) PrintHead(s);
      PrintEntries(s);
    }
    if (reply->status >= 400) return 1;
    if (!o.all || !s.value("more", false)) {
      if (!o.json && s.value("more", false)) std::cout << "(older entries: --all)\n";
      return 0;
    }
    before = "&before=" + std::to_string(s["next_before"].get<uint64_t>());
  }
}

}  // namespace loyalty::cli
