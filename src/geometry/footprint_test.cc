#include "geometry/footprint.h"

#include <gtest/gtest.h>

#include <cmath>

namespace watchline::geometry {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180;

double Area(const std::vector<Vec2>& p) {
  double a = 0;
  for (size_t i = 0; i < p.size(); ++i) a += Cross(p[i], p[(i + 1) % p.size()]);
  return a / 2;
}

CameraSpec Cam(double height, double tilt, double hfov, double vfov = 0) {
  CameraSpec c;
  c.id = "c1";
  c.position = {1000, 2000};
  c.height_m = height;
  c.heading_deg = 0;
  c.tilt_deg = tilt;
  c.optics = {1920, 1080, hfov, vfov};
  return c;
}

TEST(FootprintTest, DoriDensities) {
  EXPECT_EQ(PixelsPerMetre(DoriLevel::kDetect), 25);
  EXPECT_EQ(PixelsPerMetre(DoriLevel::kObserve), 62.5);
  EXPECT_EQ(PixelsPerMetre(DoriLevel::kRecognise), 125);
  EXPECT_EQ(PixelsPerMetre(DoriLevel::kIdentify), 250);
  EXPECT_EQ(*ParseDoriLevel("recognise"), DoriLevel::kRecognise);
  EXPECT_TRUE(ParseDoriLevel("spot").status().IsInvalidArgument());
}

TEST(FootprintTest, FixedRangeIsTheContractSector) {
  CameraSpec c = Cam(6, 10, 60);
  c.heading_deg = 90;
  c.range_m = 100;
  auto fp = BuildFootprint(c, {});
  ASSERT_TRUE(fp.ok());
  EXPECT_TRUE(fp->fixed_range);
  EXPECT_NEAR(fp->near_m, 0, 1e-9);
  EXPECT_NEAR(fp->far_m, 100, 1e-9);
  // Area of a 60-degree sector of radius 100, less the chords' sagittas.
  EXPECT_NEAR(Area(fp->polygon), kPi * 100 * 100 / 6, 5);
  EXPECT_GT(Area(fp->polygon), 0);  // counter-clockwise
  // The apex is the camera, and the axis point is a vertex: 100 m due east.
  bool apex = false, axis = false;
  for (Vec2 p : fp->polygon) {
    apex |= Norm(p - c.position) < 1e-9;
    axis |= Norm(p - (c.position + Vec2{100, 0})) < 1e-9;
    EXPECT_LE(Norm(p - c.position), 100 + 1e-9);
  }
  EXPECT_TRUE(apex);
  EXPECT_TRUE(axis);
  // The edges are at heading +- 30 degrees.
  double min_b = 360, max_b = 0;
  for (Vec2 p : fp->polygon) {
    if (Norm(p - c.position) < 1) continue;
    min_b = std::min(min_b, BearingOf(p - c.position));
    max_b = std::max(max_b, BearingOf(p - c.position));
  }
  EXPECT_NEAR(min_b, 60, 1e-9);
  EXPECT_NEAR(max_b, 120, 1e-9);
}

TEST(FootprintTest, FrameScaleStretchesThePolygon) {
  CameraSpec c = Cam(6, 10, 60);
  c.range_m = 100;
  c.frame_scale = 1.01;
  auto fp = BuildFootprint(c, {});
  ASSERT_TRUE(fp.ok());
  double far = 0;
  for (Vec2 p : fp->polygon) far = std::max(far, Norm(p - c.position));
  EXPECT_NEAR(far, 101, 1e-9);
  EXPECT_NEAR(fp->far_m, 100, 1e-9);  // reported in true metres
}

TEST(FootprintTest, TiltAndVerticalFovGiveNearAndFarLimits) {
  // 10 m up, 45 degrees down, 40 degrees tall: the image spans 25..65 degrees
  // below the horizon, well inside the DORI depth.
  auto fp = BuildFootprint(Cam(10, 45, 60, 40), {});
  ASSERT_TRUE(fp.ok());
  EXPECT_NEAR(fp->near_m, 10 / std::tan(65 * kDeg), 1e-6);
  EXPECT_NEAR(fp->far_m, 10 / std::tan(25 * kDeg), 1e-6);
  ASSERT_EQ(fp->polygon.size(), 4u);  // a trapezoid
}

TEST(FootprintTest, DoriDepthLimitsALevelCamera) {
  // Level camera: depth is the forward distance. f_px = 960 / tan(30 deg).
  const double f_px = 960 / std::tan(30 * kDeg);
  CameraSpec c = Cam(5, 0, 60);
  auto fp = BuildFootprint(c, {});
  ASSERT_TRUE(fp.ok());
  EXPECT_NEAR(fp->dori_depth_m, f_px / 25, 1e-9);
  EXPECT_NEAR(fp->far_m, f_px / 25, 1e-6);
  EXPECT_NEAR(fp->near_m, 5 / std::tan(VerticalFov(c.optics) / 2 * kDeg), 1e-6);
  EXPECT_NEAR(fp->px_per_person, 12.5, 1e-12);
  // Width at the far limit: 2 z tan(hfov/2).
  double min_x = 1e9, max_x = -1e9;
  for (Vec2 p : fp->polygon) {
    min_x = std::min(min_x, p.x);
    max_x = std::max(max_x, p.x);
  }
  EXPECT_NEAR(max_x - min_x, 2 * (f_px / 25) * std::tan(30 * kDeg), 1e-6);
  FootprintOptions observe;
  observe.dori = DoriLevel::kObserve;
  auto fo = BuildFootprint(c, observe);
  ASSERT_TRUE(fo.ok());
  EXPECT_NEAR(fo->far_m, f_px / 62.5, 1e-6);
}

TEST(FootprintTest, ACameraLookingUpSeesNoGround) {
  auto fp = BuildFootprint(Cam(6, -40, 60, 30), {});
  ASSERT_TRUE(fp.ok());
  EXPECT_TRUE(fp->polygon.empty());
}

TEST(FootprintTest, FullCircleFixedRangeIsADisc) {
  CameraSpec c = Cam(6, 10, 360);
  c.range_m = 50;
  auto fp = BuildFootprint(c, {});
  ASSERT_TRUE(fp.ok());
  EXPECT_NEAR(Area(fp->polygon), kPi * 50 * 50, 3);
}

TEST(FootprintTest, PanoramicWithoutRangeUsesEquiangularPixels) {
  CameraSpec c = Cam(6, 30, 360, 90);
  c.optics.width_px = 4000;
  auto fp = BuildFootprint(c, {});
  ASSERT_TRUE(fp.ok());
  const double slant = 4000 / (2 * kPi * 25);
  EXPECT_NEAR(fp->dori_depth_m, slant, 1e-9);
  double far = 0;
  for (Vec2 p : fp->polygon) far = std::max(far, Norm(p - c.position));
  EXPECT_NEAR(far, std::sqrt(slant * slant - 36), 1e-6);
}

}  // namespace
}  // namespace watchline::geometry
