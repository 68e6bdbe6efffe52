#include "duty/patrol_monitor.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace watchline::duty {
namespace {

constexpr double kSecondsPerMinute = 60;

bool ClassAllowed(const std::vector<std::string>& classes, const std::string& cls) {
  return classes.empty() || std::find(classes.begin(), classes.end(), cls) != classes.end();
}

}  // namespace

Status ValidatePatrol(const PatrolSpec& p) {
  std::string where = "patrol '" + p.id + "'";
  if (p.id.empty()) return Status::InvalidArgument("patrol with an empty id");
  if (p.checkpoints.empty()) return Status::InvalidArgument(where + ": no checkpoints");
  if (!(p.late_limit_s >= 0)) return Status::InvalidArgument(where + ": late_limit_s must be >= 0 seconds");
  std::set<std::string> ids;
  for (const CheckpointSpec& c : p.checkpoints) {
    std::string cw = where + " checkpoint '" + c.id + "'";
    if (c.id.empty()) return Status::InvalidArgument(where + ": checkpoint with an empty id");
    if (!ids.insert(c.id).second) return Status::InvalidArgument(cw + ": duplicate id");
    if (!c.zone.empty() && !c.line.empty())
      return Status::InvalidArgument(cw + ": give a zone or a line, not both");
    if (!c.zone.empty() && c.zone.size() < 3)
      return Status::InvalidArgument(cw + ": zone needs 3 or more points");
    if (!c.line.empty() && c.line.size() < 2)
      return Status::InvalidArgument(cw + ": line needs 2 or more points");
    if ((!c.zone.empty() || !c.line.empty()) && c.camera.empty())
      return Status::InvalidArgument(cw + ": a zone or line needs a camera");
    if (c.at_min) {
      if (c.within_s) return Status::InvalidArgument(cw + ": give within_s or at_min, not both");
      if (*c.at_min < 0 || *c.at_min >= kMinutesPerDay)
        return Status::InvalidArgument(cw + ": at_min " + std::to_string(*c.at_min) + " not in 0..1439");
      if (!(c.tolerance_s >= 0)) return Status::InvalidArgument(cw + ": tolerance_s must be >= 0 seconds");
    } else {
      if (!c.within_s) return Status::InvalidArgument(cw + ": needs a window (within_s or at_min)");
      if (!(c.after_s >= 0) || !(*c.within_s > c.after_s))
        return Status::InvalidArgument(cw + ": window needs 0 <= after_s < within_s (seconds)");
    }
  }
  return Status::Ok();
}

Window CheckpointWindow(const PatrolSpec& patrol, const CheckpointSpec& cp, double run_start) {
  if (!cp.at_min) return {run_start + cp.after_s, run_start + cp.within_s.value_or(cp.after_s)};
  double at = patrol.schedule.LocalDayMinute(run_start, *cp.at_min);
  if (at + cp.tolerance_s < run_start) {
    at = patrol.schedule.LocalDayMinute(run_start, *cp.at_min + kMinutesPerDay);
  }
  return {at - cp.tolerance_s, at + cp.tolerance_s};
}

PatrolMonitor::PatrolMonitor(PatrolSpec spec) : spec_(std::move(spec)), visits_(spec_.checkpoints.size()) {}

bool PatrolMonitor::HasCheckpoint(const std::string& id) const {
  for (const auto& c : spec_.checkpoints)
    if (c.id == id) return true;
  return false;
}

std::vector<events::Event> PatrolMonitor::Take() {
  std::vector<events::Event> out;
  out.swap(out_);
  return out;
}

void PatrolMonitor::NoteTime(double t, bool sets_origin) {
  if (!std::isfinite(t)) return;
  if (sets_origin) origin_ = origin_ ? std::min(*origin_, t) : t;
  latest_ = latest_ ? std::max(*latest_, t) : t;
}

bool PatrolMonitor::UsesCamera(const std::string& camera) const {
  if (camera.empty()) return false;
  for (const auto& c : spec_.checkpoints)
    if (c.camera == camera) return true;
  return false;
}

void PatrolMonitor::AddVisit(size_t k, double t, const std::string& source) {
  visits_[k].insert({t, source});
}

