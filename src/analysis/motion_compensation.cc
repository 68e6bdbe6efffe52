#include "analysis/motion_compensation.h"

#include <algorithm>
#include <cmath>

#include <cstdint>
#include <cstdlib>

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

namespace watchline::analysis {
namespace {

// The coarsest level searches every shift within this many of its pixels.
constexpr int kCoarseRange = 2;
// A level is used only if it keeps at least this many pixels each way once
// its margin is cut off.
constexpr int kMinLevelSide = 16;
// Below this share of its inner rectangle left by the masks, a level cannot
// measure anything.
constexpr double kMinValidShare = 0.1;

// Sum of |a - b| over the pixels where mask != 0 (mask empty = all), on every
// row_step-th row. cv::norm(a, b, NORM_L1) is not vectorised for 8-bit
// images, and was most of the cost.
double SumAbsDiff(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask, int row_step) {
  uint64_t sum = 0;
  const int w = a.cols;
  for (int y = 0; y < a.rows; y += row_step) {
    const uint8_t* pa = a.ptr<uint8_t>(y);
    const uint8_t* pb = b.ptr<uint8_t>(y);
    const uint8_t* pm = mask.empty() ? nullptr : mask.ptr<uint8_t>(y);
    int x = 0;
    unsigned row = 0;
#if CV_SIMD128
    const cv::v_uint8x16 zero = cv::v_setzero_u8();
    for (; x + 16 <= w; x += 16) {
      cv::v_uint8x16 d = cv::v_absdiff(cv::v_load(pa + x), cv::v_load(pb + x));
      if (pm != nullptr) d = d & cv::v_load(pm + x);
      row += cv::v_reduce_sad(d, zero);
    }
#endif
    for (; x < w; ++x)
      if (pm == nullptr || pm[x] != 0) row += static_cast<unsigned>(std::abs(pa[x] - pb[x]));
    sum += row;
  }
  return static_cast<double>(sum);
}

}  // namespace

TranslationEstimator::TranslationEstimator(cv::Size size, const cv::Mat& valid,
                                           TranslationEstimatorParams params)
    : size_(size), p_(params) {
  p_.max_shift_px = std::max(1, p_.max_shift_px);
  const bool masked = !valid.empty() && valid.size() == size &&
                      cv::countNonZero(valid) < size.area();
  cv::Mat level_valid = masked ? valid : cv::Mat();
  cv::Size s = size;
  for (int k = 0; k < kLevels; ++k) {
    Level& l = levels_[k];
    l.factor = 1 << k;
    l.margin = (p_.max_shift_px + l.factor - 1) / l.factor + 1;
    if (s.width - 2 * l.margin < kMinLevelSide || s.height - 2 * l.margin < kMinLevelSide) break;
    l.inner = cv::Rect(l.margin, l.margin, s.width - 2 * l.margin, s.height - 2 * l.margin);
    if (masked) {
      if (k > 0) {
        cv::resize(valid, level_valid, s, 0, 0, cv::INTER_AREA);
        cv::compare(level_valid, 255, level_valid, cv::CMP_EQ);
      }
      // A compared pixel must stay valid under every shift the level tries.
      cv::Mat eroded;
      cv::erode(level_valid, eroded,
                cv::getStructuringElement(cv::MORPH_RECT,
                                          cv::Size(2 * l.margin + 1, 2 * l.margin + 1)));
      l.mask = eroded(l.inner).clone();
      if (cv::countNonZero(l.mask) < kMinValidShare * l.inner.area()) break;
    }
    // The working image: every other row is enough.
    l.row_step = k == 0 ? 2 : 1;
    for (int y = 0; y < l.inner.height; y += l.row_step)
      l.count += l.mask.empty() ? l.inner.width : cv::countNonZero(l.mask.row(y));
    levels_used_ = k + 1;
    s = cv::Size(s.width / 2, s.height / 2);
  }
}

double TranslationEstimator::Mad(const Level& level, cv::Point d) const {
  return level.count > 0 ? SumAbsDiff(level.ref(level.inner), level.frame(level.inner + d),
                                      level.mask, level.row_step) / level.count
                         : 0;
}

cv::Point TranslationEstimator::Search(const Level& level, cv::Point center, int range,
                                       double* best) const {
  cv::Point arg = center;
  *best = -1;
  for (int dy = center.y - range; dy <= center.y + range; ++dy) {
    if (std::abs(dy) > level.margin) continue;
    for (int dx = center.x - range; dx <= center.x + range; ++dx) {
      if (std::abs(dx) > level.margin) continue;
      const double mad = Mad(level, {dx, dy});
      if (*best < 0 || mad < *best) {
        *best = mad;
        arg = {dx, dy};
      }
    }
  }
  return arg;
}

TranslationEstimate TranslationEstimator::Estimate(const cv::Mat& frame, const cv::Mat& reference) {
  CV_Assert(frame.type() == CV_8UC1 && frame.size() == size_);
  CV_Assert(reference.type() == CV_8UC1 && reference.size() == size_);
  TranslationEstimate e;
  if (levels_used_ == 0) return e;
  levels_[0].frame = frame;
  levels_[0].ref = reference;
  for (int k = 1; k < levels_used_; ++k) {
    const Level& up = levels_[k - 1];
    const cv::Size s(up.frame.cols / 2, up.frame.rows / 2);
    cv::resize(up.frame, levels_[k].frame, s, 0, 0, cv::INTER_AREA);
    cv::resize(up.ref, levels_[k].ref, s, 0, 0, cv::INTER_AREA);
  }
  const int top = levels_used_ - 1;
  double best = 0;
  cv::Point d = Search(levels_[top], {}, std::min(kCoarseRange, levels_[top].margin), &best);
  for (int k = top - 1; k >= 0; --k) d = Search(levels_[k], d * 2, 1, &best);
  const double still = d == cv::Point() ? best : Mad(levels_[0], {});
  levels_[0].frame.release();  // do not keep the caller's images alive
  levels_[0].ref.release();
  if (d == cv::Point() || std::abs(d.x) > p_.max_shift_px || std::abs(d.y) > p_.max_shift_px ||
      still <= 0 || best > (1 - p_.min_gain) * still)
    return e;
  e.shift = d;
  e.gain = 1 - best / still;
  return e;
}

void ShiftImage(cv::Mat* img, cv::Point shift, cv::Mat* scratch) {
  if (shift == cv::Point() || img->empty()) return;
  const int w = img->cols, h = img->rows;
  const int dx = std::clamp(shift.x, -(w - 1), w - 1);
  const int dy = std::clamp(shift.y, -(h - 1), h - 1);
  // The part that stays in view, then the border replicated around it.
  const cv::Rect src(std::max(-dx, 0), std::max(-dy, 0), w - std::abs(dx), h - std::abs(dy));
  cv::copyMakeBorder((*img)(src), *scratch, std::max(dy, 0), std::max(-dy, 0), std::max(dx, 0),
                     std::max(-dx, 0), cv::BORDER_REPLICATE);
  std::swap(*img, *scratch);
}

}  // namespace watchline::analysis
