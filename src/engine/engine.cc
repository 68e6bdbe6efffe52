#include "engine/engine.h"

#include <chrono>
#include <deque>
#include <unordered_map>
#include <cstdio>
#include <filesystem>

#include "analysis/camera_analyzer.h"
#include "engine/georef.h"
#include "base/log.h"
#include "engine/snapshot.h"
#include "ingest/camera_ingest.h"
#include "ingest/ffmpeg_source.h"
#include "ingest/frame_ring.h"
#include "sim/sim_source.h"
#include "store/sqlite_store.h"

namespace watchline::engine {

Result<std::unique_ptr<ingest::FrameSource>> MakeSource(const config::CameraConfig& cam,
                                                        Clock* clock) {
  if (cam.source.rfind("sim://", 0) == 0) {
    auto s = sim::SimSource::Create(cam, clock);
    if (!s.ok()) return s.status().WithContext("camera " + cam.id);
    return std::unique_ptr<ingest::FrameSource>(std::move(s).value());
  }
  return std::unique_ptr<ingest::FrameSource>(
      std::make_unique<ingest::FfmpegSource>(cam, clock, /*want_color=*/false));
}

struct Engine::Camera {
  config::CameraConfig cfg;
  double start = 0;  // clock seconds when started; live event t counts from here
  std::unique_ptr<ingest::FrameRing> ring;
  std::unique_ptr<ingest::CameraIngest> ingest;
  std::unique_ptr<analysis::CameraAnalyzer> analyzer;  // used by the analysis thread only
  std::unique_ptr<CameraGeoref> geo;  // null when the camera is not calibrated
  // Recent foot points of each live track (normalised), for event snapshots.
  // Used by the analysis thread only.
  std::unordered_map<int64_t, std::deque<config::Point>> paths;

  std::mutex mu;
  std::unique_ptr<health::HealthMonitor> health;  // GUARDED_BY(mu)
  events::Event open_health;                      // GUARDED_BY(mu); id 0 when none is open
  double last_seen_frame = -1;                    // GUARDED_BY(mu)
  double fps_clock = 0;                           // GUARDED_BY(mu)
  uint64_t fps_count = 0;                         // GUARDED_BY(mu)
  double fps = 0;                                 // GUARDED_BY(mu)

  mutable std::mutex latest_mu;
  ingest::FramePtr latest;                        // GUARDED_BY(latest_mu)

  std::atomic<uint64_t> analysed{0};
  std::atomic<uint64_t> events{0};
  std::atomic<double> analysis_ms_total{0};
};

Engine::Engine(config::Config cfg, Options opts) : cfg_(std::move(cfg)), opts_(std::move(opts)) {
  if (!opts_.clock) opts_.clock = Clock::Real();
  if (!opts_.source_factory) opts_.source_factory = MakeSource;
}

Engine::~Engine() { Stop(); }

void Engine::AddListener(Listener l) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.push_back(std::move(l));
}

Status Engine::Start() {
  if (started_.exchange(true)) return Status::Internal("engine started twice");
  std::string db_path = opts_.db_path;
  if (db_path.empty()) db_path = (std::filesystem::path(cfg_.site.data_dir) / "watchline.db").string();
  auto st = store::OpenSqliteStore(db_path);
  if (!st.ok()) return st.status().WithContext("event store");
  store_ = std::move(st).value();

  auto perimeter = LoadSitePerimeter(cfg_);
  if (!perimeter.ok()) return perimeter.status().WithContext("perimeter");
  Clock* clock = opts_.clock;
  for (const auto& cc : cfg_.cameras) {
    auto cam = std::make_unique<Camera>();
    cam->cfg = cc;
    cam->start = clock->Now();
    cam->fps_clock = cam->start;
    cam->health = std::make_unique<health::HealthMonitor>(cc, cam->start);
    if (!cc.enabled) {
      store::CameraState s{cc.id, "disabled", "disabled in the config", clock->WallNow(),
                           clock->WallNow()};
      if (Status us = store_->UpsertCameraState(s); !us.ok()) WL_LOG(Warn) << us.ToString();
      cameras_.push_back(std::move(cam));
      continue;
    }
    auto source = opts_.source_factory(cc, clock);
    if (!source.ok()) {
      scheduler_.StopAndJoin();
      return source.status();
    }
    cam->ring = std::make_unique<ingest::FrameRing>(static_cast<size_t>(cc.ingest.ring_size));
    auto geo = CameraGeoref::Create(cc, *perimeter);
    if (!geo.ok()) {
      scheduler_.StopAndJoin();
      return geo.status();
    }
    cam->geo = std::move(geo).value();
    cam->analyzer = std::make_unique<analysis::CameraAnalyzer>(WithTripwires(cc, cam->geo.get()));
    // CameraIngest asks for its source once, on its own thread; hand over the one made here.
    auto made = std::make_shared<std::unique_ptr<ingest::FrameSource>>(std::move(source).value());
    auto opts = ingest::CameraIngestOptions::FromConfig(cc);
    opts.close_ring_on_exit = false;
    cam->ingest = std::make_unique<ingest::CameraIngest>(
        opts, [made] { return std::move(*made); }, cam->ring.get(), clock);
    Camera* raw = cam.get();
    scheduler_.Spawn("in:" + cc.id, [raw](std::stop_token t) { raw->ingest->Run(t); });
    scheduler_.Spawn("an:" + cc.id, [this, raw](std::stop_token t) { AnalysisLoop(raw, t); });
    cameras_.push_back(std::move(cam));
  }
  scheduler_.Spawn("watchdog", [this](std::stop_token t) { WatchdogLoop(t); });
  WL_LOG(Info) << "engine started: site '" << cfg_.site.name << "', " << cfg_.cameras.size()
               << " cameras, store " << db_path;
  return Status::Ok();
}

