#include "analysis/rules.h"

#include <algorithm>

#include "analysis/geometry.h"

namespace watchline::analysis {
namespace {

std::vector<cv::Point2d> ToPoints(const std::vector<config::Point>& pts) {
  std::vector<cv::Point2d> out;
  out.reserve(pts.size());
  for (const auto& p : pts) out.emplace_back(p.x, p.y);
  return out;
}

cv::Rect2d Lerp(const cv::Rect2d& a, const cv::Rect2d& b, double u) {
  return {a.x + u * (b.x - a.x), a.y + u * (b.y - a.y), a.width + u * (b.width - a.width),
          a.height + u * (b.height - a.height)};
}

}  // namespace

RuleEngine::RuleEngine(const config::CameraConfig& cam)
    : camera_(cam.id), debounce_s_(cam.detection.debounce_s) {
  for (const auto& l : cam.lines)
    if (l.points.size() >= 2) lines_.push_back({l.id, ToPoints(l.points), l.classes});
  for (const auto& z : cam.zones)
    if (z.polygon.size() >= 3) zones_.push_back({z.id, ToPoints(z.polygon), z.classes, z.loiter_s});
}

bool RuleEngine::ClassAllowed(const std::vector<std::string>& classes, const Track& track) {
  if (classes.empty()) return true;
  const std::string_view name = ClassName(track.cls);
  return std::find(classes.begin(), classes.end(), name) != classes.end();
}

events::Event RuleEngine::MakeEvent(const char* type, const Track& track, const std::string& rule,
                                    double t, const cv::Rect2d& box) const {
  events::Event e;
  e.type = type;
  e.camera = camera_;
  e.t = t;
  e.track = track.id;
  e.cls = std::string(ClassName(track.cls));
  e.rule = rule;
  e.confidence = track.Quality();
  e.box = events::Box{box.x, box.y, box.width, box.height};
  return e;
}

void RuleEngine::StepLines(const Track& track, const TrackPoint& p0, const TrackPoint& p1,
                           TrackState* st, std::vector<events::Event>* out) {
  for (size_t li = 0; li < lines_.size(); ++li) {
    const Line& line = lines_[li];
    LineState& ls = st->lines[li];
    for (const PolylineCrossing& c : FindCrossings(line.points, p0.foot, p1.foot)) {
      if (ls.pending && ls.pending->direction != c.direction) {
        ls.pending.reset();  // went back before clearing the dead band
        continue;
      }
      ls.pending = PendingCrossing{c.direction, c.segment, p0.t + (p1.t - p0.t) * c.u,
                                   Lerp(p0.box, p1.box, c.u)};
    }
    if (!ls.pending) continue;
    const PendingCrossing pc = *ls.pending;
    const double beyond = pc.direction * SignedDistance(line.points[pc.segment],
                                                        line.points[pc.segment + 1], p1.foot);
    if (beyond < std::max(kCrossingDeadBand, kCrossingDeadBandHeights * p1.box.height)) continue;
    ls.pending.reset();
    std::optional<double>& last = ls.last_fired[pc.direction > 0 ? 1 : 0];
    if (last && pc.t - *last < debounce_s_) continue;
    last = pc.t;
    if (!ClassAllowed(line.classes, track)) continue;
    events::Event e = MakeEvent("line_crossing", track, line.id, pc.t, pc.box);
    e.direction = pc.direction > 0 ? "in" : "out";
    out->push_back(std::move(e));
  }
}

void RuleEngine::StepZones(const Track& track, const std::optional<TrackPoint>& p0,
                           const TrackPoint& p1, TrackState* st, std::vector<events::Event>* out) {
  for (size_t zi = 0; zi < zones_.size(); ++zi) {
    const Zone& zone = zones_[zi];
    ZoneState& zs = st->zones[zi];
    const bool in = PointInPolygon(zone.polygon, p1.foot);
    if (in && !zs.inside) {
      zs.inside = true;
      cv::Rect2d box = p1.box;
      zs.entry_t = p1.t;
      if (p0) {
        const double u = EntryFraction(zone.polygon, p0->foot, p1.foot);
        zs.entry_t = p0->t + (p1.t - p0->t) * u;
        box = Lerp(p0->box, p1.box, u);
      }
      if (!zs.intrusion_fired && ClassAllowed(zone.classes, track)) {
        zs.intrusion_fired = true;
        out->push_back(MakeEvent("zone_intrusion", track, zone.id, zs.entry_t, box));
      }
    } else if (!in && zs.inside) {
      // Loitering counts an unbroken stay; check the stay that is ending first.
      CheckLoitering(track, p1.t, p1.box, st, out);
      zs.inside = false;
    }
  }
}

void RuleEngine::CheckLoitering(const Track& track, double now, const cv::Rect2d& box,
                                TrackState* st, std::vector<events::Event>* out) {
  for (size_t zi = 0; zi < zones_.size(); ++zi) {
    const Zone& zone = zones_[zi];
    ZoneState& zs = st->zones[zi];
    if (!zone.loiter_s || !zs.inside || zs.loiter_fired) continue;
    if (now - zs.entry_t < *zone.loiter_s) continue;
    zs.loiter_fired = true;
    if (!ClassAllowed(zone.classes, track)) continue;
    out->push_back(MakeEvent("loitering", track, zone.id, zs.entry_t + *zone.loiter_s, box));
  }
}

void RuleEngine::Evaluate(const Track& track, double now, std::vector<events::Event>* out) {
  if (!track.confirmed || !track.steady || (lines_.empty() && zones_.empty())) return;
  auto [it, fresh] = state_.try_emplace(track.id);
  TrackState& st = it->second;
  if (fresh) {
    st.lines.resize(lines_.size());
    st.zones.resize(zones_.size());
  }
  // Path points are ordered by seq: skip straight to the first unseen one.
  auto first = std::upper_bound(track.path.begin(), track.path.end(), st.last_seq,
                                [](int64_t seq, const TrackPoint& p) { return seq < p.seq; });
  for (auto pit = first; pit != track.path.end(); ++pit) {
    const TrackPoint& p = *pit;
    if (st.prev) StepLines(track, *st.prev, p, &st, out);
    StepZones(track, st.prev, p, &st, out);
    CheckLoitering(track, p.t, p.box, &st, out);
    st.prev = p;
    st.last_seq = p.seq;
  }
  if (st.prev) CheckLoitering(track, now, st.prev->box, &st, out);
}

}  // namespace watchline::analysis
