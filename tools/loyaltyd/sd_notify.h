// systemd readiness (Type=notify) without libsystemd: when started by
// systemd, NOTIFY_SOCKET names a unix datagram socket; "READY=1" there says
// the store is open and the listener bound, "STOPPING=1" that draining began.
// Without NOTIFY_SOCKET these do nothing. Failures are ignored: readiness is a
// courtesy to the service manager, never a reason to stop serving.
#pragma once

#include <string_view>

namespace loyalty {

void NotifyServiceManager(std::string_view state);

}  // namespace loyalty