void Engine::Stop() {
  if (!started_.load() || stopped_.exchange(true)) return;
  scheduler_.RequestStop();
  for (auto& cam : cameras_) {
    if (cam->ring) cam->ring->Close();
  }
  scheduler_.StopAndJoin();
  // Close the health conditions still open, so that no stored state dangles.
  const double now = opts_.clock->Now();
  for (auto& cam : cameras_) {
    std::lock_guard<std::mutex> lock(cam->mu);
    if (cam->open_health.id > 0) {
      cam->open_health.end = std::max(now - cam->start, cam->open_health.t);
      PublishEnd(&cam->open_health);
      cam->open_health = events::Event();
    }
  }
}

void Engine::Publish(events::Event* e, Camera* cam, const ingest::Frame* frame) {
  if (e->wall == 0) e->wall = opts_.clock->WallNow();
  if (Status s = store_->Append(e); !s.ok()) {
    // An alarm that cannot be stored is still announced: losing it is worse.
    WL_LOG(Error) << "camera " << e->camera << ": cannot store " << e->type << ": " << s.ToString();
  }
  // The snapshot exists before anyone hears of the event, so a client that
  // fetches it on the announcement finds it.
  if (cam != nullptr && frame != nullptr && e->id > 0) WriteEventSnapshot(cam, *frame, *e);
  std::lock_guard<std::mutex> lock(listeners_mu_);
  for (auto& l : listeners_) l(*e, false);
}

void Engine::PublishEnd(events::Event* e) {
  if (e->id > 0 && e->end) {
    if (Status s = store_->SetEnd(e->id, *e->end); !s.ok()) {
      WL_LOG(Error) << "camera " << e->camera << ": cannot close " << e->type << ": " << s.ToString();
    }
  }
  std::lock_guard<std::mutex> lock(listeners_mu_);
  for (auto& l : listeners_) l(*e, true);
}

void Engine::ApplyTransition(Camera* cam, const health::Transition& tr) {
  const double t = tr.at - cam->start;
  if (cam->open_health.id > 0 || !cam->open_health.type.empty()) {
    cam->open_health.end = std::max(t, cam->open_health.t);
    PublishEnd(&cam->open_health);
    cam->open_health = events::Event();
  }
  const std::string type = health::EventType(tr.to);
  if (!type.empty()) {
    events::Event e;
    e.type = type;
    e.camera = cam->cfg.id;
    e.t = t;
    e.confidence = 1.0;
    e.detail = tr.cause;
    e.wall = opts_.clock->WallNow() - (opts_.clock->Now() - tr.at);
    Publish(&e);
    cam->open_health = e;
  }
  store::CameraState s{cam->cfg.id, std::string(health::StateName(tr.to)), tr.cause,
                       opts_.clock->WallNow() - (opts_.clock->Now() - tr.at),
                       opts_.clock->WallNow()};
  if (Status us = store_->UpsertCameraState(s); !us.ok()) {
    WL_LOG(Warn) << "camera " << cam->cfg.id << ": cannot store state: " << us.ToString();
  }
  WL_LOG(Info) << "camera " << cam->cfg.id << ": " << health::StateName(tr.from) << " -> "
               << health::StateName(tr.to) << " (" << tr.cause << ")";
}

void Engine::AnalysisLoop(Camera* cam, std::stop_token st) {
  while (!st.stop_requested()) {
    ingest::FramePtr frame;
    if (!cam->ring->Pop(&frame, 0.2)) continue;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<events::Event> evs = cam->analyzer->Process(*frame);
    {
      // Image health (frozen, blackout, glare, defocus, occlusion, moved) on
      // every analysed frame, on the same clock axis as the watchdog's ticks.
      std::lock_guard<std::mutex> lock(cam->mu);
      if (auto tr = cam->health->OnImage(cam->start + frame->t, frame->gray)) {
        ApplyTransition(cam, *tr);
      }
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    cam->analysis_ms_total.store(cam->analysis_ms_total.load() + ms);
    cam->analysed.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(cam->latest_mu);
      cam->latest = frame;
    }
    const std::vector<analysis::TrackView> tracks = cam->analyzer->Tracks();
    UpdatePaths(cam, tracks, frame->gray.size());
    for (auto& e : evs) {
      e.wall = frame->wall;
      if (cam->geo) {
        const analysis::TrackView* tv = nullptr;
        for (const auto& t : tracks)
          if (t.id == e.track) tv = &t;
        cam->geo->Apply(&e, frame->gray.size(), tv);
      }
      Publish(&e, cam, frame.get());
      cam->events.fetch_add(1);
    }
  }
}

