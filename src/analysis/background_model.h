// Background models: from a grey working image to a 0/255 foreground mask.
//
// The analyzer runs the model on a downscaled "working" image (half the
// analysis width at 640x360), so the per-pixel cost here is a quarter of the
// analysis resolution. Masked/privacy pixels arrive already zeroed, and the
// model is told which pixels are valid so it never reports foreground there
// and leaves them out of its global statistics.
//
// SigmaDeltaModel is the first implementation: a per-pixel Sigma-Delta
// estimator (Manzanera & Richefeu 2007) of the background level M and of a
// per-pixel spread V, so the threshold adapts per pixel (water and leaves get a
// high V, walls a low one). Every update is +-1 grey level, done at a rate set
// in steps per second of stream time (not per frame), in one fused uint8 pass
// that is vectorised with OpenCV's universal intrinsics. A global brightness
// step (auto exposure, lights) is removed by shifting M by the median
// frame-to-background difference before the comparison. The floor of V is not
// a fixed grey level but a multiple of the sensor noise measured over the
// whole picture (the median absolute frame-to-background difference): a dark,
// low-contrast night picture is noisier in relative terms but its objects
// differ from the ground by only a few grey levels, so a fixed day-time floor
// would hide them.
//
// Thread safety: not thread safe; one instance per camera, one thread.
#pragma once

#include <cstdint>
#include <memory>

#include <opencv2/core.hpp>

namespace watchline::analysis {

class BackgroundModel {
 public:
  virtual ~BackgroundModel() = default;
  // gray: CV_8UC1 working image, the size given at construction. t: seconds of
  // stream time, non-decreasing. Writes a CV_8UC1 0/255 mask of the same size
  // into *fg (all zero while learning() is true).
  virtual void Apply(const cv::Mat& gray, double t, cv::Mat* fg) = 0;
  // True while the model is still building its first background.
  virtual bool learning() const = 0;
  // Adopts `gray` as the background now (after a global change such as a
  // camera switching to night mode), keeping the learned per-pixel spread.
  virtual void Rebaseline(const cv::Mat& gray) = 0;
};

struct SigmaDeltaParams {
  double learn_s = 2;               // seconds of frames that build the first background
  double mean_steps_per_s = 10;     // max drift of the background level, grey levels per second
  double fg_mean_steps_per_s = 2;   // the same under foreground: a person who stops is absorbed
                                    // only after (contrast / this) seconds
  double var_steps_per_s = 5;       // max drift of the spread estimate, grey levels per second
  int spread_factor = 4;            // N: V tracks N x |I - M| (threshold ~2.7 sigma of the noise)
  int min_threshold = 10;           // V floor ceiling, grey levels: the floor actually used is
                                    // kNoiseFloorSigmas x the measured sensor noise, capped here
  int min_noise_floor = 3;          // lowest V floor, grey levels, however clean the picture
  int max_threshold = 80;           // V ceiling, grey levels (so that water never hides a person)
  int min_global_shift = 3;         // median frame-background offset (grey levels) that is removed
};

// The per-pixel update, exposed for tests: one fused pass over n pixels.
// mean / var are the +-steps applied this frame (0 = no update); fg_mean /
// fg_var replace them where the pixel is foreground before the update (so an
// object that stops neither pulls the level nor inflates the spread at the
// normal rate). Pixels where valid[i] == 0 (valid may be null = all valid)
// give fg 0.
struct SigmaDeltaSteps {
  int mean = 0, fg_mean = 0, var = 0, fg_var = 0;
  int spread_factor = 4, min_threshold = 10, max_threshold = 80;
};
void SigmaDeltaStep(const uint8_t* img, const uint8_t* valid, uint8_t* mean, uint8_t* var,
                    uint8_t* fg, int n, const SigmaDeltaSteps& s);
// Same result, plain scalar code (the reference for the vectorised one).
void SigmaDeltaStepScalar(const uint8_t* img, const uint8_t* valid, uint8_t* mean, uint8_t* var,
                          uint8_t* fg, int n, const SigmaDeltaSteps& s);

class SigmaDeltaModel : public BackgroundModel {
 public:
  // size: working image size. valid: CV_8UC1 0/255 of that size, or empty for
  // "every pixel is analysed".
  SigmaDeltaModel(cv::Size size, cv::Mat valid, SigmaDeltaParams params);

  void Apply(const cv::Mat& gray, double t, cv::Mat* fg) override;
  bool learning() const override { return learning_; }
  void Rebaseline(const cv::Mat& gray) override;

  const cv::Mat& mean() const { return mean_; }
  const cv::Mat& spread() const { return var_; }
  // The global offset removed on the last frame (grey levels).
  int last_global_shift() const { return last_shift_; }
  // The V floor in use (grey levels): follows the measured noise.
  int noise_floor() const { return floor_; }

 private:
  // Median of (gray - mean_) over a sparse grid of valid pixels, and the
  // median absolute deviation around it (a robust noise estimate: objects
  // cover well under half of the picture).
  void MedianOffset(const cv::Mat& gray, int* median, double* mad) const;

  cv::Size size_;
  cv::Mat valid_;  // empty = all valid
  SigmaDeltaParams p_;
  cv::Mat mean_, var_;
  bool started_ = false;
  bool learning_ = true;
  double start_t_ = 0;
  double last_t_ = 0;
  double mean_credit_ = 0, fg_mean_credit_ = 0, var_credit_ = 0;
  int last_shift_ = 0;
  double noise_mad_ = -1;  // smoothed MAD of frame - background, grey levels; < 0 = unknown
  int floor_ = 0;
};

}  // namespace watchline::analysis
