// Engine: runs every camera of a site, live. Per camera it runs an ingest
// thread (source -> bounded ring, never waiting for analysis) and an analysis
// thread (ring -> analysis -> events); one watchdog thread drives every camera's
// health state machine. Every event and health change is committed to the store
// before listeners hear of it (DESIGN.md "events").
//
// Thread safety: Start/Stop from one thread; Cameras(), AddListener() and
// store() from any thread. Listeners are called from engine threads, one at a
// time (serialised), and must not block for long.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <tuple>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "analysis/camera_analyzer.h"
#include "base/clock.h"
#include "base/status.h"
#include "config/config.h"
#include "duty/duty_monitor.h"
#include "engine/scheduler.h"
#include "events/event.h"
#include "health/health_monitor.h"
#include "ingest/frame.h"
#include "ingest/frame_source.h"
#include "store/store.h"

namespace watchline::engine {

// A snapshot of one camera, for consoles, the API and metrics.
struct CameraStatus {
  std::string id;
  std::string state;          // health::StateName
  std::string cause;
  double since_wall = 0;
  bool connected = false;
  std::string last_error;     // redacted
  uint64_t frames_decoded = 0;
  uint64_t frames_analysed = 0;
  uint64_t frames_dropped = 0;   // dropped by the ring because analysis fell behind
  uint64_t reconnects = 0;
  uint64_t events = 0;
  double analysis_ms = 0;     // mean analysis cost per frame
  double fps = 0;             // analysed frames per second, recent
};

// Makes the FrameSource for a camera: sim:// goes to the simulator, anything
// else to FFmpeg.
// A bad source (an invalid sim:// URL) is InvalidArgument naming the camera.
using SourceFactory = std::function<Result<std::unique_ptr<ingest::FrameSource>>(
    const config::CameraConfig&, Clock*)>;
Result<std::unique_ptr<ingest::FrameSource>> MakeSource(const config::CameraConfig& cam,
                                                        Clock* clock);

class Engine {
 public:
  // `update` is false for a new event and true when a stored event changed
  // (a health condition got its end).
  using Listener = std::function<void(const events::Event& e, bool update)>;

  struct Options {
    Clock* clock = Clock::Real();
    std::string db_path;           // default: <site.data_dir>/watchline.db
    SourceFactory source_factory;  // default: MakeSource
    double tick_s = 0.2;           // watchdog period
    // Guard duty (posts, patrols) runs on absolute time: a frame's duty time is
    // media_epoch + its stream time. Unset = the wall clock when the camera
    // starts (live cameras). Set it to replay recorded files faster than real
    // time as if they had been recorded from that moment (every camera alike).
    std::optional<double> media_epoch;
  };

  Engine(config::Config cfg, Options opts);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Opens the store and starts every enabled camera. A camera that cannot be
  // reached is not an error here: it reconnects forever and goes offline. A
  // source that can never work (an invalid sim:// URL) is InvalidArgument.
  Status Start();
  // Stops every thread and closes open health conditions. Idempotent.
  void Stop();

  void AddListener(Listener l);
  // An outside checkpoint scan (an RFID guard-tour reader): `t` in seconds
  // since the epoch. NotFound for an unknown checkpoint (or a site without
  // patrols); InvalidArgument for a bad time.
  Status ScanCheckpoint(const std::string& checkpoint, double t, const std::string& source);
  // True once every camera's input has ended (file sources only; a live
  // camera never ends) and its frames are analysed.
  bool AllInputsEnded() const;
  std::vector<CameraStatus> Cameras() const;
  // The latest analysed frame of a camera (null before the first frame, or
  // for an unknown or disabled camera). Cheap: a shared_ptr copy.
  ingest::FramePtr LatestFrame(const std::string& camera) const;
  // Where event snapshots go: <site.data_dir>/snapshots/<event id>.jpg. The
  // engine writes one for every detection event (not health events), from the
  // frame that fired it, privacy zones blurred and the box drawn.
  std::string data_dir() const { return cfg_.site.data_dir; }
  store::Store* store() const { return store_.get(); }
  const config::Config& config() const { return cfg_; }

 private:
  struct Camera;

  void AnalysisLoop(Camera* cam, std::stop_token st);
  void WatchdogLoop(std::stop_token st);
  // REQUIRES: cam->mu held.
  void ApplyTransition(Camera* cam, const health::Transition& tr);
  // Commits then announces.
  // frame (with cam), when given, is the frame that fired e: its snapshot is
  // written between the commit and the announcement.
  void Publish(events::Event* e, Camera* cam = nullptr, const ingest::Frame* frame = nullptr);
  void PublishEnd(events::Event* e);
  // Appends each track's foot point to its path. Analysis thread only.
  void UpdatePaths(Camera* cam, const std::vector<analysis::TrackView>& tracks, cv::Size image);
  void WriteEventSnapshot(Camera* cam, const ingest::Frame& frame, const events::Event& e);
  // Guard duty, analysis thread: holds on-duty post zones in the background
  // model, feeds the camera's confirmed tracks to the duty monitor and drops
  // zone_intrusion events of posts on duty.
  void FeedDuty(Camera* cam, const ingest::Frame& frame,
                const std::vector<analysis::TrackView>& tracks, std::vector<events::Event>* evs);
  // Publishes what the duty monitor has finalised (any thread).
  void PublishDuty();

  config::Config cfg_;
  Options opts_;
  std::unique_ptr<store::Store> store_;
  std::vector<std::unique_ptr<Camera>> cameras_;
  std::unique_ptr<duty::DutyMonitor> duty_;  // null without posts and patrols
  std::mutex duty_mu_;                       // serialises PublishDuty
  // Duty conditions published without an end yet, by (type, rule, camera, t epoch).
  std::map<std::tuple<std::string, std::string, std::string, double>, events::Event>
      open_duty_;  // GUARDED_BY(duty_mu_)
  Scheduler scheduler_;
  std::mutex listeners_mu_;
  std::vector<Listener> listeners_;  // GUARDED_BY(listeners_mu_)
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace watchline::engine
