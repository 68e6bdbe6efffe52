#include "engine/georef.h"

#include <cstdio>

#include "geometry/tripwire.h"

namespace watchline::engine {

Result<std::shared_ptr<geometry::Perimeter>> LoadSitePerimeter(const config::Config& cfg) {
  if (!cfg.perimeter || cfg.perimeter->geojson.empty()) {
    return std::shared_ptr<geometry::Perimeter>();
  }
  auto p = geometry::Perimeter::LoadGeoJson(
      cfg.perimeter->geojson,
      cfg.perimeter->inside == "right" ? geometry::InsideSide::kRight : geometry::InsideSide::kLeft);
  if (!p.ok()) return p.status();
  return std::make_shared<geometry::Perimeter>(std::move(p).value());
}

Result<std::unique_ptr<CameraGeoref>> CameraGeoref::Create(
    const config::CameraConfig& cam, std::shared_ptr<geometry::Perimeter> perimeter) {
  if (cam.calibration.empty()) return std::unique_ptr<CameraGeoref>();
  std::unique_ptr<geometry::LocalFrame> own;
  if (!perimeter) {
    const auto& p0 = cam.calibration.front();
    auto f = geometry::LocalFrame::Create(geometry::LatLon{p0.lat, p0.lon});
    if (!f.ok()) return f.status().WithContext("camera " + cam.id);
    own = std::move(f).value();
  }
  const geometry::LocalFrame& frame = perimeter ? perimeter->frame() : *own;
  auto h = geometry::Homography::Fit(cam.calibration, frame, "camera " + cam.id);
  if (!h.ok()) return h.status();
  std::unique_ptr<CameraGeoref> g(new CameraGeoref(std::move(h).value(), perimeter, std::move(own)));
  if (perimeter) {
    geometry::TripwireOptions opt;
    auto tw = geometry::TripwireForCamera(*perimeter, g->homography_, opt);
    if (!tw.ok()) return tw.status().WithContext("camera " + cam.id + " tripwire");
    g->tripwires_ = std::move(tw).value();
  }
  return g;
}

void CameraGeoref::Apply(events::Event* e, cv::Size image,
                         std::optional<cv::Point2d> velocity) const {
  if (!e->box) return;
  const cv::Point2d foot(e->box->x + e->box->w / 2, e->box->y + e->box->h);
  auto g = homography_.ImageToGround(foot);
  if (!g) return;  // at or above the horizon: no ground position
  const auto ll = frame().ToLatLon(*g);
  e->position = events::LatLon{ll.lat, ll.lon};
  if (image.width <= 0 || image.height <= 0) return;
  char buf[96];
  std::string detail;
  const double aspect = double(image.width) / image.height;
  if (auto size = geometry::MeasureObject(
          homography_, cv::Rect2d(e->box->x, e->box->y, e->box->w, e->box->h), aspect)) {
    std::snprintf(buf, sizeof buf, "height %.1f m, width %.1f m", size->height_m, size->width_m);
    detail = buf;
  }
  if (velocity) {
    // Where the foot at the event (the crossing point; the event itself may
    // come a little later, once the foot is past the line's dead band) will
    // be half a second on at the track's velocity at the event's time.
    const double dt = 0.5;
    const cv::Point2d& vel = *velocity;
    const cv::Point2d f0 = foot;
    const cv::Point2d f1(foot.x + vel.x * dt / image.width, foot.y + vel.y * dt / image.height);
    if (auto v = geometry::GroundSpeedMps(homography_, f0, 0, f1, dt)) {
      std::snprintf(buf, sizeof buf, "%sspeed %.1f m/s", detail.empty() ? "" : ", ", *v);
      detail += buf;
    }
  }
  if (!detail.empty()) e->detail = e->detail.empty() ? detail : e->detail + "; " + detail;
}

config::CameraConfig WithTripwires(config::CameraConfig cam, const CameraGeoref* geo) {
  if (!geo) return cam;
  for (const auto& l : geo->tripwires()) {
    bool taken = false;
    for (const auto& mine : cam.lines) taken = taken || mine.id == l.id;
    if (!taken) cam.lines.push_back(l);  // a hand-drawn line of the same id wins
  }
  return cam;
}

}  // namespace watchline::engine
