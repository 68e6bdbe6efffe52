// Scripted actors: a JSON file that puts people and vehicles on exact paths in a
// sim scene, for guard posts (someone standing at a post for a shift) and
// patrols (someone walking a route on a schedule). Selected with the sim:// key
// `script=PATH`; see README.md for the format:
//
//   {"actors": [{"kind": "person", "path": [[t, x, y], [t, x, y], ...], "sway": 0.0}]}
//
// t is seconds of clip time (camera time for live sources), strictly increasing;
// (x, y) is the normalised foot point (0..1, x right, y down). An actor is
// present from its first waypoint's t up to (not including) its last one's and
// moves linearly between waypoints; two consecutive equal points mean standing
// still. `sway` (optional, normalised, 0..kMaxScriptSway) adds a small smooth
// seeded sway to the drawn figure. `kind` is "person", "vehicle" or "boat".
// A relative PATH is resolved against the current working directory of the
// process that parses the URL.
//
// Thread safety: a SimScript is immutable once loaded and shared read-only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "sim/scene.h"

namespace watchline::sim {

// The largest sway amplitude a script may ask for, normalised units.
inline constexpr double kMaxScriptSway = 0.05;
// The most actors and waypoints one script may hold (guards against a runaway file).
inline constexpr size_t kMaxScriptActors = 10000;
inline constexpr size_t kMaxScriptWaypoints = 2000000;

struct ScriptActor {
  ObjectKind kind = ObjectKind::kPerson;
  std::vector<Waypoint> path;  // >= 2 waypoints, strictly increasing t
  double sway = 0;             // normalised amplitude of the drawn sway
};

struct SimScript {
  std::string file;  // as given (for messages)
  std::vector<ScriptActor> actors;
};

// Parses script JSON text; `file` names it in messages. Anything malformed is
// InvalidArgument naming the file, the line (for JSON syntax errors) or the
// actor and waypoint, and what is wrong.
Result<SimScript> ParseSimScript(const std::string& text, const std::string& file);

// Reads and parses the script at `file` (relative paths: against the current
// working directory). A missing or unreadable file is InvalidArgument naming it.
Result<SimScript> LoadSimScript(const std::string& file);

// Loads o->script into o->script_data unless already loaded (or no script is
// named). Callers that fill SimOptions by hand (the CLI) call this; ParseSimUrl
// and WriteSimClip do it themselves.
Status LoadScriptInto(SimOptions* o);

}  // namespace watchline::sim
