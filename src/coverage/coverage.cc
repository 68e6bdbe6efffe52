#include "coverage/coverage.h"

#include <algorithm>
#include <cstdint>

namespace watchline::coverage {

std::vector<Interval> Normalise(std::vector<Interval> v, double length_m) {
  for (Interval& i : v) {
    i.from_m = std::clamp(i.from_m, 0.0, length_m);
    i.to_m = std::clamp(i.to_m, 0.0, length_m);
    if (i.to_m < i.from_m) std::swap(i.from_m, i.to_m);
  }
  std::sort(v.begin(), v.end(),
            [](const Interval& a, const Interval& b) { return a.from_m < b.from_m; });
  std::vector<Interval> out;
  for (const Interval& i : v) {
    if (i.to_m - i.from_m <= 0) continue;
    if (!out.empty() && i.from_m <= out.back().to_m + kMinStretchM) {
      out.back().to_m = std::max(out.back().to_m, i.to_m);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

CoverageReport ComputeCoverage(double length_m, const std::vector<CameraIntervals>& cameras,
                               const std::vector<bool>& up) {
  struct Event {
    double at;
    int delta;
    uint32_t camera;
  };
  std::vector<Event> events;
  CoverageReport r;
  r.length_m = length_m;
  for (size_t c = 0; c < cameras.size(); ++c) {
    CameraCoverage cc;
    cc.camera = cameras[c].camera;
    cc.up = up.empty() || up[c];
    for (const Interval& i : Normalise(cameras[c].intervals, length_m)) {
      cc.covered_m += i.length_m();
      if (!cc.up) continue;
      events.push_back({i.from_m, +1, static_cast<uint32_t>(c)});
      events.push_back({i.to_m, -1, static_cast<uint32_t>(c)});
    }
    r.per_camera.push_back(cc);
  }
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.at < b.at; });
  // Walk the elementary stretches between events, keeping the count and the
  // sum of (camera + 1): when the count is 1, the sum names the camera.
  int count = 0;
  int64_t idsum = 0;
  double pos = 0;
  size_t e = 0;
  auto emit = [&](double a, double b) {
    if (b <= a) return;
    const double len = b - a;
    if (count >= 1) r.covered_m += len;
    if (count >= 2) r.k2_m += len;
    if (!r.runs.empty() && r.runs.back().k == count && r.runs.back().to_m >= a - kMinStretchM) {
      r.runs.back().to_m = b;
    } else {
      r.runs.push_back({a, b, count});
    }
    if (count == 0) {
      if (!r.gaps.empty() && r.gaps.back().to_m >= a - kMinStretchM) r.gaps.back().to_m = b;
      else r.gaps.push_back({a, b});
    } else if (count == 1) {
      const size_t cam = static_cast<size_t>(idsum - 1);
      r.per_camera[cam].sole_m += len;
      if (!r.single_camera.empty() && r.single_camera.back().to_m >= a - kMinStretchM &&
          r.single_camera.back().camera == cameras[cam].camera) {
        r.single_camera.back().to_m = b;
      } else {
        r.single_camera.push_back({a, b, cameras[cam].camera});
      }
    }
  };
  while (pos < length_m || e < events.size()) {
    const double next = e < events.size() ? std::min(events[e].at, length_m) : length_m;
    emit(pos, next);
    pos = std::max(pos, next);
    if (e >= events.size()) break;
    while (e < events.size() && events[e].at <= pos) {
      count += events[e].delta;
      idsum += events[e].delta * static_cast<int64_t>(events[e].camera + 1);
      ++e;
    }
  }
  // Seams: drop gaps and sole stretches too short to be real.
  std::erase_if(r.gaps, [](const Interval& g) { return g.length_m() < kMinStretchM; });
  std::erase_if(r.single_camera, [](const SoleStretch& s) { return s.length_m() < kMinStretchM; });
  return r;
}

}  // namespace watchline::coverage
