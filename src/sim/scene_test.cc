#include "sim/scene.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <opencv2/imgproc.hpp>

#include "events/event.h"

namespace watchline::sim {
namespace {

using config::Point;

SimOptions Opts(uint64_t seed) {
  SimOptions o;
  o.seed = seed;
  return o;
}

TEST(SideOf, FollowsDesignSignRule) {
  // Line left to right along y = 0.5: y grows downwards, so below the line is positive.
  Point a{0.1, 0.5}, b{0.9, 0.5};
  EXPECT_LT(SideOf(a, b, {0.5, 0.4}), 0);
  EXPECT_GT(SideOf(a, b, {0.5, 0.6}), 0);
  auto c = SegmentCrossings({0.5, 0.4}, 1.0, {0.5, 0.6}, 2.0, {a, b});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].in);  // negative -> positive
  EXPECT_NEAR(c[0].t, 1.5, 1e-12);
  EXPECT_NEAR(c[0].p.y, 0.5, 1e-12);
  auto back = SegmentCrossings({0.5, 0.7}, 0.0, {0.5, 0.45}, 1.0, {a, b});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_FALSE(back[0].in);
  EXPECT_NEAR(back[0].t, 0.8, 1e-12);
  // Passing beyond the segment's end is not a crossing.
  EXPECT_TRUE(SegmentCrossings({0.95, 0.4}, 0, {0.95, 0.6}, 1, {a, b}).empty());
}

TEST(Scene, RenderIsDeterministic) {
  SimOptions o = Opts(7);
  Scene s1 = Scene::Generate(o);
  Scene s2 = Scene::Generate(o);
  ASSERT_FALSE(s1.objects().empty());
  cv::Mat a, b;
  for (double t : {0.0, 3.2, 7.48, 12.0, 19.96}) {
    s1.Render(t, &a);
    s2.Render(t, &b);
    ASSERT_EQ(a.size(), cv::Size(640, 360));
    ASSERT_EQ(a.type(), CV_8UC3);
    ASSERT_TRUE(a.isContinuous() && b.isContinuous());
    EXPECT_EQ(0, std::memcmp(a.data, b.data, a.total() * a.elemSize())) << "t=" << t;
    auto ba = s1.BoxesAt(t), bb = s2.BoxesAt(t);
    ASSERT_EQ(ba.size(), bb.size());
    for (size_t i = 0; i < ba.size(); ++i) {
      EXPECT_EQ(ba[i].id, bb[i].id);
      EXPECT_EQ(ba[i].x, bb[i].x);
      EXPECT_EQ(ba[i].h, bb[i].h);
    }
  }
  auto e1 = s1.GroundTruthEvents(), e2 = s2.GroundTruthEvents();
  ASSERT_EQ(e1.size(), e2.size());
  for (size_t i = 0; i < e1.size(); ++i) EXPECT_EQ(events::ToJsonLine(e1[i]), events::ToJsonLine(e2[i]));

  // Noise differs from frame to frame, and another seed is another scene.
  cv::Mat c;
  s1.Render(0.0, &a);
  s1.Render(0.04, &c);
  EXPECT_GT(cv::norm(a, c, cv::NORM_L1), 0);
  Scene other = Scene::Generate(Opts(8));
  other.Render(0.0, &c);
  EXPECT_GT(cv::norm(a, c, cv::NORM_L1), 0);
}

// Counts crossings by sampling each path finely and looking for sign changes of
// s() inside the segment: an independent check of the analytic ground truth.
struct Sampled {
  double t;
  bool in;
};
std::vector<Sampled> SampleCrossings(const SimObject& obj, const std::vector<Point>& line, double dt) {
  std::vector<Sampled> out;
  for (double t = obj.path.front().t; t + dt < obj.path.back().t; t += dt) {
    Point p = obj.FootAt(t), q = obj.FootAt(t + dt);
    for (size_t i = 1; i < line.size(); ++i) {
      double s0 = SideOf(line[i - 1], line[i], p), s1 = SideOf(line[i - 1], line[i], q);
      if ((s0 < 0) == (s1 < 0)) continue;
      // Is the midpoint within the segment's extent?
      Point m{(p.x + q.x) / 2, (p.y + q.y) / 2};
      double bx = line[i].x - line[i - 1].x, by = line[i].y - line[i - 1].y;
      double v = ((m.x - line[i - 1].x) * bx + (m.y - line[i - 1].y) * by) / (bx * bx + by * by);
      if (v < 0 || v > 1) continue;
      out.push_back({t + dt / 2, s0 < 0});
    }
  }
  return out;
}

