// Debugging aid (not a test): runs one camera's analysis on its clip and
// prints, per analysed frame, the blobs and the tracks, then the events, so a
// missed or spurious event can be followed back to the stage that caused it.
//   analysis_trace CONFIG CAMERA [ANALYSIS_FPS]
// Lines: "F <index> <t>", "  B x y w h" (blob, analysis pixels),
// "  T <id> <c|t><m|-> x y w h" (track: confirmed or tentative, matched or not),
// "E <json>" (event).
#include <cstdio>
#include <cstdlib>

#include "analysis/camera_analyzer.h"
#include "base/clock.h"
#include "config/config.h"
#include "ingest/ffmpeg_source.h"

int main(int argc, char** argv) {
  namespace wl = watchline;
  if (argc < 3) {
    std::fprintf(stderr, "usage: analysis_trace CONFIG CAMERA [ANALYSIS_FPS]\n");
    return 2;
  }
  auto cfg = wl::config::LoadConfig(argv[1]);
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.status().message().c_str());
    return 2;
  }
  const wl::config::CameraConfig* found = cfg->FindCamera(argv[2]);
  if (!found) {
    std::fprintf(stderr, "no camera %s\n", argv[2]);
    return 2;
  }
  wl::config::CameraConfig cam = *found;
  if (argc > 3) cam.analysis.fps = std::atof(argv[3]);
  cam.ingest.realtime = false;
  cam.ingest.loop = false;
  wl::ingest::FfmpegSource source(cam, wl::Clock::Real(), false);
  if (auto s = source.Open(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  wl::analysis::CameraAnalyzer analyzer(cam);
  while (true) {
    auto next = source.Next();
    if (!next.ok() || !*next) break;
    const wl::ingest::Frame& f = **next;
    auto evs = analyzer.Process(f);
    std::printf("F %lld %.3f\n", static_cast<long long>(f.index), f.t);
    for (const auto& b : analyzer.Detections())
      std::printf("  B %.1f %.1f %.1f %.1f\n", b.x, b.y, b.width, b.height);
    for (const auto& tr : analyzer.Tracks())
      std::printf("  T %lld %c%c %.1f %.1f %.1f %.1f %s\n", static_cast<long long>(tr.id),
                  tr.confirmed ? 'c' : 't', tr.last_seen_t == f.t ? 'm' : '-', tr.box.x, tr.box.y,
                  tr.box.width, tr.box.height, tr.cls.c_str());
    for (const auto& e : evs) std::printf("E %s\n", wl::events::ToJsonLine(e).c_str());
  }
  return 0;
}
