#include "geometry/homography.h"

#include <cmath>

#include <opencv2/calib3d.hpp>

namespace watchline::geometry {
namespace {

constexpr size_t kMinPoints = 4;
// RANSAC iterations and confidence (OpenCV's defaults are 2000 and 0.995).
constexpr int kRansacIterations = 2000;
constexpr double kRansacConfidence = 0.999;
// |w| below this share of the calibration points' typical |w| is the horizon.
constexpr double kHorizonMargin = 1e-6;

}  // namespace

Result<Homography> Homography::Fit(const std::vector<config::CalibrationPoint>& points,
                                   const LocalFrame& frame, const std::string& who) {
  return Fit(points, frame, who, Options{});
}

Result<Homography> Homography::Fit(const std::vector<config::CalibrationPoint>& points,
                                   const LocalFrame& frame, const std::string& who,
                                   const Options& options) {
  std::vector<cv::Point2d> image;
  std::vector<Vec2> ground;
  for (const auto& p : points) {
    image.push_back({p.px.x, p.px.y});
    ground.push_back(frame.ToLocal({p.lat, p.lon}));
  }
  return FitLocal(image, ground, who, options);
}

Result<Homography> Homography::FitLocal(const std::vector<cv::Point2d>& image,
                                        const std::vector<Vec2>& ground, const std::string& who,
                                        const Options& options) {
  if (image.size() != ground.size() || image.size() < kMinPoints)
    return Status::InvalidArgument(who + ": calibration needs at least 4 points, got " +
                                   std::to_string(std::min(image.size(), ground.size())));
  // Fit ground -> image so the RANSAC threshold is in image units, where the
  // measurement noise is; centre the ground points for conditioning.
  Vec2 c;
  for (const Vec2& g : ground) c = c + g;
  c = c * (1.0 / ground.size());
  std::vector<cv::Point2d> src, dst = image;
  for (const Vec2& g : ground) src.push_back({g.x - c.x, g.y - c.y});
  cv::Mat mask;
  cv::Mat H;
  try {
    H = cv::findHomography(src, dst, cv::RANSAC, options.ransac_threshold, mask,
                           kRansacIterations, kRansacConfidence);
  } catch (const cv::Exception& e) {
    return Status::InvalidArgument(who + ": calibration fit failed: " + e.what());
  }
  if (H.empty())
    return Status::InvalidArgument(
        who + ": calibration points are degenerate (are 3 of them on one line, or repeated?)");
  const cv::Matx33d shift(1, 0, -c.x, 0, 1, -c.y, 0, 0, 1);
  Homography h;
  h.gnd2img_ = cv::Matx33d(H) * shift;
  h.img2gnd_ = h.gnd2img_.inv();
  if (!std::isfinite(h.img2gnd_(2, 2)) || std::abs(cv::determinant(h.gnd2img_)) == 0)
    return Status::InvalidArgument(who + ": calibration gives a singular homography");

  // Which sign of w means "in front": the one the inliers share.
  int inliers = 0;
  double wsum = 0;
  for (size_t i = 0; i < ground.size(); ++i) {
    if (!mask.empty() && !mask.at<uchar>(static_cast<int>(i))) continue;
    const cv::Vec3d q = h.gnd2img_ * cv::Vec3d(ground[i].x, ground[i].y, 1);
    wsum += q[2];
    ++inliers;
  }
  if (inliers < static_cast<int>(kMinPoints))
    return Status::InvalidArgument(who + ": only " + std::to_string(inliers) +
                                   " calibration points agree with each other; need 4");
  h.front_sign_ = wsum >= 0 ? 1 : -1;

  double sum2 = 0;
  for (size_t i = 0; i < ground.size(); ++i) {
    const bool in = mask.empty() || mask.at<uchar>(static_cast<int>(i));
    h.inliers_.push_back(in);
    auto g = h.ImageToGround(image[i]);
    const double e = g ? Norm(*g - ground[i]) : std::numeric_limits<double>::infinity();
    h.errors_m_.push_back(e);
    if (in) {
      sum2 += e * e;
      h.max_error_m_ = std::max(h.max_error_m_, e);
    }
  }
  h.rms_error_m_ = std::sqrt(sum2 / inliers);
  return h;
}

int Homography::inlier_count() const {
  int n = 0;
  for (bool b : inliers_) n += b;
  return n;
}

double Homography::FrontValue(Vec2 g) const {
  const cv::Vec3d q = gnd2img_ * cv::Vec3d(g.x, g.y, 1);
  return front_sign_ * q[2];
}

std::optional<Vec2> Homography::ImageToGround(cv::Point2d px) const {
  const cv::Vec3d g = img2gnd_ * cv::Vec3d(px.x, px.y, 1);
  if (!(std::abs(g[2]) > 0)) return std::nullopt;
  const Vec2 out{g[0] / g[2], g[1] / g[2]};
  // Pixels above the horizon map to the ground behind the camera.
  const cv::Vec3d back = gnd2img_ * cv::Vec3d(out.x, out.y, 1);
  const double scale = std::abs(gnd2img_(2, 2)) + std::abs(gnd2img_(2, 0)) * std::abs(out.x) +
                       std::abs(gnd2img_(2, 1)) * std::abs(out.y);
  if (front_sign_ * back[2] <= kHorizonMargin * scale) return std::nullopt;
  return out;
}

std::optional<cv::Point2d> Homography::GroundToImage(Vec2 gp) const {
  const cv::Vec3d q = gnd2img_ * cv::Vec3d(gp.x, gp.y, 1);
  if (front_sign_ * q[2] <= 0) return std::nullopt;
  return cv::Point2d(q[0] / q[2], q[1] / q[2]);
}

std::optional<cv::Point2d> Homography::MetresPerUnitAt(cv::Point2d px) const {
  constexpr double kStep = 1e-3;
  auto g0 = ImageToGround(px);
  auto gx = ImageToGround({px.x + kStep, px.y});
  auto gy = ImageToGround({px.x, px.y + kStep});
  if (!g0 || !gx || !gy) return std::nullopt;
  return cv::Point2d(Norm(*gx - *g0) / kStep, Norm(*gy - *g0) / kStep);
}

std::optional<ObjectSize> MeasureObject(const Homography& h, const cv::Rect2d& box,
                                        double aspect) {
  const double y = box.y + box.height;
  auto left = h.ImageToGround({box.x, y});
  auto right = h.ImageToGround({box.x + box.width, y});
  auto foot = h.ImageToGround({box.x + box.width / 2, y});
  auto scale = h.MetresPerUnitAt({box.x + box.width / 2, y});
  if (!left || !right || !foot || !scale || !(aspect > 0)) return std::nullopt;
  ObjectSize s;
  s.width_m = Norm(*right - *left);
  // Metres per pixel across the view at the foot, times the box's height in
  // pixels (normalised height x frame height = x units / aspect).
  s.height_m = scale->x * box.height / aspect;
  s.foot = *foot;
  return s;
}

std::optional<double> GroundSpeedMps(const Homography& h, cv::Point2d foot0, double t0_s,
                                     cv::Point2d foot1, double t1_s) {
  if (!(t1_s > t0_s)) return std::nullopt;
  auto a = h.ImageToGround(foot0), b = h.ImageToGround(foot1);
  if (!a || !b) return std::nullopt;
  return Norm(*b - *a) / (t1_s - t0_s);
}

}  // namespace watchline::geometry
