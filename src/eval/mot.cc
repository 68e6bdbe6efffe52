#include "eval/mot.h"

#include <algorithm>
#include <map>
#include <set>

#include "analysis/hungarian.h"

namespace watchline::eval {
namespace {

// Shares of a ground-truth id's frames that make it mostly tracked / lost
// (Li et al. 2009, as the MOTChallenge devkit uses them).
constexpr double kMostlyTrackedShare = 0.8;
constexpr double kMostlyLostShare = 0.2;

double Ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

std::map<int, std::vector<const MotBox*>> ByFrame(const std::vector<MotBox>& boxes) {
  std::map<int, std::vector<const MotBox*>> out;
  for (const auto& b : boxes) out[b.frame].push_back(&b);
  return out;
}

}  // namespace

double BoxIoU(const MotBox& a, const MotBox& b) {
  const double ix = std::max(0.0, std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x));
  const double iy = std::max(0.0, std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y));
  const double inter = ix * iy;
  const double uni = a.w * a.h + b.w * b.h - inter;
  return uni > 0 ? inter / uni : 0.0;
}

MotMetrics EvaluateMot(const std::vector<MotBox>& gt, const std::vector<MotBox>& hyp,
                       const MotOptions& options) {
  MotMetrics m;
  const auto gt_frames = ByFrame(gt);
  const auto hyp_frames = ByFrame(hyp);
  std::set<int> frames;
  for (const auto& [f, v] : gt_frames) frames.insert(f);
  for (const auto& [f, v] : hyp_frames) frames.insert(f);
  m.frames = static_cast<int64_t>(frames.size());

  std::map<int, int> last_match;                 // gt id -> hyp id it was last matched to
  std::map<int, int64_t> gt_seen, gt_matched;    // frames per gt id: present, matched
  std::map<std::pair<int, int>, int64_t> overlap;  // (gt id, hyp id) -> frames with IoU >= thr
  std::set<int> hyp_ids;
  double iou_sum = 0;
  static const std::vector<const MotBox*> kNone;

  for (int f : frames) {
    const auto git = gt_frames.find(f);
    const auto hit = hyp_frames.find(f);
    const auto& g = git == gt_frames.end() ? kNone : git->second;
    const auto& h = hit == hyp_frames.end() ? kNone : hit->second;
    m.gt += static_cast<int64_t>(g.size());
    m.hyp += static_cast<int64_t>(h.size());
    for (const auto* b : h) hyp_ids.insert(b->id);

    std::vector<double> iou(g.size() * h.size());
    for (size_t i = 0; i < g.size(); ++i) {
      ++gt_seen[g[i]->id];
      for (size_t j = 0; j < h.size(); ++j) {
        iou[i * h.size() + j] = BoxIoU(*g[i], *h[j]);
        if (iou[i * h.size() + j] >= options.iou_threshold) ++overlap[{g[i]->id, h[j]->id}];
      }
    }

    // 1. Keep earlier matches that are still valid.
    std::vector<int> match(g.size(), -1);
    std::vector<char> hyp_taken(h.size(), 0);
    for (size_t i = 0; i < g.size(); ++i) {
      const auto lm = last_match.find(g[i]->id);
      if (lm == last_match.end()) continue;
      for (size_t j = 0; j < h.size(); ++j) {
        if (!hyp_taken[j] && h[j]->id == lm->second &&
            iou[i * h.size() + j] >= options.iou_threshold) {
          match[i] = static_cast<int>(j);
          hyp_taken[j] = 1;
          break;
        }
      }
    }
    // 2. Hungarian on the rest, cost 1 - IoU, pairs below the threshold forbidden.
    std::vector<int> rows, cols;
    for (size_t i = 0; i < g.size(); ++i)
      if (match[i] < 0) rows.push_back(static_cast<int>(i));
    for (size_t j = 0; j < h.size(); ++j)
      if (!hyp_taken[j]) cols.push_back(static_cast<int>(j));
    if (!rows.empty() && !cols.empty()) {
      std::vector<double> cost(rows.size() * cols.size());
      for (size_t r = 0; r < rows.size(); ++r) {
        for (size_t c = 0; c < cols.size(); ++c) {
          const double v = iou[rows[r] * h.size() + cols[c]];
          cost[r * cols.size() + c] = v >= options.iou_threshold ? 1.0 - v : analysis::kForbidden;
        }
      }
      const auto a = analysis::SolveAssignment(cost, static_cast<int>(rows.size()),
                                               static_cast<int>(cols.size()));
      for (size_t r = 0; r < rows.size(); ++r) {
        if (a[r] < 0) continue;
        match[rows[r]] = cols[a[r]];
        hyp_taken[cols[a[r]]] = 1;
      }
    }
    // 3. Count.
    for (size_t i = 0; i < g.size(); ++i) {
      if (match[i] < 0) {
        ++m.fn;
        continue;
      }
      ++m.tp;
      ++gt_matched[g[i]->id];
      iou_sum += iou[i * h.size() + match[i]];
      const int hid = h[match[i]]->id;
      auto lm = last_match.find(g[i]->id);
      if (lm != last_match.end() && lm->second != hid) ++m.idsw;
      last_match[g[i]->id] = hid;
    }
    for (size_t j = 0; j < h.size(); ++j)
      if (!hyp_taken[j]) ++m.fp;
  }

  m.gt_ids = static_cast<int64_t>(gt_seen.size());
  m.hyp_ids = static_cast<int64_t>(hyp_ids.size());
  m.mota = m.gt > 0 ? 1.0 - static_cast<double>(m.fn + m.fp + m.idsw) / m.gt : 0.0;
  m.motp = Ratio(iou_sum, static_cast<double>(m.tp));
  m.precision = Ratio(m.tp, m.tp + m.fp);
  m.recall = Ratio(m.tp, m.gt);
  for (const auto& [id, n] : gt_seen) {
    const double share = Ratio(gt_matched.count(id) ? gt_matched.at(id) : 0, n);
    if (share >= kMostlyTrackedShare) ++m.mostly_tracked;
    if (share < kMostlyLostShare) ++m.mostly_lost;
  }

  // Identity metrics: the id mapping that maximises the overlapping frames.
  std::vector<int> gids, hids;
  for (const auto& [id, n] : gt_seen) gids.push_back(id);
  hids.assign(hyp_ids.begin(), hyp_ids.end());
  if (!gids.empty() && !hids.empty()) {
    int64_t most = 0;
    for (const auto& [k, n] : overlap) most = std::max(most, n);
    std::vector<double> cost(gids.size() * hids.size());
    for (size_t r = 0; r < gids.size(); ++r) {
      for (size_t c = 0; c < hids.size(); ++c) {
        const auto it = overlap.find({gids[r], hids[c]});
        cost[r * hids.size() + c] = static_cast<double>(most - (it == overlap.end() ? 0 : it->second));
      }
    }
    const auto a = analysis::SolveAssignment(cost, static_cast<int>(gids.size()),
                                             static_cast<int>(hids.size()));
    for (size_t r = 0; r < gids.size(); ++r) {
      if (a[r] < 0) continue;
      const auto it = overlap.find({gids[r], hids[a[r]]});
      if (it != overlap.end()) m.idtp += it->second;
    }
  }
  m.idfn = m.gt - m.idtp;
  m.idfp = m.hyp - m.idtp;
  m.idf1 = Ratio(2.0 * m.idtp, 2.0 * m.idtp + m.idfp + m.idfn);
  m.idp = Ratio(m.idtp, m.hyp);
  m.idr = Ratio(m.idtp, m.gt);
  return m;
}

}  // namespace watchline::eval
