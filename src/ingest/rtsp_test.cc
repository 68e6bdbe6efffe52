// Ingest against a real RTSP server on loopback: tests/fixtures/rtsp_test_server
// (gst-rtsp-server, x264). Skipped when the fixture was not built.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/clock.h"
#include "ingest/camera_ingest.h"
#include "ingest/ffmpeg_source.h"
#include "ingest/frame_ring.h"
#include "test_util.h"

namespace watchline::ingest {
namespace {

using ::testing::HasSubstr;

const std::string kServerPath = std::string(WL_BINARY_DIR) + "/tests/fixtures/rtsp_test_server";

using watchline::testing::FreePort;
using watchline::testing::SecondsSince;
using watchline::testing::WaitFor;

// The fixture server as a child process.
class RtspServer {
 public:
  // Starts it and waits for "READY"; false if it did not come up.
  bool Start(int port, const std::string& mode = "live") {
    return child_.Start({kServerPath, "--port", std::to_string(port), "--mode", mode, "--width",
                         "320", "--height", "240", "--fps", "10"},
                        "READY", 10);
  }

  // Freezes / resumes the process: its sockets stay open but nothing is sent.
  void Stop() { Signal(SIGSTOP); }
  void Continue() { Signal(SIGCONT); }

  void Kill() { child_.Kill(); }

 private:
  void Signal(int sig) {
    if (child_.pid() > 0) kill(child_.pid(), sig);
  }
  watchline::testing::ChildProcess child_;
};

config::CameraConfig RtspCamera(int port) {
  config::CameraConfig c;
  c.id = "rtsp1";
  c.source = "rtsp://user:secret@127.0.0.1:" + std::to_string(port) + "/test";
  c.analysis.width = 160;
  c.analysis.fps = 0;
  c.ingest.open_timeout_s = 5;
  c.ingest.read_timeout_s = 1;
  c.ingest.backoff_min_s = 0.2;
  c.ingest.backoff_max_s = 1;
  return c;
}

class RtspTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kServerPath.c_str(), X_OK) != 0)
      GTEST_SKIP() << "fixture not built: " << kServerPath;
    port_ = FreePort();
  }
  int port_ = 0;
};

TEST_F(RtspTest, LiveFramesCarryClockTime) {
  RtspServer server;
  ASSERT_TRUE(server.Start(port_));
  config::CameraConfig cam = RtspCamera(port_);
  FfmpegSource source(cam, Clock::Real(), false);
  EXPECT_TRUE(source.IsLive());
  Status s = source.Open();
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<FramePtr> frames;
  while (frames.size() < 8) {
    Result<FramePtr> next = source.Next();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    ASSERT_NE(*next, nullptr);
    frames.push_back(*next);
  }
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i]->src_width, 320);
    EXPECT_EQ(frames[i]->src_height, 240);
    EXPECT_EQ(frames[i]->gray.size(), cv::Size(160, 120));
    EXPECT_GE(frames[i]->t, 0);
    if (i > 0) {
      EXPECT_GE(frames[i]->t, frames[i - 1]->t);
      EXPECT_GT(frames[i]->index, frames[i - 1]->index);
    }
  }
  // A moving ball: the picture changes.
  double max_diff = 0;
  for (size_t i = 1; i < frames.size(); ++i) {
    cv::Mat diff;
    cv::absdiff(frames[i]->gray, frames[0]->gray, diff);
    double lo, hi;
    cv::minMaxLoc(diff, &lo, &hi);
    max_diff = std::max(max_diff, hi);
  }
  EXPECT_GT(max_diff, 50);
  source.Close();
}

TEST_F(RtspTest, FrozenModeRepeatsThePicture) {
  RtspServer server;
  ASSERT_TRUE(server.Start(port_, "frozen"));
  FfmpegSource source(RtspCamera(port_), Clock::Real(), false);
  Status s = source.Open();
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<FramePtr> frames;
  while (frames.size() < 25) {  // two keyframe intervals
    Result<FramePtr> next = source.Next();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    ASSERT_NE(*next, nullptr);
    frames.push_back(*next);
  }
  // From the first keyframe on (the stream is joined mid-GOP), every decoded
  // picture is bit-identical: lossless coding of a still pattern.
  size_t key = 0;
  while (key < frames.size() && !frames[key]->keyframe) ++key;
  ASSERT_LT(key + 3, frames.size()) << "no keyframe in " << frames.size() << " frames";
  cv::Scalar mean, stddev;
  cv::meanStdDev(frames[key]->gray, mean, stddev);
  EXPECT_GT(stddev[0], 20);  // colour bars, not a blank picture
  for (size_t i = key + 1; i < frames.size(); ++i) {
    cv::Mat diff;
    cv::absdiff(frames[i]->gray, frames[key]->gray, diff);
    EXPECT_EQ(cv::countNonZero(diff), 0) << "frame " << i;
  }
  EXPECT_GT(frames.back()->t, frames[key]->t);
}

