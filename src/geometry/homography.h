// Image <-> ground calibration of one camera: a homography between normalised
// image coordinates (0..1, x right, y down) and the ground plane in a
// LocalFrame, fitted robustly (OpenCV RANSAC, then least squares on the
// inliers) from 4 or more pixel <-> lat/lon points.
//
// With it a detection's foot point gets a map position, and two positions a
// real distance and speed. Pixels at or above the horizon have no ground
// position.
//
// Thread safety: immutable after Fit; const methods may be called from
// several threads at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/matx.hpp>
#include <opencv2/core/types.hpp>

#include "base/status.h"
#include "config/config.h"
#include "geometry/local_frame.h"

namespace watchline::geometry {

// RANSAC inlier threshold, in normalised image units (0.004 is about 8 px
// across a 1920-pixel frame).
constexpr double kRansacThresholdImage = 0.004;

class Homography {
 public:
  struct Options {
    double ransac_threshold = kRansacThresholdImage;
  };

  // Fits from configured points (pixel <-> lat/lon) in `frame`. `who` names
  // the camera in messages. Errors: InvalidArgument for fewer than 4 points,
  // degenerate points (3 on a line) or too few inliers.
  static Result<Homography> Fit(const std::vector<config::CalibrationPoint>& points,
                                const LocalFrame& frame, const std::string& who);
  static Result<Homography> Fit(const std::vector<config::CalibrationPoint>& points,
                                const LocalFrame& frame, const std::string& who,
                                const Options& options);
  // The same from image points and ground points already in the frame.
  static Result<Homography> FitLocal(const std::vector<cv::Point2d>& image,
                                     const std::vector<Vec2>& ground, const std::string& who,
                                     const Options& options);

  // Ground position of a normalised image point; none at or above the horizon.
  std::optional<Vec2> ImageToGround(cv::Point2d px) const;
  // Normalised image position of a ground point; none behind the camera.
  // (It may fall outside 0..1: off the frame.)
  std::optional<cv::Point2d> GroundToImage(Vec2 ground) const;
  // Value > 0 exactly for ground points in front of the camera (linear in the
  // point: its zero set is the ground line under the horizon).
  double FrontValue(Vec2 ground) const;

  // Ground metres covered by one normalised image unit around `px` (along x
  // and along y): the scale for a detection's real size.
  std::optional<cv::Point2d> MetresPerUnitAt(cv::Point2d px) const;

  // Fit quality, from each point's image position sent to the ground and
  // compared with its surveyed position, metres.
  double rms_error_m() const { return rms_error_m_; }
  double max_error_m() const { return max_error_m_; }
  // Per calibration point: error in metres and whether RANSAC kept it.
  const std::vector<double>& point_errors_m() const { return errors_m_; }
  const std::vector<bool>& inliers() const { return inliers_; }
  int inlier_count() const;

  // ground (frame metres) = image_to_ground * [x, y, 1] (homogeneous).
  const cv::Matx33d& image_to_ground() const { return img2gnd_; }
  const cv::Matx33d& ground_to_image() const { return gnd2img_; }

 private:
  Homography() = default;
  cv::Matx33d img2gnd_, gnd2img_;
  double front_sign_ = 1;  // sign of the ground->image w for points in view
  double rms_error_m_ = 0, max_error_m_ = 0;
  std::vector<double> errors_m_;
  std::vector<bool> inliers_;
};

// Real size of an upright object (a person, a vehicle) from its box in
// normalised image coordinates: the width is the bottom edge measured on the
// ground; the height uses the horizontal scale at the foot point (an upright
// object at that depth spans as many pixels per metre vertically as a ground
// line across the view does horizontally; exact for a level camera, low by
// cos(tilt) otherwise). `aspect` is the frame's width / height in pixels.
struct ObjectSize {
  double width_m = 0, height_m = 0;
  Vec2 foot;  // ground position of the bottom centre
};
std::optional<ObjectSize> MeasureObject(const Homography& h, const cv::Rect2d& box, double aspect);

// Ground speed between two foot points seen at two stream times, m/s; none
// when either is above the horizon or the times are not increasing.
std::optional<double> GroundSpeedMps(const Homography& h, cv::Point2d foot0, double t0_s,
                                     cv::Point2d foot1, double t1_s);

}  // namespace watchline::geometry