void Engine::WatchdogLoop(std::stop_token st) {
  std::mutex mu;
  std::condition_variable_any cv;
  while (!st.stop_requested()) {
    const double now = opts_.clock->Now();
    for (auto& cam : cameras_) {
      if (!cam->ingest) continue;
      std::lock_guard<std::mutex> lock(cam->mu);
      const double lf = cam->ingest->last_frame_time();
      if (lf >= 0 && lf > cam->last_seen_frame) {
        cam->last_seen_frame = lf;
        if (auto tr = cam->health->OnFrame(lf)) ApplyTransition(cam.get(), *tr);
      }
      if (auto tr = cam->health->OnTick(now, cam->ingest->last_error())) {
        ApplyTransition(cam.get(), *tr);
      }
      if (now - cam->fps_clock >= 2.0) {
        const uint64_t n = cam->analysed.load();
        cam->fps = (n - cam->fps_count) / (now - cam->fps_clock);
        cam->fps_count = n;
        cam->fps_clock = now;
      }
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, st, std::chrono::duration<double>(opts_.tick_s), [] { return false; });
  }
}

void Engine::UpdatePaths(Camera* cam, const std::vector<analysis::TrackView>& tracks,
                         cv::Size image) {
  constexpr size_t kMaxPathPoints = 100;
  std::unordered_map<int64_t, std::deque<config::Point>> next;
  for (const auto& t : tracks) {
    auto& p = next[t.id];
    if (auto it = cam->paths.find(t.id); it != cam->paths.end()) p = std::move(it->second);
    p.push_back({t.foot.x / image.width, t.foot.y / image.height});
    if (p.size() > kMaxPathPoints) p.pop_front();
  }
  cam->paths.swap(next);  // tracks that ended are dropped
}

void Engine::WriteEventSnapshot(Camera* cam, const ingest::Frame& frame, const events::Event& e) {
  std::vector<config::Point> track_path;
  if (auto it = cam->paths.find(e.track); e.track >= 0 && it != cam->paths.end()) {
    track_path.assign(it->second.begin(), it->second.end());
  }
  auto jpeg = RenderSnapshotJpeg(frame, cam->cfg.privacy, e.box, track_path);
  if (!jpeg.ok()) {
    WL_LOG(Warn) << "camera " << cam->cfg.id << ": no snapshot for event " << e.id << ": "
                 << jpeg.status().ToString();
    return;
  }
  const std::string path = EventSnapshotPath(cfg_.site.data_dir, e.id);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    WL_LOG(Warn) << "camera " << cam->cfg.id << ": cannot write snapshot " << tmp;
    return;
  }
  const bool ok = std::fwrite(jpeg->data(), 1, jpeg->size(), f) == jpeg->size();
  std::fclose(f);
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) WL_LOG(Warn) << "camera " << cam->cfg.id << ": cannot write snapshot " << path;
}

ingest::FramePtr Engine::LatestFrame(const std::string& camera) const {
  for (const auto& cam : cameras_) {
    if (cam->cfg.id != camera) continue;
    std::lock_guard<std::mutex> lock(cam->latest_mu);
    return cam->latest;
  }
  return nullptr;
}

std::vector<CameraStatus> Engine::Cameras() const {
  std::vector<CameraStatus> out;
  for (const auto& cam : cameras_) {
    CameraStatus s;
    s.id = cam->cfg.id;
    {
      std::lock_guard<std::mutex> lock(cam->mu);
      if (!cam->cfg.enabled) {
        s.state = "disabled";
        s.cause = "disabled in the config";
      } else {
        s.state = std::string(health::StateName(cam->health->state()));
        s.cause = cam->health->cause();
        s.since_wall = opts_.clock->WallNow() - (opts_.clock->Now() - cam->health->since());
      }
      s.fps = cam->fps;
    }
    if (cam->ingest) {
      s.connected = cam->ingest->connected();
      s.last_error = cam->ingest->last_error();
      s.frames_decoded = cam->ingest->frames_decoded();
      s.reconnects = cam->ingest->reconnects();
    }
    if (cam->ring) s.frames_dropped = cam->ring->dropped();
    s.frames_analysed = cam->analysed.load();
    s.events = cam->events.load();
    s.analysis_ms = s.frames_analysed ? cam->analysis_ms_total.load() / s.frames_analysed : 0;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace watchline::engine
