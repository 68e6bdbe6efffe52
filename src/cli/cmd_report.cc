// watchline report: the guard duty report of a period (per post and shift: the
// share of duty time it was manned and its inactivity episodes; per patrol
// run: checkpoints on time, late and missed), from the site's store.
//
// watchline replay: runs every camera of a site over recorded files, as fast
// as they decode, as if recording had started at --start, and stops when all
// inputs have ended. Events go to the site's store like a live run's, so a
// night's recordings can be checked (and reported on) afterwards.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "cli/commands.h"
#include "duty/report.h"
#include "duty/schedule.h"
#include "engine/duty_report.h"
#include "engine/engine.h"
#include "sim/sim_source.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace watchline::cli {
namespace {

struct ReportArgs {
  std::string config_path, from, to;
  bool json = false, csv = false;
};

// Report times print as ISO-8601 UTC, like the JSON and CSV forms.
std::string Iso(double t) { return duty::IsoUtc(t); }

void PrintText(const duty::Report& r) {
  std::printf("Duty report %s .. %s\n", Iso(r.from).c_str(), Iso(r.to).c_str());
  std::printf("\nPosts (%zu shift(s))\n", r.posts.size());
  if (!r.posts.empty())
    std::printf("  %-16s %-8s %-30s %9s %9s %8s %s\n", "post", "camera", "shift", "duty", "vacant",
                "manned", "inactivity");
  for (const auto& p : r.posts) {
    double inactive = 0;
    for (const auto& e : p.inactivity) inactive += e.duration_s;
    std::printf("  %-16s %-8s %-30s %8.0fs %8.0fs %7.1f%% %zu episode(s), %.0f s\n", p.post.c_str(),
                p.camera.c_str(), p.shift.c_str(), p.duty_s, p.vacant_s, p.manned_pct,
                p.inactivity.size(), inactive);
  }
  std::printf("\nPatrols (%zu run(s))\n", r.patrols.size());
  for (const auto& run : r.patrols) {
    std::printf("  %-16s %-30s on time %d, late %d, missed %d, pending %d\n", run.patrol.c_str(),
                run.run.c_str(), run.on_time, run.late, run.missed, run.pending);
    for (const auto& c : run.checkpoints)
      std::printf("    %-14s %-8s %-8s %s\n", c.id.c_str(), c.camera.c_str(), c.status.c_str(),
                  c.t ? Iso(*c.t).c_str() : "-");
  }
}

int RunReport(const ReportArgs& a) {
  auto cfg = config::LoadConfig(a.config_path);
  if (!cfg.ok()) {
    PrintError(cfg.status().message());
    return cfg.status().ExitCode();
  }
  if (cfg->posts.empty() && cfg->patrols.empty()) {
    PrintError(a.config_path + ": the site has no posts and no patrols to report on");
    return 2;
  }
  auto from = engine::ParseReportTime(a.from);
  auto to = engine::ParseReportTime(a.to);
  for (const auto* r : {&from, &to}) {
    if (!r->ok()) {
      PrintError(r->status().message());
      return 2;
    }
  }
  auto st = OpenSiteStore(a.config_path, "");
  if (!st.ok()) {
    PrintError(st.status().message());
    return st.status().ExitCode();
  }
  auto report = engine::BuildDutyReport(st->get(), *cfg, *from, *to);
  if (!report.ok()) {
    PrintError(report.status().message());
    return report.status().ExitCode();
  }
  if (a.json) {
    std::printf("%s\n", duty::ReportToJson(*report).c_str());
  } else if (a.csv) {
    std::fputs(duty::ReportToCsv(*report).c_str(), stdout);
  } else {
    PrintText(*report);
  }
  return 0;
}

struct ReplayArgs {
  std::string config_path, start;
  double timeout_s = 0;
};

int RunReplay(const ReplayArgs& a) {
  auto cfg = config::LoadConfig(a.config_path);
  if (!cfg.ok()) {
    PrintError(cfg.status().message());
    return cfg.status().ExitCode();
  }
  for (const auto& c : cfg->cameras) {
    if (!c.enabled) continue;
    const bool recorded_sim = c.source.rfind("sim://", 0) == 0 && [&] {
      auto o = sim::ParseSimUrl(c.source);
      return o.ok() && !o->live;
    }();
    if (c.source.find("://") != std::string::npos && !recorded_sim) {
      PrintError(a.config_path + ":" + std::to_string(c.line) + ": camera " + c.id +
                 ": replay needs recorded files (or sim://...&live=0), not a live source (" +
                 c.source.substr(0, c.source.find("://")) + "://)");
      return 2;
    }
    if (c.ingest.loop) {
      PrintError(a.config_path + ":" + std::to_string(c.line) + ": camera " + c.id +
                 ": ingest.loop would never end a replay");
      return 2;
    }
  }
  auto start = engine::ParseReportTime(a.start);
  if (!start.ok()) {
    PrintError(start.status().message());
    return 2;
  }
  engine::Engine::Options opts;
  opts.media_epoch = *start;
  engine::Engine eng(*cfg, opts);
  uint64_t events = 0;
  eng.AddListener([&events](const events::Event&, bool update) {
    if (!update) ++events;
  });
  if (Status s = eng.Start(); !s.ok()) {
    PrintError(s.message());
    return s.ExitCode();
  }
  const auto t0 = std::chrono::steady_clock::now();
  double last_print = 0;
  while (!eng.AllInputsEnded()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (el - last_print >= 5) {
      last_print = el;
      uint64_t frames = 0;
      for (const auto& c : eng.Cameras()) frames += c.frames_analysed;
      std::fprintf(stderr, "watchline: replay: %.0f s, %llu frames analysed, %llu events\n", el,
                   static_cast<unsigned long long>(frames), static_cast<unsigned long long>(events));
    }
    if (a.timeout_s > 0 && el > a.timeout_s) {
      eng.Stop();
      PrintError("replay did not finish within --timeout " + std::to_string(a.timeout_s) + " s");
      return 1;
    }
  }
  eng.Stop();
  uint64_t frames = 0;
  for (const auto& c : eng.Cameras()) frames += c.frames_analysed;
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("replayed %zu camera(s): %llu frames analysed, %llu events stored, in %.1f s\n",
              cfg->cameras.size(), static_cast<unsigned long long>(frames),
              static_cast<unsigned long long>(events), el);
  return 0;
}

}  // namespace

void RegisterReport(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report", "Guard duty report: posts manned, inactivity, patrol checkpoints, per shift");
  cmd->add_option("--config", a->config_path, "site config (posts, patrols and the store)")->required();
  cmd->add_option("--from", a->from, "period start: ISO-8601 with zone, a date (UTC) or epoch s")
      ->required();
  cmd->add_option("--to", a->to, "period end (exclusive), same forms")->required();
  auto* j = cmd->add_flag("--json", a->json, "JSON instead of a table");
  auto* c = cmd->add_flag("--csv", a->csv, "CSV (RFC 4180) instead of a table");
  j->excludes(c);
  cmd->callback([a, exit_code] { *exit_code = RunReport(*a); });

  auto r = std::make_shared<ReplayArgs>();
  auto* rep = app.add_subcommand(
      "replay", "Run a site's recorded files through the whole pipeline as if recorded from --start");
  rep->add_option("--config", r->config_path, "site config whose camera sources are files")->required();
  rep->add_option("--start", r->start, "when the recordings began: ISO-8601 with zone or epoch s")
      ->required();
  rep->add_option("--timeout", r->timeout_s, "give up after this many seconds (0 = never)");
  rep->callback([r, exit_code] { *exit_code = RunReplay(*r); });
}

}  // namespace watchline::cli
