// CoverageProvider: what the server shows of the coverage module (which
// metres of the perimeter are watched right now). The server works without
// one: /api/coverage then answers {"available": false, "reason": ...} and the
// UI draws camera wedges from the config alone.
//
// Thread safety: implementations must allow concurrent calls from HTTP threads.
#pragma once

#include <nlohmann/json.hpp>

namespace watchline::server {

class CoverageProvider {
 public:
  virtual ~CoverageProvider() = default;
  // The live summary: the `watchline coverage --json` object (perimeter_length_m,
  // covered_m, covered_fraction, k2_fraction, gaps, single_camera, ...).
  virtual nlohmann::json Summary() = 0;
  // A GeoJSON FeatureCollection: the perimeter (properties.kind "perimeter"),
  // camera footprints ("footprint", with properties.camera) and the gaps
  // ("gap"), and covered stretches ("covered").
  virtual nlohmann::json GeoJson() = 0;
};

}  // namespace watchline::server
