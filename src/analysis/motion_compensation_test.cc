#include "analysis/motion_compensation.h"

#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "analysis/background_model.h"

namespace watchline::analysis {
namespace {

// The working size at 640x360.
const cv::Size kWork(320, 180);
// Room for the camera to move around in the textured world.
constexpr int kMargin = 24;
constexpr double kDt = 0.04;  // 25 fps

class MotionCompensationTest : public ::testing::Test {
 protected:
  MotionCompensationTest() : rng_(5), world_(kWork.height + 2 * kMargin, kWork.width + 2 * kMargin,
                                              CV_8UC1) {
    rng_.fill(world_, cv::RNG::UNIFORM, 40, 220);
    cv::GaussianBlur(world_, world_, cv::Size(7, 7), 0);
  }
  // The view of a camera moved by `offset` pixels (the content moves the
  // other way), with sensor noise.
  cv::Mat View(cv::Point offset, double noise = 2.0) {
    cv::Mat v = world_(cv::Rect(cv::Point(kMargin, kMargin) + offset, kWork)).clone();
    cv::Mat n(v.size(), CV_16SC1), out;
    rng_.fill(n, cv::RNG::NORMAL, 0, noise);
    v.convertTo(out, CV_16SC1);
    out += n;
    out.convertTo(out, CV_8UC1);
    return out;
  }
  // A camera shaking by up to +-4 px and slowly panning, frame k.
  static cv::Point Shake(int k) {
    return {static_cast<int>(std::lround(4 * std::sin(k * 0.9) + 8 * std::sin(k * 0.05))),
            static_cast<int>(std::lround(3 * std::sin(k * 1.3 + 1)))};
  }
  // Share of the valid frame that is foreground over frames [from, to) of a
  // shaking camera, after running `model` through them.
  double ShakeForeground(SigmaDeltaModel* model, int from, int to) {
    cv::Mat fg;
    double sum = 0;
    for (int k = 0; k < to; ++k) {
      model->Apply(View(Shake(k)), k * kDt, &fg);
      if (k >= from) sum += cv::countNonZero(fg) / double(fg.total());
    }
    return sum / (to - from);
  }
  static SigmaDeltaParams Params(bool compensate) {
    SigmaDeltaParams p;
    p.learn_s = 0.4;
    p.motion_compensation = compensate;
    return p;
  }

