// Blob extraction: from a working-resolution foreground mask to object
// candidates in analysis-pixel coordinates.
//
// ContourBlobDetector cleans the mask with a 3x3 open (drops speckle, keeps
// steady edges), adds back the mask's pixels up to kLegPx working pixels
// below an opened region (legs and feet: a distant person's legs are one
// working pixel wide, and without them the foot point, which the rules use,
// sat 2.5 px above the feet at 640x360 and distant crossings came up to 1 s
// off; only below, so the sides and top of a still guard do not flicker),
// adds back what a 3x3 median keeps of the mask more than
// kNearOpenPx working pixels away from the opened regions (the median also
// drops speckle and one-pixel lines, but keeps a target two working pixels
// wide, which the open erases: a person 15 px tall at 640x360 is 2-3 working
// pixels wide; it is not used next to large regions because it lets their
// edge pixels flicker, and the foot of a still guard with them), then a 3x3
// close (joins the parts of one body), and takes the outer
// contours of the 8-connected regions (cv::findContours, RETR_EXTERNAL) and
// keeps those with at least min_area_frac of the frame in mask pixels inside
// their box. Contours rather than cv::connectedComponentsWithStats because on
// a mostly empty mask they cost ~15 us instead of ~300 us at 320x180: the
// labelling pass over every pixel was the largest single cost of the whole
// analysis.
//
// Small blobs (under kPersistSmallFactor x the minimum area) must also have
// been there on the previous frame: at least kPersistOverlap of their pixels
// must fall on the previous frame's cleaned mask grown by one working pixel.
// A small real object moves less than its own size between frames; snow
// flakes, rain drops and sensor speckle do not stay put, so they are dropped
// before they can chain into tracks. Large blobs are never held back (a
// runner at 5 fps may move more than his width between frames).
// The cleaned mask is what the analyzer reports as its foreground.
// Thread safety: not thread safe; one instance per camera.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace watchline::analysis {

// Median-kept pixels this close (working pixels) to an opened region are not added.
inline constexpr int kNearOpenPx = 2;
// Mask pixels this far (working pixels) below an opened region are kept.
inline constexpr int kLegPx = 2;
// Blobs smaller than this many times the minimum area must persist (above).
inline constexpr double kPersistSmallFactor = 4;
// Share of a small blob's pixels that must lie on the previous frame's mask.
inline constexpr double kPersistOverlap = 0.8;

// Weather clutter raises the minimum area: with more than kClutterKnee
// transient regions per frame (smoothed over kClutterTimeS seconds), every
// kClutterPerStep more add the minimum area once more, up to kMaxClutterScale
// times.
inline constexpr double kClutterTimeS = 2;
inline constexpr double kClutterKnee = 10;
inline constexpr double kClutterPerStep = 4;
inline constexpr double kMaxClutterScale = 6;

struct Blob {
  cv::Rect2d box;   // analysis pixels
  double area = 0;  // mask pixels inside the box, in analysis pixels (working x scale^2)
};

class BlobDetector {
 public:
  virtual ~BlobDetector() = default;
  // fg: CV_8UC1 0/255 working-resolution mask; cleaned in place.
  // t: stream time in seconds, non-decreasing.
  virtual std::vector<Blob> Detect(cv::Mat* fg, double t) = 0;
};

class ContourBlobDetector : public BlobDetector {
 public:
  // work: size of the masks passed to Detect; analysis: the size that blob
  // coordinates are reported in. min_area_frac: smallest blob, fraction of the
  // frame area.
  ContourBlobDetector(cv::Size work, cv::Size analysis, double min_area_frac);
  std::vector<Blob> Detect(cv::Mat* fg, double t) override;
  // Transient regions per frame (smoothed): snow, rain, speckle.
  double clutter() const { return clutter_; }
  // The factor the minimum area is raised by because of clutter (1 = none).
  double area_scale() const { return area_scale_; }

 private:
  cv::Size work_;
  double sx_, sy_;
  int min_area_work_;  // working pixels
  cv::Mat kernel_, leg_kernel_, tmp_, thin_, near_, below_;
  cv::Mat prev_, prev_grown_, overlap_;  // previous cleaned mask; empty = none
  double last_t_ = -1;
  double clutter_ = 0, area_scale_ = 1;
  std::vector<std::vector<cv::Point>> contours_;
  struct Region {
    cv::Rect box;     // working pixels
    int on_prev = 0;  // mask pixels in the box that lie on the previous frame's grown mask
  };
  std::vector<Region> regions_;
};

}  // namespace watchline::analysis
