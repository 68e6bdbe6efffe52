#include "geometry/local_frame.h"

#include <geodesic.h>
#include <proj.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace watchline::geometry {
namespace {

constexpr double kWgs84A = 6378137.0;
constexpr double kWgs84F = 1 / 298.257223563;
constexpr double kPi = 3.14159265358979323846;
constexpr double kDegToRad = kPi / 180;

const geod_geodesic& Wgs84() {
  static const geod_geodesic g = [] {
    geod_geodesic gg;
    geod_init(&gg, kWgs84A, kWgs84F);
    return gg;
  }();
  return g;
}

}  // namespace

double Norm(Vec2 v) { return std::hypot(v.x, v.y); }

Vec2 BearingVector(double bearing_deg) {
  const double b = bearing_deg * kDegToRad;
  return {std::sin(b), std::cos(b)};
}

double BearingOf(Vec2 v) {
  double b = std::atan2(v.x, v.y) / kDegToRad;
  if (b < 0) b += 360;
  if (b >= 360) b -= 360;
  return b;
}

Result<std::unique_ptr<LocalFrame>> LocalFrame::Create(LatLon origin) {
  if (!(std::abs(origin.lat) <= 89) || !(std::abs(origin.lon) <= 180))
    return Status::InvalidArgument("local frame origin out of range: lat " +
                                   std::to_string(origin.lat) + ", lon " +
                                   std::to_string(origin.lon));
  PJ_CONTEXT* ctx = proj_context_create();
  if (!ctx) return Status::Internal("PROJ: cannot create a context");
  proj_log_level(ctx, PJ_LOG_NONE);
  char def[256];
  std::snprintf(def, sizeof def,
                "+proj=tmerc +lat_0=%.12f +lon_0=%.12f +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m",
                origin.lat, origin.lon);
  PJ* pj = proj_create(ctx, def);
  if (!pj) {
    const std::string err = proj_context_errno_string(ctx, proj_context_errno(ctx));
    proj_context_destroy(ctx);
    return Status::Internal("PROJ: cannot create the local frame '" + std::string(def) +
                            "': " + err);
  }
  return std::unique_ptr<LocalFrame>(new LocalFrame(origin, ctx, pj));
}

LocalFrame::~LocalFrame() {
  proj_destroy(pj_);
  proj_context_destroy(ctx_);
}

Vec2 LocalFrame::ToLocal(LatLon p) const {
  PJ_COORD c = proj_coord(p.lon * kDegToRad, p.lat * kDegToRad, 0, 0);
  std::lock_guard<std::mutex> lock(mu_);
  PJ_COORD out = proj_trans(pj_, PJ_FWD, c);
  return {out.xy.x, out.xy.y};
}

LatLon LocalFrame::ToLatLon(Vec2 p) const {
  PJ_COORD c = proj_coord(p.x, p.y, 0, 0);
  std::lock_guard<std::mutex> lock(mu_);
  PJ_COORD out = proj_trans(pj_, PJ_INV, c);
  return {out.lp.phi / kDegToRad, out.lp.lam / kDegToRad};
}

double LocalFrame::ScaleAt(LatLon p) const {
  PJ_COORD c = proj_coord(p.lon * kDegToRad, p.lat * kDegToRad, 0, 0);
  std::lock_guard<std::mutex> lock(mu_);
  PJ_FACTORS f = proj_factors(pj_, c);
  // Transverse Mercator is conformal: one scale in every direction.
  return std::isfinite(f.meridional_scale) && f.meridional_scale > 0 ? f.meridional_scale : 1.0;
}

double LocalFrame::GeodesicDistance(LatLon a, LatLon b) {
  double s12 = 0;
  geod_inverse(&Wgs84(), a.lat, a.lon, b.lat, b.lon, &s12, nullptr, nullptr);
  return s12;
}

}  // namespace watchline::geometry
