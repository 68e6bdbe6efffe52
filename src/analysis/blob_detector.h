// Blob extraction: from a working-resolution foreground mask to object
// candidates in analysis-pixel coordinates.
//
// ContourBlobDetector cleans the mask with a 3x3 open (drops speckle) and a
// 3x3 close (joins the parts of one body), then takes the outer contours of
// the 8-connected regions (cv::findContours, RETR_EXTERNAL) and keeps those
// with at least min_area_frac of the frame in mask pixels inside their box.
// Contours rather than cv::connectedComponentsWithStats because on a mostly
// empty mask they cost ~15 us instead of ~300 us at 320x180: the labelling
// pass over every pixel was the largest single cost of the whole analysis.
// The cleaned mask is what the analyzer reports as its foreground.
// Thread safety: not thread safe; one instance per camera.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace watchline::analysis {

struct Blob {
  cv::Rect2d box;   // analysis pixels
  double area = 0;  // mask pixels inside the box, in analysis pixels (working x scale^2)
};

class BlobDetector {
 public:
  virtual ~BlobDetector() = default;
  // fg: CV_8UC1 0/255 working-resolution mask; cleaned in place.
  virtual std::vector<Blob> Detect(cv::Mat* fg) = 0;
};

class ContourBlobDetector : public BlobDetector {
 public:
  // work: size of the masks passed to Detect; analysis: the size that blob
  // coordinates are reported in. min_area_frac: smallest blob, fraction of the
  // frame area.
  ContourBlobDetector(cv::Size work, cv::Size analysis, double min_area_frac);
  std::vector<Blob> Detect(cv::Mat* fg) override;

 private:
  cv::Size work_;
  double sx_, sy_;
  int min_area_work_;  // working pixels
  cv::Mat kernel_, tmp_;
  std::vector<std::vector<cv::Point>> contours_;
};

}  // namespace watchline::analysis
