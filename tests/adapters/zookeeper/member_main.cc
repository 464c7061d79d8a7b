// zk_member: one election member in its own process, so a test can kill -9
// or SIGSTOP it like a real node. It appends to OUT_FILE, one line each:
//   joined
//   change ROLE EPOCH PRIMARY_NODE_ID T_NS    (on every change)
//   ack EPOCH T_NS                            (every 10 ms while IsPrimary())
// T_NS is CLOCK_MONOTONIC (steady_clock), the same clock in every process on
// the machine: an ack's time is read *before* IsPrimary() is asked, so it is
// no later than the moment the lease was found valid.
//
// usage: zk_member SERVERS NODE_ID ADDRESS SESSION_TIMEOUT_MS OUT_FILE
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "adapters/zookeeper/election.h"

namespace {

long long NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loyalty::zk;
  if (argc != 6) {
    std::fprintf(stderr, "usage: zk_member SERVERS NODE_ID ADDRESS SESSION_TIMEOUT_MS OUT_FILE\n");
    return 2;
  }
  std::FILE* out = std::fopen(argv[5], "a");
  if (out == nullptr) return 1;
  std::setvbuf(out, nullptr, _IOLBF, 0);
  ElectionOptions options;
  options.servers = argv[1];
  options.session_timeout_ms = std::stoi(argv[4]);
  auto election = Election::Join(options, {argv[2], argv[3]}, [out](const Leadership& l) {
    std::fprintf(out, "change %s %llu %s %lld\n", RoleName(l.role),
                 static_cast<unsigned long long>(l.epoch),
                 l.primary.holder ? l.primary.holder->node_id.c_str() : "-", NowNs());
  });
  if (!election.ok()) {
    std::fprintf(out, "error %s\n", election.status().ToString().c_str());
    return 1;
  }
  std::fprintf(out, "joined\n");
  while (true) {
    const long long t = NowNs();
    if ((*election)->IsPrimary()) {
      std::fprintf(out, "ack %llu %lld\n",
                   static_cast<unsigned long long>((*election)->Current().epoch), t);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}
