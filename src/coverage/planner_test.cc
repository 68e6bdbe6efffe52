// The planner against exhaustive search on small instances, and on lines.
#include "coverage/planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "coverage/test_lines.h"

namespace watchline::coverage {
namespace {

// Whether `chosen` covers every point reached by r candidates min(k, r) times.
bool Feasible(double length, const std::vector<std::vector<Interval>>& covers,
              const std::vector<size_t>& chosen, int k) {
  std::vector<CameraIntervals> all, sel;
  for (size_t j = 0; j < covers.size(); ++j) all.push_back({std::to_string(j), covers[j]});
  for (size_t j : chosen) sel.push_back({std::to_string(j), covers[j]});
  // Check at the midpoint of every elementary stretch.
  std::vector<double> br = {0, length};
  for (const auto& c : covers)
    for (const Interval& i : c) {
      br.push_back(i.from_m);
      br.push_back(i.to_m);
    }
  std::sort(br.begin(), br.end());
  auto count_at = [](const std::vector<CameraIntervals>& cams, double x) {
    int n = 0;
    for (const auto& c : cams)
      for (const Interval& i : c.intervals)
        if (i.from_m <= x && x <= i.to_m) {
          ++n;
          break;
        }
    return n;
  };
  for (size_t i = 0; i + 1 < br.size(); ++i) {
    if (br[i + 1] - br[i] < 1e-9) continue;
    const double x = (br[i] + br[i + 1]) / 2;
    if (count_at(sel, x) < std::min(k, count_at(all, x))) return false;
  }
  return true;
}

// The smallest feasible subset, by trying every subset in order of size.
size_t Exhaustive(double length, const std::vector<std::vector<Interval>>& covers, int k) {
  const size_t n = covers.size();
  size_t best = n;
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    const size_t size = static_cast<size_t>(__builtin_popcount(mask));
    if (size >= best) continue;
    std::vector<size_t> chosen;
    for (size_t j = 0; j < n; ++j)
      if (mask & (1u << j)) chosen.push_back(j);
    if (Feasible(length, covers, chosen, k)) best = size;
  }
  return best;
}

std::vector<std::vector<Interval>> RandomCovers(std::mt19937& rng, int n, int pieces) {
  std::uniform_real_distribution<double> pos(0, 100), len(8, 35);
  std::vector<std::vector<Interval>> covers(n);
  for (auto& c : covers)
    for (int p = 0; p < pieces; ++p) {
      const double a = pos(rng);
      c.push_back({a, std::min(100.0, a + len(rng))});
    }
  return covers;
}

TEST(PlannerTest, GreedyAndIlpMatchExhaustiveSearch) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 12; ++trial) {
    const auto covers = RandomCovers(rng, 12, 1);
    const size_t best1 = Exhaustive(100, covers, 1);
    const size_t best2 = Exhaustive(100, covers, 2);
    auto g = SolveCover(100, covers, 1, CoverMethod::kGreedy, 10);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(g->chosen.size(), best1) << "trial " << trial;
    EXPECT_TRUE(Feasible(100, covers, g->chosen, 1));
    auto i1 = SolveCover(100, covers, 1, CoverMethod::kIlp, 10);
    ASSERT_TRUE(i1.ok()) << i1.status().ToString();
    EXPECT_EQ(i1->chosen.size(), best1);
    EXPECT_TRUE(i1->optimal);
    auto i2 = SolveCover(100, covers, 2, CoverMethod::kAuto, 10);
    ASSERT_TRUE(i2.ok()) << i2.status().ToString();
    EXPECT_EQ(i2->method, "ilp");
    EXPECT_EQ(i2->chosen.size(), best2) << "trial " << trial;
    EXPECT_TRUE(Feasible(100, covers, i2->chosen, 2));
    EXPECT_LE(i2->lower_bound, static_cast<double>(best2));
  }
}

TEST(PlannerTest, IlpMatchesExhaustiveWhenCandidatesSeeSeveralStretches) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 8; ++trial) {
    const auto covers = RandomCovers(rng, 12, 2);
    for (int k : {1, 2}) {
      auto s = SolveCover(100, covers, k, CoverMethod::kAuto, 10);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      EXPECT_EQ(s->method, "ilp");
      EXPECT_EQ(s->chosen.size(), Exhaustive(100, covers, k)) << "trial " << trial << " k " << k;
      EXPECT_TRUE(Feasible(100, covers, s->chosen, k));
    }
  }
  EXPECT_TRUE(SolveCover(100, RandomCovers(rng, 3, 2), 1, CoverMethod::kGreedy, 1)
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(SolveCover(100, {}, 0, CoverMethod::kAuto, 1).status().IsInvalidArgument());
}

TEST(PlannerTest, PlansFullCoverageOfAStraightLine) {
  const geometry::Perimeter line = testing::StraightLine(2000);
  PlanOptions opt;
  opt.model = *geometry::FindCameraModel("bullet-1080p-60");
  for (int k : {1, 2}) {
    opt.k = k;
    auto plan = Plan(line, opt);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_TRUE(plan->unreachable.empty());
    EXPECT_NEAR(plan->coverage.covered_m, 2000, 1e-6);
    if (k == 2) {
      EXPECT_NEAR(plan->coverage.k2_m, 2000, 1e-6);
    }
    EXPECT_GE(static_cast<double>(plan->chosen.size()), plan->solution.lower_bound);
    EXPECT_EQ(plan->solution.method, k == 1 ? "greedy" : "ilp");
    // Cameras are numbered along the line.
    for (size_t i = 1; i < plan->chosen.size(); ++i)
      EXPECT_LE(plan->chosen[i - 1].chainage_m, plan->chosen[i].chainage_m);
    EXPECT_EQ(plan->chosen[0].name, "p1");
  }
  // The greedy answer is the ILP's optimum.
  opt.k = 1;
  opt.method = CoverMethod::kIlp;
  auto ilp = Plan(line, opt);
  opt.method = CoverMethod::kGreedy;
  auto greedy = Plan(line, opt);
  ASSERT_TRUE(ilp.ok() && greedy.ok());
  EXPECT_TRUE(ilp->solution.optimal);
  EXPECT_EQ(ilp->chosen.size(), greedy->chosen.size());
}

TEST(PlannerTest, GivenSitesOnlyAndUnreachableMetres) {
  const geometry::Perimeter line = testing::StraightLine(1000);
  PlanOptions opt;
  opt.model = *geometry::FindCameraModel("bullet-1080p-60");
  // Two posts 10 m north of chainage 100 and 300: they reach part of the line.
  opt.sites = {{"post-a", line.PointAt(100) + geometry::Vec2{0, 10}, std::nullopt, std::nullopt},
               {"post-b", line.PointAt(300) + geometry::Vec2{0, 10}, 90.0, 8.0}};
  auto plan = Plan(line, opt);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_FALSE(plan->chosen.empty());
  for (const auto& c : plan->chosen) {
    EXPECT_EQ(c.side, "given");
    EXPECT_TRUE(c.name.rfind("post-", 0) == 0) << c.name;
  }
  ASSERT_FALSE(plan->unreachable.empty());
  EXPECT_NEAR(plan->unreachable.back().to_m, 1000, 1e-6);
  double reachable = 1000;
  for (const auto& u : plan->unreachable) reachable -= u.length_m();
  EXPECT_NEAR(plan->coverage.covered_m, reachable, 1e-6);
}

}  // namespace
}  // namespace watchline::coverage
