// Work: one accepted request (or one customer's sweep) on its way through a
// shard.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/event.h"
#include "engine/rfm.h"
#include "engine/rules.h"
#include "engine/runtime/answer.h"

namespace loyalty {

// A shard parked between groups for a change that spans shards (a merge):
// Shard::Pause. The shard waits until `released`, then drops what it holds
// for the `forget` keys (the store has newer states for them).
struct ShardPause {
  std::mutex mu;
  std::condition_variable cv;
  bool parked = false;
  bool released = false;
  std::vector<std::string> forget;
  void Release(std::vector<std::string> keys) {
    {
      std::lock_guard lock(mu);
      forget = std::move(keys);
      released = true;
    }
    cv.notify_all();
  }
};

struct Work {
  uint64_t request_id = 0;
  Event event;
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const RfmQuantiles> rfm;  // null: none computed yet
  TimeMs now_ms = 0;
  AnswerFn answer;              // null for a sweep
  CommitRecordsFn with_commit;  // optional: records written in the decision's batch
  bool sweep = false;           // the periodic sweep of event.card's customer (no answer owed)
  // The card the customer is held under in the shards: their route card
  // (RouteCard), which decides the shard; event.card until known better.
  std::string key;
  std::shared_ptr<ShardPause> pause;               // not an event: park the shard (Shard::Pause)
  std::chrono::steady_clock::time_point accepted;  // set when an observer wants latency
};

}  // namespace loyalty
