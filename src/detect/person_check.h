// Optional person check for a tracked box, with OpenCV's built-in HOG people
// detector (Dalal-Triggs, cv::HOGDescriptor::getDefaultPeopleDetector).
//
// The detector was trained on 64x128 windows in which the person stands about
// 96 px tall and centred. So the check does not scan the frame (49 ms at
// 640x360); it cuts the box's neighbourhood out, scales it so the box is one
// of three person heights near 96 px, and scores the 3x3 windows around the
// box's centre at each height (27 windows on 80x144 search images, which are
// at least the 128 px window tall): about 2 ms on one core here, so it is
// for confirmed tracks, not for every blob of every frame. Boxes smaller than
// `min_box_height_px` get no verdict: upscaling them more than ~3x gives HOG
// gradients of interpolation, not of a person.
//
// The score is the linear SVM's margin: > 0 is the detector's own "person"
// decision, the silhouette of a standing person scores about +2.5, noise
// and plain textures about -3 to -7.
//
// It answers only "is this shaped like a standing person"; it identifies no
// one.
// Thread safety: Score and IsPerson are const and keep no state between
// calls, but OpenCV does not promise HOGDescriptor is reentrant: use one
// PersonCheck per analysis thread (construction costs ~0.1 ms).
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>
#include <optional>

#include "base/status.h"

namespace watchline::detect {

inline constexpr int kDefaultMinBoxHeightPx = 32;    // frame pixels
inline constexpr double kDefaultPersonMargin = 0.0;  // SVM margin; 0 = the detector's boundary

// Person heights, in HOG window pixels, at which a box is tried: the
// training set's ~96 px, and one step either side for loose or tight boxes.
inline constexpr std::array<int, 3> kPersonHeightsInWindowPx = {80, 96, 112};
inline constexpr int kHogWindowWidthPx = 64;
inline constexpr int kHogWindowHeightPx = 128;
// Search margin around the centred window, in window pixels: one HOG block
// stride, so three window positions per axis.
inline constexpr int kHogSearchMarginPx = 8;

struct PersonCheckOptions {
  int min_box_height_px = kDefaultMinBoxHeightPx;  // below this: no verdict
  double person_margin = kDefaultPersonMargin;     // IsPerson's threshold on Score
};

// Where the HOG search image comes from: `region` (frame pixels, may reach
// outside the frame, which is then filled by replicating the border) is
// resized by `scale` to `size` (80x144 window pixels).
struct HogCrop {
  cv::Rect2d region;
  double scale = 1;
  cv::Size size;
};
// The crop centred on `box` that makes the box `person_height_px` tall.
HogCrop HogCropFor(const cv::Rect& box, int person_height_px);

class PersonCheck {
 public:
  explicit PersonCheck(PersonCheckOptions options = {});

  // The best SVM margin over the windows around `box` (frame pixels) in
  // `frame` (CV_8UC1 grey, or CV_8UC3 BGR which is converted); std::nullopt
  // when the box is shorter than min_box_height_px. kInvalidArgument for an
  // empty or non-8-bit frame, or a box that does not overlap the frame.
  Result<std::optional<double>> Score(const cv::Mat& frame, const cv::Rect& box) const;

  // Score >= person_margin. False also when there is no verdict or an error;
  // callers that must tell "not a person" from "cannot tell" use Score.
  bool IsPerson(const cv::Mat& frame, const cv::Rect& box) const;

  const PersonCheckOptions& options() const { return options_; }

 private:
  PersonCheckOptions options_;
  cv::HOGDescriptor hog_;
};

}  // namespace watchline::detect
