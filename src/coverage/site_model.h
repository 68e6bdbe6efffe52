// SiteModel: everything coverage needs from a config, built once: the
// perimeter, each positioned camera's spec and footprint, and the chainage
// intervals it watches (terrain line of sight applied when the perimeter has
// a DEM). `watchline coverage` and the engine's live coverage start here.
//
// Thread safety: immutable after BuildSiteModel; share it read-only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "coverage/coverage.h"
#include "geometry/dem.h"
#include "geometry/footprint.h"
#include "geometry/perimeter.h"

namespace watchline::coverage {

// Terrain checks along the line stop refining a boundary below this, metres.
constexpr double kLosBoundaryToleranceM = 0.01;

struct SiteModel {
  std::unique_ptr<geometry::Perimeter> perimeter;
  std::unique_ptr<geometry::Dem> dem;  // null: flat ground
  geometry::FootprintOptions footprint_options;
  // One entry per camera with a position, in config order.
  std::vector<geometry::CameraSpec> specs;
  std::vector<geometry::Footprint> footprints;
  std::vector<CameraIntervals> intervals;
  std::vector<bool> enabled;           // config `enabled`
  // Cameras left out, with the reason ("c7: no position").
  std::vector<std::string> skipped;
};

// Errors: InvalidArgument / NotFound naming the config, the GeoJSON or DEM
// file, or the camera; Internal for a GEOS failure.
Result<std::unique_ptr<SiteModel>> BuildSiteModel(const config::Config& config);

// Cuts from `intervals` the stretches where the terrain hides a point
// `target_height_m` above the line from the camera: checked every `step_m`,
// boundaries refined to kLosBoundaryToleranceM.
std::vector<Interval> ApplyLineOfSight(const geometry::Perimeter& perimeter,
                                       const geometry::Dem& dem,
                                       const geometry::CameraSpec& camera,
                                       const std::vector<Interval>& intervals,
                                       double target_height_m, double step_m);

}  // namespace watchline::coverage
