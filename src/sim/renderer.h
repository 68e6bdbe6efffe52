// Drawing for the simulator: the static background (sky, textured ground, a few
// static shapes), the figures (people and vehicles, drawn to fill exactly their
// ground-truth box) and per-frame sensor noise.
//
// All drawing is deterministic: the background depends only on the seed, the
// size and the night flag, and noise on (seed, frame index).
// Thread safety: Background is immutable once built; the free functions only
// touch the image they are given.
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <vector>

#include "sim/scene.h"

namespace watchline::sim {

class Background {
 public:
  // Draws the background for o.width x o.height from o.seed (and o.night,
  // o.noise_sigma for the noise bank).
  static std::shared_ptr<const Background> Build(const SimOptions& o);

  const cv::Mat& image() const { return image_; }
  bool night() const { return night_; }

  // Adds sensor noise to *bgr (same size as the background). The noise for a
  // frame is a window of a pre-drawn Gaussian field chosen by hashing
  // (seed, frame), which is cheap enough for many live cameras and still
  // different on every frame.
  void AddNoise(uint64_t seed, int64_t frame, cv::Mat* bgr) const;

  // Opt-in moving background (river=1 / boats=N, trees=1), drawn under the
  // objects; pure functions of t. No-ops when the scene has none.
  bool has_river() const { return !river_base_.empty(); }
  void DrawRiver(double t, cv::Mat* bgr) const;
  void DrawTrees(double t, cv::Mat* bgr) const;

 private:
  // One clump of foliage: a textured patch with a soft alpha mask that sways
  // about its rest position (top-left `at`, pixels).
  struct Leaves {
    cv::Mat bgr;    // CV_8UC3
    cv::Mat alpha;  // CV_32F, 0..1, same size
    cv::Point2d at;
    double amp_px = 0;      // sway amplitude, pixels
    double hz[2] = {0, 0};  // two sway frequencies
    double phase[3] = {0, 0, 0};
  };
  void BuildRiver(const SimOptions& o, cv::RNG& rng);
  void BuildTrees(const SimOptions& o, cv::RNG& rng, cv::Mat* img);

  int river_top_ = 0;        // first row of the river band
  cv::Mat river_base_;       // CV_32FC3, the still water (colour, reflections), band rows
  cv::Mat river_alpha_;      // CV_32F, band rows x 1: soft banks
  double river_ripple_ = 0;  // ripple amplitude, grey levels
  std::vector<Leaves> leaves_;
  cv::Mat image_;      // CV_8UC3
  cv::Mat noise_pos_;  // CV_8UC3, max(noise, 0), padded by kNoisePad
  cv::Mat noise_neg_;  // CV_8UC3, max(-noise, 0)
  bool night_ = false;
  bool has_noise_ = false;
};

// Draws obj at time t into *bgr, filling `box` (pixels): the box's bottom centre
// is the foot point, and the figure touches all four sides of the box.
void DrawObject(const SimObject& obj, double t, const GtBox& box, bool night, cv::Mat* bgr);

// A 64-bit mix (splitmix64) used to derive independent seeds.
uint64_t Mix64(uint64_t x);

}  // namespace watchline::sim
