#include "sim/script.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/clock.h"
#include "events/event.h"
#include "sim/effects.h"
#include "sim/sim_source.h"

namespace watchline::sim {
namespace {

std::string TempFile(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / ("wl_script_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

SimOptions ScriptOnly(const std::string& json, double duration = 20) {
  Result<SimScript> s = ParseSimScript(json, "test.json");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  SimOptions o;
  o.seed = 4;
  o.people = 0;
  o.vehicles = 0;
  o.duration_s = duration;
  o.script = "test.json";
  o.script_data = std::make_shared<const SimScript>(std::move(*s));
  return o;
}

bool Same(const cv::Mat& a, const cv::Mat& b) { return cv::norm(a, b, cv::NORM_INF) == 0; }

TEST(SimScript, ParsesActors) {
  auto s = ParseSimScript(
      R"({"actors":[{"kind":"person","path":[[0,0.1,0.8],[5,0.5,0.8]],"sway":0.002},
                    {"kind":"vehicle","path":[[1,0.2,0.9],[2,0.3,0.9],[3,0.4,0.9]]},
                    {"kind":"boat","path":[[1,0.5,0.5],[9,0.5,0.7]]}]})",
      "x.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->actors.size(), 3u);
  EXPECT_EQ(s->actors[0].kind, ObjectKind::kPerson);
  EXPECT_DOUBLE_EQ(s->actors[0].sway, 0.002);
  EXPECT_EQ(s->actors[1].kind, ObjectKind::kVehicle);
  EXPECT_EQ(s->actors[1].path.size(), 3u);
  EXPECT_DOUBLE_EQ(s->actors[1].path[2].p.x, 0.4);
  EXPECT_EQ(s->actors[2].kind, ObjectKind::kBoat);
}

TEST(SimScript, MalformedFilesNameTheFileAndTheProblem) {
  struct Case {
    const char* json;
    const char* expect;
  };
  const Case cases[] = {
      {R"({"actors":[{"kind":"person","path":[[0,0.1,0.8],[5,0.5,0.8]]})", "line 1"},
      {R"({"actors":[{"kind":"dog","path":[[0,0.1,0.8],[5,0.5,0.8]]}]})", "unknown kind 'dog'"},
      {R"({"actors":[{"kind":"person","path":[[0,0.1,0.8]]}]})", "2 or more waypoints"},
      {R"({"actors":[{"kind":"person","path":[[0,0.1,0.8],[0,0.2,0.8]]}]})", "actors[0].path[1]"},
      {R"({"actors":[{"kind":"person","path":[[0,0.1,0.8],[1,1.2,0.8]]}]})", "outside 0..1"},
      {R"({"actors":[{"kind":"person","path":[[0,0.1],[1,0.2,0.8]]}]})", "[t, x, y]"},
      {R"({"actors":[{"kind":"person","path":[[0,0.1,0.8],[1,0.2,0.8]],"sway":1}]})", "sway"},
      {R"({"actors":[{"kind":"person","path":[[0,0.1,0.8],[1,0.2,0.8]],"speed":1}]})", "unknown key 'speed'"},
      {R"({"people":[]})", "unknown key 'people'"},
      {R"([1,2])", "top level"},
  };
  for (const auto& c : cases) {
    auto s = ParseSimScript(c.json, "guard.json");
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_TRUE(s.status().IsInvalidArgument()) << c.json;
    EXPECT_NE(s.status().message().find("guard.json"), std::string::npos) << s.status().message();
    EXPECT_NE(s.status().message().find(c.expect), std::string::npos) << s.status().message();
  }
  auto missing = LoadSimScript("/nonexistent/wl/post.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsInvalidArgument());
  EXPECT_NE(missing.status().message().find("/nonexistent/wl/post.json"), std::string::npos);
  auto url = ParseSimUrl("sim://post?script=/nonexistent/wl/post.json");
  ASSERT_FALSE(url.ok());
  EXPECT_TRUE(url.status().IsInvalidArgument());
  EXPECT_NE(url.status().message().find("/nonexistent/wl/post.json"), std::string::npos);
}

TEST(SimScript, ActorFollowsItsWaypointsWithPerspectiveSize) {
  SimOptions o =
      ScriptOnly(R"({"actors":[{"kind":"person","path":[[2,0.2,0.9],[6,0.6,0.9],[10,0.6,0.5]]}]})");
  Scene s = Scene::Generate(o);
  ASSERT_EQ(s.objects().size(), 1u);
  EXPECT_TRUE(s.BoxesAt(1.99).empty());  // not yet present
  EXPECT_TRUE(s.BoxesAt(10.0).empty());  // gone at the last waypoint
  auto b = s.BoxesAt(4.0);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].id, 1);
  EXPECT_EQ(b[0].cls, "person");
  EXPECT_NEAR(b[0].x + b[0].w / 2, 0.4 * 640, 1e-9);  // halfway along the first leg
  EXPECT_NEAR(b[0].y + b[0].h, 0.9 * 360, 1e-9);
  // Perspective: nearer (lower) is bigger; 65 px at y = kRefY.
  auto near = s.BoxesAt(6.0), far = s.BoxesAt(9.99);
  ASSERT_EQ(near.size(), 1u);
  ASSERT_EQ(far.size(), 1u);
  EXPECT_GT(near[0].h, far[0].h * 1.3);
  auto ref = s.BoxesAt(9.0);  // foot at y = 0.6 = kRefY
  ASSERT_EQ(ref.size(), 1u);
  EXPECT_NEAR(ref[0].h, 65.0, 1e-9);
}

TEST(SimScript, StandingStillIsPerfectlyStillAndWalkingMovesTheLegs) {
  SimOptions o =
      ScriptOnly(R"({"actors":[{"kind":"person","path":[[1,0.5,0.8],[8,0.5,0.8],[12,0.7,0.8]]}]})");
  o.noise_sigma = 0;
  Scene s = Scene::Generate(o);
  cv::Mat a, b, c;
  s.Render(2.0, &a);
  s.Render(7.5, &b);
  EXPECT_TRUE(Same(a, b)) << "a person standing still must not change a pixel";
  // Walking: the box moves and the legs change shape inside it.
  s.Render(9.0, &a);
  s.Render(9.3, &c);
  EXPECT_FALSE(Same(a, c));
  // With sway, a standing person moves a little (and the box follows).
  SimOptions w =
      ScriptOnly(R"({"actors":[{"kind":"person","path":[[1,0.5,0.8],[30,0.5,0.8]],"sway":0.004}]})", 40);
  Scene sw = Scene::Generate(w);
  double lo = 1, hi = 0;
  for (double t = 1; t < 30; t += 0.5) {
    auto bx = sw.BoxesAt(t);
    ASSERT_EQ(bx.size(), 1u);
    const double fx = (bx[0].x + bx[0].w / 2) / 640;
    lo = std::min(lo, fx), hi = std::max(hi, fx);
  }
  EXPECT_GT(hi - lo, 0.003);
  EXPECT_LE(hi - lo, 2 * 0.004 + 1e-9);
}

TEST(SimScript, GroundTruthCrossingsAndZoneEntries) {
  // Default line runs from (0.05, 0.62) to (0.95, 0.55); zone x 0.60..0.92, y 0.18..0.40.
  SimOptions o = ScriptOnly(R"({"actors":[
      {"kind":"person","path":[[1,0.3,0.8],[5,0.3,0.4]]},
      {"kind":"vehicle","path":[[2,0.5,0.3],[4,0.5,0.3],[8,0.5,0.9]]},
      {"kind":"person","path":[[3,0.5,0.5],[6,0.7,0.3],[9,0.7,0.3]]}]})");
  Scene s = Scene::Generate(o);
  auto ev = s.GroundTruthEvents();
  int in = 0, out = 0, zone = 0;
  for (const auto& e : ev) {
    if (e.type == "line_crossing") {
      (e.direction == "in" ? in : out)++;
      if (e.track == 1) {
        EXPECT_EQ(e.direction, "out");  // upwards: positive to negative
        // y of the line at x = 0.3: 0.62 - 0.07 * 0.25 / 0.9
        const double yl = 0.62 - 0.07 * (0.25 / 0.9);
        EXPECT_NEAR(e.t, 1 + 4 * (0.8 - yl) / 0.4, 1e-9);
      }
      if (e.track == 2) {
        EXPECT_EQ(e.direction, "in");
        EXPECT_EQ(e.cls, "vehicle");
      }
    } else if (e.type == "zone_intrusion") {
      ++zone;
      EXPECT_EQ(e.track, 3);
    }
  }
  EXPECT_EQ(in, 1);
  EXPECT_EQ(out, 1);
  EXPECT_EQ(zone, 1);
}

