// watchline user add|passwd|del|list: manages the operator server's users in
// the site's store. The first admin is made here; there is no default
// password anywhere. Passwords come from a terminal prompt (not echoed) or,
// for scripts, one line on stdin with --password-stdin; never from argv,
// where other users could read them in the process list.
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "base/clock.h"
#include "cli/commands.h"
#include "config/config.h"
#include "server/auth.h"
#include "store/sqlite_store.h"

namespace watchline::cli {

Result<std::unique_ptr<store::Store>> OpenSiteStore(const std::string& config_path,
                                                    const std::string& data_dir) {
  std::string dir = data_dir;
  if (!config_path.empty()) {
    auto cfg = config::LoadConfig(config_path);
    if (!cfg.ok()) return cfg.status();
    dir = cfg->site.data_dir;
  }
  if (dir.empty()) return Status::InvalidArgument("give --config FILE or --data-dir DIR");
  return store::OpenSqliteStore((std::filesystem::path(dir) / "watchline.db").string());
}

void AddStoreOptions(CLI::App* cmd, std::string* config_path, std::string* data_dir) {
  auto* c = cmd->add_option("--config", *config_path, "site config (its site.data_dir holds the store)");
  auto* d = cmd->add_option("--data-dir", *data_dir, "the data_dir holding watchline.db (e.g. ./var/demo)");
  c->excludes(d);
}

namespace {

struct UserArgs {
  std::string config_path, data_dir, name, role = "viewer";
  bool password_stdin = false;
};

Result<std::string> ReadPassword(bool from_stdin) {
  std::string pw;
  if (from_stdin) {
    if (!std::getline(std::cin, pw)) return Status::InvalidArgument("no password on stdin");
    if (!pw.empty() && pw.back() == '\r') pw.pop_back();
    return pw;
  }
  if (!isatty(STDIN_FILENO))
    return Status::InvalidArgument("stdin is not a terminal: use --password-stdin");
  auto prompt = [](const char* what) -> std::string {
    std::fprintf(stderr, "%s", what);
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::string s;
    std::getline(std::cin, s);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
    return s;
  };
  pw = prompt("password: ");
  if (prompt("again: ") != pw) return Status::InvalidArgument("the passwords differ");
  return pw;
}

void Audit(store::Store* st, const std::string& action, const std::string& target,
           const std::string& detail) {
  store::AuditEntry a;
  a.wall = Clock::Real()->WallNow();
  const passwd* pw = getpwuid(geteuid());
  a.actor = std::string("cli:") + (pw ? pw->pw_name : std::to_string(geteuid()));
  a.action = action;
  a.target = target;
  a.detail = detail;
  if (Status s = st->AppendAudit(&a); !s.ok()) PrintError("audit log: " + s.ToString());
}

int Fail(const Status& s) {
  PrintError(s.message());
  return s.ExitCode();
}

int RunUser(const std::string& verb, const UserArgs& a) {
  auto st = OpenSiteStore(a.config_path, a.data_dir);
  if (!st.ok()) return Fail(st.status());
  store::Store* db = st->get();
  if (verb == "list") {
    auto users = db->ListUsers();
    if (!users.ok()) return Fail(users.status());
    for (const auto& u : *users) std::printf("%-24s %s\n", u.name.c_str(), u.role.c_str());
    return 0;
  }
  if (verb == "del") {
    if (Status s = db->DeleteUser(a.name); !s.ok()) return Fail(s);
    Audit(db, "user_del", a.name, "");
    std::fprintf(stderr, "watchline: user %s deleted; its sessions and tokens are revoked\n",
                 a.name.c_str());
    return 0;
  }
  if (!server::ParseRole(a.role)) return Fail(Status::InvalidArgument("--role must be viewer, operator or admin"));
  auto pw = ReadPassword(a.password_stdin);
  if (!pw.ok()) return Fail(pw.status());
  auto hash = server::HashPassword(*pw);
  if (!hash.ok()) return Fail(hash.status());
  if (verb == "add") {
    store::User u{a.name, a.role, *hash, Clock::Real()->WallNow()};
    if (Status s = db->CreateUser(u); !s.ok()) return Fail(s);
    Audit(db, "user_add", a.name, "{\"role\":\"" + a.role + "\"}");
    std::fprintf(stderr, "watchline: user %s added (%s)\n", a.name.c_str(), a.role.c_str());
    return 0;
  }
  // passwd
  auto u = db->GetUser(a.name);
  if (!u.ok()) return Fail(u.status());
  u->pw_hash = *hash;
  if (Status s = db->UpdateUser(*u); !s.ok()) return Fail(s);
  (void)db->RevokeUserCredentials(a.name);
  Audit(db, "user_change", a.name, "{\"password\":\"changed\"}");
  std::fprintf(stderr, "watchline: password of %s changed; its sessions and tokens are revoked\n",
               a.name.c_str());
  return 0;
}

}  // namespace

void RegisterUser(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("user", "Manage the users of the web UI and API");
  cmd->require_subcommand(1);
  for (const char* verb : {"add", "passwd", "del", "list"}) {
    const std::string v = verb;
    auto a = std::make_shared<UserArgs>();
    auto* sub = cmd->add_subcommand(
        v, v == "add"      ? "Add a user (the password is prompted, or read with --password-stdin)"
           : v == "passwd" ? "Change a user's password (revokes its sessions and tokens)"
           : v == "del"    ? "Delete a user (revokes its sessions and tokens)"
                           : "List users and roles");
    AddStoreOptions(sub, &a->config_path, &a->data_dir);
    if (v != "list") sub->add_option("name", a->name, "user name")->required();
    if (v == "add")
      sub->add_option("--role", a->role, "viewer, operator or admin")
          ->check(CLI::IsMember({"viewer", "operator", "admin"}))
          ->capture_default_str();
    if (v == "add" || v == "passwd")
      sub->add_flag("--password-stdin", a->password_stdin, "read the password as one line from stdin");
    sub->callback([v, a, exit_code] { *exit_code = RunUser(v, *a); });
  }
}

}  // namespace watchline::cli
