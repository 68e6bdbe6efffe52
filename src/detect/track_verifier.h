// TrackVerifier: the one call the analyzer makes on a confirmed track, "what
// does a learned detector see in this box?".
//
// It wraps one checker: the DNN detector when a model is configured (it knows
// person, vehicle, boat and animal), otherwise the HOG person check (person
// or not). The DNN runs on a crop around the box, with context, so a distant
// 30 px person is enlarged into the network input instead of shrinking
// further in a whole-frame letterbox; the verdict is the detection that
// overlaps the track's box best.
//
// Costs: HOG 1.2-1.5 ms per call (measured); a YOLO model much more (not measured here). Call it
// once when a track is confirmed (and perhaps again every few seconds of
// stream time), never per frame.
// Thread safety: not thread safe (the DNN's network has per-call state); one
// TrackVerifier per camera or analysis thread.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "detect/dnn_detector.h"
#include "detect/person_check.h"

namespace watchline::detect {

// The crop around a box for the DNN grows it by this fraction of its size
// on every side (0.5: a crop twice the box's width and height).
inline constexpr double kDefaultContextFraction = 0.5;
// The crop is at least this many frame pixels on a side, so tiny boxes keep
// some surroundings.
inline constexpr int kMinDnnCropPx = 64;
// A detection verifies the track when its box overlaps the track's box by
// at least this intersection over union. Lenient: background-subtraction
// boxes often miss feet or include a shadow.
inline constexpr double kDefaultMatchIou = 0.3;

struct TrackVerifierOptions {
  std::optional<DnnOptions> dnn;  // set: verify with this model
  bool hog_person_check = false;  // used when no model is set
  PersonCheckOptions hog;
  double context_fraction = kDefaultContextFraction;
  double match_iou = kDefaultMatchIou;
};

inline constexpr std::string_view kCheckerDnn = "dnn";
inline constexpr std::string_view kCheckerHog = "hog";

struct Verdict {
  // The watchline class the checker sees at the box; "" when it sees none of
  // the classes it knows there (for HOG: "not a person").
  std::string cls;
  // The DNN's confidence; for HOG, the SVM margin through a logistic (0.5 at
  // the detector's boundary).
  double confidence = 0;
  std::string_view checker;  // kCheckerDnn or kCheckerHog
};

class TrackVerifier {
 public:
  // kInvalidArgument when no checker is configured or an option is out of
  // range; the DnnDetector::Load errors for a bad model.
  static Result<std::unique_ptr<TrackVerifier>> Create(const TrackVerifierOptions& options);

  // `box` in `frame` pixels; frame grey or BGR. std::nullopt when the
  // checker cannot tell: a box under the HOG minimum height, or a checker
  // error (logged; a verifier failure must not stop analysis).
  std::optional<Verdict> Verify(const cv::Mat& frame, const cv::Rect& box);

  // The crop Verify hands the DNN for `box`, clipped to the frame.
  cv::Rect DnnCrop(cv::Size frame, const cv::Rect& box) const;

 private:
  TrackVerifier() = default;
  std::optional<Verdict> VerifyDnn(const cv::Mat& frame, const cv::Rect& box);
  std::optional<Verdict> VerifyHog(const cv::Mat& frame, const cv::Rect& box) const;

  TrackVerifierOptions options_;
  std::unique_ptr<DnnDetector> dnn_;
  std::unique_ptr<PersonCheck> hog_;
};

}  // namespace watchline::detect
