// Foreground scoring by the CDnet 2014 protocol, and the image-sequence I/O it
// needs (numbered frames, ground-truth masks, ROI.bmp, temporalROI.txt).
//
// Scoring follows CDnet's official comparator (comparator.cpp / Stats.cpp of
// changedetection.net): a pixel is scored when it is inside ROI.bmp (non-zero)
// and its ground truth is not 170 (unknown) and not 85 (outside the ROI);
// ground truth 255 is positive, 0 and 50 (shadow) are negative. The counts are
// summed over every scored frame of a sequence, then the metrics are computed
// once from the sums (as CDnet does per video):
//   recall = TP/(TP+FN), specificity = TN/(TN+FP), FPR = FP/(FP+TN),
//   FNR = FN/(TP+FN), PWC = 100 (FN+FP)/(TP+FN+FP+TN), precision = TP/(TP+FP),
//   F = 2 precision recall / (precision + recall).
// Where CDnet would divide by zero (no detections at all: TP+FP = 0, or no
// positive pixel in the ground truth) the metric is reported as 0.
// A method's output counts as foreground where it is >= 128, so MOG2/KNN's
// shadow value 127 is background and 0/255 masks score as CDnet scores them.
// Ground-truth values outside the CDnet codes {0, 50, 85, 170, 255} (the
// anti-aliased edge of a hand-drawn mask such as Wallflower's) are not scored,
// like 170.
//
// Pure functions and value types; thread safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "base/status.h"

namespace watchline::eval {

// CDnet ground-truth codes.
inline constexpr uint8_t kGtBackground = 0;
inline constexpr uint8_t kGtShadow = 50;
inline constexpr uint8_t kGtOutsideRoi = 85;
inline constexpr uint8_t kGtUnknown = 170;
inline constexpr uint8_t kGtForeground = 255;
// A method's output pixel at or above this is foreground (MOG2 shadow = 127).
inline constexpr uint8_t kResultForegroundMin = 128;

struct FgCounts {
  int64_t tp = 0, fp = 0, fn = 0, tn = 0;
  int64_t shadow_errors = 0;  // shadow pixels (50) called foreground; already inside fp
  int64_t frames = 0;         // frames scored

  FgCounts& operator+=(const FgCounts& o);
};

struct FgMetrics {
  double precision = 0, recall = 0, f_measure = 0;
  double pwc = 0;  // percentage of wrong classifications, 0-100
  double specificity = 0, fpr = 0, fnr = 0;
};

FgMetrics ComputeFgMetrics(const FgCounts& c);

// Scores one frame. result, gt: CV_8UC1 of one size; roi: empty (everything
// scored) or CV_8UC1 of the same size, non-zero = inside. InvalidArgument
// when the sizes or types differ. The returned counts have frames = 1.
Result<FgCounts> ScoreFrame(const cv::Mat& result, const cv::Mat& gt, const cv::Mat& roi);

// temporalROI.txt: "first last", frame numbers as the sequence's file names
// number them (1-based for CDnet, 0-based for SBI2015), both inclusive.
struct TemporalRoi {
  int64_t first = 0, last = 0;
  bool Contains(int64_t n) const { return n >= first && n <= last; }
};
Result<TemporalRoi> ReadTemporalRoi(const std::string& path);

// A grey image as CV_8UC1 (colour masks are converted). NotFound / Corruption
// naming the file.
Result<cv::Mat> ReadGrayImage(const std::string& path);

// One numbered file of an image sequence.
struct NumberedFile {
  int64_t number = 0;  // the last run of digits in the file name
  std::string path;
};

// The frames of an image sequence, sorted by number. `spec` is one of:
//  - a directory: its image files (jpg, jpeg, png, bmp, tif, tiff; any case)
//    whose names have digits; where names of several shapes are present (as
//    WavingTrees' b00000.bmp beside hand_segmented_00247.BMP) the commonest
//    shape (text before and after the digits) is taken;
//  - a printf pattern "DIR/in%06d.jpg" (also %d): the files that match it;
//  - a single image file: just that file.
// NotFound when nothing matches, naming spec.
Result<std::vector<NumberedFile>> ListSequence(const std::string& spec);

// The number in a file name (its last run of digits), or nullopt.
std::optional<int64_t> FileNumber(const std::string& filename);

}  // namespace watchline::eval