void CheckCrossings(const SimOptions& o) {
  Scene s = Scene::Generate(o);
  EXPECT_GE(s.Crossings().size(), 3u) << "seed " << o.seed << ": a scene of 6 people has crossings";
  std::map<int64_t, std::vector<Crossing>> by_object;
  for (const auto& c : s.Crossings()) by_object[c.object].push_back(c);
  size_t expected_events = 0;
  for (const auto& obj : s.objects()) {
    const auto& got = by_object[obj.id];
    auto sampled = SampleCrossings(obj, o.line.points, 0.001);
    ASSERT_EQ(got.size(), sampled.size()) << "seed " << o.seed << " object " << obj.id;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i].t, sampled[i].t, 0.0011) << "object " << obj.id;
      EXPECT_EQ(got[i].in, sampled[i].in) << "object " << obj.id;
    }
    // A path that crosses once goes "in" exactly when it ends on the positive side.
    if (got.size() == 1) {
      const auto& a = o.line.points.front();
      const auto& b = o.line.points.back();
      bool ends_positive = SideOf(a, b, obj.path.back().p) > 0;
      bool starts_positive = SideOf(a, b, obj.path.front().p) > 0;
      if (o.line.points.size() == 2) {
        EXPECT_NE(ends_positive, starts_positive);
        EXPECT_EQ(got[0].in, ends_positive) << "seed " << o.seed << " object " << obj.id;
      }
    }
    switch (obj.intent) {
      case PathIntent::kCrossIn:
        ASSERT_EQ(got.size(), 1u);
        EXPECT_TRUE(got[0].in);
        break;
      case PathIntent::kCrossOut:
        ASSERT_EQ(got.size(), 1u);
        EXPECT_FALSE(got[0].in);
        break;
      case PathIntent::kAlong:
        EXPECT_TRUE(got.empty());
        break;
      case PathIntent::kZone:
        break;
    }
    for (const auto& c : got) expected_events += c.t < o.duration_s;
  }
  size_t line_events = 0;
  for (const auto& e : s.GroundTruthEvents()) {
    if (e.type != "line_crossing") continue;
    ++line_events;
    EXPECT_EQ(e.rule, o.line.id);
    EXPECT_TRUE(e.direction == "in" || e.direction == "out");
    EXPECT_EQ(e.camera, o.camera_id);
    ASSERT_TRUE(e.box.has_value());
  }
  EXPECT_EQ(line_events, expected_events) << "seed " << o.seed;
}

TEST(Scene, GroundTruthCrossingsMatchSampledPaths) {
  for (uint64_t seed = 1; seed <= 6; ++seed) CheckCrossings(Opts(seed));
}

TEST(Scene, GroundTruthHandlesOtherLines) {
  SimOptions vertical = Opts(3);
  vertical.line.points = {{0.5, 0.1}, {0.5, 0.95}};
  vertical.zone.polygon.clear();
  CheckCrossings(vertical);
  SimOptions bent = Opts(4);
  bent.line.points = {{0.05, 0.7}, {0.4, 0.55}, {0.7, 0.65}, {0.95, 0.5}};
  CheckCrossings(bent);
  for (const SimOptions& o : {vertical, bent}) {
    Scene s = Scene::Generate(o);
    int people = 0;
    for (const auto& obj : s.objects()) people += obj.kind == ObjectKind::kPerson;
    EXPECT_EQ(people, o.people) << "every requested person fits around the line";
  }
}

