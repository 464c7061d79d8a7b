// Background threads: the work a server does beside the sales (the reports'
// keeper, the RFM job, the admin worker, backups, outbox delivery). Each
// calls YieldToSales() first, so that when both want the CPU the sales win:
// a report or an RFM run reads every customer (about 0.5 s of CPU for
// 100,000), and at the same priority it would stand in the tills' queue.
#pragma once

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace loyalty {

// CFS gives a nice-10 thread about a tenth of a contended CPU against a
// nice-0 one, and all of an idle one.
inline constexpr int kBackgroundNice = 10;

// Lowers the calling thread's priority (Linux: nice is per thread). Best
// effort: where it cannot be set, the work just competes as an equal.
inline void YieldToSales(int nice = kBackgroundNice) {
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), nice);
}

}  // namespace loyalty
