// Camera health through the real binary: `watchline analyze` prints camera_*
// events with t at the onset and end when the condition clears, on a simulated
// clip with a tamper drawn in; `watchline health --once --json` reports a
// simulated camera's state; `watchline eval health` runs its benchmark.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace watchline {
namespace {

using testing::RunCmd;
using testing::TempDir;
using testing::WatchlineBinary;
using testing::WriteFile;

std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> v;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    std::string line = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? out.size() : nl + 1;
    if (!line.empty()) v.push_back(nlohmann::json::parse(line));
  }
  return v;
}

TEST(HealthCliTest, AnalyzePrintsOccludedWithOnsetAndEnd) {
  TempDir d;
  auto sim = RunCmd({WatchlineBinary(), "sim", "--out", d.path(), "--duration", "16", "--fps", "10",
                     "--width", "640", "--height", "360", "--people", "2", "--seed", "4", "--tamper",
                     "cover", "--tamper-at", "6", "--tamper-for", "5", "-q"});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", d / "config.yaml", "--camera", "c1",
                   "--no-store", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> health;
  for (const auto& j : JsonLines(r.out))
    if (j["type"].get<std::string>().rfind("camera_", 0) == 0) health.push_back(j);
  ASSERT_EQ(health.size(), 2u) << r.out;
  // Printed at the onset with end null, then again with end set.
  EXPECT_EQ(health[0]["type"], "camera_occluded");
  EXPECT_EQ(health[0]["camera"], "c1");
  EXPECT_TRUE(health[0]["end"].is_null());
  EXPECT_NEAR(health[0]["t"].get<double>(), 6.0, 0.6);
  EXPECT_NE(health[0]["detail"].get<std::string>().find("covered"), std::string::npos);
  EXPECT_EQ(health[1]["type"], "camera_occluded");
  EXPECT_DOUBLE_EQ(health[1]["t"].get<double>(), health[0]["t"].get<double>());
  ASSERT_TRUE(health[1]["end"].is_number());
  EXPECT_NEAR(health[1]["end"].get<double>(), 11.0, 0.6);
}

TEST(HealthCliTest, AnalyzeClosesAConditionOpenAtTheEndOfTheClip) {
  TempDir d;
  auto sim = RunCmd({WatchlineBinary(), "sim", "--out", d.path(), "--duration", "10", "--fps", "10",
                     "--people", "0", "--seed", "9", "--tamper", "blackout", "--tamper-at", "5", "-q"});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", d / "config.yaml", "--camera", "c1",
                   "--no-store", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<nlohmann::json> lines;
  for (const auto& j : JsonLines(r.out))
    if (j["type"].get<std::string>().rfind("camera_", 0) == 0) lines.push_back(j);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[1]["type"], "camera_blackout");
  EXPECT_NEAR(lines[1]["end"].get<double>(), 9.9, 0.11);
}

TEST(HealthCliTest, HealthOnceJsonReportsEveryCamera) {
  TempDir d;
  WriteFile(d / "c.yaml",
            "cameras:\n"
            "  - id: good\n"
            "    source: sim://field?seed=2&people=2\n"
            "    analysis: {width: 320, fps: 5}\n"
            "  - id: black\n"
            "    source: sim://field?seed=3&people=0&tamper=blackout&tamper_at=0\n"
            "    analysis: {width: 320, fps: 5}\n"
            "  - id: spare\n"
            "    source: sim://field\n"
            "    enabled: false\n");
  auto r = RunCmd({WatchlineBinary(), "health", "--config", d / "c.yaml", "--once", "--seconds", "3",
                   "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto snap = nlohmann::json::parse(r.out);
  ASSERT_EQ(snap.size(), 3u);
  EXPECT_EQ(snap[0]["camera"], "good");
  EXPECT_EQ(snap[0]["state"], "ok");
  EXPECT_EQ(snap[1]["state"], "blackout") << snap[1].dump();
  EXPECT_EQ(snap[2]["state"], "disabled");
}

TEST(HealthCliTest, EvalHealthSmallRun) {
  auto r = RunCmd({WatchlineBinary(), "eval", "health", "--cases", "7", "--normal-hours", "0.01",
                   "--width", "320", "--json"});
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["cases"], 7);
  EXPECT_EQ(j["types"].size(), 7u);
  EXPECT_TRUE(j["normal"]["tamper_events"].is_number());
}

}  // namespace
}  // namespace watchline
