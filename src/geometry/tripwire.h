// Tripwires derived from the global perimeter: the part of the line a
// calibrated camera sees, projected into its image, as config::LineRule
// polylines ready for the line-crossing rule. No line is drawn by hand.
//
// Each polyline's direction is chosen so that, with the DESIGN.md side
// function s(q) = (b.x-a.x)(q.y-a.y) - (b.y-a.y)(q.x-a.x), the inside of the
// perimeter is where s > 0: a crossing toward the inside is "in".
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "geometry/homography.h"
#include "geometry/perimeter.h"

namespace watchline::geometry {

// Only the part of the line within this many metres of the camera is used by
// default: beyond it a person is a few pixels and the line hugs the horizon.
constexpr double kDefaultTripwireRangeM = 500;
// Image pieces shorter than this (normalised units) are dropped.
constexpr double kMinTripwireImageLength = 0.01;

struct TripwireOptions {
  std::string rule_id = "perimeter";   // id of the first polyline; more get "-2", "-3", ...
  std::vector<std::string> classes;    // copied into each rule (empty: all)
  double max_range_m = kDefaultTripwireRangeM;
  // Centre of that range in the frame; default: the ground under the bottom
  // centre of the image (where the camera's view starts).
  std::optional<Vec2> camera_position;
  // The image region used, normalised (default the whole frame).
  double x0 = 0, y0 = 0, x1 = 1, y1 = 1;
};

// The perimeter as this camera sees it. An empty list when the camera sees no
// part of the line. Error: InvalidArgument when no range centre can be found.
Result<std::vector<config::LineRule>> TripwireForCamera(const Perimeter& perimeter,
                                                        const Homography& homography,
                                                        const TripwireOptions& options = {});

}  // namespace watchline::geometry
