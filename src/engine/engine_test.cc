// The engine end to end on simulated cameras: events stored before they are
// announced, and a camera that fails goes offline and comes back.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "config/config.h"

namespace watchline::engine {
namespace {

std::string TempPath() {
  std::random_device rd;
  auto p = std::filesystem::temp_directory_path() / ("wl-engine-" + std::to_string(rd()));
  std::filesystem::create_directories(p);
  return p.string();
}

template <typename Pred>
bool WaitFor(Pred pred, double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

TEST(EngineTest, FailingSimCameraGoesOfflineAndRecoversWithStoredEvents) {
  const std::string dir = TempPath();
  const std::string yaml =
      "site: {name: t, data_dir: \"" + dir + "\"}\n"
      "cameras:\n"
      "  - id: a\n"
      "    source: \"sim://river?seed=5&people=2\"\n"
      "    analysis: {width: 320, fps: 5}\n"
      "    ingest: {offline_after_s: 1}\n"
      "  - id: b\n"
      "    source: \"sim://river?seed=6&people=2&fail=offline&fail_at=1.5&fail_for=2.5\"\n"
      "    analysis: {width: 320, fps: 5}\n"
      "    ingest: {offline_after_s: 1, read_timeout_s: 0.5, backoff_min_s: 0.2, backoff_max_s: 0.5}\n"
      "  - id: off\n"
      "    source: \"sim://river?seed=7\"\n"
      "    enabled: false\n";
  auto cfg = config::ParseConfig(yaml, "test.yaml", dir);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  Engine eng(std::move(cfg).value(), Engine::Options{});
  std::mutex mu;
  std::vector<events::Event> heard;
  std::vector<std::string> problems;
  eng.AddListener([&](const events::Event& e, bool update) {
    std::lock_guard<std::mutex> lock(mu);
    // Stored before announced: the row must already be there.
    auto got = eng.store()->Get(e.id);
    if (!got.ok()) problems.push_back("announced before stored: " + events::ToJsonLine(e));
    if (update && got.ok() && got->end != e.end) problems.push_back("end not stored");
    heard.push_back(e);
  });
  ASSERT_TRUE(eng.Start().ok());
  auto has = [&](const std::string& type, bool ended) {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& e : heard)
      if (e.camera == "b" && e.type == type && e.end.has_value() == ended) return true;
    return false;
  };
  EXPECT_TRUE(WaitFor([&] { return has("camera_offline", false); }, 6.0));
  EXPECT_TRUE(WaitFor([&] { return has("camera_offline", true); }, 8.0));
  auto cams = eng.Cameras();
  ASSERT_EQ(cams.size(), 3u);
  EXPECT_EQ(cams[0].state, "ok");
  EXPECT_GT(cams[0].frames_analysed, 5u);
  EXPECT_EQ(cams[1].state, "ok");
  EXPECT_GE(cams[1].reconnects, 1u);
  EXPECT_EQ(cams[2].state, "disabled");
  eng.Stop();
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& p : problems) ADD_FAILURE() << p;
    for (const auto& e : heard) EXPECT_NE(e.camera, "a") << "healthy camera raised " << e.type;
  }
  auto stored = eng.store()->Query(store::EventFilter{.camera = std::string("b"),
                                                      .type = std::string("camera_offline")});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  ASSERT_TRUE((*stored)[0].end.has_value());
  EXPECT_GT(*(*stored)[0].end, (*stored)[0].t);
  std::filesystem::remove_all(dir);
}

TEST(EngineTest, InvalidSimSourceIsBadInputAtStart) {
  const std::string dir = TempPath();
  auto cfg = config::ParseConfig("site: {name: t, data_dir: \"" + dir +
                                     "\"}\ncameras:\n  - id: a\n    source: \"sim://river?bogus=1\"\n",
                                 "t.yaml", dir);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  Engine eng(std::move(cfg).value(), Engine::Options{});
  Status s = eng.Start();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("bogus"), std::string::npos) << s.ToString();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace watchline::engine
