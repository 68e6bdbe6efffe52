// watchline analyze: one camera's whole pipeline on a clip, as fast as it can.
// stdout carries one contract JSON object per event (JSON Lines); progress and
// the closing summary go to stderr.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "analysis/camera_analyzer.h"
#include "base/clock.h"
#include "base/log.h"
#include "cli/commands.h"
#include "config/config.h"
#include "engine/georef.h"
#include "events/event.h"
#include "health/health_monitor.h"
#include "ingest/ffmpeg_source.h"
#include "store/sqlite_store.h"

namespace watchline::cli {
namespace {

struct AnalyzeArgs {
  std::string config_path;
  std::string camera;
  std::string source;
  bool json = false;
  std::string dump_dir;
  bool no_store = false;
  std::string db;
  double analysis_fps = -1;
  bool quiet = false;
};

// Stores one event. A health condition's closing copy (end set, already
// stored when it opened) sets the end of its row; an opening one records its
// row id in *open so that its closing copy finds it.
Status StoreEvent(store::Store* db, events::Event* e, std::optional<events::Event>* open) {
  if (e->IsHealth() && e->end && e->id > 0) return db->SetEnd(e->id, *e->end);
  e->wall = Clock::Real()->WallNow();
  WL_RETURN_IF_ERROR(db->Append(e));
  if (e->IsHealth() && !e->end && open->has_value() && (*open)->type == e->type && (*open)->t == e->t)
    (*open)->id = e->id;
  return Status::Ok();
}

int RunAnalyze(const AnalyzeArgs& a) {
  auto cfg = config::LoadConfig(a.config_path);
  if (!cfg.ok()) {
    PrintError(cfg.status().message());
    return cfg.status().ExitCode();
  }
  const config::CameraConfig* found = cfg->FindCamera(a.camera);
  if (!found) {
    std::string ids;
    for (const auto& c : cfg->cameras) ids += (ids.empty() ? "" : ", ") + c.id;
    PrintError("no camera '" + a.camera + "' in " + a.config_path +
               (ids.empty() ? " (it has no cameras)" : " (cameras: " + ids + ")"));
    return 2;
  }
  config::CameraConfig cam = *found;
  if (!a.source.empty()) cam.source = a.source;
  if (a.analysis_fps >= 0) cam.analysis.fps = a.analysis_fps;
  // A clip is analysed as fast as it can be read, whatever the config says for live use.
  cam.ingest.realtime = false;
  cam.ingest.loop = false;

  std::unique_ptr<store::Store> db;
  if (!a.no_store) {
    std::string path = a.db.empty() ? (std::filesystem::path(cfg->site.data_dir) / "watchline.db").string()
                                    : a.db;
    auto s = store::OpenSqliteStore(path);
    if (!s.ok()) {
      PrintError("cannot open the event store: " + s.status().message() +
                 " (use --no-store to analyse without storing)");
      return s.status().ExitCode();
    }
    db = std::move(s).value();
  }

  if (!a.dump_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.dump_dir, ec);
    if (ec) {
      PrintError("cannot create foreground dump folder " + a.dump_dir + ": " + ec.message());
      return 2;
    }
  }

  ingest::FfmpegSource source(cam, Clock::Real(), /*want_color=*/false);
  if (Status s = source.Open(); !s.ok()) {
    PrintError("camera " + cam.id + ": " + s.message());
    return s.ExitCode();
  }
  // A calibrated camera gets map positions on its events and, when the site
  // has a perimeter, the perimeter itself as its tripwire.
  auto perimeter = engine::LoadSitePerimeter(*cfg);
  if (!perimeter.ok()) {
    PrintError(perimeter.status().message());
    return perimeter.status().ExitCode();
  }
  auto geo = engine::CameraGeoref::Create(cam, *perimeter);
  if (!geo.ok()) {
    PrintError(geo.status().message());
    return geo.status().ExitCode();
  }
  analysis::CameraAnalyzer analyzer(engine::WithTripwires(cam, geo->get()));
  if (!analyzer.verifier_status().ok()) {  // a configured model that will not load
    PrintError(analyzer.verifier_status().message());
    return analyzer.verifier_status().ExitCode();
  }
  // Health runs on every analysed frame, on the clip's media time. Condition
  // events are printed when they begin (end null) and again when they end
  // (end set); one still open at the end of the clip is closed at its last frame.
  health::HealthMonitor health(cam, 0);
  std::optional<events::Event> open_health;

