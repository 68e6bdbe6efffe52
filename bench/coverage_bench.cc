// Coverage benchmark (not a test): a generated, winding, river-like perimeter
// of 1,400 km with 7,000 cameras on both banks, and the planner on a 100 km
// line. Prints what it measures and ratios against baselines measured in the
// same run:
//   - full coverage (load GeoJSON -> footprints -> GEOS intersection through
//     the STRtree -> sweep), against the same intersections without the index;
//   - a live update after one camera changes state, against recomputing the
//     whole sweep;
//   - peak RSS (getrusage);
//   - the planner, k = 1 and k = 2: cameras, LP lower bound, gap, time.
// Single thread throughout. Deterministic (fixed seeds).
//
//   coverage_bench [--km 1400] [--cameras 7000] [--plan-km 100] [--toggles 20000]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "config/config.h"
#include "coverage/coverage.h"
#include "coverage/intersector.h"
#include "coverage/live_coverage.h"
#include "coverage/planner.h"
#include "coverage/site_model.h"
#include "geometry/camera_model.h"
#include "geometry/local_frame.h"

namespace wl = watchline;
using wl::geometry::LatLon;
using wl::geometry::Vec2;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kVertexSpacingM = 50;       // river centre line sampled every 50 m
constexpr LatLon kOrigin{47.0, 20.0};          // where the river starts

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

long PeakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// A meandering river: the heading drifts by the sum of a few slow sines and a
// smoothed random walk, so bends of a few hundred metres to tens of km.
// Generated in the frame until its true (geodesic) length reaches length_m.
std::vector<Vec2> River(double length_m, uint32_t seed, const wl::geometry::LocalFrame& frame) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> step(0, 0.02);
  std::vector<Vec2> pts;
  pts.reserve(static_cast<size_t>(length_m / kVertexSpacingM) + 100);
  Vec2 p{0, 0};
  double walk = 0, true_length = 0;
  LatLon prev = frame.ToLatLon(p);
  for (size_t i = 0; true_length < length_m; ++i) {
    const double s = i * kVertexSpacingM;
    walk = 0.995 * walk + step(rng);
    const double heading = 100 + 35 * std::sin(s / 41000.0) + 25 * std::sin(s / 6300.0 + 1.3) +
                           12 * std::sin(s / 1700.0 + 0.4) + 20 * walk;  // degrees
    pts.push_back(p);
    const LatLon ll = frame.ToLatLon(p);
    if (i > 0) true_length += wl::geometry::LocalFrame::GeodesicDistance(prev, ll);
    prev = ll;
    p = p + wl::geometry::BearingVector(heading) * kVertexSpacingM;
  }
  return pts;
}

std::string ToGeoJson(const std::vector<Vec2>& pts, const wl::geometry::LocalFrame& frame) {
  std::string s = R"({"type":"LineString","coordinates":[)";
  s.reserve(pts.size() * 40);
  char buf[64];
  for (size_t i = 0; i < pts.size(); ++i) {
    const LatLon ll = frame.ToLatLon(pts[i]);
    std::snprintf(buf, sizeof buf, "%s[%.8f,%.8f]", i ? "," : "", ll.lon, ll.lat);
    s += buf;
  }
  return s + "]}";
}

