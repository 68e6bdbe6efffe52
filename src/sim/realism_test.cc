// The opt-in realism keys: runners, crawlers, boats on a river, distant people,
// swaying trees, snow. Ground truth stays analytic; these tests check it
// against the drawn sizes and an independent sampling of the paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <opencv2/imgproc.hpp>

#include "sim/effects.h"
#include "sim/scene.h"
#include "sim/sim_source.h"

namespace watchline::sim {
namespace {

SimOptions Url(const std::string& url) {
  Result<SimOptions> o = ParseSimUrl(url);
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  return o.ok() ? *o : SimOptions{};
}

// Sign changes of s() along finely sampled paths, inside the line's segments:
// an independent count of each object's crossings.
std::map<int64_t, int> SampledCrossings(const Scene& s) {
  std::map<int64_t, int> out;
  const auto& line = s.options().line.points;
  for (const auto& obj : s.objects()) {
    double prev = 0;
    bool have = false;
    for (double t = obj.path.front().t; t <= obj.path.back().t; t += 0.002) {
      config::Point q = obj.FootAt(t);
      // Side of the nearest segment that spans q's projection.
      for (size_t i = 1; i < line.size(); ++i) {
        const auto& a = line[i - 1];
        const auto& b = line[i];
        double bx = b.x - a.x, by = b.y - a.y;
        double v = ((q.x - a.x) * bx + (q.y - a.y) * by) / (bx * bx + by * by);
        if (v < 0 || v > 1) continue;
        double side = SideOf(a, b, q);
        if (have && ((prev < 0 && side > 0) || (prev > 0 && side < 0))) out[obj.id]++;
        prev = side;
        have = true;
        break;
      }
    }
  }
  return out;
}

TEST(Realism, KeysParseAndDefaultsAreOff) {
  SimOptions d = Url("sim://a");
  EXPECT_EQ(d.runners + d.crawlers + d.boats, 0);
  EXPECT_FALSE(d.far || d.river || d.trees || d.conditions.snow);
  SimOptions o = Url("sim://a?runners=2&crawlers=3&boats=4&far=1&trees=1&snow=1");
  EXPECT_EQ(o.runners, 2);
  EXPECT_EQ(o.crawlers, 3);
  EXPECT_EQ(o.boats, 4);
  EXPECT_TRUE(o.far && o.trees && o.conditions.snow);
  EXPECT_TRUE(o.river) << "boats imply the river";
  EXPECT_NE(std::find(o.line.classes.begin(), o.line.classes.end(), "boat"), o.line.classes.end());
  for (const char* bad : {"sim://a?runners=-1", "sim://a?boats=x", "sim://a?far=2", "sim://a?trees=yes"}) {
    auto r = ParseSimUrl(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(Realism, RunnersAndCrawlersCrossWithTheirGait) {
  SimOptions o = Url("sim://a?seed=4&people=0&vehicles=0&runners=3&crawlers=3&duration=60");
  Scene s = Scene::Generate(o);
  int runners = 0, crawlers = 0;
  for (const auto& obj : s.objects()) {
    ASSERT_EQ(obj.kind, ObjectKind::kPerson);
    if (obj.gait == Gait::kRun) {
      ++runners;
      EXPECT_GE(obj.speed_mps, 3.0);
      EXPECT_LE(obj.speed_mps, 5.0);
    } else {
      ASSERT_EQ(obj.gait, Gait::kCrawl);
      ++crawlers;
      EXPECT_LE(obj.speed_mps, 0.7);
      // Low: a crawler's box is about a third of a standing person's height.
      const double h = obj.HeightAt(0.6) * 360;
      EXPECT_GE(h, 45 * 0.32 - 1e-9);
      EXPECT_LE(h, 80 * 0.32 + 1e-9);
    }
  }
  EXPECT_EQ(runners, 3);
  EXPECT_EQ(crawlers, 3);
  auto sampled = SampledCrossings(s);
  int gt = 0;
  for (const auto& e : s.GroundTruthEvents()) {
    if (e.type != "line_crossing") continue;
    ++gt;
    EXPECT_EQ(sampled[e.track], 1) << "track " << e.track;
  }
  EXPECT_EQ(gt, 6);
}

TEST(Realism, DistantPeopleAreAboutFifteenPixelsTall) {
  SimOptions o = Url("sim://a?seed=5&far=1&people=8&vehicles=0&duration=40");
  Scene s = Scene::Generate(o);
  int checked = 0;
  for (const auto& e : s.GroundTruthEvents()) {
    if (e.type != "line_crossing") continue;
    const double h_px = e.box->h * o.height;
    EXPECT_GE(h_px, 12.0) << "t " << e.t;
    EXPECT_LE(h_px, 18.0) << "t " << e.t;
    ++checked;
  }
  EXPECT_GE(checked, 5);
  // And they are drawn that size: the figure fills its box.
  SimOptions quiet = o;
  quiet.noise_sigma = 0;
  Scene q = Scene::Generate(quiet);
  const auto ev = q.GroundTruthEvents();
  const double t = ev.front().t;
  cv::Mat img, diff;
  q.Render(t, &img);
  cv::absdiff(img, q.BackgroundImage(), diff);
  cv::Mat grey;
  cv::cvtColor(diff, grey, cv::COLOR_BGR2GRAY);
  for (const auto& b : q.BoxesAt(t)) {
    cv::Rect r(static_cast<int>(std::floor(b.x)) - 2, static_cast<int>(std::floor(b.y)) - 2,
               static_cast<int>(b.w) + 5, static_cast<int>(b.h) + 5);
    r &= cv::Rect(0, 0, img.cols, img.rows);
    cv::Mat nz;
    cv::findNonZero(grey(r) > 0, nz);
    ASSERT_FALSE(nz.empty());
    cv::Rect drawn = cv::boundingRect(nz);
    EXPECT_NEAR(drawn.height, b.h, 2.0);
  }
}

TEST(Realism, BoatsStayOnTheRiverAndCrossTheLine) {
  SimOptions o = Url("sim://a?seed=3&boats=6&people=0&vehicles=0&duration=60");
  Scene s = Scene::Generate(o);
  double top = 0, bottom = 0;
  ASSERT_TRUE(RiverBand(o, &top, &bottom));
  int boats = 0;
  for (const auto& obj : s.objects()) {
    ASSERT_EQ(obj.kind, ObjectKind::kBoat);
    ++boats;
    for (double t = obj.path.front().t; t < obj.path.back().t; t += 0.1) {
      const double y = obj.FootAt(t).y;
      EXPECT_GE(y, top);
      EXPECT_LE(y, bottom);
    }
  }
  EXPECT_EQ(boats, 6);
  auto sampled = SampledCrossings(s);
  int crossing = 0;
  for (const auto& e : s.GroundTruthEvents()) {
    ASSERT_EQ(e.type, "line_crossing");
    EXPECT_EQ(e.cls, "boat");
    EXPECT_EQ(sampled[e.track], 1);
    ++crossing;
  }
  EXPECT_GE(crossing, 3);
}

TEST(Realism, RiverRipplesAndTreesSwayOnlyWhereTheyAre) {
  SimOptions o = Url("sim://a?seed=6&river=1&trees=1&people=0&vehicles=0&noise=0");
  Scene s = Scene::Generate(o);
  cv::Mat a, b, again;
  s.Render(3.0, &a);
  s.Render(3.2, &b);
  s.Render(3.0, &again);
  EXPECT_EQ(cv::norm(a, again, cv::NORM_INF), 0) << "deterministic in t";
  double top = 0, bottom = 0;
  RiverBand(o, &top, &bottom);
  const int y0 = static_cast<int>(top * 360) + 4, y1 = static_cast<int>(bottom * 360) - 4;
  cv::Rect band(0, y0, 640, y1 - y0);
  EXPECT_GT(cv::norm(a(band), b(band), cv::NORM_L1) / band.area(), 0.5) << "the water moves";
  // Trees stand at the sides, above the river: the upper side strips move,
  // the middle of the near ground below the river does not.
  cv::Rect sides_l(0, 0, 110, y0 - 2), sides_r(530, 0, 110, y0 - 2);
  EXPECT_GT(cv::norm(a(sides_l), b(sides_l), cv::NORM_L1) + cv::norm(a(sides_r), b(sides_r), cv::NORM_L1), 0);
  cv::Rect still(150, y1 + 8, 340, 360 - y1 - 8);
  EXPECT_EQ(cv::norm(a(still), b(still), cv::NORM_INF), 0);
}

// The drawn figure of every new kind (runner, crawler, boat) fills its
// ground-truth box: the bounding box of the pixels it changes is the box.
TEST(Realism, NewFiguresFillTheirBoxes) {
  for (const char* keys : {"runners=3&crawlers=3", "boats=5"}) {
    SimOptions o = Url(std::string("sim://a?seed=8&people=0&vehicles=0&noise=0&river=1&duration=40&") + keys);
    SimOptions empty = o;
    empty.runners = empty.crawlers = empty.boats = 0;
    Scene s = Scene::Generate(o), bg = Scene::Generate(empty);
    ASSERT_TRUE(bg.objects().empty());
    int checked = 0;
    for (double t = 3; t < 38; t += 0.7) {
      auto boxes = s.BoxesAt(t);
      if (boxes.size() != 1) continue;  // one figure at a time: its pixels are unambiguous
      cv::Mat a, b, diff, grey;
      s.Render(t, &a);
      bg.Render(t, &b);
      cv::absdiff(a, b, diff);
      cv::cvtColor(diff, grey, cv::COLOR_BGR2GRAY);
      cv::Mat nz;
      cv::findNonZero(grey > 0, nz);
      ASSERT_FALSE(nz.empty()) << keys << " t " << t;
      const cv::Rect drawn = cv::boundingRect(nz);
      const GtBox& g = boxes[0];
      EXPECT_NEAR(drawn.x, g.x, 1.01) << keys << " t " << t;
      EXPECT_NEAR(drawn.y, g.y, 1.01) << keys << " t " << t;
      EXPECT_NEAR(drawn.x + drawn.width, g.x + g.w, 1.01) << keys << " t " << t;
      EXPECT_NEAR(drawn.y + drawn.height, g.y + g.h, 1.01) << keys << " t " << t;
      ++checked;
    }
    EXPECT_GE(checked, 5) << keys;
  }
}

TEST(Realism, SnowFallsAndIsDeterministic) {
  SimOptions o = Url("sim://a?seed=2&snow=1&people=0&vehicles=0&noise=0");
  Scene s = Scene::Generate(o);
  cv::Mat plain, a, b, a2;
  s.Render(5.0, &plain);
  RenderWithEffects(s, 5.0, &a);
  RenderWithEffects(s, 5.0, &a2);
  RenderWithEffects(s, 5.5, &b);
  EXPECT_EQ(cv::norm(a, a2, cv::NORM_INF), 0);
  EXPECT_GT(cv::mean(a)[1], cv::mean(plain)[1]) << "snow whitens the view";
  EXPECT_GT(cv::norm(a, b, cv::NORM_L1), 0) << "flakes fall";
}

TEST(Realism, SpiderWebIsLitAtNightSwaysAndIsDeterministic) {
  EXPECT_FALSE(Url("sim://a").conditions.web);
  EXPECT_FALSE(ParseSimUrl("sim://a?web=2").ok());
  for (bool night : {false, true}) {
    SimOptions o = Url(std::string("sim://a?seed=2&web=1&people=0&vehicles=0&noise=0") +
                       (night ? "&night=1" : ""));
    ASSERT_TRUE(o.conditions.web);
    Scene s = Scene::Generate(o);
    cv::Mat plain, a, a2, b, diff;
    s.Render(5.0, &plain);
    RenderWithEffects(s, 5.0, &a);
    RenderWithEffects(s, 5.0, &a2);
    RenderWithEffects(s, 5.3, &b);
    EXPECT_EQ(cv::norm(a, a2, cv::NORM_INF), 0);
    cv::absdiff(a, plain, diff);
    cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
    // Strands over a corner of the view, brighter by night (the IR lights them).
    const double strongest = cv::norm(diff, cv::NORM_INF);
    EXPECT_GT(strongest, night ? 80 : 15) << "night " << night;
    EXPECT_LT(cv::countNonZero(diff > 10), 0.2 * diff.total()) << "thin strands, not a veil";
    EXPECT_GT(cv::norm(a, b, cv::NORM_L1), 0) << "the wind sways it";
  }
}

}  // namespace
}  // namespace watchline::sim
