#include "geometry/perimeter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace watchline::geometry {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kA = 6378137.0;

// Degrees of longitude for `m` metres along the equator.
double EqDeg(double m) { return m / kA * 180 / kPi; }

std::string LineGeoJson(const std::vector<std::pair<double, double>>& lonlat) {
  std::string s = R"({"type":"LineString","coordinates":[)";
  for (size_t i = 0; i < lonlat.size(); ++i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s[%.12f,%.12f]", i ? "," : "", lonlat[i].first,
                  lonlat[i].second);
    s += buf;
  }
  return s + "]}";
}

// A straight 1 km line along the equator, west to east.
Perimeter Straight1km(InsideSide inside = InsideSide::kLeft) {
  auto p = Perimeter::ParseGeoJson(LineGeoJson({{0, 0}, {EqDeg(1000), 0}}), "line.geojson", inside);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

TEST(PerimeterTest, StraightLineChainageAndPoints) {
  Perimeter p = Straight1km();
  EXPECT_NEAR(p.length_m(), 1000, 1e-6);
  ASSERT_EQ(p.parts().size(), 1u);
  const Vec2 a = p.PointAt(0), b = p.PointAt(1000), m = p.PointAt(250);
  EXPECT_NEAR(Norm(b - a), 1000, 1e-3);
  EXPECT_NEAR(Norm(m - a), 250, 1e-3);
  const auto loc = p.Locate(m + Vec2{0, 30});
  EXPECT_NEAR(loc.chainage_m, 250, 1e-6);
  EXPECT_NEAR(loc.distance_m, 30, 1e-9);
  EXPECT_EQ(loc.side, Side::kInside);  // north is left of an eastward line
  EXPECT_EQ(p.SideOf(m + Vec2{0, -30}), Side::kOutside);
  EXPECT_EQ(Straight1km(InsideSide::kRight).SideOf(m + Vec2{0, -30}), Side::kInside);
  const Vec2 n = p.InsideNormalAt(500);
  EXPECT_NEAR(n.y, 1, 1e-9);
}

TEST(PerimeterTest, MultiLineStringPartsFollowInChainage) {
  char text[512];
  std::snprintf(text, sizeof text,
                R"({"type":"Feature","geometry":{"type":"MultiLineString","coordinates":)"
                R"([[[0,0],[%.12f,0]],[[%.12f,0],[%.12f,0]]]}})",
                EqDeg(300), EqDeg(500), EqDeg(700));
  auto p = Perimeter::ParseGeoJson(text, "m.geojson", InsideSide::kLeft);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->parts().size(), 2u);
  EXPECT_NEAR(p->parts()[0].to_m, 300, 1e-3);
  EXPECT_NEAR(p->parts()[1].from_m, 300, 1e-3);
  EXPECT_NEAR(p->length_m(), 500, 1e-3);
  // Chainage 350 is 50 m into the second part, i.e. 550 m east of the start.
  EXPECT_NEAR(Norm(p->PointAt(350) - p->PointAt(0)), 550, 1e-2);
  const auto slices = p->Slice(200, 400);
  ASSERT_EQ(slices.size(), 2u);
  EXPECT_NEAR(Norm(slices[0].back() - slices[0].front()), 100, 1e-2);
  EXPECT_NEAR(Norm(slices[1].back() - slices[1].front()), 100, 1e-2);
}

TEST(PerimeterTest, SideAtACornerUsesBothSegments) {
  // East 100 m, then north 100 m: a left turn. The point south-east of the
  // corner is outside the inner wedge, so it is on the right.
  auto p = Perimeter::ParseGeoJson(
      LineGeoJson({{0, 0}, {EqDeg(100), 0}, {EqDeg(100), EqDeg(100)}}), "c.geojson",
      InsideSide::kLeft);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Vec2 corner = p->vertices()[1];
  EXPECT_EQ(p->SideOf(corner + Vec2{10, -10}), Side::kOutside);
  EXPECT_EQ(p->SideOf(corner + Vec2{-10, 10}), Side::kInside);
  EXPECT_EQ(p->SideOf(corner + Vec2{5, -20}), Side::kOutside);
  EXPECT_EQ(p->SideOf(corner + Vec2{20, -5}), Side::kOutside);
}

TEST(PerimeterTest, CrossingsReportInAndOut) {
  Perimeter p = Straight1km();
  const Vec2 m = p.PointAt(400);
  auto in = p.FindCrossings(m + Vec2{0, -5}, m + Vec2{1, 5});
  ASSERT_EQ(in.size(), 1u);
  EXPECT_TRUE(in[0].inward);
  EXPECT_NEAR(in[0].chainage_m, 400.5, 1e-6);
  EXPECT_NEAR(in[0].u, 0.5, 1e-9);
  auto out = p.FindCrossings(m + Vec2{0, 5}, m + Vec2{0, -5});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].inward);
  EXPECT_TRUE(p.FindCrossings(m + Vec2{0, 5}, m + Vec2{3, 8}).empty());
}

TEST(PerimeterTest, LocateFarFromTheLineStillFindsIt) {
  Perimeter p = Straight1km();
  const auto loc = p.Locate(p.PointAt(0) + Vec2{-20000, 5000});
  EXPECT_NEAR(loc.chainage_m, 0, 1e-9);
  EXPECT_NEAR(loc.distance_m, std::hypot(20000, 5000), 1e-3);
}

TEST(PerimeterTest, BadGeoJsonNamesTheFile) {
  auto r = Perimeter::ParseGeoJson("{not json", "border.geojson", InsideSide::kLeft);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("border.geojson"), std::string::npos);
  r = Perimeter::ParseGeoJson(R"({"type":"Polygon","coordinates":[]})", "b.geojson",
                              InsideSide::kLeft);
  EXPECT_EQ(r.status().message(), "b.geojson: expected a LineString or MultiLineString, got Polygon");
  r = Perimeter::ParseGeoJson(R"({"type":"LineString","coordinates":[[0,0],[0,0]]})", "b.geojson",
                              InsideSide::kLeft);
  EXPECT_EQ(r.status().message(), "b.geojson: line 1 needs at least 2 distinct points, got 1");
  r = Perimeter::ParseGeoJson(R"({"type":"LineString","coordinates":[[0,0],[200,0]]})",
                              "b.geojson", InsideSide::kLeft);
  EXPECT_NE(r.status().message().find("coordinates[1]"), std::string::npos) << r.status().message();
  auto missing = Perimeter::LoadGeoJson("/nonexistent/b.geojson", InsideSide::kLeft);
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("/nonexistent/b.geojson"), std::string::npos);
}

}  // namespace
}  // namespace watchline::geometry
