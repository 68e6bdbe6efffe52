#include "detect/track_verifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "detect/synthetic_person_test_util.h"
#include "detect/tiny_onnx_test_util.h"

namespace watchline::detect {
namespace {

// A tiny model (64x64 input, classes person, vehicle) whose output boxes are
// fixed in network pixels.
class TrackVerifierDnnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("wl_verify_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<TrackVerifier> Make(const std::vector<testing::TinyRow>& rows) {
    testing::TinyModelSpec spec;
    spec.input_size = 64;
    spec.num_classes = 2;
    spec.rows = rows;
    const std::string path = (dir_ / "m.onnx").string();
    EXPECT_TRUE(testing::WriteFile(path, testing::TinyYoloModel(spec)));
    TrackVerifierOptions o;
    o.dnn = DnnOptions{};
    o.dnn->model_path = path;
    o.dnn->class_map = {"person", "vehicle"};
    Result<std::unique_ptr<TrackVerifier>> v = TrackVerifier::Create(o);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? std::move(v).value() : nullptr;
  }

  std::filesystem::path dir_;
};

// Track box [300,150,40,40] with context 0.5 -> crop [280,130,80,80], which
// letterboxes into 64x64 at scale 0.8 without padding. The network box
// (32,32,32,32) is then exactly the track's box; (8,8,8,8) is the crop's
// corner.
const cv::Rect kTrackBox(300, 150, 40, 40);
const testing::TinyRow kVehicleOnTrack{32, 32, 32, 32, 0.9f, {0.0f, 0.7f}};
const testing::TinyRow kPersonInCorner{8, 8, 8, 8, 0.99f, {0.99f, 0.0f}};

TEST_F(TrackVerifierDnnTest, CropKeepsContextAroundTheBox) {
  std::unique_ptr<TrackVerifier> v = Make({kVehicleOnTrack});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->DnnCrop(cv::Size(640, 360), kTrackBox), cv::Rect(280, 130, 80, 80));
  // A 10 px box gets the 64 px minimum crop, clipped at the frame's corner.
  EXPECT_EQ(v->DnnCrop(cv::Size(640, 360), cv::Rect(600, 340, 10, 10)), cv::Rect(573, 313, 64, 47));
}

TEST_F(TrackVerifierDnnTest, TheDetectionOnTheTrackDecides) {
  std::unique_ptr<TrackVerifier> v = Make({kPersonInCorner, kVehicleOnTrack});
  ASSERT_TRUE(v);
  std::optional<Verdict> verdict =
      v->Verify(cv::Mat(360, 640, CV_8UC3, cv::Scalar::all(0)), kTrackBox);
  ASSERT_TRUE(verdict.has_value());
  // The more confident person is elsewhere in the crop: not this track.
  EXPECT_EQ(verdict->cls, "vehicle");
  EXPECT_NEAR(verdict->confidence, 0.63, 1e-5);
  EXPECT_EQ(verdict->checker, kCheckerDnn);
}

TEST_F(TrackVerifierDnnTest, NothingOnTheTrackIsAnEmptyClass) {
  std::unique_ptr<TrackVerifier> v = Make({kPersonInCorner});
  ASSERT_TRUE(v);
  std::optional<Verdict> verdict = v->Verify(cv::Mat(360, 640, CV_8UC1, cv::Scalar(0)), kTrackBox);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_EQ(verdict->cls, "");
  EXPECT_EQ(verdict->checker, kCheckerDnn);
}

TEST_F(TrackVerifierDnnTest, BoxOutsideTheFrameCannotBeTold) {
  std::unique_ptr<TrackVerifier> v = Make({kVehicleOnTrack});
  ASSERT_TRUE(v);
  EXPECT_FALSE(
      v->Verify(cv::Mat(360, 640, CV_8UC1, cv::Scalar(0)), cv::Rect(700, 10, 20, 40)).has_value());
  EXPECT_FALSE(v->Verify(cv::Mat(), kTrackBox).has_value());
}

TEST(TrackVerifierTest, HogSaysPersonOrNot) {
  TrackVerifierOptions o;
  o.hog_person_check = true;
  Result<std::unique_ptr<TrackVerifier>> v = TrackVerifier::Create(o);
  ASSERT_TRUE(v.ok()) << v.status().ToString();

  const cv::Rect box(140, 60, 34, 96);
  cv::Mat person = testing::Background(cv::Size(320, 240));
  testing::DrawPerson(person, box);
  std::optional<Verdict> yes = (*v)->Verify(testing::Blurred(person), box);
  ASSERT_TRUE(yes.has_value());
  EXPECT_EQ(yes->cls, "person");
  EXPECT_GT(yes->confidence, 0.9);
  EXPECT_EQ(yes->checker, kCheckerHog);

  std::optional<Verdict> no = (*v)->Verify(testing::Background(cv::Size(320, 240)), box);
  ASSERT_TRUE(no.has_value());
  EXPECT_EQ(no->cls, "");
  EXPECT_LT(no->confidence, 0.5);

  // Under the HOG minimum height: no verdict.
  EXPECT_FALSE((*v)->Verify(person, cv::Rect(10, 10, 8, kDefaultMinBoxHeightPx - 1)).has_value());
}

TEST(TrackVerifierTest, NeedsACheckerAndAnExistingModel) {
  EXPECT_TRUE(TrackVerifier::Create(TrackVerifierOptions{}).status().IsInvalidArgument());
  TrackVerifierOptions o;
  o.dnn = DnnOptions{};
  o.dnn->model_path = "/nonexistent/yolov8n.onnx";
  Result<std::unique_ptr<TrackVerifier>> v = TrackVerifier::Create(o);
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().IsNotFound());
  o = TrackVerifierOptions{};
  o.hog_person_check = true;
  o.match_iou = 0;
  EXPECT_TRUE(TrackVerifier::Create(o).status().IsInvalidArgument());
}

}  // namespace
}  // namespace watchline::detect
