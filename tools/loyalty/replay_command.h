// loyalty replay: the real data set (UCI Online Retail, tools/replay) sent
// invoice by invoice to a running loyaltyd over TCP, the way a register
// would, and a summary of what the engine said.
//
//   loyalty replay --csv ../shared/data/online_retail_uci_2010-2011.csv.gz
//                  --server 127.0.0.1:7070 [--window 48] [--json]
//
// One invoice = one purchase for card = CustomerID; a cancellation = one
// return per purchase its lines were matched to (tools/replay/requests.h).
// The reader's rules for odd rows apply (tools/replay/retail_csv.h); nothing
// in the file makes it crash.
//
// Requests are pipelined on one connection, `window` in flight. The server
// handles a card's requests in the order they arrive on a connection, so a
// return never overtakes the purchase it names. Replies OVERLOADED or
// UNAVAILABLE (retry later) are sent again after a pause, up to
// kResendsMax times; anything else is counted by its code.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <string>

#include "adapters/net/client.h"
#include "engine/status.h"
#include "tools/replay/requests.h"
#include "tools/replay/retail_csv.h"

namespace loyalty::cli {

struct ReplayOptions {
  std::string csv;
  std::string server = "127.0.0.1:7070";
  std::size_t window = 48;  // requests in flight; the server allows 64 per connection
  int64_t timeout_ms = 30000;
  net::ClientOptions client;  // TLS and credential (timeout_ms set from the above)
  std::string txn_prefix;     // prepended to every transaction id ("" = invoice numbers)
};

struct ReplaySummary {
  replay::Counts csv;                           // rows read, skipped and why
  replay::RequestCounts made;                   // purchases, returns, unmatched return lines
  uint64_t sent = 0;                            // events sent (resends not counted)
  uint64_t accepted = 0;                        // APPLIED
  uint64_t resends = 0;                         // OVERLOADED / UNAVAILABLE sent again
  std::map<std::string, uint64_t> refused;      // outcome or error code -> count
  std::map<std::string, std::string> examples;  // code -> the first message seen
  double seconds = 0;                           // from the first send to the last reply
  double events_per_second() const { return seconds > 0 ? sent / seconds : 0; }
};

// Replays the whole file and prints the summary (text, or one JSON object).
// Exit code: 0 every event was answered, whatever the answer; 2 the file
// cannot be read; 3 the server cannot be reached or stopped answering.
int RunReplay(const ReplayOptions& options, bool json);

// The replay itself, on an open file and connection. Fails only when the
// connection fails (the status says how).
Result<ReplaySummary> Replay(replay::RetailCsv& csv, net::Client& client,
                             const ReplayOptions& options);
int PrintReplaySummary(const ReplaySummary& summary, bool json);

// Adds `replay` and its flags to `app`, filling `options`.
CLI::App* AddReplayCommand(CLI::App& app, ReplayOptions& options);

}  // namespace loyalty::cli
