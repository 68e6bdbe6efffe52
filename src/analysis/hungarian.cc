#include "analysis/hungarian.h"

#include <algorithm>
#include <cassert>

namespace watchline::analysis {
namespace {

// Potentials method on an n x m matrix with n <= m (1-based internally).
// Returns row -> column (0-based).
std::vector<int> SolveRowsLeqCols(const std::vector<double>& a, int n, int m) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0), v(m + 1, 0), minv(m + 1);
  std::vector<int> p(m + 1, 0), way(m + 1, 0);
  std::vector<char> used(m + 1);
  for (int i = 1; i <= n; ++i) {
    p[0] = i;
    int j0 = 0;
    std::fill(minv.begin(), minv.end(), kInf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int i0 = p[j0];
      double delta = kInf;
      int j1 = 0;
      const double* row = &a[static_cast<size_t>(i0 - 1) * m];
      for (int j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = row[j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int> out(n, -1);
  for (int j = 1; j <= m; ++j)
    if (p[j] != 0) out[p[j] - 1] = j - 1;
  return out;
}

}  // namespace

std::vector<int> SolveAssignment(const std::vector<double>& cost, int rows, int cols) {
  assert(cost.size() == static_cast<size_t>(rows) * cols);
  std::vector<int> out(std::max(rows, 0), -1);
  if (rows <= 0 || cols <= 0) return out;
  // Clamp so that forbidden entries stay finite: sums of kForbidden remain
  // exact enough and never become inf - inf.
  if (rows <= cols) {
    std::vector<double> a(cost.size());
    for (size_t k = 0; k < cost.size(); ++k) a[k] = std::min(cost[k], kForbidden);
    out = SolveRowsLeqCols(a, rows, cols);
  } else {
    std::vector<double> t(cost.size());
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        t[static_cast<size_t>(c) * rows + r] = std::min(cost[static_cast<size_t>(r) * cols + c], kForbidden);
    const std::vector<int> col_to_row = SolveRowsLeqCols(t, cols, rows);
    for (int c = 0; c < cols; ++c)
      if (col_to_row[c] >= 0) out[col_to_row[c]] = c;
  }
  for (int r = 0; r < rows; ++r)
    if (out[r] >= 0 && cost[static_cast<size_t>(r) * cols + out[r]] >= kForbidden) out[r] = -1;
  return out;
}

}  // namespace watchline::analysis
