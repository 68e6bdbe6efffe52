// LiveCoverage: coverage kept up to date as cameras change state. Built once
// from every camera's intervals; only cameras marked up (health `ok`) count.
//
// The line is cut at every interval end into elementary stretches, each with
// the number of cameras up over it and the sum of their (index + 1), which
// names the camera when the count is 1. SetCameraUp touches only that
// camera's stretches, so an update costs O(stretches under its footprint),
// not a recomputation; covered and 2-fold metres are kept as running totals.
// Gaps, single-camera stretches and the full report are read out in one pass
// over the stretches.
//
// Thread safety: thread-compatible. Const methods may run concurrently with
// each other; SetCameraUp needs external locking against every other call.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "coverage/coverage.h"

namespace watchline::coverage {

class LiveCoverage {
 public:
  // What one state change did.
  struct Delta {
    double covered_change_m = 0;  // negative when the camera went down
    double k2_change_m = 0;
  };

  // All cameras start up unless `up` says otherwise.
  LiveCoverage(double length_m, std::vector<CameraIntervals> cameras, std::vector<bool> up = {});

  size_t camera_count() const { return cameras_.size(); }
  const std::string& camera_id(size_t i) const { return cameras_[i].camera; }
  // Index of a camera id, or -1.
  int CameraIndex(const std::string& id) const;
  bool IsUp(size_t camera) const { return up_[camera]; }

  // Marks a camera up (it counts) or down. A no-op when it is already so.
  Delta SetCameraUp(size_t camera, bool up);
  // The same by id; NotFound for an unknown camera.
  Result<Delta> SetCameraUp(const std::string& id, bool up);

  double length_m() const { return length_m_; }
  double covered_m() const { return covered_m_; }
  double k2_m() const { return k2_m_; }

  // Gaps (no camera up) that touch the given camera's footprint, maximal.
  // Cost: the stretches under it plus the gaps' own stretches.
  std::vector<Interval> GapsAround(size_t camera) const;
  // The whole picture, as ComputeCoverage would give it. O(stretches + cameras).
  CoverageReport Report() const;

 private:
  double length_m_;
  std::vector<CameraIntervals> cameras_;
  std::vector<bool> up_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<double> breaks_;   // stretch s is [breaks_[s], breaks_[s + 1])
  std::vector<int32_t> count_;
  std::vector<int64_t> idsum_;
  // Per camera: its stretches as [first, last) ranges.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> ranges_;
  double covered_m_ = 0, k2_m_ = 0;
};

// The answer to "which single failure opens the largest gap": for each camera
// that is up, what going down would do.
struct FailureImpact {
  std::string camera;
  double lost_m = 0;         // metres that would no longer be watched
  Interval largest_gap;      // the largest gap touching its footprint afterwards
};
// Sorted by largest gap, then lost metres, largest first. Leaves `live` as it
// found it (it toggles each camera down and up again).
std::vector<FailureImpact> RankSingleFailures(LiveCoverage& live);

}  // namespace watchline::coverage