TEST_F(RtspTest, ReconnectsAfterServerDiesWithoutRestartingIngest) {
  RtspServer server;
  ASSERT_TRUE(server.Start(port_));
  config::CameraConfig cam = RtspCamera(port_);
  FrameRing ring(8);
  CameraIngest ingest(
      CameraIngestOptions::FromConfig(cam),
      [&] { return std::make_unique<FfmpegSource>(cam, Clock::Real(), false); }, &ring,
      Clock::Real());
  std::jthread thread([&](std::stop_token st) { ingest.Run(st); });

  ASSERT_TRUE(WaitFor([&] { return ingest.frames_emitted() >= 5; }, 15));
  EXPECT_TRUE(ingest.connected());

  server.Kill();
  // Frames stop: last_frame_time no longer advances.
  ASSERT_TRUE(WaitFor([&] { return !ingest.connected(); }, 5));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double last = ingest.last_frame_time();
  const uint64_t emitted = ingest.frames_emitted();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_EQ(ingest.last_frame_time(), last);
  EXPECT_EQ(ingest.frames_emitted(), emitted);
  EXPECT_FALSE(ingest.last_error().empty());
  EXPECT_THAT(ingest.last_error(), ::testing::Not(HasSubstr("secret")));

  // Same port, same CameraIngest: frames resume.
  ASSERT_TRUE(server.Start(port_));
  ASSERT_TRUE(WaitFor([&] { return ingest.frames_emitted() >= emitted + 5; }, 20))
      << "last error: " << ingest.last_error();
  EXPECT_GT(ingest.last_frame_time(), last);
  EXPECT_GE(ingest.reconnects(), 1u);
  EXPECT_TRUE(ingest.connected());

  const auto start = std::chrono::steady_clock::now();
  thread.request_stop();
  thread.join();
  EXPECT_LT(SecondsSince(start), 2.0);
  EXPECT_FALSE(ingest.finished());
}

TEST_F(RtspTest, StopIsPromptWhileServerIsDown) {
  RtspServer server;
  ASSERT_TRUE(server.Start(port_));
  config::CameraConfig cam = RtspCamera(port_);
  FrameRing ring(8);
  CameraIngest ingest(
      CameraIngestOptions::FromConfig(cam),
      [&] { return std::make_unique<FfmpegSource>(cam, Clock::Real(), false); }, &ring,
      Clock::Real());
  std::jthread thread([&](std::stop_token st) { ingest.Run(st); });
  ASSERT_TRUE(WaitFor([&] { return ingest.frames_emitted() >= 3; }, 15));
  server.Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto start = std::chrono::steady_clock::now();
  thread.request_stop();
  thread.join();
  EXPECT_LT(SecondsSince(start), 2.0);
  EXPECT_TRUE(ring.closed());
}

TEST_F(RtspTest, ReadTimesOutWhenServerStallsWithConnectionOpen) {
  RtspServer server;
  ASSERT_TRUE(server.Start(port_));
  config::CameraConfig cam = RtspCamera(port_);  // read timeout 1 s
  FfmpegSource source(cam, Clock::Real(), false);
  Status s = source.Open();
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (int i = 0; i < 3; ++i) {
    Result<FramePtr> next = source.Next();
    ASSERT_TRUE(next.ok() && *next) << next.status().ToString();
  }
  server.Stop();
  const auto start = std::chrono::steady_clock::now();
  Status broke;
  while (SecondsSince(start) < 10) {  // frames already in flight may still arrive
    Result<FramePtr> next = source.Next();
    if (!next.ok()) {
      broke = next.status();
      break;
    }
  }
  const double took = SecondsSince(start);
  server.Continue();
  EXPECT_TRUE(broke.IsUnavailable()) << broke.ToString();
  EXPECT_THAT(broke.message(), HasSubstr("timed out"));
  EXPECT_GE(took, 0.9);
  EXPECT_LT(took, 3.0);
  EXPECT_THAT(broke.message(), ::testing::Not(HasSubstr("secret")));
}

TEST_F(RtspTest, NothingListeningFailsWithinOpenTimeout) {
  config::CameraConfig cam = RtspCamera(port_);  // no server on this port
  cam.ingest.open_timeout_s = 2;
  FfmpegSource source(cam, Clock::Real(), false);
  const auto start = std::chrono::steady_clock::now();
  Status s = source.Open();
  EXPECT_LT(SecondsSince(start), 2.5);
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("127.0.0.1"));
  EXPECT_THAT(s.message(), ::testing::Not(HasSubstr("secret")));
}

// A TCP listener that accepts connections (the kernel completes the
// handshake) and never says a word: an RTSP camera whose server hung.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 4);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(RtspSilentPeerTest, InterruptUnblocksOpen) {
  SilentListener listener;
  config::CameraConfig cam = RtspCamera(listener.port());
  cam.ingest.open_timeout_s = 60;
  cam.ingest.read_timeout_s = 60;
  FfmpegSource source(cam, Clock::Real(), false);
  std::jthread interrupter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    source.Interrupt();
  });
  const auto start = std::chrono::steady_clock::now();
  Status s = source.Open();
  const double took = SecondsSince(start);
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("interrupted"));
  EXPECT_GE(took, 0.2);  // it really was blocked
  EXPECT_LT(took, 3.0);
}

TEST(RtspSilentPeerTest, OpenTimesOut) {
  SilentListener listener;
  config::CameraConfig cam = RtspCamera(listener.port());
  cam.ingest.open_timeout_s = 1;
  cam.ingest.read_timeout_s = 60;
  FfmpegSource source(cam, Clock::Real(), false);
  const auto start = std::chrono::steady_clock::now();
  Status s = source.Open();
  const double took = SecondsSince(start);
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("timed out"));
  EXPECT_GE(took, 0.9);
  EXPECT_LT(took, 3.0);
}

}  // namespace
}  // namespace watchline::ingest
