#include "eval/foreground.h"

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "eval/fg_methods.h"

namespace watchline::eval {
namespace {

cv::Mat Mask(int rows, int cols, std::initializer_list<int> v) {
  cv::Mat m(rows, cols, CV_8UC1);
  auto it = v.begin();
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x) m.at<uint8_t>(y, x) = static_cast<uint8_t>(*it++);
  return m;
}

// gt:     255 255   0   0      result: 255   0 255   0
//          50 170  85   0              255 255 255   0
// TP (0,0); FN (0,1); FP (0,2) and the shadow (1,0); 170 and 85 not scored; TN (0,3), (1,3).
cv::Mat Gt() { return Mask(2, 4, {255, 255, 0, 0, 50, 170, 85, 0}); }
cv::Mat Res() { return Mask(2, 4, {255, 0, 255, 0, 255, 255, 255, 0}); }

TEST(ScoreFrameTest, CountsLikeTheCdnetComparator) {
  auto c = ScoreFrame(Res(), Gt(), cv::Mat());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->tp, 1);
  EXPECT_EQ(c->fn, 1);
  EXPECT_EQ(c->fp, 2);
  EXPECT_EQ(c->tn, 2);
  EXPECT_EQ(c->shadow_errors, 1);
  EXPECT_EQ(c->frames, 1);
  const FgMetrics m = ComputeFgMetrics(*c);
  EXPECT_NEAR(m.precision, 1.0 / 3, 1e-12);
  EXPECT_NEAR(m.recall, 0.5, 1e-12);
  EXPECT_NEAR(m.f_measure, 0.4, 1e-12);  // 2 (1/3)(1/2) / (5/6)
  EXPECT_NEAR(m.pwc, 50.0, 1e-12);       // 100 (1 + 2) / 6
  EXPECT_NEAR(m.specificity, 0.5, 1e-12);
  EXPECT_NEAR(m.fpr, 0.5, 1e-12);
  EXPECT_NEAR(m.fnr, 0.5, 1e-12);
}

TEST(ScoreFrameTest, RoiExcludesPixels) {
  // Leave out the one true positive and the shadow error.
  const cv::Mat roi = Mask(2, 4, {0, 255, 255, 255, 0, 255, 255, 1});
  auto c = ScoreFrame(Res(), Gt(), roi);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tp, 0);
  EXPECT_EQ(c->fn, 1);
  EXPECT_EQ(c->fp, 1);
  EXPECT_EQ(c->tn, 2);  // non-zero ROI values count as inside
  const FgMetrics m = ComputeFgMetrics(*c);
  EXPECT_EQ(m.precision, 0);
  EXPECT_EQ(m.f_measure, 0);
}

TEST(ScoreFrameTest, ShadowValue127OfMog2IsBackground) {
  const cv::Mat gt = Mask(1, 3, {0, 255, 50});
  const cv::Mat res = Mask(1, 3, {127, 127, 127});
  auto c = ScoreFrame(res, gt, cv::Mat());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tn, 2);
  EXPECT_EQ(c->fn, 1);
  EXPECT_EQ(c->fp, 0);
}

TEST(ScoreFrameTest, NonCdnetValuesAreNotScored) {
  // A hand mask's anti-aliased edge (Wallflower): 246 is neither 255 nor 0.
  const cv::Mat gt = Mask(1, 3, {246, 18, 255});
  const cv::Mat res = Mask(1, 3, {255, 255, 255});
  auto c = ScoreFrame(res, gt, cv::Mat());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tp + c->fp + c->fn + c->tn, 1);
  EXPECT_EQ(c->tp, 1);
}

TEST(ScoreFrameTest, SizeMismatchIsInvalidArgument) {
  auto c = ScoreFrame(cv::Mat::zeros(3, 4, CV_8UC1), Gt(), cv::Mat());
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().IsInvalidArgument());
  EXPECT_NE(c.status().message().find("4x3"), std::string::npos);
}

TEST(ComputeFgMetricsTest, EmptyOutputGivesZerosNotNan) {
  FgCounts c;
  c.fn = 5;
  c.tn = 95;
  const FgMetrics m = ComputeFgMetrics(c);
  EXPECT_EQ(m.precision, 0);
  EXPECT_EQ(m.recall, 0);
  EXPECT_EQ(m.f_measure, 0);
  EXPECT_NEAR(m.pwc, 5.0, 1e-12);
  EXPECT_EQ(m.fnr, 1.0);
}

