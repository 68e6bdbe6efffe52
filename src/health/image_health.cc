#include "health/image_health.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

namespace watchline::health {
namespace {

// Working sizes. 160x90 keeps fine detail (defocus, texture); 80x45 is where
// structure is compared; 40x22 is the coarse scale of the sharpness ratio.
const cv::Size kLarge(320, 180);
const cv::Size kSmall(160, 90);
const cv::Size kMid(80, 45);
const cv::Size kCoarse(40, 22);

// Grey levels at or above this count as saturated.
constexpr int kSaturatedLevel = 250;
// Blackout: the brightest 2% of the picture is darker than this, or the whole
// picture spans fewer grey levels than kUniformSpread (on the 160x90 copy,
// where sensor noise is averaged down). Held while below kHold* times these.
constexpr double kDarkLevel = 22;
constexpr double kUniformSpread = 10;
constexpr double kBlackoutHold = 1.3;
// Glare: at least this share of the picture saturated, and this much more than
// in the reference (a scene that is always bright is not glare).
constexpr double kGlareFraction = 0.4;
constexpr double kGlareOverReference = 0.25;
constexpr double kGlareHold = 0.75;
// A covered block this bright is washed out by light, not covered: when most
// of the covered view is, with some saturation, the picture is glare.
constexpr double kGlareBlockMean = 235;
constexpr double kGlareMinSaturated = 0.1;
// Frozen: mean |difference| between consecutive frames at or below this, grey
// levels. Live sensors differ by 1-3 levels even on a still scene; an encoder
// repeating one picture differs by 0 (or a fraction after a re-encoded keyframe).
constexpr double kFrozenMaxDiff = 0.1;
constexpr double kFrozenHoldDiff = 0.5;
// Texture is measured Weber-style: gradient energy over (brightness + this).
constexpr double kWeberOffset = 10;
// Occlusion, per block: texture fell below this share of the reference's, and
// the block changed (brightness after gain, or structure).
constexpr double kCoveredTexRatio = 0.4;
constexpr double kCoveredMeanChange = 0.2;   // relative to the block's expected brightness
constexpr double kCoveredStructure = 0.3;    // structure correlation below this
constexpr double kFlatMeanChange = 0.5;      // a block flat in the reference: a large change
constexpr double kFlatCurrentTex = 0.05;     // ... to something still flat
constexpr double kOccludedHold = 0.75;       // held while covered >= this x occluded_fraction
// Structure: a block whose gradient-magnitude std is below this (grey levels
// per pixel at 80x45) has no structure to compare; it matches when the
// correlation with the reference block is above kMatchNcc.
constexpr double kFlatGradStd = 1.0;
constexpr double kMatchNcc = 0.45;
constexpr double kMovedMatch = 0.25;  // share of textured blocks still matching: below -> moved
constexpr double kMovedHold = 0.4;
constexpr int kMinTexturedBlocks = 4;  // fewer: the scene has too little structure to judge "moved"
// Phase correlation of the pictures (at 40x22, see FindShift): a peak this strong at least this
// far from zero means the whole view moved.
constexpr double kShiftResponse = 0.15;
constexpr double kMinShiftPx = 4;  // 5% of the width: a slow creep of the whole view (surf) is not a turned camera
// Blocks with less texture than this (Weber units) have no detail to lose.
constexpr double kMinSharpTex = 0.03;
// A block whose blur measure fell below this share of the reference's lost its detail.
constexpr double kLostDetail = 0.55;
constexpr double kLostMeanChange = 0.1;
// The shift check runs when the match falls below this; a shifted reference
// that matches this share of its blocks (and clearly more than in place) is a moved camera.
constexpr double kShiftCheckMatch = 0.75;
constexpr double kShiftedMatch = 0.5;
// Settled: the structure matches the one kSettleS ago on this share of its
// textured blocks. Snapshots of the structure are kept every kSnapshotS.
constexpr double kSettleS = 0.6;
constexpr double kSnapshotS = 0.2;
constexpr double kSettledMatch = 0.6;
// A cover stays: of the blocks covered kSettleS ago (at least kMinCoverBlocks),
// this share must still be covered. A blob moving past the lens fails this.
constexpr int kMinCoverBlocks = 2;
constexpr double kCoverStayed = 0.6;
constexpr double kDefocusHold = 1.25;   // held while sharpness < this x defocus_ratio
// Mid-scale detail (gradient energy at 80x45, Weber units) against the
// reference, per block. Defocus takes the fine detail and leaves the
// mid-scale layout (a blur of a few pixels at 640x360 is under one pixel at
// 80x45); paint, a cloth or a hand takes both. A block that lost its fine
// detail counts as covered only when its mid-scale detail fell below
// kCoveredCoarse (with a brightness change) or below kPaintedCoarse (paint
// close to the scene's colour, no brightness change).
constexpr double kCoveredCoarse = 0.5;
constexpr double kPaintedCoarse = 0.3;
// Glare: a covered block lit up to more than kBrightenedGain times its
// expected brightness (plus kBrightenedOffset grey levels) is light added
// over the scene, not a cover (a torch at night does not reach full white
// away from its core).
constexpr double kBrightenedGain = 1.5;
constexpr double kBrightenedOffset = 20;
// Unstable blocks (water, foliage, a flag): the picture is compared with the
// one kMotionStepS before; a block whose mean change exceeds kBlockMovingDiff
// (Weber units) in more than kUnstableShare of the steps of the last
// kMotionS (once kMotionMinS has been seen) always moves, and is left out of
// the shift, shifted-match and settled checks and of the sharpness median.
// Steps where most of the view changed (exposure, day/night, a move) are not learned.
constexpr double kMotionStepS = 0.2;
constexpr double kMotionS = 4;
constexpr double kMotionMinS = 1;
constexpr double kBlockMovingDiff = 0.02;
constexpr double kUnstableShare = 0.5;
constexpr double kGlobalChange = 0.05;
// Unstable blocks are left out only while the stable ones are at least this
// share of the textured blocks, and at least this many.
constexpr double kMinStableShare = 0.6;
constexpr int kMinStableBlocks = 8;
// A confirmed shift is held for kMoveMemoryS with laxer thresholds, while the
// picture keeps the same shift (within kShiftTolPx at 80x45): a moved view
// that matches its shifted reference only on some frames is still moved.
constexpr double kMoveMemoryS = 1.5;
constexpr double kShiftTolPx = 2;
constexpr double kShiftedMatchHold = 0.35;
constexpr double kShiftedGain = 0.25;
constexpr double kShiftedGainHold = 0.1;
// The reference spectrum of the shift check is rebuilt this often (seconds).
constexpr double kSpectrumRefreshS = 10;
// Lighting regimes (day / IR night): a brightness ratio beyond this, with the
// structure still matching, for kRegimeSettleS, starts the second reference.
constexpr double kRegimeGain = 1.8;
constexpr double kRegimeMatch = 0.5;
constexpr double kRegimeSettleS = 1.0;
// An IR illuminator does not only scale the picture: it lifts it by an offset
// and flattens it (out = 0.8 x in + 40 on a dark scene), so the brightness
// rises by less than kRegimeGain while the Weber contrast of the mid-scale
// (80x45) detail falls everywhere; the encoder then drops the faint fine
// detail first, and the blur measure reads like a defocus. A brightness ratio
// beyond kRegimeFlatGain with the median mid-scale detail below
// kRegimeFlatContrast of the reference's (or above its inverse), the
// structure still matching, is such a lighting change too. A defocus keeps
// both the brightness and the mid-scale detail.
constexpr double kRegimeFlatGain = 1.25;
constexpr double kRegimeFlatContrast = 0.7;
// The reference follows the scene only on frames that match it this well.
constexpr double kStableCovered = 0.05;
constexpr double kStableMatch = 0.6;
// Frame interval assumed for the first frame, and the longest one counted
// while learning (a gap in the stream must not weigh as many frames).
constexpr double kDefaultDt = 0.1;
constexpr double kStructureRefreshS = 10;
constexpr double kMaxDt = 1.0;

float BlockNcc(const cv::Mat& a, const cv::Mat& b) {
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  const int n = a.rows * a.cols;
  for (int y = 0; y < a.rows; ++y) {
    const float* pa = a.ptr<float>(y);
    const float* pb = b.ptr<float>(y);
    for (int x = 0; x < a.cols; ++x) {
      sa += pa[x];
      sb += pb[x];
      saa += pa[x] * pa[x];
      sbb += pb[x] * pb[x];
      sab += pa[x] * pb[x];
    }
  }
  const double va = saa - sa * sa / n, vb = sbb - sb * sb / n;
  if (va <= 1e-6 || vb <= 1e-6) return 0;
  return static_cast<float>((sab - sa * sb / n) / std::sqrt(va * vb));
}

// Standard deviation of a block of a CV_32F image, and (optionally) its
// minimum, in one pass: cv::meanStdDev and cv::minMaxLoc on 10x9 blocks cost
// more in call overhead than in arithmetic.
float BlockStd(const cv::Mat& m, const cv::Rect& rc, float* lo = nullptr) {
  double s = 0, ss = 0;
  float mn = std::numeric_limits<float>::max();
  for (int y = rc.y; y < rc.y + rc.height; ++y) {
    const float* p = m.ptr<float>(y) + rc.x;
    for (int x = 0; x < rc.width; ++x) {
      s += p[x];
      ss += static_cast<double>(p[x]) * p[x];
      mn = std::min(mn, p[x]);
    }
  }
  const double n = rc.area();
  if (lo) *lo = mn;
  return static_cast<float>(std::sqrt(std::max(0.0, ss / n - (s / n) * (s / n))));
}

// (img - its window-weighted mean) * window: without the mean, the window
// itself (and the faded-out blocks) would be a shared picture at zero shift
// and pull the phase-correlation peak to zero.
void Windowed(const cv::Mat& img, const cv::Mat& window, cv::Mat* out) {
  const double wsum = cv::sum(window)[0];
  const double mean = wsum > 0 ? img.dot(window) / wsum : 0;
  cv::Mat centred;
  img.convertTo(centred, CV_32F, 1.0, -mean);
  cv::multiply(centred, window, *out);
}

// Sum of |dx| + |dy| over `img` (forward differences, the last row and column
// left out) and per block of the kGridX x kGridY grid into *blocks. One pass:
// per band of blocks, column sums in 16 bits (a band is at most 128 rows, so
// 128 x 510 fits), then per block. Integer sums, so exact. colsum is scratch.
double BlockGradients(const cv::Mat& img, std::array<double, ImageHealth::kBlocks>* blocks,
                      std::vector<uint16_t>* colsum) {
  const int w = img.cols - 1, h = img.rows - 1;
  const int bw = img.cols / ImageHealth::kGridX, bh = img.rows / ImageHealth::kGridY;
  CV_Assert(bh <= 128);
  colsum->resize(w);
  uint16_t* cs = colsum->data();
  double total = 0;
  for (int by = 0; by < ImageHealth::kGridY; ++by) {
    const int y0 = by * bh, y1 = std::min(y0 + bh, h);
    std::fill(colsum->begin(), colsum->end(), 0);
    for (int y = y0; y < y1; ++y) {
      const uint8_t* row = img.ptr<uint8_t>(y);
      const uint8_t* below = img.ptr<uint8_t>(y + 1);
      int x = 0;
      for (; x + 16 <= w; x += 16) {
        const cv::v_uint8x16 a = cv::v_load(row + x);
        const cv::v_uint8x16 sx = cv::v_absdiff(a, cv::v_load(row + x + 1));
        const cv::v_uint8x16 sy = cv::v_absdiff(a, cv::v_load(below + x));
        cv::v_uint16x8 xl, xh, yl, yh;
        cv::v_expand(sx, xl, xh);
        cv::v_expand(sy, yl, yh);
        cv::v_store(cs + x, cv::v_load(cs + x) + xl + yl);
        cv::v_store(cs + x + 8, cv::v_load(cs + x + 8) + xh + yh);
      }
      for (; x < w; ++x) cs[x] += std::abs(row[x + 1] - row[x]) + std::abs(below[x] - row[x]);
    }
    for (int bx = 0; bx < ImageHealth::kGridX; ++bx) {
      const int x0 = bx * bw, x1 = std::min(x0 + bw, w);
      int v = 0;
      for (int x = x0; x < x1; ++x) v += cs[x];
      (*blocks)[by * ImageHealth::kGridX + bx] = v;
      total += v;
    }
  }
  return total;
}

// Sum of the pixels of each block of the kGridX x kGridY grid of an 8-bit
// image whose size is a multiple of the grid, exact. colsum is scratch.
void BlockSums(const cv::Mat& img, std::array<double, ImageHealth::kBlocks>* blocks, std::vector<int>* colsum) {
  const int bw = img.cols / ImageHealth::kGridX, bh = img.rows / ImageHealth::kGridY;
  colsum->resize(img.cols);
  int* cs = colsum->data();
  for (int by = 0; by < ImageHealth::kGridY; ++by) {
    std::fill(colsum->begin(), colsum->end(), 0);
    for (int y = by * bh; y < (by + 1) * bh; ++y) {
      const uint8_t* row = img.ptr<uint8_t>(y);
      for (int x = 0; x < img.cols; ++x) cs[x] += row[x];
    }
    for (int bx = 0; bx < ImageHealth::kGridX; ++bx) {
      int v = 0;
      for (int x = bx * bw; x < (bx + 1) * bw; ++x) v += cs[x];
      (*blocks)[by * ImageHealth::kGridX + bx] = v;
    }
  }
}

// Sum of |a - b| over two 8-bit single-channel images of one size, exact
// (cv::norm(NORM_L1) gives the same value, without vectorising 8-bit
// differences: about 10x slower at 640x360).
double SumAbsDiff8u(const cv::Mat& a, const cv::Mat& b) {
  uint64_t total = 0;
  const int w = a.cols;
  for (int y = 0; y < a.rows; ++y) {
    const uint8_t* pa = a.ptr<uint8_t>(y);
    const uint8_t* pb = b.ptr<uint8_t>(y);
    int x = 0;
    for (; x + 16 <= w; x += 16) total += cv::v_reduce_sad(cv::v_load(pa + x), cv::v_load(pb + x));
    for (; x < w; ++x) total += static_cast<uint64_t>(std::abs(pa[x] - pb[x]));
  }
  return static_cast<double>(total);
}

cv::Rect MidBlock(int b) {
  const int bw = kMid.width / ImageHealth::kGridX, bh = kMid.height / ImageHealth::kGridY;
  return cv::Rect((b % ImageHealth::kGridX) * bw, (b / ImageHealth::kGridX) * bh, bw, bh);
}

std::string Percent(double f) { return std::to_string(static_cast<int>(std::lround(f * 100))) + "%"; }

std::string Fmt(const char* fmt, double a, double b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

}  // namespace

std::string_view PictureName(Picture p) {
  switch (p) {
    case Picture::kOk: return "ok";
    case Picture::kFrozen: return "frozen";
    case Picture::kBlackout: return "blackout";
    case Picture::kGlare: return "glare";
    case Picture::kDefocused: return "defocused";
    case Picture::kOccluded: return "occluded";
    case Picture::kMoved: return "moved";
  }
  return "ok";
}

ImageHealth::ImageHealth(const config::HealthConfig& cfg) : cfg_(cfg) {}

void ImageHealth::Rebaseline() {
  refs_ = {};
  active_ = 0;
  other_since_ = -1;
  ref_spectrum_[0].release();
  ref_spectrum_[1].release();
  move_seen_t_ = -1e9;
  motion_ = {};
  motion_s_ = 0;
  prev_mid_.release();
  unstable_mask_ = 0;
  excluded_ = 0;
}

void ImageHealth::Extract(const cv::Mat& gray, Features* f) {
  // Fine detail is measured at 320x180: defocus first removes what a 160x90
  // copy has already averaged away.
  cv::resize(gray, f->large, kLarge, 0, 0, cv::INTER_AREA);
  cv::resize(f->large, f->small, kSmall, 0, 0, cv::INTER_AREA);
  // Per block: fine gradient energy at 320x180 (the blur measure's numerator),
  // in one vectorised pass.
  std::array<double, kBlocks> bfine{};
  f->fine_large = BlockGradients(f->large, &bfine, &colsum16_) / ((kLarge.width - 1) * (kLarge.height - 1));
  cv::Mat& mid8 = mid8_;
  cv::Mat& coarse8 = coarse8_;
  cv::resize(f->small, mid8, kMid, 0, 0, cv::INTER_AREA);
  cv::resize(mid8, coarse8, kCoarse, 0, 0, cv::INTER_AREA);
  mid8.convertTo(f->mid, CV_32F);
  coarse8.convertTo(f->coarse_f, CV_32F);

  // Histogram, block means and gradient energy at 160x90.
  std::array<double, kBlocks> bsum{}, bgrad{};
  const int bw = kSmall.width / kGridX, bh = kSmall.height / kGridY;
  const double fine = BlockGradients(f->small, &bgrad, &colsum16_);
  BlockSums(f->small, &bsum, &colsum32_);
  int hist[256] = {0};
  for (int y = 0; y < kSmall.height; ++y) {
    const uint8_t* row = f->small.ptr<uint8_t>(y);
    for (int x = 0; x < kSmall.width; ++x) ++hist[row[x]];
  }
  const int n = kSmall.area();
  const double block_n = static_cast<double>(bw) * bh;
  for (int b = 0; b < kBlocks; ++b) {
    f->block_mean[b] = static_cast<float>(bsum[b] / block_n);
    f->block_tex[b] = static_cast<float>(bgrad[b] / block_n / (f->block_mean[b] + kWeberOffset));

  }
  f->fine = fine / ((kSmall.width - 1) * (kSmall.height - 1));
  double sum = 0;
  int acc = 0, p2 = -1, p50 = -1, p98 = -1, sat = 0;
  for (int v = 0; v < 256; ++v) {
    sum += static_cast<double>(v) * hist[v];
    acc += hist[v];
    if (p2 < 0 && acc >= 0.02 * n) p2 = v;
    if (p50 < 0 && acc >= 0.5 * n) p50 = v;
    if (p98 < 0 && acc >= 0.98 * n) p98 = v;
    if (v >= kSaturatedLevel) sat += hist[v];
  }
  f->mean = sum / n;
  f->level = p50;
  f->spread = p98 - p2;
  f->saturated = static_cast<double>(sat) / n;
  f->p98 = p98;

  // Coarse gradient energy (40x22) for the scale-free sharpness ratio.
  double coarse = 0;
  for (int y = 0; y + 1 < kCoarse.height; ++y) {
    const uint8_t* row = coarse8.ptr<uint8_t>(y);
    const uint8_t* below = coarse8.ptr<uint8_t>(y + 1);
    for (int x = 0; x + 1 < kCoarse.width; ++x)
      coarse += std::abs(row[x + 1] - row[x]) + std::abs(below[x] - row[x]);
  }
  f->coarse = coarse / ((kCoarse.width - 1) * (kCoarse.height - 1));

  // Gradient magnitude at 80x45, box-blurred so a shift of a pixel still matches.
  cv::Mat& g = grad_raw_;
  g.create(kMid, CV_32F);
  std::array<double, kBlocks> bmid{};
  const int mbw = kMid.width / kGridX, mbh = kMid.height / kGridY;
  for (int y = 0; y < kMid.height; ++y) {
    const float* row = f->mid.ptr<float>(y);
    const float* below = f->mid.ptr<float>(std::min(y + 1, kMid.height - 1));
    float* out = g.ptr<float>(y);
    for (int x = 0; x < kMid.width; ++x) {
      const int xn = std::min(x + 1, kMid.width - 1);
      // Weber-normalised, so that a dark (night) scene has as much structure as a bright one.
      const float raw = std::abs(row[xn] - row[x]) + std::abs(below[x] - row[x]);
      out[x] = 100.0f * raw / (row[x] + static_cast<float>(kWeberOffset));
      bmid[std::min(y / mbh, kGridY - 1) * kGridX + std::min(x / mbw, kGridX - 1)] += raw;
    }
  }
  cv::blur(g, f->grad, cv::Size(3, 3));
  // Blur measure per block: fine (320x180) over coarse (80x45) gradient
  // energy. Scale-free, so blind to exposure and contrast; local, so a glow or
  // a passer-by elsewhere does not move it. 16 pixels of 320x180 per pixel of 80x45.
  for (int b = 0; b < kBlocks; ++b) {
    const cv::Rect rc = MidBlock(b);
    const double n80 = rc.area();
    f->block_sharp[b] = static_cast<float>(bfine[b] / 16 / (bmid[b] + n80));
    f->block_coarse[b] = static_cast<float>(bmid[b] / n80 / (f->block_mean[b] + kWeberOffset));
  }
}

ImageHealth::Comparison ImageHealth::Compare(const Features& f, const Reference& r) const {
  Comparison c;
  // Gain: the median block brightness ratio, robust to a part of the view changing.
  // Blocks that lost their detail (sharpness) are left out when there are
  // enough others: spray paint over half the view must not set the gain.
  std::array<bool, kBlocks> lost{};
  for (int b = 0; b < kBlocks; ++b)
    lost[b] = r.block_tex[b] >= kMinSharpTex &&
              f.block_sharp[b] < kLostDetail * std::max(r.block_sharp[b], 1e-4f);
  std::array<float, kBlocks> ratios;
  int nr = 0;
  for (int b = 0; b < kBlocks; ++b)
    if (!lost[b]) ratios[nr++] = (f.block_mean[b] + 5) / (r.block_mean[b] + 5);
  if (nr < kMinTexturedBlocks) {
    nr = 0;
    for (int b = 0; b < kBlocks; ++b) ratios[nr++] = (f.block_mean[b] + 5) / (r.block_mean[b] + 5);
  }
  std::nth_element(ratios.begin(), ratios.begin() + nr / 2, ratios.begin() + nr);
  c.gain = ratios[nr / 2];
  // Sharpness: the median over blocks with detail of the block's blur measure
  // against the reference's; mid-scale detail likewise. Blocks that always
  // move (water) are left out when enough others remain.
  std::array<float, kBlocks> sharp, coarse;
  int ns = 0;
  for (int pass = 0; pass < 2 && ns < kMinTexturedBlocks; ++pass) {
    ns = 0;
    for (int b = 0; b < kBlocks; ++b) {
      if (r.block_tex[b] < kMinSharpTex || (pass == 0 && Unstable(b))) continue;
      coarse[ns] = (f.block_coarse[b] + 1e-3f) / (r.block_coarse[b] + 1e-3f);
      sharp[ns++] = f.block_sharp[b] / std::max(r.block_sharp[b], 1e-4f);
    }
  }
  if (ns >= kMinTexturedBlocks) {
    std::nth_element(sharp.begin(), sharp.begin() + ns / 2, sharp.begin() + ns);
    c.sharpness = sharp[ns / 2];
    std::nth_element(coarse.begin(), coarse.begin() + ns / 2, coarse.begin() + ns);
    c.coarse_tex = coarse[ns / 2];
  }
  int covered = 0, covered_bright = 0, brightened = 0, textured = 0, matched = 0, textured_rest = 0,
      matched_rest = 0;
  double tex_cur = 0, tex_ref = 0;
  for (int b = 0; b < kBlocks; ++b) {
    tex_cur += f.block_tex[b];
    tex_ref += r.block_tex[b];
    const double expect = c.gain * r.block_mean[b];
    const double change = std::abs(f.block_mean[b] - expect) / (expect + 20);
    const bool has_structure = r.grad_std[b] >= kFlatGradStd;
    // The match counts every textured block, moving water included: a few
    // stable blocks alone drift (surf) and would misjudge an unchanged view.
    // The shift check, which must not be pulled by water, uses the stable ones.
    const bool judged = has_structure;
    float ncc = 0;
    if (has_structure) {
      const cv::Rect rc = MidBlock(b);
      ncc = BlockNcc(f.grad(rc), r.grad(rc));
      if (judged) {
        ++textured;
        if (ncc >= kMatchNcc) ++matched;
      }
    }
    const double tex_ratio = (f.block_tex[b] + 1e-3) / (r.block_tex[b] + 1e-3);
    const double coarse_ratio = (f.block_coarse[b] + 1e-3) / (r.block_coarse[b] + 1e-3);
    bool cov = false;
    if (lost[b] && ((change > kLostMeanChange && coarse_ratio < kCoveredCoarse) || coarse_ratio < kPaintedCoarse)) {
      cov = true;  // fine and mid-scale detail gone: paint, a cloth, a hand
    } else if (has_structure) {
      cov = tex_ratio < kCoveredTexRatio && coarse_ratio < kCoveredCoarse &&
            (change > kCoveredMeanChange || ncc < kCoveredStructure);
    } else {
      cov = change > kFlatMeanChange && f.block_tex[b] < std::max<double>(kFlatCurrentTex, 2 * r.block_tex[b]);
    }
    // A block lit up to near white is washed out by light (headlights, a
    // torch), not covered: it counts towards glare instead.
    if (f.block_mean[b] >= kGlareBlockMean && f.block_mean[b] > expect) {
      cov = false;
      ++covered_bright;
    }
    if (cov && f.block_mean[b] > kBrightenedGain * expect + kBrightenedOffset) ++brightened;
    covered += cov;
    if (cov) c.covered_mask |= uint64_t{1} << b;
    if (!cov && judged) {
      ++textured_rest;
      if (ncc >= kMatchNcc) ++matched_rest;
    }
  }
  c.covered_bright = static_cast<double>(covered_bright) / kBlocks;
  c.brightened = static_cast<double>(brightened) / kBlocks;
  c.covered = static_cast<double>(covered) / kBlocks;
  c.match_rest = textured_rest >= kMinTexturedBlocks ? static_cast<double>(matched_rest) / textured_rest : -1;
  int nlost = 0, ndetail = 0;
  for (int b = 0; b < kBlocks; ++b) {
    nlost += lost[b];
    ndetail += r.block_tex[b] >= kMinSharpTex;
  }
  c.lost = static_cast<double>(nlost) / kBlocks;
  c.lost_share = ndetail ? static_cast<double>(nlost) / ndetail : 0;
  c.match = textured >= kMinTexturedBlocks ? static_cast<double>(matched) / textured : 1.0;
  c.tex_ratio = tex_ref > 1e-6 ? tex_cur / tex_ref : 1;
  return c;
}

bool ImageHealth::Unstable(int b) const { return (excluded_ >> b) & 1; }

uint64_t ImageHealth::Excluded(const Reference& r) const {
  // Judging on the stable part only makes sense while it is most of the
  // structure: in a view that is mostly surf, the few blocks left would be
  // too few (and drifting) to tell a moved camera; all blocks are judged then.
  int textured = 0, stable = 0;
  for (int b = 0; b < kBlocks; ++b) {
    if (r.grad_std[b] < kFlatGradStd) continue;
    ++textured;
    stable += !((unstable_mask_ >> b) & 1);
  }
  return stable >= kMinStableShare * textured && stable >= kMinStableBlocks ? unstable_mask_ : 0;
}

void ImageHealth::LearnMotion(const Features& f, double t) {
  if (!prev_mid_.empty() && t - prev_mid_t_ < kMotionStepS) return;
  if (prev_mid_.empty()) {
    f.mid.copyTo(prev_mid_);
    prev_mid_t_ = t;
    return;
  }
  const double step = std::min(t - prev_mid_t_, kMaxDt);
  std::array<float, kBlocks> diff;
  for (int b = 0; b < kBlocks; ++b) {
    const cv::Rect rc = MidBlock(b);
    double d = 0;
    for (int y = rc.y; y < rc.y + rc.height; ++y) {
      const float* p = f.mid.ptr<float>(y);
      const float* q = prev_mid_.ptr<float>(y);
      for (int x = rc.x; x < rc.x + rc.width; ++x) d += std::abs(p[x] - q[x]);
    }
    diff[b] = static_cast<float>(d / rc.area() / (f.block_mean[b] + kWeberOffset));
  }
  f.mid.copyTo(prev_mid_);
  prev_mid_t_ = t;
  std::array<float, kBlocks> sorted = diff;
  std::nth_element(sorted.begin(), sorted.begin() + kBlocks / 2, sorted.end());
  if (sorted[kBlocks / 2] > kGlobalChange) return;  // most of the view changed: not a property of blocks
  motion_s_ += step;
  const double w = step / std::min(motion_s_, kMotionS);
  unstable_mask_ = 0;
  for (int b = 0; b < kBlocks; ++b) {
    motion_[b] = static_cast<float>((1 - w) * motion_[b] + w * (diff[b] > kBlockMovingDiff ? 1.0 : 0.0));
    if (motion_s_ >= kMotionMinS && motion_[b] > kUnstableShare) unstable_mask_ |= uint64_t{1} << b;
  }
}

void ImageHealth::Accumulate(const Features& f, double t, double dt, double weight, Reference* r) {
  const double w = std::clamp(weight, 0.0, 1.0);
  // While a reference is learned its picture changes fast: its spectrum is
  // rebuilt once it is ready (and then every kSpectrumRefreshS, see Observe).
  if (!r->ready) ref_spectrum_[r == &refs_[0] ? 0 : 1].release();
  if (r->mid.empty()) {
    f.mid.copyTo(r->mid);
    f.grad.copyTo(r->grad);
    r->block_mean = f.block_mean;
    r->block_tex = f.block_tex;
    r->block_sharp = f.block_sharp;
    r->block_coarse = f.block_coarse;
    r->level = f.level;
    r->fine = f.fine;
    r->fine_large = f.fine_large;
    r->coarse = f.coarse;
    r->saturated = f.saturated;
  } else {
    cv::addWeighted(r->mid, 1 - w, f.mid, w, 0, r->mid);
    cv::addWeighted(r->grad, 1 - w, f.grad, w, 0, r->grad);
    for (int b = 0; b < kBlocks; ++b) {
      r->block_mean[b] = static_cast<float>((1 - w) * r->block_mean[b] + w * f.block_mean[b]);
      r->block_tex[b] = static_cast<float>((1 - w) * r->block_tex[b] + w * f.block_tex[b]);
      r->block_sharp[b] = static_cast<float>((1 - w) * r->block_sharp[b] + w * f.block_sharp[b]);
      r->block_coarse[b] = static_cast<float>((1 - w) * r->block_coarse[b] + w * f.block_coarse[b]);
    }
    r->level = (1 - w) * r->level + w * f.level;
    r->fine = (1 - w) * r->fine + w * f.fine;
    r->fine_large = (1 - w) * r->fine_large + w * f.fine_large;
    r->coarse = (1 - w) * r->coarse + w * f.coarse;
    r->saturated = (1 - w) * r->saturated + w * f.saturated;
  }
  if (!r->ready) r->learned_s += dt;
  // Which blocks have structure changes slowly: refreshed while learning and
  // then every kStructureRefreshS.
  if (r->ready && t - r->structure_t < kStructureRefreshS) return;
  r->structure_t = t;
  for (int b = 0; b < kBlocks; ++b) {
    r->grad_std[b] = BlockStd(r->grad, MidBlock(b));
  }
}

double ImageHealth::ShiftedMatch(const Features& f, const Reference& r, cv::Point2d shift) const {
  // The reference moved by `shift`, bilinear; -1 outside it. A hand-written
  // loop: cv::warpAffine on an 80x45 picture costs over 100 us in thread
  // start-up alone on a loaded machine.
  cv::Mat moved(kMid, CV_32F);
  const int fx = static_cast<int>(std::floor(shift.x)), fy = static_cast<int>(std::floor(shift.y));
  const float ax = static_cast<float>(shift.x - fx), ay = static_cast<float>(shift.y - fy);
  for (int y = 0; y < kMid.height; ++y) {
    float* out = moved.ptr<float>(y);
    // moved(x, y) = ref(x - shift.x, y - shift.y): between source rows y0 and y0 + 1.
    const int y0 = y - fy - 1;
    for (int x = 0; x < kMid.width; ++x) {
      const int x0 = x - fx - 1;
      if (x0 < 0 || y0 < 0 || x0 + 1 >= kMid.width || y0 + 1 >= kMid.height) {
        out[x] = -1;
        continue;
      }
      const float* r0 = r.grad.ptr<float>(y0);
      const float* r1 = r.grad.ptr<float>(y0 + 1);
      const float top = r0[x0] * ax + r0[x0 + 1] * (1 - ax);
      const float bot = r1[x0] * ax + r1[x0 + 1] * (1 - ax);
      out[x] = top * ay + bot * (1 - ay);
    }
  }
  int textured = 0, matched = 0;
  for (int b = 0; b < kBlocks; ++b) {
    if (Unstable(b)) continue;
    const cv::Rect rc = MidBlock(b);
    float lo;
    const float sd = BlockStd(moved, rc, &lo);
    if (lo < 0) continue;  // outside the shifted reference
    if (sd < kFlatGradStd) continue;
    ++textured;
    if (BlockNcc(f.grad(rc), moved(rc)) >= kMatchNcc) ++matched;
  }
  return textured >= kMinTexturedBlocks ? static_cast<double>(matched) / textured : 0;
}

void ImageHealth::PrepareShift(const Reference& r, int slot, double t) {
  if (hann_.empty()) cv::createHanningWindow(hann_, kCoarse, CV_32F);
  if (window_.empty() || window_mask_ != excluded_) {
    cv::Mat keep(kMid, CV_32F, cv::Scalar(1));
    for (int b = 0; b < kBlocks; ++b)
      if (Unstable(b)) keep(MidBlock(b)).setTo(0);
    cv::resize(keep, keep, kCoarse, 0, 0, cv::INTER_AREA);  // soft at the block edges
    window_ = hann_.mul(keep);
    window_mask_ = excluded_;
    ref_spectrum_[0].release();
    ref_spectrum_[1].release();
  }
  // The reference's spectrum is kept until the reference (or the window) changes.
  if (ref_spectrum_[slot].empty()) {
    cv::resize(r.mid, windowed_, kCoarse, 0, 0, cv::INTER_AREA);
    Windowed(windowed_, window_, &windowed_);
    cv::dft(windowed_, ref_spectrum_[slot], cv::DFT_COMPLEX_OUTPUT);
    spectrum_t_[slot] = t;
  }
}

cv::Point2d ImageHealth::FindShift(const Features& f, const Reference& r, int slot, double* response) {
  // Phase correlation at 40x22: a quarter of the cost of 80x45 (two small
  // DFTs), and a turned camera moves the view by many pixels; the shift is
  // refined to sub-pixel by the peak's centroid and only needs to be good to
  // about a pixel at 80x45, where ShiftedMatch compares blurred structure.
  // The window is a Hann window with the unstable blocks faded out, so moving
  // water cannot pull the peak; rebuilt when the unstable blocks change.
  const double sx = static_cast<double>(kMid.width) / kCoarse.width;
  const double sy = static_cast<double>(kMid.height) / kCoarse.height;
  // Normally prepared on a healthy frame; a window a little behind the
  // unstable blocks is kept rather than rebuilt on a turned view.
  if (window_.empty() || ref_spectrum_[slot].empty()) PrepareShift(r, slot, last_t_);
  Windowed(f.coarse_f, window_, &windowed_);
  cv::dft(windowed_, spec_, cv::DFT_COMPLEX_OUTPUT);
  cv::mulSpectrums(ref_spectrum_[slot], spec_, cross_, 0, true);
  for (int y = 0; y < cross_.rows; ++y) {
    cv::Vec2f* p = cross_.ptr<cv::Vec2f>(y);
    for (int x = 0; x < cross_.cols; ++x) {
      const float m = std::sqrt(p[x][0] * p[x][0] + p[x][1] * p[x][1]);
      p[x] = m > 1e-12f ? p[x] / m : cv::Vec2f(0, 0);
    }
  }
  cv::idft(cross_, corr_, cv::DFT_REAL_OUTPUT | cv::DFT_SCALE);
  cv::Point peak;
  cv::minMaxLoc(corr_, nullptr, nullptr, nullptr, &peak);
  // Sub-pixel peak: centroid of the positive part of the 3x3 neighbourhood
  // (circular). At 40x22 the peak is about one bin wide with negative side
  // lobes, so cv::phaseCorrelate's 5x5 window would cancel it out.
  const int W = corr_.cols, H = corr_.rows;
  double sum = 0, cx = 0, cy = 0;
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) {
      const float v = std::max(0.0f, corr_.at<float>((peak.y + dy + H) % H, (peak.x + dx + W) % W));
      sum += v;
      cx += v * dx;
      cy += v * dy;
    }
  *response = sum;
  double px = peak.x + (sum > 0 ? cx / sum : 0), py = peak.y + (sum > 0 ? cy / sum : 0);
  if (px >= W / 2.0) px -= W;
  if (py >= H / 2.0) py -= H;
  // A peak at -d: the picture is the reference moved by +d (in 80x45 pixels).
  return cv::Point2d(-px * sx, -py * sy);
}

void ImageHealth::Snapshot(const Features& f, double t, uint64_t covered_mask) {
  // Keep a snapshot of the structure every kSnapshotS, for kSettleS back.
  if (snaps_.empty() || t - snaps_.back().t >= kSnapshotS) {
    Snap s{t, f.grad.clone(), covered_mask, {}};
    for (int b = 0; b < kBlocks; ++b) s.block_std[b] = BlockStd(s.grad, MidBlock(b));
    snaps_.push_back(std::move(s));
  }
  while (snaps_.size() > 1 && t - snaps_[1].t >= kSettleS) snaps_.pop_front();
}

bool ImageHealth::CoverStable(uint64_t mask, double t) const {
  if (snaps_.empty() || t - snaps_.front().t < kSettleS * 0.5) return false;
  const uint64_t before = snaps_.front().covered_mask;
  const int n = __builtin_popcountll(before);
  if (n < kMinCoverBlocks) return false;
  return __builtin_popcountll(before & mask) >= kCoverStayed * n;
}

bool ImageHealth::Settled(const Features& f, double t) const {
  if (snaps_.empty()) return false;
  const Snap& old = snaps_.front();
  if (t - old.t < kSettleS * 0.5) return false;
  int textured = 0, matched = 0;
  for (int b = 0; b < kBlocks; ++b) {
    if (Unstable(b) || old.block_std[b] < kFlatGradStd) continue;
    const cv::Rect rc = MidBlock(b);
    ++textured;
    if (BlockNcc(f.grad(rc), old.grad(rc)) >= kMatchNcc) ++matched;
  }
  return textured < kMinTexturedBlocks || matched >= kSettledMatch * textured;
}

ImageVerdict ImageHealth::Observe(const cv::Mat& gray, double t, Picture current) {
  ImageVerdict v;
  v.t = t;
  const double dt = last_t_ < 0 ? kDefaultDt : std::clamp(t - last_t_, 0.0, kMaxDt);
  last_t_ = t;
  Features& f = f_;
  Extract(gray, &f);
  LearnMotion(f, t);
  v.unstable = __builtin_popcountll(unstable_mask_);
  v.mean = f.mean;
  v.spread = f.spread;
  v.saturated = f.saturated;
  // Frozen: compared with the first frame of the current still run (the
  // anchor), so slow real change accumulates and breaks the run while an
  // encoder's re-coded copies of one picture stay within the threshold.
  const double frozen_max = current == Picture::kFrozen ? kFrozenHoldDiff : kFrozenMaxDiff;
  if (!anchor_.empty() && anchor_.size() == gray.size() && anchor_.type() == gray.type()) {
    const double sad = gray.type() == CV_8UC1 ? SumAbsDiff8u(gray, anchor_) : cv::norm(gray, anchor_, cv::NORM_L1);
    v.frame_diff = sad / static_cast<double>(gray.total());
  }
  const bool still = v.frame_diff >= 0 && v.frame_diff <= frozen_max;
  if (!still) gray.copyTo(anchor_);

  auto done = [&](Picture p, std::string cause, double confidence) {
    v.picture = p;
    v.cause = std::move(cause);
    v.confidence = std::clamp(confidence, 0.0, 1.0);
    v.reference_ready = reference_ready();
    return v;
  };

  // 1. Pictures judged without a reference.
  const double hold_dark = current == Picture::kBlackout ? kBlackoutHold : 1.0;
  if (f.p98 < kDarkLevel * hold_dark) {
    return done(Picture::kBlackout, Fmt("picture too dark (98%% of pixels below grey %.0f)", f.p98 + 1),
                1 - f.p98 / (kDarkLevel * hold_dark));
  }
  double ref_saturated = 0;
  for (const auto& r : refs_)
    if (r.ready) ref_saturated = std::max(ref_saturated, r.saturated);
  const double glare_hold = current == Picture::kGlare ? kGlareHold : 1.0;
  if (f.saturated >= kGlareFraction * glare_hold &&
      f.saturated - ref_saturated >= kGlareOverReference * glare_hold) {
    return done(Picture::kGlare, "picture saturated (" + Percent(f.saturated) + " of pixels at full white)",
                (f.saturated - kGlareFraction * glare_hold) / (1 - kGlareFraction * glare_hold) + 0.5);
  }
  if (f.spread < kUniformSpread * hold_dark) {
    return done(Picture::kBlackout, Fmt("picture uniform (spans only %.0f grey levels, mean %.0f)", f.spread, f.mean),
                1 - f.spread / (kUniformSpread * hold_dark));
  }
  // 2. Learning the first reference (still frames count: a camera may show a
  // still scene at first; a frozen one is reported below).
  if (!reference_ready()) {
    Reference& r = refs_[0];
    Accumulate(f, t, dt, r.mid.empty() ? 1.0 : dt / (r.learned_s + dt), &r);
    if (r.learned_s >= cfg_.learn_s) r.ready = true;
    active_ = 0;
  }
  if (!refs_[0].ready) {
    if (still) return done(Picture::kFrozen, Fmt("picture unchanged (mean difference %.2f grey levels)", v.frame_diff), 1);
    return done(Picture::kOk, "", 0);
  }

  // Blocks left out of the structure checks (see Excluded()).
  excluded_ = Excluded(refs_[refs_[active_].ready ? active_ : 0]);
  // 3. Pick the reference that fits this lighting.
  Comparison c;
  int slot = -1;
  for (int i = 0; i < 2; ++i) {
    if (!refs_[i].ready) continue;
    Comparison ci = Compare(f, refs_[i]);
    const bool better = slot < 0 || ci.match > c.match + 0.1 ||
                        (ci.match > c.match - 0.1 && std::abs(std::log(ci.gain)) < std::abs(std::log(c.gain)));
    if (better) {
      c = ci;
      slot = i;
    }
  }
  active_ = slot;
  v.reference = slot;
  v.gain = c.gain;
  v.sharpness = c.sharpness;
  v.covered = c.covered;
  v.match = c.match;
  v.coarse_tex = c.coarse_tex;

  // A lasting lighting change with the same structure: learn the other regime.
  const int other = 1 - slot;
  const double log_gain = std::abs(std::log(c.gain));
  const bool flattened = log_gain > std::log(kRegimeFlatGain) &&
                         std::abs(std::log(c.coarse_tex)) > -std::log(kRegimeFlatContrast);
  const bool new_regime = !refs_[other].ready && (log_gain > std::log(kRegimeGain) || flattened) &&
                          c.match >= kRegimeMatch && c.covered < cfg_.occluded_fraction;
  if (new_regime) {
    if (other_since_ < 0) other_since_ = t;
    if (t - other_since_ >= kRegimeSettleS) {
      Reference& r = refs_[other];
      Accumulate(f, t, dt, r.mid.empty() ? 1.0 : dt / (r.learned_s + dt), &r);
      if (r.learned_s >= cfg_.learn_s) {
        r.ready = true;
        other_since_ = -1;
      }
    }
  } else if (!refs_[other].ready) {
    other_since_ = -1;
    if (!refs_[other].mid.empty()) refs_[other] = Reference();
  }

  // 4. Pictures judged against the reference. A view that lost its match is
  // told apart from a covered one by a consistent shift of the whole picture.
  const double occl = cfg_.occluded_fraction * (current == Picture::kOccluded ? kOccludedHold : 1.0);
  const double moved = current == Picture::kMoved ? kMovedHold : kMovedMatch;
  // A camera that was turned or knocked comes to rest in its new position; one
  // that is still swinging (a pan, a hand-held wobble) is not judged yet.
  Snapshot(f, t, c.covered_mask);
  const bool settled = (c.covered >= occl || c.match < kShiftCheckMatch) && Settled(f, t);
  if (c.covered >= occl || c.match < kShiftCheckMatch) {
    // Where does the reference fit best? If the shifted reference explains the
    // picture much better than the unshifted one, the camera moved. A shift
    // confirmed a moment ago (or a move already raised) is held with laxer
    // thresholds while the picture keeps that shift.
    const Reference& r = refs_[slot];
    double response = 0;
    const cv::Point2d shift = FindShift(f, r, slot, &response);
    const double dist = std::hypot(shift.x, shift.y);
    v.shift = dist / kMid.width;
    v.shift_response = response;
    if (dist >= kMinShiftPx && response >= kShiftResponse) {
      const double shifted = ShiftedMatch(f, r, shift);
      v.shifted_match = shifted;
      const bool recent = (current == Picture::kMoved || t - move_seen_t_ <= kMoveMemoryS) &&
                          std::hypot(shift.x - move_shift_.x, shift.y - move_shift_.y) <= kShiftTolPx;
      const bool fits = recent ? shifted >= kShiftedMatchHold && shifted >= c.match + kShiftedGainHold
                               : shifted >= kShiftedMatch && shifted >= c.match + kShiftedGain;
      if (fits && (settled || recent)) {
        v.shift = dist / kMid.width;
        move_shift_ = shift;
        move_seen_t_ = t;
        return done(Picture::kMoved,
                    Fmt("view shifted by %.0f%% of its width (%.0f%% of the reference structure in place)",
                        100.0 * dist / kMid.width, 100.0 * c.match),
                    0.5 + shifted / 2);
      }
    }
  }
  // Light added over a part of the view (a torch, a laser, the sun): the
  // covered blocks are mostly washed out or lit up well above their expected
  // brightness, with some of the picture saturated. A cover darkens or keeps
  // the brightness; at night even a light-coloured cloth saturates nothing.
  const double lit = c.covered_bright + c.brightened;
  if (c.covered + c.covered_bright >= occl && lit >= 0.5 * (c.covered + c.covered_bright) &&
      f.saturated - ref_saturated >= kGlareMinSaturated) {
    return done(Picture::kGlare, "picture washed out (" + Percent(f.saturated) + " of pixels saturated, " +
                                     Percent(c.covered_bright) + " of the view white)",
                0.5 + f.saturated);
  }
  if (new_regime) {
    // A lasting lighting change (day <-> IR night) whose reference is being
    // learned: detail and coverage are not judged against the other regime.
    return done(Picture::kOk, "", 0);
  }
  if (c.covered >= occl && c.match_rest >= 0 && c.match_rest < moved) {
    // Covered, and what is not covered does not match either: the whole view
    // changed. A camera turned towards something plain; judged once it is still.
    if (!settled) return done(Picture::kOk, "", 0);
    return done(Picture::kMoved,
                "view does not match the reference (" + Percent(c.match_rest) + " of the visible structure found)",
                1 - c.match_rest / moved + 0.5);
  }
  if (c.covered >= occl && current != Picture::kOccluded && !CoverStable(c.covered_mask, t)) {
    // Something large in front of the lens that is moving (a passer-by, a
    // vehicle's lights): not a cover, whatever its size.
    return done(Picture::kOk, "", 0);
  }
  if (c.covered >= occl) {
    // The cover was already there at the snapshot that proved it stays.
    if (!snaps_.empty() && __builtin_popcountll(snaps_.front().covered_mask) >= kMinCoverBlocks)
      v.onset = snaps_.front().t;
    return done(Picture::kOccluded, "covered " + Percent(c.covered) + " of the view", c.covered);
  }
  const double defocus = cfg_.defocus_ratio * (current == Picture::kDefocused ? kDefocusHold : 1.0);
  if (c.sharpness < defocus) {
    return done(Picture::kDefocused,
                "sharpness " + Percent(c.sharpness) + " of the reference", 1 - c.sharpness / defocus + 0.5);
  }
  if (c.match < moved && settled) {
    return done(Picture::kMoved,
                "view does not match the reference (" + Percent(c.match) + " of its structure found)",
                1 - c.match / moved + 0.5);
  }

  if (still) {
    return done(Picture::kFrozen, Fmt("picture unchanged (mean difference %.2f grey levels)", v.frame_diff),
                1 - v.frame_diff / std::max(frozen_max, 1e-3));
  }

  // 5. Healthy: follow the scene slowly while it matches.
  if (current == Picture::kOk && c.covered <= kStableCovered && c.match >= kStableMatch && !new_regime) {
    Accumulate(f, t, dt, dt / std::max(cfg_.update_s, dt), &refs_[slot]);
    // The shift check's reference spectrum is prepared here, on a healthy
    // frame, so that a turned view does not pay for it; the slow update
    // changes the reference little, so it is refreshed every kSpectrumRefreshS.
    // Not on a frame that also refreshed the structure (both are tens of us).
    if (refs_[slot].structure_t != t) {
      if (t - spectrum_t_[slot] >= kSpectrumRefreshS) ref_spectrum_[slot].release();
      PrepareShift(refs_[slot], slot, t);
    }
  }
  return done(Picture::kOk, "", 0);
}

}  // namespace watchline::health
