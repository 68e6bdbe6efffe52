#include "geometry/local_frame.h"

#include <gtest/gtest.h>

#include <cmath>

namespace watchline::geometry {
namespace {

TEST(LocalFrameTest, OriginIsZeroAndRoundTripIsExact) {
  auto f = LocalFrame::Create({40.1, 124.4});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  const Vec2 o = (*f)->ToLocal({40.1, 124.4});
  EXPECT_NEAR(o.x, 0, 1e-9);
  EXPECT_NEAR(o.y, 0, 1e-9);
  for (Vec2 p : {Vec2{1234.5, -987.25}, Vec2{-50000, 70000}, Vec2{300000, 10}}) {
    const LatLon ll = (*f)->ToLatLon(p);
    const Vec2 back = (*f)->ToLocal(ll);
    EXPECT_NEAR(back.x, p.x, 1e-6);
    EXPECT_NEAR(back.y, p.y, 1e-6);
  }
}

TEST(LocalFrameTest, MetresAreTrueMetresNearTheOrigin) {
  auto f = LocalFrame::Create({0, 10});
  ASSERT_TRUE(f.ok());
  // 1 km east along the equator: a * dlon.
  const double dlon = 1000.0 / 6378137.0 * 180 / 3.14159265358979323846;
  const Vec2 p = (*f)->ToLocal({0, 10 + dlon});
  EXPECT_NEAR(p.x, 1000, 1e-3);
  EXPECT_NEAR(p.y, 0, 1e-6);
  EXPECT_NEAR(LocalFrame::GeodesicDistance({0, 10}, {0, 10 + dlon}), 1000, 1e-6);
  EXPECT_NEAR(LocalFrame::GeodesicDistance({0, 0}, {0, 1}), 111319.4908, 1e-3);
}

TEST(LocalFrameTest, ScaleGrowsAwayFromTheCentralMeridian) {
  auto f = LocalFrame::Create({45, 10});
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR((*f)->ScaleAt({45, 10}), 1.0, 1e-9);
  // About 1 + d^2 / (2 R^2) at d = 500 km.
  const LatLon far = (*f)->ToLatLon({500000, 0});
  EXPECT_NEAR((*f)->ScaleAt(far), 1 + 0.5 * std::pow(500000 / 6378137.0, 2), 3e-4);
}

TEST(LocalFrameTest, BearingsAreCompassBearings) {
  EXPECT_NEAR(BearingVector(0).y, 1, 1e-12);
  EXPECT_NEAR(BearingVector(90).x, 1, 1e-12);
  EXPECT_NEAR(BearingOf({1, 0}), 90, 1e-12);
  EXPECT_NEAR(BearingOf({0, -1}), 180, 1e-12);
  EXPECT_NEAR(BearingOf({-1, 0}), 270, 1e-12);
}

TEST(LocalFrameTest, RejectsAnOriginOffTheGlobe) {
  EXPECT_TRUE(LocalFrame::Create({95, 0}).status().IsInvalidArgument());
}

}  // namespace
}  // namespace watchline::geometry
