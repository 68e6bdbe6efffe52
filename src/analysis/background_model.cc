#include "analysis/background_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

namespace watchline::analysis {
namespace {

// Largest +-step applied in one frame after a long gap or at a low frame rate,
// grey levels. Bounds how far one frame can move the model.
constexpr int kMaxStepPerFrame = 4;
// Learning anneals the background step from coarse (fast convergence from the
// first frame) to 1 (a median estimate): grey levels per frame for the four
// quarters of the learning period.
constexpr std::array<int, 4> kLearnMeanSteps = {8, 4, 2, 1};
// Spread step while learning, grey levels per frame: V must grow from the floor
// to the level of water or leaves within the learning period.
constexpr int kLearnVarStep = 3;
// MedianOffset samples every kOffsetGridStep-th row and column.
constexpr int kOffsetGridStep = 2;
// V floor = kNoiseFloorMads x the median absolute frame-to-background
// difference (for Gaussian noise MAD = 0.67 sigma, so 6 MAD = 4 sigma: about
// 6e-5 of the background pixels per frame above it).
constexpr double kNoiseFloorMads = 6.0;
// Time constant of the noise estimate, seconds.
constexpr double kNoiseSmoothingS = 2.0;
// Low-contrast test: a pixel is foreground when 2^(gain-1) x the 3x3 mean of
// its difference from the background exceeds its spread V, and so does
// 2^(gain-1) x its own difference. Averaging 9
// independent noise samples divides the noise by 3, so gain 2 keeps the
// false-alarm rate of the per-pixel test while halving the contrast needed.
// 0 disables the test (as does SigmaDeltaParams::low_contrast = false).
constexpr int kLowContrastGain = 2;
// ...applied only where the spread V is at most this many times the V floor.
constexpr double kLowContrastMaxSpreadFloors = 2.5;
// ...or this many grey levels, whichever is more.
constexpr int kLowContrastMaxSpread = 20;

// Provisional foreground (while learning): a pixel is foreground when it
// differs from the background estimate by more than kProvisionalNoiseMads x the
// median absolute frame-to-background difference (MAD = 0.67 sigma for
// Gaussian noise, so 4 MAD = 2.7 sigma; the blob clean-up removes the isolated
// noise pixels that pass), and by at least kProvisionalMinThreshold grey levels.
// Shadow test (see the header): window side, working pixels; the least
// spread of the background in the window (grey levels: on flat ground a
// shadow and a dark object look the same, and nothing is removed); the least
// normalised cross-correlation of frame and background in the window.
constexpr int kShadowWindow = 5;
constexpr double kShadowMinTexture = 3.0;
constexpr double kShadowMinNcc = 0.75;
// ...computed over at least this many foreground pixels of the window.
constexpr int kShadowMinPixels = 12;
// Ghosts (see the header): foreground regions of which at least
// kGhostMinOldShare has been foreground without a break for at least
// kGhostMinAgeS are tested every kGhostCheckEveryS. A region of at least
// kGhostMinAreaFrac of the picture whose outline shows edges in the background
// (mean 3x3 Sobel |gx| + |gy| along it at least kGhostMinEdge) but less than
// kGhostEdgeRatio of them in the frame is the place an object left. Smaller
// regions are left to the slow absorption: on MOT15 TUD-Stadtmitte the test
// took parts of people standing in front of the shop windows (6-36 working
// pixels), and a foot jumping across a line made a false in-out pair.
constexpr double kGhostMinAgeS = 1.0;
constexpr double kGhostCheckEveryS = 0.5;
constexpr double kGhostMinAreaFrac = 0.001;
constexpr double kGhostMinEdge = 20;
constexpr double kGhostEdgeRatio = 0.5;
constexpr double kGhostMinOldShare = 0.95;
constexpr double kProvisionalNoiseMads = 4.0;
constexpr int kProvisionalMinThreshold = 6;
// Above this fraction of the analysed pixels the provisional mask is dropped
// (a global change, not objects).
constexpr double kProvisionalMaxFraction = 0.5;

// Moves `credit` on by dt * rate and takes the whole steps out of it.
int TakeSteps(double* credit, double dt, double rate) {
  *credit = std::min(*credit + dt * rate, double(kMaxStepPerFrame));
  const int steps = static_cast<int>(*credit);
  *credit -= steps;
  return steps;
}

}  // namespace

void SigmaDeltaStepScalar(const uint8_t* img, const uint8_t* valid, uint8_t* mean, uint8_t* var,
                          uint8_t* fg, int n, const SigmaDeltaSteps& s, const uint8_t* extra_fg) {
  for (int i = 0; i < n; ++i) {
    const int x = img[i];
    int m = mean[i];
    int v = var[i];
    const bool extra = extra_fg != nullptr && extra_fg[i] != 0;
    const bool was_fg = std::abs(x - m) > v || extra;
    const int step = was_fg ? s.fg_mean : s.mean;
    m = x > m ? std::min(m + step, x) : std::max(m - step, x);
    mean[i] = static_cast<uint8_t>(m);
    const int d = std::abs(x - m);
    const int vstep = was_fg ? s.fg_var : s.var;
    if (vstep > 0 && d != 0) {
      const int nd = std::min(d * s.spread_factor, 255);
      v = nd > v ? std::min(v + vstep, nd) : std::max(v - vstep, nd);
    }
    v = std::clamp(v, s.min_threshold, s.max_threshold);
    var[i] = static_cast<uint8_t>(v);
    fg[i] = ((d > v || extra) && (valid == nullptr || valid[i] != 0)) ? 255 : 0;
  }
}

void SigmaDeltaStep(const uint8_t* img, const uint8_t* valid, uint8_t* mean, uint8_t* var,
                    uint8_t* fg, int n, const SigmaDeltaSteps& s, const uint8_t* extra_fg) {
  int i = 0;
#if CV_SIMD128
  using cv::v_uint8x16;
  const v_uint8x16 ms = cv::v_setall_u8(static_cast<uint8_t>(s.mean));
  const v_uint8x16 fms = cv::v_setall_u8(static_cast<uint8_t>(s.fg_mean));
  const v_uint8x16 vs = cv::v_setall_u8(static_cast<uint8_t>(s.var));
  const v_uint8x16 fvs = cv::v_setall_u8(static_cast<uint8_t>(s.fg_var));
  const v_uint8x16 vmin = cv::v_setall_u8(static_cast<uint8_t>(s.min_threshold));
  const v_uint8x16 vmax = cv::v_setall_u8(static_cast<uint8_t>(s.max_threshold));
  const v_uint8x16 zero = cv::v_setzero_u8();
  const bool update_var = s.var > 0 || s.fg_var > 0;
  for (; i + 16 <= n; i += 16) {
    const v_uint8x16 x = cv::v_load(img + i);
    v_uint8x16 m = cv::v_load(mean + i);
    v_uint8x16 v = cv::v_load(var + i);
    // Move M towards x by at most the step, without overshooting; the slow
    // step where the pixel is foreground now (operator+/- saturate on u8).
    v_uint8x16 was_fg = cv::v_absdiff(x, m) > v;
    const v_uint8x16 extra = extra_fg != nullptr ? (cv::v_load(extra_fg + i) != zero) : zero;
    was_fg = was_fg | extra;
    const v_uint8x16 step = cv::v_select(was_fg, fms, ms);
    m = cv::v_select(x > m, cv::v_min(m + step, x), cv::v_max(m - step, x));
    cv::v_store(mean + i, m);
    const v_uint8x16 d = cv::v_absdiff(x, m);
    if (update_var) {
      const v_uint8x16 vstep = cv::v_select(was_fg, fvs, vs);
      v_uint8x16 nd = d;
      for (int k = 1; k < s.spread_factor; ++k) nd = nd + d;  // saturating N*d
      const v_uint8x16 moved =
          cv::v_select(nd > v, cv::v_min(v + vstep, nd), cv::v_max(v - vstep, nd));
      v = cv::v_select(d == zero, v, moved);
    }
    v = cv::v_min(cv::v_max(v, vmin), vmax);
    cv::v_store(var + i, v);
    v_uint8x16 f = (d > v) | extra;
    if (valid != nullptr) f = f & cv::v_load(valid + i);
    cv::v_store(fg + i, f);
  }
#endif
  if (i < n)
    SigmaDeltaStepScalar(img + i, valid ? valid + i : nullptr, mean + i, var + i, fg + i, n - i, s,
                         extra_fg ? extra_fg + i : nullptr);
}

SigmaDeltaModel::SigmaDeltaModel(cv::Size size, cv::Mat valid, SigmaDeltaParams params)
    : size_(size), valid_(std::move(valid)), p_(params) {
  p_.spread_factor = std::clamp(p_.spread_factor, 1, 16);
  p_.min_threshold = std::clamp(p_.min_threshold, 1, 254);
  p_.max_threshold = std::clamp(p_.max_threshold, p_.min_threshold, 255);
  p_.min_noise_floor = std::clamp(p_.min_noise_floor, 1, p_.min_threshold);
  if (!valid_.empty() && valid_.size() != size_) valid_.release();
  if (!valid_.empty() && !valid_.isContinuous()) valid_ = valid_.clone();
  if (p_.motion_compensation)
    motion_ = std::make_unique<TranslationEstimator>(size_, valid_, p_.motion);
}

void SigmaDeltaModel::MedianOffset(const cv::Mat& gray, int* median, double* mad) const {
  std::array<int, 511> hist{};
  int count = 0;
  for (int y = 0; y < size_.height; y += kOffsetGridStep) {
    const uint8_t* g = gray.ptr<uint8_t>(y);
    const uint8_t* m = mean_.ptr<uint8_t>(y);
    const uint8_t* v = valid_.empty() ? nullptr : valid_.ptr<uint8_t>(y);
    for (int x = 0; x < size_.width; x += kOffsetGridStep) {
      if (v != nullptr && v[x] == 0) continue;
      ++hist[g[x] - m[x] + 255];
      ++count;
    }
  }
  *median = 0;
  *mad = 0;
  if (count == 0) return;
  int acc = 0, med = 0;
  for (int k = 0; k < 511; ++k) {
    acc += hist[k];
    if (2 * acc >= count) {
      med = k;
      break;
    }
  }
  *median = med - 255;
  // MAD: grow a window around the median until it holds half the samples,
  // interpolating within the last step for a sub-level estimate.
  acc = hist[med];
  for (int r = 1; r < 511; ++r) {
    const int add = (med - r >= 0 ? hist[med - r] : 0) + (med + r < 511 ? hist[med + r] : 0);
    if (2 * (acc + add) >= count) {
      const double need = count / 2.0 - acc;
      *mad = r - 1 + (add > 0 ? need / add : 0) + 0.5;
      return;
    }
    acc += add;
  }
}

void SigmaDeltaModel::Apply(const cv::Mat& gray, double t, cv::Mat* fg) {
  CV_Assert(gray.type() == CV_8UC1 && gray.size() == size_);
  fg->create(size_, CV_8UC1);
  if (!started_) {
    gray.copyTo(mean_);
    var_.create(size_, CV_8UC1);
    var_.setTo(p_.min_threshold);
    start_t_ = last_t_ = t;
    started_ = true;
    learning_ = p_.learn_s > 0;
    fg->setTo(0);
    return;
  }
  const double dt = std::max(0.0, t - last_t_);
  last_t_ = t;
  last_motion_ = cv::Point();
  if (motion_) CompensateMotion(gray);

  SigmaDeltaSteps steps;
  steps.spread_factor = p_.spread_factor;
  steps.max_threshold = p_.max_threshold;
  if (learning_) {
    const double frac = (t - start_t_) / p_.learn_s;
    const int quarter = std::clamp(static_cast<int>(frac * 4), 0, 3);
    steps.mean = steps.fg_mean = kLearnMeanSteps[quarter];
    steps.var = steps.fg_var = kLearnVarStep;
  } else {
    double mad = 0;
    MedianOffset(gray, &last_shift_, &mad);
    const double a = noise_mad_ < 0 ? 1 : 1 - std::exp(-dt / kNoiseSmoothingS);
    noise_mad_ = noise_mad_ < 0 ? mad : noise_mad_ + a * (mad - noise_mad_);
    floor_ = std::clamp(static_cast<int>(std::lround(kNoiseFloorMads * noise_mad_)),
                        p_.min_noise_floor, p_.min_threshold);
    if (std::abs(last_shift_) >= p_.min_global_shift) {
      if (last_shift_ > 0)
        cv::add(mean_, cv::Scalar(last_shift_), mean_);
      else
        cv::subtract(mean_, cv::Scalar(-last_shift_), mean_);
    } else {
      last_shift_ = 0;
    }
    steps.mean = TakeSteps(&mean_credit_, dt, p_.mean_steps_per_s);
    steps.fg_mean = TakeSteps(&fg_mean_credit_, dt, p_.fg_mean_steps_per_s);
    steps.var = TakeSteps(&var_credit_, dt, p_.var_steps_per_s);
    steps.fg_var = 0;  // the spread only learns from background samples
  }
  steps.min_threshold = floor_ > 0 ? floor_ : p_.min_threshold;

  // While learning, the provisional foreground is measured against the
  // background as it was before this frame's update.
  if (learning_ && p_.provisional && t - start_t_ < p_.learn_s) ProvisionalForeground(gray);

  // Held pixels: remember the region's level and spread, restore them after
  // the update (the global offset above has already been applied to them).
  const bool hold = !held_.empty() && !learning_;
  if (hold) {
    mean_(held_roi_).copyTo(held_mean_);
    var_(held_roi_).copyTo(held_var_);
  }

  // Low-contrast test: the frame-to-background difference averaged over
  // 3x3 pixels. Sensor noise is independent from pixel to pixel and mostly
  // averages out, an object's difference does not, so a dim person a few grey
  // levels off the ground, below every single pixel's threshold, still shows.
  const uint8_t* extra = nullptr;
  if (!learning_ && p_.low_contrast && kLowContrastGain > 0) {
    dark_ = cv::mean(mean_, valid_.empty() ? cv::noArray() : valid_)[0] <= p_.low_contrast_max_level;
  } else {
    dark_ = false;
  }
  if (dark_) {
    cv::blur(gray, blur_img_, cv::Size(3, 3));
    cv::blur(mean_, blur_mean_, cv::Size(3, 3));
    cv::absdiff(blur_img_, blur_mean_, low_fg_);
    for (int k = 1; k < kLowContrastGain; ++k) cv::add(low_fg_, low_fg_, low_fg_);
    cv::compare(low_fg_, var_, low_fg_, cv::CMP_GT);
    // ...and the pixel itself must be at least half way to its threshold, so
    // that the averaging does not grow every object by a pixel all round.
    cv::absdiff(gray, mean_, blur_img_);
    for (int k = 1; k < kLowContrastGain; ++k) cv::add(blur_img_, blur_img_, blur_img_);
    cv::compare(blur_img_, var_, blur_mean_, cv::CMP_GT);
    cv::bitwise_and(low_fg_, blur_mean_, low_fg_);
    // Only on quiet background: where the spread is near the noise floor.
    // Leaves and water (a learned spread well above it) keep the plain test.
    const int quiet = std::max(static_cast<int>(kLowContrastMaxSpreadFloors * steps.min_threshold),
                               kLowContrastMaxSpread);
    cv::compare(var_, quiet, blur_mean_, cv::CMP_LE);
    cv::bitwise_and(low_fg_, blur_mean_, low_fg_);
    extra = low_fg_.ptr<uint8_t>();
  }

  const uint8_t* valid = valid_.empty() ? nullptr : valid_.ptr<uint8_t>();
  if (gray.isContinuous() && mean_.isContinuous() && fg->isContinuous()) {
    SigmaDeltaStep(gray.ptr<uint8_t>(), valid, mean_.ptr<uint8_t>(), var_.ptr<uint8_t>(),
                   fg->ptr<uint8_t>(), size_.area(), steps, extra);
  } else {
    for (int y = 0; y < size_.height; ++y)
      SigmaDeltaStep(gray.ptr<uint8_t>(y), valid ? valid + y * size_.width : nullptr,
                     mean_.ptr<uint8_t>(y), var_.ptr<uint8_t>(y), fg->ptr<uint8_t>(y),
                     size_.width, steps, extra ? extra + y * size_.width : nullptr);
  }

  if (hold) {
    held_mean_.copyTo(mean_(held_roi_), held_(held_roi_));
    held_var_.copyTo(var_(held_roi_), held_(held_roi_));
  }
  changed_ = learning_ ? 0 : cv::countNonZero(*fg);
  if (p_.shadows && !learning_ && !dark_ && changed_ > 0) SuppressShadows(gray, fg);
  if (p_.ghosts && !learning_) RemoveGhosts(gray, t, dt, fg);

  if (learning_) {
    // The frame that ends learning gives an empty mask: learning() is false
    // once Apply returns, and the caller may track what it gets from then on.
    const bool done = t - start_t_ >= p_.learn_s;
    if (p_.provisional && !done)
      prov_fg_.copyTo(*fg);
    else
      fg->setTo(0);
    if (done) learning_ = false;
  }
}

void SigmaDeltaModel::RemoveGhosts(const cv::Mat& gray, double t, double dt, cv::Mat* fg) {
  if (fg_age_.size() != size_) {
    fg_age_.create(size_, CV_8UC1);
    fg_age_.setTo(0);
    last_ghost_check_ = t;
  }
  // Frames foreground without a break, saturating: +1, then 0 where not
  // foreground (the mask is 0/255).
  cv::add(fg_age_, cv::Scalar(1), fg_age_);
  cv::min(fg_age_, *fg, fg_age_);
  if (dt > 0) frame_dt_ = frame_dt_ > 0 ? frame_dt_ + 0.1 * (dt - frame_dt_) : dt;
  if (t - last_ghost_check_ < kGhostCheckEveryS || frame_dt_ <= 0) return;
  last_ghost_check_ = t;
  const int min_age = std::clamp(static_cast<int>(std::lround(kGhostMinAgeS / frame_dt_)), 2, 250);
  cv::compare(fg_age_, min_age, ghost_old_, cv::CMP_GE);
  const double min_area = kGhostMinAreaFrac * size_.area();
  if (cv::countNonZero(ghost_old_) < kGhostMinOldShare * min_area) return;  // nothing old enough
  // Whole foreground regions, nearly all of it that old: the interior of a
  // long boat moving slowly is old too, but its front and back are not.
  const int n = cv::connectedComponentsWithStats(*fg, ghost_labels_, ghost_stats_,
                                                 ghost_centroids_, 8, CV_32S);
  const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3));
  // Mean |gx| + |gy| (3x3 Sobel) of img over the non-zero pixels of band.
  const auto edges = [&](const cv::Mat& img, const cv::Rect& r, const cv::Mat& band) {
    cv::Sobel(img(r), ghost_gx_, CV_16S, 1, 0);
    cv::Sobel(img(r), ghost_gy_, CV_16S, 0, 1);
    return cv::mean(cv::abs(ghost_gx_), band)[0] + cv::mean(cv::abs(ghost_gy_), band)[0];
  };
  for (int i = 1; i < n; ++i) {
    const int area = ghost_stats_.at<int>(i, cv::CC_STAT_AREA);
    if (area < min_area) continue;
    cv::Rect r(ghost_stats_.at<int>(i, cv::CC_STAT_LEFT) - 2,
               ghost_stats_.at<int>(i, cv::CC_STAT_TOP) - 2,
               ghost_stats_.at<int>(i, cv::CC_STAT_WIDTH) + 4,
               ghost_stats_.at<int>(i, cv::CC_STAT_HEIGHT) + 4);
    r &= cv::Rect(cv::Point(), size_);
    cv::compare(ghost_labels_(r), i, ghost_region_, cv::CMP_EQ);
    cv::bitwise_and(ghost_region_, ghost_old_(r), ghost_band_);
    if (cv::countNonZero(ghost_band_) < kGhostMinOldShare * area) continue;  // still moving
    if (!held_.empty()) {  // held objects stay
      const cv::Rect h = r & held_roi_;
      if (h.area() > 0 && cv::countNonZero(held_(h) & ghost_region_(h - r.tl())) > 0) continue;
    }
    cv::dilate(ghost_region_, ghost_outer_, kernel);
    cv::erode(ghost_region_, ghost_band_, kernel);
    cv::subtract(ghost_outer_, ghost_band_, ghost_band_);  // the outline, 2 px wide
    const double in_background = edges(mean_, r, ghost_band_);
    if (in_background < kGhostMinEdge) continue;
    if (edges(gray, r, ghost_band_) >= kGhostEdgeRatio * in_background) continue;
    // The place an object left: the frame is the background there now.
    gray(r).copyTo(mean_(r), ghost_outer_);
    (*fg)(r).setTo(0, ghost_outer_);
    fg_age_(r).setTo(0, ghost_outer_);
    ++ghosts_removed_;
  }
}

