// Blob extraction: from a working-resolution foreground mask to object
// candidates in analysis-pixel coordinates.
//
// ComponentBlobDetector cleans the mask with a 3x3 open (drops speckle) and a
// 3x3 close (joins the parts of one body), then labels 8-connected components
// with cv::connectedComponentsWithStats and keeps those of at least
// min_area_frac of the frame. The cleaned mask is what the analyzer reports as
// its foreground.
// Thread safety: not thread safe; one instance per camera.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace watchline::analysis {

struct Blob {
  cv::Rect2d box;        // analysis pixels
  cv::Point2d centroid;  // analysis pixels, centre of mass of the mask pixels
  double area = 0;       // mask pixels, in analysis pixels (working pixels x scale^2)
};

class BlobDetector {
 public:
  virtual ~BlobDetector() = default;
  // fg: CV_8UC1 0/255 working-resolution mask; cleaned in place.
  virtual std::vector<Blob> Detect(cv::Mat* fg) = 0;
};

class ComponentBlobDetector : public BlobDetector {
 public:
  // work: size of the masks passed to Detect; analysis: the size that blob
  // coordinates are reported in. min_area_frac: smallest blob, fraction of the
  // frame area.
  ComponentBlobDetector(cv::Size work, cv::Size analysis, double min_area_frac);
  std::vector<Blob> Detect(cv::Mat* fg) override;

 private:
  cv::Size work_;
  double sx_, sy_;
  int min_area_work_;  // working pixels
  cv::Mat kernel_, tmp_, labels_, stats_, centroids_;
};

}  // namespace watchline::analysis
