#include "ingest/ffmpeg_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "ingest/ingest_test_util.h"

namespace watchline::ingest {
namespace {

using testing::Camera;
using ::testing::HasSubstr;
using testing::MakeClip;
using testing::TempDir;

struct ReadResult {
  std::vector<FramePtr> frames;
  Status status;  // ok when the stream ended cleanly
};

// Opens `source` and reads it to its end (or first error), at most `limit` frames.
ReadResult ReadAll(FfmpegSource& source, size_t limit = 100000) {
  ReadResult r;
  r.status = source.Open();
  if (!r.status.ok()) return r;
  while (r.frames.size() < limit) {
    Result<FramePtr> next = source.Next();
    if (!next.ok()) {
      r.status = next.status();
      break;
    }
    if (!*next) break;
    r.frames.push_back(*next);
  }
  return r;
}

class FfmpegSourceTest : public ::testing::Test {
 protected:
  ManualClock clock_{100};
  TempDir dir_;
};

TEST_F(FfmpegSourceTest, DecimatesByTimestampAndScalesToAnalysisWidth) {
  const std::string clip = MakeClip(dir_, "clip25.mp4", 640, 360, 25, 4);
  FfmpegSource source(Camera(clip, 320, 10), &clock_, /*want_color=*/false);
  EXPECT_FALSE(source.IsLive());
  ReadResult r = ReadAll(source);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();

  // 100 frames at 25 fps, kept at 10 fps by timestamp: 40 frames.
  EXPECT_EQ(source.stats().frames_decoded.load(), 100u);
  ASSERT_NEAR(static_cast<double>(r.frames.size()), 40, 1);
  EXPECT_EQ(source.stats().frames_emitted.load(), r.frames.size());
  EXPECT_EQ(source.stats().decode_errors.load(), 0u);

  EXPECT_EQ(r.frames.front()->index, 1);
  EXPECT_DOUBLE_EQ(r.frames.front()->t, 0);
  EXPECT_TRUE(r.frames.front()->keyframe);
  for (size_t i = 0; i < r.frames.size(); ++i) {
    const Frame& f = *r.frames[i];
    // t is media time of the input frame `index` (1-based, before decimation).
    EXPECT_NEAR(f.t, (f.index - 1) / 25.0, 1e-3) << "frame " << i;
    EXPECT_NEAR(f.wall, clock_.WallNow(), 1e-6);
    EXPECT_EQ(f.src_width, 640);
    EXPECT_EQ(f.src_height, 360);
    ASSERT_EQ(f.gray.type(), CV_8UC1);
    EXPECT_EQ(f.gray.cols, 320);
    EXPECT_EQ(f.gray.rows, 180);
    EXPECT_TRUE(f.bgr.empty());
    if (i > 0) {
      const double dt = f.t - r.frames[i - 1]->t;
      // Slots of 0.1 s on a 0.04 s grid: successive frames are 0.08 or 0.12 s apart.
      EXPECT_GE(dt, 0.08 - 1e-3) << "frame " << i;
      EXPECT_LE(dt, 0.12 + 1e-3) << "frame " << i;
    }
  }
  // Over every whole second there are 10 analysis frames.
  int in_first_second = 0;
  for (const auto& f : r.frames) in_first_second += f->t < 1.0 - 1e-6;
  EXPECT_EQ(in_first_second, 10);

  // testsrc2 is a busy picture: not blank, not saturated.
  cv::Scalar mean, stddev;
  cv::meanStdDev(r.frames[5]->gray, mean, stddev);
  EXPECT_GT(mean[0], 30);
  EXPECT_LT(mean[0], 225);
  EXPECT_GT(stddev[0], 20);

  // The end stays the end.
  Result<FramePtr> again = source.Next();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, nullptr);
}

TEST_F(FfmpegSourceTest, FpsZeroEmitsEveryFrame) {
  const std::string clip = MakeClip(dir_, "clip25.mp4", 320, 240, 25, 2);
  FfmpegSource source(Camera(clip, 160, 0), &clock_, false);
  ReadResult r = ReadAll(source);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.frames.size(), 50u);
  for (size_t i = 0; i < r.frames.size(); ++i) {
    EXPECT_EQ(r.frames[i]->index, static_cast<int64_t>(i) + 1);
    EXPECT_NEAR(r.frames[i]->t, i / 25.0, 1e-3);
  }
  EXPECT_EQ(r.frames[0]->gray.size(), cv::Size(160, 120));
}

