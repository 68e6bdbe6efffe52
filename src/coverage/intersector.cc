#include "coverage/intersector.h"

#include <geos_c.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

namespace watchline::coverage {
namespace {

using geometry::Vec2;

void OnGeosError(const char* message, void* userdata) {
  *static_cast<std::string*>(userdata) = message ? message : "unknown GEOS error";
}

struct Chunk {
  size_t first_vertex = 0;  // the chunk's segments start at first_vertex .. first_vertex + n - 1
  size_t segments = 0;
  std::vector<double> along;  // frame distance along the chunk at each of its vertices
  double minx, miny, maxx, maxy;
  GEOSGeometry* line = nullptr;
};

}  // namespace

struct FootprintIntersector::Impl {
  const geometry::Perimeter* perimeter = nullptr;
  GEOSContextHandle_t ctx = nullptr;
  std::string error;
  std::vector<Chunk> chunks;
  GEOSSTRtree* tree = nullptr;
  std::vector<size_t> hits;  // scratch for tree queries

  ~Impl() {
    if (tree) GEOSSTRtree_destroy_r(ctx, tree);
    for (Chunk& c : chunks)
      if (c.line) GEOSGeom_destroy_r(ctx, c.line);
    if (ctx) GEOS_finish_r(ctx);
  }

  // Chainage of a point known to lie on chunk c.
  double ChainageOn(const Chunk& c, double x, double y) {
    GEOSGeometry* pt = GEOSGeom_createPointFromXY_r(ctx, x, y);
    const double d = GEOSProject_r(ctx, c.line, pt);
    GEOSGeom_destroy_r(ctx, pt);
    auto it = std::upper_bound(c.along.begin(), c.along.end(), d);
    size_t k = it == c.along.begin() ? 0 : static_cast<size_t>(it - c.along.begin()) - 1;
    k = std::min(k, c.segments - 1);
    const double span = c.along[k + 1] - c.along[k];
    const double t = span > 0 ? std::clamp((d - c.along[k]) / span, 0.0, 1.0) : 0;
    return perimeter->ChainageOnSegment(c.first_vertex + k, t);
  }

  // Adds the chainage interval of every line piece of `g` on chunk c.
  void Collect(const Chunk& c, const GEOSGeometry* g, std::vector<Interval>& out) {
    const int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_LINESTRING) {
      const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, g);
      unsigned int n = 0;
      GEOSCoordSeq_getSize_r(ctx, seq, &n);
      if (n < 2) return;
      double x0, y0, x1, y1;
      GEOSCoordSeq_getXY_r(ctx, seq, 0, &x0, &y0);
      GEOSCoordSeq_getXY_r(ctx, seq, n - 1, &x1, &y1);
      const double a = ChainageOn(c, x0, y0), b = ChainageOn(c, x1, y1);
      out.push_back({std::min(a, b), std::max(a, b)});
    } else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
      const int n = GEOSGetNumGeometries_r(ctx, g);
      for (int i = 0; i < n; ++i) Collect(c, GEOSGetGeometryN_r(ctx, g, i), out);
    }
    // Points (the line touching a corner) carry no length.
  }

  GEOSGeometry* MakePolygon(const std::vector<Vec2>& poly) {
    std::vector<double> xy;
    xy.reserve(2 * poly.size() + 2);
    for (const Vec2& p : poly) {
      xy.push_back(p.x);
      xy.push_back(p.y);
    }
    xy.push_back(poly[0].x);
    xy.push_back(poly[0].y);
    GEOSCoordSequence* seq =
        GEOSCoordSeq_copyFromBuffer_r(ctx, xy.data(), poly.size() + 1, 0, 0);
    if (!seq) return nullptr;
    GEOSGeometry* ring = GEOSGeom_createLinearRing_r(ctx, seq);
    if (!ring) return nullptr;
    return GEOSGeom_createPolygon_r(ctx, ring, nullptr, 0);
  }

  Result<std::vector<Interval>> Run(const std::vector<Vec2>& polygon, bool use_index) {
    std::vector<Interval> out;
    if (polygon.size() < 3) return out;
    double minx = polygon[0].x, maxx = minx, miny = polygon[0].y, maxy = miny;
    for (const Vec2& p : polygon) {
      minx = std::min(minx, p.x);
      maxx = std::max(maxx, p.x);
      miny = std::min(miny, p.y);
      maxy = std::max(maxy, p.y);
    }
    hits.clear();
    if (use_index) {
      GEOSGeometry* env = GEOSGeom_createRectangle_r(ctx, minx, miny, maxx, maxy);
      GEOSSTRtree_query_r(
          ctx, tree, env,
          [](void* item, void* userdata) {
            static_cast<std::vector<size_t>*>(userdata)->push_back(
                static_cast<size_t>(reinterpret_cast<uintptr_t>(item)));
          },
          &hits);
      GEOSGeom_destroy_r(ctx, env);
    } else {
      for (size_t i = 0; i < chunks.size(); ++i) {
        const Chunk& c = chunks[i];
        if (c.maxx < minx || c.minx > maxx || c.maxy < miny || c.miny > maxy) continue;
        hits.push_back(i);
      }
    }
    if (hits.empty()) return out;
    GEOSGeometry* poly = MakePolygon(polygon);
    if (!poly) return Status::Internal("GEOS: cannot build a footprint polygon: " + error);
    // Footprints are simple by construction, so validity is not checked up
    // front (it costs as much as the intersection); a polygon GEOS cannot
    // intersect is repaired once and tried again.
    const GEOSPreparedGeometry* prep = GEOSPrepare_r(ctx, poly);
    Status st;
    bool repaired = false;
    for (size_t i : hits) {
      const Chunk& c = chunks[i];
      if (!GEOSPreparedIntersects_r(ctx, prep, c.line)) continue;
      GEOSGeometry* inter = GEOSIntersection_r(ctx, poly, c.line);
      if (!inter && !repaired) {
        repaired = true;
        GEOSGeometry* fixed = GEOSMakeValid_r(ctx, poly);
        if (fixed) {
          GEOSPreparedGeom_destroy_r(ctx, prep);
          GEOSGeom_destroy_r(ctx, poly);
          poly = fixed;
          prep = GEOSPrepare_r(ctx, poly);
          inter = GEOSIntersection_r(ctx, poly, c.line);
        }
      }
      if (!inter) {
        st = Status::Internal("GEOS: footprint/perimeter intersection failed: " + error);
        break;
      }
      Collect(c, inter, out);
      GEOSGeom_destroy_r(ctx, inter);
    }
    GEOSPreparedGeom_destroy_r(ctx, prep);
    GEOSGeom_destroy_r(ctx, poly);
    if (!st.ok()) return st;
    return Normalise(std::move(out), perimeter->length_m());
  }
};

