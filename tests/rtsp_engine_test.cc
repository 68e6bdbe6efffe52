// A real RTSP camera on loopback (gst-rtsp-server) through the whole engine:
// killed mid-stream it goes offline within the configured time and no thread
// hangs; restarted, frames and analysis resume without restarting watchline.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <mutex>

#include "config/config.h"
#include "engine/engine.h"
#include "test_util.h"

namespace watchline {
namespace {

using testing::ChildProcess;
using testing::WaitFor;

std::string ServerBinary() { return std::string(WL_BINARY_DIR) + "/tests/fixtures/rtsp_test_server"; }

TEST(RtspEngineTest, KilledCameraGoesOfflineInTimeAndRecoversWithoutRestart) {
  if (!std::filesystem::exists(ServerBinary())) GTEST_SKIP() << "rtsp_test_server not built";
  testing::TempDir dir;
  const int port = testing::FreePort();
  const std::string url = "rtsp://127.0.0.1:" + std::to_string(port) + "/test";
  const double kOfflineAfter = 2.0;
  const std::string yaml = "site: {name: t, data_dir: \"" + dir.path() + "\"}\n"
                           "cameras:\n"
                           "  - id: cam\n"
                           "    source: \"" + url + "\"\n"
                           "    analysis: {width: 320, fps: 5}\n"
                           "    ingest: {offline_after_s: 2, open_timeout_s: 2, read_timeout_s: 1,"
                           " backoff_min_s: 0.2, backoff_max_s: 1}\n"
                           "    lines: [{id: l, points: [[0.5, 0.0], [0.5, 1.0]]}]\n";
  auto cfg = config::ParseConfig(yaml, "rtsp.yaml", dir.path());
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();

  ChildProcess server;
  ASSERT_TRUE(server.Start({ServerBinary(), "--port", std::to_string(port)}, "READY"));

  engine::Engine eng(std::move(cfg).value(), engine::Engine::Options{});
  std::mutex mu;
  std::vector<std::pair<events::Event, bool>> heard;
  eng.AddListener([&](const events::Event& e, bool update) {
    std::lock_guard<std::mutex> lock(mu);
    heard.emplace_back(e, update);
  });
  ASSERT_TRUE(eng.Start().ok());
  auto cam = [&] { return eng.Cameras().at(0); };
  ASSERT_TRUE(WaitFor([&] { return cam().state == "ok" && cam().frames_analysed > 5; }, 15.0))
      << "no frames from the RTSP server: " << cam().last_error;

  // Kill the camera mid-stream.
  server.Kill();
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return cam().state == "offline"; }, kOfflineAfter + 3.0));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  // Offline is raised offline_after_s after the last frame, plus at most one
  // watchdog tick and one read timeout of detection slack.
  EXPECT_LE(took, kOfflineAfter + 1.5) << "offline raised after " << took << " s";
  {
    std::lock_guard<std::mutex> lock(mu);
    bool offline_event = false;
    for (const auto& [e, update] : heard)
      if (e.type == "camera_offline" && !update) offline_event = true;
    EXPECT_TRUE(offline_event);
  }
  const uint64_t analysed_before = cam().frames_analysed;

  // Restart it on the same port: frames and analysis resume, same engine.
  ChildProcess server2;
  ASSERT_TRUE(server2.Start({ServerBinary(), "--port", std::to_string(port)}, "READY"));
  ASSERT_TRUE(WaitFor([&] { return cam().state == "ok"; }, 15.0)) << cam().last_error;
  ASSERT_TRUE(WaitFor([&] { return cam().frames_analysed > analysed_before + 5; }, 10.0));
  EXPECT_GE(cam().reconnects, 1u);
  {
    std::lock_guard<std::mutex> lock(mu);
    bool ended = false;
    for (const auto& [e, update] : heard)
      if (e.type == "camera_offline" && update && e.end.has_value()) ended = true;
    EXPECT_TRUE(ended) << "the offline condition was not closed";
  }

  // Kill it again and stop the engine while the camera is dead: no thread hangs.
  server2.Kill();
  const auto t0 = std::chrono::steady_clock::now();
  eng.Stop();
  const double stop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(stop_s, 3.0) << "stopping took " << stop_s << " s";
}

}  // namespace
}  // namespace watchline
