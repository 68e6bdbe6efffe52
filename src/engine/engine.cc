#include "engine/engine.h"

#include <chrono>
#include <deque>
#include <unordered_map>
#include <cstdio>
#include <filesystem>
#include <limits>

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
  // Guard duty. epoch: the duty time (epoch seconds) of stream time 0.
  double epoch = 0;
  std::vector<const config::PostConfig*> posts;  // posts this camera watches
  std::vector<bool> held;                        // analysis thread: post zones held now
  bool duty_watch = false;                       // sees a post or a patrol checkpoint
  std::atomic<bool> input_ended{false};          // file ended and every frame analysed

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
  if (!cfg_.posts.empty() || !cfg_.patrols.empty()) {
    std::vector<duty::PostSpec> posts;
    std::vector<duty::PatrolSpec> patrols;
    for (const auto& p : cfg_.posts) {
      WL_ASSIGN_OR_RETURN(duty::PostSpec spec, duty::PostSpecFromConfig(p));
      posts.push_back(std::move(spec));
    }
    for (const auto& p : cfg_.patrols) {
      WL_ASSIGN_OR_RETURN(duty::PatrolSpec spec, duty::PatrolSpecFromConfig(p));
      patrols.push_back(std::move(spec));
    }
    WL_ASSIGN_OR_RETURN(duty_, duty::DutyMonitor::Make(std::move(posts), std::move(patrols)));
  }
  Clock* clock = opts_.clock;
  for (const auto& cc : cfg_.cameras) {
    auto cam = std::make_unique<Camera>();
    cam->cfg = cc;
    cam->start = clock->Now();
    cam->epoch = opts_.media_epoch ? *opts_.media_epoch : clock->WallNow();
    for (const auto& p : cfg_.posts)
      if (p.camera == cc.id) cam->posts.push_back(&p);
    cam->held.assign(cam->posts.size(), false);
    cam->duty_watch = !cam->posts.empty();
    for (const auto& p : cfg_.patrols)
      for (const auto& cp : p.checkpoints) cam->duty_watch |= cp.camera == cc.id;
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
    config::CameraConfig analysed = WithTripwires(cc, cam->geo.get());
    // A post that acts as an intrusion zone off duty is a zone rule of its own
    // (FeedDuty drops its events while the post is on duty).
    for (const config::PostConfig* p : cam->posts)
      if (p->intrusion_off_duty) analysed.zones.push_back({p->id, p->zone, p->classes, std::nullopt});
    cam->analyzer = std::make_unique<analysis::CameraAnalyzer>(std::move(analysed));
    if (!cam->analyzer->verifier_status().ok()) {  // a configured model that will not load
      scheduler_.StopAndJoin();
      return cam->analyzer->verifier_status();
    }
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
    if (!cam->ring->Pop(&frame, 0.2)) {
      // A file that has ended and been analysed to its last frame: its duty
      // evidence is complete for good.
      if (cam->ingest->finished() && cam->ring->size() == 0 && !cam->input_ended.exchange(true)) {
        if (duty_ && cam->duty_watch) {
          duty_->AdvanceCamera(cam->cfg.id, std::numeric_limits<double>::infinity());
          PublishDuty();
        }
      }
      continue;
    }
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
    // Only cameras that see a post or a checkpoint feed the duty monitor (one
    // lock for the whole site): the others have nothing to tell it.
    if (duty_ && cam->duty_watch) FeedDuty(cam, *frame, tracks, &evs);
    for (auto& e : evs) {
      e.wall = frame->wall;
      if (cam->geo) cam->geo->Apply(&e, frame->gray.size(), cam->analyzer->VelocityAt(e.track, e.t));
      Publish(&e, cam, frame.get());
      cam->events.fetch_add(1);
    }
  }
}

void Engine::FeedDuty(Camera* cam, const ingest::Frame& frame,
                      const std::vector<analysis::TrackView>& tracks,
                      std::vector<events::Event>* evs) {
  const double t = cam->epoch + frame.t;
  // Hold the zones of posts on duty: a guard standing still stays foreground.
  bool changed = false;
  std::vector<config::Polygon> hold;
  for (size_t i = 0; i < cam->posts.size(); ++i) {
    const bool on = duty_->PostOnDuty(cam->posts[i]->id, t);
    changed |= on != cam->held[i];
    cam->held[i] = on;
    if (on) hold.push_back(cam->posts[i]->zone);
  }
  if (changed) cam->analyzer->SetHoldZones(std::move(hold));
  // Off duty a post's zone is an ordinary intrusion zone; on duty the guard
  // in it is expected, not an intruder.
  std::erase_if(*evs, [&](const events::Event& e) {
    if (e.type != "zone_intrusion" && e.type != "loitering") return false;
    for (size_t i = 0; i < cam->posts.size(); ++i)
      if (cam->posts[i]->id == e.rule) return static_cast<bool>(cam->held[i]);
    return false;
  });
  std::vector<duty::PersonObs> persons;
  const double w = frame.gray.cols, h = frame.gray.rows;
  for (const auto& tv : tracks) {
    if (!tv.confirmed) continue;
    persons.push_back({tv.id, tv.foot.x / w, tv.foot.y / h, tv.cls});
  }
  duty_->OnPersons(cam->cfg.id, t, persons);
  PublishDuty();
}

void Engine::PublishDuty() {
  if (!duty_) return;
  std::lock_guard<std::mutex> lock(duty_mu_);
  for (events::Event& e : duty_->Take()) {
    // The monitor works in epoch seconds; stored events keep the camera's
    // stream time in t/end (like every other event) and the epoch in wall.
    const Camera* cam = nullptr;
    for (const auto& c : cameras_)
      if (c->cfg.id == e.camera) cam = c.get();
    const double epoch = cam ? cam->epoch : 0;
    const auto key = std::make_tuple(e.type, e.rule, e.camera, e.t);
    auto it = open_duty_.find(key);
    if (e.end && it != open_duty_.end()) {
      events::Event& open = it->second;
      open.end = *e.end - epoch;
      if (!e.detail.empty()) open.detail = e.detail;
      PublishEnd(&open);
      open_duty_.erase(it);
      continue;
    }
    e.wall = e.t;
    e.t -= epoch;
    if (e.end) *e.end -= epoch;
    if (e.confidence == 0) e.confidence = 1.0;
    Publish(&e);
    if (!e.end && (e.type == "post_vacant" || e.type == "post_inactive" || e.type == "patrol_missed"))
      open_duty_.emplace(key, e);
  }
}

Status Engine::ScanCheckpoint(const std::string& checkpoint, double t, const std::string& source) {
  if (!duty_) return Status::NotFound("unknown checkpoint '" + checkpoint + "': no patrols are configured");
  WL_RETURN_IF_ERROR(duty_->Scan(checkpoint, t, source));
  PublishDuty();
  return Status::Ok();
}

bool Engine::AllInputsEnded() const {
  for (const auto& cam : cameras_)
    if (cam->ingest && !cam->input_ended.load()) return false;
  return true;
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
      // A dead camera sends no evidence: its duty clock follows the wall
      // (posts go vacant, patrol windows on it can close as missed).
      if (duty_ && cam->duty_watch && cam->open_health.type == "camera_offline")
        duty_->AdvanceCamera(cam->cfg.id, cam->epoch + (now - cam->start));
      if (now - cam->fps_clock >= 2.0) {
        const uint64_t n = cam->analysed.load();
        cam->fps = (n - cam->fps_count) / (now - cam->fps_clock);
        cam->fps_count = n;
        cam->fps_clock = now;
      }
    }
    PublishDuty();
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
