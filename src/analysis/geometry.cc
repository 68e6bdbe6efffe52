#include "analysis/geometry.h"

#include <algorithm>
#include <cmath>

namespace watchline::analysis {
namespace {
// Bisection steps for EntryFraction: 2^-14 of the step is far below a pixel.
constexpr int kEntryBisections = 14;
}  // namespace

double SignedDistance(const cv::Point2d& a, const cv::Point2d& b, const cv::Point2d& q) {
  const double len = std::hypot(b.x - a.x, b.y - a.y);
  return len > 0 ? SideValue(a, b, q) / len : 0;
}

std::vector<PolylineCrossing> FindCrossings(const std::vector<cv::Point2d>& polyline,
                                            const cv::Point2d& p0, const cv::Point2d& p1) {
  std::vector<PolylineCrossing> out;
  const int segments = static_cast<int>(polyline.size()) - 1;
  for (int k = 0; k < segments; ++k) {
    const cv::Point2d& a = polyline[k];
    const cv::Point2d& b = polyline[k + 1];
    const cv::Point2d ab = b - a;
    const double len2 = ab.dot(ab);
    if (len2 <= 0) continue;
    const double s0 = SideValue(a, b, p0);
    const double s1 = SideValue(a, b, p1);
    const bool pos0 = s0 >= 0, pos1 = s1 >= 0;
    if (pos0 == pos1) continue;
    const double u = s0 / (s0 - s1);
    const cv::Point2d q = p0 + u * (p1 - p0);
    const double v = (q - a).dot(ab) / len2;
    const bool last = k == segments - 1;
    if (v < 0 || v > 1 || (!last && v >= 1)) continue;
    out.push_back({u, pos1 ? +1 : -1, k});
  }
  std::sort(out.begin(), out.end(),
            [](const PolylineCrossing& x, const PolylineCrossing& y) { return x.u < y.u; });
  return out;
}

bool PointInPolygon(const std::vector<cv::Point2d>& polygon, const cv::Point2d& q) {
  bool inside = false;
  const size_t n = polygon.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const cv::Point2d& a = polygon[i];
    const cv::Point2d& b = polygon[j];
    if ((a.y > q.y) != (b.y > q.y) && q.x < (b.x - a.x) * (q.y - a.y) / (b.y - a.y) + a.x)
      inside = !inside;
  }
  return inside;
}

double EntryFraction(const std::vector<cv::Point2d>& polygon, const cv::Point2d& p0,
                     const cv::Point2d& p1) {
  double lo = 0, hi = 1;  // lo is outside, hi inside
  for (int i = 0; i < kEntryBisections; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (PointInPolygon(polygon, p0 + mid * (p1 - p0)))
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

}  // namespace watchline::analysis
