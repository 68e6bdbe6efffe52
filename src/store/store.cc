#include "store/store.h"

#include <cmath>
#include <string>

namespace watchline::store {

namespace {

// "event line_crossing (camera c1)": how messages name the event at fault.
std::string Describe(const events::Event& e) {
  return "event " + (e.type.empty() ? std::string("<no type>") : e.type) + " (camera " +
         (e.camera.empty() ? std::string("<none>") : e.camera) + ")";
}

bool Finite(double v) { return std::isfinite(v); }

}  // namespace

Status ValidateForAppend(const events::Event& e) {
  if (e.id != 0) {
    return Status::InvalidArgument(Describe(e) + " already has id " + std::to_string(e.id) +
                                   "; Append assigns ids");
  }
  if (e.type.empty()) return Status::InvalidArgument(Describe(e) + ": type is empty");
  if (e.camera.empty()) return Status::InvalidArgument(Describe(e) + ": camera is empty");
  if (!Finite(e.t)) return Status::InvalidArgument(Describe(e) + ": t is not finite");
  if (e.end && !Finite(*e.end)) return Status::InvalidArgument(Describe(e) + ": end is not finite");
  if (!Finite(e.confidence)) {
    return Status::InvalidArgument(Describe(e) + ": confidence is not finite");
  }
  if (!Finite(e.wall)) return Status::InvalidArgument(Describe(e) + ": wall is not finite");
  if (e.box && !(Finite(e.box->x) && Finite(e.box->y) && Finite(e.box->w) && Finite(e.box->h))) {
    return Status::InvalidArgument(Describe(e) + ": box has a non-finite coordinate");
  }
  if (e.position && !(Finite(e.position->lat) && Finite(e.position->lon))) {
    return Status::InvalidArgument(Describe(e) + ": position is not finite");
  }
  return Status::Ok();
}

Status ValidateFilter(const EventFilter& f) {
  if (f.limit < 1 || f.limit > kMaxQueryLimit) {
    return Status::InvalidArgument("event query limit " + std::to_string(f.limit) +
                                   " is outside 1.." + std::to_string(kMaxQueryLimit));
  }
  if (f.after_id < 0) {
    return Status::InvalidArgument("event query after_id " + std::to_string(f.after_id) +
                                   " is negative");
  }
  if ((f.from_wall && !Finite(*f.from_wall)) || (f.to_wall && !Finite(*f.to_wall))) {
    return Status::InvalidArgument("event query wall range is not finite");
  }
  return Status::Ok();
}

Status ValidateCameraState(const CameraState& s) {
  if (s.camera.empty()) return Status::InvalidArgument("camera state has an empty camera id");
  if (s.state.empty()) {
    return Status::InvalidArgument("camera state of camera " + s.camera + " is empty");
  }
  if (!Finite(s.since_wall) || !Finite(s.updated_wall)) {
    return Status::InvalidArgument("camera state of camera " + s.camera + " has a non-finite time");
  }
  return Status::Ok();
}

}  // namespace watchline::store