TEST(SimScript, ScriptActorsComeFirstAndTheStoryIsKept) {
  SimOptions plain;
  plain.seed = 11;
  SimOptions with = plain;
  auto sc = ParseSimScript(R"({"actors":[{"kind":"person","path":[[1,0.1,0.9],[3,0.1,0.9]]}]})", "a.json");
  ASSERT_TRUE(sc.ok());
  with.script = "a.json";
  with.script_data = std::make_shared<const SimScript>(*sc);
  Scene a = Scene::Generate(plain), b = Scene::Generate(with);
  ASSERT_EQ(b.objects().size(), a.objects().size() + 1);
  EXPECT_TRUE(b.objects()[0].scripted);
  for (size_t i = 0; i < a.objects().size(); ++i) {
    EXPECT_EQ(b.objects()[i + 1].id, a.objects()[i].id + 1);
    EXPECT_EQ(b.objects()[i + 1].path.front().t, a.objects()[i].path.front().t);
  }
}

TEST(SimScript, UrlKeyLoadsTheFileAndLiveSourcesUseCameraTime) {
  const std::string path =
      TempFile("post.json", R"({"actors":[{"kind":"person","path":[[25,0.4,0.8],[35,0.4,0.8]]}]})");
  auto o = ParseSimUrl("sim://post?people=0&vehicles=0&duration=20&noise=0&script=" + path);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_TRUE(o->script_data);
  EXPECT_EQ(o->script, path);
  // Story 0 covers camera seconds 0..20: the actor (25..35 s) is not there yet.
  Scene s0 = Scene::Generate(*o, 0);
  EXPECT_TRUE(s0.objects().empty());
  // Story 1 covers 20..40: the actor stands there from 5 s to 15 s of story time.
  Scene s1 = s0.NextCycle(1);
  ASSERT_EQ(s1.objects().size(), 1u);
  EXPECT_EQ(s1.BoxesAt(4.9).size(), 0u);
  EXPECT_EQ(s1.BoxesAt(5.0).size(), 1u);
  EXPECT_EQ(s1.BoxesAt(14.99).size(), 1u);
  // The live source shows the actor at camera time 30 s.
  ManualClock clock(1000);
  SimSource src(*o, 320, 2, &clock);
  ASSERT_TRUE(src.Open().ok());
  bool seen = false;
  cv::Mat empty_view;
  for (int k = 0; k < 80; ++k) {
    auto f = src.Next();
    ASSERT_TRUE(f.ok());
    const double t = (*f)->t;
    if (std::abs(t - 10) < 1e-9) empty_view = (*f)->bgr.clone();
    if (std::abs(t - 30) < 1e-9) {
      ASSERT_FALSE(empty_view.empty());
      seen = !Same(empty_view, (*f)->bgr);
    }
    clock.Advance(0.5);
  }
  EXPECT_TRUE(seen);
  // script_loop=1 repeats the script with every story instead.
  auto loop = ParseSimUrl("sim://post?people=0&vehicles=0&duration=40&script_loop=1&script=" + path);
  ASSERT_TRUE(loop.ok());
  EXPECT_EQ(Scene::Generate(*loop, 3).objects().size(), 1u);
}

