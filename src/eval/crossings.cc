#include "eval/crossings.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace watchline::eval {

Result<std::vector<MotBox>> ReadMotGt(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open ground truth " + path);
  std::vector<MotBox> out;
  std::string row;
  int lineno = 0;
  while (std::getline(in, row)) {
    ++lineno;
    if (row.empty() || row[0] == '#') continue;
    std::replace(row.begin(), row.end(), ',', ' ');
    std::istringstream ss(row);
    MotBox b;
    if (!(ss >> b.frame >> b.id >> b.x >> b.y >> b.w >> b.h)) {
      return Status::InvalidArgument(path + ":" + std::to_string(lineno) +
                                     ": expected frame,id,x,y,w,h,...");
    }
    if (b.id < 0) continue;  // detections, not ground truth
    out.push_back(b);
  }
  return out;
}

namespace {

double Side(const config::Point& a, const config::Point& b, double qx, double qy) {
  return (b.x - a.x) * (qy - a.y) - (b.y - a.y) * (qx - a.x);
}

// Where segment p0->p1 crosses segment a->b: fills u (along p) and returns true.
bool SegmentCross(double p0x, double p0y, double p1x, double p1y, const config::Point& a,
                  const config::Point& b, double* u) {
  const double rx = p1x - p0x, ry = p1y - p0y;
  const double sx = b.x - a.x, sy = b.y - a.y;
  const double den = rx * sy - ry * sx;
  if (std::abs(den) < 1e-12) return false;
  const double qx = a.x - p0x, qy = a.y - p0y;
  const double t = (qx * sy - qy * sx) / den;  // along p
  const double v = (qx * ry - qy * rx) / den;  // along a->b
  if (t < 0 || t > 1 || v < 0 || v > 1) return false;
  *u = t;
  return true;
}

}  // namespace

std::vector<events::Event> CrossingsFromMot(const std::vector<MotBox>& boxes,
                                            const config::LineRule& line,
                                            const CrossingOptions& opt) {
  std::map<int, std::vector<MotBox>> by_id;
  for (const auto& b : boxes) by_id[b.id].push_back(b);
  std::vector<events::Event> out;
  for (auto& [id, track] : by_id) {
    std::sort(track.begin(), track.end(),
              [](const MotBox& l, const MotBox& r) { return l.frame < r.frame; });
    // Per segment of the rule's polyline: the last firm side and the last
    // geometric crossing seen since, which gives the reported time.
    for (size_t s = 0; s + 1 < line.points.size(); ++s) {
      const auto& a = line.points[s];
      const auto& b = line.points[s + 1];
      const double len = std::hypot(b.x - a.x, b.y - a.y);
      int firm = 0;
      double cross_t = -1;
      for (size_t i = 0; i < track.size(); ++i) {
        const double fx = (track[i].x + track[i].w / 2) / opt.width;
        const double fy = (track[i].y + track[i].h) / opt.height;
        const double t = (track[i].frame - 1) / opt.fps;
        if (i > 0) {
          const double px = (track[i - 1].x + track[i - 1].w / 2) / opt.width;
          const double py = (track[i - 1].y + track[i - 1].h) / opt.height;
          const double pt = (track[i - 1].frame - 1) / opt.fps;
          double u;
          if (SegmentCross(px, py, fx, fy, a, b, &u)) cross_t = pt + (t - pt) * u;
        }
        const double d = Side(a, b, fx, fy) / len;  // signed distance
        int side = d > opt.dead_band ? 1 : (d < -opt.dead_band ? -1 : 0);
        if (side == 0) continue;
        if (firm != 0 && side != firm && cross_t >= 0) {
          events::Event e;
          e.type = "line_crossing";
          e.rule = line.id;
          e.track = id;
          e.cls = "person";
          e.t = cross_t;
          e.direction = side > 0 ? "in" : "out";
          e.confidence = 1;
          out.push_back(e);
        }
        if (side != firm) cross_t = -1;
        firm = side;
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const events::Event& l, const events::Event& r) { return l.t < r.t; });
  return out;
}

Result<std::vector<events::Event>> ReadEventsJsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open events file " + path);
  std::vector<events::Event> out;
  std::string row;
  int lineno = 0;
  while (std::getline(in, row)) {
    ++lineno;
    if (row.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(row, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return Status::InvalidArgument(path + ":" + std::to_string(lineno) + ": not valid JSON");
    }
    auto e = events::FromJson(j);
    if (!e.ok()) return e.status().WithContext(path + ":" + std::to_string(lineno));
    out.push_back(std::move(e).value());
  }
  return out;
}

MatchResult MatchEvents(const std::vector<events::Event>& truth,
                        const std::vector<events::Event>& found, const MatchOptions& opt) {
  struct Pair {
    double dt;
    size_t ti, fi;
  };
  std::vector<Pair> pairs;
  for (size_t i = 0; i < truth.size(); ++i) {
    for (size_t j = 0; j < found.size(); ++j) {
      const auto& t = truth[i];
      const auto& f = found[j];
      if (t.type != f.type) continue;
      if (opt.match_rule && t.rule != f.rule) continue;
      if (opt.match_direction && t.direction != f.direction) continue;
      const double dt = std::abs(t.t - f.t);
      if (dt <= opt.tolerance_s) pairs.push_back({dt, i, j});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.dt < b.dt; });
  std::vector<bool> tused(truth.size()), fused(found.size());
  MatchResult r;
  for (const auto& p : pairs) {
    if (tused[p.ti] || fused[p.fi]) continue;
    tused[p.ti] = fused[p.fi] = true;
    ++r.true_positives;
    r.time_errors.push_back(found[p.fi].t - truth[p.ti].t);
  }
  for (size_t i = 0; i < truth.size(); ++i)
    if (!tused[i]) r.missed.push_back(truth[i]);
  for (size_t j = 0; j < found.size(); ++j)
    if (!fused[j]) r.spurious.push_back(found[j]);
  r.false_negatives = static_cast<int>(r.missed.size());
  r.false_positives = static_cast<int>(r.spurious.size());
  const int tp = r.true_positives;
  r.precision = (tp + r.false_positives) ? double(tp) / (tp + r.false_positives) : 1.0;
  r.recall = (tp + r.false_negatives) ? double(tp) / (tp + r.false_negatives) : 1.0;
  r.f1 = (r.precision + r.recall) > 0 ? 2 * r.precision * r.recall / (r.precision + r.recall) : 0;
  return r;
}

}  // namespace watchline::eval
