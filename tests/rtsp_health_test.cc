// Camera health over a real RTSP server on loopback (the rtsp_test_server
// fixture, gst-rtsp-server): a server that keeps sending one identical picture
// is frozen; the same server killed is offline within ingest.offline_after_s;
// restarted, the camera is back to ok. Exercised at the level the health
// module owns: CameraIngest + FfmpegSource feeding a HealthMonitor, with a
// watchdog calling OnTick as the engine does.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "health/health_monitor.h"
#include "ingest/camera_ingest.h"
#include "ingest/ffmpeg_source.h"
#include "ingest/frame_ring.h"
#include "test_util.h"

namespace watchline {
namespace {

using testing::ChildProcess;

std::string ServerBinary() { return std::string(WL_BINARY_DIR) + "/tests/fixtures/rtsp_test_server"; }

class Watch {
 public:
  explicit Watch(const config::CameraConfig& cam)
      : cam_(cam), ring_(8), health_(cam, Clock::Real()->Now()),
        ingest_(ingest::CameraIngestOptions::FromConfig(cam),
                [this] { return std::make_unique<ingest::FfmpegSource>(cam_, Clock::Real(), false); }, &ring_,
                Clock::Real()) {
    threads_.emplace_back([this](std::stop_token st) { ingest_.Run(st); });
    threads_.emplace_back([this](std::stop_token st) {
      while (!st.stop_requested()) {
        ingest::FramePtr f;
        if (!ring_.Pop(&f, 0.1)) continue;
        Record(health_.OnImage(Clock::Real()->Now(), f->gray));
      }
    });
    threads_.emplace_back([this](std::stop_token st) {
      while (!st.stop_requested()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        Record(health_.OnTick(Clock::Real()->Now(), ingest_.last_error()));
      }
    });
  }
  ~Watch() {
    for (auto& t : threads_) t.request_stop();
    ring_.Close();
    threads_.clear();
  }
  health::State state() const { return health_.state(); }
  std::vector<health::Transition> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void Record(std::optional<health::Transition> tr) {
    if (!tr) return;
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(*tr);
  }
  config::CameraConfig cam_;
  ingest::FrameRing ring_;
  health::HealthMonitor health_;
  ingest::CameraIngest ingest_;
  std::mutex mu_;
  std::vector<health::Transition> seen_;
  std::vector<std::jthread> threads_;
};

TEST(RtspHealthTest, FrozenThenOfflineThenBackToOk) {
  if (!std::filesystem::exists(ServerBinary())) GTEST_SKIP() << "rtsp_test_server not built";
  const int port = testing::FreePort();
  const std::string port_s = std::to_string(port);
  auto server = std::make_unique<ChildProcess>();
  ASSERT_TRUE(server->Start({ServerBinary(), "--port", port_s, "--mode", "frozen"}, "READY"));

  config::CameraConfig cam;
  cam.id = "rtsp1";
  cam.source = "rtsp://127.0.0.1:" + port_s + "/test";
  cam.analysis = {320, 5};
  cam.ingest.offline_after_s = 2;
  cam.ingest.read_timeout_s = 1;
  cam.ingest.open_timeout_s = 1;
  cam.ingest.backoff_min_s = 0.2;
  cam.ingest.backoff_max_s = 0.5;
  Watch w(cam);

  // One identical picture with fresh timestamps: frozen after frozen_after_s.
  ASSERT_TRUE(testing::WaitFor([&] { return w.state() == health::State::kFrozen; }, 15))
      << "state " << health::StateName(w.state());

  // Killed: offline within offline_after_s (plus the watchdog's tick).
  server->Kill();
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(testing::WaitFor([&] { return w.state() == health::State::kOffline; }, 10));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  EXPECT_LE(took, cam.ingest.offline_after_s + 1.0);

  // Restarted: frames arrive again and the camera is back to ok.
  auto server2 = std::make_unique<ChildProcess>();
  ASSERT_TRUE(server2->Start({ServerBinary(), "--port", port_s, "--mode", "frozen"}, "READY"));
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        auto s = w.seen();
        return !s.empty() && s.back().from == health::State::kOffline && s.back().to == health::State::kOk;
      },
      15));
  bool frozen = false, offline = false;
  for (const auto& tr : w.seen()) {
    std::printf("transition %s -> %s at %.2f: %s\n", std::string(health::StateName(tr.from)).c_str(),
                std::string(health::StateName(tr.to)).c_str(), tr.at, tr.cause.c_str());
    frozen |= tr.to == health::State::kFrozen;
    offline |= tr.to == health::State::kOffline;
  }
  EXPECT_TRUE(frozen);
  EXPECT_TRUE(offline);
}

}  // namespace
}  // namespace watchline
