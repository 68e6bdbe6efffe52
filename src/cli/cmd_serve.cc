// watchline serve --config FILE: the engine (every camera of the site, live)
// and the operator server (REST API, live feed, web UI) in one process.
#include <signal.h>
#include <time.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/log.h"
#include "cli/commands.h"
#include "config/config.h"
#include "engine/engine.h"
#include "server/live_coverage_provider.h"
#include "server/server.h"

namespace watchline::cli {

std::unique_ptr<server::Server> StartServer(engine::Engine* eng, config::ServerConfig http,
                                            const std::string& config_text, int* exit_code) {
  server::ServerOptions opts;
  opts.http = std::move(http);
  auto srv = std::make_unique<server::Server>(server::ServerDeps::FromEngine(eng), opts);
  srv->AttachEngine(eng);
  if (eng->config().perimeter) {
    auto cov = server::LiveCoverageProvider::Create(eng->config(), [eng] {
      std::vector<std::pair<std::string, bool>> states;
      for (const auto& c : eng->Cameras()) states.emplace_back(c.id, c.state == "ok");
      return states;
    });
    if (cov.ok()) {
      srv->SetCoverageProvider(std::move(cov).value());
    } else {
      // The rest of the server works without coverage; say why it is missing.
      WL_LOG(Warn) << "coverage unavailable: " << cov.status().ToString();
    }
  }
  if (Status s = srv->Start(); !s.ok()) {
    PrintError(s.ToString());
    *exit_code = s.IsInvalidArgument() ? 2 : 1;
    return nullptr;
  }
  // The config in force is part of the record. A start with a config whose
  // hash differs from the one recorded last is a config change.
  const std::string sha = store::Sha256Hex(config_text);
  std::string last_sha;
  int64_t after = 0;
  while (true) {
    auto rows = eng->store()->ListAudit(after, 1000);
    if (!rows.ok() || rows->empty()) break;
    for (const auto& r : *rows) {
      if (r.action != "config_loaded" && r.action != "config_change") continue;
      auto d = nlohmann::json::parse(r.detail, nullptr, false);
      if (d.is_object() && d.contains("sha256") && d["sha256"].is_string()) last_sha = d["sha256"];
    }
    after = rows->back().id;
  }
  nlohmann::json detail{{"sha256", sha}, {"cameras", eng->config().cameras.size()}};
  if (!last_sha.empty() && last_sha != sha) detail["previous_sha256"] = last_sha;
  srv->Audit("system", !last_sha.empty() && last_sha != sha ? "config_change" : "config_loaded",
             eng->config().path.empty() ? "<embedded>" : eng->config().path, detail);
  return srv;
}

int WaitForStop(double duration) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  const double start = Clock::Real()->Now();
  while (true) {
    double left = duration > 0 ? duration - (Clock::Real()->Now() - start) : 1.0;
    if (left <= 0) break;
    const double step = std::min(left, 1.0);
    timespec ts{static_cast<time_t>(std::floor(step)),
                static_cast<long>((step - std::floor(step)) * 1e9)};
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  return 0;
}

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

namespace {

struct ServeArgs {
  std::string config_path;
  int port = -1;        // -1 = from the config
  std::string bind;     // "" = from the config
  double duration = 0;
};

int RunServe(const ServeArgs& a) {
  auto cfg = config::LoadConfig(a.config_path);
  if (!cfg.ok()) {
    PrintError(cfg.status().message());
    return cfg.status().ExitCode();
  }
  std::string text;
  {
    std::ifstream in(a.config_path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  config::ServerConfig http = cfg->server;
  if (a.port >= 0) http.port = a.port;
  if (!a.bind.empty()) http.bind = a.bind;
  BlockStopSignals();
  engine::Engine eng(std::move(cfg).value(), engine::Engine::Options{});
  if (Status s = eng.Start(); !s.ok()) {
    PrintError(s.ToString());
    return s.ExitCode() == 2 ? 2 : 1;
  }
  int code = 0;
  auto srv = StartServer(&eng, http, text, &code);
  if (!srv) {
    eng.Stop();
    return code;
  }
  std::fprintf(stderr, "watchline serve: %s (Ctrl-C stops)\n", srv->url().c_str());
  WaitForStop(a.duration);
  srv->Stop();
  eng.Stop();
  return 0;
}

}  // namespace

void RegisterServe(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the site's cameras and the web UI / API server");
  auto a = std::make_shared<ServeArgs>();
  cmd->add_option("--config", a->config_path, "site config (YAML)")->required();
  cmd->add_option("--port", a->port, "HTTP port (default: server.port, 8080)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--bind", a->bind, "listen address (default: server.bind, 127.0.0.1)");
  cmd->add_option("--duration", a->duration, "stop after this many seconds (default: until Ctrl-C)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([a, exit_code] { *exit_code = RunServe(*a); });
}

}  // namespace watchline::cli
