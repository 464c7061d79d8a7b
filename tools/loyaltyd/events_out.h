// Events out as the configuration asks (docs/EVENTS.md "Events out"): the
// sinks (a signed webhook, a Redis stream), the event types the runtime
// stages, and the dispatcher that delivers them.
//
// Thread safety: a function, called once at startup.
#pragma once

#include <memory>

#include "adapters/rocksdb/store.h"
#include "adapters/yaml/config_file.h"
#include "engine/runtime/runtime.h"
#include "tools/wiring/outbox_dispatcher.h"

namespace loyalty {

// Sets runtime.outbox_types and outbox_source; the dispatcher, not started,
// or null when no sink is configured. Fails on a secret file that cannot be
// read or is too short.
Result<std::unique_ptr<OutboxDispatcher>> MakeOutbox(const config_file::Config& config,
                                                     Store& store, RuntimeOptions& runtime);

}  // namespace loyalty
