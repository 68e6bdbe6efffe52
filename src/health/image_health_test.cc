// ImageHealth + HealthMonitor on simulated frames: each tamper type is raised
// with the right type, the conditions that must not alarm do not, and the
// hysteresis, re-baseline and event shapes behave as documented.
#include "health/image_health.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "base/clock.h"
#include "health/health_monitor.h"
#include "ingest/ffmpeg_source.h"
#include "sim/effects.h"
#include "sim/scene.h"
#include "sim/sim_clip.h"

namespace watchline::health {
namespace {

constexpr double kFps = 5;

sim::SimOptions Opts(uint64_t seed) {
  sim::SimOptions o;
  o.seed = seed;
  o.width = 640;
  o.height = 360;
  o.fps = kFps;
  o.people = 4;
  o.duration_s = 30;
  return o;
}

struct Seen {
  State to;
  double at;   // onset
  double when; // frame time it was reported
  std::string cause;
};

// Runs the monitor over the scene for [0, until) at kFps; returns every
// transition into a camera_* state or back to ok.
std::vector<Seen> RunSim(const sim::SimOptions& o, double until, HealthMonitor* mon,
                      const std::function<void(double)>& before_frame = {}) {
  sim::Scene scene = sim::Scene::Generate(o);
  std::vector<Seen> out;
  cv::Mat bgr, gray;
  for (int k = 0; k < static_cast<int>(until * kFps); ++k) {
    const double t = k / kFps;
    if (before_frame) before_frame(t);
    sim::RenderWithEffects(scene, t, &bgr);
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    if (auto tr = mon->OnImage(t, gray)) {
      if (tr->from != State::kStarting) out.push_back({tr->to, tr->at, t, tr->cause});
    }
  }
  return out;
}

config::CameraConfig Cam() {
  config::CameraConfig c;
  c.id = "c1";
  return c;
}

struct TamperCase {
  sim::Tamper tamper;
  State expected;
};

class TamperTest : public ::testing::TestWithParam<TamperCase> {};

TEST_P(TamperTest, DetectedWithTheRightTypeWithinThreeSeconds) {
  sim::SimOptions o = Opts(11);
  o.tamper = GetParam().tamper;
  o.tamper_at_s = 8.3;
  HealthMonitor mon(Cam(), 0);
  auto seen = RunSim(o, o.tamper_at_s + 4, &mon);
  ASSERT_FALSE(seen.empty()) << "nothing raised for " << sim::ToString(o.tamper);
  EXPECT_EQ(seen[0].to, GetParam().expected) << seen[0].cause;
  EXPECT_GE(seen[0].when, o.tamper_at_s) << "raised before the tamper: " << seen[0].cause;
  EXPECT_LE(seen[0].when - o.tamper_at_s, 3.0);
  // The onset it reports is close to the real one.
  EXPECT_NEAR(seen[0].at, o.tamper_at_s, 1.0);
  EXPECT_FALSE(seen[0].cause.empty());
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, TamperTest,
    ::testing::Values(TamperCase{sim::Tamper::kCover, State::kOccluded},
                      TamperCase{sim::Tamper::kSpray, State::kOccluded},
                      TamperCase{sim::Tamper::kDefocus, State::kDefocused},
                      TamperCase{sim::Tamper::kGlare, State::kGlare},
                      TamperCase{sim::Tamper::kBlackout, State::kBlackout},
                      TamperCase{sim::Tamper::kFreeze, State::kFrozen},
                      TamperCase{sim::Tamper::kMove, State::kMoved}),
    [](const auto& info) { return std::string(sim::ToString(info.param.tamper)); });

// Cases of `watchline eval health` that were reported late or with the wrong
// type (issue 4), replayed with the benchmark's scene options: each tamper
// must be raised with its own type within 3 s, and nothing before it.
struct HardCase {
  const char* name;
  const char* scene;  // day, night, rain, water, busy as in health_eval.cc
  uint64_t seed;
  sim::Tamper tamper;
  double onset;
  State expected;
};

class HardCaseTest : public ::testing::TestWithParam<HardCase> {};

TEST_P(HardCaseTest, RaisedWithTheRightTypeWithinThreeSeconds) {
  const HardCase& h = GetParam();
  sim::SimOptions o = Opts(h.seed);
  o.people = 6;
  o.duration_s = 60;
  const std::string scene = h.scene;
  if (scene == "day") o.conditions.clouds = true;
  if (scene == "night") {
    o.night = true;
    o.conditions.headlights = true;
  }
  if (scene == "water") o.conditions.water = true;
  if (scene == "busy") o.people = 24;
  o.tamper = h.tamper;
  o.tamper_at_s = h.onset;
  HealthMonitor mon(Cam(), 0);
  auto seen = RunSim(o, h.onset + 3.4, &mon);
  ASSERT_FALSE(seen.empty()) << "nothing raised; last verdict: " << mon.last_verdict().cause;
  EXPECT_EQ(seen[0].to, h.expected) << StateName(seen[0].to) << ": " << seen[0].cause;
  EXPECT_GE(seen[0].when, h.onset) << "raised before the tamper: " << seen[0].cause;
  EXPECT_LE(seen[0].when - h.onset, 3.0);
}

INSTANTIATE_TEST_SUITE_P(
    Issue4, HardCaseTest,
    ::testing::Values(
        // Paint close to the scene's grey: fine and mid-scale detail gone, little brightness change.
        HardCase{"SprayCloseToSceneColourIsOccludedNotDefocused", "busy", 100032, sim::Tamper::kSpray, 8.30,
                 State::kOccluded},
        HardCase{"SprayOverRainIsOccluded", "rain", 100123, sim::Tamper::kSpray, 11.20, State::kOccluded},
        // Defocus keeps the mid-scale layout: not a cover.
        HardCase{"DefocusIsNotReportedAsOccluded", "day", 100040, sim::Tamper::kDefocus, 11.93,
                 State::kDefocused},
        // Moving water keeps its detail; the sharpness is judged on the stable blocks.
        HardCase{"DefocusBesideWaterIsDefocused", "water", 100026, sim::Tamper::kDefocus, 8.94,
                 State::kDefocused},
        // A torch at night brightens without saturating most of the view: glare, not a cover.
        HardCase{"GlareAtNightIsGlareNotOccluded", "night", 100013, sim::Tamper::kGlare, 10.95,
                 State::kGlare},
        // A turned view whose water band still looks like water: judged on the stable part.
        HardCase{"TurnedViewBesideWaterIsMoved", "water", 100100, sim::Tamper::kMove, 9.21, State::kMoved},
        HardCase{"TurnedViewMatchingOnlySomeFramesIsMoved", "day", 100149, sim::Tamper::kMove, 9.09,
                 State::kMoved}),
    [](const auto& info) { return std::string(info.param.name); });

// The blocks that always move (water) are learned as unstable; a still scene has none.
TEST(ImageHealthTest, MovingWaterIsLearnedAsUnstableBlocks) {
  for (bool water : {false, true}) {
    sim::SimOptions o = Opts(21);
    o.people = 0;
    o.conditions.water = water;
    sim::Scene scene = sim::Scene::Generate(o);
    ImageHealth ih(config::HealthConfig{});
    cv::Mat bgr, gray;
    ImageVerdict v;
    for (int k = 0; k < static_cast<int>(6 * kFps); ++k) {
      sim::RenderWithEffects(scene, k / kFps, &bgr);
      cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
      v = ih.Observe(gray, k / kFps, Picture::kOk);
      EXPECT_EQ(v.picture, Picture::kOk) << v.cause;
    }
    // Water fills the bottom quarter of the view: its bottom row of 8 blocks (and
    // part of the one above) moves all the time.
    if (water) {
      EXPECT_GE(v.unstable, 8);
      EXPECT_LE(v.unstable, 16);
    } else {
      EXPECT_EQ(v.unstable, 0);
    }
  }
}

TEST(ImageHealthTest, NoAlarmOnIrSwitchExposureRainHeadlightsAndPassersBy) {
  sim::SimOptions o = Opts(5);
  o.conditions.ir_switch_s = 20;
  o.conditions.ae_step_s = 7;
  o.conditions.passers_s = 6;
  o.conditions.rain = true;
  o.conditions.clouds = true;
  o.conditions.headlights = true;
  HealthMonitor mon(Cam(), 0);
  auto seen = RunSim(o, 70, &mon);
  for (const auto& s : seen) ADD_FAILURE() << "t=" << s.at << " " << StateName(s.to) << ": " << s.cause;
}

// Bug (bench/sim_nuisance.sh, scene night_river_headlights: 2 false
// camera_defocused events): at night the IR illuminator lifts the picture by
// an offset and flattens it, so the brightness rises by less than the
// day/night regime ratio while the mid-scale contrast halves; H.264 then drops
// the faint fine detail, the blur measure read about 60% of the reference,
// and a sharp view was reported defocused from the switch to the end of the
// clip. The clip is really encoded and decoded: without the encoder the
// sharpness stays above the threshold and the bug does not show.
TEST(ImageHealthTest, NightIrSwitchIsNotDefocused) {
  sim::SimOptions o;
  o.seed = 15;
  o.fps = 10;
  o.duration_s = 40;
  o.people = 0;
  o.vehicles = 0;
  o.night = true;
  o.river = true;
  o.trees = true;
  o.conditions.headlights = true;
  o.conditions.ir_switch_s = 15;  // IR night from 15 s to 30 s
  const std::string dir = testing::TempDir() + "/night_ir_switch_" + std::to_string(::getpid());
  ASSERT_TRUE(sim::WriteSimClip(o, dir).ok());
  config::CameraConfig cam = Cam();
  cam.source = dir + "/clip.mp4";
  cam.analysis.fps = 10;
  ingest::FfmpegSource src(cam, Clock::Real(), false);
  ASSERT_TRUE(src.Open().ok());
  HealthMonitor mon(cam, 0);
  int frames = 0;
  int ir_frames_defocused = 0;
  while (true) {
    auto r = src.Next();
    if (!r.ok() || !*r) break;
    const auto& f = **r;
    ++frames;
    if (auto tr = mon.OnImage(f.t, f.gray)) {
      if (tr->from != State::kStarting)
        ADD_FAILURE() << "t=" << tr->at << " " << StateName(tr->to) << ": " << tr->cause;
    }
    if (f.t > 17 && f.t < 30 && mon.last_verdict().picture == Picture::kDefocused) ++ir_frames_defocused;
  }
  std::filesystem::remove_all(dir);
  EXPECT_GE(frames, 390);
  // Single frames may still read soft (encoder flicker); not most of them.
  EXPECT_LT(ir_frames_defocused, 13) << "of about 130 IR night frames judged defocused";
}

TEST(ImageHealthTest, NightWaterSceneStaysOk) {
  sim::SimOptions o = Opts(6);
  o.night = true;
  o.conditions.water = true;
  HealthMonitor mon(Cam(), 0);
  auto seen = RunSim(o, 30, &mon);
  for (const auto& s : seen) ADD_FAILURE() << "t=" << s.at << " " << StateName(s.to) << ": " << s.cause;
}

TEST(ImageHealthTest, BriefOcclusionIsIgnoredLongOneRaisedAndCleared) {
  sim::SimOptions o = Opts(7);
  o.tamper = sim::Tamper::kCover;
  o.tamper_at_s = 6;
  o.tamper_for_s = 0.8;  // shorter than brief_occlusion_s
  {
    HealthMonitor mon(Cam(), 0);
    EXPECT_TRUE(RunSim(o, 12, &mon).empty());
  }
  o.tamper_for_s = 4;
  HealthMonitor mon(Cam(), 0);
  auto seen = RunSim(o, 16, &mon);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].to, State::kOccluded);
  EXPECT_NE(seen[0].cause.find("covered"), std::string::npos);
  EXPECT_EQ(seen[1].to, State::kOk);
  // Cleared only after clear_after_s without the condition, ending when it ended.
  EXPECT_GE(seen[1].when, 10 + config::HealthConfig().clear_after_s - 0.3);
  EXPECT_NEAR(seen[1].at, 10, 0.5);
}

