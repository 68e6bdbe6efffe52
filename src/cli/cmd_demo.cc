// watchline demo: the whole pipeline on the embedded simulated river border.
// Events and camera states print live; Ctrl-C (or --duration) stops it and
// prints a summary per camera.
#include <signal.h>
#include <time.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "base/log.h"
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "config/config.h"
#include "engine/demo_config.h"
#include "engine/engine.h"
#include "server/auth.h"
#include "server/server.h"
#include "store/store.h"

namespace watchline::cli {
namespace {

struct DemoArgs {
  engine::DemoOptions demo;
  double duration = 0;  // 0 = until Ctrl-C
  bool json = false;
  bool print_config = false;
  int port = 8080;                 // 0 = any free port
  std::string bind = "127.0.0.1";
  bool no_server = false;
};

// A demo site with no user yet gets an admin with a random password, printed
// once on this terminal (there is no default password). Real sites make their
// first admin with `watchline user add NAME --role admin`.
void EnsureDemoAdmin(store::Store* st, const std::string& data_dir) {
  auto users = st->ListUsers();
  if (!users.ok() || !users->empty()) return;
  const std::string password = server::NewSecret("").substr(0, 16);
  auto hash = server::HashPassword(password);
  if (!hash.ok()) return;
  if (!st->CreateUser({"admin", "admin", *hash, Clock::Real()->WallNow()}).ok()) return;
  store::AuditEntry a;
  a.wall = Clock::Real()->WallNow();
  a.actor = "demo";
  a.action = "user_add";
  a.target = "admin";
  a.detail = "{\"role\":\"admin\",\"password\":\"random, shown once on the console\"}";
  (void)st->AppendAudit(&a);
  std::fprintf(stderr,
               "watchline demo: created user 'admin' with password %s (shown once; change it with "
               "`watchline user passwd admin --data-dir %s`)\n",
               password.c_str(), data_dir.c_str());
}

std::string Clock24(double wall) {
  std::time_t tt = static_cast<std::time_t>(wall);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

// One line for a guard duty event: what happened, from its detail.
std::string DutyText(const events::Event& e) {
  nlohmann::json d = nlohmann::json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
  auto str = [&](const char* k) {
    return d.is_object() && d.contains(k) && d[k].is_string() ? d[k].get<std::string>() : "";
  };
  if (e.type == "post_vacant") return "post " + e.rule + ": nobody at the post";
  if (e.type == "post_inactive") return "post " + e.rule + ": the person there has not moved";
  std::string text = "patrol " + e.rule + " run " + str("run") + ": checkpoint " + str("checkpoint");
  if (e.type == "patrol_missed") return text + " not visited in its window";
  if (e.type == "patrol_late") return text + " visited late";
  return text + " passed (" + str("status") + ")";
}

void PrintEvent(const events::Event& e, bool update, bool json) {
  const bool duty = e.type.rfind("post_", 0) == 0 || e.type.rfind("patrol_", 0) == 0;
  if (json) {
    std::printf("%s\n", events::ToJsonLine(e).c_str());
  } else if (e.IsHealth() || duty) {
    // Conditions with an end (camera health, posts, missed checkpoints).
    if (update) {
      // e.wall is when the condition began; print when it ended.
      std::printf("%s  %-4s %-18s ended after %.1f s\n",
                  Clock24(e.wall + (e.end.value_or(e.t) - e.t)).c_str(), e.camera.c_str(),
                  e.type.c_str(), e.end.value_or(e.t) - e.t);
    } else {
      std::printf("%s  %-4s %-18s %s\n", Clock24(e.wall).c_str(), e.camera.c_str(),
                  e.type.c_str(), duty ? DutyText(e).c_str() : e.detail.c_str());
    }
  } else if (!update) {
    std::printf("%s  %-4s %-18s %-7s %-4s rule %-8s track %-4lld conf %.2f\n",
                Clock24(e.wall).c_str(), e.camera.c_str(), e.type.c_str(), e.cls.c_str(),
                e.direction.c_str(), e.rule.c_str(), static_cast<long long>(e.track), e.confidence);
  }
  std::fflush(stdout);
}

void PrintSummary(const std::vector<engine::CameraStatus>& cams, double seconds) {
  std::printf("\nwatchline demo: ran %.0f s\n", seconds);
  std::printf("%-5s %-9s %8s %8s %7s %6s %6s %9s  %s\n", "cam", "state", "decoded", "analysed",
              "dropped", "reconn", "events", "ms/frame", "cause");
  uint64_t events = 0, frames = 0;
  for (const auto& c : cams) {
    std::printf("%-5s %-9s %8llu %8llu %7llu %6llu %6llu %9.3f  %s\n", c.id.c_str(),
                c.state.c_str(), static_cast<unsigned long long>(c.frames_decoded),
                static_cast<unsigned long long>(c.frames_analysed),
                static_cast<unsigned long long>(c.frames_dropped),
                static_cast<unsigned long long>(c.reconnects),
                static_cast<unsigned long long>(c.events), c.analysis_ms, c.cause.c_str());
    events += c.events;
    frames += c.frames_analysed;
  }
  std::printf("total: %llu frames analysed, %llu detection events\n",
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(events));
  std::fflush(stdout);
}

int RunDemo(const DemoArgs& args) {
  DemoArgs a = args;
  a.demo.start_wall = Clock::Real()->WallNow();
  const std::string yaml = engine::DemoConfigYaml(a.demo);
  if (a.print_config) {
    std::fputs(yaml.c_str(), stdout);
    return 0;
  }
  if (Status s = engine::WriteDemoScripts(a.demo); !s.ok()) {
    PrintError(s.ToString());
    return s.ExitCode();
  }
  if (Status s = engine::WriteDemoPerimeter(a.demo); !s.ok()) {
    PrintError(s.ToString());
    return s.ExitCode();
  }
  auto cfg = config::ParseConfig(yaml, "<demo>", ".");
  if (!cfg.ok()) {
    PrintError("the embedded demo config is invalid (a bug): " + cfg.status().message());
    return 1;
  }
  // Block the stop signals in every thread; this one waits for them below.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  engine::Engine eng(std::move(cfg).value(), engine::Engine::Options{});
  std::mutex out_mu;
  const bool json = a.json;
  eng.AddListener([&out_mu, json](const events::Event& e, bool update) {
    std::lock_guard<std::mutex> lock(out_mu);
    PrintEvent(e, update, json);
  });
  if (Status s = eng.Start(); !s.ok()) {
    PrintError(s.ToString());
    return s.ExitCode() == 2 ? 2 : 1;
  }
  std::unique_ptr<server::Server> srv;
  if (!a.no_server) {
    EnsureDemoAdmin(eng.store(), a.demo.data_dir);
    config::ServerConfig http = eng.config().server;
    http.port = a.port;
    http.bind = a.bind;
    int code = 0;
    srv = StartServer(&eng, http, yaml, &code);
    if (!srv) {
      eng.Stop();
      return code;
    }
    std::fprintf(stderr, "watchline demo: web UI at %s\n", srv->url().c_str());
  }
  std::fprintf(stderr,
               "watchline demo: %d simulated cameras on a %.0f km river border; data in %s\n"
               "events and camera states print below; Ctrl-C stops and prints a summary\n",
               a.demo.cameras, a.demo.border_km, a.demo.data_dir.c_str());
  const double start = Clock::Real()->Now();
  while (true) {
    double left = a.duration > 0 ? a.duration - (Clock::Real()->Now() - start) : 1.0;
    if (left <= 0) break;
    timespec ts{static_cast<time_t>(std::floor(std::min(left, 1.0))),
                static_cast<long>((std::min(left, 1.0) - std::floor(std::min(left, 1.0))) * 1e9)};
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  if (srv) srv->Stop();
  eng.Stop();
  PrintSummary(eng.Cameras(), Clock::Real()->Now() - start);
  return 0;
}

}  // namespace

void RegisterDemo(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "demo", "Run the whole pipeline on a simulated river border (no camera, no network needed)");
  auto a = std::make_shared<DemoArgs>();
  cmd->add_option("--cameras", a->demo.cameras, "number of simulated cameras")
      ->check(CLI::Range(1, 200))
      ->capture_default_str();
  cmd->add_option("--data-dir", a->demo.data_dir, "where the demo keeps its event store")
      ->capture_default_str();
  cmd->add_option("--duration", a->duration, "stop after this many seconds (default: until Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--analysis-fps", a->demo.analysis_fps, "analysis frames per second per camera")
      ->check(CLI::Range(0.5, 30.0))
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "print events as JSON Lines instead of a table");
  cmd->add_option("--port", a->port, "web UI / API port (0 = any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--bind", a->bind, "web UI / API listen address")->capture_default_str();
  cmd->add_flag("--no-server", a->no_server, "run the engine only, without the web UI / API");
  cmd->add_flag("--print-config", a->print_config, "print the embedded demo config and exit");
  cmd->callback([a, exit_code] { *exit_code = RunDemo(*a); });
}

}  // namespace watchline::cli
