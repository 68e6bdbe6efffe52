#include "geometry/camera_model.h"

#include <cmath>

namespace watchline::geometry {
namespace {
constexpr double kDegToRad = 3.14159265358979323846 / 180;
}  // namespace

double VerticalFov(const CameraOptics& o) {
  if (o.vfov_deg > 0) return o.vfov_deg;
  const double h = std::tan(o.hfov_deg * kDegToRad / 2) * o.height_px / o.width_px;
  return 2 * std::atan(h) / kDegToRad;
}

const std::vector<CameraModel>& CameraCatalogue() {
  // Typical perimeter cameras. Fields of view are those of common lenses on
  // these sensors; heights and tilts are what installers use on masts.
  static const std::vector<CameraModel> kModels = {
      {"bullet-1080p-90", "1080p bullet, 2.8 mm wide lens", {1920, 1080, 90, 0}, 4, 15},
      {"bullet-1080p-60", "1080p bullet, 4 mm lens", {1920, 1080, 60, 0}, 6, 8},
      {"bullet-1080p-30", "1080p bullet, 8 mm lens", {1920, 1080, 30, 0}, 8, 4},
      {"bullet-4k-30", "4K bullet, 12 mm lens", {3840, 2160, 30, 0}, 10, 3},
      {"bullet-4k-15", "4K long-range, 25 mm lens", {3840, 2160, 15, 0}, 12, 2},
      {"thermal-640-25", "640x512 thermal, 25 mm", {640, 512, 25, 0}, 8, 3},
      {"thermal-640-12", "640x512 thermal, 50 mm", {640, 512, 12.4, 0}, 10, 1.5},
  };
  return kModels;
}

Result<CameraModel> FindCameraModel(std::string_view name) {
  std::string names;
  for (const CameraModel& m : CameraCatalogue()) {
    if (m.name == name) return m;
    names += (names.empty() ? "" : ", ") + std::string(m.name);
  }
  return Status::NotFound("unknown camera model '" + std::string(name) + "' (known: " + names +
                          ")");
}

Result<CameraOptics> OpticsFor(const config::CameraConfig& camera, const std::string& file) {
  CameraOptics o;
  if (!camera.position) return o;
  const config::PositionConfig& p = *camera.position;
  if (!p.model.empty()) {
    auto m = FindCameraModel(p.model);
    if (!m.ok())
      return Status::InvalidArgument(file + ":" + std::to_string(camera.line) + ": camera '" +
                                     camera.id + "': " + m.status().message());
    o = m->optics;
  } else if (p.resolution) {
    o.width_px = (*p.resolution)[0];
    o.height_px = (*p.resolution)[1];
  }
  if (p.model.empty() || p.hfov_given) {
    // A lens written in the config wins; the vertical angle then follows it
    // unless given too.
    o.hfov_deg = p.hfov_deg;
    o.vfov_deg = 0;
  }
  if (p.vfov_deg) o.vfov_deg = *p.vfov_deg;
  return o;
}

}  // namespace watchline::geometry
