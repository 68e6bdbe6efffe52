#include "engine/demo_config.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace watchline::engine {

namespace {
constexpr double kLat0 = 40.10;
constexpr double kLon0 = 124.40;
constexpr double kMetresPerDegLat = 111320.0;
constexpr double kPi = 3.14159265358979323846;
constexpr double kCameraSetbackM = 15;   // cameras stand this far north of the water
constexpr double kAimAheadM = 250;       // each looks along the bank at the water this far east
constexpr double kRangeM = 520;          // detection range of the demo cameras

double MetresPerDegLon() { return kMetresPerDegLat * std::cos(kLat0 * kPi / 180); }
// The river's centre line: metres north of kLat0 at x metres east of kLon0.
double RiverNorth(double x) { return 120 * std::sin(x / 1400.0); }
std::string PerimeterPath(const DemoOptions& o) {
  return (std::filesystem::path(o.data_dir) / "border.geojson").string();
}
std::string ScriptPath(const DemoOptions& o, const std::string& name) {
  return std::filesystem::absolute(std::filesystem::path(o.data_dir) / (name + ".json")).string();
}
double StartWall(const DemoOptions& o) {
  if (o.start_wall > 0) return o.start_wall;
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// How long the scripted story runs; the demo is meant for minutes to hours.
constexpr double kStoryS = 86400;

// A scripted actor's path: [[t, x, y], ...] in camera seconds.
class ScriptPathWriter {
 public:
  void At(double t, double x, double y) {
    if (!pts_.empty() && t <= t_) t = t_ + 0.1;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s[%.2f, %.4f, %.4f]", pts_.empty() ? "" : ", ", t, x, y);
    pts_ += buf;
    ++n_;
    t_ = t, x_ = x, y_ = y;
  }
  void WalkTo(double x, double y, double speed) {
    At(t_ + std::max(1.0, std::hypot(x - x_, y - y_) / speed), x, y);
  }
  void StandUntil(double t) {
    if (t > t_) At(t, x_, y_);
  }
  double t() const { return t_; }
  std::string Actor() const { return "{\"kind\": \"person\", \"path\": [" + pts_ + "]}"; }

 private:
  std::string pts_;
  int n_ = 0;
  double t_ = 0, x_ = 0, y_ = 0;
};

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return Status::IOError("cannot write " + path);
  return Status::Ok();
}
}  // namespace

std::string DemoPerimeterGeoJson(const DemoOptions& o) {
  std::ostringstream g;
  g.setf(std::ios::fixed);
  g.precision(7);
  g << "{\"type\": \"Feature\", \"properties\": {\"name\": \"demo river border\"}, "
       "\"geometry\": {\"type\": \"LineString\", \"coordinates\": [";
  const double len = o.border_km * 1000;
  const int n = static_cast<int>(len / 50);
  for (int i = 0; i <= n; ++i) {
    const double x = len * i / n;
    g << (i ? ", " : "") << "[" << kLon0 + x / MetresPerDegLon() << ", "
      << kLat0 + RiverNorth(x) / kMetresPerDegLat << "]";
  }
  g << "]}}\n";
  return g.str();
}

Status WriteDemoPerimeter(const DemoOptions& o) {
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  if (ec) return Status::IOError("cannot create " + o.data_dir + ": " + ec.message());
  std::ofstream out(PerimeterPath(o), std::ios::binary | std::ios::trunc);
  out << DemoPerimeterGeoJson(o);
  if (!out) return Status::IOError("cannot write " + PerimeterPath(o));
  return Status::Ok();
}

