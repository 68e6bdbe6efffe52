#include "geometry/perimeter.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

namespace watchline::geometry {
namespace {

using json = nlohmann::json;

// Consecutive vertices closer than this (frame metres) are one vertex.
constexpr double kDuplicateVertexM = 1e-6;
// Grid index cell: about four average segments, within these bounds.
constexpr double kMinCellM = 20;
constexpr double kMaxCellM = 5000;
// Rings of cells searched for the nearest segment before a full scan.
constexpr int kMaxSearchRings = 64;

int64_t CellKey(int64_t cx, int64_t cy) { return (cx << 32) ^ (cy & 0xffffffff); }

// Nearest point on segment ab to p, as the fraction t in [0, 1].
double ProjectOnSegment(Vec2 a, Vec2 b, Vec2 p) {
  const Vec2 d = b - a;
  const double len2 = Dot(d, d);
  if (len2 <= 0) return 0;
  return std::clamp(Dot(p - a, d) / len2, 0.0, 1.0);
}

// Which side of a polyline turning at vertex v (incoming direction din,
// outgoing dout) the point p lies on: > 0 left, < 0 right.
double SideAtVertex(Vec2 din, Vec2 dout, Vec2 v, Vec2 p) {
  const double s_in = Cross(din, p - v), s_out = Cross(dout, p - v);
  if ((s_in > 0) == (s_out > 0)) return s_in;
  // Mixed signs: p is in the outer (reflex) region of the turn, the side
  // opposite to the turn's direction.
  const double turn = Cross(din, dout);
  return turn != 0 ? -turn : s_in;
}

Result<std::vector<LatLon>> ReadLineCoords(const json& coords, const std::string& where) {
  if (!coords.is_array())
    return Status::InvalidArgument(where + ": 'coordinates' must be an array of [lon, lat]");
  std::vector<LatLon> line;
  for (size_t i = 0; i < coords.size(); ++i) {
    const json& c = coords[i];
    if (!c.is_array() || c.size() < 2 || !c[0].is_number() || !c[1].is_number())
      return Status::InvalidArgument(where + ": coordinates[" + std::to_string(i) +
                                     "] must be [lon, lat] numbers");
    const double lon = c[0].get<double>(), lat = c[1].get<double>();
    if (!(std::abs(lon) <= 180) || !(std::abs(lat) <= 90))
      return Status::InvalidArgument(where + ": coordinates[" + std::to_string(i) + "] = [" +
                                     std::to_string(lon) + ", " + std::to_string(lat) +
                                     "] is not WGS84 [lon, lat] (|lon| <= 180, |lat| <= 90)");
    line.push_back({lat, lon});
  }
  return line;
}

Status ReadGeometry(const json& g, const std::string& where,
                    std::vector<std::vector<LatLon>>& parts) {
  if (!g.is_object() || !g.contains("type") || !g["type"].is_string())
    return Status::InvalidArgument(where + ": expected a GeoJSON geometry with a 'type'");
  const std::string type = g["type"].get<std::string>();
  if (!g.contains("coordinates"))
    return Status::InvalidArgument(where + ": " + type + " has no 'coordinates'");
  if (type == "LineString") {
    WL_ASSIGN_OR_RETURN(auto line, ReadLineCoords(g["coordinates"], where));
    parts.push_back(std::move(line));
    return Status::Ok();
  }
  if (type == "MultiLineString") {
    const json& lines = g["coordinates"];
    if (!lines.is_array())
      return Status::InvalidArgument(where + ": MultiLineString 'coordinates' must be an array");
    for (size_t i = 0; i < lines.size(); ++i) {
      WL_ASSIGN_OR_RETURN(auto line,
                          ReadLineCoords(lines[i], where + ".coordinates[" + std::to_string(i) + "]"));
      parts.push_back(std::move(line));
    }
    return Status::Ok();
  }
  return Status::InvalidArgument(where + ": expected a LineString or MultiLineString, got " + type);
}

}  // namespace

Result<InsideSide> ParseInsideSide(const std::string& s) {
  if (s == "left") return InsideSide::kLeft;
  if (s == "right") return InsideSide::kRight;
  return Status::InvalidArgument("inside must be 'left' or 'right', got '" + s + "'");
}

Result<Perimeter> Perimeter::LoadGeoJson(const std::string& path, InsideSide inside) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("perimeter GeoJSON not found or unreadable: " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseGeoJson(ss.str(), path, inside);
}

Result<Perimeter> Perimeter::ParseGeoJson(const std::string& text, const std::string& name,
                                          InsideSide inside) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return Status::InvalidArgument(name + ": not valid JSON (byte " + std::to_string(e.byte) +
                                   "): " + e.what());
  }
  std::vector<std::vector<LatLon>> parts;
  if (!doc.is_object() || !doc.contains("type") || !doc["type"].is_string())
    return Status::InvalidArgument(name + ": expected a GeoJSON object with a 'type'");
  const std::string type = doc["type"].get<std::string>();
  if (type == "FeatureCollection") {
    if (!doc.contains("features") || !doc["features"].is_array())
      return Status::InvalidArgument(name + ": FeatureCollection has no 'features' array");
    const json& fs = doc["features"];
    for (size_t i = 0; i < fs.size(); ++i) {
      const std::string where = name + ": features[" + std::to_string(i) + "]";
      if (!fs[i].is_object() || !fs[i].contains("geometry"))
        return Status::InvalidArgument(where + ": a Feature needs a 'geometry'");
      WL_RETURN_IF_ERROR(ReadGeometry(fs[i]["geometry"], where + ".geometry", parts));
    }
  } else if (type == "Feature") {
    if (!doc.contains("geometry"))
      return Status::InvalidArgument(name + ": the Feature has no 'geometry'");
    WL_RETURN_IF_ERROR(ReadGeometry(doc["geometry"], name + ": geometry", parts));
  } else {
    WL_RETURN_IF_ERROR(ReadGeometry(doc, name, parts));
  }
  return FromLatLon(parts, inside, name);
}

