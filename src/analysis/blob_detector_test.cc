#include "analysis/blob_detector.h"

#include <random>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace watchline::analysis {
namespace {

const cv::Size kWork(320, 180), kAnalysis(640, 360);
constexpr double kMinAreaFrac = 0.00015;  // 9 working pixels

cv::Mat Mask() { return cv::Mat::zeros(kWork, CV_8UC1); }

TEST(ContourBlobDetectorTest, KeepsATwoPixelWideTargetThatAnOpenWouldErase) {
  // A distant person: 2 x 8 working pixels (4 x 16 at 640x360), walking one
  // pixel per frame. A 3x3 open erases it; the detector must not.
  ContourBlobDetector d(kWork, kAnalysis, kMinAreaFrac);
  int found = 0;
  for (int i = 0; i < 10; ++i) {
    cv::Mat fg = Mask();
    fg(cv::Rect(100 + i, 60, 2, 8)).setTo(255);
    cv::Mat opened;
    cv::morphologyEx(fg, opened, cv::MORPH_OPEN,
                     cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
    ASSERT_EQ(cv::countNonZero(opened), 0);
    const auto blobs = d.Detect(&fg, i * 0.1);
    if (i == 0) {
      EXPECT_TRUE(blobs.empty()) << "a small blob is only kept once it has persisted";
      continue;
    }
    ASSERT_EQ(blobs.size(), 1u) << "frame " << i;
    EXPECT_NEAR(blobs[0].box.x, 2.0 * (100 + i), 2.5);
    EXPECT_NEAR(blobs[0].box.height, 16, 4);
    ++found;
  }
  EXPECT_EQ(found, 9);
}

TEST(ContourBlobDetectorTest, KeepsTheThinLegsUnderABodySoTheFootStaysOnTheGround) {
  // A small person: a body 3 x 6 working pixels, under it two legs one pixel
  // wide and 2 pixels long. The open erases the legs, and the median does not
  // bring them back (they touch the body); the box must still end at the feet.
  ContourBlobDetector d(kWork, kAnalysis, kMinAreaFrac);
  for (int i = 0; i < 3; ++i) {
    cv::Mat fg = Mask();
    fg(cv::Rect(100, 60, 3, 6)).setTo(255);
    fg(cv::Rect(100, 66, 1, 2)).setTo(255);
    fg(cv::Rect(102, 66, 1, 2)).setTo(255);
    // ...and a one-pixel spike above the head, which stays erased.
    fg(cv::Rect(101, 57, 1, 3)).setTo(255);
    const auto blobs = d.Detect(&fg, i * 0.1);
    if (i == 0) continue;  // small: kept once it has persisted
    ASSERT_EQ(blobs.size(), 1u) << "frame " << i;
    EXPECT_DOUBLE_EQ(blobs[0].box.y + blobs[0].box.height, 2.0 * 68) << "frame " << i;
    EXPECT_DOUBLE_EQ(blobs[0].box.y, 2.0 * 60) << "frame " << i;
  }
}

TEST(ContourBlobDetectorTest, DropsSmallBlobsThatDoNotStayPut) {
  // A snow flake: the same small blob, 6 px further each frame.
  ContourBlobDetector d(kWork, kAnalysis, kMinAreaFrac);
  for (int i = 0; i < 10; ++i) {
    cv::Mat fg = Mask();
    fg(cv::Rect(50, 10 + 6 * i, 4, 4)).setTo(255);
    EXPECT_TRUE(d.Detect(&fg, i * 0.1).empty()) << "frame " << i;
  }
  // A large blob moving further than its width is kept (a runner at 5 fps).
  for (int i = 0; i < 3; ++i) {
    cv::Mat fg = Mask();
    fg(cv::Rect(20 + 20 * i, 100, 10, 30)).setTo(255);
    EXPECT_EQ(d.Detect(&fg, 1 + i * 0.2).size(), 1u) << "frame " << i;
  }
}

TEST(ContourBlobDetectorTest, WeatherClutterRaisesTheMinimumAreaUntilItClears) {
  ContourBlobDetector d(kWork, kAnalysis, kMinAreaFrac);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> x(0, kWork.width - 4), y(0, kWork.height - 4);
  // A steady target of 24 working pixels: above the minimum (9), below 6x it.
  const cv::Rect target(200, 100, 4, 6);
  double t = 0;
  auto frame = [&](int flakes) {
    cv::Mat fg = Mask();
    for (int k = 0; k < flakes; ++k) fg(cv::Rect(x(rng), y(rng), 3, 3)).setTo(255);
    fg(target).setTo(255);
    t += 0.1;
    return d.Detect(&fg, t);
  };
  auto sees_target = [&](const std::vector<Blob>& blobs) {
    for (const Blob& b : blobs)
      if ((b.box & cv::Rect2d(2.0 * target.x, 2.0 * target.y, 8, 12)).area() > 0) return true;
    return false;
  };
  EXPECT_FALSE(sees_target(frame(0))) << "not persisted yet";
  for (int i = 1; i < 20; ++i) EXPECT_TRUE(sees_target(frame(0))) << "clear, frame " << i;
  EXPECT_DOUBLE_EQ(d.area_scale(), 1);
  // Heavy snow: 60 flakes a frame for 10 s.
  for (int i = 0; i < 100; ++i) frame(60);
  EXPECT_GT(d.clutter(), 30);
  EXPECT_GE(d.area_scale(), 3);
  EXPECT_FALSE(sees_target(frame(60)));
  // Snow stops: within about 10 s the target is seen again.
  for (int i = 0; i < 100; ++i) frame(0);
  EXPECT_LT(d.clutter(), 1);
  EXPECT_DOUBLE_EQ(d.area_scale(), 1);
  EXPECT_TRUE(sees_target(frame(0)));
}

}  // namespace
}  // namespace watchline::analysis
