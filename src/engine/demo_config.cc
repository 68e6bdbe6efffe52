#include "engine/demo_config.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace watchline::engine {

namespace {
constexpr double kLat0 = 40.10;
constexpr double kLon0 = 124.40;
constexpr double kMetresPerDegLat = 111320.0;
constexpr double kPi = 3.14159265358979323846;
}  // namespace

std::string DemoConfigYaml(const DemoOptions& o) {
  std::ostringstream y;
  y.setf(std::ios::fixed);
  y << "# watchline demo site: a simulated river border (generated; see `watchline demo --help`)\n";
  y << "site: {name: demo-river, data_dir: \"" << o.data_dir << "\"}\n";
  y << "cameras:\n";
  const double m_per_deg_lon = kMetresPerDegLat * std::cos(kLat0 * kPi / 180);
  for (int i = 0; i < o.cameras; ++i) {
    // Cameras every border_km / cameras along a gently winding river that runs
    // east; each stands on the north bank and looks south across the water.
    const double x = (i + 0.5) * o.border_km * 1000 / o.cameras;
    const double north = 35 + 120 * std::sin(x / 1400.0);
    char id[8];
    std::snprintf(id, sizeof id, "c%02d", i + 1);
    std::ostringstream src;
    src << "sim://river?seed=" << (101 + i) << "&people=" << (3 + i % 3);
    if (i % 4 == 3) src << "&night=1";
    if (i == 6) src << "&fail=offline&fail_at=40&fail_for=30";  // one camera that fails
    y << "  - id: " << id << "\n";
    y << "    source: \"" << src.str() << "\"\n";
    y << "    analysis: {width: " << o.analysis_width << ", fps: " << o.analysis_fps << "}\n";
    y.precision(6);
    y << "    position: {lat: " << kLat0 + north / kMetresPerDegLat
      << ", lon: " << kLon0 + x / m_per_deg_lon;
    y.precision(1);
    y << ", height_m: 8, heading_deg: 180, hfov_deg: 60, tilt_deg: 8}\n";
    y << "    ingest: {offline_after_s: 3}\n";
    y << "    lines: [{id: border, points: [[0.05, 0.62], [0.95, 0.55]], classes: [person, vehicle, boat]}]\n";
  }
  return y.str();
}

}  // namespace watchline::engine
