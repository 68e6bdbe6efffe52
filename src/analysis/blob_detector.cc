#include "analysis/blob_detector.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace watchline::analysis {

ComponentBlobDetector::ComponentBlobDetector(cv::Size work, cv::Size analysis,
                                             double min_area_frac)
    : work_(work),
      sx_(double(analysis.width) / work.width),
      sy_(double(analysis.height) / work.height),
      min_area_work_(std::max(1, static_cast<int>(std::lround(min_area_frac * work.area())))),
      kernel_(cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3))) {}

std::vector<Blob> ComponentBlobDetector::Detect(cv::Mat* fg) {
  std::vector<Blob> out;
  // Nothing to clean or label in an empty mask (the common case): skip the
  // morphology and labelling passes entirely.
  if (cv::countNonZero(*fg) == 0) return out;
  cv::morphologyEx(*fg, tmp_, cv::MORPH_OPEN, kernel_);
  cv::morphologyEx(tmp_, *fg, cv::MORPH_CLOSE, kernel_);
  const int n = cv::connectedComponentsWithStats(*fg, labels_, stats_, centroids_, 8, CV_32S);
  for (int i = 1; i < n; ++i) {
    const int* s = stats_.ptr<int>(i);
    if (s[cv::CC_STAT_AREA] < min_area_work_) continue;
    Blob b;
    b.box = cv::Rect2d(s[cv::CC_STAT_LEFT] * sx_, s[cv::CC_STAT_TOP] * sy_,
                       s[cv::CC_STAT_WIDTH] * sx_, s[cv::CC_STAT_HEIGHT] * sy_);
    // Component centroids are pixel-centre based; +0.5 maps them to the
    // continuous coordinates the boxes use.
    const double* c = centroids_.ptr<double>(i);
    b.centroid = cv::Point2d((c[0] + 0.5) * sx_, (c[1] + 0.5) * sy_);
    b.area = s[cv::CC_STAT_AREA] * sx_ * sy_;
    out.push_back(b);
  }
  return out;
}

}  // namespace watchline::analysis
