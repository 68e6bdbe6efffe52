// watchline bench: what one camera costs, against baselines measured in the
// same run on the same clip:
//   decode   FFmpeg decode alone (one thread, every frame, nothing else)
//   pipeline watchline's whole camera pipeline: decode, grey + resize,
//            decimation, analysis (background, blobs, tracker, rules)
//   mog2     OpenCV MOG2 alone on the same grey analysis frames
// Each is run `--repeat` times; the best run is reported (the least disturbed
// by other work on the machine).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <opencv2/video/background_segm.hpp>

#include "analysis/camera_analyzer.h"
#include "base/clock.h"
#include "cli/commands.h"
#include "config/config.h"
#include "ingest/av_ptr.h"
#include "ingest/ffmpeg_source.h"
#include "sim/sim_clip.h"

namespace watchline::cli {
namespace {

struct BenchArgs {
  std::string clip;
  std::string config_path;
  std::string camera;
  double analysis_fps = 10;
  int width = 640;
  int repeat = 3;
  bool json = false;
};

// CPU seconds of this thread: the measure that other processes disturb least.
double ThreadCpu() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct Measure {
  int64_t frames = 0;
  double cpu_s = 1e30;
};

Result<Measure> DecodeOnly(const std::string& path) {
  using namespace ingest;
  AVFormatContext* raw = nullptr;
  int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (err < 0) return Status::InvalidArgument("cannot open " + path + ": " + AvErrorText(err));
  AvInputFormatContextPtr fmt(raw);
  if ((err = avformat_find_stream_info(fmt.get(), nullptr)) < 0)
    return Status::Corruption(path + ": " + AvErrorText(err));
  const AVCodec* codec = nullptr;
  int idx = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (idx < 0) return Status::InvalidArgument(path + ": no video stream");
  AvCodecContextPtr dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), fmt->streams[idx]->codecpar);
  dec->thread_count = 1;
  if ((err = avcodec_open2(dec.get(), codec, nullptr)) < 0)
    return Status::Internal(path + ": " + AvErrorText(err));
  AvPacketPtr pkt(av_packet_alloc());
  AvFramePtr frame(av_frame_alloc());
  Measure m;
  const double c0 = ThreadCpu();
  auto drain = [&] {
    while (avcodec_receive_frame(dec.get(), frame.get()) == 0) {
      ++m.frames;
      av_frame_unref(frame.get());
    }
  };
  while (av_read_frame(fmt.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == idx) {
      avcodec_send_packet(dec.get(), pkt.get());
      drain();
    }
    av_packet_unref(pkt.get());
  }
  avcodec_send_packet(dec.get(), nullptr);
  drain();
  m.cpu_s = ThreadCpu() - c0;
  return m;
}

struct PipelineMeasure {
  int64_t decoded = 0, analysed = 0;
  double cpu_s = 1e30;
  double analysis_ms = 0;  // mean analysis cost per analysed frame
};

Result<PipelineMeasure> Pipeline(const config::CameraConfig& cam) {
  ingest::FfmpegSource src(cam, Clock::Real(), false);
  analysis::CameraAnalyzer analyzer(cam);
  PipelineMeasure m;
  const double c0 = ThreadCpu();
  WL_RETURN_IF_ERROR(src.Open());
  while (true) {
    auto f = src.Next();
    if (!f.ok()) return f.status();
    if (!*f) break;
    analyzer.Process(**f);
    ++m.analysed;
  }
  m.cpu_s = ThreadCpu() - c0;
  m.decoded = static_cast<int64_t>(src.stats().frames_decoded.load());
  m.analysis_ms = analyzer.stats().frames ? analyzer.stats().total_ms / analyzer.stats().frames : 0;
  return m;
}

// MOG2 alone on the analysis frames the pipeline would see (decoded up front).
Result<double> Mog2MsPerFrame(const config::CameraConfig& cam) {
  ingest::FfmpegSource src(cam, Clock::Real(), false);
  WL_RETURN_IF_ERROR(src.Open());
  std::vector<ingest::FramePtr> frames;
  while (frames.size() < 600) {
    auto f = src.Next();
    if (!f.ok()) return f.status();
    if (!*f) break;
    frames.push_back(*f);
  }
  if (frames.empty()) return Status::Corruption("no frames");
  auto mog = cv::createBackgroundSubtractorMOG2();
  cv::Mat fg;
  const double c0 = ThreadCpu();
  for (const auto& f : frames) mog->apply(f->gray, fg);
  return (ThreadCpu() - c0) * 1000 / frames.size();
}

