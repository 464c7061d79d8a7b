// loyalty: the command line client of a running loyaltyd.
//
//   loyalty --server 127.0.0.1:7070 purchase --txn T-1 --store S1 --card 4242
//           --amount 12.34 --currency EUR
//   loyalty --server 127.0.0.1:7070 feedback --txn F-1 --store S1 --card 4242 --score 9
//   loyalty --server 127.0.0.1:7070 lookup --card 4242 --json
//   loyalty lookup --via-redis --redis 127.0.0.1:6379 --card 4242  (the cache, not the server)
//   loyalty check --data-dir ./var          (a stopped server's database)
//   loyalty backup --data-dir ./var --to /backups/loyalty   (running or stopped)
//   loyalty restore --from /backups/loyalty --data-dir ./restored
//   loyalty rules validate deploy/rules.example.yaml
//   loyalty rules simulate --rules new.yaml --baseline old.yaml --events past.csv.gz
//   loyalty report pareto --data-dir ./var [--svg pareto.svg]   (a stopped server's database)
//   loyalty report rfm|lifecycle|nps|offers|cost-to-serve --data-dir ./var [--rules FILE]
//   loyalty replay --csv ../shared/data/online_retail_uci_2010-2011.csv.gz --server HOST:PORT
//
// Exit codes: 0 applied (or a profile, or all good), 1 refused, an error
// reply, or problems found, 2 bad usage or unreadable input, 3 the server
// could not be reached.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <sstream>
#include <type_traits>

#include "adapters/net/client.h"
#include "adapters/net/failover_client.h"
#include "engine/money.h"
#include "tools/build_info/build_info.h"
#include "tools/loyalty/backup_command.h"
#include "tools/loyalty/channel.h"
#include "tools/loyalty/credentials_command.h"
#include "tools/loyalty/events_command.h"
#include "tools/loyalty/history_command.h"
#include "tools/loyalty/offline.h"
#include "tools/loyalty/publish.h"
#include "tools/loyalty/redis_lookup.h"
#include "tools/loyalty/render.h"
#include "tools/loyalty/replay_command.h"
#include "tools/loyalty/report_command.h"
#include "tools/loyalty/simulate_command.h"

