// Camera optics: the built-in catalogue of camera models (used by the config's
// `position.model` and `watchline plan --camera-model`) and the resolution of
// a configured camera's optics from its position block.
//
// Thread safety: pure functions over constant data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/config.h"

namespace watchline::geometry {

// What the footprint needs to know about a camera's sensor and lens.
struct CameraOptics {
  int width_px = 1920;
  int height_px = 1080;
  double hfov_deg = 60;
  double vfov_deg = 0;  // 0: derived from hfov_deg and the aspect ratio (square pixels)
};

// A catalogue entry: optics plus the mounting the planner assumes for it.
struct CameraModel {
  std::string_view name;
  std::string_view description;
  CameraOptics optics;
  double height_m = 6;   // typical mast height
  double tilt_deg = 5;   // typical downward tilt
};

// The vertical field of view: `vfov_deg` when set, else from the horizontal
// one and the aspect ratio.
double VerticalFov(const CameraOptics& o);

const std::vector<CameraModel>& CameraCatalogue();
// The catalogue entry named `name`; NotFound lists the known names.
Result<CameraModel> FindCameraModel(std::string_view name);

// Optics of a configured camera: the model's resolution and vfov when
// `position.model` is set, else `position.resolution` (default 1920x1080);
// hfov_deg from the position when written there, else the model's. Error
// names the camera and its line.
Result<CameraOptics> OpticsFor(const config::CameraConfig& camera, const std::string& file);

}  // namespace watchline::geometry
