// loyalty-bench --outbox-cost: what the outbox and a webhook cost the sales
// (issue 15), measured so that the machine's drift cancels out. On a shared
// VM two runs of the same build a minute apart differ by up to a third, more
// than the effect, so the two servers run at once on the server's CPU, one
// without the outbox and one staging every event and POSTing it to a
// receiver the bench runs, and closed-loop phases go to each in turn (A B,
// then B A), the servers' background work settled before each. Each round's
// ratios are printed, then their medians and the medians of all phases.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "tools/bench/phase_kit.h"
#include "tools/bench/rounds.h"
#include "tools/bench/webhook_receiver.h"

namespace loyalty::bench {
namespace {

double P99(const Measured& m) { return Ms(m.r.all.Quantile(0.99)); }
double Change(double with, double without) { return without > 0 ? RatioOf(with, without) - 1 : 0; }

}  // namespace

int RunOutboxCost(Options o) {
  const std::string dir = TempDir();
  Channel channel;
  if (!MakeChannel(dir, o.plaintext, &channel)) return 1;
  WebhookReceiver receiver(/*keep=*/false);
  receiver.Answer(204);
  auto plain = StartServer(o, dir, o.durability, channel, {}, "-plain");
  auto outbox = StartServer(o, dir, o.durability, channel,
                            WebhookConfig(dir, receiver.url(), o.webhook_events), "-outbox");
  if (!plain->ok() || !outbox->ok()) return 1;
  std::printf(
      "outbox cost: both servers on cpu %d, load and receiver on cpu %d, %zu customers, "
      "webhook_events %s, %d rounds of 2 x %.0f s\n",
      o.server_cpu, o.load_cpu, o.workload.customers, o.webhook_events.c_str(), o.rounds,
      o.phase.seconds);
  o.workload.stores_from_credential = true;
  Workload w(o.workload);
  PhaseOptions phase = Over(channel, o.phase);
  phase.open_loop = false;
  Fill(o, w, phase, plain->port());
  Fill(o, w, phase, outbox->port());
  std::vector<double> rate, p99, cpu;
  std::vector<Measured> all_plain, all_outbox;
  Server* const servers[2] = {plain.get(), outbox.get()};  // without, with
  AlternateRounds(
      o.rounds, phase, /*at_half=*/false, w, servers, {}, [&](int round, const RoundPair& r) {
        const Measured* m = r.at_max;
        rate.push_back(Change(m[1].r.rate(), m[0].r.rate()));
        p99.push_back(Change(P99(m[1]), P99(m[0])));
        cpu.push_back(Change(m[1].cpu_us_per_event, m[0].cpu_us_per_event));
        std::printf(
            "round %2d  without %6.0f/s p99 %6.2f ms %5.1f us/event | with %6.0f/s p99 %6.2f ms "
            "%5.1f us/event | %+6.1f%% events/s %+6.1f%% p99 %+6.1f%% cpu\n",
            round, m[0].r.rate(), P99(m[0]), m[0].cpu_us_per_event, m[1].r.rate(), P99(m[1]),
            m[1].cpu_us_per_event, 100 * rate.back(), 100 * p99.back(), 100 * cpu.back());
        all_plain.push_back(m[0]);
        all_outbox.push_back(m[1]);
      });
  auto median_of = [](const std::vector<Measured>& ms, double (*f)(const Measured&)) {
    std::vector<double> v;
    for (const Measured& m : ms) v.push_back(f(m));
    return Median(v);
  };
  const auto events_per_s = [](const Measured& m) { return m.r.rate(); };
  std::printf("medians of the rounds: %+.1f%% events/s, %+.1f%% p99, %+.1f%% cpu per event\n",
              100 * Median(rate), 100 * Median(p99), 100 * Median(cpu));
  std::printf("medians of all phases: %+.1f%% events/s, %+.1f%% p99\n",
              100 * Change(median_of(all_outbox, events_per_s), median_of(all_plain, events_per_s)),
              100 * Change(median_of(all_outbox, P99), median_of(all_plain, P99)));
  std::printf("ratio outbox_events_per_s_vs_without %.3f\n", 1 + Median(rate));
  std::printf("ratio outbox_p99_vs_without %.3f\n", 1 + Median(p99));
  Quiesce(outbox->pid());
  std::printf("webhook: %llu requests on %llu connections, %llu events\n",
              static_cast<unsigned long long>(receiver.count()),
              static_cast<unsigned long long>(receiver.connections()),
              static_cast<unsigned long long>(receiver.events()));
  plain->Stop();
  outbox->Stop();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace loyalty::bench
