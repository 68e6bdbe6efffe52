#include "coverage/geojson_export.h"

#include <cmath>

namespace watchline::coverage {
namespace {

using json = nlohmann::json;

// Coordinates are written to 1e-7 degrees (about 1 cm).
double Round7(double v) { return std::round(v * 1e7) / 1e7; }
// Metres in properties to the millimetre.
double Round3(double v) { return std::round(v * 1e3) / 1e3; }

json LonLat(const geometry::LocalFrame& f, geometry::Vec2 p) {
  const geometry::LatLon ll = f.ToLatLon(p);
  return json::array({Round7(ll.lon), Round7(ll.lat)});
}

json Feature(json geometry, json properties) {
  return {{"type", "Feature"}, {"geometry", std::move(geometry)},
          {"properties", std::move(properties)}};
}

}  // namespace

json LineGeometry(const geometry::Perimeter& perimeter, double from_m, double to_m) {
  json lines = json::array();
  for (const auto& piece : perimeter.Slice(from_m, to_m)) {
    json coords = json::array();
    for (const auto& p : piece) coords.push_back(LonLat(perimeter.frame(), p));
    lines.push_back(std::move(coords));
  }
  if (lines.size() == 1) return {{"type", "LineString"}, {"coordinates", lines[0]}};
  return {{"type", "MultiLineString"}, {"coordinates", std::move(lines)}};
}

json CoverageGeoJson(const SiteModel& model, const CoverageReport& report) {
  json features = json::array();
  const geometry::Perimeter& per = *model.perimeter;
  for (size_t i = 0; i < model.footprints.size(); ++i) {
    const geometry::Footprint& fp = model.footprints[i];
    if (fp.polygon.empty()) continue;
    json ring = json::array();
    for (const auto& p : fp.polygon) ring.push_back(LonLat(per.frame(), p));
    ring.push_back(ring[0]);
    const bool up = i < report.per_camera.size() ? report.per_camera[i].up : true;
    features.push_back(Feature({{"type", "Polygon"}, {"coordinates", json::array({ring})}},
                               {{"kind", "footprint"},
                                {"camera", fp.camera_id},
                                {"up", up},
                                {"near_m", Round3(fp.near_m)},
                                {"far_m", Round3(fp.far_m)},
                                {"fixed_range", fp.fixed_range}}));
  }
  for (const KRun& r : report.runs) {
    if (r.k == 0) continue;
    features.push_back(Feature(LineGeometry(per, r.from_m, r.to_m),
                               {{"kind", "covered"},
                                {"k", r.k},
                                {"from_m", Round3(r.from_m)},
                                {"to_m", Round3(r.to_m)}}));
  }
  for (const Interval& g : report.gaps) {
    features.push_back(Feature(LineGeometry(per, g.from_m, g.to_m),
                               {{"kind", "gap"},
                                {"from_m", Round3(g.from_m)},
                                {"to_m", Round3(g.to_m)},
                                {"length_m", Round3(g.length_m())}}));
  }
  for (const SoleStretch& s : report.single_camera) {
    features.push_back(Feature(LineGeometry(per, s.from_m, s.to_m),
                               {{"kind", "single_camera"},
                                {"camera", s.camera},
                                {"from_m", Round3(s.from_m)},
                                {"to_m", Round3(s.to_m)},
                                {"length_m", Round3(s.length_m())}}));
  }
  return {{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

namespace {
double RoundMm(double v) { return std::round(v * 1e3) / 1e3; }
double RoundFrac(double v) { return std::round(v * 1e6) / 1e6; }
nlohmann::json IntervalJson(double from, double to) {
  return {{"from_m", RoundMm(from)}, {"to_m", RoundMm(to)}, {"length_m", RoundMm(to - from)}};
}
}  // namespace

nlohmann::json ReportJson(const SiteModel& m, const CoverageReport& r,
                          const std::vector<FailureImpact>& ranking) {
  using nlohmann::json;
  json j;
  j["perimeter_length_m"] = RoundMm(r.length_m);
  j["covered_m"] = RoundMm(r.covered_m);
  j["covered_fraction"] = RoundFrac(r.covered_fraction());
  j["k2_m"] = RoundMm(r.k2_m);
  j["k2_fraction"] = RoundFrac(r.k2_fraction());
  json gaps = json::array();
  for (const auto& g : r.gaps) gaps.push_back(IntervalJson(g.from_m, g.to_m));
  j["gaps"] = gaps;
  json single = json::array();
  for (const auto& s : r.single_camera) {
    json o = IntervalJson(s.from_m, s.to_m);
    o["camera"] = s.camera;
    single.push_back(o);
  }
  j["single_camera"] = single;
  json per = json::array();
  for (size_t i = 0; i < r.per_camera.size(); ++i) {
    const auto& c = r.per_camera[i];
    json o = {{"camera", c.camera}, {"up", c.up}, {"covered_m", RoundMm(c.covered_m)},
              {"sole_m", RoundMm(c.sole_m)}};
    if (i < m.footprints.size()) {
      o["near_m"] = RoundMm(m.footprints[i].near_m);
      o["far_m"] = RoundMm(m.footprints[i].far_m);
    }
    per.push_back(o);
  }
  j["per_camera"] = per;
  json jr = json::array();
  for (const auto& f : ranking)
    jr.push_back({{"camera", f.camera},
                  {"lost_m", RoundMm(f.lost_m)},
                  {"largest_gap", IntervalJson(f.largest_gap.from_m, f.largest_gap.to_m)}});
  j["ranking"] = jr;
  j["skipped"] = m.skipped;
  j["dori"] = std::string(geometry::DoriName(m.footprint_options.dori));
  return j;
}

}  // namespace watchline::coverage
