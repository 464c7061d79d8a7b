#include "tools/bench/rounds.h"

#include <cstdio>
#include <filesystem>

namespace loyalty::bench {

double PurchaseP99(const Measured& m) { return Ms(m.r.by_kind[0].Quantile(0.99)); }

double RatioOf(double other, double base) { return base > 0 ? other / base : 0; }

void AlternateRounds(int rounds, const PhaseOptions& max, bool at_half, Workload& w,
                     Server* const servers[2], const std::vector<pid_t>& also,
                     const std::function<void(int round, const RoundPair&)>& each) {
  for (int round = 1; round <= rounds; ++round) {
    RoundPair m;
    for (int step = 0; step < (at_half ? 4 : 2); ++step) {
      const int which = (step + round) % 2;  // alternate, and the first of each round too
      Server& s = *servers[which];
      Quiesce(servers[0]->pid());
      Quiesce(servers[1]->pid());
      for (pid_t pid : also) Quiesce(pid);
      PhaseOptions p = max;
      p.port = s.port();
      if (step >= 2) {
        p.open_loop = true;
        p.rate = m.at_max[which].r.rate() / 2;
      }
      (step < 2 ? m.at_max : m.at_half)[which] = Measure(p, w, s.pid(), &s);
    }
    each(round, m);
    std::fflush(stdout);
  }
}

int RunVersus(Options o) {
  const std::string dir = TempDir();
  std::printf(
      "versus: this %s, other %s, both on cpu %d, load on cpu %d, %zu customers, %d rounds of "
      "4 x %.0f s\n",
      o.loyaltyd.c_str(), o.versus.c_str(), o.server_cpu, o.load_cpu, o.workload.customers,
      o.rounds, o.phase.seconds);
  o.workload.stores_from_credential = true;
  Channel channel;
  if (!MakeChannel(dir, o.plaintext, &channel)) return 1;
  Options other = o;
  other.loyaltyd = o.versus;
  auto a = StartServer(o, dir, o.durability, channel, {}, "-this");
  auto b = StartServer(other, dir, o.durability, channel, {}, "-other");
  if (!a->ok() || !b->ok()) return 1;
  PhaseOptions max = MaxPhase(o, channel);
  Workload fill = Only(o, "purchase=100", "f");
  Fill(o, fill, max, a->port());
  Fill(o, fill, max, b->port());
  Workload buy = Only(o, "purchase=100", "p");
  Server* const servers[2] = {a.get(), b.get()};
  std::vector<double> rate, p99, cpu_max, cpu_half;
  AlternateRounds(
      o.rounds, max, /*at_half=*/true, buy, servers, {}, [&](int round, const RoundPair& m) {
        rate.push_back(RatioOf(m.at_max[1].r.rate(), m.at_max[0].r.rate()));
        p99.push_back(RatioOf(PurchaseP99(m.at_half[1]), PurchaseP99(m.at_half[0])));
        cpu_max.push_back(RatioOf(m.at_max[1].cpu_us_per_event, m.at_max[0].cpu_us_per_event));
        cpu_half.push_back(RatioOf(m.at_half[1].cpu_us_per_event, m.at_half[0].cpu_us_per_event));
        for (int k = 0; k < 2; ++k) {
          std::printf(
              "round %2d %-5s max %6.0f/s %5.1f us/event | at half p99 %6.2f ms %5.1f us/event\n",
              round, k == 0 ? "this" : "other", m.at_max[k].r.rate(), m.at_max[k].cpu_us_per_event,
              PurchaseP99(m.at_half[k]), m.at_half[k].cpu_us_per_event);
        }
        std::printf("round %2d other/this: %.3f throughput, %.2f p99 at half, %.3f and %.3f cpu\n",
                    round, rate.back(), p99.back(), cpu_max.back(), cpu_half.back());
      });
  std::printf("ratio other_vs_this_throughput %.3f\n", Median(rate));
  std::printf("ratio other_vs_this_p99_at_half %.3f\n", Median(p99));
  std::printf("ratio other_vs_this_cpu_per_event_at_max %.3f\n", Median(cpu_max));
  std::printf("ratio other_vs_this_cpu_per_event_at_half %.3f\n", Median(cpu_half));
  a->Stop();
  b->Stop();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace loyalty::bench
