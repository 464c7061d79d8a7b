#include "adapters/http/auth.h"

#include "engine/customer_state.h"

namespace loyalty::http {
namespace {

struct RoleName {
  Role role;
  const char* name;
};
constexpr RoleName kRoles[] = {{Role::kViewer, "viewer"},
                               {Role::kCashier, "cashier"},
                               {Role::kEditor, "editor"},
                               {Role::kPublisher, "publisher"},
                               {Role::kAdmin, "admin"}};

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& r : kRoles) {
    if (name == r.name) return r.role;
  }
  return std::nullopt;
}

const char* RoleName(Role role) {
  for (const auto& r : kRoles) {
    if (r.role == role) return r.name;
  }
  return "?";
}

const char* PermissionName(Permission p) {
  switch (p) {
    case Permission::kSignedIn: return "use the console";
    case Permission::kRulesRead: return "read rule sets";
    case Permission::kRulesDraft: return "upload rule sets";
    case Permission::kRulesPublish: return "activate rule sets";
    case Permission::kCustomersRead: return "look up customers";
    case Permission::kCustomersStory: return "search customers and read their ledger";
    case Permission::kCustomersAdjust: return "adjust points";
    case Permission::kAuditRead: return "read the audit log";
    case Permission::kReportsRead: return "read reports";
    case Permission::kRfmRecompute: return "recompute the RFM quantiles";
    case Permission::kBackupsRead: return "read the state of backups";
    case Permission::kBackupsRun: return "start backups";
    case Permission::kEventsRead: return "read the events out and their dead letters";
    case Permission::kEventsRedeliver: return "redeliver dead letters";
    case Permission::kCustomersExport: return "export everything held about a customer";
    case Permission::kCustomersConsent: return "record a customer's marketing consent";
    case Permission::kCustomersErase: return "erase a customer's personal data";
    case Permission::kClusterHandover: return "hand the primary over to a standby";
  }
  return "?";
}

bool Allows(Role role, Permission p) {
  using P = Permission;
  if (p == P::kSignedIn) return true;
  const bool reads =
      p == P::kRulesRead || p == P::kAuditRead || p == P::kReportsRead || p == P::kBackupsRead;
  switch (role) {
    case Role::kAdmin: return true;
    case Role::kViewer:
      return reads || p == P::kCustomersRead || p == P::kCustomersStory || p == P::kEventsRead;
    case Role::kCashier: return p == P::kCustomersRead;
    case Role::kEditor: return reads || p == P::kRulesDraft;
    case Role::kPublisher:
      return reads || p == P::kRulesDraft || p == P::kRulesPublish || p == P::kRfmRecompute;
  }
  return false;
}

std::vector<std::pair<const char*, bool>> PermissionsOf(Role role) {
  using P = Permission;
  static constexpr std::pair<P, const char*> kKeys[] = {{P::kRulesRead, "rules.read"},
                                                        {P::kRulesDraft, "rules.draft"},
                                                        {P::kRulesPublish, "rules.publish"},
                                                        {P::kCustomersRead, "customers.read"},
                                                        {P::kCustomersStory, "customers.story"},
                                                        {P::kCustomersAdjust, "customers.adjust"},
                                                        {P::kAuditRead, "audit.read"},
                                                        {P::kReportsRead, "reports.read"},
                                                        {P::kRfmRecompute, "rfm.recompute"},
                                                        {P::kBackupsRead, "backups.read"},
                                                        {P::kBackupsRun, "backups.run"},
                                                        {P::kEventsRead, "events.read"},
                                                        {P::kEventsRedeliver, "events.redeliver"},
                                                        {P::kCustomersExport, "customers.export"},
                                                        {P::kCustomersConsent, "customers.consent"},
                                                        {P::kCustomersErase, "customers.erase"},
                                                        {P::kClusterHandover, "cluster.handover"}};
  std::vector<std::pair<const char*, bool>> out;
  for (const auto& [p, key] : kKeys) out.emplace_back(key, Allows(role, p));
  return out;
}

std::optional<Principal> TokenTable::Find(std::string_view secret) const {
  const net::Digest digest = net::Sha256(secret);
  std::optional<Principal> found;
  for (const TokenEntry& e : entries_) {  // no early exit: the time says nothing
    if (net::SameDigest(e.verifier, digest)) found = Principal{e.name, e.role};
  }
  return found;
}

std::string MaskCard(std::string_view card) { return loyalty::MaskCard(card); }

}  // namespace loyalty::http
