// Calibration, map positions and derived tripwires on a simulated camera with
// a known pose: ground points are projected into the image with the true
// pinhole model, then the homography fitted from noisy points must give them
// back on the ground.
#include "geometry/homography.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "geometry/tripwire.h"

namespace watchline::geometry {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180;

// A pinhole camera on flat ground: the truth the tests measure against.
struct TrueCamera {
  Vec2 pos;
  double height_m = 6, heading_deg = 20, tilt_deg = 8, hfov_deg = 60;
  int width = 1920, height = 1080;

  std::optional<cv::Point2d> Project(Vec2 g) const {
    const Vec2 f = BearingVector(heading_deg), r{f.y, -f.x};
    const double th = tilt_deg * kDeg;
    const Vec2 d = g - pos;
    const double z = Dot(d, f) * std::cos(th) + height_m * std::sin(th);
    const double x = Dot(d, r);
    const double up = Dot(d, f) * std::sin(th) - height_m * std::cos(th);
    if (z <= 0) return std::nullopt;
    const double fx = (width / 2.0) / std::tan(hfov_deg * kDeg / 2);  // pixels
    return cv::Point2d((width / 2.0 + fx * x / z) / width, (height / 2.0 - fx * up / z) / height);
  }
  // The ground point `range` metres ahead and `across` metres to the right.
  Vec2 Ahead(double range, double across) const {
    const Vec2 f = BearingVector(heading_deg), r{f.y, -f.x};
    return pos + f * range + r * across;
  }
};


class CalibrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = LocalFrame::Create({0, 0});
    ASSERT_TRUE(f.ok());
    frame_ = std::move(f).value();
    cam_.pos = {30, -80};
  }

  // Calibration points surveyed on the ground, their pixels measured with
  // `noise_px` of noise, plus one gross mistake.
  std::vector<config::CalibrationPoint> Survey(double noise_px, bool with_outlier) {
    std::mt19937 rng(7);
    std::normal_distribution<double> noise(0, noise_px);
    std::vector<config::CalibrationPoint> pts;
    const std::vector<std::pair<double, double>> where = {
        {15, -5}, {20, 6}, {35, -15}, {40, 12}, {60, -25}, {70, 20}, {100, -40},
        {110, 35}, {140, 0}, {150, -50}, {25, 0}, {80, 5}};
    for (auto [range, across] : where) {
      const Vec2 g = cam_.Ahead(range, across);
      auto px = cam_.Project(g);
      EXPECT_TRUE(px && px->x > 0 && px->x < 1 && px->y > 0 && px->y < 1) << range << " " << across;
      config::CalibrationPoint c;
      c.px = {px->x + noise(rng) / cam_.width, px->y + noise(rng) / cam_.height};
      const LatLon ll = frame_->ToLatLon(g);
      c.lat = ll.lat;
      c.lon = ll.lon;
      pts.push_back(c);
    }
    if (with_outlier) pts[4].px.x += 100.0 / cam_.width;  // a point clicked 100 px off
    return pts;
  }

  std::unique_ptr<LocalFrame> frame_;
  TrueCamera cam_;
};

TEST_F(CalibrationTest, ExactPointsGiveAnExactHomography) {
  auto h = Homography::Fit(Survey(0, false), *frame_, "camera 'c1'");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_LT(h->rms_error_m(), 1e-3);
  const Vec2 g = cam_.Ahead(120, 10);
  auto back = h->ImageToGround(*cam_.Project(g));
  ASSERT_TRUE(back);
  EXPECT_LT(Norm(*back - g), 1e-3);
  auto img = h->GroundToImage(g);
  ASSERT_TRUE(img);
  EXPECT_NEAR(img->x, cam_.Project(g)->x, 1e-6);
}

TEST_F(CalibrationTest, NoisyPointsWithAMistakeStayWithinHalfAMetreAt100m) {
  auto h = Homography::Fit(Survey(0.5, true), *frame_, "camera 'c1'");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_FALSE(h->inliers()[4]) << "the mistaken point must be rejected";
  EXPECT_EQ(h->inlier_count(), 11);
  EXPECT_GT(h->point_errors_m()[4], 2.0);
  EXPECT_LT(h->rms_error_m(), 0.5);
  // Reprojection at 100 m: a true ground point's image sent back to the ground.
  double worst = 0;
  for (double across : {-30.0, -10.0, 0.0, 10.0, 30.0}) {
    const Vec2 g = cam_.Ahead(100, across);
    auto back = h->ImageToGround(*cam_.Project(g));
    ASSERT_TRUE(back);
    worst = std::max(worst, Norm(*back - g));
  }
  EXPECT_LT(worst, 0.5);
  std::printf("reprojection at 100 m: worst %.3f m, fit rms %.3f m\n", worst, h->rms_error_m());
}