FootprintIntersector::FootprintIntersector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FootprintIntersector::~FootprintIntersector() = default;

size_t FootprintIntersector::chunk_count() const { return impl_->chunks.size(); }

Result<std::unique_ptr<FootprintIntersector>> FootprintIntersector::Create(
    const geometry::Perimeter& perimeter, size_t chunk_segments) {
  auto impl = std::make_unique<Impl>();
  impl->perimeter = &perimeter;
  impl->ctx = GEOS_init_r();
  if (!impl->ctx) return Status::Internal("GEOS: cannot create a context");
  GEOSContext_setErrorMessageHandler_r(impl->ctx, OnGeosError, &impl->error);
  chunk_segments = std::max<size_t>(1, chunk_segments);
  const auto& v = perimeter.vertices();
  for (const auto& part : perimeter.parts()) {
    for (size_t s = part.begin; s + 1 < part.end; s += impl->chunks.back().segments) {
      Chunk c;
      c.first_vertex = s;
      c.segments = std::min(chunk_segments, part.end - 1 - s);
      std::vector<double> xy;
      double along = 0;
      c.minx = c.maxx = v[s].x;
      c.miny = c.maxy = v[s].y;
      for (size_t k = 0; k <= c.segments; ++k) {
        const Vec2 p = v[s + k];
        if (k > 0) along += geometry::Norm(p - v[s + k - 1]);
        c.along.push_back(along);
        xy.push_back(p.x);
        xy.push_back(p.y);
        c.minx = std::min(c.minx, p.x);
        c.maxx = std::max(c.maxx, p.x);
        c.miny = std::min(c.miny, p.y);
        c.maxy = std::max(c.maxy, p.y);
      }
      GEOSCoordSequence* seq =
          GEOSCoordSeq_copyFromBuffer_r(impl->ctx, xy.data(), c.segments + 1, 0, 0);
      c.line = seq ? GEOSGeom_createLineString_r(impl->ctx, seq) : nullptr;
      if (!c.line) return Status::Internal("GEOS: cannot build the perimeter: " + impl->error);
      impl->chunks.push_back(std::move(c));
    }
  }
  impl->tree = GEOSSTRtree_create_r(impl->ctx, 10);
  for (size_t i = 0; i < impl->chunks.size(); ++i)
    GEOSSTRtree_insert_r(impl->ctx, impl->tree, impl->chunks[i].line,
                         reinterpret_cast<void*>(static_cast<uintptr_t>(i)));
  return std::unique_ptr<FootprintIntersector>(new FootprintIntersector(std::move(impl)));
}

Result<std::vector<Interval>> FootprintIntersector::Intersect(
    const std::vector<geometry::Vec2>& polygon) {
  return impl_->Run(polygon, true);
}

Result<std::vector<Interval>> FootprintIntersector::IntersectWithoutIndex(
    const std::vector<geometry::Vec2>& polygon) {
  return impl_->Run(polygon, false);
}

}  // namespace watchline::coverage
