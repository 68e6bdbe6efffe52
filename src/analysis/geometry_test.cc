#include "analysis/geometry.h"

#include <gtest/gtest.h>

namespace watchline::analysis {
namespace {

TEST(GeometryTest, SideValueFollowsTheContract) {
  // a->b pointing right along y = 0.5; y grows downwards, so a point below
  // the line (larger y) has s > 0.
  const cv::Point2d a(0.1, 0.5), b(0.9, 0.5);
  EXPECT_GT(SideValue(a, b, {0.5, 0.8}), 0);
  EXPECT_LT(SideValue(a, b, {0.5, 0.2}), 0);
  EXPECT_DOUBLE_EQ(SideValue(a, b, {0.3, 0.5}), 0);
  EXPECT_NEAR(SignedDistance(a, b, {0.5, 0.8}), 0.3, 1e-12);
}

TEST(GeometryTest, CrossingOfASegmentHasFractionAndDirection) {
  const std::vector<cv::Point2d> line = {{0.1, 0.5}, {0.9, 0.5}};
  auto c = FindCrossings(line, {0.5, 0.2}, {0.5, 0.6});  // going down: s - -> +
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NEAR(c[0].u, 0.75, 1e-12);
  EXPECT_EQ(c[0].direction, +1);
  c = FindCrossings(line, {0.5, 0.6}, {0.5, 0.2});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].direction, -1);
  // Passing beyond the end of the segment is not a crossing.
  EXPECT_TRUE(FindCrossings(line, {0.95, 0.2}, {0.95, 0.8}).empty());
  // Parallel step, no crossing.
  EXPECT_TRUE(FindCrossings(line, {0.2, 0.4}, {0.8, 0.4}).empty());
}

TEST(GeometryTest, TouchingTheLineAndGoingOnCountsOnce) {
  const std::vector<cv::Point2d> line = {{0.1, 0.5}, {0.9, 0.5}};
  EXPECT_EQ(FindCrossings(line, {0.5, 0.3}, {0.5, 0.5}).size(), 1u);  // onto the line
  EXPECT_EQ(FindCrossings(line, {0.5, 0.5}, {0.5, 0.7}).size(), 0u);  // and on
}

TEST(GeometryTest, PolylineVertexCountsOnceAndZigZagCountsEachSegment) {
  const std::vector<cv::Point2d> line = {{0.1, 0.5}, {0.5, 0.5}, {0.9, 0.3}};
  // Straight through the inner vertex.
  const auto at_vertex = FindCrossings(line, {0.5, 0.2}, {0.5, 0.8});
  ASSERT_EQ(at_vertex.size(), 1u);
  EXPECT_EQ(at_vertex[0].segment, 1);
  // A step that crosses the first segment and then the second one back.
  const auto twice = FindCrossings(line, {0.2, 0.6}, {0.8, 0.37});
  ASSERT_EQ(twice.size(), 2u);
  EXPECT_LT(twice[0].u, twice[1].u);
  EXPECT_EQ(twice[0].direction, -twice[1].direction);
}

TEST(GeometryTest, PointInPolygonAndEntryFraction) {
  const std::vector<cv::Point2d> square = {{0.2, 0.2}, {0.6, 0.2}, {0.6, 0.6}, {0.2, 0.6}};
  EXPECT_TRUE(PointInPolygon(square, {0.4, 0.4}));
  EXPECT_FALSE(PointInPolygon(square, {0.7, 0.4}));
  EXPECT_FALSE(PointInPolygon(square, {0.4, 0.1}));
  EXPECT_NEAR(EntryFraction(square, {0.0, 0.4}, {0.4, 0.4}), 0.5, 1e-3);
}

}  // namespace
}  // namespace watchline::analysis
