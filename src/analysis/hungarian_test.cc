#include "analysis/hungarian.h"

#include <algorithm>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

namespace watchline::analysis {
namespace {

double Total(const std::vector<double>& cost, int cols, const std::vector<int>& assign) {
  double s = 0;
  for (size_t r = 0; r < assign.size(); ++r)
    if (assign[r] >= 0) s += cost[r * cols + assign[r]];
  return s;
}

// Exhaustive minimum over all ways to give each row a distinct column (rows <= cols).
double BruteForceMin(const std::vector<double>& cost, int rows, int cols) {
  std::vector<int> perm(cols);
  std::iota(perm.begin(), perm.end(), 0);
  double best = 1e300;
  do {
    double s = 0;
    for (int r = 0; r < rows; ++r) s += cost[r * cols + perm[r]];
    best = std::min(best, s);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

TEST(HungarianTest, KnownOptimalAssignment) {
  // Classic example: the greedy choice (row 0 -> col 1 at cost 1) is wrong.
  const std::vector<double> cost = {
      4, 1, 3,  //
      2, 0, 5,  //
      3, 2, 2,  //
  };
  const std::vector<int> a = SolveAssignment(cost, 3, 3);
  EXPECT_EQ(a, (std::vector<int>{1, 0, 2}));
  EXPECT_DOUBLE_EQ(Total(cost, 3, a), 5);
}

TEST(HungarianTest, MatchesBruteForceOnRandomMatrices) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> d(0, 100);
  for (int trial = 0; trial < 200; ++trial) {
    const int rows = 1 + trial % 5;
    const int cols = rows + (trial / 5) % 3;
    std::vector<double> cost(rows * cols);
    for (double& c : cost) c = std::round(d(rng));
    const std::vector<int> a = SolveAssignment(cost, rows, cols);
    std::vector<int> used;
    for (int c : a) {
      ASSERT_GE(c, 0);
      used.push_back(c);
    }
    std::sort(used.begin(), used.end());
    EXPECT_EQ(std::unique(used.begin(), used.end()), used.end()) << "column used twice";
    EXPECT_NEAR(Total(cost, cols, a), BruteForceMin(cost, rows, cols), 1e-9) << "trial " << trial;
  }
}

TEST(HungarianTest, MoreRowsThanColumnsLeavesRowsUnassigned) {
  const std::vector<double> cost = {
      9, 9,  //
      1, 8,  //
      7, 1,  //
  };
  const std::vector<int> a = SolveAssignment(cost, 3, 2);
  EXPECT_EQ(a, (std::vector<int>{-1, 0, 1}));
}

TEST(HungarianTest, ForbiddenPairsAreNeverReturned) {
  // Row 0 may only take column 0; the cheaper global choice must respect it.
  const std::vector<double> cost = {
      5, kForbidden,  //
      1, 2,           //
  };
  EXPECT_EQ(SolveAssignment(cost, 2, 2), (std::vector<int>{0, 1}));
  // A row with nothing allowed stays unassigned, and does not steal a column.
  const std::vector<double> cost2 = {
      kForbidden, kForbidden,  //
      3, 4,                    //
  };
  EXPECT_EQ(SolveAssignment(cost2, 2, 2), (std::vector<int>{-1, 0}));
}

TEST(HungarianTest, EmptyInputs) {
  EXPECT_TRUE(SolveAssignment({}, 0, 3).empty());
  EXPECT_EQ(SolveAssignment({}, 2, 0), (std::vector<int>{-1, -1}));
}

}  // namespace
}  // namespace watchline::analysis
