#include "ingest/camera_ingest.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/ffmpeg_source.h"
#include "ingest/ingest_test_util.h"
#include "test_util.h"

namespace watchline::ingest {
namespace {

using ::testing::HasSubstr;
using testing::Camera;
using testing::MakeClip;
using testing::TempDir;

using watchline::testing::SecondsSince;
using watchline::testing::WaitFor;

TEST(BackoffTest, DoublesUpToTheCapWithinJitter) {
  Backoff backoff(0.5, 4, 0.2, 1234);
  const double bases[] = {0.5, 1, 2, 4, 4, 4};
  for (double base : bases) {
    const double d = backoff.Next();
    EXPECT_GE(d, base * 0.8 - 1e-9);
    EXPECT_LE(d, base * 1.2 + 1e-9);
  }
  backoff.Reset();
  const double d = backoff.Next();
  EXPECT_GE(d, 0.4 - 1e-9);
  EXPECT_LE(d, 0.6 + 1e-9);
}

TEST(BackoffTest, SameSeedSameDelaysDifferentSeedDifferentDelays) {
  Backoff a(1, 30, 0.2, 7), b(1, 30, 0.2, 7), c(1, 30, 0.2, 8);
  bool any_difference = false;
  for (int i = 0; i < 5; ++i) {
    const double da = a.Next(), db = b.Next(), dc = c.Next();
    EXPECT_DOUBLE_EQ(da, db);
    any_difference |= da != dc;
  }
  EXPECT_TRUE(any_difference);
}

TEST(CameraIngestTest, FileSourceFillsRingAndFinishes) {
  TempDir dir;
  const std::string clip = MakeClip(dir, "clip.mp4", 320, 240, 25, 2);
  config::CameraConfig cam = Camera(clip, 160, 10);
  FrameRing ring(100);
  CameraIngest ingest(
      CameraIngestOptions::FromConfig(cam),
      [&] { return std::make_unique<FfmpegSource>(cam, Clock::Real(), false); }, &ring,
      Clock::Real());
  EXPECT_EQ(ingest.last_frame_time(), -1);
  std::jthread thread([&](std::stop_token st) { ingest.Run(st); });
  thread.join();
  EXPECT_TRUE(ingest.finished());
  EXPECT_FALSE(ingest.connected());
  EXPECT_EQ(ingest.reconnects(), 0u);
  EXPECT_EQ(ingest.frames_decoded(), 50u);
  EXPECT_EQ(ingest.frames_emitted(), 20u);
  EXPECT_EQ(ingest.ring_dropped(), 0u);
  EXPECT_GT(ingest.last_frame_time(), 0);
  EXPECT_EQ(ingest.last_error(), "");
  EXPECT_TRUE(ring.closed());
  EXPECT_EQ(ring.size(), 20u);
  FramePtr f;
  ASSERT_TRUE(ring.Pop(&f, 0));
  EXPECT_EQ(f->index, 1);
}

TEST(CameraIngestTest, RecordedFileWaitsForAnalysisAndDropsNothing) {
  TempDir dir;
  const std::string clip = MakeClip(dir, "clip.mp4", 320, 240, 25, 2);
  config::CameraConfig cam = Camera(clip, 160, 0);
  FrameRing ring(4);  // a slow consumer: a recorded file must wait for it, not drop
  CameraIngest ingest(
      CameraIngestOptions::FromConfig(cam),
      [&] { return std::make_unique<FfmpegSource>(cam, Clock::Real(), false); }, &ring,
      Clock::Real());
  std::jthread thread([&](std::stop_token st) { ingest.Run(st); });
  std::vector<int64_t> seen;
  FramePtr f;
  while (!ingest.finished() || ring.size() > 0) {
    if (ring.Pop(&f, 0.05)) {
      seen.push_back(f->index);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  thread.join();
  EXPECT_EQ(ingest.frames_emitted(), 50u);
  EXPECT_EQ(ingest.ring_dropped(), 0u);
  ASSERT_EQ(seen.size(), 50u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int64_t>(i + 1));
}

TEST(CameraIngestTest, StopWakesAFileBlockedOnAFullRing) {
  TempDir dir;
  const std::string clip = MakeClip(dir, "clip.mp4", 320, 240, 25, 2);
  config::CameraConfig cam = Camera(clip, 160, 0);
  FrameRing ring(2);  // nobody pops
  CameraIngest ingest(
      CameraIngestOptions::FromConfig(cam),
      [&] { return std::make_unique<FfmpegSource>(cam, Clock::Real(), false); }, &ring,
      Clock::Real());
  std::jthread thread([&](std::stop_token st) { ingest.Run(st); });
  while (ring.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  thread.request_stop();
  thread.join();  // must return: the blocked push gives up on stop
  EXPECT_EQ(ring.dropped(), 0u);
}

TEST(CameraIngestTest, MissingFileFinishesWithError) {
  TempDir dir;
  config::CameraConfig cam = Camera(dir.File("missing.mp4"), 160, 10);
  FrameRing ring(4);
  CameraIngest ingest(
      CameraIngestOptions::FromConfig(cam),
      [&] { return std::make_unique<FfmpegSource>(cam, Clock::Real(), false); }, &ring,
      Clock::Real());
  std::jthread thread([&](std::stop_token st) { ingest.Run(st); });
  thread.join();
  EXPECT_TRUE(ingest.finished());
  EXPECT_THAT(ingest.last_error(), HasSubstr("no such file"));
  EXPECT_EQ(ingest.reconnects(), 0u);
}

// A stand-in live camera whose failures are scripted: the real RTSP server is
// in rtsp_test.cc; this one makes the reconnect loop's bookkeeping exact.
class ScriptedLiveSourceStandIn : public FrameSource {
 public:
  // Open fails `failing_opens` times; then each connection yields
  // `frames_per_connection` frames and breaks, except the last connection,
  // whose Next() blocks until Interrupt().
  ScriptedLiveSourceStandIn(int failing_opens, int frames_per_connection, int connections)
      : failing_opens_(failing_opens),
        frames_per_connection_(frames_per_connection),
        connections_(connections) {}

  Status Open() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++opens_;
    if (interrupted_) return Status::Unavailable("interrupted");
    if (failing_opens_ > 0) {
      --failing_opens_;
      return Status::Unavailable("rtsp://***@cam/1: Connection refused");
    }
    ++connection_;
    left_ = frames_per_connection_;
    return Status::Ok();
  }
  Result<FramePtr> Next() override {
    std::unique_lock<std::mutex> lock(mu_);
    if (connection_ >= connections_) {
      blocked_ = true;
      cv_.wait(lock, [&] { return interrupted_; });
      return Status::Unavailable("interrupted");
    }
    if (left_ == 0) return Status::Unavailable("no data for 1 s");
    --left_;
    auto f = std::make_shared<Frame>();
    f->index = ++index_;
    stats_.frames_decoded++;
    stats_.frames_emitted++;
    return FramePtr(f);
  }
  void Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    interrupted_ = false;
  }
  void Interrupt() override {
    std::lock_guard<std::mutex> lock(mu_);
    interrupted_ = true;
    cv_.notify_all();
  }
  bool IsLive() const override { return true; }
  const SourceStats& stats() const override { return stats_; }

  bool blocked() {
    std::lock_guard<std::mutex> lock(mu_);
    return blocked_;
  }
  int opens() {
    std::lock_guard<std::mutex> lock(mu_);
    return opens_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int failing_opens_, frames_per_connection_, connections_;
  int opens_ = 0, connection_ = 0, left_ = 0;
  int64_t index_ = 0;
  bool interrupted_ = false, blocked_ = false;
  SourceStats stats_;
};

TEST(CameraIngestTest, ReconnectsForeverAndStopsPromptlyWithScriptedSourceStandIn) {
  std::atomic<ScriptedLiveSourceStandIn*> source{nullptr};
  FrameRing ring(100);
  CameraIngestOptions options;
  options.camera_id = "c7";
  options.source = "rtsp://admin:secret@cam/1";
  options.backoff_min_s = 0.01;
  options.backoff_max_s = 0.04;
  CameraIngest ingest(
      options,
      [&] {
        auto s = std::make_unique<ScriptedLiveSourceStandIn>(3, 5, 3);
        source.store(s.get());
        return s;
      },
      &ring, Clock::Real());
  std::jthread thread([&](std::stop_token st) { ingest.Run(st); });
  // 3 refused opens, then 3 connections of which the last stalls.
  ASSERT_TRUE(WaitFor([&] { return source.load() != nullptr && source.load()->blocked(); }, 20));
  EXPECT_EQ(source.load()->opens(), 6);
  EXPECT_EQ(ingest.reconnects(), 5u);
  EXPECT_TRUE(ingest.connected());
  EXPECT_EQ(ingest.frames_emitted(), 10u);
  EXPECT_EQ(ring.size(), 10u);
  EXPECT_THAT(ingest.last_error(), HasSubstr("no data for 1 s"));
  EXPECT_THAT(ingest.last_error(), ::testing::Not(HasSubstr("secret")));
  EXPECT_GT(ingest.last_frame_time(), 0);

  // The stalled Next() is interrupted by the stop request.
  const auto start = std::chrono::steady_clock::now();
  thread.request_stop();
  thread.join();
  EXPECT_LT(SecondsSince(start), 2.0);
  EXPECT_FALSE(ingest.connected());
  EXPECT_FALSE(ingest.finished());
  EXPECT_TRUE(ring.closed());
}

TEST(CameraIngestTest, StopDuringBackoffIsPromptWithScriptedSourceStandIn) {
  FrameRing ring(4);
  CameraIngestOptions options;
  options.camera_id = "c8";
  options.backoff_min_s = 60;  // a long wait that the stop must cut short
  options.backoff_max_s = 60;
  std::atomic<ScriptedLiveSourceStandIn*> source{nullptr};
  CameraIngest ingest(
      options,
      [&] {
        auto s = std::make_unique<ScriptedLiveSourceStandIn>(1000, 1, 1);
        source.store(s.get());
        return s;
      },
      &ring, Clock::Real());
  std::jthread thread([&](std::stop_token st) { ingest.Run(st); });
  ASSERT_TRUE(WaitFor([&] { return source.load() != nullptr && source.load()->opens() == 1; }, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto start = std::chrono::steady_clock::now();
  thread.request_stop();
  thread.join();
  EXPECT_LT(SecondsSince(start), 2.0);
  EXPECT_EQ(source.load()->opens(), 1);
  EXPECT_THAT(ingest.last_error(), HasSubstr("Connection refused"));
}

}  // namespace
}  // namespace watchline::ingest