// Cameras on both banks: mostly every ~200 m, in a mix of DORI cameras and
// fixed-range ones, with varied headings, and some stretches left without.
std::vector<wl::config::CameraConfig> Cameras(const std::vector<Vec2>& river, size_t count,
                                              const wl::geometry::LocalFrame& frame,
                                              uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  const double length = (river.size() - 1) * kVertexSpacingM;
  // Gaps: 40 stretches of 0.5-4 km with no camera.
  std::vector<std::pair<double, double>> holes;
  for (int g = 0; g < 40; ++g) {
    const double at = u(rng) * length;
    holes.push_back({at, at + 500 + 3500 * u(rng)});
  }
  std::vector<wl::config::CameraConfig> cams;
  const double spacing = length / count;
  for (size_t i = 0; cams.size() < count; ++i) {
    double c = (i + 0.5) * spacing * 0.96 + spacing * 0.3 * (u(rng) - 0.5);
    if (c >= length) c = u(rng) * length;  // wrap the extras caused by the holes
    bool in_hole = false;
    for (auto [a, b] : holes) in_hole |= c >= a && c <= b;
    if (in_hole) continue;
    const size_t k = std::min(static_cast<size_t>(c / kVertexSpacingM), river.size() - 2);
    const Vec2 t = (river[k + 1] - river[k]) * (1 / kVertexSpacingM);
    const Vec2 left{-t.y, t.x};
    const double side = (cams.size() % 2) ? 1 : -1;
    const double offset = 3 + 12 * u(rng);
    const Vec2 pos = river[k] + t * (c - k * kVertexSpacingM) + left * (side * offset);
    // Look along the bank, forward or back, turned toward the water so the
    // line crosses the middle of the view (about 100 m out), +- 5 degrees.
    const double dir = u(rng) < 0.5 ? 1 : -1;
    const double turn = std::atan2(offset, 100.0) + (u(rng) - 0.5) * 10 * kPi / 180;
    const Vec2 look = t * (dir * std::cos(turn)) + left * (-side * std::sin(turn));
    wl::config::CameraConfig cc;
    cc.id = "c" + std::to_string(cams.size() + 1);
    cc.source = "sim://" + cc.id;
    wl::config::PositionConfig p;
    const LatLon ll = frame.ToLatLon(pos);
    p.lat = ll.lat;
    p.lon = ll.lon;
    p.heading_deg = wl::geometry::BearingOf(look);
    const double pick = u(rng);
    if (pick < 0.45) {
      p.model = "bullet-4k-30";
      p.height_m = 10;
      p.tilt_deg = 3;
    } else if (pick < 0.6) {
      p.model = "bullet-4k-15";
      p.height_m = 12;
      p.tilt_deg = 2;
    } else {
      p.hfov_deg = 30 + 40 * u(rng);
      p.hfov_given = true;
      p.range_m = 150 + 150 * u(rng);
    }
    cc.position = p;
    cams.push_back(std::move(cc));
  }
  return cams;
}

struct Args {
  double km = 1400;
  size_t cameras = 7000;
  double plan_km = 100;
  int toggles = 20000;
  size_t chunk = wl::coverage::kChunkSegments;
};

