#include "analysis/background_model.h"

#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "analysis/camera_analyzer.h"
#include "config/config.h"
#include "ingest/frame.h"

namespace watchline::analysis {
namespace {

TEST(SigmaDeltaTest, VectorisedStepMatchesScalarReference) {
  cv::RNG rng(3);
  const int n = 16 * 37 + 11;  // not a multiple of the vector width: covers the tail
  for (int trial = 0; trial < 20; ++trial) {
    cv::Mat img(1, n, CV_8UC1), mean(1, n, CV_8UC1), var(1, n, CV_8UC1), valid(1, n, CV_8UC1);
    rng.fill(img, cv::RNG::UNIFORM, 0, 256);
    rng.fill(mean, cv::RNG::UNIFORM, 0, 256);
    rng.fill(var, cv::RNG::UNIFORM, 0, 256);
    rng.fill(valid, cv::RNG::UNIFORM, 0, 2);
    valid *= 255;
    SigmaDeltaSteps s;
    s.mean = trial % 5;
    s.fg_mean = trial % 2;
    s.var = trial % 3;
    s.fg_var = (trial / 3) % 2;
    s.spread_factor = 1 + trial % 4;
    s.min_threshold = 5 + trial;
    s.max_threshold = 60 + 5 * trial;
    cv::Mat m1 = mean.clone(), v1 = var.clone(), f1(1, n, CV_8UC1);
    cv::Mat m2 = mean.clone(), v2 = var.clone(), f2(1, n, CV_8UC1);
    const uint8_t* vp = trial % 2 ? valid.ptr<uint8_t>() : nullptr;
    SigmaDeltaStep(img.ptr<uint8_t>(), vp, m1.ptr<uint8_t>(), v1.ptr<uint8_t>(),
                   f1.ptr<uint8_t>(), n, s);
    SigmaDeltaStepScalar(img.ptr<uint8_t>(), vp, m2.ptr<uint8_t>(), v2.ptr<uint8_t>(),
                         f2.ptr<uint8_t>(), n, s);
    EXPECT_EQ(cv::norm(m1, m2, cv::NORM_INF), 0) << "trial " << trial;
    EXPECT_EQ(cv::norm(v1, v2, cv::NORM_INF), 0) << "trial " << trial;
    EXPECT_EQ(cv::norm(f1, f2, cv::NORM_INF), 0) << "trial " << trial;
  }
}

class SigmaDeltaModelTest : public ::testing::Test {
 protected:
  static constexpr double kDt = 0.1;
  SigmaDeltaModelTest() : rng_(11), bg_(90, 160, CV_8UC1) {
    rng_.fill(bg_, cv::RNG::UNIFORM, 60, 200);
    cv::GaussianBlur(bg_, bg_, cv::Size(7, 7), 0);
  }
  cv::Mat Noisy(const cv::Mat& img, double sigma) {
    cv::Mat noise(img.size(), CV_16SC1), out;
    rng_.fill(noise, cv::RNG::NORMAL, 0, sigma);
    img.convertTo(out, CV_16SC1);
    out += noise;
    out.convertTo(out, CV_8UC1);
    return out;
  }
  cv::RNG rng_;
  cv::Mat bg_;
};

TEST_F(SigmaDeltaModelTest, QuietWhileLearningThenDetectsAnObjectOnly) {
  SigmaDeltaParams p;
  p.learn_s = 2;
  SigmaDeltaModel model(bg_.size(), cv::Mat(), p);
  cv::Mat fg;
  double t = 0;
  for (; t < 2.0; t += kDt) {
    model.Apply(Noisy(bg_, 3), t, &fg);
    EXPECT_TRUE(model.learning());
    // Provisional foreground on noise alone: a few isolated pixels at most
    // (the analyzer's blob clean-up removes them), none on the first frame.
    if (t == 0)
      EXPECT_EQ(cv::countNonZero(fg), 0);
    else
      EXPECT_LT(cv::countNonZero(fg), 0.02 * fg.total()) << "t=" << t;
  }
  for (; t < 4.0; t += kDt) model.Apply(Noisy(bg_, 3), t, &fg);
  EXPECT_FALSE(model.learning());
  EXPECT_LT(cv::countNonZero(fg), 0.002 * fg.total()) << "noise alone";
  cv::Mat frame = bg_.clone();
  const cv::Rect obj(70, 30, 8, 20);
  frame(obj).setTo(20);
  model.Apply(Noisy(frame, 3), t, &fg);
  EXPECT_GT(cv::countNonZero(fg(obj)), 0.9 * obj.area());
  cv::Mat outside = fg.clone();
  outside(obj).setTo(0);
  EXPECT_LT(cv::countNonZero(outside), 0.002 * fg.total());
}

TEST_F(SigmaDeltaModelTest, CastShadowIsNotForegroundButADarkObjectIs) {
  // On textured ground (gravel, grass: a fine pattern well above the noise),
  // a shadow dims a region to 0.6 of its level and keeps its pattern; an
  // object of another pattern, just as dark on average, replaces it.
  rng_.fill(bg_, cv::RNG::UNIFORM, 60, 200);
  cv::GaussianBlur(bg_, bg_, cv::Size(3, 3), 0);
  for (const bool shadows : {true, false}) {
    SigmaDeltaParams p;
    p.learn_s = 1;
    p.shadows = shadows;
    SigmaDeltaModel model(bg_.size(), cv::Mat(), p);
    cv::Mat fg;
    double t = 0;
    for (; t < 3.0; t += kDt) model.Apply(Noisy(bg_, 2), t, &fg);
    ASSERT_FALSE(model.learning());
    cv::Mat frame = bg_.clone();
    const cv::Rect shadow(20, 20, 40, 30), object(100, 20, 40, 30);
    frame(shadow).convertTo(frame(shadow), -1, 0.6);
    cv::Mat other(object.size(), CV_8UC1);
    rng_.fill(other, cv::RNG::UNIFORM, 60, 200);
    cv::GaussianBlur(other, other, cv::Size(3, 3), 0);
    other.convertTo(frame(object), -1, 0.6);
    model.Apply(Noisy(frame, 2), t, &fg);
    // Within 2 px of the shadow's edge the 5x5 window straddles it (half
    // dimmed, half not) and the test may not hold: judge the inside.
    const cv::Rect inner(shadow.x + 2, shadow.y + 2, shadow.width - 4, shadow.height - 4);
    const double in_shadow = cv::countNonZero(fg(inner)) / double(inner.area());
    const double in_object = cv::countNonZero(fg(object)) / double(object.area());
    if (shadows) {
      EXPECT_LT(in_shadow, 0.05) << "the shadow's pixels are reported: " << in_shadow;
    } else {
      EXPECT_GT(in_shadow, 0.8) << "without the test the shadow is foreground";
    }
    EXPECT_GT(in_object, 0.7) << "shadow test " << shadows;
  }
}

TEST_F(SigmaDeltaModelTest, SpreadAdaptsPerPixel) {
  // Left half "water" (strong noise), right half "wall" (weak noise).
  SigmaDeltaModel model(bg_.size(), cv::Mat(), SigmaDeltaParams{});
  const cv::Rect left(0, 0, 80, 90), right(80, 0, 80, 90);
  cv::Mat fg;
  for (double t = 0; t < 12; t += kDt) {
    cv::Mat f = Noisy(bg_, 3);
    Noisy(bg_, 15)(left).copyTo(f(left));
    model.Apply(f, t, &fg);
  }
  const double v_left = cv::mean(model.spread()(left))[0];
  const double v_right = cv::mean(model.spread()(right))[0];
  EXPECT_GT(v_left, 2 * v_right);
  // The noisy half does not light up as foreground.
  EXPECT_LT(cv::countNonZero(fg(left)), 0.05 * left.area());
}

TEST_F(SigmaDeltaModelTest, GlobalBrightnessStepIsRemoved) {
  SigmaDeltaModel model(bg_.size(), cv::Mat(), SigmaDeltaParams{});
  cv::Mat fg;
  double t = 0;
  for (; t < 3; t += kDt) model.Apply(Noisy(bg_, 3), t, &fg);
  cv::Mat brighter = bg_ + cv::Scalar(25);
  model.Apply(Noisy(brighter, 3), t, &fg);
  EXPECT_NEAR(model.last_global_shift(), 25, 2);
  EXPECT_LT(cv::countNonZero(fg), 0.01 * fg.total());
}

TEST_F(SigmaDeltaModelTest, InvalidPixelsAreNeverForeground) {
  cv::Mat valid(bg_.size(), CV_8UC1, cv::Scalar(255));
  valid(cv::Rect(0, 0, 80, 90)).setTo(0);
  SigmaDeltaModel model(bg_.size(), valid, SigmaDeltaParams{});
  cv::Mat fg;
  double t = 0;
  for (; t < 3; t += kDt) model.Apply(Noisy(bg_, 3), t, &fg);
  cv::Mat frame = bg_.clone();
  frame.setTo(0);  // everything changes
  model.Apply(frame, t, &fg);
  EXPECT_EQ(cv::countNonZero(fg(cv::Rect(0, 0, 80, 90))), 0);
  EXPECT_GT(cv::countNonZero(fg(cv::Rect(80, 0, 80, 90))), 0);
}

TEST_F(SigmaDeltaModelTest, StoppedObjectIsAbsorbedOnlySlowly) {
  SigmaDeltaModel model(bg_.size(), cv::Mat(), SigmaDeltaParams{});
  cv::Mat fg;
  double t = 0;
  for (; t < 3; t += kDt) model.Apply(Noisy(bg_, 3), t, &fg);
  cv::Mat frame = bg_.clone();
  const cv::Rect obj(70, 30, 8, 20);
  frame(obj).setTo(cv::mean(bg_(obj))[0] - 60);
  // Stands still for 10 s: still foreground at the end.
  for (double end = t + 10; t < end; t += kDt) model.Apply(Noisy(frame, 3), t, &fg);
  EXPECT_GT(cv::countNonZero(fg(obj)), 0.8 * obj.area());
}

// Bug (sim night seeds): a fixed V floor of 10 grey levels hid people whose
// torso differs from the dark ground by 9; the floor now follows the noise.
TEST_F(SigmaDeltaModelTest, LowContrastObjectInACleanDarkPictureIsDetected) {
  cv::Mat dark;
  bg_.convertTo(dark, CV_8UC1, 0.1, 25);  // 31..45, gently varying
  SigmaDeltaModel model(dark.size(), cv::Mat(), SigmaDeltaParams{});
  cv::Mat fg;
  double t = 0;
  for (; t < 4.0; t += kDt) model.Apply(Noisy(dark, 1.2), t, &fg);
  EXPECT_LT(model.noise_floor(), 10);
  EXPECT_LT(cv::countNonZero(fg), 0.003 * fg.total()) << "noise alone";
  cv::Mat frame = dark.clone();
  const cv::Rect obj(70, 30, 8, 20);
  frame(obj) -= cv::Scalar(9);
  model.Apply(Noisy(frame, 1.2), t, &fg);
  // Per pixel, not all of it (the spread is ~4x the noise); the old floor
  // gave none at all. The blob stage closes the gaps.
  EXPECT_GT(cv::countNonZero(fg(obj)), 0.35 * obj.area());
}

TEST_F(SigmaDeltaModelTest, HeldPixelsKeepTheirBackgroundUnderAStillObject) {
  SigmaDeltaParams p;
  p.learn_s = 1;
  p.shadows = false;  // the objects below are the ground darkened: shadows in grey
  SigmaDeltaModel m(bg_.size(), cv::Mat(), p);
  cv::Mat fg;
  double t = 0;
  for (; t < 1.5; t += kDt) m.Apply(Noisy(bg_, 2), t, &fg);
  const cv::Rect obj(40, 30, 12, 30), other(110, 30, 12, 30);
  cv::Mat held = cv::Mat::zeros(bg_.size(), CV_8UC1);
  held(obj).setTo(255);
  m.SetHeld(held, cv::Rect(30, 20, 40, 50));
  cv::Mat scene = bg_.clone();
  scene(obj) -= cv::Scalar(40);
  scene(other) -= cv::Scalar(40);
  // Two minutes of two still objects: the held one stays foreground, the
  // other is absorbed.
  for (; t < 121.5; t += kDt) m.Apply(Noisy(scene, 2), t, &fg);
  EXPECT_GT(cv::countNonZero(fg(obj)), 0.95 * obj.area());
  EXPECT_LT(cv::countNonZero(fg(other)), 0.05 * other.area());
  // A gain and offset change re-baselines the view; the held object is
  // still foreground against its background carried through the change.
  cv::Mat brighter;
  scene.convertTo(brighter, CV_8UC1, 1.2, 10);
  m.Apply(brighter, t, &fg);
  m.Rebaseline(brighter);
  t += kDt;
  m.Apply(brighter, t, &fg);
  EXPECT_GT(cv::countNonZero(fg(obj)), 0.95 * obj.area());
  EXPECT_LT(cv::countNonZero(fg), 1.05 * obj.area());
  // He leaves: the background shows again, no ghost.
  cv::Mat empty;
  bg_.convertTo(empty, CV_8UC1, 1.2, 10);
  t += kDt;
  m.Apply(Noisy(empty, 2), t, &fg);
  EXPECT_LT(cv::countNonZero(fg(obj)), 0.05 * obj.area());
}

// The place an object left: a car parked since before the camera started
// drives off. Without the ghost test its outline stays foreground until the
// level crawls back (50 grey levels at 2 per second: 25 s).
TEST_F(SigmaDeltaModelTest, PlaceAnObjectLeftIsRelearnedWithinTwoSeconds) {
  const cv::Rect obj(40, 30, 30, 14);
  cv::Mat scene = bg_.clone();
  scene(obj).setTo(cv::mean(bg_(obj))[0] - 50);
  for (bool ghosts : {true, false}) {
    SigmaDeltaParams p;
    p.ghosts = ghosts;
    SigmaDeltaModel m(bg_.size(), cv::Mat(), p);
    cv::Mat fg;
    double t = 0;
    for (; t < 4; t += kDt) m.Apply(Noisy(scene, 2), t, &fg);  // learnt with the car in it
    ASSERT_FALSE(m.learning());
    for (; t < 6; t += kDt) m.Apply(Noisy(bg_, 2), t, &fg);  // gone for 2 s
    if (ghosts) {
      EXPECT_LT(cv::countNonZero(fg(obj)), 0.05 * obj.area());
      EXPECT_GE(m.ghosts_removed(), 1);
    } else {
      EXPECT_GT(cv::countNonZero(fg(obj)), 0.5 * obj.area());  // what the test removes
    }
  }
}

TEST_F(SigmaDeltaModelTest, ObjectThatStopsIsNoGhost) {
  // A person arrives after learning and stands: his own outline is in the
  // frame, so he stays foreground (absorbed only at fg_mean_steps_per_s).
  SigmaDeltaModel m(bg_.size(), cv::Mat(), SigmaDeltaParams{});
  cv::Mat fg;
  double t = 0;
  for (; t < 3; t += kDt) m.Apply(Noisy(bg_, 2), t, &fg);
  const cv::Rect obj(60, 30, 12, 30);
  cv::Mat scene = bg_.clone();
  scene(obj).setTo(cv::mean(bg_(obj))[0] - 50);
  for (; t < 8; t += kDt) m.Apply(Noisy(scene, 2), t, &fg);
  EXPECT_GT(cv::countNonZero(fg(obj)), 0.9 * obj.area());
  EXPECT_EQ(m.ghosts_removed(), 0);
}

class LowContrastTest : public SigmaDeltaModelTest,
                        public ::testing::WithParamInterface<bool> {};

TEST_P(LowContrastTest, DimObjectOnQuietGroundIsFoundOnlyByTheLowContrastTest) {
  // Night: flat ground, noise sigma 2, a person 7 grey levels darker than the
  // ground - below one pixel's threshold (6 noise MADs, about 10 levels here:
  // that alone finds under a tenth of his pixels).
  SigmaDeltaParams p;
  p.learn_s = 1;
  p.low_contrast = GetParam();
  const cv::Mat ground(90, 160, CV_8UC1, cv::Scalar(40));
  SigmaDeltaModel m(ground.size(), cv::Mat(), p);
  cv::Mat fg;
  double t = 0;
  for (; t < 3; t += kDt) m.Apply(Noisy(ground, 2), t, &fg);
  const cv::Rect person(70, 30, 8, 24);
  cv::Mat scene = ground.clone();
  scene(person) -= cv::Scalar(7);
  int on = 0, off = 0;
  for (int k = 0; k < 5; ++k, t += kDt) {
    m.Apply(Noisy(scene, 2), t, &fg);
    on += cv::countNonZero(fg(person));
    off += cv::countNonZero(fg) - cv::countNonZero(fg(person));
  }
  if (GetParam()) {
    EXPECT_GT(on, 0.3 * 5 * person.area());
  } else {
    EXPECT_LT(on, 0.1 * 5 * person.area());
  }
  EXPECT_LT(off, 0.002 * 5 * ground.total());
}

INSTANTIATE_TEST_SUITE_P(OnAndOff, LowContrastTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

// An object present from the first frame (so in the first background
// estimate) and moving: from the second frame on, while the model is still
// learning, the part of it that has left its first position is provisional
// foreground, and the rest of the picture is not.
TEST_F(SigmaDeltaModelTest, ProvisionalForegroundFromTheSecondFrameWhileLearning) {
  SigmaDeltaParams p;
  p.learn_s = 2;
  SigmaDeltaModel model(bg_.size(), cv::Mat(), p);
  const cv::Rect first(20, 40, 8, 20);
  constexpr int kPxPerFrame = 4;
  cv::Mat fg;
  int frames_checked = 0;
  for (int k = 0; k < 15; ++k) {
    const double t = k * kDt;
    const cv::Rect obj = first + cv::Point(kPxPerFrame * k, 0);
    cv::Mat frame = bg_.clone();
    frame(obj).setTo(20);
    model.Apply(Noisy(frame, 3), t, &fg);
    ASSERT_TRUE(model.learning()) << "t=" << t;
    if (k == 0) {
      EXPECT_EQ(cv::countNonZero(fg), 0) << "first frame: nothing to compare with";
      continue;
    }
    // The object where it is now, minus its first position (still in the
    // background estimate there).
    cv::Mat obj_mask = cv::Mat::zeros(fg.size(), CV_8UC1);
    obj_mask(obj).setTo(255);
    obj_mask(first).setTo(0);
    const int obj_px = cv::countNonZero(obj_mask);
    cv::Mat hit;
    cv::bitwise_and(fg, obj_mask, hit);
    EXPECT_GT(cv::countNonZero(hit), 0.9 * obj_px) << "t=" << t;
    // Elsewhere (object, its first position and a margin aside): noise only.
    cv::Mat rest = fg.clone();
    rest(obj | first).setTo(0);
    EXPECT_LT(cv::countNonZero(rest), 0.02 * fg.total()) << "t=" << t;
    ++frames_checked;
  }
  EXPECT_EQ(frames_checked, 14);
}

TEST_F(SigmaDeltaModelTest, NoProvisionalForegroundWhenDisabled) {
  SigmaDeltaParams p;
  p.learn_s = 2;
  p.provisional = false;
  SigmaDeltaModel model(bg_.size(), cv::Mat(), p);
  cv::Mat fg;
  for (int k = 0; k < 15; ++k) {
    cv::Mat frame = bg_.clone();
    frame(cv::Rect(20 + 4 * k, 40, 8, 20)).setTo(20);
    model.Apply(Noisy(frame, 3), k * kDt, &fg);
    ASSERT_TRUE(model.learning());
    EXPECT_EQ(cv::countNonZero(fg), 0) << "k=" << k;
  }
}

// Exposure settling in the first frames changes the whole picture: that is
// not an object, and the provisional mask stays empty.
TEST_F(SigmaDeltaModelTest, GlobalChangeWhileLearningGivesNoProvisionalForeground) {
  SigmaDeltaParams p;
  p.learn_s = 2;
  SigmaDeltaModel model(bg_.size(), cv::Mat(), p);
  cv::Mat fg;
  model.Apply(Noisy(bg_, 3), 0, &fg);
  cv::Mat brighter;
  bg_.convertTo(brighter, CV_8UC1, 1.0, 40);
  model.Apply(Noisy(brighter, 3), kDt, &fg);
  ASSERT_TRUE(model.learning());
  EXPECT_EQ(cv::countNonZero(fg), 0);
}

// The analyzer shows the provisional foreground but starts no track and
// fires no event from it: a person crossing the line during the learning
// period leaves no track and no event.
TEST(ProvisionalForegroundTest, AnalyzerShowsButNeverTracksWhileLearning) {
  constexpr int kW = 640, kH = 360;
  constexpr double kFps = 10;
  config::CameraConfig cam;
  cam.id = "cam9";
  cam.detection.learn_s = 2;
  cam.lines.push_back({"border", {{0.5, 0.1}, {0.5, 0.95}}, {}});
  CameraAnalyzer a(cam);
  cv::RNG rng(5);
  cv::Mat bg(kH, kW, CV_8UC1);
  rng.fill(bg, cv::RNG::UNIFORM, 80, 200);
  cv::GaussianBlur(bg, bg, cv::Size(9, 9), 0);
  int shown = 0;
  for (int k = 0; k <= 20; ++k) {  // learning ends on the frame at t = learn_s
    const double t = k / kFps;
    // 200 px/s from x = 150: crosses the line (x = 320) at t = 0.85 s.
    const cv::Rect person(cvRound(150 + 200 * t) - 7, 214, 14, 36);
    cv::Mat img = bg.clone();
    img(person).setTo(30);
    cv::Mat noise(img.size(), CV_16SC1), img16;
    rng.fill(noise, cv::RNG::NORMAL, 0, 3);
    img.convertTo(img16, CV_16SC1);
    img16 += noise;
    ingest::Frame f;
    f.index = k + 1;
    f.t = t;
    f.src_width = kW;
    f.src_height = kH;
    img16.convertTo(f.gray, CV_8UC1);
    const std::vector<events::Event> ev = a.Process(f);
    EXPECT_TRUE(ev.empty()) << "t=" << t;
    // Including the frame that ends learning: its mask is not provisional
    // (empty), so no track starts from a half-learned background.
    EXPECT_TRUE(a.Tracks().empty()) << "t=" << t;
    if (k < 20) {
      ASSERT_TRUE(a.learning()) << "t=" << t;
      if (k > 0 && cv::countNonZero(a.foreground()(person)) > 0.5 * person.area()) ++shown;
    } else {
      EXPECT_FALSE(a.learning()) << "t=" << t;
    }
  }
  EXPECT_GE(shown, 15) << "frames where foreground() showed the person while learning";
}

}  // namespace
}  // namespace watchline::analysis