void SigmaDeltaModel::SuppressShadows(const cv::Mat& gray, cv::Mat* fg) {
  // Per candidate pixel (foreground, and darker than the background within
  // the ratio band), sums over the foreground pixels of its window: ground
  // that did not change beside an object matches the background perfectly
  // and would make the object's edge look like a shadow. Candidates are a
  // small share of the picture, so this costs far less than filtering.
  const int r = kShadowWindow / 2;
  fg->copyTo(shadow_changed_);
  const int lo = static_cast<int>(std::lround(p_.shadow_min_ratio * 256));
  const int hi = static_cast<int>(std::lround(p_.shadow_max_ratio * 256));
  const double min_var_b = kShadowMinTexture * kShadowMinTexture;
  const double min_ncc2 = kShadowMinNcc * kShadowMinNcc;
  for (int y = r; y < size_.height - r; ++y) {
    uint8_t* m = fg->ptr<uint8_t>(y);
    const uint8_t* gi = gray.ptr<uint8_t>(y);
    const uint8_t* gb = mean_.ptr<uint8_t>(y);
    for (int x = r; x < size_.width - r; ++x) {
      if (!m[x]) continue;
      const int i0 = gi[x] * 256, b0 = gb[x];
      if (i0 < lo * b0 || i0 > hi * b0) continue;
      int si = 0, sb = 0, n = 0;
      int64_t sii = 0, sbb = 0, sib = 0;
      for (int dy = -r; dy <= r; ++dy) {
        const uint8_t* pi = gray.ptr<uint8_t>(y + dy) + x - r;
        const uint8_t* pb = mean_.ptr<uint8_t>(y + dy) + x - r;
        const uint8_t* pc = shadow_changed_.ptr<uint8_t>(y + dy) + x - r;
        for (int k = 0; k < kShadowWindow; ++k) {
          if (!pc[k]) continue;
          ++n;
          const int a = pi[k], b = pb[k];
          si += a;
          sb += b;
          sii += a * a;
          sbb += b * b;
          sib += a * b;
        }
      }
      if (n < kShadowMinPixels) continue;
      // n x the variances and the covariance.
      const double vb = sbb - double(sb) * sb / n;
      if (vb < min_var_b * n) continue;
      const double vi = sii - double(si) * si / n;
      const double cov = sib - double(si) * sb / n;
      if (vi > 0 && cov > 0 && cov * cov >= min_ncc2 * vi * vb) m[x] = 0;
    }
  }
}

