#include "health/health_monitor.h"

#include <algorithm>
#include <cstdio>

namespace watchline::health {
namespace {

// Picture conditions in the order they win when several are established at once.
constexpr Picture kPriority[] = {Picture::kBlackout, Picture::kGlare,    Picture::kFrozen,
                                 Picture::kOccluded, Picture::kDefocused, Picture::kMoved};

State StateOf(Picture p) {
  switch (p) {
    case Picture::kOk: return State::kOk;
    case Picture::kFrozen: return State::kFrozen;
    case Picture::kBlackout: return State::kBlackout;
    case Picture::kGlare: return State::kGlare;
    case Picture::kDefocused: return State::kDefocused;
    case Picture::kOccluded: return State::kOccluded;
    case Picture::kMoved: return State::kMoved;
  }
  return State::kOk;
}

}  // namespace

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
    : offline_after_s_(cfg.offline_after_s),
      health_(),
      start_(start),
      image_(std::make_unique<ImageHealth>(health_)),
      since_(start) {}

HealthMonitor::HealthMonitor(const config::CameraConfig& cam, double start)
    : offline_after_s_(cam.ingest.offline_after_s),
      health_(cam.health),
      start_(start),
      image_(std::make_unique<ImageHealth>(health_)),
      since_(start) {}

HealthMonitor::~HealthMonitor() = default;

std::optional<Transition> HealthMonitor::Enter(State s, double at, std::string cause, double confidence) {
  if (s == state_) return std::nullopt;
  at = std::max(at, since_);  // states follow one another in time
  Transition tr{state_, s, at, std::move(cause), confidence};
  state_ = s;
  cause_ = tr.cause;
  since_ = at;
  return tr;
}

std::optional<Transition> HealthMonitor::OnFrame(double now) {
  std::lock_guard<std::mutex> lock(mu_);
  last_frame_ = std::max(last_frame_, now);
  if (state_ == State::kStarting || state_ == State::kOffline) {
    return Enter(State::kOk, now, "frames arriving", 1);
  }
  return std::nullopt;
}

std::optional<Transition> HealthMonitor::OnTick(double now, const std::string& last_error) {
  std::lock_guard<std::mutex> lock(mu_);
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
  return Enter(State::kOffline, ref + offline_after_s_, std::move(cause), 1);
}

double HealthMonitor::MinDuration(Picture p) const {
  switch (p) {
    case Picture::kFrozen: return health_.frozen_after_s;
    case Picture::kOccluded: return std::max(health_.min_duration_s, health_.brief_occlusion_s);
    default: return health_.min_duration_s;
  }
}

Picture HealthMonitor::CurrentPicture() const {
  switch (state_) {
    case State::kFrozen: return Picture::kFrozen;
    case State::kBlackout: return Picture::kBlackout;
    case State::kGlare: return Picture::kGlare;
    case State::kDefocused: return Picture::kDefocused;
    case State::kOccluded: return Picture::kOccluded;
    case State::kMoved: return Picture::kMoved;
    default: return Picture::kOk;
  }
}

std::optional<Transition> HealthMonitor::OnImage(double now, const cv::Mat& gray) {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<Transition> tr;
  last_frame_ = std::max(last_frame_, now);
  if (state_ == State::kStarting || state_ == State::kOffline) {
    tr = Enter(State::kOk, now, "frames arriving", 1);
  }
  if (last_image_ >= 0 && now > last_image_) frame_dt_ = now - last_image_;
  last_image_ = now;

  const Picture current = CurrentPicture();
  ImageVerdict v = image_->Observe(gray, now, current);
  Run& run = runs_[static_cast<int>(v.picture)];
  // A frozen picture must be frozen throughout: one live frame breaks the run.
  const double gap = v.picture == Picture::kFrozen ? frame_dt_ * 1.5 : kGapToleranceS;
  if (run.last < 0 || now - run.last > gap) run.start = v.onset >= 0 ? std::min(now, v.onset) : now;
  run.last = now;
  last_verdict_ = v;
  if (tr) return tr;

  auto established = [&](Picture p) {
    const Run& r = runs_[static_cast<int>(p)];
    return r.last == now && now - r.start >= MinDuration(p) - 1e-9;
  };
  if (current != Picture::kOk) {
    const Run& held = runs_[static_cast<int>(current)];
    if (now - held.last < health_.clear_after_s - 1e-9) return std::nullopt;
    const double ended = std::min(held.last + frame_dt_, now);
    for (Picture p : kPriority) {
      if (p != current && established(p)) {
        const Run& r = runs_[static_cast<int>(p)];
        return Enter(StateOf(p), std::max(r.start, ended), v.cause, v.confidence);
      }
    }
    return Enter(State::kOk, ended, std::string(PictureName(current)) + " cleared", 1);
  }
  if (state_ != State::kOk) return std::nullopt;
  for (Picture p : kPriority) {
    if (established(p)) {
      return Enter(StateOf(p), runs_[static_cast<int>(p)].start, v.cause, v.confidence);
    }
  }
  return std::nullopt;
}

void HealthMonitor::Rebaseline() {
  std::lock_guard<std::mutex> lock(mu_);
  image_->Rebaseline();
}

State HealthMonitor::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

std::string HealthMonitor::cause() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cause_;
}

double HealthMonitor::since() const {
  std::lock_guard<std::mutex> lock(mu_);
  return since_;
}

ImageVerdict HealthMonitor::last_verdict() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_verdict_;
}

std::vector<events::Event> TransitionEvents(const std::string& camera, const Transition& tr,
                                            std::optional<events::Event>* open) {
  std::vector<events::Event> out;
  if (open->has_value()) {
    events::Event e = std::move(**open);
    e.end = std::max(tr.at, e.t);
    out.push_back(std::move(e));
    open->reset();
  }
  const std::string type = EventType(tr.to);
  if (!type.empty()) {
    events::Event e;
    e.type = type;
    e.camera = camera;
    e.t = tr.at;
    e.confidence = tr.confidence;
    e.detail = tr.cause;
    out.push_back(e);
    *open = std::move(e);
  }
  return out;
}

}  // namespace watchline::health
