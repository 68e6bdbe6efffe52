// watchline eval health: the simulated tamper benchmark. Renders simulated
// scenes (day, night, rain, water, busy foreground) with every tamper type
// injected at a random time, runs the camera health checks on every frame at
// the analysis rate, and reports per-type recall, time to detect and false
// alarms; then runs hours of simulated normal operation (day/night switches,
// exposure steps, rain, cloud shadows, headlights, water, people passing close
// to the lens) and counts the tamper events raised. Render -> health, in
// process, faster than real time.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "cli/commands.h"
#include "health/health_monitor.h"
#include "sim/effects.h"
#include "sim/renderer.h"
#include "sim/scene.h"

namespace watchline::cli {
namespace {

struct EvalHealthArgs {
  int cases = 175;
  double fps = 5;
  int width = 640;
  double deadline_s = 3;
  double normal_hours = 1;
  double normal_fps = 10;
  uint64_t seed = 1;
  bool json = false;
  bool verbose = false;
  int only = -1;       // run only this case (for tuning)
  bool trace = false;  // print every frame's verdict of the cases run
};

constexpr sim::Tamper kTampers[] = {sim::Tamper::kCover,    sim::Tamper::kSpray, sim::Tamper::kDefocus,
                                    sim::Tamper::kGlare,    sim::Tamper::kBlackout, sim::Tamper::kFreeze,
                                    sim::Tamper::kMove};
constexpr const char* kScenes[] = {"day", "night", "rain", "water", "busy"};
// Tamper onset: random in this window (the reference is learned long before).
constexpr double kOnsetMinS = 6, kOnsetMaxS = 12;
// How long each tamper case runs after the onset.
constexpr double kAfterOnsetS = 8;
// Normal operation is run in segments of this length, each a different scene.
constexpr double kSegmentS = 600;
constexpr double kStoryS = 60;  // one simulated story; the next one follows

health::State Expected(sim::Tamper t) {
  switch (t) {
    case sim::Tamper::kCover:
    case sim::Tamper::kSpray: return health::State::kOccluded;
    case sim::Tamper::kDefocus: return health::State::kDefocused;
    case sim::Tamper::kGlare: return health::State::kGlare;
    case sim::Tamper::kBlackout: return health::State::kBlackout;
    case sim::Tamper::kFreeze: return health::State::kFrozen;
    case sim::Tamper::kMove: return health::State::kMoved;
    case sim::Tamper::kNone: break;
  }
  return health::State::kOk;
}

sim::SimOptions SceneOptions(const std::string& scene, uint64_t seed, int width, double fps) {
  sim::SimOptions o;
  o.seed = seed;
  o.width = width;
  o.height = width * 9 / 16;
  o.fps = fps;
  o.people = 6;
  o.duration_s = kStoryS;
  if (scene == "day") o.conditions.clouds = true;
  if (scene == "night") {
    o.night = true;
    o.conditions.headlights = true;
  }
  if (scene == "rain") o.conditions.rain = true;
  if (scene == "water") o.conditions.water = true;
  if (scene == "busy") o.people = 24;
  return o;
}

// Renders camera time t of a camera whose story restarts every kStoryS.
class SimCamera {
 public:
  explicit SimCamera(const sim::SimOptions& o) : o_(o), scene_(sim::Scene::Generate(o)) {}
  void Render(double t, cv::Mat* bgr) {
    if (o_.tamper == sim::Tamper::kFreeze && sim::TamperActive(o_, t)) {
      if (frozen_.empty()) Draw(o_.tamper_at_s, &frozen_);
      *bgr = frozen_;
      return;
    }
    Draw(t, bgr);
  }