int CoverageBench(const Args& a) {
  std::printf("== coverage: %.0f km winding perimeter, %zu cameras, one thread\n", a.km, a.cameras);
  auto frame = std::move(wl::geometry::LocalFrame::Create(kOrigin)).value();
  const auto river = River(a.km * 1000, 1, *frame);
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("wl_coverage_bench_" + std::to_string(getpid())))
                              .string();
  std::filesystem::create_directories(dir);
  const std::string gj = dir + "/river.geojson";
  std::ofstream(gj) << ToGeoJson(river, *frame);
  wl::config::Config cfg;
  cfg.path = dir + "/site.yaml";
  cfg.perimeter = wl::config::PerimeterConfig{gj, "left", ""};
  cfg.cameras = Cameras(river, a.cameras, *frame, 2);
  std::printf("perimeter: %zu vertices, GeoJSON %.1f MB\n", river.size(),
              std::filesystem::file_size(gj) / 1e6);
  const long rss0 = PeakRssKb();

  // The production path, timed whole: file -> perimeter -> footprints ->
  // intersections (STRtree) -> sweep.
  constexpr int kRuns = 3;
  double best_full = 1e18, best_sweep = 1e18;
  std::unique_ptr<wl::coverage::SiteModel> model;
  wl::coverage::CoverageReport report;
  for (int run = 0; run < kRuns; ++run) {
    const auto t0 = Clock::now();
    auto m = wl::coverage::BuildSiteModel(cfg);
    if (!m.ok()) {
      std::fprintf(stderr, "coverage_bench: %s\n", m.status().ToString().c_str());
      return 1;
    }
    const auto t1 = Clock::now();
    report = wl::coverage::ComputeCoverage((*m)->perimeter->length_m(), (*m)->intervals);
    const auto t2 = Clock::now();
    best_full = std::min(best_full, Ms(t0, t2));
    best_sweep = std::min(best_sweep, Ms(t1, t2));
    model = std::move(m).value();
  }
  const long rss_model = PeakRssKb();
  // Stages, measured apart on the built model.
  auto t0 = Clock::now();
  auto per = wl::geometry::Perimeter::LoadGeoJson(gj, wl::geometry::InsideSide::kLeft);
  auto t1 = Clock::now();
  const double load_ms = Ms(t0, t1);
  std::vector<wl::geometry::Footprint> fps;
  t0 = Clock::now();
  for (const auto& cam : cfg.cameras) {
    auto spec = wl::geometry::SpecFor(cam, per->frame(), cfg.path);
    fps.push_back(*wl::geometry::BuildFootprint(*spec, {}));
  }
  t1 = Clock::now();
  const double fp_ms = Ms(t0, t1);
  size_t vertices = 0;
  for (const auto& f : fps) vertices += f.polygon.size();
  auto inter = std::move(wl::coverage::FootprintIntersector::Create(*per, a.chunk)).value();
  t0 = Clock::now();
  size_t pieces = 0;
  for (const auto& f : fps) pieces += inter->Intersect(f.polygon)->size();
  t1 = Clock::now();
  const double index_ms = Ms(t0, t1);
  t0 = Clock::now();
  size_t pieces_naive = 0;
  for (const auto& f : fps) pieces_naive += inter->IntersectWithoutIndex(f.polygon)->size();
  t1 = Clock::now();
  const double naive_ms = Ms(t0, t1);

  // Naive baseline: each footprint against the whole line as one geometry
  // (what GEOSIntersection(footprint, perimeter) does), on a sample.
  auto whole = std::move(wl::coverage::FootprintIntersector::Create(*per, SIZE_MAX)).value();
  constexpr size_t kSampleEvery = 35;
  size_t sampled = 0, pieces_whole = 0, pieces_sample = 0;
  double whole_ms = 0, sample_ms = 0;
  for (size_t i = 0; i < fps.size(); i += kSampleEvery) {
    auto s0 = Clock::now();
    pieces_whole += whole->Intersect(fps[i].polygon)->size();
    auto s1 = Clock::now();
    pieces_sample += inter->Intersect(fps[i].polygon)->size();
    auto s2 = Clock::now();
    whole_ms += Ms(s0, s1);
    sample_ms += Ms(s1, s2);
    ++sampled;
  }
  std::printf("perimeter length %.1f km, %zu chunks; footprints: %zu, %.1f vertices each\n",
              report.length_m / 1000, inter->chunk_count(), fps.size(),
              static_cast<double>(vertices) / fps.size());
  {
    double sum[3] = {0, 0, 0};
    int n[3] = {0, 0, 0};
    for (size_t i = 0; i < model->intervals.size(); ++i) {
      const auto& p = *cfg.cameras[i].position;
      const int kind = p.range_m ? 2 : p.model == "bullet-4k-15" ? 1 : 0;
      for (const auto& iv : model->intervals[i].intervals) sum[kind] += iv.length_m();
      ++n[kind];
    }
    std::printf("cameras: %d bullet-4k-30 (DORI) watching %.0f m each, %d bullet-4k-15 (DORI) "
                "%.0f m, %d fixed-range sectors %.0f m\n",
                n[0], sum[0] / std::max(1, n[0]), n[1], sum[1] / std::max(1, n[1]), n[2],
                sum[2] / std::max(1, n[2]));
  }
  std::printf("covered %.1f %%, 2-fold %.1f %%, %zu gaps, %zu single-camera stretches\n",
              100 * report.covered_fraction(), 100 * report.k2_fraction(), report.gaps.size(),
              report.single_camera.size());
  std::printf("full coverage (load -> footprints -> intersection -> sweep): %.1f ms (best of %d)\n",
              best_full, kRuns);
  std::printf("  stages: load %.1f ms, footprints %.1f ms, intersection %.1f ms, sweep %.2f ms\n",
              load_ms, fp_ms, index_ms, best_sweep);
  std::printf("  baseline, each footprint against the whole line (%zu sampled): %.0f us each vs "
              "%.0f us -> chunks + STRtree x%.0f faster; all %zu would take %.1f s (%zu = %zu pieces)\n",
              sampled, 1000 * whole_ms / sampled, 1000 * sample_ms / sampled, whole_ms / sample_ms,
              fps.size(), whole_ms / sampled * fps.size() / 1000, pieces_whole, pieces_sample);
  std::printf("  chunks scanned linearly instead of the STRtree: %.1f ms (x%.2f; %zu = %zu pieces)\n",
              naive_ms, naive_ms / index_ms, pieces, pieces_naive);

  // Live updates.
  wl::coverage::LiveCoverage live(model->perimeter->length_m(), model->intervals);
  std::mt19937 rng(9);
  std::uniform_int_distribution<size_t> pick(0, live.camera_count() - 1);
  std::vector<bool> up(live.camera_count(), true);
  // Wall time per toggle; its maximum includes the OS preempting this thread
  // on a shared machine, so the per-camera worst below takes the best of 3.
  double total_us = 0, max_us = 0;
  std::vector<double> walls;
  walls.reserve(a.toggles);
  for (int i = 0; i < a.toggles; ++i) {
    const size_t c = pick(rng);
    up[c] = !up[c];
    const auto s = Clock::now();
    live.SetCameraUp(c, up[c]);
    const double us = Ms(s, Clock::now()) * 1000;
    total_us += us;
    max_us = std::max(max_us, us);
    walls.push_back(us);
  }
  std::sort(walls.begin(), walls.end());
  const double p999 = walls[static_cast<size_t>(0.999 * (walls.size() - 1))];
  // Every camera down and up again: the largest footprint's cost.
  double worst_cam_us = 0;
  size_t worst_cam = 0;
  for (size_t c = 0; c < live.camera_count(); ++c) {
    const bool was = live.IsUp(c);
    double best = 1e18;
    for (int rep = 0; rep < 3; ++rep) {
      const auto s = Clock::now();
      live.SetCameraUp(c, !was);
      live.SetCameraUp(c, was);
      best = std::min(best, Ms(s, Clock::now()) * 1000 / 2);
    }
    if (best > worst_cam_us) {
      worst_cam_us = best;
      worst_cam = c;
    }
  }
  // The same toggles answered with gaps around the camera (what an alarm needs).
  double gaps_total_us = 0, gaps_max_us = 0;
  for (int i = 0; i < 2000; ++i) {
    const size_t c = pick(rng);
    up[c] = !up[c];
    const auto s = Clock::now();
    live.SetCameraUp(c, up[c]);
    auto g = live.GapsAround(c);
    const double us = Ms(s, Clock::now()) * 1000;
    gaps_total_us += us;
    gaps_max_us = std::max(gaps_max_us, us);
  }
  // Baseline: the full sweep after a change.
  constexpr int kFullRuns = 20;
  const auto f0 = Clock::now();
  double check = 0;
  for (int i = 0; i < kFullRuns; ++i)
    check += wl::coverage::ComputeCoverage(live.length_m(), model->intervals, up).covered_m;
  const double full_us = Ms(f0, Clock::now()) * 1000 / kFullRuns;
  const auto fresh = wl::coverage::ComputeCoverage(live.length_m(), model->intervals, up);
  const auto rep0 = Clock::now();
  const auto live_rep = live.Report();
  const double report_us = Ms(rep0, Clock::now()) * 1000;
  std::printf("live update (one camera changes state), %d random toggles: mean %.2f us, "
              "99.9th percentile %.2f us, max %.1f us\n",
              a.toggles, total_us / a.toggles, p999, max_us);
  std::printf("  every camera toggled (best of 3 each): worst %.2f us (%s)\n", worst_cam_us,
              live.camera_id(worst_cam).c_str());
  std::printf("  with the gaps around it: mean %.2f us, max %.1f us\n", gaps_total_us / 2000,
              gaps_max_us);
  std::printf("  baseline, full sweep recomputed: %.0f us -> incremental x%.0f faster\n", full_us,
              full_us / (total_us / a.toggles));
  std::printf("  full report from the live state: %.0f us; live covered %.3f m vs sweep %.3f m\n",
              report_us, live_rep.covered_m, fresh.covered_m);
  std::printf("  ranking of every single failure: ");
  const auto r0 = Clock::now();
  const auto rank = wl::coverage::RankSingleFailures(live);
  std::printf("%.1f ms (worst: %s opens %.0f m)\n", Ms(r0, Clock::now()),
              rank.empty() ? "-" : rank[0].camera.c_str(),
              rank.empty() ? 0 : rank[0].largest_gap.length_m());
  std::printf("peak RSS: %.1f MB before, %.1f MB after building the model (%.1f MB at the end)\n",
              rss0 / 1024.0, rss_model / 1024.0, PeakRssKb() / 1024.0);
  std::filesystem::remove_all(dir);
  (void)check;
  return 0;
}

