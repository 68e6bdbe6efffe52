#include "geometry/tripwire.h"

#include <algorithm>
#include <cmath>

namespace watchline::geometry {
namespace {

// Ground offset used to find which image side is the inside, metres.
constexpr double kSideProbeM = 0.5;
// Points closer than this in the image are the same point (joins pieces).
constexpr double kJoinImage = 1e-9;
// Keep this share of the calibration scale in front of the horizon, so a
// clipped segment never maps to infinity.
constexpr double kFrontMargin = 1e-9;

// Clips the segment p->q (parameter range [t0, t1]) to f(t) = f0 + t (f1 - f0) >= m.
bool ClipLinear(double f0, double f1, double m, double& t0, double& t1) {
  if (f0 < m && f1 < m) return false;
  if (f0 >= m && f1 >= m) return true;
  const double t = (m - f0) / (f1 - f0);
  if (f0 < m) t0 = std::max(t0, t); else t1 = std::min(t1, t);
  return t0 <= t1;
}

// Clips p + t (q - p), t in [t0, t1], to the disc |x - c| <= r.
bool ClipDisc(Vec2 p, Vec2 q, Vec2 c, double r, double& t0, double& t1) {
  const Vec2 d = q - p, f = p - c;
  const double a = Dot(d, d), b = 2 * Dot(f, d), cc = Dot(f, f) - r * r;
  if (a == 0) return cc <= 0;
  const double disc = b * b - 4 * a * cc;
  if (disc < 0) return false;
  const double s = std::sqrt(disc);
  t0 = std::max(t0, (-b - s) / (2 * a));
  t1 = std::min(t1, (-b + s) / (2 * a));
  return t0 <= t1;
}

// Liang-Barsky: clips a->b to the rectangle; returns false when outside.
bool ClipRect(cv::Point2d& a, cv::Point2d& b, const TripwireOptions& o) {
  double t0 = 0, t1 = 1;
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x - o.x0, o.x1 - a.x, a.y - o.y0, o.y1 - a.y};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0) t0 = std::max(t0, t); else t1 = std::min(t1, t);
    if (t0 > t1) return false;
  }
  const cv::Point2d a0 = a;
  a = {a0.x + t0 * dx, a0.y + t0 * dy};
  b = {a0.x + t1 * dx, a0.y + t1 * dy};
  return true;
}

double SideValue(cv::Point2d a, cv::Point2d b, cv::Point2d q) {
  return (b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x);
}

}  // namespace

Result<std::vector<config::LineRule>> TripwireForCamera(const Perimeter& perimeter,
                                                        const Homography& hom,
                                                        const TripwireOptions& opt) {
  std::optional<Vec2> centre = opt.camera_position;
  if (!centre) centre = hom.ImageToGround({(opt.x0 + opt.x1) / 2, opt.y1});
  if (!centre)
    return Status::InvalidArgument(
        "tripwire: the bottom of the image is above the horizon; give the camera position");
  const double margin = kFrontMargin * (std::abs(hom.FrontValue(*centre)) + 1e-300);

  // One image piece per visible part of a ground segment, in chainage order.
  struct Piece {
    cv::Point2d a, b;
    double chainage_a;  // where the piece starts on the line
    size_t segment;     // start vertex of its ground segment
    Vec2 ground_mid;
  };
  std::vector<Piece> pieces;
  const auto& v = perimeter.vertices();
  for (size_t i : perimeter.SegmentsNear(*centre, opt.max_range_m)) {
    const Vec2 p = v[i], q = v[i + 1];
    double t0 = 0, t1 = 1;
    if (!ClipDisc(p, q, *centre, opt.max_range_m, t0, t1)) continue;
    if (!ClipLinear(hom.FrontValue(p), hom.FrontValue(q), margin, t0, t1)) continue;
    const Vec2 ga = p + (q - p) * t0, gb = p + (q - p) * t1;
    auto ia = hom.GroundToImage(ga), ib = hom.GroundToImage(gb);
    if (!ia || !ib) continue;
    cv::Point2d a = *ia, b = *ib;
    if (!ClipRect(a, b, opt)) continue;
    if (std::hypot(b.x - a.x, b.y - a.y) <= kJoinImage) continue;
    // Chainage of the clipped start: the image clip is along the same line;
    // map it back through the ground to keep chainage exact.
    auto ga2 = hom.ImageToGround(a);
    double ta = t0;
    if (ga2 && Norm(q - p) > 0) ta = std::clamp(Dot(*ga2 - p, q - p) / Dot(q - p, q - p), 0.0, 1.0);
    auto gm = hom.ImageToGround({(a.x + b.x) / 2, (a.y + b.y) / 2});
    pieces.push_back({a, b, perimeter.ChainageOnSegment(i, ta), i, gm ? *gm : (ga + gb) * 0.5});
  }
  std::sort(pieces.begin(), pieces.end(),
            [](const Piece& x, const Piece& y) { return x.chainage_a < y.chainage_a; });

  // Join pieces that continue one another into polylines.
  std::vector<std::vector<cv::Point2d>> lines;
  std::vector<Piece> firsts;
  for (const Piece& pc : pieces) {
    if (!lines.empty()) {
      const cv::Point2d e = lines.back().back();
      if (std::hypot(e.x - pc.a.x, e.y - pc.a.y) <= 1e-7) {
        lines.back().push_back(pc.b);
        continue;
      }
    }
    lines.push_back({pc.a, pc.b});
    firsts.push_back(pc);
  }

  std::vector<config::LineRule> rules;
  for (size_t k = 0; k < lines.size(); ++k) {
    auto& pts = lines[k];
    double len = 0;
    for (size_t j = 1; j < pts.size(); ++j)
      len += std::hypot(pts[j].x - pts[j - 1].x, pts[j].y - pts[j - 1].y);
    if (len < kMinTripwireImageLength) continue;
    // Orientation: a point just inside the line must have s > 0.
    const Piece& f = firsts[k];
    const Vec2 d = v[f.segment + 1] - v[f.segment];
    Vec2 inside = Vec2{-d.y, d.x} * (1 / Norm(d));
    if (perimeter.inside() == InsideSide::kRight) inside = inside * -1;
    const Vec2 probe = f.ground_mid + inside * kSideProbeM;
    auto iprobe = hom.GroundToImage(probe);
    if (iprobe && SideValue(f.a, f.b, *iprobe) < 0) std::reverse(pts.begin(), pts.end());
    config::LineRule r;
    r.id = rules.empty() ? opt.rule_id : opt.rule_id + "-" + std::to_string(rules.size() + 1);
    r.classes = opt.classes;
    for (const auto& p : pts)
      r.points.push_back({std::clamp(p.x, 0.0, 1.0), std::clamp(p.y, 0.0, 1.0)});
    rules.push_back(std::move(r));
  }
  return rules;
}

}  // namespace watchline::geometry