void SigmaDeltaModel::CompensateMotion(const cv::Mat& gray) {
  const cv::Point d = motion_->Estimate(gray, mean_).shift;
  if (d == cv::Point()) return;
  const int w = size_.width, h = size_.height;
  ShiftImage(&mean_, d, &shift_tmp_);
  ShiftImage(&var_, d, &shift_tmp_);
  // Pixels with no background behind them take the frame's value (difference
  // 0: never foreground). Without masks that is the uncovered strip...
  if (valid_.empty()) {
    if (d.y != 0) {
      const cv::Range rows = d.y > 0 ? cv::Range(0, d.y) : cv::Range(h + d.y, h);
      gray.rowRange(rows).copyTo(mean_.rowRange(rows));
    }
    if (d.x != 0) {
      const cv::Range cols = d.x > 0 ? cv::Range(0, d.x) : cv::Range(w + d.x, w);
      gray.colRange(cols).copyTo(mean_.colRange(cols));
    }
  } else {
    // ...with masks, also every pixel whose source was masked (its level is
    // the zeroed mask, not the scene).
    cv::bitwise_not(valid_, shift_tmp_);
    const cv::Rect src(std::max(-d.x, 0), std::max(-d.y, 0), w - std::abs(d.x), h - std::abs(d.y));
    cv::copyMakeBorder(shift_tmp_(src), shifted_valid_, std::max(d.y, 0), std::max(-d.y, 0),
                       std::max(d.x, 0), std::max(-d.x, 0), cv::BORDER_CONSTANT, cv::Scalar(255));
    gray.copyTo(mean_, shifted_valid_);
  }
  last_motion_ = d;
  total_motion_ += d;
}

