#include "duty/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

namespace watchline::duty {
namespace {

constexpr double kSameInstantS = 1e-3;  // run starts stored in JSON compare within this

nlohmann::json Detail(const events::Event& e) {
  auto j = nlohmann::json::parse(e.detail, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

// Total length of the union of intervals, each clipped to [a, b].
double UnionLength(std::vector<std::pair<double, double>> iv, double a, double b) {
  for (auto& [s, e] : iv) {
    s = std::max(s, a);
    e = std::min(e, b);
  }
  std::sort(iv.begin(), iv.end());
  double total = 0, cur_s = 0, cur_e = 0;
  bool have = false;
  for (auto [s, e] : iv) {
    if (!(e > s)) continue;
    if (have && s <= cur_e) {
      cur_e = std::max(cur_e, e);
      continue;
    }
    if (have) total += cur_e - cur_s;
    cur_s = s;
    cur_e = e;
    have = true;
  }
  if (have) total += cur_e - cur_s;
  return total;
}

// Condition events of one type and rule, merged by start: t -> end (null if open).
std::map<double, std::optional<double>> Conditions(const std::vector<events::Event>& stored,
                                                   const std::string& type, const std::string& rule) {
  std::map<double, std::optional<double>> out;
  for (const auto& e : stored) {
    if (e.type != type || e.rule != rule) continue;
    auto& end = out[e.t];
    if (e.end) end = end ? std::max(*end, *e.end) : *e.end;
  }
  return out;
}

std::string Num(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

nlohmann::json TimeOrNull(const std::optional<double>& t) {
  return t ? nlohmann::json(IsoUtc(*t)) : nlohmann::json(nullptr);
}
nlohmann::json NumOrNull(const std::optional<double>& t) {
  return t ? nlohmann::json(*t) : nlohmann::json(nullptr);
}

}  // namespace

Report BuildReport(const std::vector<PostSpec>& posts, const std::vector<PatrolSpec>& patrols,
                   const std::vector<events::Event>& stored, double from, double to) {
  Report r;
  r.from = from;
  r.to = to;
  for (const PostSpec& p : posts) {
    auto vacant = Conditions(stored, "post_vacant", p.id);
    auto inactive = Conditions(stored, "post_inactive", p.id);
    for (const ShiftInstance& inst : p.schedule.Instances(from, to)) {
      PostShiftReport ps;
      ps.post = p.id;
      ps.camera = p.camera;
      ps.shift = inst.label;
      ps.start = inst.start;
      ps.end = inst.end;
      double a = std::max(inst.start, from), b = std::min(inst.end, to);
      double open_until = std::min(to, inst.end);
      ps.duty_s = b - a;
      std::vector<std::pair<double, double>> iv;
      for (const auto& [t, end] : vacant) iv.push_back({t, end.value_or(open_until)});
      ps.vacant_s = UnionLength(iv, a, b);
      ps.manned_pct = ps.duty_s > 0 ? 100.0 * (ps.duty_s - ps.vacant_s) / ps.duty_s : 0;
      for (const auto& [t, end] : inactive) {
        if (t < inst.start || t >= inst.end) continue;
        double stop = end.value_or(open_until);
        if (stop < a || t >= b) continue;
        ps.inactivity.push_back({t, end, std::max(0.0, stop - t)});
      }
      r.posts.push_back(std::move(ps));
    }
  }
  for (const PatrolSpec& p : patrols) {
    // (checkpoint, run start) -> verdicts from the stored events.
    struct Seen {
      std::optional<std::pair<std::string, double>> visit;  // status, t
      std::optional<double> missed_t;
    };
    std::vector<std::tuple<std::string, double, Seen>> seen;
    auto find = [&seen](const std::string& cp, double run_start) -> Seen& {
      for (auto& [c, s, v] : seen)
        if (c == cp && std::abs(s - run_start) < kSameInstantS) return v;
      seen.emplace_back(cp, run_start, Seen{});
      return std::get<2>(seen.back());
    };
    for (const auto& e : stored) {
      if (e.rule != p.id || (e.type != "patrol_checkpoint" && e.type != "patrol_missed")) continue;
      auto d = Detail(e);
      if (!d.contains("checkpoint") || !d.contains("run_start") || !d["run_start"].is_number()) continue;
      Seen& s = find(d["checkpoint"].get<std::string>(), d["run_start"].get<double>());
      if (e.type == "patrol_checkpoint") {
        s.visit = {d.value("status", std::string("on_time")), e.t};
      } else {
        s.missed_t = e.t;
      }
    }
    for (const ShiftInstance& inst : p.schedule.Instances(from, to)) {
      if (inst.start < from || inst.start >= to) continue;
      PatrolRunReport pr;
      pr.patrol = p.id;
      pr.run = inst.label;
      pr.start = inst.start;
      for (const CheckpointSpec& c : p.checkpoints) {
        CheckpointReport cr;
        cr.id = c.id;
        cr.camera = c.camera;
        cr.window = CheckpointWindow(p, c, inst.start);
        Seen& s = find(c.id, inst.start);
        if (s.visit) {
          cr.status = s.visit->first;
          cr.t = s.visit->second;
        } else if (s.missed_t) {
          cr.status = "missed";
          cr.t = s.missed_t;
        } else {
          cr.status = "pending";
        }
        if (cr.status == "on_time")
          ++pr.on_time;
        else if (cr.status == "late")
          ++pr.late;
        else if (cr.status == "missed")
          ++pr.missed;
        else
          ++pr.pending;
        pr.checkpoints.push_back(std::move(cr));
      }
      r.patrols.push_back(std::move(pr));
    }
  }
  return r;
}

std::string ReportToJson(const Report& r) {
  nlohmann::json j;
  j["from"] = IsoUtc(r.from);
  j["from_epoch"] = r.from;
  j["to"] = IsoUtc(r.to);
  j["to_epoch"] = r.to;
  j["posts"] = nlohmann::json::array();
  for (const auto& p : r.posts) {
    nlohmann::json pj{{"post", p.post},         {"camera", p.camera},
                      {"shift", p.shift},       {"start", IsoUtc(p.start)},
                      {"start_epoch", p.start}, {"end", IsoUtc(p.end)},
                      {"end_epoch", p.end},     {"duty_s", p.duty_s},
                      {"vacant_s", p.vacant_s}, {"manned_pct", p.manned_pct}};
    pj["inactivity"] = nlohmann::json::array();
    for (const auto& e : p.inactivity) {
      pj["inactivity"].push_back({{"t", IsoUtc(e.t)},
                                  {"t_epoch", e.t},
                                  {"end", TimeOrNull(e.end)},
                                  {"end_epoch", NumOrNull(e.end)},
                                  {"duration_s", e.duration_s}});
    }
    j["posts"].push_back(std::move(pj));
  }
  j["patrols"] = nlohmann::json::array();
  for (const auto& p : r.patrols) {
    nlohmann::json pj{{"patrol", p.patrol},     {"run", p.run},         {"start", IsoUtc(p.start)},
                      {"start_epoch", p.start}, {"on_time", p.on_time}, {"late", p.late},
                      {"missed", p.missed},     {"pending", p.pending}};
    pj["checkpoints"] = nlohmann::json::array();
    for (const auto& c : p.checkpoints) {
      pj["checkpoints"].push_back({{"id", c.id},
                                   {"camera", c.camera},
                                   {"status", c.status},
                                   {"t", TimeOrNull(c.t)},
                                   {"t_epoch", NumOrNull(c.t)},
                                   {"window_open", IsoUtc(c.window.open)},
                                   {"window_close", IsoUtc(c.window.close)}});
    }
    j["patrols"].push_back(std::move(pj));
  }
  return j.dump(2);
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string ReportToCsv(const Report& r) {
  auto row = [](const std::vector<std::string>& fields) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + CsvField(fields[i]);
    return line + "\r\n";
  };
  std::string out = row({"kind", "id", "camera", "period", "start", "end", "duty_s", "vacant_s", "manned_pct",
                         "inactive_episodes", "inactive_s", "checkpoint", "status", "t"});
  for (const auto& p : r.posts) {
    double inactive_s = 0;
    for (const auto& e : p.inactivity) inactive_s += e.duration_s;
    out += row({"post", p.post, p.camera, p.shift, IsoUtc(p.start), IsoUtc(p.end), Num(p.duty_s, 1),
                Num(p.vacant_s, 1), Num(p.manned_pct, 2), std::to_string(p.inactivity.size()),
                Num(inactive_s, 1), "", "", ""});
  }
  for (const auto& p : r.patrols) {
    for (const auto& c : p.checkpoints) {
      out += row({"checkpoint", p.patrol, c.camera, p.run, IsoUtc(p.start), "", "", "", "", "", "", c.id,
                  c.status, c.t ? IsoUtc(*c.t) : ""});
    }
  }
  return out;
}

}  // namespace watchline::duty