namespace loyalty::cli {
namespace {

struct Common {
  std::string server = "127.0.0.1:7070";
  Channel channel;
  bool json = false;
  int64_t timeout_ms = 5000;
  std::string txn, original, store, register_id, card, currency = "EUR", amount, basket;
  std::string customer_id, birthday, reason, operator_id, set_tier, comment;
  std::string consent, source;  // "yes" or "no"; where it was given
  std::string link_to;          // enroll: the card of the customer a second card joins
  std::vector<std::string> lines;
  int64_t points = 0;
  int32_t score = -1;
  int64_t time_ms = 0;
};

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

constexpr const char* kLineFormat = "SKU,CATEGORY,QTY,UNIT_PRICE[,LINE_TOTAL[,BRAND]][,offer=ID]";
// A return names the purchase's lines by SKU and quantity; prices only for
// an original the server does not know.
constexpr const char* kReturnLineFormat =
    "SKU,QTY or "
    "SKU,CATEGORY,QTY,UNIT_PRICE[,LINE_TOTAL[,BRAND]]";

Result<int64_t> ParseQuantity(const std::string& text, const std::string& field) {
  try {
    std::size_t used = 0;
    const int64_t qty = std::stoll(field, &used);
    if (used == field.size()) return qty;
  } catch (const std::exception&) {
  }
  return Status::Invalid("--line '" + text + "': quantity '" + field + "' is not a whole number");
}

// kLineFormat; prices as decimals. `offer=ID` (anywhere after the first four
// fields) makes the line redeem that offer.
Result<v1::Line> ParseLine(const std::string& text, int exponent, bool is_return) {
  std::vector<std::string> f;
  v1::Line line;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');) {
    if (f.size() >= 4 && part.rfind("offer=", 0) == 0) {
      if (!line.offer_id().empty())
        return Status::Invalid("--line '" + text + "': one offer per line");
      line.set_offer_id(part.substr(6));
      if (line.offer_id().empty())
        return Status::Invalid("--line '" + text + "': offer= needs an offer id");
      continue;
    }
    f.push_back(part);
  }
  if (is_return && f.size() == 2 && line.offer_id().empty()) {  // SKU,QTY
    auto qty = ParseQuantity(text, f[1]);
    if (!qty.ok()) return qty.status();
    line.set_sku(f[0]);
    line.set_quantity(*qty);
    return line;
  }
  if (f.size() < 4 || f.size() > 6) {
    return Status::Invalid("--line '" + text + "': expected " +
                           (is_return ? kReturnLineFormat : kLineFormat));
  }
  line.set_sku(f[0]);
  line.set_category(f[1]);
  auto parsed_qty = ParseQuantity(text, f[2]);
  if (!parsed_qty.ok()) return parsed_qty.status();
  const int64_t qty = *parsed_qty;
  line.set_quantity(qty);
  auto unit = ParseDecimalMinor(f[3], exponent);
  if (!unit.ok())
    return Status::Invalid("--line '" + text + "': unit price " + unit.status().message());
  line.set_unit_price_minor(*unit);
  line.set_line_total_minor(*unit * qty);
  if (f.size() >= 5 && !f[4].empty()) {
    auto total = ParseDecimalMinor(f[4], exponent);
    if (!total.ok())
      return Status::Invalid("--line '" + text + "': line total " + total.status().message());
    line.set_line_total_minor(*total);
  }
  if (f.size() == 6) line.set_brand(f[5]);
  return line;
}

// The currency's exponent for parsing amounts; the server judges the rest.
int ExponentOf(const std::string& currency) { return CurrencyExponent(currency).value_or(2); }

template <typename Msg>
Status AddLines(const Common& c, Msg* msg) {
  constexpr bool kIsReturn = std::is_same_v<Msg, v1::Return>;
  for (const std::string& l : c.lines) {
    auto line = ParseLine(l, ExponentOf(c.currency), kIsReturn);
    if (!line.ok()) return line.status();
    *msg->add_lines() = *line;
  }
  return Status::Ok();
}

// The fields every request from a register (all but enroll, adjust, lookup) carries.
template <typename Msg>
void SetAtRegister(const Common& c, Msg* m) {
  m->set_transaction_id(c.txn);
  m->set_store_id(c.store);
  m->set_register_id(c.register_id);
  m->set_card(c.card);
  m->set_event_time_ms(c.time_ms != 0 ? c.time_ms : NowMs());
}

// The fields every sale-like request carries.
template <typename Msg>
void SetSale(const Common& c, Msg* m) {
  SetAtRegister(c, m);
  m->set_currency(c.currency);
}

Result<v1::Request> BuildPurchase(const Common& c) {
  v1::Request r;
  v1::Purchase* p = r.mutable_purchase();
  SetSale(c, p);
  if (Status s = AddLines(c, p); !s.ok()) return s;
  if (!c.amount.empty()) {
    auto amount = ParseDecimalMinor(c.amount, ExponentOf(c.currency));
    if (!amount.ok()) return Status::Invalid("--amount: " + amount.status().message());
    if (c.lines.empty()) {  // an unitemised basket: one line for the whole amount
      v1::Line* l = p->add_lines();
      l->set_sku("BASKET");
      l->set_quantity(1);
      l->set_unit_price_minor(*amount);
      l->set_line_total_minor(*amount);
    } else {
      p->set_total_minor(*amount);  // the server checks it against the lines
    }
  }
  if (p->lines_size() == 0)
    return Status::Invalid("purchase needs --amount or at least one --line");
  p->set_redeem_points(c.points);
  return r;
}

Result<v1::Request> BuildAdjust(const Common& c) {
  v1::Request r;
  v1::Adjust* a = r.mutable_adjust();
  a->set_transaction_id(c.txn);
  a->set_card(c.card);
  a->set_event_time_ms(c.time_ms != 0 ? c.time_ms : NowMs());
  a->set_points(c.points);
  a->set_reason(c.reason);
  a->set_operator_id(c.operator_id);
  a->set_set_tier(c.set_tier);
  return r;
}

Result<v1::Request> BuildCancelRedeem(const Common& c) {
  v1::Request r;
  SetAtRegister(c, r.mutable_cancel_redeem());
  r.mutable_cancel_redeem()->set_original_transaction_id(c.original);
  return r;
}

Result<v1::Request> BuildFeedback(const Common& c) {
  v1::Request r;
  v1::Feedback* f = r.mutable_feedback();
  SetAtRegister(c, f);
  f->set_score(c.score);
  f->set_comment(c.comment);
  return r;
}

Result<v1::Request> BuildConsent(const Common& c) {
  v1::Request r;
  v1::Consent* k = r.mutable_consent();
  SetAtRegister(c, k);
  k->set_marketing(c.consent == "yes");
  k->set_source(c.source);
  return r;
}

Result<v1::Request> BuildReturn(const Common& c) {
  v1::Request r;
  v1::Return* p = r.mutable_purchase_return();
  p->set_original_transaction_id(c.original);
  SetSale(c, p);
  if (Status s = AddLines(c, p); !s.ok()) return s;
  return r;
}

Result<v1::Request> BuildRedeem(const Common& c) {
  v1::Request r;
  v1::Redeem* p = r.mutable_redeem();
  SetSale(c, p);
  p->set_points(c.points);
  auto basket = ParseDecimalMinor(c.basket, ExponentOf(c.currency));
  if (!basket.ok()) return Status::Invalid("--basket: " + basket.status().message());
  p->set_basket_total_minor(*basket);
  return r;
}

int Send(const Common& c, Result<v1::Request> request) {
  if (!request.ok()) {
    std::cerr << "loyalty: " << request.status().message() << "\n";
    return 2;
  }
  auto options = MakeClientOptions(c.channel, c.timeout_ms);
  if (!options.ok()) {
    std::cerr << "loyalty: " << options.status().message() << "\n";
    return 2;
  }
  // One server, or the nodes of a replicated group: a standby's NOT_PRIMARY
  // is followed to the primary it names.
  std::vector<std::string> servers;
  for (size_t start = 0; start <= c.server.size();) {
    const size_t end = std::min(c.server.find(',', start), c.server.size());
    if (end > start) servers.push_back(c.server.substr(start, end - start));
    start = end + 1;
  }
  net::FailoverClient client(servers, *options, /*retry_busy=*/false);
  auto reply = client.Call(std::move(*request),
                           std::chrono::milliseconds(std::max<int64_t>(c.timeout_ms, 1000) *
                                                     static_cast<int64_t>(servers.size() + 1)));
  if (!reply.ok()) {
    std::cerr << "loyalty: " << reply.status().message() << "\n";
    return 3;
  }
  // The program's currency and clock, as the server's Welcome told them; an
  // older server says nothing, and a sale's own currency is the program's.
  const v1::Welcome& welcome = client.welcome();
  Display display{welcome.currency(), welcome.utc_offset_minutes()};
  if (display.currency.empty() && !c.txn.empty()) display.currency = c.currency;
  if (c.json)
    std::cout << ReplyToJson(*reply, display).dump() << "\n";
  else
    std::cout << ReplyToText(*reply, display) << "\n";
  return ExitCodeFor(*reply);
}

enum class LineKind { kNone, kSale, kReturn };

void AddSaleOptions(CLI::App* cmd, Common& c, LineKind lines) {
  cmd->add_option("--txn", c.txn, "transaction id (the retry key)")->required();
  cmd->add_option("--store", c.store, "store id (default: the credential's)");
  cmd->add_option("--register", c.register_id, "register id");
  cmd->add_option("--card", c.card, "card number")->required();
  cmd->add_option("--currency", c.currency, "ISO 4217 code (default EUR)");
  cmd->add_option("--time-ms", c.time_ms, "event time, ms since the epoch (default: now)");
  if (lines != LineKind::kNone) {
    const char* format = lines == LineKind::kReturn ? kReturnLineFormat : kLineFormat;
    cmd->add_option("--line", c.lines, std::string(format) + " (repeatable)");
  }
}

}  // namespace
}  // namespace loyalty::cli

