// The foreground comparison harness: watchline's background model against
// OpenCV's MOG2, KNN and CNT on the same decoded frames, in one process.
//
// Every method sees the same in-memory grey frames (decoded once, before any
// method runs), one after another, so decoding never enters the comparison;
// only the method's own per-frame call is timed. Baselines use OpenCV's
// default parameters:
//   mog2: cv::createBackgroundSubtractorMOG2() (history 500, varThreshold 16,
//         detectShadows true; shadow pixels, value 127, score as background);
//   knn:  cv::createBackgroundSubtractorKNN() (history 500, dist2Threshold 400,
//         detectShadows true; shadows as for MOG2);
//   cnt:  cv::bgsegm::createBackgroundSubtractorCNT() (minPixelStability 15,
//         useHistory true, maxPixelStability 900, isParallel true — OpenCV's
//         own threading is off: the caller sets cv::setNumThreads(1)).
// All are run with learningRate -1 (automatic), on grey frames.
//   watchline: the real analysis chain, analysis::CameraAnalyzer with the
//         given DetectionConfig (default: the defaults), every frame analysed
//         at the input width; its foreground() after the blob clean-up. While
//         it learns (detection.learn_s) the mask is empty, and is scored so.
//
// Thread safety: a ForegroundMethod is used by one thread; the free functions
// are thread safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "base/status.h"
#include "config/config.h"
#include "eval/foreground.h"

namespace watchline::eval {

class ForegroundMethod {
 public:
  virtual ~ForegroundMethod() = default;
  virtual std::string name() const = 0;
  // One line naming the parameters, for the report.
  virtual std::string description() const = 0;
  // Feeds the next frame (CV_8UC1; t in seconds of stream time, increasing;
  // index 1-based) and returns the foreground mask at the frame's size:
  // CV_8UC1, >= 128 foreground. The reference stays valid until the next call.
  virtual const cv::Mat& Apply(const cv::Mat& gray, double t, int64_t index) = 0;
  // True while the method is still building its first background and reports
  // nothing (watchline's learn_s); OpenCV's models always report.
  virtual bool learning() const { return false; }
};

// The method names MakeForegroundMethod knows.
inline constexpr const char* kForegroundMethods[] = {"watchline", "mog2", "knn", "cnt"};

// "watchline", "mog2", "knn" or "cnt"; InvalidArgument for any other name.
// `detection` is used by watchline only.
Result<std::unique_ptr<ForegroundMethod>> MakeForegroundMethod(
    const std::string& name, const config::DetectionConfig& detection = {});

// A sequence held in memory, ready to score.
struct FgSequence {
  std::vector<cv::Mat> frames;      // CV_8UC1, all of one size
  std::vector<int64_t> numbers;     // the frames' numbers (file names' numbering)
  std::vector<double> times;        // seconds of stream time, from 0
  std::map<int64_t, cv::Mat> gt;    // ground truth by frame number (CV_8UC1, frame size)
  cv::Mat roi;                      // empty = everything; else CV_8UC1, non-zero = scored
  std::optional<TemporalRoi> temporal_roi;  // frames outside are not scored
  double warmup_s = 0;              // frames with t < warmup_s are not scored (all methods)
};

struct FgMethodResult {
  std::string method;
  std::string description;
  FgCounts counts;
  FgMetrics metrics;
  int64_t frames_run = 0;           // frames fed to the method
  int64_t scored_learning = 0;      // scored frames on which the method was still learning
  double ms_per_frame = 0;          // mean wall time of Apply(), single thread
};

// Whether the frame numbered `number`, at stream time t, is scored: it has a
// ground-truth mask, is inside the temporal ROI and past the warm-up.
bool IsScored(const FgSequence& seq, int64_t number, double t);

// Runs `method` over every frame of `seq` (fresh state) and scores it.
// InvalidArgument when a mask size does not match. With `dump_dir` set, every
// frame's mask is also written to dump_dir/fg%06d.png, named by the frame's
// 1-based position in the sequence (as `--fg` reads them back), 255 where the
// mask is foreground (>= 128) and 0 elsewhere; the folder is created.
// Internal naming the file when one cannot be written. Writing is not timed.
Result<FgMethodResult> RunForegroundMethod(ForegroundMethod* method, const FgSequence& seq,
                                           const std::string& dump_dir = "");

// Scores already computed masks (e.g. `watchline analyze --dump-foreground`):
// masks by frame number (the sequence's numbering); seq.numbers/times give
// the frames (seq.frames may be empty). A scored frame without a mask is
// scored as an empty mask (the method reported nothing) and counted in
// scored_learning.
Result<FgMethodResult> ScoreMasks(const std::string& name, const std::map<int64_t, cv::Mat>& masks,
                                  const FgSequence& seq);

}  // namespace watchline::eval