TEST(Scene, StoryHasInOutAlongAndZone) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    SimOptions o = Opts(seed);
    o.vehicles = 0;
    Scene s = Scene::Generate(o);
    ASSERT_EQ(s.objects().size(), 6u) << "seed " << seed;
    std::map<std::string, int> n;
    for (const auto& e : s.GroundTruthEvents()) n[e.type + ":" + e.direction]++;
    EXPECT_GE(n["line_crossing:in"], 1) << "seed " << seed;
    EXPECT_GE(n["line_crossing:out"], 1) << "seed " << seed;
    EXPECT_GE(n["zone_intrusion:"], 1) << "seed " << seed;
  }
}

TEST(Scene, PathsAreTrackerFriendly) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SimOptions o = Opts(seed);
    Scene s = Scene::Generate(o);
    std::map<int64_t, const SimObject*> objs;
    for (const auto& obj : s.objects()) {
      objs[obj.id] = &obj;
      EXPECT_GE(obj.path.front().t, 2.0) << "objects appear after the background has been learnt";
      if (obj.kind == ObjectKind::kPerson) {
        EXPECT_GE(obj.speed_mps, 0.8);
        EXPECT_LE(obj.speed_mps, 4.0);
      }
    }
    auto crossings = s.Crossings();
    for (size_t i = 0; i < crossings.size(); ++i) {
      const auto& c = crossings[i];
      const SimObject& obj = *objs[c.object];
      EXPECT_GE(c.t - obj.path.front().t, 1.5) << "seed " << seed << " object " << obj.id;
      EXPECT_LE(c.t, o.duration_s - 1.0);
      if (obj.kind == ObjectKind::kPerson) {
        double h_px = obj.HeightAt(c.p.y) * o.height;
        EXPECT_GE(h_px, 40);
        EXPECT_LE(h_px, 90);
      }
      for (size_t j = i + 1; j < crossings.size(); ++j) {
        const auto& d = crossings[j];
        if (d.t - c.t < 1.5) {
          EXPECT_GE(std::abs(d.p.x - c.p.x), 0.25)
              << "seed " << seed << ": crossings of " << c.object << " and " << d.object << " too close";
        }
      }
    }
  }
}

TEST(Scene, BoxesStayInsideTheFrame) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SimOptions o = Opts(seed);
    o.vehicles = 2;
    Scene s = Scene::Generate(o);
    int seen = 0;
    for (int64_t k = 0; k < s.FrameCount(); ++k) {
      for (const auto& b : s.BoxesAt(k / o.fps)) {
        ++seen;
        ASSERT_GE(b.x, 0) << "seed " << seed << " frame " << k;
        ASSERT_GE(b.y, 0);
        ASSERT_LE(b.x + b.w, o.width);
        ASSERT_LE(b.y + b.h, o.height);
        ASSERT_GT(b.w, 4);
        ASSERT_GT(b.h, 10);
      }
    }
    EXPECT_GT(seen, 100);
  }
}

