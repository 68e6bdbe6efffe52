// health_trace: tuning and measuring aid for the health checks.
//   health_trace CLIP [fps] [analysis_fps]   every frame's picture verdict and measurements
//   health_trace --bench CLIP [repeat]       decode cost with and without keyframes_only
//                                            (FFmpeg skip_frame), and the health cost per frame
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "base/clock.h"
#include "health/health_monitor.h"
#include "ingest/ffmpeg_source.h"

using namespace watchline;

namespace {

double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct Pass {
  double cpu_s = 1e9;
  int64_t frames = 0;
  double media_s = 0;
  std::vector<ingest::FramePtr> kept;
};

// Decodes the whole clip (every frame, no decimation); best of `repeat` runs.
Pass Decode(const std::string& clip, bool keyframes_only, int repeat, bool keep) {
  Pass best;
  for (int r = 0; r < repeat; ++r) {
    config::CameraConfig cam;
    cam.id = "bench";
    cam.source = clip;
    cam.analysis = {640, 0};
    cam.ingest.keyframes_only = keyframes_only;
    ingest::FfmpegSource src(cam, Clock::Real(), false);
    if (!src.Open().ok()) return best;
    Pass p;
    const double c0 = CpuSeconds();
    while (true) {
      auto f = src.Next();
      if (!f.ok() || !*f) break;
      ++p.frames;
      p.media_s = (*f)->t;
      if (keep && r == 0 && p.kept.size() < 2000) p.kept.push_back(*f);
    }
    p.cpu_s = CpuSeconds() - c0;
    if (p.cpu_s < best.cpu_s) {
      if (!keep || r > 0) p.kept = std::move(best.kept);
      best = std::move(p);
    }
  }
  return best;
}

int Bench(const std::string& clip, int repeat) {
  Pass full = Decode(clip, false, repeat, true);
  Pass key = Decode(clip, true, repeat, false);
  if (full.frames == 0) {
    std::fprintf(stderr, "cannot decode %s\n", clip.c_str());
    return 1;
  }
  // Health on the decoded frames, as the analysis thread would run it; each
  // frame's cost is the best of `repeat` passes (a fresh monitor each), so
  // other load on the machine does not inflate it.
  std::vector<double> us(full.kept.size(), 1e18);
  for (int r = 0; r < std::max(repeat, 1); ++r) {
    config::CameraConfig cam;
    health::HealthMonitor mon(cam, 0);
    for (size_t k = 0; k < full.kept.size(); ++k) {
      const auto& f = full.kept[k];
      const auto t0 = std::chrono::steady_clock::now();
      mon.OnImage(f->t, f->gray);
      us[k] = std::min(us[k], std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  const std::vector<double> frame_us = us;
  std::sort(us.begin(), us.end());
  const double median = us.empty() ? 0 : us[us.size() / 2];
  const double mean = us.empty() ? 0 : [&] { double s = 0; for (double u : us) s += u; return s / us.size(); }();
  const double p90 = us.empty() ? 0 : us[us.size() * 9 / 10];
  const double worst = us.empty() ? 0 : us.back();
  const size_t worst_at = us.empty() ? 0 : std::max_element(frame_us.begin(), frame_us.end()) - frame_us.begin();
  const int w = full.kept.empty() ? 0 : full.kept[0]->gray.cols, h = full.kept.empty() ? 0 : full.kept[0]->gray.rows;
  std::printf("clip: %s (%.1f s of video)\n", clip.c_str(), full.media_s);
  std::printf("decode, every frame:    %6lld frames, %.3f CPU-s, %.3f ms/frame\n",
              static_cast<long long>(full.frames), full.cpu_s, 1000 * full.cpu_s / full.frames);
  std::printf("decode, keyframes only: %6lld frames, %.3f CPU-s  -> %.1f%% of the full decode cost (%.1fx cheaper)\n",
              static_cast<long long>(key.frames), key.cpu_s, 100 * key.cpu_s / full.cpu_s,
              key.cpu_s > 0 ? full.cpu_s / key.cpu_s : 0.0);
  std::printf("health checks at %dx%d (best of %d passes per frame): median %.1f us, mean %.1f us, p90 %.1f us, "
              "worst %.1f us (frame %zu) per frame (%zu frames) = %.1f%% of decoding a frame\n",
              w, h, std::max(repeat, 1), median, mean, p90, worst, worst_at + 1, us.size(),
              100 * mean / 1000 / (1000 * full.cpu_s / full.frames));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "--bench") == 0) return Bench(argv[2], argc > 3 ? std::atoi(argv[3]) : 3);
  if (argc < 2) {
    std::fprintf(stderr, "usage: health_trace CLIP [fps] [analysis_fps] | --bench CLIP [repeat]\n");
    return 2;
  }
  config::CameraConfig cam;
  cam.id = "probe";
  cam.source = argv[1];
  if (argc > 2) cam.fps = std::atof(argv[2]);
  cam.analysis.fps = argc > 3 ? std::atof(argv[3]) : 0;
  ingest::FfmpegSource src(cam, Clock::Real(), false);
  if (!src.Open().ok()) return 1;
  health::HealthMonitor mon(cam, 0);
  while (true) {
    auto r = src.Next();
    if (!r.ok() || !*r) break;
    const auto& f = **r;
    auto tr = mon.OnImage(f.t, f.gray);
    auto v = mon.last_verdict();
    std::printf("%5lld t=%6.2f %-9s ref=%d mean=%5.1f spr=%5.1f sat=%.2f diff=%6.2f sharp=%.2f cov=%.2f match=%.2f gain=%.2f coarse=%.2f unstable=%d shift=%.3f(%.2f) %s%s\n",
                (long long)f.index, f.t, std::string(health::PictureName(v.picture)).c_str(), v.reference, v.mean,
                v.spread, v.saturated, v.frame_diff, v.sharpness, v.covered, v.match, v.gain, v.coarse_tex, v.unstable, v.shift,
                v.shift_response, v.cause.c_str(),
                tr ? (" ==> " + std::string(health::StateName(tr->to)) + " at " + std::to_string(tr->at)).c_str() : "");
  }
  return 0;
}