Status WriteDemoScripts(const DemoOptions& o) {
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  if (ec) return Status::IOError("cannot create " + o.data_dir + ": " + ec.message());
  // The guard: paces between two spots of the post; every 20 minutes he
  // stands still for two minutes (post_inactive, first after about 4 minutes)
  // and then leaves for two and a half (post_vacant, first after about 8).
  {
    const double ax = 0.44, ay = 0.78, bx = 0.56, by = 0.82;
    ScriptPathWriter p;
    p.At(0, 1.0, 0.80);
    p.WalkTo(ax, ay, 0.04);
    bool at_a = true;
    auto pace = [&](double until) {
      while (p.t() + 40 < until) {
        p.StandUntil(p.t() + 25);
        at_a ? p.WalkTo(bx, by, 0.012) : p.WalkTo(ax, ay, 0.012);
        at_a = !at_a;
      }
      p.StandUntil(until);
    };
    for (double c = 0; c < kStoryS; c += 1200) {
      pace(c + 150);
      p.StandUntil(c + 280);  // still for 130 s
      pace(c + 400);
      p.WalkTo(1.0, 0.80, 0.04);  // away ...
      p.At(c + 550, 1.0, 0.80);   // ... back
      p.WalkTo(ax, ay, 0.04);
      at_a = true;
      pace(c + 1200);
    }
    WL_RETURN_IF_ERROR(WriteText(ScriptPath(o, "guard"), "{\"actors\": [" + p.Actor() + "]}\n"));
  }
  // The patrol: a run every 10 minutes of wall time. Every third run skips
  // the second checkpoint (patrol_missed); every fourth reaches the first one
  // late (patrol_late).
  const double start = StartWall(o);
  const double first = std::ceil(start / kDemoPatrolEveryS) * kDemoPatrolEveryS - start;
  std::string actors[3];
  for (int run = 0; first + run * kDemoPatrolEveryS < kStoryS; ++run) {
    const double r = first + run * kDemoPatrolEveryS;
    const bool skip_cp2 = run % 3 == 2, late_cp1 = run % 4 == 3;
    const double visit[3] = {r + (late_cp1 ? 200 : 40), r + (late_cp1 ? 260 : 150),
                             r + (late_cp1 ? 330 : 300)};
    for (int k = 0; k < 3; ++k) {
      if (k == 1 && skip_cp2) continue;
      ScriptPathWriter p;
      if (k == 1) {  // the line checkpoint: walk across x = 0.8
        p.At(visit[k] - 8, 0.98, 0.80);
        p.WalkTo(0.60, 0.80, 0.03);
        p.WalkTo(0.60, 1.0, 0.03);
      } else {  // a zone checkpoint: walk in from the bottom edge, wait, leave
        const double x = k == 0 ? 0.2 : 0.8;
        p.At(visit[k] - 8, x, 1.0);
        p.WalkTo(x, 0.78, 0.03);
        p.StandUntil(p.t() + 15);
        p.WalkTo(x, 1.0, 0.03);
      }
      actors[k] += (actors[k].empty() ? "" : ", ") + p.Actor();
    }
  }
  for (int k = 0; k < 3; ++k)
    WL_RETURN_IF_ERROR(WriteText(ScriptPath(o, "patrol" + std::to_string(k + 1)),
                                 "{\"actors\": [" + actors[k] + "]}\n"));
  return Status::Ok();
}