TEST_F(FfmpegSourceTest, GrayAndColorMatchThePicture) {
  // Left half black, right half white.
  const std::string clip = dir_.File("halves.mp4");
  ASSERT_TRUE(testing::RunFfmpeg(
      "-f lavfi -i color=c=black:size=640x360:rate=10 -vf "
      "drawbox=x=320:y=0:w=320:h=360:color=white:t=fill -t 1 -c:v libx264 -preset ultrafast "
      "-pix_fmt yuv420p " +
      clip));
  // 333 wide: the height keeps the aspect ratio and is even (360 * 333 / 640 = 187.3 -> 188).
  FfmpegSource source(Camera(clip, 333, 0), &clock_, /*want_color=*/true);
  ReadResult r = ReadAll(source, 3);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_FALSE(r.frames.empty());
  const Frame& f = *r.frames.back();
  ASSERT_EQ(f.gray.size(), cv::Size(333, 188));
  const int w = f.gray.cols;
  const cv::Rect left(0, 0, w / 2 - 10, f.gray.rows), right(w / 2 + 10, 0, w / 2 - 20, f.gray.rows);
  EXPECT_LT(cv::mean(f.gray(left))[0], 40);
  EXPECT_GT(cv::mean(f.gray(right))[0], 200);
  ASSERT_EQ(f.bgr.type(), CV_8UC3);
  ASSERT_EQ(f.bgr.size(), f.gray.size());
  const cv::Scalar l = cv::mean(f.bgr(left)), rt = cv::mean(f.bgr(right));
  for (int c = 0; c < 3; ++c) {
    EXPECT_LT(l[c], 40) << "channel " << c;
    EXPECT_GT(rt[c], 200) << "channel " << c;
  }
}

TEST_F(FfmpegSourceTest, ImageSequenceUsesCameraFpsAndFileNumbers) {
  // 30 JPEGs in000001.jpg .. in000030.jpg (ffmpeg numbers from 1, like CDnet).
  ASSERT_TRUE(testing::RunFfmpeg("-f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 30 " +
                                 dir_.File("in%06d.jpg")));
  ASSERT_TRUE(std::filesystem::exists(dir_.File("in000001.jpg")));
  config::CameraConfig cam = Camera(dir_.File("in%06d.jpg"), 160, 5);
  cam.fps = 10;
  FfmpegSource source(cam, &clock_, false);
  ReadResult r = ReadAll(source);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(source.stats().frames_decoded.load(), 30u);
  // 3 s at 10 fps, analysed at 5 fps: every other image.
  ASSERT_EQ(r.frames.size(), 15u);
  for (size_t i = 0; i < r.frames.size(); ++i) {
    EXPECT_EQ(r.frames[i]->index, static_cast<int64_t>(2 * i + 1));
    EXPECT_NEAR(r.frames[i]->t, 0.2 * i, 1e-6);
    EXPECT_EQ(r.frames[i]->gray.size(), cv::Size(160, 120));
  }
}

