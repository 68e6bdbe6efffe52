#include "engine/snapshot.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

namespace watchline::engine {
namespace {

// A high-contrast checkerboard: blurring it is easy to measure.
ingest::Frame Checkerboard() {
  ingest::Frame f;
  f.gray = cv::Mat(180, 320, CV_8UC1);
  for (int y = 0; y < f.gray.rows; ++y)
    for (int x = 0; x < f.gray.cols; ++x) f.gray.at<uint8_t>(y, x) = ((x / 4 + y / 4) % 2) * 255;
  return f;
}

double StdDev(const cv::Mat& m) {
  cv::Scalar mean, sd;
  cv::meanStdDev(m, mean, sd);
  return sd[0];
}

TEST(SnapshotTest, PrivacyZonesAreBlurredAndTheRestIsNot) {
  const ingest::Frame f = Checkerboard();
  config::Polygon left_half = {{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}};
  auto jpeg = RenderSnapshotJpeg(f, {left_half}, std::nullopt);
  ASSERT_TRUE(jpeg.ok()) << jpeg.status().ToString();
  cv::Mat img = cv::imdecode(std::vector<uint8_t>(jpeg->begin(), jpeg->end()), cv::IMREAD_GRAYSCALE);
  ASSERT_EQ(img.cols, 320);
  const double hidden = StdDev(img(cv::Rect(20, 20, 100, 140)));
  const double shown = StdDev(img(cv::Rect(200, 20, 100, 140)));
  EXPECT_LT(hidden, 15) << "the checkerboard must not survive inside the privacy zone";
  EXPECT_GT(shown, 90) << "outside the zone the picture is untouched";
}

TEST(SnapshotTest, EventBoxIsDrawnInRed) {
  const ingest::Frame f = [] {
    ingest::Frame g;
    g.gray = cv::Mat(180, 320, CV_8UC1, cv::Scalar(128));
    return g;
  }();
  auto jpeg = RenderSnapshotJpeg(f, {}, events::Box{0.25, 0.25, 0.5, 0.5});
  ASSERT_TRUE(jpeg.ok());
  cv::Mat img = cv::imdecode(std::vector<uint8_t>(jpeg->begin(), jpeg->end()), cv::IMREAD_COLOR);
  const cv::Vec3b edge = img.at<cv::Vec3b>(45, 160);   // top edge of the box
  const cv::Vec3b inside = img.at<cv::Vec3b>(90, 160);
  EXPECT_GT(edge[2], 180);
  EXPECT_LT(edge[1], 80);
  EXPECT_NEAR(inside[2], 128, 12);
  EXPECT_EQ(EventSnapshotPath("/d", 7), "/d/snapshots/7.jpg");
}

TEST(SnapshotTest, DrawsTheTrackPath) {
  ingest::Frame f;
  f.gray = cv::Mat(180, 320, CV_8UC1, cv::Scalar(128));
  auto jpeg = RenderSnapshotJpeg(f, {}, std::nullopt, {{0.1, 0.5}, {0.5, 0.5}, {0.9, 0.5}});
  ASSERT_TRUE(jpeg.ok());
  cv::Mat img = cv::imdecode(std::vector<uint8_t>(jpeg->begin(), jpeg->end()), cv::IMREAD_COLOR);
  const cv::Vec3b on = img.at<cv::Vec3b>(90, 160);    // on the path: yellow
  const cv::Vec3b off = img.at<cv::Vec3b>(40, 160);   // away from it: grey
  EXPECT_GT(on[1], 200);
  EXPECT_GT(on[2], 200);
  EXPECT_LT(on[0], 80);
  EXPECT_NEAR(off[0], 128, 12);
}

TEST(SnapshotTest, EmptyFrameIsNotFound) {
  EXPECT_TRUE(RenderSnapshotJpeg(ingest::Frame{}, {}, std::nullopt).status().IsNotFound());
}

}  // namespace
}  // namespace watchline::engine
