#include "coverage/coverage.h"

#include <gtest/gtest.h>

#include <random>

#include "coverage/live_coverage.h"

namespace watchline::coverage {
namespace {

// Three cameras on a 1 km line: a [100, 400], b [350, 650], c [600, 700] and
// [900, 950].
std::vector<CameraIntervals> Three() {
  return {{"a", {{100, 400}}}, {"b", {{350, 650}}}, {"c", {{600, 700}, {900, 950}}}};
}

void ExpectSameReport(const CoverageReport& x, const CoverageReport& y) {
  EXPECT_NEAR(x.covered_m, y.covered_m, 1e-6);
  EXPECT_NEAR(x.k2_m, y.k2_m, 1e-6);
  ASSERT_EQ(x.gaps.size(), y.gaps.size());
  for (size_t i = 0; i < x.gaps.size(); ++i) {
    EXPECT_NEAR(x.gaps[i].from_m, y.gaps[i].from_m, 1e-9);
    EXPECT_NEAR(x.gaps[i].to_m, y.gaps[i].to_m, 1e-9);
  }
  ASSERT_EQ(x.single_camera.size(), y.single_camera.size());
  for (size_t i = 0; i < x.single_camera.size(); ++i) {
    EXPECT_EQ(x.single_camera[i].camera, y.single_camera[i].camera);
    EXPECT_NEAR(x.single_camera[i].from_m, y.single_camera[i].from_m, 1e-9);
    EXPECT_NEAR(x.single_camera[i].to_m, y.single_camera[i].to_m, 1e-9);
  }
  ASSERT_EQ(x.per_camera.size(), y.per_camera.size());
  for (size_t i = 0; i < x.per_camera.size(); ++i) {
    EXPECT_EQ(x.per_camera[i].up, y.per_camera[i].up);
    EXPECT_NEAR(x.per_camera[i].sole_m, y.per_camera[i].sole_m, 1e-6);
  }
}

TEST(CoverageTest, NormaliseMergesAndClamps) {
  auto v = Normalise({{500, 600}, {-10, 20}, {550, 700}, {700, 710}, {990, 1200}, {5, 5}}, 1000);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].from_m, 0);
  EXPECT_EQ(v[0].to_m, 20);
  EXPECT_EQ(v[1].from_m, 500);
  EXPECT_EQ(v[1].to_m, 710);
  EXPECT_EQ(v[2].to_m, 1000);
}

TEST(CoverageTest, SweepGivesExactCoverageGapsAndSoleCameras) {
  const CoverageReport r = ComputeCoverage(1000, Three());
  EXPECT_DOUBLE_EQ(r.covered_m, 600 + 50);  // [100,700] and [900,950]
  EXPECT_DOUBLE_EQ(r.covered_fraction(), 0.65);
  EXPECT_DOUBLE_EQ(r.k2_m, 50 + 50);                   // [350,400] and [600,650]
  ASSERT_EQ(r.gaps.size(), 3u);
  EXPECT_DOUBLE_EQ(r.gaps[0].from_m, 0);
  EXPECT_DOUBLE_EQ(r.gaps[0].to_m, 100);
  EXPECT_DOUBLE_EQ(r.gaps[1].from_m, 700);
  EXPECT_DOUBLE_EQ(r.gaps[1].to_m, 900);
  EXPECT_DOUBLE_EQ(r.gaps[2].from_m, 950);
  EXPECT_DOUBLE_EQ(r.gaps[2].to_m, 1000);
  ASSERT_EQ(r.single_camera.size(), 4u);
  EXPECT_EQ(r.single_camera[0].camera, "a");
  EXPECT_DOUBLE_EQ(r.single_camera[0].from_m, 100);
  EXPECT_DOUBLE_EQ(r.single_camera[0].to_m, 350);
  EXPECT_EQ(r.single_camera[1].camera, "b");
  EXPECT_DOUBLE_EQ(r.single_camera[1].from_m, 400);
  EXPECT_DOUBLE_EQ(r.single_camera[1].to_m, 600);
  EXPECT_EQ(r.single_camera[2].camera, "c");
  EXPECT_DOUBLE_EQ(r.single_camera[2].from_m, 650);
  EXPECT_EQ(r.single_camera[3].camera, "c");
  EXPECT_DOUBLE_EQ(r.single_camera[3].from_m, 900);
  EXPECT_DOUBLE_EQ(r.per_camera[2].covered_m, 150);
  EXPECT_DOUBLE_EQ(r.per_camera[2].sole_m, 100);
  // Runs of constant k tile the line.
  double total = 0;
  for (const KRun& run : r.runs) total += run.to_m - run.from_m;
  EXPECT_DOUBLE_EQ(total, 1000);
}