Result<Perimeter> Perimeter::FromLatLon(const std::vector<std::vector<LatLon>>& parts,
                                        InsideSide inside, const std::string& name) {
  if (parts.empty()) return Status::InvalidArgument(name + ": the perimeter has no line");
  double lat0 = 90, lat1 = -90, lon0 = 180, lon1 = -180;
  for (const auto& p : parts) {
    for (const LatLon& q : p) {
      lat0 = std::min(lat0, q.lat);
      lat1 = std::max(lat1, q.lat);
      lon0 = std::min(lon0, q.lon);
      lon1 = std::max(lon1, q.lon);
    }
  }
  WL_ASSIGN_OR_RETURN(auto frame, LocalFrame::Create({(lat0 + lat1) / 2, (lon0 + lon1) / 2}));
  Perimeter per;
  per.inside_ = inside;
  double chainage = 0;
  for (size_t pi = 0; pi < parts.size(); ++pi) {
    const auto& line = parts[pi];
    Part part;
    part.begin = per.vertices_.size();
    part.from_m = chainage;
    LatLon prev{};
    for (const LatLon& q : line) {
      const Vec2 v = frame->ToLocal(q);
      if (per.vertices_.size() > part.begin) {
        if (Norm(v - per.vertices_.back()) < kDuplicateVertexM) continue;
        chainage += LocalFrame::GeodesicDistance(prev, q);
      }
      per.vertices_.push_back(v);
      per.chainage_.push_back(chainage);
      per.part_start_.push_back(per.vertices_.size() - 1 == part.begin);
      prev = q;
    }
    part.end = per.vertices_.size();
    if (part.end - part.begin < 2)
      return Status::InvalidArgument(name + ": line " + std::to_string(pi + 1) +
                                     " needs at least 2 distinct points, got " +
                                     std::to_string(part.end - part.begin));
    part.to_m = chainage;
    per.parts_.push_back(part);
  }
  per.length_m_ = chainage;
  per.frame_ = std::move(frame);
  per.BuildIndex();
  return per;
}

void Perimeter::BuildIndex() {
  double total = 0;
  size_t n = 0;
  for (size_t i = 0; i < vertices_.size(); ++i) {
    if (!IsSegmentStart(i)) continue;
    total += Norm(vertices_[i + 1] - vertices_[i]);
    ++n;
  }
  cell_m_ = std::clamp(n ? 4 * total / n : kMinCellM, kMinCellM, kMaxCellM);
  for (size_t i = 0; i < vertices_.size(); ++i) {
    if (!IsSegmentStart(i)) continue;
    const Vec2 a = vertices_[i], b = vertices_[i + 1];
    ForEachCell(std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y),
                [&](int64_t key) { grid_[key].push_back(static_cast<uint32_t>(i)); });
  }
}