int main(int argc, char** argv) {
  using namespace loyalty::cli;
  Common c;
  CLI::App app{"loyalty: talk to a running loyaltyd"};
  app.set_version_flag("--version", loyalty::build_info::VersionLine("loyalty"),
                       "print the version, git commit and build type, then exit");
  app.require_subcommand(1);
  app.fallthrough();  // global flags (--json, --server) also after the command
  app.add_option("--server", c.server,
                 "HOST:PORT of loyaltyd (default 127.0.0.1:7070); the nodes of a replicated group "
                 "as HOST:PORT,HOST:PORT,... (a standby's NOT_PRIMARY is followed)");
  app.add_flag("--json", c.json, "print one JSON object per reply");
  app.add_option("--timeout-ms", c.timeout_ms, "how long to wait for a reply (default 5000)");
  AddChannelOptions(app, c.channel);
  CredentialsCommand credentials(app);

  auto* enroll = app.add_subcommand("enroll", "enrol a card");
  enroll->add_option("--card", c.card, "card number")->required();
  enroll->add_option("--customer", c.customer_id, "the chain's customer id (default: the card)");
  enroll->add_option("--birthday", c.birthday, "YYYY-MM-DD or --MM-DD");
  enroll->add_option("--link-to", c.link_to,
                     "a second card: the card of the customer it joins (one balance for both)");
  enroll->add_option("--consent", c.consent, "yes or no to marketing (offers, messages)")
      ->check(CLI::IsMember({"yes", "no"}));

  auto* purchase = app.add_subcommand("purchase", "record a sale and earn points");
  AddSaleOptions(purchase, c, LineKind::kSale);
  purchase->add_option("--amount", c.amount,
                       "basket total, e.g. 12.34 (checked against --line totals)");
  purchase->add_option("--redeem-points", c.points, "points paying part of this basket");

  auto* ret = app.add_subcommand("return", "return lines of an earlier purchase");
  AddSaleOptions(ret, c, LineKind::kReturn);
  ret->add_option("--original", c.original, "transaction id of the purchase")->required();

  auto* redeem = app.add_subcommand("redeem", "pay part of a basket with points");
  AddSaleOptions(redeem, c, LineKind::kNone);
  redeem->add_option("--points", c.points, "points to spend")->required();
  redeem->add_option("--basket", c.basket, "basket total, e.g. 40.00")->required();

  auto* cancel = app.add_subcommand("cancel-redeem", "give a redemption's points back");
  AddSaleOptions(cancel, c, LineKind::kNone);
  cancel->add_option("--original", c.original, "transaction id of the redemption")->required();

  auto* adjust = app.add_subcommand("adjust", "correct points or set a tier, with a reason");
  adjust->add_option("--txn", c.txn, "transaction id (the retry key)")->required();
  adjust->add_option("--card", c.card, "card number")->required();
  adjust->add_option("--points", c.points, "points to credit (positive) or debit (negative)");
  adjust->add_option("--reason", c.reason, "reason code, e.g. goodwill")->required();
  adjust->add_option("--operator", c.operator_id, "who makes the adjustment")->required();
  adjust->add_option("--tier", c.set_tier, "move the customer to this tier");
  adjust->add_option("--time-ms", c.time_ms, "event time, ms since the epoch (default: now)");

  auto* feedback =
      app.add_subcommand("feedback", "record the customer's score (NPS: would they recommend us?)");
  feedback->add_option("--txn", c.txn, "transaction id (the retry key)")->required();
  feedback->add_option("--store", c.store, "store id (default: the credential's)");
  feedback->add_option("--register", c.register_id, "register id");
  feedback->add_option("--card", c.card, "card number")->required();
  feedback->add_option("--score", c.score, "0 (not at all likely) .. 10 (extremely likely)")
      ->required()
      ->check(CLI::Range(0, 10));
  feedback->add_option("--comment", c.comment, "what the customer said (optional)");
  feedback->add_option("--time-ms", c.time_ms, "event time, ms since the epoch (default: now)");

  auto* consent = app.add_subcommand(
      "consent", "record the customer's yes or no to marketing (offers, messages)");
  consent->add_option("--txn", c.txn, "transaction id (the retry key)")->required();
  consent->add_option("--store", c.store, "store id (default: the credential's)");
  consent->add_option("--register", c.register_id, "register id");
  consent->add_option("--card", c.card, "card number")->required();
  consent->add_option("--marketing", c.consent, "yes or no")
      ->required()
      ->check(CLI::IsMember({"yes", "no"}));
  consent->add_option("--source", c.source,
                      "where the customer said it, e.g. web-form (default: the register)");
  consent->add_option("--time-ms", c.time_ms, "event time, ms since the epoch (default: now)");

  auto* lookup = app.add_subcommand("lookup", "show a card's balances and tier");
  lookup->add_option("--card", c.card, "card number")->required();
  RedisLookup via;
  bool use_redis = false;
  auto* via_redis = lookup->add_flag("--via-redis", use_redis,
                                     "read the profile snapshot from Redis, not from the server");
  lookup->add_option("--redis", via.address, "with --via-redis: HOST:PORT (default 127.0.0.1:6379)")
      ->needs(via_redis);
  lookup
      ->add_option("--redis-prefix", via.key_prefix,
                   "with --via-redis: the key prefix (default loyalty:)")
      ->needs(via_redis);

  std::string data_dir;
  auto* check =
      app.add_subcommand("check", "verify a stopped server's database: balance = sum of ledger");
  check->add_option("--data-dir", data_dir, "the database directory")->required();
  auto* rules = app.add_subcommand("rules", "work with rules files");
  rules->require_subcommand(1);
  std::vector<std::string> rule_files;
  auto* validate =
      rules->add_subcommand("validate", "check rules files; every mistake with file:line:column");
  validate->add_option("files", rule_files, "rules files")->required();
  loyalty::cli::PublishOptions publish;
  AddPublishCommands(rules, publish);

  ReplayOptions replay;
  auto* replay_cmd = AddReplayCommand(app, replay);
  SimulateOptions simulate;
  auto* simulate_cmd = AddSimulateCommand(*rules, simulate);
  ReportOptions report;
  const ReportCommands reports = AddReportCommands(app, report);
  BackupOptions backup;
  AddBackupCommands(app, backup);
  HistoryOptions history;
  auto* history_cmd = AddHistoryCommand(app, history);
  loyalty::cli::EventsOptions events;
  AddEventsCommands(app, events);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Prints help or the mistake; any mistake is bad usage (exit 2, as documented).
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (simulate_cmd->parsed()) {
    simulate.json = c.json;
    return RunSimulate(simulate);
  }
  events.json = c.json;
  events.timeout_ms = c.timeout_ms;
  if (int code = RunEvents(events); code >= 0) return code;
  if (history_cmd->parsed()) {
    history.json = c.json;
    history.timeout_ms = c.timeout_ms;
    return RunHistory(history);
  }
  report.json = c.json;
  if (const std::string name = reports.Chosen(); !name.empty()) return RunReport(name, report);
  if (int code = credentials.Run(c.json); code >= 0) return code;
  if (replay_cmd->parsed()) {
    replay.server = c.server;
    replay.timeout_ms = std::max<int64_t>(c.timeout_ms, 30000);
    auto channel = MakeClientOptions(c.channel, replay.timeout_ms);
    if (!channel.ok()) {
      std::cerr << "loyalty replay: " << channel.status().message() << "\n";
      return 2;
    }
    replay.client = *channel;
    return RunReplay(replay, c.json);
  }
  if (check->parsed()) return RunCheck(data_dir, c.json);
  backup.json = c.json;
  if (int code = RunBackupCommands(backup); code >= 0) return code;
  if (validate->parsed()) return RunRulesValidate(rule_files, c.json);
  publish.json = c.json;
  publish.timeout_ms = c.timeout_ms;
  if (int code = RunPublish(publish); code >= 0) return code;
  if (enroll->parsed()) {
    loyalty::v1::Request r;
    r.mutable_enroll()->set_card(c.card);
    r.mutable_enroll()->set_customer_id(c.customer_id);
    r.mutable_enroll()->set_birthday(c.birthday);
    if (!c.consent.empty()) r.mutable_enroll()->set_marketing_consent(c.consent == "yes");
    r.mutable_enroll()->set_link_to_card(c.link_to);
    return Send(c, r);
  }
  if (purchase->parsed()) return Send(c, BuildPurchase(c));
  if (ret->parsed()) return Send(c, BuildReturn(c));
  if (redeem->parsed()) return Send(c, BuildRedeem(c));
  if (cancel->parsed()) return Send(c, BuildCancelRedeem(c));
  if (adjust->parsed()) return Send(c, BuildAdjust(c));
  if (feedback->parsed()) return Send(c, BuildFeedback(c));
  if (consent->parsed()) return Send(c, BuildConsent(c));
  if (use_redis) {
    via.card = c.card;
    via.timeout_ms = c.timeout_ms;
    via.json = c.json;
    return LookupViaRedis(via);
  }
  loyalty::v1::Request r;
  r.mutable_lookup()->set_card(c.card);
  return Send(c, r);
}
