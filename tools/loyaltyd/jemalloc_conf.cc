// jemalloc's options for loyaltyd, read by jemalloc at start (it looks up
// this symbol). Freed memory goes back to the system within about a second,
// by a background thread rather than on the next allocation, so a burst
// (1,000 registers that stop reading) does not leave the RSS high once it
// is over (RegisterChannelTest.ClientsThatNeverReadKeepMemoryBounded...).
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's.
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:1000";
}
