// Camera footprints: the ground a camera watches usefully, as a polygon in
// the local frame (docs/coverage.md).
//
// - With `range_m` fixed: the circular sector heading ± hfov/2 from the camera
//   out to range_m (the DESIGN.md contract).
// - Otherwise, a pinhole camera's view of flat ground: the four sides of the
//   image bound it (the near limit comes from the tilt and the vertical field
//   of view, the far limit from the horizon), and the IEC 62676-4 DORI pixel
//   density bounds its depth: a point at depth z along the optical axis is
//   seen at f_px / z pixels per metre, f_px = (width/2) / tan(hfov/2), so the
//   chosen level holds up to z_max = f_px / density. On flat ground that limit
//   is a straight line across the view.
// - Fields of view wider than kMaxPinholeHfovDeg (panoramic, fisheye) are
//   modelled as an annular sector with equiangular pixels.
//
// All lengths are true metres; polygons are scaled by the frame's scale factor
// at the camera so they are right in frame metres.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "geometry/camera_model.h"
#include "geometry/local_frame.h"

namespace watchline::geometry {

// IEC 62676-4 levels and their densities on the target, pixels per metre.
enum class DoriLevel { kDetect, kObserve, kRecognise, kIdentify };
double PixelsPerMetre(DoriLevel level);  // 25, 62.5, 125, 250
std::string_view DoriName(DoriLevel level);
Result<DoriLevel> ParseDoriLevel(std::string_view name);

// Wider than this, a lens is not modelled as a pinhole.
constexpr double kMaxPinholeHfovDeg = 170;
// Arcs are drawn with chords whose sagitta is at most this, metres.
constexpr double kArcToleranceM = 0.01;
// A view that reaches the horizon is cut at this distance, metres.
constexpr double kMaxFootprintRangeM = 20000;

struct CameraSpec {
  std::string id;
  Vec2 position;             // local frame
  double height_m = 6;       // above the ground
  double heading_deg = 0;    // compass bearing of the optical axis
  double tilt_deg = 10;      // downward
  CameraOptics optics;
  std::optional<double> range_m;  // fixed useful range, true metres
  double frame_scale = 1;    // frame metres per true metre at the camera
};

struct FootprintOptions {
  DoriLevel dori = DoriLevel::kDetect;
  double person_width_m = 0.5;
  double arc_tolerance_m = kArcToleranceM;
  double max_range_m = kMaxFootprintRangeM;
};

struct Footprint {
  std::string camera_id;
  std::vector<Vec2> polygon;  // local frame, counter-clockwise, not closed; empty: sees no ground
  double near_m = 0;          // true metres from the camera's foot along the heading, nearest ...
  double far_m = 0;           // ... and farthest useful ground
  double dori_depth_m = 0;    // depth along the axis where the density falls to the level (0 if fixed)
  double px_per_person = 0;   // pixels across a person at that depth (density x person width)
  bool fixed_range = false;
};

// Errors: InvalidArgument for impossible optics (no pixels, no field of view).
Result<Footprint> BuildFootprint(const CameraSpec& camera, const FootprintOptions& options);

// The spec of a configured camera in a frame (position, optics, range).
// Requires camera.position. Errors name the camera.
Result<CameraSpec> SpecFor(const config::CameraConfig& camera, const LocalFrame& frame,
                           const std::string& file);

}  // namespace watchline::geometry