TEST_F(FfmpegSourceTest, ImageSequenceStartingAtZero) {
  ASSERT_TRUE(
      testing::RunFfmpeg("-f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 4 "
                         "-start_number 0 " +
                         dir_.File("img_%04d.png")));
  config::CameraConfig cam = Camera(dir_.File("img_%04d.png"), 320, 0);
  cam.fps = 4;
  FfmpegSource source(cam, &clock_, true);  // PNG is RGB: the sws_scale path
  ReadResult r = ReadAll(source);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.frames.size(), 4u);
  EXPECT_EQ(r.frames[0]->index, 1);
  EXPECT_NEAR(r.frames[3]->t, 0.75, 1e-6);
  EXPECT_EQ(r.frames[0]->gray.type(), CV_8UC1);
  EXPECT_EQ(r.frames[0]->bgr.type(), CV_8UC3);
  cv::Scalar mean, stddev;
  cv::meanStdDev(r.frames[0]->gray, mean, stddev);
  EXPECT_GT(stddev[0], 20);
}

TEST_F(FfmpegSourceTest, MissingFileIsNotFound) {
  const std::string path = dir_.File("nope.mp4");
  FfmpegSource source(Camera(path, 320, 10), &clock_, false);
  Status s = source.Open();
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.message(), "no such file: " + path);
}

TEST_F(FfmpegSourceTest, MissingImageSequenceIsNotFound) {
  config::CameraConfig cam = Camera(dir_.File("in%06d.jpg"), 320, 10);
  FfmpegSource source(cam, &clock_, false);
  Status s = source.Open();
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("no such file: " + dir_.File("in%06d.jpg")));
}

TEST_F(FfmpegSourceTest, Mp4CutInHalfIsCorruption) {
  // Without +faststart the index (moov) is at the end: half a file has none.
  const std::string clip = MakeClip(dir_, "cut.mp4", 320, 240, 25, 2);
  testing::TruncateFile(clip, 0.5);
  FfmpegSource source(Camera(clip, 320, 10), &clock_, false);
  Status s = source.Open();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr(clip));
  EXPECT_THAT(s.message(), HasSubstr("Invalid data found"));
}

TEST_F(FfmpegSourceTest, RandomBytesAreRejected) {
  // Not ".bin": FFmpeg's "bin" demuxer renders any bytes as text-art video.
  for (const char* name : {"random.mp4", "random.dat", "random"}) {
    const std::string path = dir_.File(name);
    testing::WriteRandomBytes(path, 200000, 42);
    FfmpegSource source(Camera(path, 320, 10), &clock_, false);
    ReadResult r = ReadAll(source);
    EXPECT_TRUE(r.status.IsCorruption() || r.status.IsInvalidArgument())
        << name << ": " << r.status.ToString();
    EXPECT_THAT(r.status.message(), HasSubstr(path));
    EXPECT_TRUE(r.frames.empty()) << name;
  }
}

TEST_F(FfmpegSourceTest, TruncatedFastStartMp4YieldsItsFramesThenEnds) {
  const std::string clip = MakeClip(dir_, "fast.mp4", 320, 240, 25, 4, "-movflags +faststart");
  testing::TruncateFile(clip, 0.5);
  FfmpegSource source(Camera(clip, 160, 0), &clock_, false);
  ReadResult r = ReadAll(source);
  EXPECT_GT(r.frames.size(), 10u);
  EXPECT_LT(r.frames.size(), 100u);
  EXPECT_TRUE(r.status.ok() || r.status.IsCorruption()) << r.status.ToString();
  if (!r.status.ok()) {
    EXPECT_THAT(r.status.message(), HasSubstr(clip));
  }
}

TEST_F(FfmpegSourceTest, TruncatedTransportStreamYieldsItsFramesThenEnds) {
  const std::string clip = MakeClip(dir_, "cut.ts", 320, 240, 25, 4);
  testing::TruncateFile(clip, 0.5);
  FfmpegSource source(Camera(clip, 160, 0), &clock_, false);
  ReadResult r = ReadAll(source);
  EXPECT_GT(r.frames.size(), 10u);
  EXPECT_LT(r.frames.size(), 100u);
  EXPECT_TRUE(r.status.ok() || r.status.IsCorruption()) << r.status.ToString();
}

