#include "coverage/live_coverage.h"

#include <algorithm>

namespace watchline::coverage {

LiveCoverage::LiveCoverage(double length_m, std::vector<CameraIntervals> cameras,
                           std::vector<bool> up)
    : length_m_(length_m), cameras_(std::move(cameras)), up_(std::move(up)) {
  up_.resize(cameras_.size(), true);
  breaks_ = {0, length_m_};
  for (size_t c = 0; c < cameras_.size(); ++c) {
    cameras_[c].intervals = Normalise(std::move(cameras_[c].intervals), length_m_);
    index_[cameras_[c].camera] = c;
    for (const Interval& i : cameras_[c].intervals) {
      breaks_.push_back(i.from_m);
      breaks_.push_back(i.to_m);
    }
  }
  std::sort(breaks_.begin(), breaks_.end());
  breaks_.erase(std::unique(breaks_.begin(), breaks_.end()), breaks_.end());
  const size_t n = breaks_.size() - 1;
  count_.assign(n, 0);
  idsum_.assign(n, 0);
  ranges_.resize(cameras_.size());
  for (size_t c = 0; c < cameras_.size(); ++c) {
    for (const Interval& i : cameras_[c].intervals) {
      const auto a = std::lower_bound(breaks_.begin(), breaks_.end(), i.from_m) - breaks_.begin();
      const auto b = std::lower_bound(breaks_.begin(), breaks_.end(), i.to_m) - breaks_.begin();
      if (b > a) ranges_[c].push_back({static_cast<uint32_t>(a), static_cast<uint32_t>(b)});
    }
    if (up_[c]) {
      up_[c] = false;
      SetCameraUp(c, true);
    }
  }
}

int LiveCoverage::CameraIndex(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? -1 : static_cast<int>(it->second);
}

LiveCoverage::Delta LiveCoverage::SetCameraUp(size_t camera, bool up) {
  Delta d;
  if (up_[camera] == up) return d;
  up_[camera] = up;
  const int32_t step = up ? 1 : -1;
  const int64_t id = static_cast<int64_t>(camera) + 1;
  for (auto [first, last] : ranges_[camera]) {
    for (uint32_t s = first; s < last; ++s) {
      const double len = breaks_[s + 1] - breaks_[s];
      const int32_t before = count_[s];
      const int32_t after = before + step;
      count_[s] = after;
      idsum_[s] += step * id;
      if ((before >= 1) != (after >= 1)) d.covered_change_m += up ? len : -len;
      if ((before >= 2) != (after >= 2)) d.k2_change_m += up ? len : -len;
    }
  }
  covered_m_ += d.covered_change_m;
  k2_m_ += d.k2_change_m;
  return d;
}

Result<LiveCoverage::Delta> LiveCoverage::SetCameraUp(const std::string& id, bool up) {
  const int i = CameraIndex(id);
  if (i < 0) return Status::NotFound("coverage: no camera '" + id + "'");
  return SetCameraUp(static_cast<size_t>(i), up);
}

std::vector<Interval> LiveCoverage::GapsAround(size_t camera) const {
  std::vector<Interval> gaps;
  const size_t n = count_.size();
  for (auto [first, last] : ranges_[camera]) {
    // Start at the first zero stretch under the footprint, or next to it.
    size_t s = first > 0 ? first - 1 : first;
    const size_t end = std::min<size_t>(last + 1, n);
    while (s < end) {
      if (count_[s] != 0) {
        ++s;
        continue;
      }
      size_t a = s, b = s;
      while (a > 0 && count_[a - 1] == 0) --a;
      while (b + 1 < n && count_[b + 1] == 0) ++b;
      const Interval g{breaks_[a], breaks_[b + 1]};
      if (g.length_m() >= kMinStretchM &&
          (gaps.empty() || gaps.back().from_m != g.from_m))
        gaps.push_back(g);
      s = b + 1;
    }
  }
  std::sort(gaps.begin(), gaps.end(),
            [](const Interval& x, const Interval& y) { return x.from_m < y.from_m; });
  gaps.erase(std::unique(gaps.begin(), gaps.end(),
                         [](const Interval& x, const Interval& y) { return x.from_m == y.from_m; }),
             gaps.end());
  return gaps;
}

CoverageReport LiveCoverage::Report() const {
  CoverageReport r;
  r.length_m = length_m_;
  // Totals from the stretches themselves, so a long run of updates cannot
  // drift the report (the running totals are for cheap reads between reports).
  for (size_t c = 0; c < cameras_.size(); ++c) {
    CameraCoverage cc;
    cc.camera = cameras_[c].camera;
    cc.up = up_[c];
    for (const Interval& i : cameras_[c].intervals) cc.covered_m += i.length_m();
    r.per_camera.push_back(std::move(cc));
  }
  for (size_t s = 0; s < count_.size(); ++s) {
    const double a = breaks_[s], b = breaks_[s + 1];
    const int k = count_[s];
    if (k >= 1) r.covered_m += b - a;
    if (k >= 2) r.k2_m += b - a;
    if (!r.runs.empty() && r.runs.back().k == k) r.runs.back().to_m = b;
    else r.runs.push_back({a, b, k});
    if (k == 0) {
      if (!r.gaps.empty() && r.gaps.back().to_m == a) r.gaps.back().to_m = b;
      else r.gaps.push_back({a, b});
    } else if (k == 1) {
      const size_t cam = static_cast<size_t>(idsum_[s] - 1);
      r.per_camera[cam].sole_m += b - a;
      if (!r.single_camera.empty() && r.single_camera.back().to_m == a &&
          r.single_camera.back().camera == cameras_[cam].camera)
        r.single_camera.back().to_m = b;
      else
        r.single_camera.push_back({a, b, cameras_[cam].camera});
    }
  }
  std::erase_if(r.gaps, [](const Interval& g) { return g.length_m() < kMinStretchM; });
  std::erase_if(r.single_camera, [](const SoleStretch& s) { return s.length_m() < kMinStretchM; });
  return r;
}

std::vector<FailureImpact> RankSingleFailures(LiveCoverage& live) {
  std::vector<FailureImpact> out;
  for (size_t c = 0; c < live.camera_count(); ++c) {
    if (!live.IsUp(c)) continue;
    FailureImpact f;
    f.camera = live.camera_id(c);
    const LiveCoverage::Delta d = live.SetCameraUp(c, false);
    f.lost_m = std::max(0.0, -d.covered_change_m);
    for (const Interval& g : live.GapsAround(c))
      if (g.length_m() > f.largest_gap.length_m()) f.largest_gap = g;
    live.SetCameraUp(c, true);
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), [](const FailureImpact& a, const FailureImpact& b) {
    if (a.largest_gap.length_m() != b.largest_gap.length_m())
      return a.largest_gap.length_m() > b.largest_gap.length_m();
    return a.lost_m > b.lost_m;
  });
  return out;
}

}  // namespace watchline::coverage
