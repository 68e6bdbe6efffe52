// Coverage of the perimeter by cameras, in chainage: covered metres, 2-fold
// metres, gaps, and the stretches that hang on a single camera. This file
// holds the value types and the one-shot sweep; live_coverage.h keeps the same
// answers up to date as cameras go up and down.
//
// Thread safety: value types and pure functions.
#pragma once

#include <string>
#include <vector>

namespace watchline::coverage {

// Gaps and stretches shorter than this are floating-point seams between
// footprints that meet exactly, not real gaps (metres).
constexpr double kMinStretchM = 1e-6;

// [from_m, to_m] in chainage, metres.
struct Interval {
  double from_m = 0, to_m = 0;
  double length_m() const { return to_m - from_m; }
};

// The intervals of the perimeter one camera watches (sorted, disjoint).
struct CameraIntervals {
  std::string camera;
  std::vector<Interval> intervals;
};

// A stretch that hangs on one camera.
struct SoleStretch {
  double from_m = 0, to_m = 0;
  std::string camera;
  double length_m() const { return to_m - from_m; }
};

// A maximal stretch watched by exactly k cameras.
struct KRun {
  double from_m = 0, to_m = 0;
  int k = 0;
};

struct CameraCoverage {
  std::string camera;
  bool up = true;
  double covered_m = 0;  // metres of the line in its footprint
  double sole_m = 0;     // of which no other camera (that is up) watches
};

struct CoverageReport {
  double length_m = 0;
  double covered_m = 0;  // watched by at least one camera that is up
  double k2_m = 0;       // by at least two
  std::vector<Interval> gaps;
  std::vector<SoleStretch> single_camera;
  std::vector<KRun> runs;
  std::vector<CameraCoverage> per_camera;
  double covered_fraction() const { return length_m > 0 ? covered_m / length_m : 0; }
  double k2_fraction() const { return length_m > 0 ? k2_m / length_m : 0; }
};

// Sorts and merges overlapping or touching intervals, clamped to [0, length].
std::vector<Interval> Normalise(std::vector<Interval> v, double length_m);

// The sweep: coverage of [0, length_m] by the cameras whose `up` flag is set
// (`up` empty: all up).
CoverageReport ComputeCoverage(double length_m, const std::vector<CameraIntervals>& cameras,
                               const std::vector<bool>& up = {});

}  // namespace watchline::coverage