int RunBench(const BenchArgs& a) {
  std::string clip = a.clip;
  config::CameraConfig cam;
  if (!a.config_path.empty()) {
    auto cfg = config::LoadConfig(a.config_path);
    if (!cfg.ok()) {
      PrintError(cfg.status().message());
      return 2;
    }
    const auto* c = a.camera.empty() ? (cfg->cameras.empty() ? nullptr : &cfg->cameras[0])
                                     : cfg->FindCamera(a.camera);
    if (!c) {
      PrintError("no such camera in " + a.config_path);
      return 2;
    }
    cam = *c;
  } else {
    cam.id = "bench";
    cam.analysis.width = a.width;
    cam.analysis.fps = a.analysis_fps;
    cam.lines.push_back(config::LineRule{"border", {{0.05, 0.62}, {0.95, 0.55}}, {}});
  }
  if (clip.empty()) {
    // A 60 s simulated 640x360 25 fps H.264 clip with people crossing.
    const std::string dir = (std::filesystem::temp_directory_path() / "watchline-bench").string();
    clip = dir + "/clip.mp4";
    if (!std::filesystem::exists(clip)) {
      std::fprintf(stderr, "bench: rendering a 60 s 640x360 simulated clip to %s\n", clip.c_str());
      sim::SimOptions so;
      so.duration_s = 60;
      so.people = 12;
      std::filesystem::create_directories(dir);
      if (Status s = sim::WriteSimClip(so, dir); !s.ok()) {
        PrintError(s.message());
        return 1;
      }
    }
  }
  cam.source = clip;
  cam.ingest.realtime = false;
  cam.ingest.loop = false;

  Measure dec;
  PipelineMeasure pipe, pipe_all;
  config::CameraConfig cam_all = cam;
  cam_all.analysis.fps = 0;
  for (int r = 0; r < a.repeat; ++r) {
    std::fprintf(stderr, "bench: run %d/%d\n", r + 1, a.repeat);
    auto d = DecodeOnly(clip);
    if (!d.ok()) {
      PrintError(d.status().message());
      return d.status().ExitCode();
    }
    if (d->cpu_s < dec.cpu_s) dec = *d;
    auto p = Pipeline(cam);
    if (!p.ok()) {
      PrintError(p.status().message());
      return p.status().ExitCode();
    }
    if (p->cpu_s < pipe.cpu_s) pipe = *p;
    auto pa = Pipeline(cam_all);
    if (!pa.ok()) {
      PrintError(pa.status().message());
      return pa.status().ExitCode();
    }
    if (pa->cpu_s < pipe_all.cpu_s) pipe_all = *pa;
  }
  auto mog = Mog2MsPerFrame(cam_all);
  const double mog_ms = mog.ok() ? *mog : -1;

  const double dec_ms = dec.cpu_s * 1000 / std::max<int64_t>(dec.frames, 1);
  nlohmann::json j = {
      {"clip", clip},
      {"frames", dec.frames},
      {"decode_only", {{"cpu_s", dec.cpu_s}, {"ms_per_frame", dec_ms}, {"fps", dec.frames / dec.cpu_s}}},
      {"pipeline",
       {{"analysis_fps", cam.analysis.fps},
        {"analysed_frames", pipe.analysed},
        {"cpu_s", pipe.cpu_s},
        {"ratio_to_decode", pipe.cpu_s / dec.cpu_s},
        {"analysis_ms_per_frame", pipe.analysis_ms}}},
      {"pipeline_every_frame",
       {{"analysed_frames", pipe_all.analysed},
        {"cpu_s", pipe_all.cpu_s},
        {"ratio_to_decode", pipe_all.cpu_s / dec.cpu_s},
        {"analysis_ms_per_frame", pipe_all.analysis_ms}}},
      {"mog2_ms_per_frame", mog_ms},
      {"analysis_width", cam.analysis.width}};
  if (a.json) {
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("clip: %s (%lld frames)\n", clip.c_str(), static_cast<long long>(dec.frames));
  std::printf("decode only (FFmpeg, 1 thread)      : %7.3f s CPU  %7.3f ms/frame  %7.0f fps\n",
              dec.cpu_s, dec_ms, dec.frames / dec.cpu_s);
  std::printf("pipeline, analysis at %4.1f fps      : %7.3f s CPU  ratio to decode %.3f  "
              "(%lld frames analysed)\n",
              cam.analysis.fps, pipe.cpu_s, pipe.cpu_s / dec.cpu_s,
              static_cast<long long>(pipe.analysed));
  std::printf("pipeline, every frame analysed      : %7.3f s CPU  ratio to decode %.3f  "
              "(%lld frames analysed)\n",
              pipe_all.cpu_s, pipe_all.cpu_s / dec.cpu_s, static_cast<long long>(pipe_all.analysed));
  std::printf("analysis alone, %dpx wide          : %7.3f ms/frame (every frame)\n",
              cam.analysis.width, pipe_all.analysis_ms);
  const double speedup = mog_ms > 0 && pipe_all.analysis_ms > 0 ? mog_ms / pipe_all.analysis_ms : 0;
  std::printf("OpenCV MOG2 alone, same grey frames : %7.3f ms/frame  (MOG2 / watchline analysis = %.2f)\n",
              mog_ms, speedup);
  return 0;
}

}  // namespace

void RegisterBench(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "bench", "Measure one camera's pipeline against FFmpeg decode alone and OpenCV MOG2");
  auto a = std::make_shared<BenchArgs>();
  cmd->add_option("--clip", a->clip, "H.264 clip (default: a 60 s simulated 640x360 clip)");
  cmd->add_option("--config", a->config_path, "take the camera (rules, analysis size) from a config");
  cmd->add_option("--camera", a->camera, "camera id in --config");
  cmd->add_option("--analysis-fps", a->analysis_fps, "analysis fps")->capture_default_str();
  cmd->add_option("--width", a->width, "analysis width")->capture_default_str();
  cmd->add_option("--repeat", a->repeat, "runs per measure; the best is kept")
      ->check(CLI::Range(1, 50))
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "print the figures as JSON");
  cmd->callback([a, exit_code] { *exit_code = RunBench(*a); });
}

}  // namespace watchline::cli
