// Rule tests on hand-made track paths: exact geometry and timing, without the
// image stages.
#include "analysis/rules.h"

#include "analysis/geometry.h"

#include <gtest/gtest.h>

namespace watchline::analysis {
namespace {

config::CameraConfig Camera() {
  config::CameraConfig cam;
  cam.id = "c1";
  cam.detection.debounce_s = 2;
  // Vertical line at x = 0.5 drawn top to bottom: s = -(dy)(q.x - 0.5) with
  // dy > 0, so moving right (x growing) takes s from + to -: "out".
  cam.lines.push_back({"border", {{0.5, 0.1}, {0.5, 0.9}}, {}});
  return cam;
}

class PathBuilder {
 public:
  explicit PathBuilder(int64_t id = 7) {
    track_.id = id;
    track_.confirmed = true;
    track_.cls = ObjectClass::kPerson;
    track_.class_votes[static_cast<int>(ObjectClass::kPerson)] = 10;
    track_.hits = track_.updates = 10;
  }
  // Adds a foot point; the box is 0.02 x 0.1 above it.
  PathBuilder& At(double t, double x, double y) {
    TrackPoint p;
    p.seq = track_.next_seq++;
    p.t = t;
    p.foot = {x, y};
    p.box = cv::Rect2d(x - 0.01, y - 0.1, 0.02, 0.1);
    track_.path.push_back(p);
    track_.last_seen_t = t;
    return *this;
  }
  Track& track() { return track_; }

 private:
  Track track_;
};

std::vector<events::Event> RunAll(RuleEngine* rules, Track& track) {
  std::vector<events::Event> out;
  rules->Evaluate(track, track.path.back().t, &out);
  return out;
}

TEST(RulesTest, CrossingTimeAndBoxAreInterpolated) {
  RuleEngine rules(Camera());
  PathBuilder b;
  b.At(1.0, 0.40, 0.5).At(1.1, 0.44, 0.5).At(1.2, 0.56, 0.5).At(1.3, 0.60, 0.5);
  const auto ev = RunAll(&rules, b.track());
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "line_crossing");
  EXPECT_EQ(ev[0].camera, "c1");
  EXPECT_EQ(ev[0].rule, "border");
  EXPECT_EQ(ev[0].direction, "out");
  EXPECT_EQ(ev[0].track, 7);
  EXPECT_EQ(ev[0].cls, "person");
  EXPECT_NEAR(ev[0].t, 1.15, 1e-9);  // x = 0.5 halfway between 1.1 and 1.2
  ASSERT_TRUE(ev[0].box.has_value());
  EXPECT_NEAR(ev[0].box->x + ev[0].box->w / 2, 0.5, 1e-9);
  EXPECT_GT(ev[0].confidence, 0);
  EXPECT_LE(ev[0].confidence, 1);
  EXPECT_FALSE(ev[0].end.has_value());
}

TEST(RulesTest, DirectionFollowsTheSignOfS) {
  // Diagonal line; check "in" against the formula directly.
  config::CameraConfig cam;
  cam.id = "c1";
  cam.lines.push_back({"diag", {{0.2, 0.8}, {0.8, 0.2}}, {}});
  const cv::Point2d a(0.2, 0.8), bb(0.8, 0.2), from(0.3, 0.3), to(0.7, 0.7);
  ASSERT_LT(SideValue(a, bb, from), 0);
  ASSERT_GT(SideValue(a, bb, to), 0);
  RuleEngine rules(cam);
  PathBuilder b;
  b.At(0, from.x, from.y).At(1, to.x, to.y);
  const auto ev = RunAll(&rules, b.track());
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].direction, "in");
  EXPECT_NEAR(ev[0].t, 0.5, 1e-9);
}

TEST(RulesTest, JitterInsideTheDeadBandNeverFires) {
  RuleEngine rules(Camera());
  PathBuilder b;
  b.At(0, 0.45, 0.5);
  const double j = kCrossingDeadBand * 0.6;
  for (int i = 1; i <= 40; ++i) b.At(0.1 * i, 0.5 + (i % 2 ? j : -j), 0.5);
  EXPECT_TRUE(RunAll(&rules, b.track()).empty());
}

TEST(RulesTest, TheDeadBandGrowsWithTheObject) {
  // A foot that jumps 3x the fixed band either side of the line (snow merging
  // with the blob for a frame) fires nothing for a box 0.1 tall (band 0.02)...
  RuleEngine rules(Camera());
  PathBuilder b;
  b.At(0, 0.45, 0.5);
  const double j = kCrossingDeadBand * 3;
  ASSERT_LT(j, kCrossingDeadBandHeights * 0.1);
  for (int i = 1; i <= 40; ++i) b.At(0.1 * i, 0.5 + (i % 2 ? j : -j), 0.5);
  EXPECT_TRUE(RunAll(&rules, b.track()).empty());
  // ...and once the foot goes on past the band, one crossing fires, timed at
  // the step that last crossed the line.
  b.At(4.1, 0.53, 0.5);
  const auto ev = RunAll(&rules, b.track());
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].direction, "out");
  EXPECT_NEAR(ev[0].t, 4.0 + 0.1 * (j / (0.53 - 0.5 + j)), 1e-6);
}

