// ImageHealth: the per-frame picture checks behind a camera's health state.
//
// It looks at each analysed grey frame (any size; the checks run on a
// 160x90 / 80x45 copy, so the cost is a few tens of microseconds per frame at
// 640x360) and says what the picture looks like right now:
//   frozen     the picture is (nearly) identical to the one a moment ago
//   blackout   too dark or too uniform (lens covered with something dark, dead sensor)
//   glare      a large part of the picture is saturated (flashlight, laser, sun)
//   defocused  fine detail lost against the reference, while the layout still matches it
//   occluded   a large share of the view lost its texture and changed (hand, cloth, spray)
//   moved      the structure of the view no longer matches the reference scene
//   ok         none of the above
// This is one frame's verdict, before any hysteresis; HealthMonitor turns
// verdicts into states with minimum durations.
//
// The reference scene is learned from the first learn_s seconds of healthy
// frames, then follows the scene slowly (time constant update_s) while the
// picture matches it. Two references are kept: one per lighting regime (day
// and IR night, told apart by a lasting global brightness change whose
// structure still matches); each frame is judged against the one that fits
// it best. Rebaseline() forgets both and learns again.
//
// The features are chosen to be blind to what must not raise an alarm:
// global gain (auto-exposure, day/night) is divided out, texture is measured
// relative to local brightness (shadows), and structure is compared on
// gradient magnitudes (sign-free, contrast-normalised).
//
// How the look-alike conditions are told apart:
//   defocused vs occluded  defocus takes the fine detail (320x180) but keeps
//                          the mid-scale layout (80x45); paint, a cloth or a
//                          hand takes both, in a region, whatever its colour.
//   glare vs occluded      light added over the view: the changed blocks are
//                          washed out or lit well above their expected
//                          brightness, with some of the picture saturated.
//   moved                  the reference, shifted by the phase correlation of
//                          the view (40x22, stable blocks only), matches the
//                          picture far better than in place, once the view is
//                          still; a confirmed shift is held while it persists.
// Blocks that always move (water, surf, foliage) are learned from the
// frame-to-frame change and left out of the shift, settled and sharpness
// checks while they are a minority of the view.
//
// Not thread safe: one thread (the camera's analysis thread) calls Observe();
// HealthMonitor serialises its own use.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string_view>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "config/config.h"

namespace watchline::health {

// What one frame looks like.
enum class Picture { kOk, kFrozen, kBlackout, kGlare, kDefocused, kOccluded, kMoved };
std::string_view PictureName(Picture p);

struct ImageVerdict {
  double t = 0;                    // time of the frame, seconds
  Picture picture = Picture::kOk;
  bool reference_ready = false;    // false while the first reference is being learned
  std::string cause;               // operator-readable, "" when ok
  double confidence = 0;           // 0..1, how far past its threshold the check is
  double onset = -1;               // when the condition was first visible, if earlier than t (else -1)
  // The measurements (also useful for tuning and benchmarks).
  double mean = 0;                 // grey level 0..255
  double spread = 0;               // 98th minus 2nd percentile, grey levels (80x45 image)
  double saturated = 0;            // fraction of pixels >= kSaturatedLevel
  double frame_diff = -1;          // mean |difference| to the still run's first frame, grey levels
  double sharpness = 1;            // fine-detail energy relative to the reference (1 = as sharp)
  double covered = 0;              // fraction of the view that lost texture and changed
  double match = 1;                // share of the reference's textured blocks still matching
  double gain = 1;                 // brightness relative to the reference
  double shift = 0;                // whole-view shift against the reference, fraction of the width (when measured)
  double shift_response = 0;       // strength of the phase-correlation peak behind `shift`
  double shifted_match = -1;       // share of the stable structure matching once shifted (-1: not checked)
  double coarse_tex = 1;           // median mid-scale (80x45) detail of the detail blocks vs the reference
  int unstable = 0;                // blocks learned as always moving (water, foliage), left out of structure checks
  int reference = -1;              // which reference slot judged this frame
};

class ImageHealth {
 public:
  explicit ImageHealth(const config::HealthConfig& cfg);

  // Judges one grey frame (CV_8UC1) at time t (seconds, increasing).
  // `current` is the camera's state now: a condition already raised is held
  // with laxer thresholds (hysteresis), and the reference only learns while ok.
  ImageVerdict Observe(const cv::Mat& gray, double t, Picture current);

  // Forgets the references; the next learn_s seconds of frames build new ones.
  void Rebaseline();

  bool reference_ready() const { return refs_[0].ready || refs_[1].ready; }

  // Grid of blocks the view is divided into for occlusion and structure.
  static constexpr int kGridX = 8, kGridY = 5;
  static constexpr int kBlocks = kGridX * kGridY;

