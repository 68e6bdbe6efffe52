#include "eval/crossings.h"

#include <gtest/gtest.h>

namespace watchline::eval {
namespace {

config::LineRule VerticalLine() {
  config::LineRule l;
  l.id = "mid";
  l.points = {{0.5, 0.0}, {0.5, 1.0}};
  return l;
}

// A walker moving right at 10 px per frame on a 100x100 image, foot at y=90.
std::vector<MotBox> Walker(int id, int first_frame, double x0, double dx, int n) {
  std::vector<MotBox> v;
  for (int i = 0; i < n; ++i) v.push_back({first_frame + i, id, x0 + dx * i, 50, 10, 40});
  return v;
}

TEST(CrossingsFromMotTest, InterpolatesTimeAndDirection) {
  // Foot x = x + 5: 5 at frame 1, +10 per frame, so it reaches 50 at frame 5.5.
  auto boxes = Walker(1, 1, 0, 10, 9);
  CrossingOptions opt{100, 100, 10.0};
  auto ev = CrossingsFromMot(boxes, VerticalLine(), opt);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_NEAR(ev[0].t, 0.45, 1e-9);  // frame 5.5 -> (5.5-1)/10
  // Line a=(0.5,0) b=(0.5,1): s = (b.x-a.x)(qy-a.y) - (b.y-a.y)(qx-a.x) = -(qx-0.5).
  // Moving right, s goes from + to -: "out".
  EXPECT_EQ(ev[0].direction, "out");
  EXPECT_EQ(ev[0].rule, "mid");
}

TEST(CrossingsFromMotTest, JitterInsideTheDeadBandIsNotACrossing) {
  std::vector<MotBox> boxes;
  for (int i = 0; i < 20; ++i) boxes.push_back({i + 1, 7, 45.0 + (i % 2 ? 0.3 : -0.3), 50, 10, 40});
  CrossingOptions opt{100, 100, 10.0, 0.01};
  EXPECT_TRUE(CrossingsFromMot(boxes, VerticalLine(), opt).empty());
}

TEST(CrossingsFromMotTest, OutsideTheSegmentIsNotACrossing) {
  config::LineRule l;
  l.id = "short";
  l.points = {{0.5, 0.0}, {0.5, 0.3}};  // the walker's feet are at y=0.9
  auto boxes = Walker(1, 1, 5, 10, 9);
  EXPECT_TRUE(CrossingsFromMot(boxes, l, CrossingOptions{100, 100, 10.0}).empty());
}

TEST(MatchEventsTest, CountsByTypeDirectionAndTolerance) {
  auto mk = [](double t, const char* dir) {
    events::Event e;
    e.type = "line_crossing";
    e.rule = "mid";
    e.t = t;
    e.direction = dir;
    return e;
  };
  std::vector<events::Event> truth = {mk(1.0, "in"), mk(5.0, "out"), mk(9.0, "in")};
  std::vector<events::Event> found = {mk(1.2, "in"), mk(5.1, "in"), mk(9.4, "in"), mk(20, "in")};
  auto r = MatchEvents(truth, found, MatchOptions{0.5});
  EXPECT_EQ(r.true_positives, 2);
  EXPECT_EQ(r.false_negatives, 1);  // 5.0 out: the found one has the wrong direction
  EXPECT_EQ(r.false_positives, 2);
  EXPECT_DOUBLE_EQ(r.precision, 0.5);
  EXPECT_NEAR(r.recall, 2.0 / 3, 1e-12);
  ASSERT_EQ(r.missed.size(), 1u);
  EXPECT_EQ(r.missed[0].t, 5.0);
}

}  // namespace
}  // namespace watchline::eval
