#include "sim/sim_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

namespace watchline::sim {
namespace {

using namespace std::chrono_literals;

SimOptions Small(uint64_t seed = 5) {
  SimOptions o;
  o.seed = seed;
  o.people = 3;
  return o;
}

bool SamePixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

TEST(ParseSimUrl, ReadsEveryKey) {
  auto r = ParseSimUrl(
      "sim://river?seed=3&people=4&vehicles=0&night=1&noise=3.5&duration=30&fps=12.5&width=320&height=240"
      "&fail=freeze&fail_at=60&fail_for=5");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "river");
  EXPECT_EQ(r->seed, 3u);
  EXPECT_EQ(r->people, 4);
  EXPECT_EQ(r->vehicles, 0);
  EXPECT_TRUE(r->night);
  EXPECT_DOUBLE_EQ(r->noise_sigma, 3.5);
  EXPECT_DOUBLE_EQ(r->duration_s, 30);
  EXPECT_DOUBLE_EQ(r->fps, 12.5);
  EXPECT_EQ(r->width, 320);
  EXPECT_EQ(r->height, 240);
  EXPECT_EQ(r->fail, FailMode::kFreeze);
  EXPECT_DOUBLE_EQ(r->fail_at_s, 60);
  EXPECT_DOUBLE_EQ(r->fail_for_s, 5);

  auto plain = ParseSimUrl("sim://yard");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->seed, 1u);
  EXPECT_EQ(plain->fail, FailMode::kNone);
  auto offline = ParseSimUrl("sim://x?fail_at=10");
  ASSERT_TRUE(offline.ok());
  EXPECT_EQ(offline->fail, FailMode::kOffline);
}

TEST(ParseSimUrl, UnknownKeyIsNamed) {
  auto r = ParseSimUrl("sim://river?seed=3&peeple=4");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("'peeple'"), std::string::npos) << r.status().message();
}

TEST(ParseSimUrl, BadValuesAreInvalidArgument) {
  for (const char* url :
       {"sim://r?people=many", "sim://r?seed=-1", "sim://r?night=maybe", "sim://r?fail=melt", "sim://r?fps=0",
        "sim://r?seed=1&seed=2", "rtsp://host/x", "sim://bad name"}) {
    auto r = ParseSimUrl(url);
    EXPECT_FALSE(r.ok()) << url;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << url;
  }
  auto r = ParseSimUrl("sim://r?people=many");
  EXPECT_NE(r.status().message().find("people"), std::string::npos);
}

TEST(SimSource, FramesArePacedOnTheClock) {
  ManualClock clock(100);
  SimSource src(Small(), 320, 10, &clock);
  EXPECT_TRUE(src.IsLive());
  ASSERT_TRUE(src.Open().ok());
  auto f0 = src.Next();
  ASSERT_TRUE(f0.ok());
  ASSERT_TRUE(*f0);
  EXPECT_DOUBLE_EQ((*f0)->t, 0);
  EXPECT_EQ((*f0)->index, 1);
  EXPECT_EQ((*f0)->gray.size(), cv::Size(320, 180));
  EXPECT_EQ((*f0)->gray.type(), CV_8UC1);
  EXPECT_EQ((*f0)->bgr.size(), cv::Size(320, 180));
  EXPECT_DOUBLE_EQ((*f0)->wall, clock.WallNow());

  // The next frame is due at t = 0.1: Next waits for the clock.
  auto pending = std::async(std::launch::async, [&] { return src.Next(); });
  EXPECT_EQ(pending.wait_for(50ms), std::future_status::timeout);
  clock.Advance(0.1);
  auto f1 = pending.get();
  ASSERT_TRUE(f1.ok());
  EXPECT_NEAR((*f1)->t, 0.1, 1e-9);
  EXPECT_EQ((*f1)->index, 2);

  // A reader that falls behind gets the newest frame, not a backlog.
  clock.Advance(1.05);
  auto f2 = src.Next();
  ASSERT_TRUE(f2.ok());
  EXPECT_NEAR((*f2)->t, 1.1, 1e-9);
  EXPECT_EQ((*f2)->index, 12);
  EXPECT_EQ(src.stats().frames_emitted.load(), 3u);

  // Frames are the scene rendered at the analysis size: same pixels as offline.
  SimOptions o = Small();
  o.width = 320;
  o.height = 180;
  o.fps = 10;
  Scene scene = Scene::Generate(o);
  cv::Mat expect;
  scene.Render(1.1, &expect);
  EXPECT_TRUE(SamePixels((*f2)->bgr, expect));
}

TEST(SimSource, RecordedModeGivesEveryFrameUnpacedAndEnds) {
  ManualClock clock(100);  // never advanced: a recorded clip does not wait for it
  SimOptions o = Small();
  o.duration_s = 3;
  o.live = false;
  SimSource src(o, 160, 5, &clock);
  EXPECT_FALSE(src.IsLive());
  ASSERT_TRUE(src.Open().ok());
  int n = 0;
  for (;;) {
    auto f = src.Next();
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    if (!*f) break;
    EXPECT_NEAR((*f)->t, n * 0.2, 1e-9);
    ++n;
    ASSERT_LE(n, 100) << "a recorded clip must end";
  }
  EXPECT_EQ(n, 15);  // 3 s at 5 fps
  auto parsed = ParseSimUrl("sim://r?live=0&duration=3");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->live);
  EXPECT_TRUE(ParseSimUrl("sim://r")->live);
}

