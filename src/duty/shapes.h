// Small plane-geometry helpers for duty zones and checkpoint lines, in
// normalised image coordinates (0..1, x right, y down). Pure functions;
// thread safe.
#pragma once

#include <optional>
#include <vector>

#include "config/config.h"

namespace watchline::duty {

using Pt = config::Point;

// Even-odd rule; a point on an edge may fall either way. False for fewer than
// 3 vertices.
bool PointInPolygon(const Pt& p, const std::vector<Pt>& polygon);

// Where the movement p0 -> p1 crosses the polyline `line` (either direction),
// as a fraction in (0, 1] of the movement; the first crossing if several. A
// foot that stops exactly on the line crosses on arrival, not again on leaving.
std::optional<double> CrossingFraction(const Pt& p0, const Pt& p1, const std::vector<Pt>& line);

}  // namespace watchline::duty
