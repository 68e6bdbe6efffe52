// Camera shake and slow pan: the global translation between a working image
// and the background model, and the integer shift that re-aligns the model.
//
// TranslationEstimator measures how far the picture has slid against a
// reference (the background level), in whole working pixels, by a
// coarse-to-fine search for the shift with the least mean absolute difference:
// every shift within +-2 pixels on a quarter-size copy, then +-1 pixel around
// it on the half-size copy and on the working image itself (rows sampled every
// other line). Measuring against the background rather than the previous frame
// makes it self-correcting (a pan of a fraction of a pixel per frame adds up
// until it is worth a whole-pixel shift, and no error accumulates), and moving
// objects barely weigh in (they are not in the background, so they match
// nothing there). The best shift is taken only when it fits clearly better than
// no shift at all (min_gain): a flat or noisy picture, or a half-pixel drift
// that is not yet worth a pixel, gives none. Masked pixels, and pixels within
// the search range of a mask, are left out. About 0.07 ms at 320x180.
// Phase correlation was tried: cv::phaseCorrelate costs 1-2 ms at 160x90 on
// this machine; an own one (three 80x48 DFTs, sub-pixel peak, then this
// search within +-1 px) 0.17 ms, and although it reads the pan of the UCSD
// surf clip more faithfully frame to frame (the breaking foam biases the
// difference), it did not score better there (F from 2 s 0.019 against 0.027)
// nor anywhere else.
//
// ShiftImage moves an image by whole pixels in place, replicating the border
// into the strip that comes into view.
//
// Thread safety: not thread safe; one instance per camera, one thread.
#pragma once

#include <opencv2/core.hpp>

namespace watchline::analysis {

struct TranslationEstimatorParams {
  // The best shift is taken when its mean absolute difference is at most
  // (1 - min_gain) x that of no shift (a fraction).
  double min_gain = 0.1;
  // Largest shift searched, working pixels per frame (in x and in y): shake
  // and slow pan, not a camera turned or knocked (the health module's job).
  int max_shift_px = 8;
};

struct TranslationEstimate {
  cv::Point shift;       // working pixels, frame(p + shift) ~ reference(p); (0, 0) = none found
  double gain = 0;       // 1 - MAD(shift) / MAD(no shift); 0 when there is no shift
};

class TranslationEstimator {
 public:
  // size: working image size. valid: CV_8UC1 0/255 of that size (analysed
  // pixels), or empty for all.
  TranslationEstimator(cv::Size size, const cv::Mat& valid, TranslationEstimatorParams params);

  // frame, reference: CV_8UC1 of the working size.
  TranslationEstimate Estimate(const cv::Mat& frame, const cv::Mat& reference);

  static constexpr int kLevels = 3;  // working, half and quarter size

 private:
  struct Level {
    int factor = 1;       // working pixels per pixel of this level
    int margin = 0;       // the largest shift this level can be asked about, its pixels
    cv::Rect inner;       // reference pixels compared: the image less `margin` all round
    cv::Mat mask;         // CV_8U over `inner`: pixels that stay valid under any shift; empty = all
    int row_step = 1;     // rows compared: every row_step-th
    double count = 0;     // pixels compared
    cv::Mat frame, ref;   // this level's images (level 0: headers onto the caller's)
  };
  // Mean absolute difference between ref(inner) and frame(inner + d) at `level`.
  double Mad(const Level& level, cv::Point d) const;
  // The best shift within +-range of `center` at `level` (its pixels), and its MAD.
  cv::Point Search(const Level& level, cv::Point center, int range, double* best) const;

  cv::Size size_;
  TranslationEstimatorParams p_;
  Level levels_[kLevels];
  int levels_used_ = 0;  // fewer for small pictures
};

// Moves the content of `img` by `shift` whole pixels (the pixel at p goes to
// p + shift), replicating the border into the uncovered strip. `scratch` is
// reused between calls. No-op for a zero shift; a shift at least as large as
// the image fills it with its replicated edge.
void ShiftImage(cv::Mat* img, cv::Point shift, cv::Mat* scratch);

}  // namespace watchline::analysis
