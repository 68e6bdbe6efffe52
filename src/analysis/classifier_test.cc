#include "analysis/classifier.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "geometry/local_frame.h"

namespace watchline::analysis {
namespace {

// Features at the metric scale, as a calibrated camera would measure them.
ObjectFeatures Metres(double width_m, double height_m, double speed_mps, double horizontal = 1,
                      double steadiness = 1) {
  ObjectFeatures f;
  f.scale = SizeScale::kMetric;
  f.width_m = width_m;
  f.height_m = height_m;
  f.aspect = height_m / width_m;
  f.speed_mps = speed_mps;
  f.horizontal = horizontal;
  f.steadiness = steadiness;
  return f;
}

TEST(ClassifierTest, ClassNamesAreTheEventContractNames) {
  EXPECT_EQ(ClassName(ObjectClass::kPerson), "person");
  EXPECT_EQ(ClassName(ObjectClass::kVehicle), "vehicle");
  EXPECT_EQ(ClassName(ObjectClass::kBoat), "boat");
  EXPECT_EQ(ClassName(ObjectClass::kAnimal), "animal");
  EXPECT_EQ(ClassName(ObjectClass::kUnknown), "unknown");
}

TEST(ClassifierTest, ImageScaleKeepsTheImageRelativeRules) {
  HeuristicClassifier c;
  Observation o;
  o.frame = cv::Size(640, 360);
  o.box = cv::Rect2d(300, 100, 20, 50);  // upright, slow
  o.velocity = cv::Point2d(30, 0);
  ObjectFeatures f = c.Measure(o);
  EXPECT_EQ(f.scale, SizeScale::kImage);
  EXPECT_NEAR(f.aspect, 2.5, 1e-9);
  EXPECT_EQ(c.Classify(f), ObjectClass::kPerson);
  o.box = cv::Rect2d(300, 100, 120, 50);  // wide and big
  EXPECT_EQ(c.Classify(c.Measure(o)), ObjectClass::kVehicle);
  o.box = cv::Rect2d(300, 100, 10, 10);  // small square, slow, wandering
  o.steadiness = 0.3;
  EXPECT_EQ(c.Classify(c.Measure(o)), ObjectClass::kUnknown);
  o.box = cv::Rect2d(300, 100, 30, 12);  // small, low, slow and steady: may be a crawler
  o.steadiness = 0.9;
  EXPECT_EQ(c.Classify(c.Measure(o)), ObjectClass::kPerson);
  o.velocity = cv::Point2d(200, 0);  // ...but not at 0.27 diagonals per second
  EXPECT_NE(c.Classify(c.Measure(o)), ObjectClass::kPerson);
  o.velocity = cv::Point2d(30, 0);
  o.box = cv::Rect2d(300, 100, 20, 50);
  o.velocity = cv::Point2d(600, 0);  // upright but far too fast for a person
  EXPECT_NE(c.Classify(c.Measure(o)), ObjectClass::kPerson);
}

TEST(ClassifierTest, MeasureGivesShapeAndMotionFeatures) {
  HeuristicClassifier c;
  Observation o;
  o.frame = cv::Size(640, 360);
  o.box = cv::Rect2d(0, 0, 40, 20);
  o.velocity = cv::Point2d(-30, 40);
  o.fg_area = 400;
  o.steadiness = 0.8;
  const ObjectFeatures f = c.Measure(o);
  EXPECT_NEAR(f.fill, 0.5, 1e-9);
  EXPECT_NEAR(f.horizontal, 0.6, 1e-9);
  EXPECT_NEAR(f.steadiness, 0.8, 1e-9);
  EXPECT_NEAR(f.speed, 50 / std::hypot(640, 360), 1e-12);
}

TEST(ClassifierTest, MetricRulesGiveEachClass) {
  HeuristicClassifier c;
  EXPECT_EQ(c.Classify(Metres(0.6, 1.75, 1.4)), ObjectClass::kPerson);           // walking
  EXPECT_EQ(c.Classify(Metres(0.7, 1.6, 4.5)), ObjectClass::kPerson);            // running
  EXPECT_EQ(c.Classify(Metres(1.3, 0.55, 0.5)), ObjectClass::kPerson);           // crawling side-on
  EXPECT_EQ(c.Classify(Metres(0.6, 0.55, 0.4, 0.1)), ObjectClass::kPerson);      // crawling end-on
  EXPECT_EQ(c.Classify(Metres(4.3, 1.5, 8.0)), ObjectClass::kVehicle);           // car side-on
  EXPECT_EQ(c.Classify(Metres(1.8, 1.5, 6.0, 0.1)), ObjectClass::kVehicle);      // car end-on
  EXPECT_EQ(c.Classify(Metres(6.0, 1.0, 2.0, 0.95, 0.95)), ObjectClass::kBoat);  // boat side-on
  EXPECT_EQ(c.Classify(Metres(0.9, 0.5, 2.0, 0.7, 0.4)), ObjectClass::kAnimal);  // dog trotting
  EXPECT_EQ(c.Classify(Metres(1.0, 0.6, 0.5, 0.8, 0.3)), ObjectClass::kAnimal);  // slow, erratic
  EXPECT_EQ(c.Classify(Metres(0.05, 0.08, 0.5)), ObjectClass::kUnknown);         // a leaf
  EXPECT_EQ(c.Classify(Metres(0.8, 3.5, 1.0)), ObjectClass::kUnknown);           // too tall
  EXPECT_EQ(c.Classify(Metres(0.6, 1.75, 15)), ObjectClass::kUnknown);           // too fast to be a person
}

TEST(ClassifierTest, BoatNeedsSteadyHorizontalMotionWithoutWater) {
  HeuristicClassifier c;
  // Low and long but moving towards the camera or erratically: not called a boat.
  EXPECT_NE(c.Classify(Metres(6.0, 1.0, 2.0, 0.2, 0.95)), ObjectClass::kBoat);
  EXPECT_NE(c.Classify(Metres(6.0, 1.0, 2.0, 0.95, 0.3)), ObjectClass::kBoat);
  // As tall as a car, without water to say otherwise: a vehicle, however
  // slowly it goes (a car off the road, sim seed 1, 1.4 m tall at 1.2 m/s).
  EXPECT_EQ(c.Classify(Metres(5.0, 1.4, 1.0, 0.9, 0.95)), ObjectClass::kVehicle);
  EXPECT_EQ(c.Classify(Metres(5.0, 1.4, 4.0, 0.9, 0.95)), ObjectClass::kVehicle);
  // Lower than any car: a boat.
  EXPECT_EQ(c.Classify(Metres(5.0, 1.1, 1.0, 0.9, 0.95)), ObjectClass::kBoat);
}

TEST(ClassifierTest, WaterDecidesBoats) {
  HeuristicClassifier c;
  ObjectFeatures end_on = Metres(1.0, 1.05, 0.5, 0.1);  // a boat coming towards the camera
  EXPECT_NE(c.Classify(end_on), ObjectClass::kBoat);
  end_on.on_water = true;
  EXPECT_EQ(c.Classify(end_on), ObjectClass::kBoat);
  ObjectFeatures side = Metres(6.0, 1.0, 2.0, 0.95, 0.95);
  side.on_water = false;  // water configured, and this is not on it
  EXPECT_EQ(c.Classify(side), ObjectClass::kVehicle);
  ObjectFeatures wader = Metres(0.6, 1.75, 1.0);
  wader.on_water = true;  // an upright person stays a person
  EXPECT_EQ(c.Classify(wader), ObjectClass::kPerson);
}

// --- A calibrated camera: a level pinhole at kCamH metres, horizon at row
// kHorizonPx, focal kFocalPx, looking north. Ground (X east, Z north) ->
// pixel (320 + F X / Z, kHorizonPx + F kCamH / Z).
constexpr double kCamH = 6, kFocalPx = 400, kHorizonPx = 72;
constexpr int kW = 640, kH = 360;
cv::Point2d GroundToPx(double x, double z) {
  return {kW / 2.0 + kFocalPx * x / z, kHorizonPx + kFocalPx * kCamH / z};
}

config::CameraConfig CalibratedCamera() {
  auto frame = geometry::LocalFrame::Create(geometry::LatLon{40.1, 124.4});
  EXPECT_TRUE(frame.ok());
  config::CameraConfig cam;
  cam.id = "cal";
  for (auto [x, z] : std::vector<std::pair<double, double>>{
           {-5, 10}, {5, 10}, {-12, 40}, {12, 40}, {0, 25}, {-8, 20}}) {
    const cv::Point2d px = GroundToPx(x, z);
    const geometry::LatLon ll = frame.value()->ToLatLon(geometry::Vec2{x, z});
    cam.calibration.push_back({config::Point{px.x / kW, px.y / kH}, ll.lat, ll.lon});
  }
  return cam;
}

// The box of an upright object w x h metres whose bottom centre stands at
// (x, z), moving at (vx, vz) m/s; velocity in pixels per second.
Observation ObjectAt(double x, double z, double w, double h, double vx, double vz = 0) {
  Observation o;
  o.frame = cv::Size(kW, kH);
  const cv::Point2d foot = GroundToPx(x, z);
  const double wpx = kFocalPx * w / z, hpx = kFocalPx * h / z;
  o.box = cv::Rect2d(foot.x - wpx / 2, foot.y - hpx, wpx, hpx);
  const double dt = 0.1;
  const cv::Point2d ahead = GroundToPx(x + vx * dt, z + vz * dt);
  o.velocity = (ahead - foot) / dt;
  return o;
}

TEST(ClassifierTest, CalibratedCameraMeasuresMetres) {
  CameraClassifier c(CalibratedCamera(), cv::Size(kW, kH));
  ASSERT_TRUE(c.calibrated());
  // A person 0.6 x 1.7 m walking across at 1.5 m/s, 20 m away.
  ObjectFeatures f = c.Measure(ObjectAt(0, 20, 0.6, 1.7, 1.5));
  EXPECT_EQ(f.scale, SizeScale::kMetric);
  EXPECT_NEAR(f.width_m, 0.6, 0.03);
  EXPECT_NEAR(f.height_m, 1.7, 0.05);
  EXPECT_NEAR(f.speed_mps, 1.5, 0.08);
  EXPECT_EQ(c.Classify(f), ObjectClass::kPerson);
  // The same person walking straight away from the camera: the ground speed
  // is still 1.5 m/s, though the image speed is much lower.
  f = c.Measure(ObjectAt(2, 20, 0.6, 1.7, 0, 1.5));
  EXPECT_NEAR(f.speed_mps, 1.5, 0.1);
  // A car side-on, 4.5 x 1.5 m at 10 m/s, 30 m away.
  f = c.Measure(ObjectAt(-3, 30, 4.5, 1.5, 10));
  EXPECT_NEAR(f.width_m, 4.5, 0.15);
  EXPECT_NEAR(f.height_m, 1.5, 0.08);
  EXPECT_NEAR(f.speed_mps, 10, 0.5);
  EXPECT_EQ(c.Classify(f), ObjectClass::kVehicle);
  // A boat side-on, 7 x 1 m at 3 m/s, 40 m away, moving steadily.
  Observation boat = ObjectAt(4, 40, 7, 1.0, 3);
  boat.steadiness = 0.95;
  f = c.Measure(boat);
  EXPECT_NEAR(f.width_m, 7, 0.25);
  EXPECT_EQ(c.Classify(f), ObjectClass::kBoat);
  // A crawling person: 1.3 x 0.5 m at 0.5 m/s.
  f = c.Measure(ObjectAt(-2, 15, 1.3, 0.5, 0.5));
  EXPECT_NEAR(f.height_m, 0.5, 0.03);
  EXPECT_EQ(c.Classify(f), ObjectClass::kPerson);
  // A fox trotting, 0.8 x 0.45 m at 2.5 m/s.
  Observation fox = ObjectAt(1, 12, 0.8, 0.45, 2.5);
  fox.steadiness = 0.5;
  EXPECT_EQ(c.Classify(c.Measure(fox)), ObjectClass::kAnimal);
  // The same image box size means very different things at different depths:
  // 12 x 34 px is a person at 20 m but a 0.3 m thing at 10 m.
  Observation near = ObjectAt(0, 10, 0.3, 0.85, 0.5);
  f = c.Measure(near);
  EXPECT_NEAR(f.height_m, 0.85, 0.05);
  EXPECT_NE(c.Classify(f), ObjectClass::kPerson);
}

TEST(ClassifierTest, BadCalibrationFallsBackToUncalibrated) {
  config::CameraConfig cam = CalibratedCamera();
  cam.calibration.resize(3);  // too few points to fit
  CameraClassifier c(cam, cv::Size(kW, kH));
  EXPECT_FALSE(c.calibrated());
  EXPECT_EQ(c.Measure(ObjectAt(0, 20, 0.6, 1.7, 1.5)).scale, SizeScale::kImage);
}

TEST(PerspectiveModelTest, LearnsPersonHeightPerRowRobustly) {
  // h = 0.3 (y + 0.2) for the typical person; six people from 0.85 to 1.15
  // of that, +-5% noise per sample, and one sample in seven a merged blob
  // twice as tall.
  const double person[6] = {0.85, 0.95, 1.0, 1.0, 1.05, 1.15};
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> row(0.3, 0.95), noise(0.95, 1.05);
  PerspectiveModel m;
  double t = 0;
  for (int i = 0; i < 200; ++i) {
    const int64_t track = i % 6 + 1;
    if (track == 1) t += 0.3;
    const double y = row(rng);
    double h = 0.3 * (y + 0.2) * person[track - 1] * noise(rng);
    if (i % 7 == 3) h *= 2;
    m.Add(track, t, y, h);
    if (i + 1 < PerspectiveModel::kMinSamples) {
      EXPECT_FALSE(m.ready());
    }
  }
  ASSERT_TRUE(m.ready());
  EXPECT_NEAR(m.slope(), 0.3, 0.03);
  EXPECT_NEAR(m.horizon_y(), -0.2, 0.08);
  ASSERT_TRUE(m.PersonHeightAt(0.6).has_value());
  EXPECT_NEAR(*m.PersonHeightAt(0.6), 0.24, 0.015);
  EXPECT_NEAR(*m.PersonHeightAt(0.3), 0.15, 0.015);
  EXPECT_FALSE(m.PersonHeightAt(m.horizon_y()).has_value());
}

TEST(PerspectiveModelTest, NeedsSeveralTracksAndSpacedSamples) {
  PerspectiveModel m;
  // One track, many frames: never ready (one person is not a perspective).
  for (int i = 0; i < 100; ++i) m.Add(1, i * 0.3, 0.3 + 0.006 * i, 0.2);
  EXPECT_FALSE(m.ready());
  // Samples of one track closer than kSampleIntervalS are dropped.
  PerspectiveModel n;
  for (int i = 0; i < 6; ++i) n.Add(1, i * 0.04, 0.5, 0.2);  // 0 .. 0.2 s
  EXPECT_EQ(n.samples(), 1);
  n.Add(1, 0.26, 0.5, 0.2);
  EXPECT_EQ(n.samples(), 2);
}

TEST(PerspectiveModelTest, NarrowRowsKeepTheScale) {
  PerspectiveModel m;
  for (int i = 0; i < 60; ++i) m.Add(i % 4, i * 0.1, 0.6 + 0.001 * (i % 5), 0.2);
  ASSERT_TRUE(m.ready());
  ASSERT_TRUE(m.PersonHeightAt(0.6).has_value());
  EXPECT_NEAR(*m.PersonHeightAt(0.6), 0.2, 0.01);
  EXPECT_LT(m.horizon_y(), 0.6);
}

// An uncalibrated camera whose people are h = 0.25 (y + 0.3) frame heights
// tall with the foot at row y.
double PersonH(double y) { return 0.25 * (y + 0.3); }
Observation BoxAt(double foot_x, double foot_y, double w_h, double h_h, double vx_h,
                  double vy_h = 0) {
  // Sizes and velocities in frame heights (square pixels).
  Observation o;
  o.frame = cv::Size(kW, kH);
  o.box = cv::Rect2d(foot_x * kW - w_h * kH / 2, (foot_y - h_h) * kH, w_h * kH, h_h * kH);
  o.velocity = cv::Point2d(vx_h * kH, vy_h * kH);
  return o;
}

TEST(ClassifierTest, UncalibratedCameraLearnsPerspectiveFromItsPeople) {
  config::CameraConfig cam;
  cam.id = "plain";
  CameraClassifier c(cam, cv::Size(kW, kH));
  EXPECT_FALSE(c.calibrated());
  // Before any person was seen: image scale, today's rules.
  const Observation crawler_far = BoxAt(0.5, 0.35, PersonH(0.35) * 0.75, PersonH(0.35) * 0.32,
                                        PersonH(0.35) * 0.3);
  EXPECT_EQ(c.Measure(crawler_far).scale, SizeScale::kImage);

  // People walking at rows 0.3..0.95, confirmed and classed person.
  double t = 0;
  for (int i = 0; i < 120; ++i) {
    const double y = 0.3 + 0.65 * ((i * 37) % 100) / 100.0;
    Observation o = BoxAt(0.5, y, PersonH(y) * 0.38, PersonH(y), PersonH(y) * 0.8);
    o.track = i % 5 + 1;
    o.t = t;
    if (o.track == 5) t += 0.3;
    c.Learn(o, ObjectClass::kPerson, true);
  }
  // Unconfirmed tracks or other classes teach nothing.
  const int n = c.perspective().samples();
  c.Learn(BoxAt(0.5, 0.5, 0.05, 0.5, 0), ObjectClass::kPerson, false);
  c.Learn(BoxAt(0.5, 0.5, 0.05, 0.5, 0), ObjectClass::kVehicle, true);
  EXPECT_EQ(c.perspective().samples(), n);
  ASSERT_TRUE(c.perspective().ready());

  // A person at a row no sample had exactly: about 1.7 m.
  ObjectFeatures f = c.Measure(BoxAt(0.3, 0.52, PersonH(0.52) * 0.4, PersonH(0.52) * 1.05,
                                     PersonH(0.52) * 0.8));
  EXPECT_EQ(f.scale, SizeScale::kPerspective);
  EXPECT_NEAR(f.height_m, 1.05 * kPersonHeightM, 0.1);
  EXPECT_EQ(c.Classify(f), ObjectClass::kPerson);
  // A crawler far away is tiny in pixels but a person in person heights.
  f = c.Measure(crawler_far);
  EXPECT_EQ(f.scale, SizeScale::kPerspective);
  EXPECT_NEAR(f.height_m, 0.32 * kPersonHeightM, 0.05);
  EXPECT_EQ(c.Classify(f), ObjectClass::kPerson);
  // A car near the camera: 2.5 person heights long, 0.88 tall, fast.
  f = c.Measure(BoxAt(0.5, 0.9, PersonH(0.9) * 2.5, PersonH(0.9) * 0.88, PersonH(0.9) * 4));
  EXPECT_EQ(c.Classify(f), ObjectClass::kVehicle);
  // The same pixel box high up in the view measures far too tall for a
  // person at that depth; a learned scale is not trusted to veto a person
  // the image-relative rules see (an upright, slow box), so it stays one.
  const double y_low = 0.95, y_high = 0.35;
  f = c.Measure(BoxAt(0.5, y_high, PersonH(y_low) * 0.4, PersonH(y_low), 0));
  EXPECT_GT(f.height_m, 2.6);
  EXPECT_EQ(c.Classify(f), ObjectClass::kPerson);
}

TEST(ClassifierTest, ZoneForBoatsOnlyIsWater) {
  config::CameraConfig cam;
  cam.id = "river";
  config::ZoneRule water;
  water.id = "river";
  water.polygon = {{0, 0.4}, {1, 0.4}, {1, 0.8}, {0, 0.8}};
  water.classes = {"boat"};
  config::ZoneRule yard;  // all classes: not water
  yard.id = "yard";
  yard.polygon = {{0, 0.8}, {1, 0.8}, {1, 1}, {0, 1}};
  cam.zones = {water, yard};
  CameraClassifier c(cam, cv::Size(kW, kH));
  // A square box coming towards the camera (a boat end-on), image scale.
  Observation o = BoxAt(0.5, 0.6, 0.08, 0.08, 0, 0.02);
  ObjectFeatures f = c.Measure(o);
  ASSERT_TRUE(f.on_water.has_value());
  EXPECT_TRUE(*f.on_water);
  EXPECT_EQ(c.Classify(f), ObjectClass::kBoat);
  o = BoxAt(0.5, 0.9, 0.08, 0.08, 0, 0.02);
  f = c.Measure(o);
  EXPECT_FALSE(f.on_water.value_or(true));
  EXPECT_NE(c.Classify(f), ObjectClass::kBoat);
}

}  // namespace
}  // namespace watchline::analysis
