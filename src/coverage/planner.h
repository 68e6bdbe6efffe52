// The planner: chooses camera sites so that the whole perimeter (or every
// metre that any candidate can reach) is watched by k cameras, with the
// fewest cameras.
//
// Candidates are sites every `spacing_m` along either side of the line, or a
// given list (existing posts, towers), each tried at several headings; a
// candidate covers the chainage intervals of its footprint. Choosing among
// them is a set multicover:
// - k = 1 and every candidate covering one interval: the greedy interval
//   cover (from the left, always take the interval reaching farthest) is
//   optimal;
// - otherwise an integer program, solved with GLPK: minimise the cameras
//   subject to every elementary stretch having min(k, reachable) of them. Rows
//   implied by a neighbour are dropped first. The LP relaxation gives the
//   lower bound, and so the optimality gap.
//
// Thread safety: pure functions (GLPK is used from one thread per call).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "coverage/coverage.h"
#include "geometry/camera_model.h"
#include "geometry/footprint.h"
#include "geometry/perimeter.h"

namespace watchline::coverage {

enum class CoverMethod { kAuto, kGreedy, kIlp };

struct CoverSolution {
  std::vector<size_t> chosen;   // candidate indices, ascending
  double lower_bound = 0;       // no solution has fewer cameras than this
  bool optimal = false;
  std::string method;           // "greedy" or "ilp"
  int rows = 0;                 // constraints in the integer program (after reduction)
};

// Chooses from `covers` (one interval list per candidate) so that every point
// of [0, length_m] reached by r candidates is covered min(k, r) times.
// Errors: InvalidArgument for k < 1 or a greedy request that does not apply;
// Internal when GLPK fails; Unavailable when the time limit passes with no
// solution.
Result<CoverSolution> SolveCover(double length_m, const std::vector<std::vector<Interval>>& covers,
                                 int k, CoverMethod method, double time_limit_s);

// A given candidate site (an existing post or tower).
struct CandidateSite {
  std::string name;
  geometry::Vec2 position;                 // local frame of the perimeter
  std::optional<double> heading_deg;       // fixed; else the planner tries its headings
  std::optional<double> height_m;          // else the model's
};

// Planner defaults: the spacing the issue asks about, a mast a few metres
// back from the line, and headings (degrees, turned from the line's direction
// toward the line) that a camera along a fence uses.
constexpr double kDefaultSpacingM = 50;
constexpr double kDefaultOffsetM = 5;
constexpr double kDefaultTimeLimitS = 60;

struct PlanOptions {
  geometry::CameraModel model;
  std::optional<double> height_m;    // default: the model's
  std::optional<double> tilt_deg;    // default: the model's
  std::optional<double> hfov_deg;    // default: the model's
  geometry::FootprintOptions footprint;
  int k = 1;
  double spacing_m = kDefaultSpacingM;
  double offset_m = kDefaultOffsetM;
  bool inside = true, outside = true;
  std::vector<CandidateSite> sites;  // non-empty: use these instead of generated sites
  std::vector<double> heading_offsets_deg = {0, 10, 25, 90};
  double time_limit_s = kDefaultTimeLimitS;
  CoverMethod method = CoverMethod::kAuto;
};

struct PlannedCamera {
  std::string name;
  geometry::Vec2 position;
  double heading_deg = 0;
  double height_m = 0, tilt_deg = 0, hfov_deg = 0;
  double chainage_m = 0;      // of the nearest point on the line
  std::string side;           // "inside", "outside" or "given"
  std::vector<Interval> covers;
};

struct PlanResult {
  std::vector<PlannedCamera> chosen;
  size_t candidate_count = 0;          // candidates that see some of the line
  std::vector<Interval> unreachable;   // no candidate sees these metres
  CoverageReport coverage;             // what the chosen cameras give
  CoverSolution solution;
  double gap = 0;                      // (cameras - lower bound) / cameras
  double seconds = 0;                  // wall time of the whole plan
};

Result<PlanResult> Plan(const geometry::Perimeter& perimeter, const PlanOptions& options);

}  // namespace watchline::coverage