 private:
  void Draw(double t, cv::Mat* bgr) {
    const int cycle = static_cast<int>(std::floor(t / o_.duration_s));
    if (cycle != cycle_) {
      scene_ = scene_.NextCycle(cycle);
      cycle_ = cycle;
    }
    scene_.Render(t - cycle * o_.duration_s, bgr);
    sim::ApplyEffects(o_, t, bgr);
  }
  sim::SimOptions o_;
  sim::Scene scene_;
  int cycle_ = 0;
  cv::Mat frozen_;
};

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  const double f = pos - i;
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

int RunEvalHealth(const EvalHealthArgs& a) {
  if (a.cases < 1 || a.fps <= 0 || a.width < 64 || a.normal_fps <= 0 || a.normal_hours < 0) {
    PrintError("eval health: --cases, --fps, --normal-fps must be positive, --width >= 64");
    return 2;
  }
  config::CameraConfig cam;
  cam.id = "sim";
  struct TypeStats {
    int cases = 0, detected = 0, in_time = 0, wrong_type = 0, false_before = 0;
    std::vector<double> ttd;
  };
  std::map<std::string, TypeStats> by_type;
  std::map<std::string, std::pair<int, int>> by_scene;  // in time / cases
  std::vector<double> all_ttd;
  double health_s = 0;
  int64_t frames = 0;
  cv::Mat bgr, gray;
  const auto wall0 = std::chrono::steady_clock::now();
  for (int i = 0; i < a.cases; ++i) {
    if (a.only >= 0 && i != a.only) continue;
    const sim::Tamper tamper = kTampers[i % 7];
    const std::string scene = kScenes[(i / 7) % 5];
    const uint64_t seed = a.seed * 100003 + static_cast<uint64_t>(i);
    sim::SimOptions o = SceneOptions(scene, seed, a.width, a.fps);
    const double u = (sim::Mix64(seed ^ 0x7A3BULL) >> 11) * (1.0 / 9007199254740992.0);
    o.tamper = tamper;
    o.tamper_at_s = kOnsetMinS + u * (kOnsetMaxS - kOnsetMinS);
    SimCamera camera(o);
    health::HealthMonitor mon(cam, 0);
    TypeStats& ts = by_type[sim::ToString(tamper)];
    ++ts.cases;
    ++by_scene[scene].second;
    bool decided = false, false_before = false;
    const int64_t n = static_cast<int64_t>(std::ceil((o.tamper_at_s + kAfterOnsetS) * a.fps));
    for (int64_t k = 0; k < n && !decided; ++k) {
      const double t = k / a.fps;
      camera.Render(t, &bgr);
      cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
      const auto h0 = std::chrono::steady_clock::now();
      auto tr = mon.OnImage(t, gray);
      health_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - h0).count();
      ++frames;
      if (a.trace) {
        const health::ImageVerdict v = mon.last_verdict();
        std::fprintf(stderr,
                     "t=%6.2f %-9s gain %.2f sharp %.2f coarse %.2f cov %.2f match %.2f sat %.2f shift %.3f (%.2f) "
                     "shifted %.2f unstable %d ref %d %s\n",
                     t, std::string(health::PictureName(v.picture)).c_str(), v.gain, v.sharpness, v.coarse_tex,
                     v.covered, v.match, v.saturated, v.shift, v.shift_response, v.shifted_match, v.unstable, v.reference,
                     v.cause.c_str());
      }
      if (!tr || health::EventType(tr->to).empty()) continue;
      if (a.verbose && (t < o.tamper_at_s || tr->to != Expected(tamper)))
        std::fprintf(stderr, "case %d %s/%s seed %llu onset %.2f: t=%.2f %s (%s)\n", i, scene.c_str(),
                     sim::ToString(tamper), static_cast<unsigned long long>(seed), o.tamper_at_s, t,
                     health::EventType(tr->to).c_str(), tr->cause.c_str());
      if (t < o.tamper_at_s) {
        false_before = true;
        continue;
      }
      decided = true;
      if (tr->to != Expected(tamper)) {
        ++ts.wrong_type;
        continue;
      }
      const double ttd = t - o.tamper_at_s;
      if (a.verbose && ttd > a.deadline_s)
        std::fprintf(stderr, "case %d %s/%s seed %llu onset %.2f: late, t=%.2f (%.2f s)\n", i, scene.c_str(),
                     sim::ToString(tamper), static_cast<unsigned long long>(seed), o.tamper_at_s, t, ttd);
      ++ts.detected;
      ts.ttd.push_back(ttd);
      all_ttd.push_back(ttd);
      if (ttd <= a.deadline_s) {
        ++ts.in_time;
        ++by_scene[scene].first;
      }
    }
    ts.false_before += false_before;
    if (a.verbose && !decided)
      std::fprintf(stderr, "case %d %s/%s seed %llu onset %.2f: not detected (last: %s, %s)\n", i,
                   scene.c_str(), sim::ToString(tamper), static_cast<unsigned long long>(seed), o.tamper_at_s,
                   std::string(health::PictureName(mon.last_verdict().picture)).c_str(),
                   mon.last_verdict().cause.c_str());
  }
  const double cases_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

