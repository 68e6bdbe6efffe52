// LocalFrame: WGS84 lat/lon <-> a local metric frame (metres east x, north y),
// a transverse Mercator centred on the site, computed with PROJ. Also true
// (geodesic) distances on the WGS84 ellipsoid and the frame's scale factor, so
// callers can keep lengths in true metres however far the site extends.
//
// Thread safety: every method is safe to call from several threads at once
// (PROJ objects are not, so they sit behind an internal mutex).
#pragma once

#include <memory>
#include <mutex>

#include "base/status.h"

struct PJconsts;
struct pj_ctx;

namespace watchline::geometry {

struct LatLon {
  double lat = 0;  // degrees, WGS84
  double lon = 0;
};

// A point or vector in a local frame: metres east (x) and north (y).
struct Vec2 {
  double x = 0, y = 0;
  Vec2 operator+(Vec2 o) const { return {x + o.x, y + o.y}; }
  Vec2 operator-(Vec2 o) const { return {x - o.x, y - o.y}; }
  Vec2 operator*(double k) const { return {x * k, y * k}; }
};
inline double Dot(Vec2 a, Vec2 b) { return a.x * b.x + a.y * b.y; }
inline double Cross(Vec2 a, Vec2 b) { return a.x * b.y - a.y * b.x; }
double Norm(Vec2 v);
// Unit vector of a compass bearing (0 = north, 90 = east, clockwise).
Vec2 BearingVector(double bearing_deg);
// Compass bearing of a vector, in [0, 360).
double BearingOf(Vec2 v);

class LocalFrame {
 public:
  // A transverse Mercator with its origin (0, 0) at `origin` and scale 1 on the
  // central meridian. Error: InvalidArgument for an origin off the globe.
  static Result<std::unique_ptr<LocalFrame>> Create(LatLon origin);
  ~LocalFrame();
  LocalFrame(const LocalFrame&) = delete;
  LocalFrame& operator=(const LocalFrame&) = delete;

  LatLon origin() const { return origin_; }
  Vec2 ToLocal(LatLon p) const;
  LatLon ToLatLon(Vec2 p) const;
  // Frame metres per true metre at `p` (1 on the central meridian, about
  // 1 + d^2/2R^2 at d metres east or west of it).
  double ScaleAt(LatLon p) const;
  // True distance on the WGS84 ellipsoid, metres.
  static double GeodesicDistance(LatLon a, LatLon b);

 private:
  LocalFrame(LatLon origin, pj_ctx* ctx, PJconsts* pj) : origin_(origin), ctx_(ctx), pj_(pj) {}
  LatLon origin_;
  mutable std::mutex mu_;
  pj_ctx* ctx_;  // GUARDED_BY(mu_)
  PJconsts* pj_;    // GUARDED_BY(mu_)
};

}  // namespace watchline::geometry