void SigmaDeltaModel::ProvisionalForeground(const cv::Mat& gray) {
  // One threshold for the whole picture, from its measured noise: the
  // per-pixel spread V is still being learned, and it grows wherever the
  // object itself has passed, so it would hide the very objects present from
  // the first frame.
  int median = 0;
  double mad = 0;
  MedianOffset(gray, &median, &mad);
  const int threshold = std::clamp(static_cast<int>(std::lround(kProvisionalNoiseMads * mad)),
                                   kProvisionalMinThreshold, p_.max_threshold);
  cv::absdiff(gray, mean_, prov_diff_);
  cv::compare(prov_diff_, threshold, prov_fg_, cv::CMP_GT);
  if (!valid_.empty()) cv::bitwise_and(prov_fg_, valid_, prov_fg_);
  // A change over most of the picture (exposure settling, the camera moving)
  // is not an object: report nothing, as the analyzer does after learning.
  const int analysed = valid_.empty() ? size_.area() : cv::countNonZero(valid_);
  if (analysed == 0 || cv::countNonZero(prov_fg_) > kProvisionalMaxFraction * analysed)
    prov_fg_.setTo(0);
}

void SigmaDeltaModel::SetHeld(const cv::Mat& held, cv::Rect roi) {
  roi &= cv::Rect(0, 0, size_.width, size_.height);
  if (held.empty() || held.size() != size_ || held.type() != CV_8UC1 || roi.empty()) {
    held_.release();
    held_roi_ = cv::Rect();
    return;
  }
  held_ = held;
  held_roi_ = roi;
}