// Three frames numbered 1..3: frame 1 is all wrong, 2 and 3 all right.
FgSequence ThreeFrames() {
  FgSequence s;
  for (int n = 1; n <= 3; ++n) {
    s.numbers.push_back(n);
    s.times.push_back((n - 1) * 0.5);
    s.gt[n] = Mask(1, 2, {255, 0});
  }
  return s;
}

std::map<int64_t, cv::Mat> ThreeMasks() {
  return {{1, Mask(1, 2, {0, 255})}, {2, Mask(1, 2, {255, 0})}, {3, Mask(1, 2, {255, 0})}};
}

TEST(ScoreMasksTest, AllFramesWithoutTemporalRoi) {
  auto r = ScoreMasks("x", ThreeMasks(), ThreeFrames());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->counts.frames, 3);
  EXPECT_EQ(r->counts.tp, 2);
  EXPECT_EQ(r->counts.fp, 1);
  EXPECT_EQ(r->counts.fn, 1);
  EXPECT_EQ(r->counts.tn, 2);
}

TEST(ScoreMasksTest, TemporalRoiLeavesOutFramesBeforeIt) {
  FgSequence s = ThreeFrames();
  s.temporal_roi = TemporalRoi{2, 3};
  auto r = ScoreMasks("x", ThreeMasks(), s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->counts.frames, 2);
  EXPECT_EQ(r->counts.fp, 0);
  EXPECT_EQ(r->metrics.f_measure, 1.0);
}

TEST(ScoreMasksTest, WarmupLeavesOutEarlyFrames) {
  FgSequence s = ThreeFrames();
  s.warmup_s = 0.5;  // frame 1 is at t = 0
  auto r = ScoreMasks("x", ThreeMasks(), s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->counts.frames, 2);
  EXPECT_EQ(r->metrics.f_measure, 1.0);
}

TEST(ScoreMasksTest, MissingMaskScoresAsEmpty) {
  auto masks = ThreeMasks();
  masks.erase(3);
  auto r = ScoreMasks("x", masks, ThreeFrames());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scored_learning, 1);
  EXPECT_EQ(r->counts.tp, 1);
  EXPECT_EQ(r->counts.fn, 2);
}

class SequenceFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("wl_fgeval_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Touch(const std::string& name) {
    cv::imwrite((dir_ / name).string(), cv::Mat::zeros(2, 2, CV_8UC1));
  }
  std::filesystem::path dir_;
};

TEST_F(SequenceFilesTest, DirectoryTakesTheCommonestNameShapeSortedByNumber) {
  Touch("b00010.bmp");
  Touch("b00002.bmp");
  Touch("b00001.bmp");
  Touch("hand_segmented_00002.bmp");
  std::ofstream(dir_ / "script.txt") << "not an image 1";
  auto v = ListSequence(dir_.string());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[0].number, 1);
  EXPECT_EQ((*v)[1].number, 2);
  EXPECT_EQ((*v)[2].number, 10);
  EXPECT_NE((*v)[2].path.find("b00010.bmp"), std::string::npos);
}

TEST_F(SequenceFilesTest, PrintfPatternAndUnpaddedNumbers) {
  Touch("frame_9.png");
  Touch("frame_10.png");
  Touch("other_3.png");
  auto v = ListSequence((dir_ / "frame_%d.png").string());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[0].number, 9);
  EXPECT_EQ((*v)[1].number, 10);
}

TEST_F(SequenceFilesTest, MissingIsNotFoundNamingIt) {
  auto v = ListSequence((dir_ / "nothing").string());
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().IsNotFound());
  EXPECT_NE(v.status().message().find("nothing"), std::string::npos);
}

TEST_F(SequenceFilesTest, TemporalRoiFile) {
  std::ofstream(dir_ / "temporalROI.txt") << "470 1700\n";
  auto r = ReadTemporalRoi((dir_ / "temporalROI.txt").string());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, 470);
  EXPECT_EQ(r->last, 1700);
  EXPECT_FALSE(r->Contains(469));
  EXPECT_TRUE(r->Contains(1700));
  std::ofstream(dir_ / "bad.txt") << "x";
  auto bad = ReadTemporalRoi((dir_ / "bad.txt").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.txt:1"), std::string::npos);
}

TEST(FileNumberTest, LastRunOfDigits) {
  EXPECT_EQ(FileNumber("in000470.jpg"), 470);
  EXPECT_EQ(FileNumber("hand_segmented_00247.BMP"), 247);
  EXPECT_EQ(FileNumber("frame_75.jpg"), 75);
  EXPECT_EQ(FileNumber("ROI.bmp"), std::nullopt);
}

}  // namespace
}  // namespace watchline::eval