void PatrolMonitor::ObservePersons(const std::string& camera, double t,
                                   const std::vector<PersonObs>& persons) {
  if (!std::isfinite(t) || !UsesCamera(camera)) return;
  NoteTime(t, /*sets_origin=*/true);
  CameraState& cs = cameras_[camera];
  std::set<std::pair<size_t, int64_t>> inside;
  for (const PersonObs& p : persons) {
    Pt foot{p.x, p.y};
    auto prev = cs.last_foot.find(p.track);
    for (size_t k = 0; k < spec_.checkpoints.size(); ++k) {
      const CheckpointSpec& c = spec_.checkpoints[k];
      if (c.camera != camera || !ClassAllowed(c.classes, p.cls)) continue;
      std::string source = "video:" + camera + "/" + std::to_string(p.track);
      if (!c.zone.empty()) {
        if (!PointInPolygon(foot, c.zone)) continue;
        inside.insert({k, p.track});
        if (!cs.inside.count({k, p.track})) AddVisit(k, t, source);
      } else if (!c.line.empty() && prev != cs.last_foot.end() && prev->second.first < t) {
        auto frac = CrossingFraction(prev->second.second, foot, c.line);
        if (frac) AddVisit(k, prev->second.first + *frac * (t - prev->second.first), source);
      }
    }
    cs.last_foot[p.track] = {t, foot};
  }
  cs.inside = std::move(inside);
  for (auto it = cs.last_foot.begin(); it != cs.last_foot.end();) {
    it = t - it->second.first > kTrackForgetS ? cs.last_foot.erase(it) : std::next(it);
  }
  Evaluate();
}

bool PatrolMonitor::Visit(const std::string& checkpoint, double t, const std::string& source) {
  bool found = false;
  for (size_t k = 0; k < spec_.checkpoints.size(); ++k) {
    if (spec_.checkpoints[k].id != checkpoint) continue;
    found = true;
    if (std::isfinite(t)) AddVisit(k, t, source);
  }
  if (!found || !std::isfinite(t)) return found;
  // Scans start the judging only for a route watched by no camera.
  bool any_camera = false;
  for (const auto& c : spec_.checkpoints) any_camera = any_camera || !c.camera.empty();
  NoteTime(t, /*sets_origin=*/!any_camera);
  Evaluate();
  return true;
}

void PatrolMonitor::AdvanceCamera(const std::string& camera, double t) {
  if (std::isnan(t)) return;
  auto [it, fresh] = watermark_.try_emplace(camera, t);
  if (!fresh) {
    if (t <= it->second) return;
    it->second = t;
  }
  NoteTime(t, UsesCamera(camera));
  Evaluate();
}

double PatrolMonitor::Watermark(const CheckpointSpec& cp) const {
  if (cp.camera.empty()) return latest_.value_or(-std::numeric_limits<double>::infinity());
  auto it = watermark_.find(cp.camera);
  return it == watermark_.end() ? -std::numeric_limits<double>::infinity() : it->second;
}

void PatrolMonitor::DiscoverRuns() {
  if (!origin_ || !latest_) return;
  auto add = [this](double from, double to) {  // run starts in [from, to]
    for (auto& inst : spec_.schedule.Instances(from, to + 1e-3)) {
      if (inst.start < from || inst.start > to) continue;
      Run run{inst, std::vector<CpState>(spec_.checkpoints.size()), {}};
      for (const auto& c : spec_.checkpoints) run.windows.push_back(CheckpointWindow(spec_, c, inst.start));
      runs_.try_emplace(inst.start, std::move(run));
    }
  };
  if (!scanned_) {
    add(*origin_, *latest_);
    scanned_ = {*origin_, *latest_};
  }
  if (*origin_ < scanned_->first) {
    add(*origin_, std::nextafter(scanned_->first, -1e300));
    scanned_->first = *origin_;
  }
  if (*latest_ > scanned_->second) {
    // Only look the zone up again once a run can have started.
    if (*latest_ >= next_run_) add(std::nextafter(scanned_->second, 1e300), *latest_);
    scanned_->second = *latest_;
  }
  if (next_run_ <= scanned_->second) {
    next_run_ = scanned_->second + kShiftLookaheadS;
    for (auto& inst : spec_.schedule.Instances(scanned_->second, next_run_)) {
      if (inst.start > scanned_->second) {
        next_run_ = inst.start;
        break;
      }
    }
  }
}

