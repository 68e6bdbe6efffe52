// A calibrated simulated camera through `watchline analyze`: its tripwire is
// the site perimeter projected into the image (no line drawn by hand), its
// crossings say in/out relative to the protected side, and each carries the
// map position of the person's foot, their real size and ground speed (checked
// against the ground truth mapped through the same view).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "eval/crossings.h"
#include "geometry/local_frame.h"
#include "test_util.h"

namespace watchline {
namespace {

using testing::RunCmd;
using testing::TempDir;
using testing::WatchlineBinary;

// The simulated camera's view: normalised image points to local metres
// (x east, y north), a perspective trapezoid looking north.
const std::vector<cv::Point2f> kImage = {{0, 1}, {1, 1}, {0, 0.4f}, {1, 0.4f}};
const std::vector<cv::Point2f> kGround = {{-10, 5}, {10, 5}, {-60, 80}, {60, 80}};

void ExpectGeoreferencedCrossings(const std::string& inside) {
  TempDir d;
  auto s = RunCmd({WatchlineBinary(), "sim", "--out", d.path(), "--seed", "11", "--duration", "40",
                   "--people", "8", "-q"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const cv::Mat h = cv::getPerspectiveTransform(kImage, kGround);
  auto to_ground = [&](double x, double y) {
    std::vector<cv::Point2d> in{{x, y}}, out;
    cv::perspectiveTransform(in, out, h);
    return out[0];
  };
  auto frame = geometry::LocalFrame::Create(geometry::LatLon{40.1, 124.4});
  ASSERT_TRUE(frame.ok());
  auto to_ll = [&](cv::Point2d g) { return (*frame)->ToLatLon(geometry::Vec2{g.x, g.y}); };

  // The perimeter: the ground under the simulator's border line, extended past the frame.
  std::ostringstream gj;
  gj.precision(10);
  gj << R"({"type":"LineString","coordinates":[)";
  for (int i = 0; i <= 16; ++i) {
    const double u = -0.3 + 1.6 * i / 16;
    const auto ll = to_ll(to_ground(0.05 + u * 0.9, 0.62 - u * 0.07));
    gj << (i ? "," : "") << "[" << ll.lon << "," << ll.lat << "]";
  }
  gj << "]}";
  testing::WriteFile(d / "border.geojson", gj.str());
  std::ostringstream cal;
  cal.precision(10);
  for (size_t i = 0; i < kImage.size(); ++i) {
    const auto ll = to_ll(to_ground(kImage[i].x, kImage[i].y));
    cal << (i ? ", " : "") << "{px: [" << kImage[i].x << ", " << kImage[i].y << "], lat: " << ll.lat
        << ", lon: " << ll.lon << "}";
  }
  testing::WriteFile(d / "geo.yaml", "site: {name: geo, data_dir: ./var}\n"
                                     "perimeter: {geojson: border.geojson, inside: " + inside + "}\n"
                                     "cameras:\n"
                                     "  - id: c1\n"
                                     "    source: clip.mp4\n"
                                     "    analysis: {width: 640, fps: 10}\n"
                                     "    calibration: [" + cal.str() + "]\n");
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", d / "geo.yaml", "--camera", "c1",
                   "--no-store", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  testing::WriteFile(d / "found.jsonl", r.out);
  auto truth = eval::ReadEventsJsonl(d / "events.jsonl");
  auto found = eval::ReadEventsJsonl(d / "found.jsonl");
  ASSERT_TRUE(truth.ok() && found.ok());
  std::vector<events::Event> t, f;
  // Image s > 0 is below the simulator's line, which is toward the camera, i.e.
  // south of the perimeter. With a west-to-east perimeter, left is north.
  const bool in_is_south = inside == "right";
  for (auto e : *truth) {
    if (e.type != "line_crossing") continue;
    e.rule = "perimeter";
    if (!in_is_south) e.direction = e.direction == "in" ? "out" : "in";
    t.push_back(e);
  }
  for (const auto& e : *found)
    if (e.type == "line_crossing") f.push_back(e);
  ASSERT_GE(t.size(), 4u);
  auto m = eval::MatchEvents(t, f, eval::MatchOptions{0.5});
  for (const auto& e : m.missed) ADD_FAILURE() << "missed: " << events::ToJsonLine(e);
  for (const auto& e : m.spurious) ADD_FAILURE() << "spurious: " << events::ToJsonLine(e);
  // Positions: the found foot against the true foot at the crossing, on the map.
  std::vector<std::pair<double, double>> speeds;  // (t, reported m/s)
  for (const auto& fe : f) {
    ASSERT_TRUE(fe.position.has_value()) << events::ToJsonLine(fe);
    // Real size and ground speed from the calibration.
    double height = -1, width = -1, speed = -1;
    ASSERT_EQ(std::sscanf(fe.detail.c_str(), "height %lf m, width %lf m, speed %lf m/s", &height,
                          &width, &speed),
              3)
        << fe.detail;
    EXPECT_GT(height, 0);
    EXPECT_GT(width, 0);
    EXPECT_GE(speed, 0);
    speeds.push_back({fe.t, speed});
    const events::Event* best = nullptr;
    for (const auto& te : t)
      if (!best || std::abs(te.t - fe.t) < std::abs(best->t - fe.t)) best = &te;
    ASSERT_TRUE(best && best->box);
    const auto g = to_ground(best->box->x + best->box->w / 2, best->box->y + best->box->h);
    const auto truth_ll = to_ll(g);
    const double err = geometry::LocalFrame::GeodesicDistance(
        truth_ll, geometry::LatLon{fe.position->lat, fe.position->lon});
    // A few pixels of foot error at 40-50 m is about a metre on the ground.
    EXPECT_LT(err, 2.0) << "position error " << err << " m for " << events::ToJsonLine(fe);
    // The true ground speed: the ground-truth foot 0.24 s either side of the crossing.
    auto boxes = eval::ReadMotGt(d / "gt.txt");
    ASSERT_TRUE(boxes.ok());
    const int f_mid = static_cast<int>(std::lround(best->t * 25)) + 1;
    std::optional<cv::Point2d> g0, g1;
    for (const auto& b : *boxes) {
      if (b.id != best->track) continue;
      const auto foot = to_ground((b.x + b.w / 2) / 640.0, (b.y + b.h) / 360.0);
      if (b.frame == f_mid - 6) g0 = foot;
      if (b.frame == f_mid + 6) g1 = foot;
    }
    ASSERT_TRUE(g0 && g1);
    const double true_speed = std::hypot(g1->x - g0->x, g1->y - g0->y) / 0.48;
    EXPECT_NEAR(speeds.back().second, true_speed, 0.35 * true_speed + 0.3)
        << "reported speed vs truth at t=" << fe.t;
  }
}

TEST(GeorefCliTest, PerimeterTripwireInsideLeft) { ExpectGeoreferencedCrossings("left"); }
TEST(GeorefCliTest, PerimeterTripwireInsideRight) { ExpectGeoreferencedCrossings("right"); }

}  // namespace
}  // namespace watchline
