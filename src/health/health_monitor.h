// HealthMonitor: one camera's health state machine. It turns stream facts
// (frames arriving, stream errors, time passing without frames) and the
// picture checks of ImageHealth into state transitions with a cause; callers
// turn transitions into camera_* events (TransitionEvents below).
//
// States: ok, offline (from the stream), and the picture conditions frozen,
// blackout, glare, defocused, occluded and moved (from OnImage). A picture
// condition is raised once ImageHealth has seen it for health.min_duration_s
// (occluded: brief_occlusion_s, so people passing close to the lens are
// ignored; frozen: frozen_after_s), with gaps shorter than kGapToleranceS
// bridged; it is cleared once it has been gone for health.clear_after_s.
// ImageHealth also holds a raised condition with laxer thresholds. A
// transition's `at` is when the condition began (or ended), not when it was
// confirmed: events carry the onset as t.
//
// Time: every method takes `now` on one time axis of the caller's choosing —
// the engine passes clock seconds, `watchline analyze` the media time of the
// frame. OnImage uses differences of `now` as stream time between frames.
//
// Thread safety: thread safe. The analysis thread calls OnImage while the
// engine's watchdog calls OnFrame/OnTick; an internal mutex serialises them.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "config/config.h"
#include "events/event.h"
#include "health/image_health.h"

namespace watchline::health {

enum class State {
  kStarting,   // no frame yet, still inside the offline grace period
  kOk,
  kOffline,
  kFrozen,
  kBlackout,
  kGlare,
  kDefocused,
  kOccluded,
  kMoved,
  kDisabled,   // switched off on purpose in the config
};

// "ok", "offline", ... as used in the API and the camera_state table.
std::string_view StateName(State s);
// "camera_offline" and so on; "" for kOk, kStarting and kDisabled, which raise no event.
std::string EventType(State s);

struct Transition {
  State from = State::kStarting;
  State to = State::kStarting;
  double at = 0;          // seconds on the caller's time axis when the new state began
  std::string cause;      // operator-readable reason ("covered 72% of the view")
  double confidence = 0;  // 0..1 for picture conditions; 1 for stream facts
};

// Bridged gaps: a condition seen, missed for up to this long, and seen again
// is one run (a person walking past a covered lens does not restart it).
inline constexpr double kGapToleranceS = 0.6;

class HealthMonitor {
 public:
  // `start` is the time the camera was started. The picture checks use the
  // defaults of config::HealthConfig.
  HealthMonitor(const config::IngestConfig& cfg, double start);
  // Stream limits from cam.ingest, picture checks from cam.health.
  HealthMonitor(const config::CameraConfig& cam, double start);
  ~HealthMonitor();

  // A frame arrived at time `now`.
  std::optional<Transition> OnFrame(double now);

  // Called periodically (and on stream errors) with the time and the
  // latest stream error text ("" if none). Raises offline when no frame has
  // arrived for offline_after_s.
  std::optional<Transition> OnTick(double now, const std::string& last_error);

  // One analysed grey frame (CV_8UC1, any size) taken at `now`. Counts as a
  // frame arriving, runs the picture checks and applies the hysteresis. At
  // most one transition per call.
  std::optional<Transition> OnImage(double now, const cv::Mat& gray);

  // Forgets the reference scene; it is learned again from the next frames
  // (an operator's "the camera was moved on purpose"). A raised moved,
  // occluded or defocused condition clears by the usual rule once the new
  // reference matches.
  void Rebaseline();

  State state() const;
  std::string cause() const;
  double since() const;
  // The last picture verdict (for `watchline health` and tuning).
  ImageVerdict last_verdict() const;

 private:
  struct Run {
    double start = -1;  // first frame of the current run
    double last = -1;   // latest frame the condition was seen
  };
  static constexpr int kPictures = 7;

  std::optional<Transition> Enter(State s, double at, std::string cause, double confidence);
  double MinDuration(Picture p) const;
  Picture CurrentPicture() const;

  const double offline_after_s_;
  const config::HealthConfig health_;
  const double start_;

  mutable std::mutex mu_;
  std::unique_ptr<ImageHealth> image_;  // GUARDED_BY(mu_)
  Run runs_[kPictures];                 // GUARDED_BY(mu_)
  ImageVerdict last_verdict_;           // GUARDED_BY(mu_)
  double last_image_ = -1;              // GUARDED_BY(mu_)
  double frame_dt_ = 0.1;               // GUARDED_BY(mu_), latest interval between images
  double last_frame_ = -1;              // GUARDED_BY(mu_)
  State state_ = State::kStarting;      // GUARDED_BY(mu_)
  std::string cause_;                   // GUARDED_BY(mu_)
  double since_;                        // GUARDED_BY(mu_)
};

// The camera_* events a transition means, given the camera's open condition
// event (*open, empty when none): the open one closed (end = tr.at), then the
// new one opened (end null) unless the new state raises no event (ok). *open
// is updated. Health events carry the cause in `detail`.
std::vector<events::Event> TransitionEvents(const std::string& camera, const Transition& tr,
                                            std::optional<events::Event>* open);

}  // namespace watchline::health