void SigmaDeltaModel::Rebaseline(const cv::Mat& gray) {
  CV_Assert(gray.type() == CV_8UC1 && gray.size() == size_);
  if (!started_) return;
  if (held_.empty()) {
    gray.copyTo(mean_);
  } else {
    // Held pixels keep their level, carried through the change by a
    // least-squares gain and offset (frame = a x background + b) fitted on a
    // sparse grid of the pixels that are not held: an exposure or gain step
    // moves them like the rest, and an object standing on them stays
    // foreground.
    double n = 0, sm = 0, sg = 0, smm = 0, smg = 0;
    for (int y = 0; y < size_.height; y += kOffsetGridStep) {
      const uint8_t* g = gray.ptr<uint8_t>(y);
      const uint8_t* m = mean_.ptr<uint8_t>(y);
      const uint8_t* h = held_.ptr<uint8_t>(y);
      const uint8_t* v = valid_.empty() ? nullptr : valid_.ptr<uint8_t>(y);
      const bool in_rows = y >= held_roi_.y && y < held_roi_.br().y;
      for (int x = 0; x < size_.width; x += kOffsetGridStep) {
        if ((v != nullptr && v[x] == 0) ||
            (in_rows && x >= held_roi_.x && x < held_roi_.br().x && h[x] != 0))
          continue;
        n += 1;
        sm += m[x];
        sg += g[x];
        smm += double(m[x]) * m[x];
        smg += double(m[x]) * g[x];
      }
    }
    double a = 1, b = 0;
    const double den = n * smm - sm * sm;
    if (n > 0 && den > 1e-6 * n * n) {
      a = (n * smg - sm * sg) / den;
      b = (sg - a * sm) / n;
    } else if (n > 0) {
      b = (sg - sm) / n;
    }
    cv::Mat old;
    mean_(held_roi_).convertTo(old, CV_8UC1, a, b);
    gray.copyTo(mean_);
    old.copyTo(mean_(held_roi_), held_(held_roi_));
  }
  mean_credit_ = fg_mean_credit_ = var_credit_ = 0;
}

}  // namespace watchline::analysis
