// FootprintIntersector: which metres of the perimeter lie inside a footprint
// polygon. The perimeter is cut into chunks of consecutive segments, each a
// GEOS LineString in an STRtree; a footprint is intersected (GEOS) with the
// chunks whose envelopes meet its own, and the pieces are mapped back to
// chainage.
//
// Thread safety: not thread safe (one GEOS context per object); use one
// intersector per thread.
#pragma once

#include <memory>
#include <vector>

#include "base/status.h"
#include "coverage/coverage.h"
#include "geometry/perimeter.h"

namespace watchline::coverage {

// Segments per chunk: short chunks keep each intersection small; long ones
// keep the tree small.
constexpr size_t kChunkSegments = 16;

class FootprintIntersector {
 public:
  // `perimeter` must outlive the intersector.
  static Result<std::unique_ptr<FootprintIntersector>> Create(
      const geometry::Perimeter& perimeter, size_t chunk_segments = kChunkSegments);
  ~FootprintIntersector();
  FootprintIntersector(const FootprintIntersector&) = delete;
  FootprintIntersector& operator=(const FootprintIntersector&) = delete;

  // The chainage intervals of the line inside `polygon` (local frame, a ring
  // not closed), sorted and merged. Error: Internal when GEOS fails.
  Result<std::vector<Interval>> Intersect(const std::vector<geometry::Vec2>& polygon);
  // The same, testing every chunk's envelope instead of asking the tree: the
  // baseline the benchmark compares the index against.
  Result<std::vector<Interval>> IntersectWithoutIndex(const std::vector<geometry::Vec2>& polygon);

  size_t chunk_count() const;

 private:
  struct Impl;
  explicit FootprintIntersector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace watchline::coverage