  // Normal operation: no tamper, every condition that must not alarm.
  int normal_events = 0;
  std::vector<std::string> normal_examples;
  const double normal_s = a.normal_hours * 3600;
  int64_t normal_frames = 0;
  const auto wall1 = std::chrono::steady_clock::now();
  for (int seg = 0; seg * kSegmentS < normal_s; ++seg) {
    const std::string scene = kScenes[seg % 5];
    sim::SimOptions o = SceneOptions(scene, a.seed * 7919 + static_cast<uint64_t>(seg), a.width, a.normal_fps);
    o.conditions.ir_switch_s = 150;  // day -> IR night -> day ... every 2.5 minutes
    o.conditions.ae_step_s = 37;
    o.conditions.passers_s = 20;
    o.conditions.clouds = true;
    o.conditions.headlights = true;
    if (seg % 2 == 1) o.conditions.rain = true;
    SimCamera camera(o);
    health::HealthMonitor mon(cam, 0);
    const double len = std::min(kSegmentS, normal_s - seg * kSegmentS);
    const int64_t n = static_cast<int64_t>(len * a.normal_fps);
    for (int64_t k = 0; k < n; ++k) {
      const double t = k / a.normal_fps;
      camera.Render(t, &bgr);
      cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
      auto tr = mon.OnImage(t, gray);
      ++normal_frames;
      if (tr && !health::EventType(tr->to).empty()) {
        ++normal_events;
        if (normal_examples.size() < 10) {
          char buf[256];
          std::snprintf(buf, sizeof buf, "segment %d (%s) t=%.1f s: %s (%s)", seg, scene.c_str(), tr->at,
                        health::EventType(tr->to).c_str(), tr->cause.c_str());
          normal_examples.push_back(buf);
        }
      }
    }
  }
  const double normal_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall1).count();