TEST(RulesTest, CrossingBackFiresOutThenInAndDebounceHolds) {
  RuleEngine rules(Camera());
  PathBuilder b;
  b.At(0.0, 0.45, 0.5).At(0.5, 0.55, 0.5)   // out at 0.25
      .At(1.0, 0.45, 0.5)                   // in at 0.75
      .At(1.5, 0.55, 0.5)                   // out at 1.25: within 2 s of the first out
      .At(3.0, 0.55, 0.5)
      .At(3.5, 0.45, 0.5)                   // in at 3.25: 2.5 s after the first in
      .At(4.0, 0.45, 0.5);
  const auto ev = RunAll(&rules, b.track());
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].direction, "out");
  EXPECT_NEAR(ev[0].t, 0.25, 1e-9);
  EXPECT_EQ(ev[1].direction, "in");
  EXPECT_NEAR(ev[1].t, 0.75, 1e-9);
  EXPECT_EQ(ev[2].direction, "in");
  EXPECT_NEAR(ev[2].t, 3.25, 1e-9);
}

TEST(RulesTest, CrossingIsReportedWhenTheDeadBandIsClearedLater) {
  RuleEngine rules(Camera());
  PathBuilder b;
  b.At(0.0, 0.48, 0.5).At(0.1, 0.502, 0.5);  // across, but not yet clear
  std::vector<events::Event> out;
  rules.Evaluate(b.track(), 0.1, &out);
  EXPECT_TRUE(out.empty());
  b.At(0.2, 0.52, 0.5);
  rules.Evaluate(b.track(), 0.2, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0].t, 0.0 + 0.1 * (0.02 / 0.022), 1e-9);  // still the crossing time
}

// A track that is not confirmed yet, or not steady (Track::steady), fires
// nothing; once it is, its path is replayed with the crossing's own time.
TEST(RulesTest, HeldTrackFiresNothingUntilReleasedThenReplaysItsPath) {
  for (bool Track::*hold : {&Track::confirmed, &Track::steady}) {
    RuleEngine rules(Camera());
    PathBuilder b;
    b.track().*hold = false;
    b.At(0.0, 0.40, 0.5).At(0.1, 0.46, 0.5).At(0.2, 0.52, 0.5).At(0.3, 0.58, 0.5);
    std::vector<events::Event> out;
    rules.Evaluate(b.track(), 0.3, &out);
    EXPECT_TRUE(out.empty());
    b.track().*hold = true;
    b.At(0.4, 0.64, 0.5);
    rules.Evaluate(b.track(), 0.4, &out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_NEAR(out[0].t, 0.1 + 0.1 * (0.04 / 0.06), 1e-9);
    // Evaluating again sees no new points and fires nothing.
    out.clear();
    rules.Evaluate(b.track(), 0.5, &out);
    EXPECT_TRUE(out.empty());
  }
}

TEST(RulesTest, ClassesFilterLimitsWhichTracksFire) {
  config::CameraConfig cam = Camera();
  cam.lines[0].classes = {"vehicle"};
  cam.lines.push_back({"people", {{0.5, 0.1}, {0.5, 0.9}}, {"person"}});
  RuleEngine rules(cam);
  PathBuilder b;
  b.At(0, 0.4, 0.5).At(1, 0.6, 0.5);
  const auto ev = RunAll(&rules, b.track());
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].rule, "people");
}

TEST(RulesTest, ZoneIntrusionOnceWithEntryTimeAndLoitering) {
  config::CameraConfig cam;
  cam.id = "c1";
  cam.zones.push_back({"yard", {{0.6, 0.4}, {0.9, 0.4}, {0.9, 0.8}, {0.6, 0.8}}, {}, 3.0});
  RuleEngine rules(cam);
  PathBuilder b;
  b.At(0.0, 0.50, 0.6).At(1.0, 0.70, 0.6);  // enters at x = 0.6: t = 0.5
  std::vector<events::Event> out;
  rules.Evaluate(b.track(), 1.0, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "zone_intrusion");
  EXPECT_EQ(out[0].rule, "yard");
  EXPECT_NEAR(out[0].t, 0.5, 1e-3);
  EXPECT_FALSE(out[0].end.has_value());
  out.clear();
  // Stays inside: loitering after 3 s (t = 3.5), once; no second intrusion.
  for (int i = 1; i <= 40; ++i) b.At(1.0 + 0.1 * i, 0.70, 0.6);
  rules.Evaluate(b.track(), 5.0, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "loitering");
  EXPECT_NEAR(out[0].t, 3.5, 1e-3);
  out.clear();
  // Leaves and comes back: still no second intrusion for this track.
  b.At(5.1, 0.5, 0.6).At(5.2, 0.7, 0.6);
  rules.Evaluate(b.track(), 5.2, &out);
  EXPECT_TRUE(out.empty());
}

TEST(RulesTest, TrackBornInsideAZoneIntrudesAtItsFirstPoint) {
  config::CameraConfig cam;
  cam.id = "c1";
  cam.zones.push_back({"yard", {{0.6, 0.4}, {0.9, 0.4}, {0.9, 0.8}, {0.6, 0.8}}, {"person"}, {}});
  RuleEngine rules(cam);
  PathBuilder b;
  b.At(2.0, 0.7, 0.6).At(2.1, 0.72, 0.6);
  const auto ev = RunAll(&rules, b.track());
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_NEAR(ev[0].t, 2.0, 1e-9);
}

}  // namespace
}  // namespace watchline::analysis