TEST(ImageHealthTest, RebaselineAcceptsTheNewView) {
  sim::SimOptions o = Opts(8);
  o.tamper = sim::Tamper::kMove;
  o.tamper_at_s = 6;
  HealthMonitor mon(Cam(), 0);
  bool rebased = false;
  auto seen = RunSim(o, 20, &mon, [&](double t) {
    if (!rebased && mon.state() == State::kMoved) {
      mon.Rebaseline();
      rebased = true;
    }
  });
  ASSERT_TRUE(rebased);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0].to, State::kMoved);
  EXPECT_EQ(seen.back().to, State::kOk);
  EXPECT_EQ(mon.state(), State::kOk);
}

TEST(ImageHealthTest, ReferenceIsNotJudgedBeforeItIsLearned) {
  // A scene covered from the first frame is learned as the reference: nothing
  // can be called occluded against it, and nothing fires in the learning time.
  cv::Mat gray(360, 640, CV_8UC1);
  cv::randu(gray, 0, 255);
  ImageHealth h(config::HealthConfig{});
  EXPECT_FALSE(h.reference_ready());
  ImageVerdict v = h.Observe(gray, 0, Picture::kOk);
  EXPECT_EQ(v.picture, Picture::kOk);
  EXPECT_FALSE(v.reference_ready);
}