TEST(SimSource, InterruptWakesABlockedNext) {
  ManualClock clock(0);
  SimSource src(Small(), 160, 5, &clock);
  ASSERT_TRUE(src.Open().ok());
  ASSERT_TRUE(src.Next().ok());
  auto pending = std::async(std::launch::async, [&] { return src.Next(); });
  EXPECT_EQ(pending.wait_for(30ms), std::future_status::timeout);
  src.Interrupt();
  auto r = pending.get();
  EXPECT_TRUE(r.status().IsUnavailable());
  // Open clears the interrupt and the camera carries on.
  ASSERT_TRUE(src.Open().ok());
  clock.Advance(0.2);
  auto f = src.Next();
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR((*f)->t, 0.2, 1e-9);
}

TEST(SimSource, OfflineFailureAndRecovery) {
  ManualClock clock(0);
  SimOptions o = Small();
  o.fail = FailMode::kOffline;
  o.fail_at_s = 0.5;
  o.fail_for_s = 2.0;
  SimSource src(o, 160, 10, &clock);
  ASSERT_TRUE(src.Open().ok());
  clock.Set(0.4);
  auto before = src.Next();
  ASSERT_TRUE(before.ok());
  EXPECT_NEAR((*before)->t, 0.4, 1e-9);

  clock.Set(0.5);
  auto pending = std::async(std::launch::async, [&] { return src.Next(); });
  EXPECT_EQ(pending.wait_for(30ms), std::future_status::timeout) << "an offline camera sends nothing";
  clock.Advance(kSimReadTimeoutS);
  auto r = pending.get();
  EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();

  src.Close();
  Status reopen = src.Open();
  EXPECT_TRUE(reopen.IsUnavailable()) << "cannot connect while offline";
  EXPECT_NE(reopen.message().find("c1"), std::string::npos);

  clock.Set(2.6);  // fail_at + fail_for has passed
  ASSERT_TRUE(src.Open().ok());
  auto after = src.Next();
  ASSERT_TRUE(after.ok());
  EXPECT_NEAR((*after)->t, 2.6, 1e-9) << "camera time runs on across the outage";
}

TEST(SimSource, FreezeRepeatsTheLastImage) {
  ManualClock clock(0);
  SimOptions o = Small();
  o.fail = FailMode::kFreeze;
  o.fail_at_s = 0.3;
  SimSource src(o, 160, 10, &clock);
  ASSERT_TRUE(src.Open().ok());
  cv::Mat last;
  for (int i = 0; i < 3; ++i) {
    auto f = src.Next();
    ASSERT_TRUE(f.ok());
    last = (*f)->bgr;
    clock.Advance(0.1);
  }
  for (int i = 0; i < 3; ++i) {
    auto f = src.Next();
    ASSERT_TRUE(f.ok());
    EXPECT_NEAR((*f)->t, 0.3 + 0.1 * i, 1e-9);
    EXPECT_TRUE(SamePixels((*f)->bgr, last)) << "frame at " << (*f)->t;
    clock.Advance(0.1);
  }
}

TEST(SimSource, BlackRendersBlack) {
  ManualClock clock(0);
  SimOptions o = Small();
  o.fail = FailMode::kBlack;
  o.fail_at_s = 0.2;
  o.fail_for_s = 0.2;
  SimSource src(o, 160, 10, &clock);
  ASSERT_TRUE(src.Open().ok());
  std::vector<double> maxima;
  for (int i = 0; i < 5; ++i) {
    auto f = src.Next();
    ASSERT_TRUE(f.ok());
    double mx = 0;
    cv::minMaxLoc((*f)->gray, nullptr, &mx);
    maxima.push_back(mx);
    clock.Advance(0.1);
  }
  EXPECT_GT(maxima[1], 0);
  EXPECT_EQ(maxima[2], 0);
  EXPECT_EQ(maxima[3], 0);
  EXPECT_GT(maxima[4], 0) << "recovers after fail_for";
}

TEST(SimSource, LoopsWithNewStoriesOverTheSameBackground) {
  ManualClock clock(0);
  SimOptions o = Small();
  o.duration_s = 6;
  o.people = 2;
  o.vehicles = 0;
  SimSource src(o, 320, 10, &clock);
  ASSERT_TRUE(src.Open().ok());
  ASSERT_TRUE(src.Next().ok());
  clock.Set(6.5);
  auto f = src.Next();
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR((*f)->t, 6.5, 1e-9);
  SimOptions small = o;
  small.width = 320;
  small.height = 180;
  small.fps = 10;
  Scene cycle1 = Scene::Generate(small).NextCycle(1);
  cv::Mat expect;
  cycle1.Render(0.5, &expect);
  EXPECT_TRUE(SamePixels((*f)->bgr, expect));
  EXPECT_EQ(src.scene().BackgroundImage().size(), cv::Size(320, 180));
}

TEST(SimSource, CreateUsesTheCamerasLine) {
  config::CameraConfig cam;
  cam.id = "east7";
  cam.source = "sim://river?seed=2&people=2&vehicles=0";
  cam.analysis.width = 320;
  cam.analysis.fps = 5;
  config::LineRule line;
  line.id = "fence";
  line.points = {{0.1, 0.7}, {0.9, 0.7}};
  cam.lines = {line};
  ManualClock clock(0);
  auto src = SimSource::Create(cam, &clock);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->scene().options().line.id, "fence");
  EXPECT_EQ((*src)->scene().options().camera_id, "east7");
  EXPECT_DOUBLE_EQ((*src)->fps(), 5);
  auto ev = (*src)->scene().GroundTruthEvents();
  ASSERT_FALSE(ev.empty());
  bool fence = false;
  for (const auto& e : ev) fence |= e.rule == "fence";
  EXPECT_TRUE(fence);

  cam.source = "sim://river?colour=red";
  auto bad = SimSource::Create(cam, &clock);
  EXPECT_TRUE(bad.status().IsInvalidArgument());
}

}  // namespace
}  // namespace watchline::sim