TEST_F(CalibrationTest, AboveTheHorizonHasNoGroundPosition) {
  auto h = Homography::Fit(Survey(0, false), *frame_, "camera 'c1'");
  ASSERT_TRUE(h.ok());
  // 8 degrees down, 34 degrees tall: the horizon is at y = 0.5 - 0.5*tan(8)/tan(vfov/2).
  EXPECT_FALSE(h->ImageToGround({0.5, 0.02}).has_value());
  EXPECT_TRUE(h->ImageToGround({0.5, 0.9}).has_value());
  EXPECT_FALSE(h->GroundToImage(cam_.Ahead(-30, 0)).has_value());  // behind the camera
  auto mpu = h->MetresPerUnitAt({0.5, 0.8});
  ASSERT_TRUE(mpu);
  EXPECT_GT(mpu->y, mpu->x);  // foreshortened along the view
}

TEST_F(CalibrationTest, DegenerateOrTooFewPointsAreBadInput) {
  auto pts = Survey(0, false);
  pts.resize(3);
  auto h = Homography::Fit(pts, *frame_, "camera 'c9'");
  EXPECT_TRUE(h.status().IsInvalidArgument());
  EXPECT_NE(h.status().message().find("camera 'c9'"), std::string::npos);
  std::vector<config::CalibrationPoint> line;
  for (int i = 0; i < 5; ++i) line.push_back({{0.1 * i, 0.1 * i}, 0.0001 * i, 0.0001 * i});
  EXPECT_TRUE(Homography::Fit(line, *frame_, "camera 'c9'").status().IsInvalidArgument());
}

// The contract's side function and crossing direction on an image polyline.
std::vector<int> ImageCrossings(const config::LineRule& rule, cv::Point2d p0, cv::Point2d p1) {
  std::vector<int> dirs;
  for (size_t i = 1; i < rule.points.size(); ++i) {
    const cv::Point2d a{rule.points[i - 1].x, rule.points[i - 1].y};
    const cv::Point2d b{rule.points[i].x, rule.points[i].y};
    auto s = [&](cv::Point2d q) { return (b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x); };
    const double s0 = s(p0), s1 = s(p1);
    if ((s0 < 0) == (s1 < 0)) continue;
    // The step must also cross the segment itself, not its extension.
    auto t = [&](cv::Point2d q) { return (q.x - p0.x) * (p1.y - p0.y) - (q.y - p0.y) * (p1.x - p0.x); };
    if ((t(a) < 0) == (t(b) < 0)) continue;
    dirs.push_back(s0 < 0 ? +1 : -1);
  }
  return dirs;
}

struct Walk {
  std::vector<LatLon> truth;
  std::vector<LatLon> measured;
  std::vector<int> directions;  // +1 in, -1 out, from the image tripwire
};

// A person walks on the ground from a to b; each position is seen by the true
// camera, sent back to the ground by the homography, and checked against the
// tripwire in the image.
// `a` and `b` are in the camera's frame; the homography works in `map`.
Walk WalkAcross(const TrueCamera& cam, const LocalFrame& cam_frame, const Homography& h,
                const LocalFrame& map, const config::LineRule& wire, Vec2 a, Vec2 b) {
  Walk w;
  constexpr int kSteps = 40;  // 1.4 m/s at 10 fps over ~6 m
  std::optional<cv::Point2d> prev;
  for (int i = 0; i <= kSteps; ++i) {
    const Vec2 g = a + (b - a) * (static_cast<double>(i) / kSteps);
    auto px = cam.Project(g);
    EXPECT_TRUE(px);
    auto back = h.ImageToGround(*px);
    EXPECT_TRUE(back);
    w.truth.push_back(cam_frame.ToLatLon(g));
    w.measured.push_back(map.ToLatLon(*back));
    if (prev)
      for (int d : ImageCrossings(wire, *prev, *px)) w.directions.push_back(d);
    prev = px;
  }
  return w;
}