TEST(CoverageTest, DownCamerasDoNotCount) {
  const CoverageReport r = ComputeCoverage(1000, Three(), {true, false, true});
  EXPECT_DOUBLE_EQ(r.covered_m, 300 + 150);
  EXPECT_DOUBLE_EQ(r.k2_m, 0);
  EXPECT_FALSE(r.per_camera[1].up);
  ASSERT_EQ(r.gaps.size(), 4u);
  EXPECT_DOUBLE_EQ(r.gaps[1].from_m, 400);
  EXPECT_DOUBLE_EQ(r.gaps[1].to_m, 600);
}

TEST(CoverageTest, LiveCoverageMatchesTheSweepAfterEveryChange) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> pos(0, 5000), len(10, 400);
  std::vector<CameraIntervals> cams;
  for (int c = 0; c < 40; ++c) {
    CameraIntervals ci{"cam" + std::to_string(c), {}};
    for (int k = 0; k < 1 + c % 3; ++k) {
      const double a = pos(rng);
      ci.intervals.push_back({a, a + len(rng)});
    }
    cams.push_back(ci);
  }
  LiveCoverage live(5000, cams);
  std::vector<bool> up(cams.size(), true);
  ExpectSameReport(live.Report(), ComputeCoverage(5000, cams, up));
  std::uniform_int_distribution<size_t> pick(0, cams.size() - 1);
  for (int step = 0; step < 300; ++step) {
    const size_t c = pick(rng);
    up[c] = !up[c];
    const double before = live.covered_m();
    const auto d = live.SetCameraUp(c, up[c]);
    EXPECT_NEAR(live.covered_m(), before + d.covered_change_m, 1e-9);
    const CoverageReport fresh = ComputeCoverage(5000, cams, up);
    EXPECT_NEAR(live.covered_m(), fresh.covered_m, 1e-6);
    EXPECT_NEAR(live.k2_m(), fresh.k2_m, 1e-6);
    if (step % 25 == 0) ExpectSameReport(live.Report(), fresh);
  }
  ExpectSameReport(live.Report(), ComputeCoverage(5000, cams, up));
  EXPECT_TRUE(live.SetCameraUp("nope", false).status().IsNotFound());
}

TEST(CoverageTest, ASecondStateChangeToTheSameStateIsANoOp) {
  LiveCoverage live(1000, Three());
  EXPECT_DOUBLE_EQ(live.SetCameraUp(0, false).covered_change_m, -250);  // [100,350] was a's alone
  EXPECT_DOUBLE_EQ(live.SetCameraUp(0, false).covered_change_m, 0);
  EXPECT_DOUBLE_EQ(live.covered_m(), 400);
  const auto gaps = live.GapsAround(0);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_DOUBLE_EQ(gaps[0].from_m, 0);
  EXPECT_DOUBLE_EQ(gaps[0].to_m, 350);
}

TEST(CoverageTest, RankingNamesTheFailureThatOpensTheLargestGap) {
  LiveCoverage live(1000, Three());
  const auto rank = RankSingleFailures(live);
  ASSERT_EQ(rank.size(), 3u);
  // a down: gap [0, 350] (350 m); b down: [400, 600] (200 m); c down: [650, 1000] (350 m,
  // but it loses only 100 m, a loses 250).
  EXPECT_EQ(rank[0].camera, "a");
  EXPECT_DOUBLE_EQ(rank[0].largest_gap.from_m, 0);
  EXPECT_DOUBLE_EQ(rank[0].largest_gap.to_m, 350);
  EXPECT_DOUBLE_EQ(rank[0].lost_m, 250);
  EXPECT_EQ(rank[1].camera, "c");
  EXPECT_DOUBLE_EQ(rank[1].largest_gap.length_m(), 350);
  EXPECT_EQ(rank[2].camera, "b");
  EXPECT_DOUBLE_EQ(rank[2].largest_gap.length_m(), 200);
  // It leaves the live state as it was.
  EXPECT_DOUBLE_EQ(live.covered_m(), 650);
  for (size_t c = 0; c < 3; ++c) EXPECT_TRUE(live.IsUp(c));
}

}  // namespace
}  // namespace watchline::coverage
