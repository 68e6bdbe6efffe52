// Test-only helpers: perimeters whose geometry can be computed by hand.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "geometry/perimeter.h"

namespace watchline::coverage::testing {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEquatorA = 6378137.0;

// Degrees of longitude for `m` metres along the equator.
inline double EqDeg(double m) { return m / kEquatorA * 180 / kPi; }

// A straight line of `length_m` along the equator from lon 0, west to east:
// chainage c is at lon EqDeg(c); north is left.
inline std::string StraightLineGeoJson(double length_m) {
  char buf[160];
  std::snprintf(buf, sizeof buf, R"({"type":"LineString","coordinates":[[0,0],[%.12f,0]]})",
                EqDeg(length_m));
  return buf;
}

inline geometry::Perimeter StraightLine(double length_m,
                                        geometry::InsideSide inside = geometry::InsideSide::kLeft) {
  auto p = geometry::Perimeter::ParseGeoJson(StraightLineGeoJson(length_m), "line.geojson", inside);
  return std::move(p).value();
}

}  // namespace watchline::coverage::testing
