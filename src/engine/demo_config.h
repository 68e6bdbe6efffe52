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
};

// The demo site as config YAML text (parse it with config::ParseConfig). Its
// perimeter is <data_dir>/border.geojson: write it first (WriteDemoPerimeter).
std::string DemoConfigYaml(const DemoOptions& o);

// The river border as a GeoJSON LineString (WGS84 lon/lat), west to east;
// the protected side is the north bank, on the left.
std::string DemoPerimeterGeoJson(const DemoOptions& o);

// Creates data_dir and writes border.geojson into it.
Status WriteDemoPerimeter(const DemoOptions& o);

}  // namespace watchline::engine
