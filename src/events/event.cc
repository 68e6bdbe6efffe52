#include "events/event.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace watchline::events {

namespace {
// Rounds to 1e-4 so that printed times and boxes stay short and stable.
double R4(double v) { return std::round(v * 10000.0) / 10000.0; }
}  // namespace

nlohmann::json ToJson(const Event& e) {
  nlohmann::json j;
  j["type"] = e.type;
  j["camera"] = e.camera;
  j["t"] = R4(e.t);
  j["end"] = e.end ? nlohmann::json(R4(*e.end)) : nlohmann::json(nullptr);
  j["track"] = e.track >= 0 ? nlohmann::json(e.track) : nlohmann::json(nullptr);
  j["class"] = e.cls.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.cls);
  j["direction"] = e.direction.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.direction);
  j["rule"] = e.rule.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.rule);
  j["confidence"] = R4(e.confidence);
  if (e.box) {
    j["box"] = {R4(e.box->x), R4(e.box->y), R4(e.box->w), R4(e.box->h)};
  } else {
    j["box"] = nullptr;
  }
  if (e.position) {
    j["position"] = {{"lat", e.position->lat}, {"lon", e.position->lon}};
  } else {
    j["position"] = nullptr;
  }
  if (e.id > 0) j["id"] = e.id;
  if (e.wall > 0) j["wall"] = e.wall;
  if (!e.detail.empty()) j["detail"] = e.detail;
  return j;
}

std::string ToJsonLine(const Event& e) { return ToJson(e).dump(); }

Result<Event> FromJson(const nlohmann::json& j) {
  try {
    Event e;
    if (!j.is_object()) return Status::InvalidArgument("event JSON is not an object");
    e.type = j.at("type").get<std::string>();
    e.camera = j.value("camera", std::string());
    e.t = j.at("t").get<double>();
    if (j.contains("end") && !j["end"].is_null()) e.end = j["end"].get<double>();
    if (j.contains("track") && !j["track"].is_null()) e.track = j["track"].get<int64_t>();
    if (j.contains("class") && !j["class"].is_null()) e.cls = j["class"].get<std::string>();
    if (j.contains("direction") && !j["direction"].is_null())
      e.direction = j["direction"].get<std::string>();
    if (j.contains("rule") && !j["rule"].is_null()) e.rule = j["rule"].get<std::string>();
    if (j.contains("confidence") && !j["confidence"].is_null())
      e.confidence = j["confidence"].get<double>();
    if (j.contains("box") && j["box"].is_array() && j["box"].size() == 4) {
      const auto& b = j["box"];
      e.box = Box{b[0].get<double>(), b[1].get<double>(), b[2].get<double>(), b[3].get<double>()};
    }
    if (j.contains("position") && j["position"].is_object()) {
      e.position = LatLon{j["position"].at("lat").get<double>(), j["position"].at("lon").get<double>()};
    }
    if (j.contains("id")) e.id = j["id"].get<int64_t>();
    if (j.contains("wall")) e.wall = j["wall"].get<double>();
    if (j.contains("detail")) e.detail = j["detail"].get<std::string>();
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return Status::InvalidArgument(std::string("bad event JSON: ") + ex.what());
  }
}

}  // namespace watchline::events
