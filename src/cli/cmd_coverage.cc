// watchline coverage: which metres of the perimeter are watched, by how many
// cameras, where the gaps are, which stretches hang on one camera, and which
// single failure would open the largest gap. The JSON shape is the DESIGN.md
// contract (perimeter_length_m, covered_m, covered_fraction, k2_fraction,
// gaps, single_camera) plus k2_m, per_camera, ranking, down, skipped.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "config/config.h"
#include "coverage/geojson_export.h"
#include "coverage/live_coverage.h"
#include "coverage/site_model.h"

namespace watchline::cli {
namespace {

using nlohmann::json;

struct CoverageArgs {
  std::string config_path;
  std::string down;      // ID,ID
  bool json = false;
  std::string geojson;   // write the map layers here
  int ranking = 10;      // rows of the single-failure ranking; 0 = none, -1 = all
};

int RunCoverage(const CoverageArgs& a) {
  auto cfg = config::LoadConfig(a.config_path);
  if (!cfg.ok()) {
    PrintError(cfg.status().message());
    return cfg.status().ExitCode();
  }
  auto model = coverage::BuildSiteModel(*cfg);
  if (!model.ok()) {
    PrintError(model.status().message());
    return model.status().ExitCode();
  }
  const coverage::SiteModel& m = **model;

  coverage::LiveCoverage live(m.perimeter->length_m(), m.intervals, m.enabled);
  std::vector<std::string> down, disabled;
  for (size_t i = 0; i < m.intervals.size(); ++i)
    if (!m.enabled[i]) disabled.push_back(m.intervals[i].camera);
  std::stringstream ss(a.down);
  std::string id;
  while (std::getline(ss, id, ',')) {
    if (id.empty()) continue;
    if (live.CameraIndex(id) < 0) {
      const bool known = cfg->FindCamera(id) != nullptr;
      std::string ids;
      for (size_t i = 0; i < live.camera_count(); ++i)
        ids += (ids.empty() ? "" : ", ") + live.camera_id(i);
      PrintError("--down: " + (known ? "camera '" + id + "' has no position in " + a.config_path
                                     : "no camera '" + id + "' in " + a.config_path) +
                 " (positioned cameras: " + (ids.empty() ? "none" : ids) + ")");
      return 2;
    }
    const size_t cam = static_cast<size_t>(live.CameraIndex(id));
    if (!live.IsUp(cam)) continue;  // named twice, or disabled
    live.SetCameraUp(cam, false);
    down.push_back(id);
  }
  const coverage::CoverageReport r = live.Report();
  std::vector<coverage::FailureImpact> rank;
  if (a.ranking != 0) {
    rank = coverage::RankSingleFailures(live);
    if (a.ranking > 0 && rank.size() > static_cast<size_t>(a.ranking)) rank.resize(a.ranking);
  }

  if (!a.geojson.empty()) {
    std::ofstream out(a.geojson, std::ios::binary);
    out << coverage::CoverageGeoJson(m, r).dump() << "\n";
    if (!out) {
      PrintError("cannot write " + a.geojson);
      return 1;
    }
  }

  if (a.json) {
    json j = coverage::ReportJson(m, r, rank);
    j["down"] = down;
    j["disabled"] = disabled;
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }

  std::printf("perimeter %.1f m, %zu positioned camera%s (%zu down, %zu disabled), DORI %s\n",
              r.length_m, r.per_camera.size(), r.per_camera.size() == 1 ? "" : "s", down.size(),
              disabled.size(), std::string(geometry::DoriName(m.footprint_options.dori)).c_str());
  std::printf("covered   %.1f m (%.1f %%)\n", r.covered_m, 100 * r.covered_fraction());
  std::printf("2-fold    %.1f m (%.1f %%)\n", r.k2_m, 100 * r.k2_fraction());
  std::printf("gaps      %zu\n", r.gaps.size());
  for (const auto& g : r.gaps)
    std::printf("  %10.1f - %10.1f m  (%.1f m)\n", g.from_m, g.to_m, g.length_m());
  std::printf("on one camera  %zu stretch%s\n", r.single_camera.size(),
              r.single_camera.size() == 1 ? "" : "es");
  for (const auto& s : r.single_camera)
    std::printf("  %10.1f - %10.1f m  (%.1f m)  %s\n", s.from_m, s.to_m, s.length_m(),
                s.camera.c_str());
  if (!rank.empty()) {
    std::printf("single failures, worst first\n");
    for (const auto& f : rank) {
      if (f.lost_m == 0) {
        std::printf("  %-16s watches no metre alone\n", f.camera.c_str());
        continue;
      }
      std::printf("  %-16s loses %8.1f m; largest gap then %.1f m at %.1f - %.1f\n",
                  f.camera.c_str(), f.lost_m, f.largest_gap.length_m(), f.largest_gap.from_m,
                  f.largest_gap.to_m);
    }
  }
  for (const auto& s : m.skipped) std::printf("skipped: %s\n", s.c_str());
  return 0;
}

}  // namespace

void RegisterCoverage(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "coverage", "Which metres of the perimeter are watched, by how many cameras, and the gaps");
  auto a = std::make_shared<CoverageArgs>();
  cmd->add_option("--config", a->config_path, "YAML config file")->required();
  cmd->add_option("--down", a->down, "cameras to treat as failed, comma-separated: ID,ID");
  cmd->add_flag("--json", a->json, "print one JSON object");
  cmd->add_option("--geojson", a->geojson,
                  "also write footprints, covered stretches and gaps as GeoJSON to this file");
  cmd->add_option("--ranking", a->ranking,
                  "rows of the single-failure ranking (0 none, -1 all)")
      ->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunCoverage(*a); });
}

}  // namespace watchline::cli
