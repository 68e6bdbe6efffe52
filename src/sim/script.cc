#include "sim/script.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace watchline::sim {

namespace {

using nlohmann::json;

// Line and column of byte offset `pos` (1-based) in text.
std::string LineCol(const std::string& text, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

bool ParseKind(const std::string& s, ObjectKind* out) {
  for (ObjectKind k : {ObjectKind::kPerson, ObjectKind::kVehicle, ObjectKind::kBoat}) {
    if (s == ClassName(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<SimScript> ParseSimScript(const std::string& text, const std::string& file) {
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("sim script " + file + ": " + what);
  };
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return bad("not valid JSON at line " + LineCol(text, e.byte > 0 ? e.byte - 1 : 0) + ": " + e.what());
  }
  if (!doc.is_object()) return bad("the top level must be an object {\"actors\": [...]}");
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "actors") return bad("unknown key '" + it.key() + "' at the top level (known: actors)");
  if (!doc.contains("actors") || !doc["actors"].is_array()) return bad("'actors' must be an array");
  const json& actors = doc["actors"];
  if (actors.size() > kMaxScriptActors)
    return bad("too many actors (" + std::to_string(actors.size()) + ", at most " +
               std::to_string(kMaxScriptActors) + ")");
  SimScript script;
  script.file = file;
  size_t waypoints = 0;
  for (size_t i = 0; i < actors.size(); ++i) {
    const json& a = actors[i];
    const std::string where = "actors[" + std::to_string(i) + "]";
    if (!a.is_object()) return bad(where + " must be an object");
    for (auto it = a.begin(); it != a.end(); ++it)
      if (it.key() != "kind" && it.key() != "path" && it.key() != "sway")
        return bad(where + ": unknown key '" + it.key() + "' (known: kind, path, sway)");
    ScriptActor actor;
    if (!a.contains("kind") || !a["kind"].is_string())
      return bad(where + ": 'kind' must be \"person\", \"vehicle\" or \"boat\"");
    if (!ParseKind(a["kind"].get<std::string>(), &actor.kind))
      return bad(where + ": unknown kind '" + a["kind"].get<std::string>() +
                 "' (expected person, vehicle or boat)");
    if (a.contains("sway")) {
      if (!a["sway"].is_number()) return bad(where + ": 'sway' must be a number");
      actor.sway = a["sway"].get<double>();
      if (!(actor.sway >= 0 && actor.sway <= kMaxScriptSway))
        return bad(where + ": sway " + a["sway"].dump() + " is outside 0.." + json(kMaxScriptSway).dump() +
                   " (normalised)");
    }
    if (!a.contains("path") || !a["path"].is_array())
      return bad(where + ": 'path' must be an array of [t, x, y]");
    const json& path = a["path"];
    if (path.size() < 2) return bad(where + ": 'path' needs 2 or more waypoints [t, x, y]");
    waypoints += path.size();
    if (waypoints > kMaxScriptWaypoints)
      return bad("too many waypoints (more than " + std::to_string(kMaxScriptWaypoints) + ")");
    actor.path.reserve(path.size());
    for (size_t k = 0; k < path.size(); ++k) {
      const json& w = path[k];
      const std::string wk = where + ".path[" + std::to_string(k) + "]";
      if (!w.is_array() || w.size() != 3 || !w[0].is_number() || !w[1].is_number() || !w[2].is_number())
        return bad(wk + " must be [t, x, y] (three numbers), got " + w.dump());
      Waypoint wp;
      wp.t = w[0].get<double>();
      wp.p = {w[1].get<double>(), w[2].get<double>()};
      if (!std::isfinite(wp.t) || wp.t < 0) return bad(wk + ": time " + w[0].dump() + " must be >= 0 s");
      if (!(wp.p.x >= 0 && wp.p.x <= 1 && wp.p.y >= 0 && wp.p.y <= 1))
        return bad(wk + ": foot point (" + w[1].dump() + ", " + w[2].dump() + ") is outside 0..1");
      if (k > 0 && !(wp.t > actor.path.back().t))
        return bad(wk + ": time " + w[0].dump() + " s is not after the previous waypoint's " +
                   path[k - 1][0].dump() + " s");
      actor.path.push_back(wp);
    }
    script.actors.push_back(std::move(actor));
  }
  return script;
}

Result<SimScript> LoadSimScript(const std::string& file) {
  if (file.empty()) return Status::InvalidArgument("sim script: empty file name");
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return Status::InvalidArgument("sim script " + file + ": cannot open the file (missing or unreadable)");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::InvalidArgument("sim script " + file + ": cannot read the file");
  return ParseSimScript(ss.str(), file);
}

Status LoadScriptInto(SimOptions* o) {
  if (o->script.empty() || o->script_data) return Status::Ok();
  WL_ASSIGN_OR_RETURN(SimScript s, LoadSimScript(o->script));
  o->script_data = std::make_shared<const SimScript>(std::move(s));
  return Status::Ok();
}

}  // namespace watchline::sim
