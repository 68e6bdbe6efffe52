#include "server/live_coverage_provider.h"

#include "coverage/geojson_export.h"

namespace watchline::server {

Result<std::shared_ptr<LiveCoverageProvider>> LiveCoverageProvider::Create(
    const config::Config& cfg, StatesFn states) {
  if (!cfg.perimeter) {
    return Status::InvalidArgument("the config has no perimeter: coverage needs perimeter.geojson");
  }
  auto model = coverage::BuildSiteModel(cfg);
  if (!model.ok()) return model.status();
  return std::shared_ptr<LiveCoverageProvider>(
      new LiveCoverageProvider(std::move(model).value(), std::move(states)));
}

LiveCoverageProvider::LiveCoverageProvider(std::unique_ptr<coverage::SiteModel> model,
                                           StatesFn states)
    : model_(std::move(model)), states_(std::move(states)) {
  // Until health says otherwise, no camera counts: coverage is never overstated.
  live_ = std::make_unique<coverage::LiveCoverage>(
      model_->perimeter->length_m(), model_->intervals,
      std::vector<bool>(model_->intervals.size(), false));
}

void LiveCoverageProvider::SyncLocked() {
  if (!states_) return;
  for (const auto& [id, ok] : states_()) {
    const int idx = live_->CameraIndex(id);
    if (idx < 0) continue;  // a camera without a position has no footprint
    if (live_->IsUp(static_cast<size_t>(idx)) != ok) live_->SetCameraUp(static_cast<size_t>(idx), ok);
  }
}

nlohmann::json LiveCoverageProvider::Summary() {
  std::lock_guard<std::mutex> lock(mu_);
  SyncLocked();
  auto ranking = coverage::RankSingleFailures(*live_);
  if (ranking.size() > 10) ranking.resize(10);
  nlohmann::json j = coverage::ReportJson(*model_, live_->Report(), ranking);
  j["available"] = true;
  return j;
}

nlohmann::json LiveCoverageProvider::GeoJson() {
  std::lock_guard<std::mutex> lock(mu_);
  SyncLocked();
  return coverage::CoverageGeoJson(*model_, live_->Report());
}

}  // namespace watchline::server
