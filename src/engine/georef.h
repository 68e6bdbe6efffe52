// CameraGeoref: a calibrated camera's link to the map. From the camera's
// calibration points it fits the image<->ground homography; with it, each
// detection event gets the map position of its foot point, and - when the
// site has a perimeter - the camera's tripwire is the perimeter projected into
// its image (no line drawn by hand), oriented so that "in" means crossing
// toward the protected side.
//
// Thread safety: immutable after Create; Apply may be called from any thread.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "analysis/camera_analyzer.h"
#include "base/status.h"
#include "config/config.h"
#include "events/event.h"
#include "geometry/homography.h"
#include "geometry/local_frame.h"
#include "geometry/perimeter.h"

namespace watchline::engine {

// The site's perimeter, or null when the config has none. Errors name the file.
Result<std::shared_ptr<geometry::Perimeter>> LoadSitePerimeter(const config::Config& cfg);

class CameraGeoref {
 public:
  // Null (and ok) when the camera has no calibration. `perimeter` may be null.
  // Errors (a calibration that cannot be fitted) name the camera.
  static Result<std::unique_ptr<CameraGeoref>> Create(
      const config::CameraConfig& cam, std::shared_ptr<geometry::Perimeter> perimeter);

  // The perimeter as this camera sees it, as line rules with id "perimeter"
  // (empty without a perimeter or when the camera does not see it).
  const std::vector<config::LineRule>& tripwires() const { return tripwires_; }
  const geometry::Homography& homography() const { return homography_; }

  // Sets e->position to the lat/lon of the foot point of e->box (bottom
  // centre) and writes the object's real size and, given its image velocity
  // at the event (analysis pixels per second, CameraAnalyzer::VelocityAt),
  // its ground speed into e->detail ("height 1.7 m, width 0.5 m, speed 1.4
  // m/s"). `image` is the analysis size in pixels.
  void Apply(events::Event* e, cv::Size image, std::optional<cv::Point2d> velocity) const;

 private:
  CameraGeoref(geometry::Homography h, std::shared_ptr<geometry::Perimeter> perimeter,
               std::unique_ptr<geometry::LocalFrame> own_frame)
      : homography_(std::move(h)), perimeter_(std::move(perimeter)),
        own_frame_(std::move(own_frame)) {}
  const geometry::LocalFrame& frame() const {
    return perimeter_ ? perimeter_->frame() : *own_frame_;
  }

  geometry::Homography homography_;
  std::shared_ptr<geometry::Perimeter> perimeter_;
  std::unique_ptr<geometry::LocalFrame> own_frame_;  // when there is no perimeter
  std::vector<config::LineRule> tripwires_;
};

// Adds the camera's perimeter tripwires to a copy of its config (what the
// analyzer should run with).
config::CameraConfig WithTripwires(config::CameraConfig cam, const CameraGeoref* geo);

}  // namespace watchline::engine