TEST(ImageHealthTest, StillAndDarkAndSaturatedPictures) {
  cv::Mat gray(360, 640, CV_8UC1);
  cv::randu(gray, 20, 230);
  cv::GaussianBlur(gray, gray, cv::Size(0, 0), 1.0);
  ImageHealth h(config::HealthConfig{});
  // Identical frames: frozen.
  h.Observe(gray, 0, Picture::kOk);
  EXPECT_EQ(h.Observe(gray, 0.2, Picture::kOk).picture, Picture::kFrozen);
  // Black: blackout; white: glare.
  cv::Mat black(360, 640, CV_8UC1, cv::Scalar(4));
  EXPECT_EQ(h.Observe(black, 0.4, Picture::kOk).picture, Picture::kBlackout);
  cv::Mat white(360, 640, CV_8UC1, cv::Scalar(255));
  EXPECT_EQ(h.Observe(white, 0.6, Picture::kOk).picture, Picture::kGlare);
  // Uniform mid grey: blackout (a dead sensor, a cloth over the lens).
  cv::Mat grey(360, 640, CV_8UC1, cv::Scalar(120));
  EXPECT_EQ(h.Observe(grey, 0.8, Picture::kOk).picture, Picture::kBlackout);
}

TEST(HealthMonitorTest, FrozenPictureRaisedAfterFrozenAfterSeconds) {
  cv::Mat gray(180, 320, CV_8UC1);
  cv::randu(gray, 20, 230);
  HealthMonitor mon(Cam(), 0);
  std::optional<Transition> raised;
  double when = -1;
  for (int k = 0; k < 30 && !raised; ++k) {
    auto tr = mon.OnImage(k * 0.2, gray);
    if (tr && tr->to == State::kFrozen) {
      raised = tr;
      when = k * 0.2;
    }
  }
  ASSERT_TRUE(raised.has_value());
  EXPECT_NEAR(when, config::HealthConfig().frozen_after_s + 0.2, 0.21);
  EXPECT_EQ(EventType(raised->to), "camera_frozen");
}

TEST(HealthMonitorTest, TransitionEventsOpenAndClose) {
  std::optional<events::Event> open;
  auto evs = TransitionEvents("c1", Transition{State::kOk, State::kOccluded, 12.5, "covered 72% of the view", 0.8},
                              &open);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].type, "camera_occluded");
  EXPECT_EQ(evs[0].camera, "c1");
  EXPECT_DOUBLE_EQ(evs[0].t, 12.5);
  EXPECT_FALSE(evs[0].end.has_value());
  EXPECT_EQ(evs[0].detail, "covered 72% of the view");
  ASSERT_TRUE(open.has_value());
  evs = TransitionEvents("c1", Transition{State::kOccluded, State::kMoved, 20, "view shifted", 0.9}, &open);
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].type, "camera_occluded");
  EXPECT_DOUBLE_EQ(*evs[0].end, 20);
  EXPECT_EQ(evs[1].type, "camera_moved");
  evs = TransitionEvents("c1", Transition{State::kMoved, State::kOk, 30, "cleared", 1}, &open);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_DOUBLE_EQ(*evs[0].end, 30);
  EXPECT_FALSE(open.has_value());
}

}  // namespace
}  // namespace watchline::health
