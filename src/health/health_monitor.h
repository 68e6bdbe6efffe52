// HealthMonitor: one camera's health state machine. It turns stream facts
// (frames arriving, stream errors, time passing without frames) into state
// transitions with a cause; the engine turns transitions into camera_* events.
//
// This version judges the stream only (ok / offline). Image checks (frozen,
// blackout, glare, defocused, occluded, moved) plug in through ObserveImage later.
//
// Not thread safe: the engine calls it from one thread at a time (under its lock).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

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
  double at = 0;        // clock seconds when the new state began
  std::string cause;    // operator-readable reason
};

class HealthMonitor {
 public:
  // `start` is the clock time the camera was started.
  HealthMonitor(const config::IngestConfig& cfg, double start);

  // A frame arrived at clock time `now`.
  std::optional<Transition> OnFrame(double now);

  // Called periodically (and on stream errors) with the clock time and the
  // latest stream error text ("" if none). Raises offline when no frame has
  // arrived for offline_after_s.
  std::optional<Transition> OnTick(double now, const std::string& last_error);

  State state() const { return state_; }
  const std::string& cause() const { return cause_; }
  double since() const { return since_; }

 private:
  std::optional<Transition> Enter(State s, double at, std::string cause);

  double offline_after_s_;
  double start_;
  double last_frame_ = -1;
  State state_ = State::kStarting;
  std::string cause_;
  double since_;
};

}  // namespace watchline::health