TEST_F(FfmpegSourceTest, DamagedPacketsAreSkipped) {
  const std::string clip = MakeClip(dir_, "damaged.ts", 320, 240, 25, 4);
  {
    // Overwrite a run of bytes in the middle with noise.
    const auto size = std::filesystem::file_size(clip);
    std::fstream f(clip, std::ios::in | std::ios::out | std::ios::binary);
    std::mt19937 rng(7);
    for (auto pos = size / 3; pos < size / 3 + 20000; pos += 1) {
      f.seekp(static_cast<std::streamoff>(pos));
      f.put(static_cast<char>(rng() & 0xff));
    }
  }
  FfmpegSource source(Camera(clip, 160, 0), &clock_, false);
  ReadResult r = ReadAll(source);
  EXPECT_TRUE(r.status.ok() || r.status.IsCorruption()) << r.status.ToString();
  // The damage is counted, and frames before and after it still come through.
  EXPECT_GE(source.stats().decode_errors.load(), 1u);
  EXPECT_GT(r.frames.size(), 50u);
  ASSERT_FALSE(r.frames.empty());
  EXPECT_GT(r.frames.back()->t, 3.0);
}

TEST_F(FfmpegSourceTest, ReopenStartsAgain) {
  const std::string clip = MakeClip(dir_, "clip.mp4", 320, 240, 25, 1);
  FfmpegSource source(Camera(clip, 160, 0), &clock_, false);
  ReadResult first = ReadAll(source, 10);
  ASSERT_EQ(first.frames.size(), 10u);
  source.Close();
  ReadResult second = ReadAll(source, 3);
  ASSERT_EQ(second.frames.size(), 3u);
  EXPECT_EQ(second.frames[0]->index, 1);
  EXPECT_DOUBLE_EQ(second.frames[0]->t, 0);
}

TEST_F(FfmpegSourceTest, LoopKeepsTimeContinuous) {
  const std::string clip = MakeClip(dir_, "loop.mp4", 320, 240, 25, 1);
  config::CameraConfig cam = Camera(clip, 160, 0);
  cam.ingest.loop = true;
  FfmpegSource source(cam, &clock_, false);
  ReadResult r = ReadAll(source, 60);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.frames.size(), 60u);
  for (size_t i = 0; i < r.frames.size(); ++i) {
    EXPECT_NEAR(r.frames[i]->t, i / 25.0, 1e-3) << "frame " << i;
    EXPECT_EQ(r.frames[i]->index, static_cast<int64_t>(i) + 1);
  }
}

TEST_F(FfmpegSourceTest, RealtimePacesToMediaTime) {
  const std::string clip = MakeClip(dir_, "rt.mp4", 160, 120, 25, 0.6);
  config::CameraConfig cam = Camera(clip, 160, 0);
  cam.ingest.realtime = true;
  FfmpegSource source(cam, Clock::Real(), false);
  const auto start = std::chrono::steady_clock::now();
  ReadResult r = ReadAll(source);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.frames.size(), 15u);
  // The last frame is at 0.56 s of media time: reading cannot finish sooner.
  EXPECT_GE(took, 0.5);
}

TEST_F(FfmpegSourceTest, InterruptWakesRealtimeWait) {
  // On a clock that never moves, a realtime source waits forever for its
  // second frame; Interrupt() must end that wait.
  const std::string clip = MakeClip(dir_, "rt.mp4", 160, 120, 25, 1);
  config::CameraConfig cam = Camera(clip, 160, 0);
  cam.ingest.realtime = true;
  FfmpegSource source(cam, &clock_, false);
  ASSERT_TRUE(source.Open().ok());
  ASSERT_TRUE(source.Next().ok());
  std::jthread interrupter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    source.Interrupt();
  });
  Result<FramePtr> next = source.Next();
  EXPECT_TRUE(next.status().IsUnavailable()) << next.status().ToString();
  EXPECT_THAT(next.status().message(), HasSubstr("interrupted"));
  interrupter.join();
  // Close() clears the interrupt: the source can be opened again.
  source.Close();
  EXPECT_TRUE(source.Open().ok());
}

}  // namespace
}  // namespace watchline::ingest
