#include "tools/loyaltyd/standby_lookups.h"

#include <chrono>
#include <filesystem>

#include "adapters/rocksdb/audit_log.h"
#include "adapters/rocksdb/rule_versions.h"
#include "engine/decide.h"
#include "engine/validate.h"
#include "proto/wire_codec.h"
#include "tools/loyaltyd/rules_publisher.h"
#include "tools/report/format.h"
#include "tools/wiring/rfm_job.h"

namespace loyalty {
namespace {

namespace fs = std::filesystem;

TimeMs WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string Unavailable(uint64_t request_id, const std::string& why) {
  return wire::ErrorReply(request_id, wire::MakeError(v1::UNAVAILABLE, "", why));
}

}  // namespace

StandbyLookups::StandbyLookups(StandbyLookupsOptions options) : options_(std::move(options)) {
  thread_ = std::thread([this] { CatchUpLoop(); });
}

StandbyLookups::~StandbyLookups() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void StandbyLookups::Open() {
  StoreOptions o;
  o.path = options_.data_dir;
  o.secondary_dir = (fs::path(options_.data_dir) / ".standby-reads").string();
  o.schema = SchemaPolicy::kAny;
  o.block_cache_bytes = 16 << 20;
  auto store = Store::Open(o);
  if (!store.ok()) {
    if (options_.warn) {
      options_.warn("standby lookups: cannot read the copy (" + store.status().message() +
                    "); lookups are sent to the primary");
    }
    return;
  }
  std::shared_ptr<Store> opened(std::move(*store));
  auto view = Refresh(opened, nullptr);
  std::lock_guard lock(mu_);
  store_ = opened;
  if (view.ok()) view_.store(*view);
  wake_.notify_all();
}

void StandbyLookups::Close() {
  std::lock_guard lock(mu_);
  store_.reset();
  view_.store(nullptr);  // lookups in flight keep theirs alive
}

bool StandbyLookups::ready() const { return view_.load() != nullptr; }

int64_t StandbyLookups::read_at_ms() const {
  const std::shared_ptr<const View> view = view_.load();
  return view ? view->read_at_ms : 0;
}

std::shared_ptr<const RuleSet> StandbyLookups::rules() const {
  const std::shared_ptr<const View> view = view_.load();
  return view ? view->rules : nullptr;
}

nlohmann::json StandbyLookups::Describe() const {
  const std::shared_ptr<const View> view = view_.load();
  if (!view) return {{"answering", false}};
  return {
      {"answering", true},
      {"applied_seq", view->applied_seq},
      {"primary_seq", view->primary_seq},
      {"read_at_ms", view->read_at_ms},
      {"read_at", report::IsoDateTime(view->read_at_ms, view->rules->program.utc_offset_minutes)},
      {"rules_version", view->rules->version}};
}

void StandbyLookups::CatchUpLoop() {
  std::unique_lock lock(mu_);
  std::string last_problem;
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.catch_up_ms));
    if (stop_ || !store_) continue;
    std::shared_ptr<Store> store = store_;
    lock.unlock();
    auto view = Refresh(store, view_.load());
    lock.lock();
    if (store_ != store) continue;  // closed meanwhile: that view is stale
    if (view.ok()) {
      view_.store(*view);
      last_problem.clear();
    } else if (view.status().message() != last_problem) {
      last_problem = view.status().message();
      if (options_.warn) options_.warn("standby lookups: catching up: " + last_problem);
    }
  }
}

Result<std::shared_ptr<const StandbyLookups::View>> StandbyLookups::Refresh(
    std::shared_ptr<Store> store, const std::shared_ptr<const View>& last) {
  auto seq = store->CatchUp();
  if (!seq.ok()) return seq.status();
  auto view = std::make_shared<View>();
  view->store = store;
  view->applied_seq = *seq;
  view->read_at_ms = WallMs();
  view->primary_seq = std::max(options_.primary_seq ? options_.primary_seq() : 0, *seq);
  if (last && last->store == store && last->applied_seq == *seq) {
    view->rules = last->rules;  // nothing written since
    view->rfm = last->rfm;
    view->budgets = last->budgets;
    return std::shared_ptr<const View>(view);
  }
  auto audit = AuditLog::Open(*store);
  if (!audit.ok()) return audit.status();
  RuleVersions versions(**audit);
  auto active = versions.Active();
  if (!active.ok()) return active.status();
  if (!active->has_value()) return Status::Unavailable("the copy has no rules in force yet");
  if (last && last->rules && last->rules->version == (*active)->version()) {
    view->rules = last->rules;
  } else {
    auto rules = ParseStoredRules(**active);
    if (!rules.ok()) return rules.status();
    view->rules = *rules;
  }
  auto rfm = ReadStoredRfm(*store);
  if (!rfm.ok()) return rfm.status();
  if (rfm->has_value()) view->rfm = std::make_shared<const RfmQuantiles>(**rfm);
  auto budgets = std::make_shared<BudgetsUsed>();
  Status s = store->ForEachBudgetUsed(
      [&](const std::string& id, uint32_t, int64_t used) { budgets->Add(id, used); });
  if (!s.ok()) return s;
  view->budgets = std::move(budgets);
  return std::shared_ptr<const View>(view);
}

void StandbyLookups::Handle(v1::Request request, ReplyFn reply) {
  const uint64_t id = request.request_id();
  const std::shared_ptr<const View> view = view_.load();
  if (!view) return reply(Unavailable(id, "this standby has no copy to read yet; retry"));
  Event event;
  if (auto error = wire::DecodeRequest(request, &event)) {
    return reply(wire::ErrorReply(id, std::move(*error)));
  }
  if (event.kind != EventKind::kLookup) {
    return reply(Unavailable(id, "a standby answers lookups only"));
  }
  const TimeMs now = WallMs();
  if (auto bad = ValidateEvent(event, *view->rules, now)) {
    return reply(wire::ErrorReply(
        id, wire::MakeError(v1::INVALID_FIELD, bad->field, bad->field + ": " + bad->reason)));
  }
  const auto unknown = [&] {
    reply(wire::ErrorReply(
        id, wire::MakeError(v1::UNKNOWN_CARD, "card", "card " + event.card + " is not enrolled")));
  };
  auto customer_id = view->store->GetCustomerIdForCard(event.card);
  if (!customer_id.ok()) return reply(Unavailable(id, customer_id.status().message()));
  if (!customer_id->has_value()) return unknown();
  auto state = view->store->GetCustomer(**customer_id);
  if (!state.ok()) return reply(Unavailable(id, state.status().message()));
  if (!state->has_value() || !HoldsCard(**state, event.card)) return unknown();
  const Profile profile =
      ViewProfile(**state, now, *view->rules, view->rfm.get(), view->budgets.get());
  v1::Reply r;
  r.set_request_id(id);
  *r.mutable_profile() = wire::EncodeProfile(profile, event.card);
  v1::ReplicaView* replica = r.mutable_profile()->mutable_replica();
  replica->set_node_id(options_.node_id);
  replica->set_applied_seq(view->applied_seq);
  replica->set_primary_seq(view->primary_seq);
  replica->set_read_at_ms(view->read_at_ms);
  reply(r.SerializeAsString());
}

}  // namespace loyalty