  const bool progress = !a.quiet && isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  int64_t frames = 0, nevents = 0;
  double last_t = 0;
  int exit_code = 0;
  cv::Mat dump;
  while (true) {
    auto next = source.Next();
    if (!next.ok()) {
      PrintError("camera " + cam.id + ": " + next.status().message());
      exit_code = next.status().ExitCode();
      break;
    }
    ingest::FramePtr frame = std::move(next).value();
    if (!frame) break;  // end of the clip
    ++frames;
    last_t = frame->t;
    std::vector<events::Event> evs = analyzer.Process(*frame);
    if (*geo)
      for (auto& e : evs) (*geo)->Apply(&e, frame->gray.size(), analyzer.VelocityAt(e.track, e.t));
    if (auto tr = health.OnImage(frame->t, frame->gray)) {
      for (auto& e : health::TransitionEvents(cam.id, *tr, &open_health)) evs.push_back(std::move(e));
    }
    for (auto& e : evs) {
      if (db) {
        if (Status s = StoreEvent(db.get(), &e, &open_health); !s.ok()) {
          PrintError("cannot store event: " + s.message());
          return 1;
        }
      }
      std::fputs((events::ToJsonLine(e) + "\n").c_str(), stdout);
      ++nevents;
    }
    if (!evs.empty()) std::fflush(stdout);
    if (!a.dump_dir.empty()) {
      const cv::Size src_size(frame->src_width, frame->src_height);
      if (analyzer.foreground().empty()) {
        dump = cv::Mat::zeros(src_size, CV_8UC1);
      } else {
        cv::resize(analyzer.foreground(), dump, src_size, 0, 0, cv::INTER_NEAREST);
      }
      char name[32];
      std::snprintf(name, sizeof name, "fg%06lld.png", static_cast<long long>(frame->index));
      const std::string path = (std::filesystem::path(a.dump_dir) / name).string();
      if (!cv::imwrite(path, dump)) {
        PrintError("cannot write " + path);
        return 1;
      }
    }
    if (progress) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_progress > std::chrono::seconds(1)) {
        last_progress = now;
        double el = std::chrono::duration<double>(now - start).count();
        std::fprintf(stderr, "\r%s: t=%.1f s, %lld frames, %.0f fps, %lld events   ", cam.id.c_str(),
                     last_t, static_cast<long long>(frames), frames / el,
                     static_cast<long long>(nevents));
      }
    }
  }
  if (open_health) {
    health::Transition close{health.state(), health::State::kOk, std::max(last_t, open_health->t), "end of clip", 1};
    for (auto& e : health::TransitionEvents(cam.id, close, &open_health)) {
      if (db) {
        if (Status s = StoreEvent(db.get(), &e, &open_health); !s.ok()) {
          PrintError("cannot store event: " + s.message());
          return 1;
        }
      }
      std::fputs((events::ToJsonLine(e) + "\n").c_str(), stdout);
      ++nevents;
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) std::fputs("\n", stderr);
  if (!a.quiet) {
    const auto& st = analyzer.stats();
    std::fprintf(stderr,
                 "%s: %lld frames analysed (%llu decoded) over %.2f s of video in %.2f s; "
                 "%lld events; analysis %.3f ms/frame\n",
                 cam.id.c_str(), static_cast<long long>(frames),
                 static_cast<unsigned long long>(source.stats().frames_decoded.load()), last_t,
                 elapsed, static_cast<long long>(nevents),
                 st.frames ? st.total_ms / st.frames : 0.0);
  }
  std::fflush(stdout);
  return exit_code;
}

}  // namespace

void RegisterAnalyze(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "analyze",
      "Run one camera's whole pipeline on a clip as fast as it can; print one JSON event per line");
  auto a = std::make_shared<AnalyzeArgs>();
  cmd->add_option("--config", a->config_path, "YAML config file")->required();
  cmd->add_option("--camera", a->camera, "camera id in the config")->required();
  cmd->add_option("--source", a->source,
                  "file, image-sequence pattern (in%06d.jpg) or URL; default: the camera's source");
  cmd->add_flag("--json", a->json, "JSON Lines on stdout (always the case; kept for the contract)");
  cmd->add_option("--dump-foreground", a->dump_dir,
                  "write one 0/255 PNG per analysed frame, fg%06d.png by input frame number");
  cmd->add_option("--analysis-fps", a->analysis_fps,
                  "override the camera's analysis fps (0 = every frame)");
  cmd->add_flag("--no-store", a->no_store, "do not write events to the site's event store");
  cmd->add_option("--db", a->db, "event store path (default: <data_dir>/watchline.db)");
  cmd->add_flag("-q,--quiet", a->quiet, "no progress or summary on stderr");
  cmd->callback([a, exit_code] { *exit_code = RunAnalyze(*a); });
}

}  // namespace watchline::cli
