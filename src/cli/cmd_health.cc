// watchline health: every camera's health state and cause, live. It runs each
// enabled camera's ingest and the health checks (no detection rules) and
// prints a table every second; --once prints it after --seconds and exits,
// --json prints JSON for scripts.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "cli/commands.h"
#include "config/config.h"
#include "engine/engine.h"
#include "health/health_monitor.h"
#include "ingest/camera_ingest.h"
#include "ingest/frame_ring.h"

namespace watchline::cli {
namespace {

// How often the watchdog checks for silent cameras, and the table refreshes.
constexpr double kTickS = 0.25;
constexpr double kRefreshS = 1.0;
// How long the analysis thread waits for a frame before checking for stop.
constexpr double kPopWaitS = 0.2;

struct HealthArgs {
  std::string config_path;
  bool once = false;
  double seconds = 5;
  bool json = false;
};

struct Cam {
  config::CameraConfig cfg;
  std::unique_ptr<ingest::FrameRing> ring;
  std::unique_ptr<ingest::CameraIngest> ingest;
  std::unique_ptr<health::HealthMonitor> health;
  std::atomic<uint64_t> frames{0};
  std::string error;  // a source that could not be made
};

nlohmann::json Snapshot(const std::vector<std::unique_ptr<Cam>>& cams, double now) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : cams) {
    nlohmann::json j;
    j["camera"] = c->cfg.id;
    if (!c->cfg.enabled) {
      j["state"] = "disabled";
      j["cause"] = "disabled in the config";
    } else if (!c->health) {
      j["state"] = "offline";
      j["cause"] = c->error;
    } else {
      j["state"] = std::string(health::StateName(c->health->state()));
      j["cause"] = c->health->cause();
      j["since_s"] = now - c->health->since();
      const auto v = c->health->last_verdict();
      j["picture"] = std::string(health::PictureName(v.picture));
      j["reference"] = v.reference_ready;
      j["covered"] = v.covered;
      j["frames"] = c->frames.load();
    }
    out.push_back(j);
  }
  return out;
}

void PrintTable(const nlohmann::json& snap, bool clear) {
  if (clear) std::fputs("\033[H\033[2J", stdout);
  std::printf("%-16s %-10s %8s  %s\n", "CAMERA", "STATE", "SINCE", "CAUSE");
  for (const auto& j : snap) {
    const std::string since = j.contains("since_s") ? std::to_string(static_cast<int>(j["since_s"].get<double>())) + " s" : "";
    std::printf("%-16s %-10s %8s  %s\n", j["camera"].get<std::string>().c_str(),
                j["state"].get<std::string>().c_str(), since.c_str(), j["cause"].get<std::string>().c_str());
  }
  std::fflush(stdout);
}

int RunHealth(const HealthArgs& a) {
  auto cfg = config::LoadConfig(a.config_path);
  if (!cfg.ok()) {
    PrintError(cfg.status().message());
    return cfg.status().ExitCode();
  }
  Clock* clock = Clock::Real();
  const double start = clock->Now();
  std::vector<std::unique_ptr<Cam>> cams;
  std::vector<std::jthread> threads;
  for (const auto& cc : cfg->cameras) {
    auto cam = std::make_unique<Cam>();
    cam->cfg = cc;
    if (cc.enabled) {
      auto probe = engine::MakeSource(cc, clock);
      if (!probe.ok()) {
        PrintError(probe.status().message());
        return probe.status().ExitCode();
      }
      cam->ring = std::make_unique<ingest::FrameRing>(static_cast<size_t>(cc.ingest.ring_size));
      auto first = std::make_shared<std::unique_ptr<ingest::FrameSource>>(std::move(probe).value());
      config::CameraConfig copy = cc;
      cam->ingest = std::make_unique<ingest::CameraIngest>(
          ingest::CameraIngestOptions::FromConfig(cc),
          [first, copy, clock]() -> std::unique_ptr<ingest::FrameSource> {
            if (*first) return std::move(*first);
            auto s = engine::MakeSource(copy, clock);
            return s.ok() ? std::move(s).value() : nullptr;
          },
          cam->ring.get(), clock);
      cam->health = std::make_unique<health::HealthMonitor>(cc, start);
    }
    cams.push_back(std::move(cam));
  }
  for (auto& cp : cams) {
    Cam* c = cp.get();
    if (!c->health) continue;
    threads.emplace_back([c](std::stop_token st) { c->ingest->Run(st); });
    threads.emplace_back([c, clock](std::stop_token st) {
      while (!st.stop_requested()) {
        ingest::FramePtr f;
        if (!c->ring->Pop(&f, kPopWaitS)) {
          if (c->ring->closed()) return;
          continue;
        }
        c->frames.fetch_add(1);
        c->health->OnImage(clock->Now(), f->gray);
      }
    });
  }
  const bool tty = isatty(STDOUT_FILENO);
  double next_print = start + (a.once ? a.seconds : kRefreshS);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::duration<double>(kTickS));
    const double now = clock->Now();
    for (auto& c : cams)
      if (c->health) c->health->OnTick(now, c->ingest->last_error());
    if (now < next_print) continue;
    const nlohmann::json snap = Snapshot(cams, now);
    if (a.json) {
      std::printf("%s\n", snap.dump().c_str());
      std::fflush(stdout);
    } else {
      PrintTable(snap, tty && !a.once);
    }
    if (a.once) break;
    next_print = now + kRefreshS;
  }
  for (auto& t : threads) t.request_stop();
  for (auto& c : cams)
    if (c->ring) c->ring->Close();
  threads.clear();  // joins
  return 0;
}

}  // namespace

void RegisterHealth(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("health", "Every camera's health state and cause, live");
  auto a = std::make_shared<HealthArgs>();
  cmd->add_option("--config", a->config_path, "YAML config file")->required();
  cmd->add_flag("--once", a->once, "print the states once, after --seconds, and exit");
  cmd->add_option("--seconds", a->seconds, "how long --once watches before printing")
      ->check(CLI::Range(0.5, 3600.0))
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "one JSON array per refresh");
  cmd->callback([a, exit_code] { *exit_code = RunHealth(*a); });
}

}  // namespace watchline::cli
