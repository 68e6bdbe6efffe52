// The embedded demo site: a simulated river border of about 10 km watched by
// simulated cameras (sim:// sources), with people crossing and one camera that
// fails now and then. Needs no camera and no network.
#pragma once

#include <string>

namespace watchline::engine {

struct DemoOptions {
  int cameras = 20;
  double border_km = 10;
  std::string data_dir = "./var/demo";
  int analysis_width = 640;
  double analysis_fps = 5;
};

// The demo site as config YAML text (parse it with config::ParseConfig).
std::string DemoConfigYaml(const DemoOptions& o);

}  // namespace watchline::engine
