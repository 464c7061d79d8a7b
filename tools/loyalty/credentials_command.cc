#include "tools/loyalty/credentials_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/net/credentials.h"

namespace loyalty::cli {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `text` to `path` (mode 0600) through a temporary file and a rename,
// so loyaltyd never reads half a file.
bool WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

int Fail(const std::string& message) {
  std::cerr << "loyalty credentials: " << message << "\n";
  return 1;
}

}  // namespace

CredentialsCommand::CredentialsCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("credentials", "register credentials (the registers file)");
  cmd->require_subcommand(1);
  add_ = cmd->add_subcommand("add",
                             "make a credential: its verifier in the registers file, "
                             "its secret in OUT/KEY_ID.key (0600)");
  revoke_ = cmd->add_subcommand("revoke", "revoke a credential (then SIGHUP loyaltyd)");
  list_ = cmd->add_subcommand("list", "list the credentials (never their secrets)");
  for (CLI::App* c : {add_, revoke_, list_}) {
    c->add_option("--registers", registers_, "the registers file loyaltyd reads")->required();
  }
  for (CLI::App* c : {add_, revoke_}) {
    c->add_option("--key-id", key_id_, "the credential's public name, e.g. S1-R1")->required();
  }
  add_->add_option("--kind", kind_, "register (default) or operator")
      ->check(CLI::IsMember({"register", "operator"}));
  add_->add_option("--store", store_, "the store of the register");
  add_->add_option("--register", register_id_, "the register");
  add_->add_option("--out", out_, "folder of the KEY_ID.key file (default: .)");
}

int CredentialsCommand::Run(bool json) {
  if (!add_->parsed() && !revoke_->parsed() && !list_->parsed()) return -1;
  const std::string before = ReadAll(registers_);
  auto book = net::CredentialBook::Parse(before, registers_);
  if (!book.ok()) return Fail(book.status().message());
  if (list_->parsed()) {
    std::istringstream in(before);
    nlohmann::json all = nlohmann::json::array();
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line.substr(0, line.find('#')));
      std::string id, kind, store, reg, verifier, state;
      if (!(words >> id >> kind >> store >> reg >> verifier)) continue;
      words >> state;
      if (json) {
        all.push_back({{"key_id", id},
                       {"kind", kind},
                       {"store", store},
                       {"register", reg},
                       {"revoked", state == "revoked"}});
      } else {
        std::cout << id << "  " << kind << "  store " << store << "  register " << reg
                  << (state == "revoked" ? "  REVOKED" : "") << "\n";
      }
    }
    if (json) std::cout << all.dump() << "\n";
    return 0;
  }
  if (revoke_->parsed()) {
    if ((*book)->Find(key_id_) == nullptr) return Fail("no credential " + key_id_);
    if ((*book)->Find(key_id_)->revoked) {
      std::cout << key_id_ << " is revoked already\n";
      return 0;
    }
    std::istringstream in(before);
    std::string after;
    for (std::string line; std::getline(in, line);) {
      const std::size_t hash = line.find('#');
      std::string data = line.substr(0, hash);
      std::istringstream words(data);
      std::string first;
      words >> first;
      if (first == key_id_) {  // "revoked" goes after the verifier, before any comment
        while (!data.empty() && (data.back() == ' ' || data.back() == '\t')) data.pop_back();
        line = data + " revoked" + (hash == std::string::npos ? "" : "  " + line.substr(hash));
      }
      after += line + "\n";
    }
    auto check = net::CredentialBook::Parse(after, registers_);
    if (!check.ok() || !(*check)->Find(key_id_)->revoked) {
      return Fail("could not mark " + key_id_ + " revoked in " + registers_);
    }
    if (!WriteAtomically(registers_, after)) return Fail("cannot write " + registers_);
    std::cout << "revoked " << key_id_ << "; send SIGHUP to loyaltyd to apply it now\n";
    return 0;
  }
  if ((*book)->Find(key_id_) != nullptr) return Fail("credential " + key_id_ + " exists already");
  const bool op = kind_ == "operator";
  const std::string store = op ? "*" : store_;
  const std::string reg = op ? "*" : register_id_;
  if (!op && (store_.empty() || register_id_.empty())) {
    return Fail("a register credential needs --store and --register");
  }
  auto secret = net::MakeSecret();
  if (!secret.ok()) return Fail(secret.status().message());
  const std::string line =
      key_id_ + " " + kind_ + " " + store + " " + reg + " " + net::VerifierText(*secret) + "\n";
  std::string after = before;
  if (after.empty()) after = "# key_id kind store register verifier [revoked]\n";
  if (after.back() != '\n') after += "\n";
  after += line;
  if (auto check = net::CredentialBook::Parse(after, registers_); !check.ok()) {
    return Fail(check.status().message());
  }
  const std::string key_path = out_ + "/" + key_id_ + ".key";
  if (!WriteAtomically(key_path, key_id_ + ":" + *secret + "\n")) {
    return Fail("cannot write " + key_path);
  }
  if (!WriteAtomically(registers_, after)) return Fail("cannot write " + registers_);
  std::cout << "added " << key_id_ << " (" << kind_ << (op ? "" : ", store " + store) << "); "
            << "its secret is in " << key_path << " (mode 0600): give it to the till, then "
            << "send SIGHUP to a running loyaltyd\n";
  return 0;
}

}  // namespace loyalty::cli
