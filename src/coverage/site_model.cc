#include "coverage/site_model.h"

#include <algorithm>
#include <cmath>

#include "coverage/intersector.h"

namespace watchline::coverage {

std::vector<Interval> ApplyLineOfSight(const geometry::Perimeter& perimeter,
                                       const geometry::Dem& dem,
                                       const geometry::CameraSpec& camera,
                                       const std::vector<Interval>& intervals,
                                       double target_height_m, double step_m) {
  auto visible = [&](double c) {
    return dem.LineOfSight(camera.position, camera.height_m, perimeter.PointAt(c),
                           target_height_m);
  };
  // The boundary between a visible and a hidden sample, by bisection.
  auto boundary = [&](double a, bool va, double b) {
    while (b - a > kLosBoundaryToleranceM) {
      const double m = (a + b) / 2;
      (visible(m) == va ? a : b) = m;
    }
    return (a + b) / 2;
  };
  std::vector<Interval> out;
  for (const Interval& iv : intervals) {
    const int n = std::max(1, static_cast<int>(std::ceil(iv.length_m() / step_m)));
    double prev = iv.from_m;
    bool prev_vis = visible(prev);
    double start = prev_vis ? prev : -1;
    for (int i = 1; i <= n; ++i) {
      const double c = iv.from_m + iv.length_m() * i / n;
      const bool vis = visible(c);
      if (vis != prev_vis) {
        const double b = boundary(prev, prev_vis, c);
        if (vis) {
          start = b;
        } else {
          out.push_back({start, b});
          start = -1;
        }
      }
      prev = c;
      prev_vis = vis;
    }
    if (prev_vis && start >= 0) out.push_back({start, iv.to_m});
  }
  return Normalise(std::move(out), perimeter.length_m());
}

Result<std::unique_ptr<SiteModel>> BuildSiteModel(const config::Config& cfg) {
  const std::string file = cfg.path.empty() ? "config" : cfg.path;
  if (!cfg.perimeter)
    return Status::InvalidArgument(file + ": no 'perimeter' block; coverage needs the line");
  auto m = std::make_unique<SiteModel>();
  WL_ASSIGN_OR_RETURN(geometry::InsideSide inside, geometry::ParseInsideSide(cfg.perimeter->inside));
  WL_ASSIGN_OR_RETURN(geometry::Perimeter per,
                      geometry::Perimeter::LoadGeoJson(cfg.perimeter->geojson, inside));
  m->perimeter = std::make_unique<geometry::Perimeter>(std::move(per));
  if (!cfg.perimeter->dem.empty()) {
    WL_ASSIGN_OR_RETURN(m->dem, geometry::Dem::Open(cfg.perimeter->dem, m->perimeter->frame()));
  }
  WL_ASSIGN_OR_RETURN(m->footprint_options.dori, geometry::ParseDoriLevel(cfg.coverage.dori));
  m->footprint_options.person_width_m = cfg.coverage.person_width_m;

  WL_ASSIGN_OR_RETURN(auto inter, FootprintIntersector::Create(*m->perimeter));
  for (const config::CameraConfig& cam : cfg.cameras) {
    if (!cam.position) {
      m->skipped.push_back(cam.id + ": no position");
      continue;
    }
    WL_ASSIGN_OR_RETURN(geometry::CameraSpec spec,
                        geometry::SpecFor(cam, m->perimeter->frame(), file));
    WL_ASSIGN_OR_RETURN(geometry::Footprint fp, geometry::BuildFootprint(spec, m->footprint_options));
    WL_ASSIGN_OR_RETURN(std::vector<Interval> iv, inter->Intersect(fp.polygon));
    if (m->dem)
      iv = ApplyLineOfSight(*m->perimeter, *m->dem, spec, iv, cfg.coverage.target_height_m,
                            cfg.coverage.los_step_m);
    m->intervals.push_back({cam.id, std::move(iv)});
    m->specs.push_back(std::move(spec));
    m->footprints.push_back(std::move(fp));
    m->enabled.push_back(cam.enabled);
  }
  return m;
}

}  // namespace watchline::coverage
