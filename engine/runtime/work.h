// Work: one accepted request (or one customer's sweep) on its way through a
// shard.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "engine/event.h"
#include "engine/rfm.h"
#include "engine/rules.h"
#include "engine/runtime/answer.h"

namespace loyalty {

struct Work {
  uint64_t request_id = 0;
  Event event;
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const RfmQuantiles> rfm;  // null: none computed yet
  TimeMs now_ms = 0;
  AnswerFn answer;              // null for a sweep
  CommitRecordsFn with_commit;  // optional: records written in the decision's batch
  bool sweep = false;           // the periodic sweep of event.card's customer (no answer owed)
  std::chrono::steady_clock::time_point accepted;  // set when an observer wants latency
};

}  // namespace loyalty
