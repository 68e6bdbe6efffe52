// The command-line contract, through the real binary: exit codes, messages
// naming what is wrong, and `watchline analyze` against the simulator's exact
// ground truth.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "eval/crossings.h"
#include "test_util.h"

namespace watchline {
namespace {

using testing::RunCmd;
using testing::TempDir;
using testing::WatchlineBinary;
using testing::WriteFile;

TEST(CliTest, HelpForEveryCommand) {
  for (std::string cmd : {"", "analyze", "check-config", "sim", "demo", "eval", "bench"}) {
    std::vector<std::string> argv = {WatchlineBinary()};
    if (!cmd.empty()) argv.push_back(cmd);
    argv.push_back("--help");
    auto r = RunCmd(argv);
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
}

TEST(CliTest, UnknownCommandOrFlagIsBadInput) {
  EXPECT_EQ(RunCmd({WatchlineBinary(), "frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunCmd({WatchlineBinary(), "analyze", "--bogus"}).exit_code, 2);
}

TEST(CliTest, CheckConfigAcceptsAValidFile) {
  TempDir d;
  WriteFile(d / "ok.yaml",
            "site: {name: t, data_dir: ./var}\n"
            "cameras:\n"
            "  - id: c1\n"
            "    source: clip.mp4\n"
            "    lines: [{id: border, points: [[0.1, 0.6], [0.9, 0.55]]}]\n");
  auto r = RunCmd({WatchlineBinary(), "check-config", d / "ok.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ok"), std::string::npos);
}

TEST(CliTest, CheckConfigNamesTheFileLineAndKeyOfAnUnknownKey) {
  TempDir d;
  WriteFile(d / "bad.yaml",
            "site: {name: t}\n"
            "cameras:\n"
            "  - id: c1\n"
            "    source: clip.mp4\n"
            "    analysis: {width: 640, fsp: 10}\n");
  auto r = RunCmd({WatchlineBinary(), "check-config", d / "bad.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml:5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fsp"), std::string::npos) << r.err;
}

TEST(CliTest, CheckConfigMissingFileIsBadInput) {
  auto r = RunCmd({WatchlineBinary(), "check-config", "/nonexistent/watchline.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/watchline.yaml"), std::string::npos) << r.err;
}

// A small simulated clip shared by the analyze tests (rendered once).
class AnalyzeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto r = RunCmd({WatchlineBinary(), "sim", "--out", dir_->path(), "--seed", "3", "--duration",
                  "12", "--people", "3", "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string Path(const std::string& name) { return *dir_ / name; }
  static TempDir* dir_;
};
TempDir* AnalyzeTest::dir_ = nullptr;

TEST_F(AnalyzeTest, MissingFileIsBadInputWithAClearMessage) {
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", Path("config.yaml"), "--camera", "c1",
                "--source", Path("no-such-clip.mp4"), "--no-store"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no-such-clip.mp4"), std::string::npos) << r.err;
}

TEST_F(AnalyzeTest, TruncatedFileIsBadInputWithoutACrash) {
  const std::string clip = testing::ReadFile(Path("clip.mp4"));
  ASSERT_GT(clip.size(), 1000u);
  TempDir d;
  WriteFile(d / "half.mp4", clip.substr(0, clip.size() / 2));
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", Path("config.yaml"), "--camera", "c1",
                "--source", d / "half.mp4", "--no-store"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("half.mp4"), std::string::npos) << r.err;
}

TEST_F(AnalyzeTest, GarbageFileIsBadInputWithoutACrash) {
  TempDir d;
  std::string junk(200000, '\0');
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 2654435761u) >> 13);
  WriteFile(d / "junk.mp4", junk);
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", Path("config.yaml"), "--camera", "c1",
                "--source", d / "junk.mp4", "--no-store"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("junk.mp4"), std::string::npos) << r.err;
}

TEST_F(AnalyzeTest, UnknownCameraIsBadInput) {
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", Path("config.yaml"), "--camera", "nope",
                "--no-store"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope"), std::string::npos);
}

TEST_F(AnalyzeTest, DumpForegroundWritesOnePngPerAnalysedFrameAtInputSize) {
  TempDir out;
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", Path("config.yaml"), "--camera", "c1",
                "--dump-foreground", out.path(), "--analysis-fps", "0", "--no-store", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 12 s at 25 fps, every frame analysed: fg000001.png .. fg000300.png.
  EXPECT_TRUE(std::filesystem::exists(out / "fg000001.png"));
  EXPECT_TRUE(std::filesystem::exists(out / "fg000300.png"));
  EXPECT_FALSE(std::filesystem::exists(out / "fg000301.png"));
  cv::Mat m = cv::imread(out / "fg000150.png", cv::IMREAD_UNCHANGED);
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m.cols, 640);
  EXPECT_EQ(m.rows, 360);
  EXPECT_EQ(m.type(), CV_8UC1);
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) {
      const uint8_t v = m.at<uint8_t>(y, x);
      ASSERT_TRUE(v == 0 || v == 255) << "pixel " << x << "," << y << " = " << int(v);
    }
}

TEST_F(AnalyzeTest, StoresEventsInTheSiteStore) {
  TempDir d;
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", Path("config.yaml"), "--camera", "c1",
                "--db", d / "events.db", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(d / "events.db"));
}

