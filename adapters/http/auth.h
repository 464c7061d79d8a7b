// Who may do what on the admin API. A caller sends `Authorization: Bearer
// SECRET`; the secret maps to a named principal with one role:
//   viewer     reads rule sets, customers (search and ledger statements
//              too), the audit log, reports, backups' state
//   cashier    looks up customers only, and sees card numbers masked
//   editor     viewer's reads (but customers), uploads rule-set drafts
//   publisher  editor's rights, and activates and rolls back rule sets, but
//              not a draft they uploaded themselves (four eyes); recomputes
//              the RFM quantiles
//   admin      everything, adjustments of points and starting backups included
// Thread safety: immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/net/verifier.h"

namespace loyalty::http {

enum class Role { kViewer, kCashier, kEditor, kPublisher, kAdmin };
enum class Permission {
  kSignedIn,  // any role: who am I, sign out
  kRulesRead,
  kRulesDraft,
  kRulesPublish,
  kCustomersRead,
  kCustomersStory,  // search customers, read their ledger statement: not a cashier
  kCustomersAdjust,
  kAuditRead,
  kReportsRead,
  kRfmRecompute,      // changes the RFM scores decisions see: publishers and admins
  kBackupsRead,       // the last backup, a running one
  kBackupsRun,        // start a backup (writes where it is told): admins only
  kEventsRead,        // events out: what waits, the dead letters (they name customers)
  kEventsRedeliver,   // the dead letters back into the outbox: admins only
  kCustomersExport,   // everything held about a customer (GDPR): admins only
  kCustomersConsent,  // record a customer's yes or no to marketing: admins only
  kCustomersErase,    // erase a customer's personal data (GDPR art. 17): admins only
  kClusterHandover,   // a replicated group's primary hands over to a standby: admins only
};

std::optional<Role> ParseRole(std::string_view name);
const char* RoleName(Role role);
const char* PermissionName(Permission permission);
bool Allows(Role role, Permission permission);
// Every permission's short key ("rules.read") and whether `role` has it, for
// the console to show what the person may do.
std::vector<std::pair<const char*, bool>> PermissionsOf(Role role);

struct Principal {
  std::string name;
  Role role = Role::kViewer;
};

// A token as the server keeps it: the SHA-256 of its secret, never the
// secret itself (adapters/net/verifier.h).
struct TokenEntry {
  std::string name;
  Role role = Role::kViewer;
  net::Digest verifier{};
};

class TokenTable {
 public:
  explicit TokenTable(std::vector<TokenEntry> entries) : entries_(std::move(entries)) {}
  // The principal whose verifier is `secret`'s SHA-256, compared in constant
  // time with every entry.
  std::optional<Principal> Find(std::string_view secret) const;
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<TokenEntry> entries_;
};

// "4242424242424242" -> "************4242": personal data stays out of logs
// and out of a cashier's screen.
std::string MaskCard(std::string_view card);

}  // namespace loyalty::http
