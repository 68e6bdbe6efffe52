#include "geometry/footprint.h"

#include <algorithm>
#include <cmath>

namespace watchline::geometry {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDegToRad = kPi / 180;

// A half-plane a*x + b*y + c <= 0.
struct HalfPlane {
  double a, b, c;
};

// Clips a convex polygon by a half-plane (Sutherland-Hodgman, one edge).
std::vector<Vec2> Clip(const std::vector<Vec2>& poly, const HalfPlane& h) {
  std::vector<Vec2> out;
  const size_t n = poly.size();
  for (size_t i = 0; i < n; ++i) {
    const Vec2 p = poly[i], q = poly[(i + 1) % n];
    const double fp = h.a * p.x + h.b * p.y + h.c;
    const double fq = h.a * q.x + h.b * q.y + h.c;
    if (fp <= 0) out.push_back(p);
    if ((fp < 0 && fq > 0) || (fp > 0 && fq < 0)) {
      const double t = fp / (fp - fq);
      out.push_back(p + (q - p) * t);
    }
  }
  return out;
}

// Points on an arc of radius r around the origin between two compass
// bearings (from <= to), with chords within `tolerance` of the arc. An even
// number of chords, so the middle bearing is a vertex.
void AppendArc(std::vector<Vec2>& out, double r, double from_deg, double to_deg, double tolerance,
               bool reverse) {
  const double span = (to_deg - from_deg) * kDegToRad;
  const double step = r > tolerance ? 2 * std::acos(1 - tolerance / r) : kPi / 4;
  int n = std::max(2, static_cast<int>(std::ceil(span / step)));
  n += n % 2;
  for (int i = 0; i <= n; ++i) {
    const int k = reverse ? n - i : i;
    const double b = from_deg + (to_deg - from_deg) * k / n;
    out.push_back(BearingVector(b) * r);
  }
}

double SignedArea(const std::vector<Vec2>& p) {
  double a = 0;
  for (size_t i = 0; i < p.size(); ++i) a += Cross(p[i], p[(i + 1) % p.size()]);
  return a / 2;
}

// A sector (or annular sector) around the origin; bearings clockwise, so the
// arc is walked from the larger bearing down for a counter-clockwise ring.
std::vector<Vec2> Sector(double near_m, double far_m, double heading_deg, double fov_deg,
                         double tolerance) {
  std::vector<Vec2> poly;
  if (fov_deg >= 360) {
    AppendArc(poly, far_m, 0, 360, tolerance, true);
    poly.pop_back();  // the first and last points coincide
    return poly;      // a disc (a near limit inside a full circle is ignored)
  }
  const double from = heading_deg - fov_deg / 2, to = heading_deg + fov_deg / 2;
  AppendArc(poly, far_m, from, to, tolerance, true);
  if (near_m > 0) {
    AppendArc(poly, near_m, from, to, tolerance, false);
  } else {
    poly.push_back({0, 0});
  }
  return poly;
}

}  // namespace

double PixelsPerMetre(DoriLevel level) {
  switch (level) {
    case DoriLevel::kDetect: return 25;
    case DoriLevel::kObserve: return 62.5;
    case DoriLevel::kRecognise: return 125;
    case DoriLevel::kIdentify: return 250;
  }
  return 25;
}

std::string_view DoriName(DoriLevel level) {
  switch (level) {
    case DoriLevel::kDetect: return "detect";
    case DoriLevel::kObserve: return "observe";
    case DoriLevel::kRecognise: return "recognise";
    case DoriLevel::kIdentify: return "identify";
  }
  return "detect";
}

Result<DoriLevel> ParseDoriLevel(std::string_view name) {
  for (DoriLevel l : {DoriLevel::kDetect, DoriLevel::kObserve, DoriLevel::kRecognise,
                      DoriLevel::kIdentify})
    if (DoriName(l) == name) return l;
  return Status::InvalidArgument("DORI level must be detect, observe, recognise or identify, got '" +
                                 std::string(name) + "'");
}