events::Event PatrolMonitor::MakeEvent(const char* type, const Run& run, size_t k, double t) const {
  const CheckpointSpec& c = spec_.checkpoints[k];
  const Window& w = run.windows[k];
  events::Event e;
  e.type = type;
  e.camera = c.camera;
  e.rule = spec_.id;
  e.t = t;
  nlohmann::json d;
  d["checkpoint"] = c.id;
  d["run"] = run.inst.label;
  d["run_start"] = run.inst.start;
  d["window"] = {w.open, w.close};
  e.detail = d.dump();
  return e;
}

bool PatrolMonitor::EvaluateRun(Run& run) {
  double prev = -std::numeric_limits<double>::infinity();
  for (size_t k = 0; k < run.cps.size(); ++k) {
    CpState& st = run.cps[k];
    if (st.status != CpStatus::kPending) {
      prev = st.order_t;
      continue;
    }
    const CheckpointSpec& c = spec_.checkpoints[k];
    const Window& w = run.windows[k];
    double limit = w.close + spec_.late_limit_s;
    double wm = Watermark(c);
    // The earliest eligible visit: at or after the window opens, after the
    // previous checkpoint, not past the late limit.
    const std::pair<double, std::string>* visit = nullptr;
    for (auto it = visits_[k].lower_bound({std::max(w.open, prev), std::string()});
         it != visits_[k].end() && it->first <= limit; ++it) {
      if (it->first > prev) {
        visit = &*it;
        break;
      }
    }
    if (visit && visit->first <= wm) {
      bool late = visit->first > w.close;
      if (late) {
        if (!st.missed_emitted) out_.push_back(MakeEvent("patrol_missed", run, k, w.close));
        events::Event closed = MakeEvent("patrol_missed", run, k, w.close);
        closed.end = visit->first;
        out_.push_back(std::move(closed));
        events::Event le = MakeEvent("patrol_late", run, k, visit->first);
        auto d = nlohmann::json::parse(le.detail);
        d["late_by_s"] = visit->first - w.close;
        d["source"] = visit->second;
        le.detail = d.dump();
        out_.push_back(std::move(le));
      }
      events::Event ce = MakeEvent("patrol_checkpoint", run, k, visit->first);
      auto d = nlohmann::json::parse(ce.detail);
      d["status"] = late ? "late" : "on_time";
      d["source"] = visit->second;
      ce.detail = d.dump();
      out_.push_back(std::move(ce));
      st.status = late ? CpStatus::kLate : CpStatus::kOnTime;
      st.order_t = visit->first;
      prev = st.order_t;
      continue;
    }
    // No visit so far in the complete evidence (any candidate lies beyond wm).
    if (wm >= w.close && !st.missed_emitted) {
      out_.push_back(MakeEvent("patrol_missed", run, k, w.close));
      st.missed_emitted = true;
    }
    if (wm >= limit) {
      st.status = CpStatus::kMissed;
      st.order_t = w.close;
      prev = st.order_t;
      continue;
    }
    return false;  // later checkpoints wait for this one
  }
  return true;
}

void PatrolMonitor::Evaluate() {
  DiscoverRuns();
  for (auto it = runs_.begin(); it != runs_.end();) {
    it = EvaluateRun(it->second) ? runs_.erase(it) : std::next(it);
  }
  PruneVisits();
}

void PatrolMonitor::PruneVisits() {
  if (!scanned_) return;
  // Until every camera of the route has reported, the origin may still move
  // back and bring older runs that need older visits.
  for (const auto& c : spec_.checkpoints)
    if (!c.camera.empty() && !watermark_.count(c.camera)) return;
  // No window of a run still to judge, or of a run yet to start, opens
  // before `bound`, so older visits can never count again.
  double max_tolerance = 0;
  for (const auto& c : spec_.checkpoints)
    if (c.at_min) max_tolerance = std::max(max_tolerance, c.tolerance_s);
  double bound = scanned_->second - 2 * max_tolerance;
  for (const auto& [start, run] : runs_) {
    for (const Window& w : run.windows) bound = std::min(bound, w.open);
  }
  bound -= kVisitKeepS;
  for (auto& v : visits_) {
    while (!v.empty() && v.begin()->first < bound) v.erase(v.begin());
  }
}

}  // namespace watchline::duty