TEST(SimScript, LongScriptsRenderAtTheSameCostPerFrame) {
  // A patrol with a waypoint every second for 8 hours. FootAt is a binary
  // search: rendering a frame late in the shift must not scan the path. This
  // checks the answer (not the time): the foot point matches a direct
  // interpolation at many instants.
  std::string json = R"({"actors":[{"kind":"person","path":[)";
  const int n = 28800;
  for (int k = 0; k <= n; ++k) {
    const double x = 0.2 + 0.6 * ((k / 60) % 2 ? 1 - (k % 60) / 60.0 : (k % 60) / 60.0);
    json += (k ? "," : "") + std::string("[") + std::to_string(k) + "," + std::to_string(x) + ",0.85]";
  }
  json += "]}]}";
  SimOptions o = ScriptOnly(json, 28800);
  o.width = 320;
  o.height = 180;
  o.fps = 1;
  Scene s = Scene::Generate(o);
  ASSERT_EQ(s.objects().size(), 1u);
  const SimObject& obj = s.objects()[0];
  for (double t : {0.5, 100.25, 14399.9, 28799.5}) {
    const size_t k = static_cast<size_t>(t);
    const auto& a = obj.path[k];
    const auto& b = obj.path[k + 1];
    const double f = (t - a.t) / (b.t - a.t);
    EXPECT_NEAR(obj.FootAt(t).x, a.p.x + f * (b.p.x - a.p.x), 1e-12) << t;
  }
  cv::Mat img;
  s.Render(28000.0, &img);
  EXPECT_EQ(img.cols, 320);
  EXPECT_EQ(s.BoxesAt(28000.0).size(), 1u);
}

}  // namespace
}  // namespace watchline::sim
