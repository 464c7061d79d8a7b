// The ZooKeeper C client's log lines, filtered (client_log.cc): its INFO
// lines dropped, a warning or error from one place at most once per 10 s.
// Thread safety: any thread (process-wide state under a mutex).
#pragma once

namespace loyalty::zk {

// The log callback handed to zookeeper_init2.
void ClientLog(const char* message);

}  // namespace loyalty::zk