std::string DemoConfigYaml(const DemoOptions& o) {
  std::ostringstream y;
  y.setf(std::ios::fixed);
  y.precision(1);
  y << "# watchline demo site: a simulated river border (generated; see `watchline demo --help`)\n";
  y << "site: {name: demo-river, data_dir: \"" << o.data_dir << "\"}\n";
  y << "perimeter: {geojson: \"" << std::filesystem::absolute(PerimeterPath(o)).string()
    << "\", inside: left}\n";
  y << "cameras:\n";
  const double m_per_deg_lon = MetresPerDegLon();
  for (int i = 0; i < o.cameras; ++i) {
    // Cameras every border_km / cameras along a gently winding river that runs
    // east; each stands on the north bank and looks east along the water, so
    // neighbours overlap a little and the stretch just below each camera is a
    // short gap: the live coverage panel has something to show.
    const double x = i * o.border_km * 1000 / o.cameras;
    const double north = RiverNorth(x) + kCameraSetbackM;
    const double aim_x = x + kAimAheadM;
    const double heading =
        std::fmod(std::atan2(kAimAheadM, RiverNorth(aim_x) - north) * 180 / kPi + 360, 360);
    char id[8];
    std::snprintf(id, sizeof id, "c%02d", i + 1);
    std::ostringstream src;
    src << "sim://river?seed=" << (101 + i) << "&people=" << (3 + i % 3);
    if (i % 4 == 3) src << "&night=1";
    if (i == 6) src << "&fail=offline&fail_at=40&fail_for=30";  // one camera that fails
    if (i == 11) src << "&tamper=cover&tamper_at=60&tamper_for=40";  // one that is tampered with
    // Guard duty: the post's camera and the patrol's cameras see only their
    // scripted guard and patrol (a stranger in a checkpoint zone would count).
    int patrol_k = -1;
    for (int k = 0; k < 3; ++k)
      if (kDemoPatrolCameras[k] == i) patrol_k = k;
    if (i == kDemoPostCamera) {
      src.str("");
      src << "sim://post?seed=" << (101 + i) << "&people=0&vehicles=0&script=" << ScriptPath(o, "guard");
    } else if (patrol_k >= 0) {
      src.str("");
      src << "sim://patrol?seed=" << (101 + i) << "&people=0&vehicles=0&script="
          << ScriptPath(o, "patrol" + std::to_string(patrol_k + 1));
    }
    y << "  - id: " << id << "\n";
    y << "    source: \"" << src.str() << "\"\n";
    y << "    analysis: {width: " << o.analysis_width << ", fps: " << o.analysis_fps << "}\n";
    y.precision(6);
    y << "    position: {lat: " << kLat0 + north / kMetresPerDegLat
      << ", lon: " << kLon0 + x / m_per_deg_lon;
    y.precision(1);
    y << ", height_m: 8, heading_deg: " << heading << ", hfov_deg: 40, tilt_deg: 8, range_m: "
      << kRangeM << "}\n";
    y << "    ingest: {offline_after_s: 3}\n";
    y << "    lines: [{id: border, points: [[0.05, 0.62], [0.95, 0.55]], classes: [person, vehicle, boat]}]\n";
  }
  if (o.cameras > kDemoPatrolCameras[2]) {
    char post[8], cp[3][8];
    std::snprintf(post, sizeof post, "c%02d", kDemoPostCamera + 1);
    for (int k = 0; k < 3; ++k) std::snprintf(cp[k], sizeof cp[k], "c%02d", kDemoPatrolCameras[k] + 1);
    y << "posts:\n"
         "  - id: bridge-post\n"
         "    camera: " << post << "\n"
         "    zone: [[0.35, 0.66], [0.65, 0.66], [0.65, 0.92], [0.35, 0.92]]\n"
         "    schedule: {tz: UTC, shifts: [{days: daily, start: \"00:00\", end: \"00:00\"}]}\n"
         "    vacant_s: 60\n"
         "    still_s: 90\n"
         "patrols:\n"
         "  - id: river-round\n"
         "    tz: UTC\n"
         "    starts: [";
    for (int m = 0; m < 24 * 60; m += static_cast<int>(kDemoPatrolEveryS / 60)) {
      char hhmm[16];
      std::snprintf(hhmm, sizeof hhmm, "%s\"%02d:%02d\"", m ? ", " : "", m / 60, m % 60);
      y << hhmm;
    }
    y << "]\n"
         "    checkpoints:\n"
         "      - {id: cp-west, camera: " << cp[0] << ", zone: [[0.1, 0.68], [0.3, 0.68], [0.3, 0.9], [0.1, 0.9]], within_s: 120}\n"
         "      - {id: cp-pump, camera: " << cp[1] << ", line: [[0.8, 0.65], [0.8, 0.98]], within_s: 300}\n"
         "      - {id: cp-east, camera: " << cp[2] << ", zone: [[0.7, 0.68], [0.9, 0.68], [0.9, 0.9], [0.7, 0.9]], within_s: 480}\n";
  }
  return y.str();
}

}  // namespace watchline::engine
