// Event: what watchline reports. Detections (line_crossing, zone_intrusion, ...)
// and camera health changes (camera_offline, ...) share this one shape, which is
// the JSON contract in DESIGN.md:
//   {"type":"line_crossing","camera":"c1","t":12.40,"end":null,"track":17,
//    "class":"person","direction":"in","rule":"border","confidence":0.91,
//    "box":[x,y,w,h],"position":{"lat":..,"lon":..}}
// Value type; thread safe to copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "base/status.h"

namespace watchline::events {

struct Box {
  // Normalised image coordinates (0..1), x right, y down, like the config.
  double x = 0, y = 0, w = 0, h = 0;
};

struct LatLon {
  double lat = 0, lon = 0;
};

struct Event {
  int64_t id = 0;               // store row id; 0 until stored
  std::string type;             // line_crossing, zone_intrusion, camera_offline, ...
  std::string camera;           // camera id from the config
  double t = 0;                 // seconds of stream time (media time for files)
  std::optional<double> end;    // end of a condition (health states, loitering); null while open
  int64_t track = -1;           // tracker id, -1 when not from a track
  std::string cls;              // person, vehicle, boat, animal, unknown; "" for health
  std::string direction;        // "in" / "out" for crossings, "" otherwise
  std::string rule;             // line or zone id, or "" for health
  double confidence = 0;        // 0..1
  std::optional<Box> box;
  std::optional<LatLon> position;
  double wall = 0;              // wall-clock seconds since the epoch when detected (0 = unset)
  std::string detail;           // free text: cause of a health state, etc.

  bool IsHealth() const { return type.rfind("camera_", 0) == 0; }
};

// The contract JSON of an event (one line, as `watchline analyze` prints it).
// Fields not set are null (end, box, position) or omitted (id, wall, detail when empty).
nlohmann::json ToJson(const Event& e);
std::string ToJsonLine(const Event& e);
Result<Event> FromJson(const nlohmann::json& j);

}  // namespace watchline::events
