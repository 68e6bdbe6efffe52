// `watchline coverage` and `watchline plan` through the real binary: a 1 km
// straight line with two fixed-range cameras, whose covered metres, gaps and
// single-camera stretches can be worked out by hand, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace watchline {
namespace {

using nlohmann::json;
using testing::RunCmd;
using testing::TempDir;
using testing::WatchlineBinary;
using testing::WriteFile;

// Degrees of longitude for `m` metres along the equator.
double EqDeg(double m) { return m / 6378137.0 * 180 / 3.14159265358979323846; }

// The line runs east along the equator for 1 km; c1 stands on it at 100 m and
// c2 at 350 m, both looking east (along it) with a 300 m range: c1 watches
// [100, 400], c2 [350, 650].
class CoverageCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char line[160];
    std::snprintf(line, sizeof line, R"({"type":"LineString","coordinates":[[0,0],[%.12f,0]]})",
                  EqDeg(1000));
    WriteFile(dir_ / "line.geojson", line);
    char cfg[1024];
    std::snprintf(cfg, sizeof cfg,
                  "perimeter: {geojson: line.geojson, inside: left}\n"
                  "cameras:\n"
                  "  - {id: c1, source: a.mp4, position: {lat: 0, lon: %.12f, heading_deg: 90, "
                  "hfov_deg: 60, range_m: 300}}\n"
                  "  - {id: c2, source: b.mp4, position: {lat: 0, lon: %.12f, heading_deg: 90, "
                  "hfov_deg: 60, range_m: 300}}\n",
                  EqDeg(100), EqDeg(350));
    WriteFile(dir_ / "site.yaml", cfg);
  }

  json Coverage(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {WatchlineBinary(), "coverage", "--config", dir_ / "site.yaml",
                                     "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = RunCmd(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  static void ExpectStretch(const json& s, double from, double to) {
    EXPECT_EQ(s["from_m"].get<double>(), from) << s.dump();
    EXPECT_EQ(s["to_m"].get<double>(), to) << s.dump();
    EXPECT_EQ(s["length_m"].get<double>(), to - from) << s.dump();
  }

  TempDir dir_;
};

TEST_F(CoverageCliTest, ExactNumbersForTwoCameras) {
  const json j = Coverage();
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["perimeter_length_m"].get<double>(), 1000);
  EXPECT_EQ(j["covered_m"].get<double>(), 550);
  EXPECT_EQ(j["covered_fraction"].get<double>(), 0.55);
  EXPECT_EQ(j["k2_fraction"].get<double>(), 0.05);
  ASSERT_EQ(j["gaps"].size(), 2u);
  ExpectStretch(j["gaps"][0], 0, 100);
  ExpectStretch(j["gaps"][1], 650, 1000);
  ASSERT_EQ(j["single_camera"].size(), 2u);
  ExpectStretch(j["single_camera"][0], 100, 350);
  EXPECT_EQ(j["single_camera"][0]["camera"], "c1");
  ExpectStretch(j["single_camera"][1], 400, 650);
  EXPECT_EQ(j["single_camera"][1]["camera"], "c2");
  // The worst single failure: c2 down leaves [400, 1000] open.
  ASSERT_EQ(j["ranking"].size(), 2u);
  EXPECT_EQ(j["ranking"][0]["camera"], "c2");
  ExpectStretch(j["ranking"][0]["largest_gap"], 400, 1000);
  EXPECT_EQ(j["per_camera"][0]["covered_m"].get<double>(), 300);
  EXPECT_EQ(j["per_camera"][0]["sole_m"].get<double>(), 250);
}

TEST_F(CoverageCliTest, DownCamerasAreLeftOut) {
  const json j = Coverage({"--down", "c1"});
  EXPECT_EQ(j["covered_m"].get<double>(), 300);
  EXPECT_EQ(j["covered_fraction"].get<double>(), 0.3);
  EXPECT_EQ(j["k2_fraction"].get<double>(), 0);
  ASSERT_EQ(j["gaps"].size(), 2u);
  ExpectStretch(j["gaps"][0], 0, 350);
  ExpectStretch(j["gaps"][1], 650, 1000);
  ASSERT_EQ(j["single_camera"].size(), 1u);
  EXPECT_EQ(j["single_camera"][0]["camera"], "c2");
  EXPECT_EQ(j["down"], json::array({"c1"}));
  const json both = Coverage({"--down", "c1,c2"});
  EXPECT_EQ(both["covered_m"].get<double>(), 0);
  ASSERT_EQ(both["gaps"].size(), 1u);
  ExpectStretch(both["gaps"][0], 0, 1000);
}

TEST_F(CoverageCliTest, GeoJsonLayersAndHumanOutput) {
  Coverage({"--geojson", dir_ / "map.geojson"});
  const json map = json::parse(testing::ReadFile(dir_ / "map.geojson"), nullptr, false);
  ASSERT_TRUE(map.is_object());
  EXPECT_EQ(map["type"], "FeatureCollection");
  EXPECT_GE(map["features"].size(), 2u + 3u + 2u);
  auto r = RunCmd({WatchlineBinary(), "coverage", "--config", dir_ / "site.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("covered   550.0 m (55.0 %)"), std::string::npos) << r.out;
}

TEST_F(CoverageCliTest, BadInputExitsTwoNamingTheFile) {
  WriteFile(dir_ / "line.geojson", R"({"type":"Polygon","coordinates":[]})");
  auto r = RunCmd({WatchlineBinary(), "coverage", "--config", dir_ / "site.yaml", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line.geojson"), std::string::npos) << r.err;
  WriteFile(dir_ / "line.geojson", "{ not json");
  r = RunCmd({WatchlineBinary(), "coverage", "--config", dir_ / "site.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line.geojson"), std::string::npos) << r.err;
  r = RunCmd({WatchlineBinary(), "coverage", "--config", dir_ / "missing.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  SetUp();
  r = RunCmd({WatchlineBinary(), "coverage", "--config", dir_ / "site.yaml", "--down", "c9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("c9"), std::string::npos) << r.err;
}

TEST_F(CoverageCliTest, PlanPrintsSitesAsGeoJson) {
  auto r = RunCmd({WatchlineBinary(), "plan", "--perimeter", dir_ / "line.geojson",
                   "--camera-model", "bullet-1080p-60", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["type"], "FeatureCollection");
  ASSERT_FALSE(j["features"].empty());
  for (const auto& f : j["features"]) {
    EXPECT_EQ(f["geometry"]["type"], "Point");
    EXPECT_TRUE(f["properties"].contains("heading_deg"));
    EXPECT_EQ(f["properties"]["model"], "bullet-1080p-60");
  }
  EXPECT_EQ(j["summary"]["covered_fraction"].get<double>(), 1.0);
  EXPECT_EQ(j["summary"]["method"], "greedy");
  r = RunCmd({WatchlineBinary(), "plan", "--perimeter", dir_ / "line.geojson", "--camera-model",
              "bullet-1080p-60", "--k", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j2 = json::parse(r.out, nullptr, false);
  EXPECT_EQ(j2["summary"]["k2_fraction"].get<double>(), 1.0);
  EXPECT_GT(j2["features"].size(), j["features"].size());
  r = RunCmd({WatchlineBinary(), "plan", "--perimeter", dir_ / "line.geojson", "--camera-model",
              "no-such"});
  EXPECT_EQ(r.exit_code, 2);
  r = RunCmd({WatchlineBinary(), "plan", "--perimeter", dir_ / "nope.geojson", "--camera-model",
              "bullet-1080p-60"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope.geojson"), std::string::npos);
}

}  // namespace
}  // namespace watchline
