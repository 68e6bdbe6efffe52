#include "engine/demo_config.h"

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
  return y.str();
}

}  // namespace watchline::engine
