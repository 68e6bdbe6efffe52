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
      kernel_(cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3))) {}

std::vector<Blob> ContourBlobDetector::Detect(cv::Mat* fg) {
  std::vector<Blob> out;
  // An empty mask (the common case) needs no cleaning or contours.
  if (cv::countNonZero(*fg) == 0) return out;
  cv::morphologyEx(*fg, tmp_, cv::MORPH_OPEN, kernel_);
  cv::morphologyEx(tmp_, *fg, cv::MORPH_CLOSE, kernel_);
  cv::findContours(*fg, contours_, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  for (const auto& c : contours_) {
    const cv::Rect r = cv::boundingRect(c);
    if (r.area() < min_area_work_) continue;
    // Pixels of the box, not only of this region: a small region inside a
    // large one's box is counted with it, which is harmless for a size filter.
    const int pixels = cv::countNonZero((*fg)(r));
    if (pixels < min_area_work_) continue;
    Blob b;
    b.box = cv::Rect2d(r.x * sx_, r.y * sy_, r.width * sx_, r.height * sy_);
    b.area = pixels * sx_ * sy_;
    out.push_back(b);
  }
  return out;
}

}  // namespace watchline::analysis