int PlanBench(const Args& a) {
  std::printf("\n== planner: %.0f km winding line, candidates every 50 m on both sides\n",
              a.plan_km);
  auto frame = std::move(wl::geometry::LocalFrame::Create(kOrigin)).value();
  const auto river = River(a.plan_km * 1000, 3, *frame);
  std::vector<LatLon> ll;
  for (const Vec2& p : river) ll.push_back(frame->ToLatLon(p));
  auto per = wl::geometry::Perimeter::FromLatLon({ll}, wl::geometry::InsideSide::kLeft);
  if (!per.ok()) return 1;
  for (const char* model : {"bullet-1080p-60", "bullet-4k-30"}) {
  wl::coverage::PlanOptions opt;
  opt.model = *wl::geometry::FindCameraModel(model);
  opt.time_limit_s = 120;
  std::printf("camera model %s (%dx%d, hfov %.0f, %.0f m mast, tilt %.0f), DORI detect\n",
              std::string(opt.model.name).c_str(), opt.model.optics.width_px,
              opt.model.optics.height_px, opt.model.optics.hfov_deg, opt.model.height_m,
              opt.model.tilt_deg);
  struct Case {
    int k;
    wl::coverage::CoverMethod method;
    const char* name;
  };
  for (const Case& c : {Case{1, wl::coverage::CoverMethod::kAuto, "k=1 auto"},
                        Case{1, wl::coverage::CoverMethod::kIlp, "k=1 ILP"},
                        Case{2, wl::coverage::CoverMethod::kAuto, "k=2 auto"}}) {
    opt.k = c.k;
    opt.method = c.method;
    auto r = wl::coverage::Plan(*per, opt);
    if (!r.ok()) {
      std::printf("%-9s failed: %s\n", c.name, r.status().ToString().c_str());
      continue;
    }
    double unreachable = 0;
    for (const auto& u : r->unreachable) unreachable += u.length_m();
    std::printf("%-9s %s: %zu cameras of %zu candidates, lower bound %.0f, gap %.2f %%%s, "
                "rows %d, %.2f s; covered %.2f %%, 2-fold %.2f %%, unreachable %.1f m\n",
                c.name, r->solution.method.c_str(), r->chosen.size(), r->candidate_count,
                r->solution.lower_bound, 100 * r->gap, r->solution.optimal ? " (optimal)" : "",
                r->solution.rows, r->seconds, 100 * r->coverage.covered_fraction(),
                100 * r->coverage.k2_fraction(), unreachable);
  }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--km")) a.km = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--cameras")) a.cameras = std::strtoul(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--plan-km")) a.plan_km = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--toggles")) a.toggles = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--chunk")) a.chunk = std::strtoul(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: coverage_bench [--km N] [--cameras N] [--plan-km N] [--toggles N]\n");
      return 2;
    }
  }
  if (int rc = CoverageBench(a)) return rc;
  return a.plan_km > 0 ? PlanBench(a) : 0;
}