TEST(Scene, DrawingFillsGroundTruthBoxes) {
  SimOptions o = Opts(5);
  o.noise_sigma = 0;
  o.vehicles = 1;
  Scene s = Scene::Generate(o);
  const cv::Mat& bg = s.BackgroundImage();
  cv::Mat frame, diff, changed;
  int checked = 0;
  for (double t = 0; t < o.duration_s; t += 0.52) {
    s.Render(t, &frame);
    cv::absdiff(frame, bg, diff);
    cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
    changed = diff > 0;
    auto boxes = s.BoxesAt(t);
    // Nothing is drawn outside the boxes (1 px for rasterisation).
    cv::Mat outside = changed.clone();
    for (const auto& b : boxes) {
      cv::Rect r(
          cv::Point(static_cast<int>(std::floor(b.x)) - 1, static_cast<int>(std::floor(b.y)) - 1),
          cv::Point(static_cast<int>(std::ceil(b.x + b.w)) + 2, static_cast<int>(std::ceil(b.y + b.h)) + 2));
      outside(r & cv::Rect(0, 0, o.width, o.height)).setTo(0);
    }
    ASSERT_EQ(cv::countNonZero(outside), 0) << "t=" << t;
    // Each box is filled to its edges: the changed pixels span the box.
    for (const auto& b : boxes) {
      bool overlaps = false;
      for (const auto& c : boxes)
        if (c.id != b.id && (cv::Rect2d(b.x, b.y, b.w, b.h) & cv::Rect2d(c.x, c.y, c.w, c.h)).area() > 0)
          overlaps = true;
      if (overlaps) continue;
      cv::Rect r(
          cv::Point(static_cast<int>(std::floor(b.x)) - 1, static_cast<int>(std::floor(b.y)) - 1),
          cv::Point(static_cast<int>(std::ceil(b.x + b.w)) + 2, static_cast<int>(std::ceil(b.y + b.h)) + 2));
      r &= cv::Rect(0, 0, o.width, o.height);
      cv::Rect drawn = cv::boundingRect(changed(r));
      drawn += r.tl();
      EXPECT_NEAR(drawn.x, b.x, 1.0) << "t=" << t << " id " << b.id;
      EXPECT_NEAR(drawn.y, b.y, 1.0) << "t=" << t << " id " << b.id;
      EXPECT_NEAR(drawn.x + drawn.width, b.x + b.w, 1.0) << "t=" << t << " id " << b.id;
      EXPECT_NEAR(drawn.y + drawn.height, b.y + b.h, 1.0) << "t=" << t << " id " << b.id << " (foot point)";
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

TEST(Scene, SameStoryAtAnotherSize) {
  SimOptions big = Opts(9), small = Opts(9);
  small.width = 320;
  small.height = 180;
  Scene a = Scene::Generate(big), b = Scene::Generate(small);
  ASSERT_EQ(a.objects().size(), b.objects().size());
  for (double t : {4.0, 9.0, 14.0}) {
    auto ba = a.BoxesAt(t), bb = b.BoxesAt(t);
    ASSERT_EQ(ba.size(), bb.size());
    for (size_t i = 0; i < ba.size(); ++i) {
      EXPECT_NEAR(ba[i].x / 2, bb[i].x, 1e-9);
      EXPECT_NEAR(ba[i].h / 2, bb[i].h, 1e-9);
    }
  }
  cv::Mat f;
  b.Render(4.0, &f);
  EXPECT_EQ(f.size(), cv::Size(320, 180));
}

TEST(Scene, NightIsDarkerAndNoisier) {
  SimOptions day = Opts(2), night = Opts(2);
  night.night = true;
  Scene d = Scene::Generate(day), n = Scene::Generate(night);
  cv::Mat d0, d1, n0, n1;
  // t = 0 and 0.04: before any object appears, so frames differ only by noise.
  d.Render(0, &d0);
  d.Render(0.04, &d1);
  n.Render(0, &n0);
  n.Render(0.04, &n1);
  EXPECT_LT(cv::mean(n0)[1], cv::mean(d0)[1] * 0.5);
  cv::Mat dd, nd;
  cv::absdiff(d0, d1, dd);
  cv::absdiff(n0, n1, nd);
  EXPECT_GT(cv::mean(nd)[1], cv::mean(dd)[1] * 1.5);
}

TEST(Scene, NextCycleKeepsTheBackground) {
  SimOptions o = Opts(4);
  o.noise_sigma = 0;
  Scene a = Scene::Generate(o);
  Scene b = a.NextCycle(1);
  EXPECT_EQ(a.BackgroundImage().data, b.BackgroundImage().data);
  ASSERT_FALSE(b.objects().empty());
  EXPECT_NE(a.objects().front().path.front().p.x, b.objects().front().path.front().p.x);
}

TEST(ValidateSimOptions, NamesTheField) {
  SimOptions o;
  EXPECT_TRUE(ValidateSimOptions(o).ok());
  o.fps = 0;
  Status s = ValidateSimOptions(o);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("fps"), std::string::npos);
  o = SimOptions();
  o.line.points = {{0.1, 0.1}};
  s = ValidateSimOptions(o);
  EXPECT_NE(s.message().find("border"), std::string::npos);
}

}  // namespace
}  // namespace watchline::sim
