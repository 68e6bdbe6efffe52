// LiveCoverageProvider: the coverage module's live answer for the server.
// Built once from the site config (perimeter, camera footprints); before each
// answer it reads the cameras' health from a callback and updates the live
// k-coverage incrementally (coverage::LiveCoverage), so only cameras that are
// `ok` count and a state change costs microseconds, not a recomputation.
//
// Thread safety: Summary() and GeoJson() may be called from any thread; an
// internal mutex serialises them.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "coverage/live_coverage.h"
#include "coverage/site_model.h"
#include "server/coverage_provider.h"

namespace watchline::server {

class LiveCoverageProvider : public CoverageProvider {
 public:
  // (camera id, is it ok) for every camera; called before each answer.
  using StatesFn = std::function<std::vector<std::pair<std::string, bool>>()>;

  // InvalidArgument when the config has no perimeter; the errors of
  // coverage::BuildSiteModel otherwise.
  static Result<std::shared_ptr<LiveCoverageProvider>> Create(const config::Config& cfg,
                                                              StatesFn states);

  nlohmann::json Summary() override;
  nlohmann::json GeoJson() override;

 private:
  LiveCoverageProvider(std::unique_ptr<coverage::SiteModel> model, StatesFn states);
  // REQUIRES: mu_ held.
  void SyncLocked();

  std::mutex mu_;
  std::unique_ptr<coverage::SiteModel> model_;
  std::unique_ptr<coverage::LiveCoverage> live_;  // GUARDED_BY(mu_)
  StatesFn states_;
};

}  // namespace watchline::server
