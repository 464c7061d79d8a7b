// The load driver: C connections to a running loyaltyd on one thread
// (Boost.Asio), in one of two shapes:
//   closed loop: each connection keeps `depth` requests in flight and sends
//     the next when a reply comes (finds the maximum rate);
//   open loop: requests leave on a fixed schedule at `rate` per second and
//     latency counts from the intended send time, so a server that falls
//     behind shows it as latency instead of hiding it (no coordinated omission).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/bench/credentials.h"
#include "tools/bench/histogram.h"
#include "tools/bench/workload.h"

namespace loyalty::bench {

struct PhaseOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7070;
  bool open_loop = false;
  std::size_t connections = 16;
  std::size_t depth = 8;  // closed loop: in flight per connection
  double rate = 1000;     // open loop: requests per second, all connections
  double seconds = 10;
  // Fill mode: one purchase for each customer index in [0, fill_customers)
  // instead of the workload's mix (closed loop).
  std::size_t fill_customers = 0;
  // The secure channel (docs/PROTOCOL.md). A CA file: TLS, the server's
  // certificate verified against it for `server_name`; empty: plain TCP.
  std::string ca_file;
  std::string server_name = "localhost";
  // Not empty: every connection first sends a Hello with credentials[i % n]
  // and waits for the Welcome. The handshakes happen before the clock starts.
  std::vector<Credential> credentials;
};

struct PhaseResult {
  double seconds = 0;  // from first send to last reply
  uint64_t sent = 0;
  uint64_t answered = 0;
  uint64_t errors = 0;        // error replies (not refusals)
  uint64_t failed = 0;        // connection failures / unanswered at the end
  std::string connect_error;  // the first connection failure, if any
  Histogram all;
  std::array<Histogram, kKinds> by_kind;
  std::map<std::string, uint64_t> outcomes;  // "applied", "INSUFFICIENT_POINTS", "OVERLOADED"...
  double rate() const { return seconds > 0 ? static_cast<double>(answered) / seconds : 0; }
};

PhaseResult RunPhase(const PhaseOptions& options, Workload& workload);

}  // namespace loyalty::bench
