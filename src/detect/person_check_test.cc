#include "detect/person_check.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "detect/synthetic_person_test_util.h"

namespace watchline::detect {
namespace {

using testing::Background;
using testing::Blurred;
using testing::DrawPerson;
using testing::kInk;

double ScoreOf(const PersonCheck& check, const cv::Mat& img, const cv::Rect& box) {
  Result<std::optional<double>> s = check.Score(img, box);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok() || !s->has_value()) return -1e9;
  return **s;
}

TEST(HogCropTest, SmallBoxIsUpscaledAroundItsCentre) {
  const HogCrop c = HogCropFor(cv::Rect(100, 50, 16, 40), 96);
  EXPECT_DOUBLE_EQ(c.scale, 96.0 / 40.0);
  EXPECT_EQ(c.size, cv::Size(80, 144));  // window 64x128 plus 8 px each side
  EXPECT_NEAR(c.region.width, 80 / 2.4, 1e-9);
  EXPECT_NEAR(c.region.height, 60, 1e-9);
  EXPECT_NEAR(c.region.x + c.region.width / 2, 108, 1e-9);
  EXPECT_NEAR(c.region.y + c.region.height / 2, 70, 1e-9);
}

TEST(HogCropTest, LargeBoxIsDownscaled) {
  const HogCrop c = HogCropFor(cv::Rect(0, 0, 80, 192), 96);
  EXPECT_DOUBLE_EQ(c.scale, 0.5);
  EXPECT_NEAR(c.region.width, 160, 1e-9);
  EXPECT_NEAR(c.region.height, 288, 1e-9);
  EXPECT_NEAR(c.region.x, 40 - 80,
              1e-9);  // reaches outside the frame: replicated
  EXPECT_NEAR(c.region.y, 96 - 144, 1e-9);
}

TEST(PersonCheckTest, SilhouetteScoresFarAboveNoiseAndTexture) {
  PersonCheck check;
  const cv::Size frame(320, 240);
  const cv::Rect box(140, 60, 34, 96);
  cv::Mat person = Background(frame);
  DrawPerson(person, box);
  person = Blurred(person);
  const double person_score = ScoreOf(check, person, box);
  EXPECT_GT(person_score, 2.0);  // measured 4.2; negatives -0.8 (post) to -3.9
  EXPECT_TRUE(check.IsPerson(person, box));

  // Negatives in the same box: sensor-like noise, a plain frame, vertical
  // stripes (a fence), a solid upright bar (a post) and a wide dark car-like
  // block.
  cv::Mat noise(frame, CV_8UC1);
  cv::RNG(1).fill(noise, cv::RNG::UNIFORM, 0, 256);
  cv::Mat plain = Background(frame);
  cv::Mat stripes = Background(frame);
  for (int x = 0; x < frame.width; x += 12) {
    cv::rectangle(stripes, cv::Rect(x, 0, 6, frame.height), cv::Scalar(kInk), cv::FILLED);
  }
  cv::Mat post = Background(frame);
  cv::rectangle(post, cv::Rect(box.x + 5, box.y, 24, box.height), cv::Scalar(kInk), cv::FILLED);
  cv::Mat car = Background(frame);
  cv::rectangle(car, cv::Rect(box.x - 40, box.y + 50, 110, 40), cv::Scalar(kInk), cv::FILLED);

  for (const auto& [name, img] : {std::pair<const char*, cv::Mat>{"noise", noise},
                                  {"plain", plain},
                                  {"stripes", Blurred(stripes)},
                                  {"post", Blurred(post)},
                                  {"car", Blurred(car)}}) {
    const double s = ScoreOf(check, img, box);
    EXPECT_LT(s, 0.0) << name;  // the detector's own decision boundary
    EXPECT_GT(person_score - s, 3.0) << name;
    EXPECT_FALSE(check.IsPerson(img, box)) << name;
  }
}

TEST(PersonCheckTest, SmallAndLargePeopleAreScaledToTheWindow) {
  PersonCheck check;
  // 40 px tall (upscaled 2.4x) and 200 px tall (downscaled about 2x).
  for (const cv::Rect& box : {cv::Rect(60, 30, 14, 40), cv::Rect(100, 20, 70, 200)}) {
    cv::Mat img = Background(cv::Size(320, 240));
    DrawPerson(img, box);
    EXPECT_GT(ScoreOf(check, Blurred(img), box), 0.5) << box;
  }
}

TEST(PersonCheckTest, PersonAtTheFrameEdgeStillScores) {
  PersonCheck check;
  const cv::Rect box(2, 10, 34,
                     96);  // the search region reaches past the left edge
  cv::Mat img = Background(cv::Size(200, 160));
  DrawPerson(img, box);
  EXPECT_GT(ScoreOf(check, Blurred(img), box), 0.5);
}

TEST(PersonCheckTest, BgrFrameScoresLikeGrey) {
  PersonCheck check;
  const cv::Rect box(140, 60, 34, 96);
  cv::Mat grey = Background(cv::Size(320, 240));
  DrawPerson(grey, box);
  grey = Blurred(grey);
  cv::Mat bgr;
  cv::cvtColor(grey, bgr, cv::COLOR_GRAY2BGR);
  EXPECT_NEAR(ScoreOf(check, bgr, box), ScoreOf(check, grey, box), 1e-9);
}

TEST(PersonCheckTest, BoxesBelowTheMinimumHeightGetNoVerdict) {
  PersonCheck check;
  cv::Mat img = Background(cv::Size(160, 120));
  const int min_h = check.options().min_box_height_px;
  Result<std::optional<double>> small = check.Score(img, cv::Rect(50, 20, 12, min_h - 1));
  ASSERT_TRUE(small.ok());
  EXPECT_FALSE(small->has_value());
  EXPECT_FALSE(check.IsPerson(img, cv::Rect(50, 20, 12, min_h - 1)));
  Result<std::optional<double>> enough = check.Score(img, cv::Rect(50, 20, 12, min_h));
  ASSERT_TRUE(enough.ok());
  EXPECT_TRUE(enough->has_value());

  PersonCheck strict(PersonCheckOptions{.min_box_height_px = 64});
  EXPECT_FALSE(strict.Score(img, cv::Rect(50, 20, 12, 63))->has_value());
}

TEST(PersonCheckTest, ThresholdIsAnOption) {
  const cv::Rect box(140, 60, 34, 96);
  cv::Mat img = Background(cv::Size(320, 240));
  DrawPerson(img, box);
  img = Blurred(img);
  const double s = ScoreOf(PersonCheck(), img, box);
  EXPECT_TRUE(PersonCheck(PersonCheckOptions{.person_margin = s - 0.01}).IsPerson(img, box));
  EXPECT_FALSE(PersonCheck(PersonCheckOptions{.person_margin = s + 0.01}).IsPerson(img, box));
}

TEST(PersonCheckTest, BadInputIsInvalidArgument) {
  PersonCheck check;
  EXPECT_TRUE(check.Score(cv::Mat(), cv::Rect(0, 0, 10, 40)).status().IsInvalidArgument());
  EXPECT_TRUE(check.Score(cv::Mat(100, 100, CV_32F, cv::Scalar(0)), cv::Rect(0, 0, 10, 40))
                  .status()
                  .IsInvalidArgument());
  Result<std::optional<double>> outside =
      check.Score(cv::Mat(100, 100, CV_8UC1, cv::Scalar(0)), cv::Rect(120, 0, 10, 40));
  ASSERT_FALSE(outside.ok());
  EXPECT_TRUE(outside.status().IsInvalidArgument());
  EXPECT_NE(outside.status().message().find("[120,0,10,40]"), std::string::npos)
      << outside.status().message();
}

}  // namespace
}  // namespace watchline::detect
