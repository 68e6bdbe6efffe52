// Plane geometry for the rules, in normalised image coordinates (0..1, x
// right, y down): the DESIGN.md side function, polyline crossings and
// point-in-polygon.
// Thread safety: pure functions.
#pragma once

#include <vector>

#include <opencv2/core/types.hpp>

namespace watchline::analysis {

// s(q) = (b.x-a.x)(q.y-a.y) - (b.y-a.y)(q.x-a.x), the contract's side function.
// A crossing where s goes from negative to positive is "in".
inline double SideValue(const cv::Point2d& a, const cv::Point2d& b, const cv::Point2d& q) {
  return (b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x);
}

// Signed perpendicular distance from q to the infinite line through a, b
// (same sign as SideValue); 0 for a degenerate segment.
double SignedDistance(const cv::Point2d& a, const cv::Point2d& b, const cv::Point2d& q);

struct PolylineCrossing {
  double u = 0;      // position along p0->p1, 0..1 (the time fraction)
  int direction = 0; // +1: s went from negative to non-negative ("in"); -1: "out"
  int segment = 0;   // index of the polyline segment that was crossed
};

// Crossings of the step p0->p1 with the polyline, ordered by u. Points with
// s == 0 count as the positive side, so touching the line and going on counts
// once; a crossing exactly at an inner vertex counts once (on the later segment).
std::vector<PolylineCrossing> FindCrossings(const std::vector<cv::Point2d>& polyline,
                                            const cv::Point2d& p0, const cv::Point2d& p1);

// Even-odd rule; points on the boundary may fall either way.
bool PointInPolygon(const std::vector<cv::Point2d>& polygon, const cv::Point2d& q);

// For p0 outside and p1 inside the polygon: the fraction u of p0->p1 at which
// the step enters it (bisection to ~1e-4; for a step that enters, leaves
// and enters again it may return any of the entries).
double EntryFraction(const std::vector<cv::Point2d>& polygon, const cv::Point2d& p0,
                     const cv::Point2d& p1);

}  // namespace watchline::analysis