TEST_F(CalibrationTest, PersonCrossingThePerimeterGetsPositionAndDirection) {
  auto h = Homography::Fit(Survey(0.5, true), *frame_, "camera 'c1'");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  // A perimeter running diagonally across the view about 60-90 m out;
  // inside is on its left.
  const Vec2 p0 = cam_.Ahead(60, -200), p1 = cam_.Ahead(90, 200);
  for (InsideSide inside : {InsideSide::kLeft, InsideSide::kRight}) {
    const LatLon l0 = frame_->ToLatLon(p0), l1 = frame_->ToLatLon(p1);
    auto per = Perimeter::FromLatLon({{l0, l1}}, inside);
    ASSERT_TRUE(per.ok()) << per.status().ToString();
    TripwireOptions opt;
    opt.camera_position = per->frame().ToLocal(frame_->ToLatLon(cam_.pos));
    // The perimeter's frame differs from the calibration frame: refit in it.
    auto hp = Homography::Fit(Survey(0.5, true), per->frame(), "camera 'c1'");
    ASSERT_TRUE(hp.ok());
    auto wires = TripwireForCamera(*per, *hp, opt);
    ASSERT_TRUE(wires.ok()) << wires.status().ToString();
    ASSERT_EQ(wires->size(), 1u);
    const config::LineRule& wire = (*wires)[0];
    EXPECT_EQ(wire.id, "perimeter");
    // It spans the frame: both ends on the image border.
    auto on_border = [](config::Point p) {
      return p.x < 1e-6 || p.x > 1 - 1e-6 || p.y < 1e-6 || p.y > 1 - 1e-6;
    };
    EXPECT_TRUE(on_border(wire.points.front()));
    EXPECT_TRUE(on_border(wire.points.back()));

    // Walk across at 75 m: from the right side of the line to its left.
    const Vec2 mid = cam_.Ahead(75, 0);
    const Vec2 dir = p1 - p0;
    const Vec2 left = Vec2{-dir.y, dir.x} * (1 / Norm(dir));
    const Walk w = WalkAcross(cam_, *frame_, *hp, per->frame(), wire, mid - left * 3,
                            mid + left * 3);
    double worst = 0;
    for (size_t i = 0; i < w.truth.size(); ++i) {
      const double e = LocalFrame::GeodesicDistance(w.truth[i], w.measured[i]);
      worst = std::max(worst, e);
    }
    EXPECT_LT(worst, 1.0) << "map position error at 75 m";
    std::printf("person crossing at 75 m: worst map position error %.3f m\n", worst);
    ASSERT_EQ(w.directions.size(), 1u);
    const int expected = inside == InsideSide::kLeft ? +1 : -1;  // walking to the left side
    EXPECT_EQ(w.directions[0], expected);
    // The ground truth agrees, through the perimeter itself.
    auto ground = per->FindCrossings(per->frame().ToLocal(w.truth.front()),
                                     per->frame().ToLocal(w.truth.back()));
    ASSERT_EQ(ground.size(), 1u);
    EXPECT_EQ(ground[0].inward, expected == +1);
    // And back again: "out" for left inside.
    const Walk back = WalkAcross(cam_, *frame_, *hp, per->frame(), wire, mid + left * 3,
                                 mid - left * 3);
    ASSERT_EQ(back.directions.size(), 1u);
    EXPECT_EQ(back.directions[0], -expected);
  }
}

TEST_F(CalibrationTest, RealSizeAndSpeedOfAPerson) {
  auto h = Homography::Fit(Survey(0.5, true), *frame_, "camera 'c1'");
  ASSERT_TRUE(h.ok());
  // A person 0.5 m wide and 1.7 m tall standing 50 m out, walking 1.4 m/s across.
  const Vec2 foot = cam_.Ahead(50, 4);
  const Vec2 f = BearingVector(cam_.heading_deg), r{f.y, -f.x};
  // The head is above the foot: project it with the true camera (height 1.7 m
  // above the ground = the camera 1.7 m lower).
  TrueCamera lower = cam_;
  lower.height_m -= 1.7;
  const auto pf = *cam_.Project(foot), ph = *lower.Project(foot);
  const auto pl = *cam_.Project(foot - r * 0.25), pr = *cam_.Project(foot + r * 0.25);
  const cv::Rect2d box(pl.x, ph.y, pr.x - pl.x, pf.y - ph.y);
  auto size = MeasureObject(*h, box, 1920.0 / 1080.0);
  ASSERT_TRUE(size);
  EXPECT_NEAR(size->width_m, 0.5, 0.05);
  EXPECT_NEAR(size->height_m, 1.7, 0.17);  // within 10 % (tilt 8 degrees)
  EXPECT_LT(Norm(size->foot - foot), 0.5);
  const Vec2 later = foot + r * 1.4;
  auto v = GroundSpeedMps(*h, pf, 10.0, *cam_.Project(later), 11.0);
  ASSERT_TRUE(v);
  EXPECT_NEAR(*v, 1.4, 0.1);
  EXPECT_FALSE(GroundSpeedMps(*h, pf, 11.0, pf, 11.0).has_value());
}

TEST_F(CalibrationTest, ALineOutOfViewGivesNoTripwire) {
  auto per = Perimeter::FromLatLon(
      {{frame_->ToLatLon(cam_.Ahead(-50, -100)), frame_->ToLatLon(cam_.Ahead(-50, 100))}},
      InsideSide::kLeft);
  ASSERT_TRUE(per.ok());
  auto hp = Homography::Fit(Survey(0, false), per->frame(), "camera 'c1'");
  ASSERT_TRUE(hp.ok());
  TripwireOptions opt;
  opt.camera_position = per->frame().ToLocal(frame_->ToLatLon(cam_.pos));
  auto wires = TripwireForCamera(*per, *hp, opt);
  ASSERT_TRUE(wires.ok());
  EXPECT_TRUE(wires->empty());
}

}  // namespace
}  // namespace watchline::geometry
