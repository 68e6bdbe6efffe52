// watchline audit verify|list: checks the hash chain of the audit log, and
// prints it. verify exits 1 and names every row that was edited or deleted.
#include <cstdio>
#include <ctime>

#include "cli/commands.h"
#include "store/store.h"

namespace watchline::cli {
namespace {

struct AuditArgs {
  std::string config_path, data_dir;
  int64_t after = 0;
  int limit = 100;
};

int RunVerify(const AuditArgs& a) {
  auto st = OpenSiteStore(a.config_path, a.data_dir);
  if (!st.ok()) {
    PrintError(st.status().message());
    return st.status().ExitCode();
  }
  auto problems = store::VerifyAuditChain(st->get());
  if (!problems.ok()) {
    PrintError(problems.status().message());
    return 1;
  }
  auto last = (*st)->LastAuditId();
  if (problems->empty()) {
    std::printf("audit log intact: %lld rows, hash chain verified\n",
                static_cast<long long>(last.ok() ? *last : 0));
    return 0;
  }
  for (const auto& p : *problems)
    std::printf("audit row %lld: %s\n", static_cast<long long>(p.id), p.what.c_str());
  std::printf("audit log TAMPERED: %zu problem(s)\n", problems->size());
  return 1;
}

int RunList(const AuditArgs& a) {
  auto st = OpenSiteStore(a.config_path, a.data_dir);
  if (!st.ok()) {
    PrintError(st.status().message());
    return st.status().ExitCode();
  }
  auto rows = (*st)->ListAudit(a.after, a.limit);
  if (!rows.ok()) {
    PrintError(rows.status().message());
    return 1;
  }
  for (const auto& r : *rows) {
    std::time_t tt = static_cast<std::time_t>(r.wall);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::printf("%6lld %s %-16s %-14s %-20s %s\n", static_cast<long long>(r.id), buf,
                r.actor.c_str(), r.action.c_str(), r.target.c_str(), r.detail.c_str());
  }
  return 0;
}

}  // namespace

void RegisterAudit(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("audit", "Check or print the append-only audit log");
  cmd->require_subcommand(1);
  auto v = std::make_shared<AuditArgs>();
  auto* verify = cmd->add_subcommand(
      "verify", "Recompute the SHA-256 chain; exit 1 naming every edited or deleted row");
  AddStoreOptions(verify, &v->config_path, &v->data_dir);
  verify->callback([v, exit_code] { *exit_code = RunVerify(*v); });
  auto l = std::make_shared<AuditArgs>();
  auto* list = cmd->add_subcommand("list", "Print audit rows");
  AddStoreOptions(list, &l->config_path, &l->data_dir);
  list->add_option("--after", l->after, "print rows after this id");
  list->add_option("--limit", l->limit, "at most this many rows")->check(CLI::Range(1, 10000));
  list->callback([l, exit_code] { *exit_code = RunList(*l); });
}

}  // namespace watchline::cli