  int total = 0, in_time = 0, false_cases = 0;
  for (const auto& [name, ts] : by_type) {
    total += ts.cases;
    in_time += ts.in_time;
    false_cases += ts.false_before;
  }
  const double ms_per_frame = frames ? 1000 * health_s / frames : 0;
  if (a.json) {
    nlohmann::json j;
    j["cases"] = total;
    j["fps"] = a.fps;
    j["width"] = a.width;
    j["deadline_s"] = a.deadline_s;
    j["recall"] = total ? static_cast<double>(in_time) / total : 0.0;
    j["false_alarms_before_onset"] = false_cases;
    j["ttd_median_s"] = Quantile(all_ttd, 0.5);
    j["ttd_p90_s"] = Quantile(all_ttd, 0.9);
    j["ttd_max_s"] = all_ttd.empty() ? NAN : *std::max_element(all_ttd.begin(), all_ttd.end());
    j["health_ms_per_frame"] = ms_per_frame;
    for (const auto& [name, ts] : by_type) {
      j["types"][name] = {{"cases", ts.cases},         {"in_time", ts.in_time},
                          {"detected", ts.detected},   {"wrong_type", ts.wrong_type},
                          {"false_before", ts.false_before},
                          {"recall", ts.cases ? static_cast<double>(ts.in_time) / ts.cases : 0.0},
                          {"ttd_median_s", Quantile(ts.ttd, 0.5)}, {"ttd_p90_s", Quantile(ts.ttd, 0.9)},
                          {"ttd_max_s", ts.ttd.empty() ? NAN : *std::max_element(ts.ttd.begin(), ts.ttd.end())}};
    }
    for (const auto& [name, p] : by_scene) j["scenes"][name] = {{"in_time", p.first}, {"cases", p.second}};
    j["normal"] = {{"hours", a.normal_hours}, {"fps", a.normal_fps}, {"frames", normal_frames},
                   {"tamper_events", normal_events}, {"examples", normal_examples},
                   {"wall_s", normal_wall}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("Simulated tamper: %d cases at %.0f fps, %dx%d, deadline %.1f s (%.0f s wall)\n", total, a.fps,
                a.width, a.width * 9 / 16, a.deadline_s, cases_wall);
    std::printf("%-9s %6s %8s %8s %6s %7s %8s %8s %8s\n", "type", "cases", "in time", "recall", "wrong",
                "early", "ttd p50", "ttd p90", "ttd max");
    for (const auto& [name, ts] : by_type) {
      std::printf("%-9s %6d %8d %7.1f%% %6d %7d %7.2fs %7.2fs %7.2fs\n", name.c_str(), ts.cases, ts.in_time,
                  ts.cases ? 100.0 * ts.in_time / ts.cases : 0.0, ts.wrong_type, ts.false_before,
                  Quantile(ts.ttd, 0.5), Quantile(ts.ttd, 0.9),
                  ts.ttd.empty() ? NAN : *std::max_element(ts.ttd.begin(), ts.ttd.end()));
    }
    std::printf("%-9s %6d %8d %7.1f%% %6s %7d %7.2fs %7.2fs %7.2fs\n", "all", total, in_time,
                total ? 100.0 * in_time / total : 0.0, "", false_cases, Quantile(all_ttd, 0.5),
                Quantile(all_ttd, 0.9), all_ttd.empty() ? NAN : *std::max_element(all_ttd.begin(), all_ttd.end()));
    std::printf("by scene:");
    for (const auto& [name, p] : by_scene) std::printf(" %s %d/%d", name.c_str(), p.first, p.second);
    std::printf("\nhealth cost: %.3f ms per frame at %dx%d\n", ms_per_frame, a.width, a.width * 9 / 16);
    std::printf("Normal operation: %.2f h at %.0f fps (%lld frames, %.0f s wall, %.0fx real time): %d tamper events\n",
                a.normal_hours, a.normal_fps, static_cast<long long>(normal_frames), normal_wall,
                normal_wall > 0 ? normal_s / normal_wall : 0.0, normal_events);
    for (const auto& e : normal_examples) std::printf("  %s\n", e.c_str());
  }
  return (in_time == total && normal_events == 0 && false_cases == 0) ? 0 : 1;
}

}  // namespace

void RegisterEvalHealth(CLI::App* eval, int* exit_code) {
  auto* cmd = eval->add_subcommand(
      "health", "Simulated tamper benchmark: per-type recall, time to detect, false alarms");
  auto a = std::make_shared<EvalHealthArgs>();
  cmd->add_option("--cases", a->cases, "tamper cases (types and scenes in turn)")->capture_default_str();
  cmd->add_option("--fps", a->fps, "analysis frames per second")->capture_default_str();
  cmd->add_option("--width", a->width, "frame width (height is 9/16 of it)")->capture_default_str();
  cmd->add_option("--deadline", a->deadline_s, "a detection counts when within this many seconds")
      ->capture_default_str();
  cmd->add_option("--normal-hours", a->normal_hours, "hours of simulated normal operation (0 = skip)")
      ->capture_default_str();
  cmd->add_option("--normal-fps", a->normal_fps, "analysis fps of the normal-operation run")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed of the case set")->capture_default_str();
  cmd->add_flag("--json", a->json, "print the result as JSON");
  cmd->add_flag("-v,--verbose", a->verbose, "print every miss and false alarm on stderr");
  cmd->add_option("--only", a->only, "run only this case number (0-based), for tuning");
  cmd->add_flag("--trace", a->trace, "print every frame's picture verdict on stderr");
  cmd->callback([a, exit_code] { *exit_code = RunEvalHealth(*a); });
}

}  // namespace watchline::cli
