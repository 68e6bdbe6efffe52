// Minimum-cost assignment (the Hungarian / Kuhn-Munkres method with
// potentials, O(n^2 m) for an n x m matrix with n <= m).
//
// Used by the tracker to match predicted tracks to detected blobs. Costs that
// must never be chosen (outside the gate) are given as kForbidden; a row whose
// only options are forbidden is left unassigned.
// Thread safety: a pure function, safe to call from any thread.
#pragma once

#include <limits>
#include <vector>

namespace watchline::analysis {

// A cost at or above this is treated as "may not be assigned".
inline constexpr double kForbidden = 1e12;

// cost is row-major, rows x cols. Returns, for each row, the column assigned
// to it or -1. Each column is used at most once. The sum of the chosen costs
// is minimal among assignments that give every row a column (when rows <=
// cols; otherwise every column a row); pairs that end up on a forbidden cost
// are then dropped to -1.
std::vector<int> SolveAssignment(const std::vector<double>& cost, int rows, int cols);

}  // namespace watchline::analysis
