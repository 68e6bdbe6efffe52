// The embedded demo site: a simulated river border of about 10 km watched by
// simulated cameras (sim:// sources), with people crossing and one camera that
// fails now and then. Needs no camera and no network.
#pragma once

#include <string>

#include "base/status.h"

namespace watchline::engine {

struct DemoOptions {
  int cameras = 20;
  double border_km = 10;
  std::string data_dir = "./var/demo";
  int analysis_width = 640;
  double analysis_fps = 5;
  // Guard duty: the demo's patrol runs start every kDemoPatrolEveryS of wall
  // time; the scripted patrol walker is timed from this moment (the engine's
  // start, epoch seconds; 0 = now).
  double start_wall = 0;
};

// The demo's patrol starts a run every 10 minutes.
inline constexpr double kDemoPatrolEveryS = 600;
// Cameras of the guard duty story (0-based): the post, and the patrol's three checkpoints.
inline constexpr int kDemoPostCamera = 2;
inline constexpr int kDemoPatrolCameras[3] = {1, 4, 5};

// Writes the scripted guard and patrol walkers (sim scripts) into data_dir.
// Uses o.start_wall to time the patrol; call it with the same options as
// DemoConfigYaml.
Status WriteDemoScripts(const DemoOptions& o);

// The demo site as config YAML text (parse it with config::ParseConfig). Its
// perimeter is <data_dir>/border.geojson: write it first (WriteDemoPerimeter).
std::string DemoConfigYaml(const DemoOptions& o);

// The river border as a GeoJSON LineString (WGS84 lon/lat), west to east;
// the protected side is the north bank, on the left.
std::string DemoPerimeterGeoJson(const DemoOptions& o);

// Creates data_dir and writes border.geojson into it.
Status WriteDemoPerimeter(const DemoOptions& o);

}  // namespace watchline::engine
