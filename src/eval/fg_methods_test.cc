#include "eval/fg_methods.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "eval/foreground.h"
#include "test_util.h"

namespace watchline::eval {
namespace {

constexpr double kFps = 25;
constexpr int kW = 96, kH = 72;
constexpr int kSquare = 12;

// A textured, noisy static scene; from frame 61 on a bright square moves right
// by 1 px per frame. Ground truth on every frame (255 on the square, else 0).
FgSequence MovingSquare(int frames) {
  cv::RNG rng(12345);
  cv::Mat scene(kH, kW, CV_8UC1);
  rng.fill(scene, cv::RNG::UNIFORM, 40, 120);
  cv::GaussianBlur(scene, scene, cv::Size(5, 5), 0);
  FgSequence s;
  for (int i = 0; i < frames; ++i) {
    const int n = i + 1;
    cv::Mat f = scene.clone();
    cv::Mat noise(kH, kW, CV_16SC1);
    rng.fill(noise, cv::RNG::NORMAL, 0, 2);
    cv::Mat f16;
    f.convertTo(f16, CV_16SC1);
    f16 += noise;
    f16.convertTo(f, CV_8UC1);
    cv::Mat gt = cv::Mat::zeros(kH, kW, CV_8UC1);
    if (n > 60) {
      const cv::Rect r(10 + (n - 61), 30, kSquare, kSquare);
      f(r).setTo(230);
      gt(r).setTo(255);
    }
    s.frames.push_back(f);
    s.numbers.push_back(n);
    s.times.push_back(i / kFps);
    s.gt[n] = gt;
  }
  return s;
}

TEST(ForegroundMethodTest, UnknownNameIsInvalidArgument) {
  auto m = MakeForegroundMethod("vibe");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsInvalidArgument());
  EXPECT_NE(m.status().message().find("vibe"), std::string::npos);
}

TEST(ForegroundMethodTest, OpenCvBaselinesFindTheSquare) {
  FgSequence s = MovingSquare(90);
  s.warmup_s = 61 / kFps;  // score only frames with the square
  for (const char* name : {"mog2", "knn", "cnt"}) {
    auto m = MakeForegroundMethod(name);
    ASSERT_TRUE(m.ok()) << name;
    auto r = RunForegroundMethod(m->get(), s);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    EXPECT_EQ(r->frames_run, 90) << name;
    EXPECT_EQ(r->counts.frames, 29) << name;
    EXPECT_EQ(r->scored_learning, 0) << name;
    EXPECT_GT(r->metrics.recall, 0.5) << name;
    EXPECT_GT(r->metrics.f_measure, 0.5) << name;
  }
}

TEST(ForegroundMethodTest, WatchlineIsScoredEmptyWhileLearningThenFindsTheSquare) {
  config::DetectionConfig det;
  det.learn_s = 1.0;  // 25 frames
  FgSequence s = MovingSquare(90);
  auto m = MakeForegroundMethod("watchline", det);
  ASSERT_TRUE(m.ok());
  auto r = RunForegroundMethod(m->get(), s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->counts.frames, 90);
  EXPECT_GE(r->scored_learning, 20);
  EXPECT_LE(r->scored_learning, 30);

  // The same run scored on the frames with the square only.
  s.warmup_s = 61 / kFps;
  auto m2 = MakeForegroundMethod("watchline", det);
  ASSERT_TRUE(m2.ok());
  auto r2 = RunForegroundMethod(m2->get(), s);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->scored_learning, 0);
  EXPECT_GT(r2->metrics.f_measure, 0.5);
}

TEST(ForegroundMethodTest, LearningFramesOfAShortSequenceScoreAsEmpty) {
  // The whole sequence inside watchline's default 2 s learning period: it
  // reports nothing, which is scored (no true positive), as in the benchmark.
  FgSequence s = MovingSquare(30);
  for (auto& [n, gt] : s.gt) gt(cv::Rect(0, 0, 4, 4)).setTo(255);
  auto m = MakeForegroundMethod("watchline");
  ASSERT_TRUE(m.ok());
  auto r = RunForegroundMethod(m->get(), s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scored_learning, 30);
  EXPECT_EQ(r->counts.tp, 0);
  EXPECT_EQ(r->counts.fp, 0);
  EXPECT_EQ(r->metrics.f_measure, 0);
}

using watchline::testing::TempDir;

TEST(ForegroundMethodTest, DumpedMasksScoreTheSameWhenReadBack) {
  TempDir tmp;
  FgSequence s = MovingSquare(90);
  s.warmup_s = 61 / kFps;
  auto m = MakeForegroundMethod("mog2");  // shadow value 127 must come out as background
  ASSERT_TRUE(m.ok());
  const std::string dir = tmp.path() + "/mog2";
  auto run = RunForegroundMethod(m->get(), s, dir);
  ASSERT_TRUE(run.ok()) << run.status().ToString();

  std::map<int64_t, cv::Mat> masks;
  for (int i = 1; i <= 90; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/fg%06d.png", i);
    auto mask = ReadGrayImage(dir + name);
    ASSERT_TRUE(mask.ok()) << mask.status().ToString();
    double lo = 0, hi = 0;
    cv::minMaxLoc(*mask, &lo, &hi);
    EXPECT_TRUE(lo == 0 && (hi == 0 || hi == 255)) << name << ": not a 0/255 mask";
    masks[s.numbers[i - 1]] = std::move(mask).value();
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/fg000091.png"));
  auto read = ScoreMasks("dump", masks, s);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->counts.tp, run->counts.tp);
  EXPECT_EQ(read->counts.fp, run->counts.fp);
  EXPECT_EQ(read->counts.fn, run->counts.fn);
  EXPECT_EQ(read->counts.tn, run->counts.tn);
  EXPECT_GT(run->counts.tp, 0);
}

TEST(ForegroundMethodTest, DumpIntoAFileIsAnErrorNamingIt) {
  TempDir tmp;
  const std::string file = tmp.path() + "/not_a_folder";
  { std::ofstream(file) << "x"; }
  FgSequence s = MovingSquare(3);
  auto m = MakeForegroundMethod("mog2");
  ASSERT_TRUE(m.ok());
  auto run = RunForegroundMethod(m->get(), s, file + "/mog2");
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("not_a_folder"), std::string::npos)
      << run.status().ToString();
}

}  // namespace
}  // namespace watchline::eval
