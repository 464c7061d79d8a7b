#include "tools/loyalty/replay_command.h"

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "adapters/net/client.h"
#include "engine/limits.h"
#include "tools/report/format.h"

namespace loyalty::cli {
namespace {

constexpr int kResendsMax = 20;
constexpr int64_t kResendPauseMs = 20;

struct InFlight {
  v1::Request request;
  int resends = 0;
};

// The pipelined sender: keeps up to `window` requests on the wire and counts
// each reply by its code.
class Sender {
 public:
  Sender(net::Client& client, std::size_t window, ReplaySummary& summary)
      : client_(client), window_(window), summary_(summary) {}

  Status Send(v1::Request request) {
    while (inflight_.size() >= window_) {
      if (Status s = ReceiveOne(); !s.ok()) return s;
    }
    request.set_request_id(next_id_++);
    if (request.ByteSizeLong() > limits::kFrameBytesMax) {
      // The server would close the connection on it: count it here instead.
      summary_.refused["NOT_SENT_FRAME_TOO_LARGE"] += 1;
      summary_.examples.emplace("NOT_SENT_FRAME_TOO_LARGE",
                                "a request over " + std::to_string(limits::kFrameBytesMax) +
                                    " bytes (an invoice with very many lines)");
      return Status::Ok();
    }
    summary_.sent += 1;
    return Put(InFlight{std::move(request), 0});
  }

  Status Drain() {
    while (!inflight_.empty()) {
      if (Status s = ReceiveOne(); !s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  Status Put(InFlight f) {
    const uint64_t id = f.request.request_id();
    if (Status s = client_.Send(f.request); !s.ok()) return s;
    inflight_.emplace(id, std::move(f));
    return Status::Ok();
  }

  Status ReceiveOne() {
    auto reply = client_.Receive();
    if (!reply.ok()) return reply.status();
    auto it = inflight_.find(reply->request_id());
    if (it == inflight_.end()) {
      return Status::Corruption("a reply to request " + std::to_string(reply->request_id()) +
                                " that was not sent");
    }
    InFlight f = std::move(it->second);
    inflight_.erase(it);
    if (reply->has_error() && IsRetryLater(reply->error().code()) && f.resends < kResendsMax) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kResendPauseMs));
      f.resends += 1;
      summary_.resends += 1;
      return Put(std::move(f));
    }
    Count(*reply);
    return Status::Ok();
  }

  static bool IsRetryLater(v1::ErrorCode code) {
    return code == v1::OVERLOADED || code == v1::UNAVAILABLE;
  }

  void Count(const v1::Reply& reply) {
    if (reply.has_decision() && reply.decision().outcome() == v1::APPLIED) {
      summary_.accepted += 1;
      return;
    }
    std::string code = "NO_ANSWER";
    std::string message;
    if (reply.has_decision()) {
      code = v1::Outcome_Name(reply.decision().outcome());
      message = reply.decision().message();
    } else if (reply.has_error()) {
      code = v1::ErrorCode_Name(reply.error().code());
      message = reply.error().message();
    }
    summary_.refused[code] += 1;
    summary_.examples.emplace(code, message);
  }