  cv::RNG rng_;
  cv::Mat world_;
};

TEST_F(MotionCompensationTest, EstimatesAKnownShiftWithItsSign) {
  TranslationEstimator est(kWork, cv::Mat(), {});
  const cv::Mat ref = View({0, 0});
  for (const cv::Point d : {cv::Point(3, -2), cv::Point(-5, 1), cv::Point(1, 4), cv::Point(0, 0)}) {
    // Camera moved by -d: the content moved by +d.
    const TranslationEstimate e = est.Estimate(View(-d), ref);
    EXPECT_EQ(e.shift, d) << "gain " << e.gain;
  }
}

TEST_F(MotionCompensationTest, NoEstimateFromAFlatNoisyPicture) {
  TranslationEstimator est(kWork, cv::Mat(), {});
  cv::Mat a(kWork, CV_8UC1, cv::Scalar(120)), b = a.clone();
  cv::randn(a, 120, 2);
  cv::randn(b, 120, 2);
  EXPECT_EQ(est.Estimate(a, b).shift, cv::Point());
}

TEST_F(MotionCompensationTest, NoEstimateBeyondTheLargestShift) {
  TranslationEstimatorParams p;
  p.max_shift_px = 4;  // working pixels
  TranslationEstimator est(kWork, cv::Mat(), p);
  EXPECT_EQ(est.Estimate(View({-3, 0}), View({0, 0})).shift, cv::Point(3, 0));
  EXPECT_EQ(est.Estimate(View({-12, 0}), View({0, 0})).shift, cv::Point());
}

TEST(ShiftImageTest, MovesContentAndReplicatesTheBorder) {
  cv::Mat img(4, 5, CV_8UC1), scratch;
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) img.at<uint8_t>(y, x) = static_cast<uint8_t>(10 * y + x);
  const cv::Mat orig = img.clone();
  ShiftImage(&img, {2, -1}, &scratch);
  EXPECT_EQ(img.at<uint8_t>(0, 2), orig.at<uint8_t>(1, 0));
  EXPECT_EQ(img.at<uint8_t>(2, 4), orig.at<uint8_t>(3, 2));
  EXPECT_EQ(img.at<uint8_t>(3, 4), orig.at<uint8_t>(3, 2));  // bottom row replicated
  EXPECT_EQ(img.at<uint8_t>(1, 0), orig.at<uint8_t>(2, 0));  // left strip replicated
  ShiftImage(&img, {0, 0}, &scratch);
  EXPECT_EQ(img.at<uint8_t>(0, 2), orig.at<uint8_t>(1, 0));
}

TEST_F(MotionCompensationTest, ShakingTexturedSceneGivesNoForegroundOnlyWithCompensation) {
  SigmaDeltaModel with(kWork, cv::Mat(), Params(true));
  SigmaDeltaModel without(kWork, cv::Mat(), Params(false));
  const double fg_with = ShakeForeground(&with, 20, 120);
  const double fg_without = ShakeForeground(&without, 20, 120);
  // Without, the spread grows to cover the texture's edges, but a lot still shows.
  EXPECT_LT(fg_with, 0.002) << "without: " << fg_without;
  EXPECT_GT(fg_without, 0.03) << "with: " << fg_with;
  EXPECT_NE(with.total_motion(), cv::Point());
  EXPECT_EQ(without.total_motion(), cv::Point());
}

TEST_F(MotionCompensationTest, UncoveredBorderAndMaskEdgesAreNotForeground) {
  // A masked block in the middle: pixels next to it see its zeroed level
  // slide in when the model moves.
  cv::Mat valid(kWork, CV_8UC1, cv::Scalar(255));
  valid(cv::Rect(120, 60, 60, 50)).setTo(0);
  SigmaDeltaModel model(kWork, valid, Params(true));
  cv::Mat fg;
  double worst = 0;
  for (int k = 0; k < 120; ++k) {
    cv::Mat v = View(Shake(k));
    v.setTo(0, valid == 0);
    model.Apply(v, k * kDt, &fg);
    if (k >= 20) worst = std::max(worst, cv::countNonZero(fg) / double(fg.total()));
  }
  EXPECT_LT(worst, 0.005);
}

TEST_F(MotionCompensationTest, ObjectMovingInAShakingSceneIsDetected) {
  SigmaDeltaModel model(kWork, cv::Mat(), Params(true));
  cv::Mat fg;
  int frames_seen = 0, frames = 0;
  for (int k = 0; k < 120; ++k) {
    cv::Mat v = View(Shake(k));
    const cv::Rect obj(40 + 2 * k, 70, 14, 30);  // 2 px per frame, in the picture
    if (k >= 30) {
      v(obj).setTo(15);
      model.Apply(v, k * kDt, &fg);
      ++frames;
      const double inside = cv::countNonZero(fg(obj)) / double(obj.area());
      const double outside = (cv::countNonZero(fg) - cv::countNonZero(fg(obj))) /
                             double(fg.total() - obj.area());
      if (inside > 0.6 && outside < 0.005) ++frames_seen;
    } else {
      model.Apply(v, k * kDt, &fg);
    }
  }
  EXPECT_GE(frames_seen, frames * 9 / 10) << frames_seen << " of " << frames;
}

TEST_F(MotionCompensationTest, StillSceneWithAMovingObjectGivesNoShift) {
  SigmaDeltaModel model(kWork, cv::Mat(), Params(true));
  cv::Mat fg;
  for (int k = 0; k < 120; ++k) {
    cv::Mat v = View({0, 0});
    // A large object (a tenth of the picture) crossing at 2 px per frame.
    if (k >= 20) v(cv::Rect(10 + 2 * k, 40, 60, 90)).setTo(230);
    model.Apply(v, k * kDt, &fg);
    ASSERT_EQ(model.last_motion(), cv::Point()) << "frame " << k;
  }
}

}  // namespace
}  // namespace watchline::analysis