 private:
  // Features of one frame, at fixed small sizes.
  struct Features {
    cv::Mat large;                          // 320x180 grey, CV_8U
    cv::Mat small;                          // 160x90 grey, CV_8U
    cv::Mat mid;                            // 80x45 grey, CV_32F
    cv::Mat coarse_f;                       // 40x22 grey, CV_32F (phase correlation)
    cv::Mat grad;                           // 80x45 gradient magnitude, CV_32F, lightly blurred
    std::array<float, kBlocks> block_mean{};
    std::array<float, kBlocks> block_tex{};  // fine gradient energy / (block mean + kWeberOffset)
    std::array<float, kBlocks> block_sharp{};  // 320x180 energy over 160x90 energy
    std::array<float, kBlocks> block_coarse{};  // 80x45 gradient energy / (block mean + kWeberOffset)
    double level = 0;                        // median grey level
    double fine = 0, coarse = 0;             // gradient energy at 160x90 and 40x22
    double fine_large = 0;                   // gradient energy at 320x180
    double mean = 0, spread = 0, saturated = 0, p98 = 0;
  };
  struct Reference {
    bool ready = false;
    double learned_s = 0;  // seconds of frames accumulated while learning
    double last_t = 0;
    cv::Mat mid, grad;     // running means, CV_32F
    std::array<float, kBlocks> block_mean{}, block_tex{}, block_sharp{}, block_coarse{};
    std::array<float, kBlocks> grad_std{};  // structure in each block (0 = flat)
    double level = 0, fine = 0, fine_large = 0, coarse = 0, saturated = 0;
    double structure_t = 0;  // when grad_std was last computed
  };
  struct Comparison {
    double gain = 1, sharpness = 1, covered = 0, covered_bright = 0, match = 1, tex_ratio = 1;
    double brightened = 0;    // share of all blocks covered and lit up well above their expected brightness
    double coarse_tex = 1;    // median over detail blocks of the mid-scale detail ratio
    uint64_t covered_mask = 0;  // bit b: block b covered
    double match_rest = -1; // match among textured blocks not covered; -1 = too few to tell
    double lost = 0;        // share of all blocks that lost their detail
    double lost_share = 0;  // ... of the blocks that had detail
  };

  void Extract(const cv::Mat& gray, Features* f);
  Comparison Compare(const Features& f, const Reference& r) const;
  // Share of the reference's stable textured blocks that match once it is shifted by `shift` (80x45 pixels).
  double ShiftedMatch(const Features& f, const Reference& r, cv::Point2d shift) const;
  // Shift of the picture against the reference (80x45 pixels) by phase
  // correlation over the stable part of the view; *response is the peak's strength.
  cv::Point2d FindShift(const Features& f, const Reference& r, int slot, double* response);
  // Builds the phase-correlation window and the reference's spectrum if stale (t: now).
  void PrepareShift(const Reference& r, int slot, double t);
  // Learns which blocks always move (water, foliage): frame-to-frame change per block.
  void LearnMotion(const Features& f, double t);
  // Whether block b is left out of the structure checks this frame.
  bool Unstable(int b) const;
  // The unstable blocks to leave out, judged against r: none when too few stable ones remain.
  uint64_t Excluded(const Reference& r) const;
  // Whether the view has stopped moving: its structure matches the one of a moment ago.
  bool Settled(const Features& f, double t) const;
  void Snapshot(const Features& f, double t, uint64_t covered_mask);
  // Whether the covered blocks are (mostly) those covered a moment ago.
  bool CoverStable(uint64_t mask, double t) const;
  void Accumulate(const Features& f, double t, double dt, double weight, Reference* r);

  const config::HealthConfig cfg_;
  std::array<Reference, 2> refs_;
  int active_ = 0;            // slot the camera is using
  double other_since_ = -1;   // a lasting lighting change to a regime with no reference began
  double last_t_ = -1;

  cv::Mat anchor_;  // first frame of the current still run, full size

  Features f_;  // scratch, reused
  cv::Mat hann_;  // window for phase correlation (40x22)
  cv::Mat window_;              // hann_ with the unstable blocks faded out
  uint64_t window_mask_ = ~uint64_t{0};  // unstable-block mask window_ was built for
  std::array<double, 2> spectrum_t_{};   // when each spectrum was built
  std::array<cv::Mat, 2> ref_spectrum_;   // DFT of the windowed 40x22 reference per slot (empty: stale)
  cv::Mat spec_, cross_, corr_, windowed_;  // scratch for FindShift
  // Recent confirmed shift: a move seen a moment ago is held with laxer thresholds.
  cv::Point2d move_shift_;
  double move_seen_t_ = -1e9;
  // Per block: mean frame-to-frame change (Weber units), learned over kMotionS.
  std::array<float, kBlocks> motion_{};
  double motion_s_ = 0;   // seconds of frames learned
  cv::Mat prev_mid_;      // the 80x45 picture of about kMotionStepS ago
  double prev_mid_t_ = 0;
  uint64_t unstable_mask_ = 0;   // blocks learned as always moving
  uint64_t excluded_ = 0;        // ... left out of this frame's structure checks
  cv::Mat mid8_, coarse8_, grad_raw_;  // scratch, reused
  std::vector<uint16_t> colsum16_;      // scratch, reused
  std::vector<int> colsum32_;
  struct Snap {
    double t;
    cv::Mat grad;
    uint64_t covered_mask;
    std::array<float, kBlocks> block_std;  // structure per block (gradient std)
  };
  std::deque<Snap> snaps_;  // recent structure, for Settled()
};

}  // namespace watchline::health