  net::Client& client_;
  std::size_t window_;
  ReplaySummary& summary_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, InFlight> inflight_;
};

}  // namespace

int RunReplay(const ReplayOptions& options, bool json) {
  auto csv = replay::RetailCsv::Open(options.csv);
  if (!csv.ok()) {
    std::cerr << "loyalty replay: " << csv.status().message() << "\n";
    return 2;
  }
  auto client = net::Client::Connect(options.server, options.client);
  if (!client.ok()) {
    std::cerr << "loyalty replay: " << client.status().message() << "\n";
    return 3;
  }
  auto summary = Replay(**csv, **client, options);
  if (!summary.ok()) {
    std::cerr << "loyalty replay: stopped: " << summary.status().message() << "\n";
    return 3;
  }
  return PrintReplaySummary(*summary, json);
}

Result<ReplaySummary> Replay(replay::RetailCsv& csv, net::Client& client,
                             const ReplayOptions& options) {
  ReplaySummary summary;
  replay::RequestMaker maker(options.txn_prefix);
  Sender sender(client, std::max<std::size_t>(options.window, 1), summary);
  const auto start = std::chrono::steady_clock::now();
  while (auto invoice = csv.Next()) {
    for (v1::Request& r : maker.For(*invoice)) {
      if (Status s = sender.Send(std::move(r)); !s.ok()) return s;
    }
  }
  if (Status s = sender.Drain(); !s.ok()) return s;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.csv = csv.counts();
  summary.made = maker.counts();
  return summary;
}

int PrintReplaySummary(const ReplaySummary& s, bool json) {
  uint64_t refused = 0;
  for (const auto& [code, n] : s.refused) refused += n;
  if (json) {
    nlohmann::json j = {{"rows", s.csv.rows},
                        {"anonymous_rows_skipped", s.csv.anonymous_rows},
                        {"lines_dropped", s.csv.dropped_lines},
                        {"adjustment_invoices_skipped", s.csv.adjustment_invoices},
                        {"malformed_rows", s.csv.malformed_rows},
                        {"invoices", s.csv.invoices},
                        {"purchases", s.made.purchases},
                        {"returns", s.made.returns},
                        {"unmatched_return_lines", s.made.unmatched_return_lines},
                        {"sent", s.sent},
                        {"accepted", s.accepted},
                        {"refused", refused},
                        {"refused_by_reason", s.refused},
                        {"refusal_examples", s.examples},
                        {"resends", s.resends},
                        {"seconds", s.seconds},
                        {"events_per_second", s.events_per_second()}};
    std::cout << j.dump() << "\n";
    return 0;
  }
  using report::Counted;
  std::cout << "read " << Counted(s.csv.rows, "row", "rows") << ": "
            << Counted(s.csv.invoices, "invoice", "invoices") << " ("
            << Counted(s.csv.cancellations, "cancellation", "cancellations") << "); skipped "
            << Counted(s.csv.anonymous_rows, "anonymous row", "anonymous rows") << ", "
            << Counted(s.csv.adjustment_invoices, "adjustment invoice", "adjustment invoices")
            << ", " << Counted(s.csv.malformed_rows, "malformed row", "malformed rows")
            << "; dropped " << Counted(s.csv.dropped_lines, "line", "lines")
            << " (non-product codes, quantity or price <= 0)\n"
            << "made " << Counted(s.made.purchases, "purchase", "purchases") << " and "
            << Counted(s.made.returns, "return", "returns") << "; "
            << Counted(s.made.unmatched_return_lines, "cancelled line matches",
                       "cancelled lines match")
            << " no earlier purchase (not sent)\n"
            << "sent " << Counted(s.sent, "event", "events") << ": " << report::Grouped(s.accepted)
            << " accepted, " << report::Grouped(refused) << " refused; "
            << report::Grouped(s.resends) << " resent after OVERLOADED/UNAVAILABLE\n";
  for (const auto& [code, n] : s.refused) {
    std::cout << "  " << code << ": " << n << " (e.g. " << s.examples.at(code) << ")\n";
  }
  std::printf("%.1f s, %s events/s\n", s.seconds,
              report::Grouped(static_cast<int64_t>(s.events_per_second() + 0.5)).c_str());
  return 0;
}

CLI::App* AddReplayCommand(CLI::App& app, ReplayOptions& o) {
  auto* cmd = app.add_subcommand(
      "replay", "send every invoice of the Online Retail data set to the server; print a summary");
  cmd->add_option("--csv", o.csv, "the data set, .csv or .csv.gz")->required();
  cmd->add_option("--window", o.window, "requests in flight (default 48)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--txn-prefix", o.txn_prefix,
                  "prepended to every transaction id (default: the invoice numbers)");
  return cmd;
}

}  // namespace loyalty::cli