Result<Footprint> BuildFootprint(const CameraSpec& cam, const FootprintOptions& opt) {
  Footprint fp;
  fp.camera_id = cam.id;
  const CameraOptics& o = cam.optics;
  if (o.width_px <= 0 || o.height_px <= 0 || !(o.hfov_deg > 0))
    return Status::InvalidArgument("camera '" + cam.id + "': needs a resolution and a field of view");
  const Vec2 fwd = BearingVector(cam.heading_deg);
  const double h = std::max(0.0, cam.height_m);
  std::vector<Vec2> poly;

  if (cam.range_m) {
    fp.fixed_range = true;
    poly = Sector(0, *cam.range_m, cam.heading_deg, std::min(o.hfov_deg, 360.0),
                  opt.arc_tolerance_m);
  } else if (o.hfov_deg > kMaxPinholeHfovDeg) {
    // Equiangular pixels: density at slant distance r is width / (hfov_rad * r).
    const double vfov = VerticalFov(o);
    const double slant = o.width_px / (o.hfov_deg * kDegToRad * PixelsPerMetre(opt.dori));
    fp.dori_depth_m = slant;
    double far = slant > h ? std::sqrt(slant * slant - h * h) : 0;
    const double top = (cam.tilt_deg - vfov / 2) * kDegToRad;
    if (top > 0) far = std::min(far, h / std::tan(top));
    far = std::min(far, opt.max_range_m);
    const double bottom = (cam.tilt_deg + vfov / 2) * kDegToRad;
    const double near = bottom < kPi / 2 ? (bottom > 0 ? h / std::tan(bottom) : far) : 0;
    if (far > near)
      poly = Sector(near, far, cam.heading_deg, std::min(o.hfov_deg, 360.0), opt.arc_tolerance_m);
  } else {
    // Pinhole: clip a square around the camera's foot by the five half-planes
    // of the view (image sides and DORI depth), written for a ground point
    // (x, y) relative to the foot.
    const double th = cam.tilt_deg * kDegToRad;
    const double tan_h = std::tan(o.hfov_deg * kDegToRad / 2);
    const double tan_v = std::tan(VerticalFov(o) * kDegToRad / 2);
    const double f_px = (o.width_px / 2.0) / tan_h;
    const double z_max = f_px / PixelsPerMetre(opt.dori);
    fp.dori_depth_m = z_max;
    const Vec2 right{fwd.y, -fwd.x};
    // depth z = x*fx*cos + y*fy*cos + h*sin; lateral = (x, y).right;
    // up = x*fx*sin + y*fy*sin - h*cos.
    const HalfPlane z{fwd.x * std::cos(th), fwd.y * std::cos(th), h * std::sin(th)};
    const HalfPlane lat{right.x, right.y, 0};
    const HalfPlane up{fwd.x * std::sin(th), fwd.y * std::sin(th), -h * std::cos(th)};
    auto combo = [](const HalfPlane& p, double kp, const HalfPlane& q, double kq) {
      return HalfPlane{kp * p.a + kq * q.a, kp * p.b + kq * q.b, kp * p.c + kq * q.c};
    };
    const double cap = opt.max_range_m;
    poly = {{-cap, -cap}, {cap, -cap}, {cap, cap}, {-cap, cap}};
    for (const HalfPlane& hp : {combo(lat, 1, z, -tan_h), combo(lat, -1, z, -tan_h),
                                combo(up, 1, z, -tan_v), combo(up, -1, z, -tan_v),
                                HalfPlane{z.a, z.b, z.c - z_max}}) {
      poly = Clip(poly, hp);
      if (poly.size() < 3) {
        poly.clear();
        break;
      }
    }
  }
  fp.px_per_person = PixelsPerMetre(opt.dori) * opt.person_width_m;
  if (poly.size() >= 3 && SignedArea(poly) < 0) std::reverse(poly.begin(), poly.end());
  if (poly.size() < 3 || std::abs(SignedArea(poly)) <= 0) poly.clear();
  if (!poly.empty()) {
    fp.near_m = std::numeric_limits<double>::infinity();
    fp.far_m = -fp.near_m;
    for (const Vec2& p : poly) {
      fp.near_m = std::min(fp.near_m, Dot(p, fwd));
      fp.far_m = std::max(fp.far_m, Dot(p, fwd));
    }
    fp.near_m = std::max(0.0, fp.near_m);
  }
  fp.polygon.reserve(poly.size());
  for (const Vec2& p : poly) fp.polygon.push_back(cam.position + p * cam.frame_scale);
  return fp;
}

Result<CameraSpec> SpecFor(const config::CameraConfig& camera, const LocalFrame& frame,
                           const std::string& file) {
  if (!camera.position)
    return Status::InvalidArgument(file + ":" + std::to_string(camera.line) + ": camera '" +
                                   camera.id + "' has no position");
  const config::PositionConfig& p = *camera.position;
  CameraSpec s;
  s.id = camera.id;
  const LatLon ll{p.lat, p.lon};
  s.position = frame.ToLocal(ll);
  s.frame_scale = frame.ScaleAt(ll);
  s.height_m = p.height_m;
  s.heading_deg = p.heading_deg;
  s.tilt_deg = p.tilt_deg;
  s.range_m = p.range_m;
  WL_ASSIGN_OR_RETURN(s.optics, OpticsFor(camera, file));
  return s;
}

}  // namespace watchline::geometry
