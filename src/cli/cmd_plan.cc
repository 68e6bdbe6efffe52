// watchline plan: choose camera sites so the perimeter is watched by k
// cameras with the fewest cameras (src/coverage/planner.h). Prints the chosen
// sites as a GeoJSON FeatureCollection of Points (heading, field of view,
// height, tilt, chainage in the properties) with a "summary" member; without
// --json the GeoJSON is indented and a summary also goes to stderr.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "coverage/geojson_export.h"
#include "coverage/planner.h"
#include "geometry/camera_model.h"
#include "geometry/perimeter.h"

namespace watchline::cli {
namespace {

using nlohmann::json;

struct PlanArgs {
  std::string perimeter;
  std::string inside = "left";
  std::string model;
  int k = 1;
  bool json = false;
  double spacing_m = coverage::kDefaultSpacingM;
  double offset_m = coverage::kDefaultOffsetM;
  std::string sides = "both";
  std::string candidates;
  std::string dori = "detect";
  double person_width_m = 0.5;
  double height_m = -1, tilt_deg = -100, hfov_deg = -1;  // unset: the model's
  double time_limit_s = coverage::kDefaultTimeLimitS;
  std::string method = "auto";
};

double Round(double v, double unit) { return std::round(v / unit) * unit; }

// Given sites: GeoJSON Points with optional name, heading_deg, height_m.
Result<std::vector<coverage::CandidateSite>> ReadSites(const std::string& path,
                                                       const geometry::LocalFrame& frame) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("candidates file not found: " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  json doc;
  try {
    doc = json::parse(ss.str());
  } catch (const json::parse_error& e) {
    return Status::InvalidArgument(path + ": not valid JSON: " + e.what());
  }
  json features = json::array();
  if (doc.is_object() && doc.value("type", "") == "FeatureCollection" && doc.contains("features"))
    features = doc["features"];
  else if (doc.is_object() && doc.value("type", "") == "Feature")
    features.push_back(doc);
  else
    return Status::InvalidArgument(path + ": expected a GeoJSON FeatureCollection of Points");
  std::vector<coverage::CandidateSite> sites;
  for (size_t i = 0; i < features.size(); ++i) {
    const json& f = features[i];
    const std::string where = path + ": features[" + std::to_string(i) + "]";
    if (!f.is_object() || !f.contains("geometry") || !f["geometry"].is_object() ||
        f["geometry"].value("type", "") != "Point")
      return Status::InvalidArgument(where + ": expected a Point feature");
    const json& c = f["geometry"]["coordinates"];
    if (!c.is_array() || c.size() < 2 || !c[0].is_number() || !c[1].is_number() ||
        std::abs(c[0].get<double>()) > 180 || std::abs(c[1].get<double>()) > 90)
      return Status::InvalidArgument(where + ": coordinates must be [lon, lat] in WGS84");
    coverage::CandidateSite s;
    s.position = frame.ToLocal({c[1].get<double>(), c[0].get<double>()});
    s.name = "site" + std::to_string(i + 1);
    if (f.contains("properties") && f["properties"].is_object()) {
      const json& p = f["properties"];
      if (p.contains("name") && p["name"].is_string()) s.name = p["name"].get<std::string>();
      if (p.contains("heading_deg") && p["heading_deg"].is_number())
        s.heading_deg = p["heading_deg"].get<double>();
      if (p.contains("height_m") && p["height_m"].is_number())
        s.height_m = p["height_m"].get<double>();
    }
    sites.push_back(std::move(s));
  }
  if (sites.empty()) return Status::InvalidArgument(path + ": no candidate sites");
  return sites;
}

int RunPlan(const PlanArgs& a) {
  auto inside = geometry::ParseInsideSide(a.inside);
  if (!inside.ok()) {
    PrintError("--inside: " + inside.status().message());
    return 2;
  }
  auto per = geometry::Perimeter::LoadGeoJson(a.perimeter, *inside);
  if (!per.ok()) {
    PrintError(per.status().message());
    return per.status().ExitCode();
  }
  auto model = geometry::FindCameraModel(a.model);
  if (!model.ok()) {
    PrintError("--camera-model: " + model.status().message());
    return 2;
  }
  auto dori = geometry::ParseDoriLevel(a.dori);
  if (!dori.ok()) {
    PrintError("--dori: " + dori.status().message());
    return 2;
  }
  coverage::PlanOptions opt;
  opt.model = *model;
  opt.k = a.k;
  opt.spacing_m = a.spacing_m;
  opt.offset_m = a.offset_m;
  opt.inside = a.sides != "outside";
  opt.outside = a.sides != "inside";
  opt.footprint.dori = *dori;
  opt.footprint.person_width_m = a.person_width_m;
  if (a.height_m >= 0) opt.height_m = a.height_m;
  if (a.tilt_deg > -90) opt.tilt_deg = a.tilt_deg;
  if (a.hfov_deg > 0) opt.hfov_deg = a.hfov_deg;
  opt.time_limit_s = a.time_limit_s;
  opt.method = a.method == "greedy" ? coverage::CoverMethod::kGreedy
               : a.method == "ilp"  ? coverage::CoverMethod::kIlp
                                    : coverage::CoverMethod::kAuto;
  if (!a.candidates.empty()) {
    auto sites = ReadSites(a.candidates, per->frame());
    if (!sites.ok()) {
      PrintError(sites.status().message());
      return sites.status().ExitCode();
    }
    opt.sites = std::move(sites).value();
  }
  auto plan = coverage::Plan(*per, opt);
  if (!plan.ok()) {
    PrintError(plan.status().message());
    return plan.status().ExitCode();
  }
  const coverage::PlanResult& r = *plan;
  json features = json::array();
  for (const auto& c : r.chosen) {
    const geometry::LatLon ll = per->frame().ToLatLon(c.position);
    json covers = json::array();
    for (const auto& iv : c.covers) covers.push_back({Round(iv.from_m, 1e-3), Round(iv.to_m, 1e-3)});
    features.push_back(
        {{"type", "Feature"},
         {"geometry",
          {{"type", "Point"}, {"coordinates", {Round(ll.lon, 1e-7), Round(ll.lat, 1e-7)}}}},
         {"properties",
          {{"name", c.name},
           {"model", std::string(opt.model.name)},
           {"heading_deg", Round(c.heading_deg, 1e-2)},
           {"hfov_deg", c.hfov_deg},
           {"height_m", c.height_m},
           {"tilt_deg", c.tilt_deg},
           {"chainage_m", Round(c.chainage_m, 1e-3)},
           {"side", c.side},
           {"covers_m", covers}}}});
  }
  double unreachable = 0;
  for (const auto& u : r.unreachable) unreachable += u.length_m();
  const json summary = {
      {"k", a.k},
      {"cameras", r.chosen.size()},
      {"candidates", r.candidate_count},
      {"perimeter_length_m", Round(per->length_m(), 1e-3)},
      {"covered_m", Round(r.coverage.covered_m, 1e-3)},
      {"covered_fraction", Round(r.coverage.covered_fraction(), 1e-6)},
      {"k2_fraction", Round(r.coverage.k2_fraction(), 1e-6)},
      {"unreachable_m", Round(unreachable, 1e-3)},
      {"lower_bound", r.solution.lower_bound},
      {"gap", Round(r.gap, 1e-6)},
      {"optimal", r.solution.optimal},
      {"method", r.solution.method},
      {"rows", r.solution.rows},
      {"seconds", Round(r.seconds, 1e-3)},
      {"dori", std::string(geometry::DoriName(opt.footprint.dori))}};
  const json out = {{"type", "FeatureCollection"}, {"features", features}, {"summary", summary}};
  std::printf("%s\n", a.json ? out.dump().c_str() : out.dump(2).c_str());
  if (!a.json) {
    std::fprintf(stderr,
                 "plan: %zu cameras (%s) for k=%d over %.1f m from %zu candidates; lower bound "
                 "%.0f, gap %.1f %%%s, %.2f s; covered %.1f %%, 2-fold %.1f %%, unreachable %.1f m\n",
                 r.chosen.size(), r.solution.method.c_str(), a.k, per->length_m(),
                 r.candidate_count, r.solution.lower_bound, 100 * r.gap,
                 r.solution.optimal ? " (optimal)" : "", r.seconds,
                 100 * r.coverage.covered_fraction(), 100 * r.coverage.k2_fraction(),
                 unreachable);
  }
  return 0;
}

}  // namespace

void RegisterPlan(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "plan", "Choose camera sites that watch the whole perimeter (k-fold) with the fewest cameras");
  auto a = std::make_shared<PlanArgs>();
  std::string models;
  for (const auto& m : geometry::CameraCatalogue())
    models += (models.empty() ? "" : ", ") + std::string(m.name);
  cmd->add_option("--perimeter", a->perimeter, "GeoJSON LineString/MultiLineString, WGS84")
      ->required();
  cmd->add_option("--camera-model", a->model, "camera model: " + models)->required();
  cmd->add_option("--k", a->k, "cameras that must watch every metre (1 or 2)")
      ->check(CLI::Range(1, 4))
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "print the GeoJSON on one line, with no summary on stderr");
  cmd->add_option("--inside", a->inside, "protected side of the line: left or right")
      ->capture_default_str();
  cmd->add_option("--spacing-m", a->spacing_m, "candidate sites every this many metres")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--offset-m", a->offset_m, "candidate sites this far from the line")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--sides", a->sides, "where candidates go: both, inside or outside")
      ->check(CLI::IsMember({"both", "inside", "outside"}))
      ->capture_default_str();
  cmd->add_option("--candidates", a->candidates,
                  "GeoJSON Points of existing posts/towers to choose from instead "
                  "(properties: name, heading_deg, height_m)");
  cmd->add_option("--dori", a->dori, "detect, observe, recognise or identify")
      ->capture_default_str();
  cmd->add_option("--person-width-m", a->person_width_m, "person width for DORI, metres")
      ->check(CLI::Range(0.1, 5.0))
      ->capture_default_str();
  cmd->add_option("--height-m", a->height_m, "mounting height (default: the model's)");
  cmd->add_option("--tilt-deg", a->tilt_deg, "downward tilt (default: the model's)");
  cmd->add_option("--hfov-deg", a->hfov_deg, "horizontal field of view (default: the model's)");
  cmd->add_option("--time-limit-s", a->time_limit_s, "ILP time limit, seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--method", a->method, "auto, greedy (k=1, exact on a line) or ilp")
      ->check(CLI::IsMember({"auto", "greedy", "ilp"}))
      ->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunPlan(*a); });
}

}  // namespace watchline::cli
