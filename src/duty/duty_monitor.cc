#include "duty/duty_monitor.h"

#include <algorithm>
#include <cmath>

namespace watchline::duty {

DutyMonitor::DutyMonitor(std::vector<PostSpec> posts, std::vector<PatrolSpec> patrols)
    : post_specs_(std::move(posts)), patrol_specs_(std::move(patrols)) {
  for (const auto& p : post_specs_) posts_.push_back(std::make_unique<PostMonitor>(p));
  for (const auto& p : patrol_specs_) patrols_.push_back(std::make_unique<PatrolMonitor>(p));
}

Result<std::unique_ptr<DutyMonitor>> DutyMonitor::Make(std::vector<PostSpec> posts,
                                                       std::vector<PatrolSpec> patrols) {
  for (const auto& p : posts) WL_RETURN_IF_ERROR(ValidatePost(p));
  for (const auto& p : patrols) WL_RETURN_IF_ERROR(ValidatePatrol(p));
  return std::make_unique<DutyMonitor>(std::move(posts), std::move(patrols));
}

void DutyMonitor::OnPersons(const std::string& camera, double t, const std::vector<PersonObs>& persons) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& p : posts_)
    if (p->spec().camera == camera) p->Observe(t, persons);
  for (auto& p : patrols_) {
    p->ObservePersons(camera, t, persons);
    p->AdvanceCamera(camera, t);
  }
}

void DutyMonitor::AdvanceCamera(const std::string& camera, double t) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& p : posts_)
    if (p->spec().camera == camera) p->Advance(t);
  for (auto& p : patrols_) p->AdvanceCamera(camera, t);
}

Status DutyMonitor::Scan(const std::string& checkpoint, double t, const std::string& source) {
  if (!std::isfinite(t))
    return Status::InvalidArgument("scan of checkpoint '" + checkpoint + "': time is not a number");
  std::lock_guard<std::mutex> lock(mu_);
  bool found = false;
  for (auto& p : patrols_) found = p->Visit(checkpoint, t, source) || found;
  if (!found) return Status::NotFound("no patrol has a checkpoint '" + checkpoint + "'");
  return Status::Ok();
}

std::vector<events::Event> DutyMonitor::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<events::Event> out;
  for (auto& p : posts_)
    for (auto& e : p->Take()) out.push_back(std::move(e));
  for (auto& p : patrols_)
    for (auto& e : p->Take()) out.push_back(std::move(e));
  std::stable_sort(out.begin(), out.end(),
                   [](const events::Event& a, const events::Event& b) { return a.t < b.t; });
  return out;
}

bool DutyMonitor::PostOnDuty(const std::string& post_id, double t) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& p : posts_)
    if (p->spec().id == post_id) return p->OnDuty(t);
  return false;
}

namespace {
std::vector<Shift> ToShifts(const std::vector<config::ShiftConfig>& in) {
  std::vector<Shift> out;
  for (const auto& s : in) out.push_back({s.days, s.start_min, s.end_min});
  return out;
}
}  // namespace

Result<PostSpec> PostSpecFromConfig(const config::PostConfig& c) {
  PostSpec s;
  s.id = c.id;
  s.camera = c.camera;
  s.zone = c.zone;
  auto sched = Schedule::Make(ToShifts(c.schedule.shifts), c.schedule.tz);
  if (!sched.ok())
    return sched.status().WithContext("post '" + c.id + "' (line " + std::to_string(c.line) + ")");
  s.schedule = std::move(sched).value();
  s.vacant_s = c.vacant_s;
  s.still_s = c.still_s;
  s.still_radius = c.still_radius;
  s.classes = c.classes;
  WL_RETURN_IF_ERROR(ValidatePost(s));
  return s;
}

Result<PatrolSpec> PatrolSpecFromConfig(const config::PatrolConfig& c) {
  PatrolSpec s;
  s.id = c.id;
  std::vector<Shift> shifts;
  for (int start : c.starts) shifts.push_back({c.days, start, start});
  auto sched = Schedule::Make(std::move(shifts), c.tz);
  if (!sched.ok())
    return sched.status().WithContext("patrol '" + c.id + "' (line " + std::to_string(c.line) + ")");
  s.schedule = std::move(sched).value();
  s.late_limit_s = c.late_limit_s;
  for (const auto& cc : c.checkpoints) {
    CheckpointSpec cp;
    cp.id = cc.id;
    cp.camera = cc.camera;
    cp.zone = cc.zone;
    cp.line = cc.line;
    cp.after_s = cc.after_s;
    cp.within_s = cc.within_s;
    cp.at_min = cc.at_min;
    cp.tolerance_s = cc.tolerance_s;
    s.checkpoints.push_back(std::move(cp));
  }
  WL_RETURN_IF_ERROR(ValidatePatrol(s));
  return s;
}

}  // namespace watchline::duty