template <typename Fn>
void Perimeter::ForEachCell(double x0, double y0, double x1, double y1, Fn fn) const {
  const int64_t cx0 = static_cast<int64_t>(std::floor(x0 / cell_m_));
  const int64_t cy0 = static_cast<int64_t>(std::floor(y0 / cell_m_));
  const int64_t cx1 = static_cast<int64_t>(std::floor(x1 / cell_m_));
  const int64_t cy1 = static_cast<int64_t>(std::floor(y1 / cell_m_));
  for (int64_t cx = cx0; cx <= cx1; ++cx)
    for (int64_t cy = cy0; cy <= cy1; ++cy) fn(CellKey(cx, cy));
}

std::vector<size_t> Perimeter::SegmentsNear(Vec2 c, double radius_m) const {
  std::vector<size_t> out;
  ForEachCell(c.x - radius_m, c.y - radius_m, c.x + radius_m, c.y + radius_m, [&](int64_t key) {
    auto it = grid_.find(key);
    if (it == grid_.end()) return;
    out.insert(out.end(), it->second.begin(), it->second.end());
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

size_t Perimeter::PartOfVertex(size_t i) const {
  auto it = std::upper_bound(parts_.begin(), parts_.end(), i,
                             [](size_t v, const Part& p) { return v < p.begin; });
  return static_cast<size_t>(it - parts_.begin()) - 1;
}

Vec2 Perimeter::PointAt(double chainage_m) const {
  const double c = std::clamp(chainage_m, 0.0, length_m_);
  // The last vertex whose chainage is <= c and that starts a segment.
  auto it = std::upper_bound(chainage_.begin(), chainage_.end(), c);
  size_t i = it == chainage_.begin() ? 0 : static_cast<size_t>(it - chainage_.begin()) - 1;
  while (i > 0 && !IsSegmentStart(i)) --i;
  if (!IsSegmentStart(i)) return vertices_[i];
  const double span = chainage_[i + 1] - chainage_[i];
  const double t = span > 0 ? std::clamp((c - chainage_[i]) / span, 0.0, 1.0) : 0;
  return vertices_[i] + (vertices_[i + 1] - vertices_[i]) * t;
}

std::vector<std::vector<Vec2>> Perimeter::Slice(double from_m, double to_m) const {
  std::vector<std::vector<Vec2>> out;
  if (to_m < from_m) std::swap(from_m, to_m);
  for (const Part& p : parts_) {
    const double a = std::max(from_m, p.from_m), b = std::min(to_m, p.to_m);
    if (b < a || (b == a && p.to_m > p.from_m && from_m != to_m)) continue;
    std::vector<Vec2> line;
    // PointAt picks the part by chainage; at a shared boundary chainage it
    // would pick the later part, so interpolate within this part directly.
    auto at = [&](double c) {
      auto it = std::lower_bound(chainage_.begin() + p.begin + 1, chainage_.begin() + p.end - 1, c);
      const size_t i = static_cast<size_t>(it - chainage_.begin()) - 1;
      const double span = chainage_[i + 1] - chainage_[i];
      const double t = span > 0 ? std::clamp((c - chainage_[i]) / span, 0.0, 1.0) : 0;
      return vertices_[i] + (vertices_[i + 1] - vertices_[i]) * t;
    };
    line.push_back(at(a));
    auto first = std::upper_bound(chainage_.begin() + p.begin, chainage_.begin() + p.end, a);
    for (auto it = first; it != chainage_.begin() + p.end && *it < b; ++it)
      line.push_back(vertices_[it - chainage_.begin()]);
    line.push_back(at(b));
    out.push_back(std::move(line));
  }
  return out;
}

Vec2 Perimeter::InsideNormalAt(double chainage_m) const {
  const double c = std::clamp(chainage_m, 0.0, length_m_);
  auto it = std::upper_bound(chainage_.begin(), chainage_.end(), c);
  size_t i = it == chainage_.begin() ? 0 : static_cast<size_t>(it - chainage_.begin()) - 1;
  while (i > 0 && !IsSegmentStart(i)) --i;
  const Vec2 d = vertices_[i + 1] - vertices_[i];
  const double n = Norm(d);
  const Vec2 left{-d.y / n, d.x / n};
  return inside_ == InsideSide::kLeft ? left : left * -1;
}

Perimeter::Location Perimeter::Locate(Vec2 p) const {
  Location best;
  double best_d = std::numeric_limits<double>::infinity();
  size_t best_i = 0;
  double best_t = 0;
  auto consider = [&](size_t i) {
    const double t = ProjectOnSegment(vertices_[i], vertices_[i + 1], p);
    const Vec2 q = vertices_[i] + (vertices_[i + 1] - vertices_[i]) * t;
    const double d = Norm(p - q);
    if (d < best_d) {
      best_d = d;
      best_i = i;
      best_t = t;
    }
  };
  // Search rings of cells outward until the next ring cannot hold anything nearer.
  const int64_t pcx = static_cast<int64_t>(std::floor(p.x / cell_m_));
  const int64_t pcy = static_cast<int64_t>(std::floor(p.y / cell_m_));
  bool found = false;
  for (int r = 0; r <= kMaxSearchRings; ++r) {
    if (found && (r - 1) * cell_m_ > best_d) break;
    for (int64_t cx = pcx - r; cx <= pcx + r; ++cx) {
      for (int64_t cy = pcy - r; cy <= pcy + r; ++cy) {
        if (std::max(std::abs(cx - pcx), std::abs(cy - pcy)) != r) continue;
        auto it = grid_.find(CellKey(cx, cy));
        if (it == grid_.end()) continue;
        for (uint32_t i : it->second) consider(i);
        found = true;
      }
    }
  }
  if (!found || (kMaxSearchRings * cell_m_) < best_d) {
    for (size_t i = 0; i < vertices_.size(); ++i)
      if (IsSegmentStart(i)) consider(i);
  }
  const size_t i = best_i;
  best.segment = i;
  best.distance_m = best_d;
  best.nearest = vertices_[i] + (vertices_[i + 1] - vertices_[i]) * best_t;
  best.chainage_m = ChainageOnSegment(i, best_t);
  // Side: left of the segment, except when the nearest point is a vertex
  // shared with a neighbour; then the two segments decide together.
  const Vec2 d1 = vertices_[i + 1] - vertices_[i];
  double s = Cross(d1, p - vertices_[i]);
  constexpr double kAtVertex = 1e-12;
  if (best_t <= kAtVertex && i > 0 && !part_start_[i]) {
    s = SideAtVertex(vertices_[i] - vertices_[i - 1], d1, vertices_[i], p);
  } else if (best_t >= 1 - kAtVertex && IsSegmentStart(i + 1)) {
    s = SideAtVertex(d1, vertices_[i + 2] - vertices_[i + 1], vertices_[i + 1], p);
  }
  if (best_d < kDuplicateVertexM || s == 0) {
    best.side = Side::kOnLine;
  } else {
    const bool left = s > 0;
    best.side = left == (inside_ == InsideSide::kLeft) ? Side::kInside : Side::kOutside;
  }
  return best;
}

std::vector<Perimeter::Crossing> Perimeter::FindCrossings(Vec2 a, Vec2 b) const {
  std::vector<Crossing> out;
  const Vec2 mid = (a + b) * 0.5;
  const double r = Norm(b - a) / 2;
  const Vec2 d = b - a;
  for (size_t i : SegmentsNear(mid, r)) {
    const Vec2 p = vertices_[i], q = vertices_[i + 1];
    const Vec2 e = q - p;
    const double den = Cross(d, e);
    if (den == 0) continue;  // parallel: touching along the line is not a crossing
    const double u = Cross(p - a, e) / den;  // along a->b
    const double t = Cross(p - a, d) / den;  // along p->q
    // Half-open on the segment so a crossing exactly at a vertex counts once.
    if (u < 0 || u > 1 || t < 0 || t >= 1) continue;
    if (t == 0 && i > 0 && !part_start_[i]) {
      // At an inner vertex: count it only if a and b are on opposite sides of
      // the polyline there (not a touch).
      const Vec2 din = p - vertices_[i - 1];
      if ((SideAtVertex(din, e, p, a) > 0) == (SideAtVertex(din, e, p, b) > 0)) continue;
    }
    Crossing c;
    c.u = u;
    c.chainage_m = ChainageOnSegment(i, t);
    const bool to_left = Cross(e, d) > 0;
    c.inward = to_left == (inside_ == InsideSide::kLeft);
    out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const Crossing& x, const Crossing& y) { return x.u < y.u; });
  return out;
}

}  // namespace watchline::geometry