// The simulator's exact ground truth against `watchline analyze`: every
// crossing found, with the right direction, within 0.5 s, and no other.
void ExpectExactCrossings(uint64_t seed, double duration, int people, bool night,
                          double analysis_fps) {
  TempDir d;
  std::vector<std::string> sim = {WatchlineBinary(), "sim", "--out", d.path(), "--seed",
                                  std::to_string(seed), "--duration", std::to_string(duration),
                                  "--people", std::to_string(people), "-q"};
  if (night) sim.push_back("--night");
  auto s = RunCmd(sim);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto r = RunCmd({WatchlineBinary(), "analyze", "--config", d / "config.yaml", "--camera", "c1",
                "--json", "--no-store", "-q", "--analysis-fps", std::to_string(analysis_fps)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  testing::WriteFile(d / "found.jsonl", r.out);
  auto truth = eval::ReadEventsJsonl(d / "events.jsonl");
  ASSERT_TRUE(truth.ok()) << truth.status().ToString();
  auto found = eval::ReadEventsJsonl(d / "found.jsonl");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  auto only_crossings = [](std::vector<events::Event> v) {
    std::erase_if(v, [](const events::Event& e) { return e.type != "line_crossing"; });
    return v;
  };
  auto t = only_crossings(*truth);
  auto f = only_crossings(*found);
  ASSERT_GE(t.size(), 2u) << "the scene should have crossings";
  auto m = eval::MatchEvents(t, f, eval::MatchOptions{0.5});
  for (const auto& e : m.missed) ADD_FAILURE() << "missed: " << events::ToJsonLine(e);
  for (const auto& e : m.spurious) ADD_FAILURE() << "spurious: " << events::ToJsonLine(e);
  EXPECT_EQ(m.true_positives, static_cast<int>(t.size()));
  EXPECT_EQ(f.size(), t.size());
}

TEST(AnalyzeCrossingsTest, DaySceneEveryCrossingRightDirectionNoOthers) {
  ExpectExactCrossings(11, 40, 8, false, 10);
}

// Night scenes are not asserted exactly here: the simulator's night figures
// have legs below the noise, so the foot point is not observable; night
// recall is measured and tracked in docs/benchmarks.md (detection issue).

TEST(AnalyzeCrossingsTest, FiveFpsAnalysisStillCatchesEveryCrossing) {
  ExpectExactCrossings(13, 40, 8, false, 5);
}

}  // namespace
}  // namespace watchline
