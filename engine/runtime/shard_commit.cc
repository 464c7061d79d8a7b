// The committer's half of a shard (shard.h): it makes each decided group
// durable, then answers it, updates the committed view, tells the listener,
// and releases the group's claims (sending the copies that waited home).
#include <set>

#include "engine/runtime/shard.h"

namespace loyalty {

void Shard::RunCommits() {
  while (true) {
    Group group;
    {
      std::unique_lock lock(mu_);
      commit_ready_.wait(lock, [&] { return !to_commit_.empty() || committer_stop_; });
      if (to_commit_.empty()) return;
      group = std::move(to_commit_.front());
      to_commit_.pop_front();
    }
    CommitAndAnswer(group);
  }
}

void Shard::CommitAndAnswer(Group& group) {
  CommitGroup(group);
  {
    std::lock_guard lock(mu_);
    inflight_ -= 1;
    committed_seqs_.push_back(group.seq);
  }
  ready_.notify_one();
}

// Committer thread: makes `group` durable (or fails it), then answers it.
void Shard::CommitGroup(Group& group) {
  bool committed = true;
  std::string failure;  // why: every answer of the group, and its copies
  if (group.failures_seen != failures_.load()) {
    // Decided on top of a group whose commit failed: its states may not
    // exist. Nothing of it is written.
    committed = false;
    failure = last_failure_;
  } else if (!group.batch->empty()) {
    const auto commit_start = std::chrono::steady_clock::now();
    const Status s = ctx_.store.Commit(*group.batch);
    committed = s.ok();
    if (observer_) {
      observer_->OnCommit(group.owed.size(),
                          (std::chrono::steady_clock::now() - commit_start).count());
    }
    counters_.groups += 1;
    counters_.grouped_events += group.owed.size();
    if (!committed) {
      counters_.commit_failures += 1;
      // A failed fsync may still leave the write on disk: the outcome is
      // unknown, and only a retry with the same transaction id is safe.
      last_failure_ = "the store could not commit: " + s.message() +
                      "; the outcome is unknown, retry with the same transaction id";
      failure = last_failure_;
      failures_ += 1;  // the shard thread forgets its memory before its next group
    }
  }
  if (!committed) {
    {
      // What the view holds for these cards may be stale now: reload it.
      std::lock_guard lock(view_mu_);
      for (const auto& c : group.changed) committed_.erase(c.card);
    }
    // Every answer of the group may have read what failed to commit (a
    // lookup or a replay after a write), so none of them stands.
    for (Owed& o : group.owed)
      o.answer = Answer::Error(o.answer.request_id, AnswerKind::kUnavailable, "", failure);
  } else if (!group.changed.empty()) {
    {
      std::lock_guard lock(view_mu_);
      for (const auto& c : group.changed) {
        if (c.state) {
          committed_[c.card] = c.state;
        } else {
          committed_.erase(c.card);  // retired: nobody's from now on
        }
      }
    }
    if (on_commit_) {
      std::set<std::string> told;
      for (auto it = group.changed.rbegin(); it != group.changed.rend(); ++it) {
        if (told.insert(it->card).second && it->state) on_commit_(*it->state, it->at);
      }
    }
  }
  for (Owed& o : group.owed) {
    if (!o.claimed_txn.empty()) {
      SendHome(ctx_.claims.Release(o.claimed_txn), committed ? nullptr : &failure);
    }
    if (!o.extra_claim.empty()) (void)ctx_.claims.Release(o.extra_claim);  // nobody waits
    Answered(o);
  }
}

void Shard::Answered(Owed& o) {
  if (!o.reply) return;  // a sweep, or a copy now waiting on a claim: no answer yet
  if (observer_) {
    observer_->OnEvent(o.kind, AnswerLabel(o.answer),
                       (std::chrono::steady_clock::now() - o.accepted).count());
  }
  o.reply(std::move(o.answer));
}

// Copies that waited on a claim this shard just released. After a commit
// they go back to their own shard and are decided again: they read the
// stored record and replay it (or are refused as a different payload); if
// nothing was stored (a refusal leaves no record), the first of them decides
// afresh. After a failed commit (`failure`) they share the group's fate: the
// same UNAVAILABLE, outcome unknown, retry with the same transaction id.
void Shard::SendHome(std::vector<WaitingCopy> copies, const std::string* failure) {
  for (WaitingCopy& c : copies) {
    if (!failure && c.home->Requeue(std::move(c.work))) continue;
    // Failed, or the copy's shard has finished (only while stopping).
    Owed o;
    o.reply = std::move(c.work.answer);
    o.kind = c.work.event.kind;
    o.accepted = c.work.accepted;
    o.answer = Answer::Error(
        c.work.request_id, AnswerKind::kUnavailable, "",
        failure ? *failure : "the engine is stopping; retry with the same transaction id");
    Answered(o);
  }
}

}  // namespace loyalty
