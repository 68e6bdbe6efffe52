// GeoJSON for the map: camera footprints, covered stretches (by how many
// cameras watch them), gaps and single-camera stretches, in WGS84 lon/lat.
// Every feature has a "kind" property: footprint, covered, gap, single_camera.
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "coverage/coverage.h"
#include "coverage/live_coverage.h"
#include "coverage/site_model.h"

namespace watchline::coverage {

// `report` must come from the model's cameras (ComputeCoverage or
// LiveCoverage::Report); its per_camera up flags colour the footprints.
nlohmann::json CoverageGeoJson(const SiteModel& model, const CoverageReport& report);

// A LineString (or MultiLineString across parts) of the perimeter between two
// chainages, lon/lat.
// The contract JSON of a coverage report (`watchline coverage --json`, the
// API's coverage summary): perimeter_length_m, covered_m, covered_fraction,
// k2_m, k2_fraction, gaps, single_camera, per_camera, ranking, dori.
nlohmann::json ReportJson(const SiteModel& model, const CoverageReport& report,
                          const std::vector<FailureImpact>& ranking);

nlohmann::json LineGeometry(const geometry::Perimeter& perimeter, double from_m, double to_m);

}  // namespace watchline::coverage
