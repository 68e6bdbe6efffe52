#include "health/health_monitor.h"

#include <cstdio>

namespace watchline::health {

std::string_view StateName(State s) {
  switch (s) {
    case State::kStarting: return "starting";
    case State::kOk: return "ok";
    case State::kOffline: return "offline";
    case State::kFrozen: return "frozen";
    case State::kBlackout: return "blackout";
    case State::kGlare: return "glare";
    case State::kDefocused: return "defocused";
    case State::kOccluded: return "occluded";
    case State::kMoved: return "moved";
    case State::kDisabled: return "disabled";
  }
  return "unknown";
}

std::string EventType(State s) {
  switch (s) {
    case State::kStarting:
    case State::kOk:
    case State::kDisabled: return "";
    default: return "camera_" + std::string(StateName(s));
  }
}

HealthMonitor::HealthMonitor(const config::IngestConfig& cfg, double start)
    : offline_after_s_(cfg.offline_after_s), start_(start), since_(start) {}

std::optional<Transition> HealthMonitor::Enter(State s, double at, std::string cause) {
  if (s == state_) return std::nullopt;
  Transition tr{state_, s, at, std::move(cause)};
  state_ = s;
  cause_ = tr.cause;
  since_ = at;
  return tr;
}

std::optional<Transition> HealthMonitor::OnFrame(double now) {
  last_frame_ = now;
  if (state_ == State::kStarting || state_ == State::kOffline) {
    return Enter(State::kOk, now, "frames arriving");
  }
  return std::nullopt;
}

std::optional<Transition> HealthMonitor::OnTick(double now, const std::string& last_error) {
  if (state_ == State::kOffline || state_ == State::kDisabled) return std::nullopt;
  const double ref = last_frame_ >= 0 ? last_frame_ : start_;
  if (now - ref < offline_after_s_) return std::nullopt;
  char buf[96];
  if (last_frame_ >= 0) {
    std::snprintf(buf, sizeof buf, "no frame for %.1f s", now - ref);
  } else {
    std::snprintf(buf, sizeof buf, "no frame since start (%.1f s)", now - ref);
  }
  std::string cause = buf;
  if (!last_error.empty()) cause += ": " + last_error;
  // The state began when the last frame was seen, not when we noticed.
  return Enter(State::kOffline, ref + offline_after_s_, std::move(cause));
}

}  // namespace watchline::health
