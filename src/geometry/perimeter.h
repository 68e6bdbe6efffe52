// Perimeter: the protected line, loaded from GeoJSON (LineString or
// MultiLineString, WGS84 lon/lat), projected into a LocalFrame centred on it.
//
// Every point of the line has a chainage: its true (geodesic) metres along the
// line from the start of the first part. Parts of a MultiLineString follow one
// another in chainage with no gap between them. Within a segment, chainage is
// proportional to the distance along the projected segment.
//
// `inside` names the protected side, left or right looking along the line's
// direction (the order of its coordinates).
//
// Thread safety: immutable after construction; every const method may be
// called from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "geometry/local_frame.h"

namespace watchline::geometry {

enum class InsideSide { kLeft, kRight };
enum class Side { kInside, kOutside, kOnLine };

// "left" or "right"; anything else is InvalidArgument.
Result<InsideSide> ParseInsideSide(const std::string& s);

class Perimeter {
 public:
  // One polyline of the line: vertices [begin, end) of vertices(), and its
  // chainage range.
  struct Part {
    size_t begin = 0, end = 0;
    double from_m = 0, to_m = 0;
  };
  // Where a point is relative to the line.
  struct Location {
    double chainage_m = 0;  // of the nearest point on the line
    double distance_m = 0;  // frame metres to it
    Side side = Side::kOnLine;
    size_t segment = 0;     // vertex index of the nearest segment's start
    Vec2 nearest;
  };
  // A step a->b that crosses the line.
  struct Crossing {
    double u = 0;           // fraction of a->b at the crossing
    double chainage_m = 0;
    bool inward = false;    // true: from outside to inside ("in"); false: "out"
  };

  // Reads a GeoJSON file: a LineString or MultiLineString geometry, a Feature
  // holding one, or a FeatureCollection of them (parts in order). Errors
  // (NotFound, InvalidArgument) name the file and what is wrong in it.
  static Result<Perimeter> LoadGeoJson(const std::string& path, InsideSide inside);
  // The same from text in memory; `name` is used in messages.
  static Result<Perimeter> ParseGeoJson(const std::string& text, const std::string& name,
                                        InsideSide inside);
  // From lat/lon polylines. The frame is centred on the line's bounding box.
  static Result<Perimeter> FromLatLon(const std::vector<std::vector<LatLon>>& parts,
                                      InsideSide inside, const std::string& name = "perimeter");

  Perimeter(Perimeter&&) = default;
  Perimeter& operator=(Perimeter&&) = default;

  const LocalFrame& frame() const { return *frame_; }
  InsideSide inside() const { return inside_; }
  double length_m() const { return length_m_; }
  const std::vector<Part>& parts() const { return parts_; }
  // All parts' vertices in the local frame, one after the other.
  const std::vector<Vec2>& vertices() const { return vertices_; }
  // Chainage of each vertex.
  const std::vector<double>& vertex_chainage() const { return chainage_; }
  // True when vertex i starts a segment (i + 1 is in the same part).
  bool IsSegmentStart(size_t i) const { return i + 1 < vertices_.size() && !part_start_[i + 1]; }
  // Chainage of the point at fraction t (0..1) of the segment starting at vertex i.
  double ChainageOnSegment(size_t i, double t) const {
    return chainage_[i] + t * (chainage_[i + 1] - chainage_[i]);
  }

  // The point at a chainage (clamped to the line).
  Vec2 PointAt(double chainage_m) const;
  // The line between two chainages, as a polyline in the frame (one polyline
  // per part it spans).
  std::vector<std::vector<Vec2>> Slice(double from_m, double to_m) const;
  // Unit normal pointing to the inside at a chainage.
  Vec2 InsideNormalAt(double chainage_m) const;

  Location Locate(Vec2 p) const;
  Side SideOf(Vec2 p) const { return Locate(p).side; }
  // Crossings of the step a->b with the line, ordered by u.
  std::vector<Crossing> FindCrossings(Vec2 a, Vec2 b) const;
  // Start vertices of the segments that may come within `radius_m` of `c`
  // (a superset; from the grid index).
  std::vector<size_t> SegmentsNear(Vec2 c, double radius_m) const;

 private:
  Perimeter() = default;
  void BuildIndex();
  size_t PartOfVertex(size_t i) const;
  template <typename Fn>
  void ForEachCell(double x0, double y0, double x1, double y1, Fn fn) const;

  std::unique_ptr<LocalFrame> frame_;
  InsideSide inside_ = InsideSide::kLeft;
  double length_m_ = 0;
  std::vector<Part> parts_;
  std::vector<Vec2> vertices_;
  std::vector<double> chainage_;
  std::vector<bool> part_start_;  // true at the first vertex of every part
  // Grid index over segments: cell key -> segment start vertices.
  double cell_m_ = 100;
  std::unordered_map<int64_t, std::vector<uint32_t>> grid_;
};

}  // namespace watchline::geometry
