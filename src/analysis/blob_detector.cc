#include "analysis/blob_detector.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace watchline::analysis {

ContourBlobDetector::ContourBlobDetector(cv::Size work, cv::Size analysis, double min_area_frac)
    : work_(work),
      sx_(double(analysis.width) / work.width),
      sy_(double(analysis.height) / work.height),
      min_area_work_(std::max(1, static_cast<int>(std::lround(min_area_frac * work.area())))),
      kernel_(cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3))),
      leg_kernel_(cv::Mat::ones(kLegPx + 1, 1, CV_8U)) {}

std::vector<Blob> ContourBlobDetector::Detect(cv::Mat* fg, double t) {
  std::vector<Blob> out;
  // An empty mask (the common case) needs no cleaning or contours.
  if (cv::countNonZero(*fg) == 0) {
    prev_.release();
    return out;
  }
  // Open for the regions that survive it (steady edges, so the foot of a
  // still person does not jitter); the median adds back, away from them, the
  // thin ones the open erases.
  cv::morphologyEx(*fg, tmp_, cv::MORPH_OPEN, kernel_);
  // Legs and feet: mask pixels up to kLegPx below an opened region.
  cv::dilate(tmp_, below_, leg_kernel_, cv::Point(0, kLegPx));
  cv::bitwise_and(below_, *fg, below_);
  cv::medianBlur(*fg, thin_, 3);
  cv::dilate(tmp_, near_, kernel_, cv::Point(-1, -1), kNearOpenPx);
  cv::subtract(thin_, near_, thin_);
  cv::bitwise_or(tmp_, thin_, tmp_);
  cv::bitwise_or(tmp_, below_, tmp_);
  cv::morphologyEx(tmp_, *fg, cv::MORPH_CLOSE, kernel_);
  const bool have_prev = !prev_.empty();
  if (have_prev) cv::dilate(prev_, prev_grown_, kernel_);
  fg->copyTo(prev_);
  const double small_area = kPersistSmallFactor * min_area_work_;
  cv::findContours(*fg, contours_, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  // Each region's box and its pixels on the previous frame's grown mask,
  // once: the clutter count and the persistence test both use them.
  regions_.clear();
  int transient = 0;  // regions (of any size) with no pixel on that mask
  for (const auto& c : contours_) {
    Region g{cv::boundingRect(c), 0};
    if (have_prev) {
      cv::bitwise_and((*fg)(g.box), prev_grown_(g.box), overlap_);
      g.on_prev = cv::countNonZero(overlap_);
      if (g.on_prev == 0) ++transient;
    }
    regions_.push_back(g);
  }
  // Clutter, smoothed over kClutterTimeS, raises the minimum area.
  const double dt = last_t_ < 0 ? 0 : std::max(0.0, t - last_t_);
  last_t_ = t;
  const double a = 1 - std::exp(-dt / kClutterTimeS);
  clutter_ = have_prev ? clutter_ + a * (transient - clutter_) : clutter_;
  area_scale_ = std::clamp(1 + (clutter_ - kClutterKnee) / kClutterPerStep, 1.0, kMaxClutterScale);
  const int min_area = static_cast<int>(std::lround(min_area_work_ * area_scale_));
  for (const Region& g : regions_) {
    const cv::Rect& r = g.box;
    if (r.area() < min_area) continue;
    // Pixels of the box, not only of this region: a small region inside a
    // large one's box is counted with it, which is harmless for a size filter.
    const int pixels = cv::countNonZero((*fg)(r));
    if (pixels < min_area) continue;
    if (pixels < small_area && (!have_prev || g.on_prev < kPersistOverlap * pixels)) continue;
    Blob b;
    b.box = cv::Rect2d(r.x * sx_, r.y * sy_, r.width * sx_, r.height * sy_);
    b.area = pixels * sx_ * sy_;
    out.push_back(b);
  }
  return out;
}

}  // namespace watchline::analysis
