#include "duty/post_monitor.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace watchline::duty {
namespace {

constexpr double kNever = -std::numeric_limits<double>::infinity();

const char* TypeName(bool vacant) { return vacant ? "post_vacant" : "post_inactive"; }

}  // namespace

Status ValidatePost(const PostSpec& s) {
  std::string where = "post '" + s.id + "' (camera " + s.camera + "): ";
  if (s.id.empty()) return Status::InvalidArgument("post on camera " + s.camera + ": empty id");
  if (s.zone.size() < 3) return Status::InvalidArgument(where + "zone needs 3 or more points");
  if (!(s.vacant_s > 0)) return Status::InvalidArgument(where + "vacant_s must be > 0 seconds");
  if (!(s.still_s > 0)) return Status::InvalidArgument(where + "still_s must be > 0 seconds");
  if (!(s.still_radius >= 0)) return Status::InvalidArgument(where + "still_radius must be >= 0");
  return Status::Ok();
}

PostMonitor::PostMonitor(PostSpec spec) : spec_(std::move(spec)) {}

std::vector<events::Event> PostMonitor::Take() {
  std::vector<events::Event> out;
  out.swap(out_);
  return out;
}

double PostMonitor::StillSince() const {
  double s = kNever;
  for (const auto& [id, ts] : tracks_) s = std::max(s, ts.still_since);
  return s;
}

std::string PostMonitor::Detail(Kind kind, const std::string& reason) const {
  nlohmann::json d;
  if (shift_) {
    d["shift"] = shift_->label;
    d["shift_start"] = shift_->start;
    d["shift_end"] = shift_->end;
  }
  d["threshold_s"] = kind == Kind::kVacant ? spec_.vacant_s : spec_.still_s;
  if (kind == Kind::kInactive) d["track"] = inactive_track_;
  if (!reason.empty()) d["reason"] = reason;
  return d.dump();
}

void PostMonitor::Open(Kind kind, double t) {
  bool vacant = kind == Kind::kVacant;
  events::Event e;
  e.type = TypeName(vacant);
  e.camera = spec_.camera;
  e.rule = spec_.id;
  e.t = t;
  if (!vacant) {
    e.track = inactive_track_;
    e.cls = "person";
  }
  e.detail = Detail(kind, "");
  out_.push_back(std::move(e));
  (vacant ? vacant_open_t_ : inactive_open_t_) = t;
}

void PostMonitor::Close(Kind kind, double end, const std::string& reason) {
  bool vacant = kind == Kind::kVacant;
  std::optional<double>& open = vacant ? vacant_open_t_ : inactive_open_t_;
  if (!open) return;
  events::Event e;
  e.type = TypeName(vacant);
  e.camera = spec_.camera;
  e.rule = spec_.id;
  e.t = *open;
  e.end = std::max(end, *open);
  if (!vacant) {
    e.track = inactive_track_;
    e.cls = "person";
  }
  e.detail = Detail(kind, reason);
  out_.push_back(std::move(e));
  open.reset();
}

void PostMonitor::RaiseDueVacancy(double until) {
  if (vacant_since_ && !vacant_open_t_ && *vacant_since_ + spec_.vacant_s <= until) {
    Open(Kind::kVacant, *vacant_since_);
  }
}

void PostMonitor::RunTo(double t) {
  if (now_ == kNever) now_ = t;
  while (true) {
    if (!shift_) {
      // next_shift_ caches the first shift not yet over at now_, looked up
      // kShiftLookaheadS ahead, so frames off duty cost no time zone work.
      if (!next_shift_ && lookup_until_ <= now_) {
        auto insts = spec_.schedule.Instances(now_, now_ + kShiftLookaheadS);
        if (!insts.empty()) next_shift_ = insts.front();
        lookup_until_ = now_ + kShiftLookaheadS;
      }
      if (next_shift_ && next_shift_->start <= t) {
        shift_ = std::move(next_shift_);
        next_shift_.reset();
        now_ = std::max(shift_->start, now_);
        if (!manned_) vacant_since_ = now_;
        continue;
      }
      if (!next_shift_ && lookup_until_ <= t) {
        now_ = lookup_until_;  // nothing before here; look further
        continue;
      }
      now_ = std::max(now_, t);
      return;
    }
    double stop = std::min(t, shift_->end);
    RaiseDueVacancy(stop);
    now_ = std::max(now_, stop);
    if (now_ < shift_->end) return;
    Close(Kind::kVacant, shift_->end, "shift_end");
    Close(Kind::kInactive, shift_->end, "shift_end");
    vacant_since_.reset();
    shift_.reset();
    lookup_until_ = kNever;
  }
}

void PostMonitor::GoDark() {
  live_ = false;
  Close(Kind::kInactive, last_frame_t_, "camera_dark");
  if (manned_ && shift_ && !vacant_since_) vacant_since_ = std::max(last_seen_t_, shift_->start);
  tracks_.clear();
  manned_ = false;
}

void PostMonitor::Advance(double t) {
  if (ended_ || std::isnan(t)) return;
  if (std::isinf(t)) {
    if (t < 0) return;
    Close(Kind::kVacant, now_, "stream_ended");
    Close(Kind::kInactive, now_, "stream_ended");
    ended_ = true;
    return;
  }
  if (now_ != kNever && t <= now_) return;
  if (live_ && t - last_frame_t_ > kFrameGapS) GoDark();
  RunTo(t);
}

void PostMonitor::Observe(double t, const std::vector<PersonObs>& obs) {
  if (ended_ || !std::isfinite(t)) return;
  if (now_ != kNever && t < now_) return;
  if (live_ && t - last_frame_t_ > kFrameGapS) GoDark();
  RunTo(t);

  std::map<int64_t, TrackState> present;
  for (const PersonObs& o : obs) {
    if (!spec_.classes.empty() &&
        std::find(spec_.classes.begin(), spec_.classes.end(), o.cls) == spec_.classes.end()) {
      continue;
    }
    Pt foot{o.x, o.y};
    if (!PointInPolygon(foot, spec_.zone)) continue;
    auto it = tracks_.find(o.track);
    TrackState ts{foot, t};  // a track new to the zone counts as moving
    if (it != tracks_.end()) {
      ts = it->second;
      if (std::hypot(foot.x - ts.anchor.x, foot.y - ts.anchor.y) > spec_.still_radius) ts = {foot, t};
    }
    present[o.track] = ts;
  }
  tracks_ = std::move(present);
  manned_ = !tracks_.empty();
  live_ = true;
  last_frame_t_ = t;

  if (manned_) {
    if (vacant_since_) {
      Close(Kind::kVacant, t, "returned");
      vacant_since_.reset();
    }
    last_seen_t_ = t;
  } else if (shift_ && !vacant_since_) {
    vacant_since_ = std::max(last_seen_t_, shift_->start);
  }

  if (inactive_open_t_) {
    if (!manned_) {
      Close(Kind::kInactive, t, "left");
    } else if (StillSince() > *inactive_open_t_) {
      Close(Kind::kInactive, t, "moved");
    }
  }
  if (!shift_) return;
  RaiseDueVacancy(t);
  if (manned_ && !inactive_open_t_) {
    double since = StillSince();
    double s0 = std::max(since, shift_->start);
    if (s0 + spec_.still_s <= t) {
      for (const auto& [id, ts] : tracks_) {
        if (ts.still_since == since) inactive_track_ = id;
      }
      Open(Kind::kInactive, s0);
    }
  }
}

}  // namespace watchline::duty
