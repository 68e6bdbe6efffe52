#include "duty/shapes.h"

#include <algorithm>

namespace watchline::duty {

bool PointInPolygon(const Pt& p, const std::vector<Pt>& poly) {
  if (poly.size() < 3) return false;
  bool inside = false;
  for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const Pt& a = poly[i];
    const Pt& b = poly[j];
    if ((a.y > p.y) != (b.y > p.y)) {
      double x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
      if (p.x < x) inside = !inside;
    }
  }
  return inside;
}

std::optional<double> CrossingFraction(const Pt& p0, const Pt& p1, const std::vector<Pt>& line) {
  std::optional<double> best;
  double rx = p1.x - p0.x, ry = p1.y - p0.y;
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    const Pt& a = line[i];
    const Pt& b = line[i + 1];
    double sx = b.x - a.x, sy = b.y - a.y;
    double den = rx * sy - ry * sx;
    if (den == 0) continue;  // parallel: touching along the line is not a crossing
    double qx = a.x - p0.x, qy = a.y - p0.y;
    double u = (qx * sy - qy * sx) / den;             // along the movement
    double v = (qx * ry - qy * rx) / den;             // along the segment
    if (u <= 0 || u > 1 || v < 0 || v > 1) continue;  // (0,1]: a foot exactly on the line counts once
    if (!best || u < *best) best = u;
  }
  return best;
}

}  // namespace watchline::duty
