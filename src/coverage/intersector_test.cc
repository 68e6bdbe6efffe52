// Footprints on lines whose covered lengths can be worked out by hand.
#include "coverage/intersector.h"

#include <gtest/gtest.h>

#include <cmath>

#include "coverage/test_lines.h"
#include "geometry/footprint.h"

namespace watchline::coverage {
namespace {

using geometry::Vec2;
using testing::EqDeg;
using testing::kPi;

// A straight 1 km line along the equator with a vertex every 10 m, so
// footprints span several GEOS chunks.
geometry::Perimeter DenseLine() {
  std::string s = R"({"type":"LineString","coordinates":[)";
  for (int i = 0; i <= 100; ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s[%.12f,0]", i ? "," : "", EqDeg(10.0 * i));
    s += buf;
  }
  s += "]}";
  return std::move(geometry::Perimeter::ParseGeoJson(s, "dense.geojson",
                                                     geometry::InsideSide::kLeft))
      .value();
}

// A fixed-range camera `offset` metres north (+) or south (-) of chainage c.
geometry::Footprint Sector(const geometry::Perimeter& p, double c, double offset, double heading,
                           double hfov, double range) {
  geometry::CameraSpec s;
  s.id = "cam";
  s.position = p.PointAt(c) + Vec2{0, offset};
  s.heading_deg = heading;
  s.optics.hfov_deg = hfov;
  s.range_m = range;
  return std::move(geometry::BuildFootprint(s, {})).value();
}

class IntersectorTest : public ::testing::Test {
 protected:
  IntersectorTest() : line_(DenseLine()) {
    inter_ = std::move(FootprintIntersector::Create(line_)).value();
  }
  std::vector<Interval> Cover(const geometry::Footprint& fp) {
    auto r = inter_->Intersect(fp.polygon);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    auto base = inter_->IntersectWithoutIndex(fp.polygon);
    EXPECT_EQ(base->size(), r->size()) << "the index must not change the answer";
    return r.ok() ? *r : std::vector<Interval>{};
  }
  geometry::Perimeter line_;
  std::unique_ptr<FootprintIntersector> inter_;
};

TEST_F(IntersectorTest, CameraOnTheLineLookingAlongIt) {
  EXPECT_GT(inter_->chunk_count(), 1u);
  auto iv = Cover(Sector(line_, 100, 0, 90, 60, 300));
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_NEAR(iv[0].from_m, 100, 1e-6);
  EXPECT_NEAR(iv[0].to_m, 400, 1e-6);
}

TEST_F(IntersectorTest, CameraBesideTheLineLookingAcrossIt) {
  // 40 m south, looking north, 60 degrees: the sector's edges cross the line
  // at +- 40 tan(30) from the camera's foot.
  const double half = 40 * std::tan(30 * kPi / 180);
  auto iv = Cover(Sector(line_, 500, -40, 0, 60, 100));
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_NEAR(iv[0].from_m, 500 - half, 1e-6);
  EXPECT_NEAR(iv[0].to_m, 500 + half, 1e-6);
  // With a 45 m range the arc cuts it instead: +- sqrt(45^2 - 40^2), less the
  // chords' sagitta (1 cm).
  const double arc = std::sqrt(45.0 * 45 - 40 * 40);
  iv = Cover(Sector(line_, 500, -40, 0, 60, 45));
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_NEAR(iv[0].from_m, 500 - arc, 0.03);
  EXPECT_NEAR(iv[0].to_m, 500 + arc, 0.03);
  // Out of range: nothing.
  EXPECT_TRUE(Cover(Sector(line_, 500, -40, 0, 60, 39)).empty());
  // Looking away: nothing.
  EXPECT_TRUE(Cover(Sector(line_, 500, -40, 180, 60, 100)).empty());
}

TEST_F(IntersectorTest, FootprintsAtTheEndsAreClipped) {
  auto iv = Cover(Sector(line_, 1000, 0, 90, 60, 300));  // looking past the end
  EXPECT_TRUE(iv.empty() || iv[0].length_m() < 1e-6);
  iv = Cover(Sector(line_, 50, 0, 270, 60, 300));  // looking back past the start
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_NEAR(iv[0].from_m, 0, 1e-9);
  EXPECT_NEAR(iv[0].to_m, 50, 1e-6);
}

TEST(IntersectorWindingTest, OneFootprintCanSeeTwoStretches) {
  // A hairpin: 500 m east, then back west 60 m further north. A camera
  // between the legs looking east with a wide view sees both.
  char buf[256];
  std::snprintf(buf, sizeof buf,
                R"({"type":"LineString","coordinates":[[0,0],[%.12f,0],[%.12f,%.12f],[0,%.12f]]})",
                EqDeg(500), EqDeg(500), EqDeg(60), EqDeg(60));
  auto p = geometry::Perimeter::ParseGeoJson(buf, "hairpin.geojson", geometry::InsideSide::kLeft);
  ASSERT_TRUE(p.ok());
  auto inter = FootprintIntersector::Create(*p);
  ASSERT_TRUE(inter.ok());
  // The camera midway between the legs, d metres from each.
  const auto& v = p->vertices();
  const double d = (v[2].y - v[1].y) / 2;
  geometry::CameraSpec s;
  s.id = "mid";
  s.position = p->PointAt(200) + Vec2{0, d};
  s.heading_deg = 90;
  s.optics.hfov_deg = 90;
  s.range_m = 100;
  auto fp = geometry::BuildFootprint(s, {});
  auto iv = (*inter)->Intersect(fp->polygon);
  ASSERT_TRUE(iv.ok());
  ASSERT_EQ(iv->size(), 2u);
  // Each leg is seen from d to sqrt(100^2 - d^2) ahead of the camera.
  const double reach = std::sqrt(100.0 * 100 - d * d);
  EXPECT_NEAR((*iv)[0].from_m, 200 + d, 0.05);
  EXPECT_NEAR((*iv)[0].to_m, 200 + reach, 0.05);
  EXPECT_NEAR((*iv)[1].from_m, p->Locate(s.position + Vec2{reach, d}).chainage_m, 0.05);
  EXPECT_NEAR((*iv)[1].to_m, p->Locate(s.position + Vec2{d, d}).chainage_m, 0.05);
}

}  // namespace
}  // namespace watchline::coverage
