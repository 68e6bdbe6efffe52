// Multi-object tracking metrics: CLEAR MOT (MOTA, MOTP, ID switches) and the
// identity metrics (IDF1, IDP, IDR), on MOTChallenge-format boxes.
//
// CLEAR MOT (Bernardin & Stiefelhagen 2008, as the MOTChallenge devkit and
// py-motmetrics compute it): frame by frame, a ground-truth object and a
// hypothesis may match when their IoU is at least iou_threshold. Pairs matched
// on the previous frame where both appear are kept while their IoU still
// passes; the rest are matched by the Hungarian method on cost 1 - IoU. A
// matched object whose hypothesis id differs from the one it was last matched
// to (on any earlier frame) is an ID switch. Unmatched objects are FN,
// unmatched hypotheses FP.
//   MOTA = 1 - (FN + FP + IDSW) / GT, MOTP = mean IoU of the matches,
//   precision = TP / (TP + FP), recall = TP / GT.
// Identity metrics (Ristani et al. 2016): one global one-to-one mapping of
// ground-truth ids to hypothesis ids, chosen (Hungarian) to maximise the
// number of frames where a mapped pair overlaps with IoU >= iou_threshold;
// those frames are IDTP, the other ground-truth boxes IDFN, the other
// hypothesis boxes IDFP. IDF1 = 2 IDTP / (2 IDTP + IDFP + IDFN).
// Ratios with a zero denominator are reported as 0.
//
// Pure functions; thread safe.
#pragma once

#include <cstdint>
#include <vector>

#include "eval/crossings.h"

namespace watchline::eval {

struct MotOptions {
  double iou_threshold = 0.5;  // minimum intersection over union for a match
};

struct MotMetrics {
  int64_t frames = 0;          // frames with any ground-truth or hypothesis box
  int64_t gt = 0;              // ground-truth boxes
  int64_t hyp = 0;             // hypothesis boxes
  int64_t tp = 0, fp = 0, fn = 0, idsw = 0;
  int64_t gt_ids = 0, hyp_ids = 0;
  double mota = 0, motp = 0, precision = 0, recall = 0;
  int64_t idtp = 0, idfp = 0, idfn = 0;
  double idf1 = 0, idp = 0, idr = 0;
  int64_t mostly_tracked = 0;  // ground-truth ids matched in >= 80% of their frames
  int64_t mostly_lost = 0;     // ... in < 20%
};

// Intersection over union of two boxes (x, y, w, h in pixels).
double BoxIoU(const MotBox& a, const MotBox& b);

// Scores hypotheses `hyp` against ground truth `gt`; frames are matched by
// number. Boxes of one id twice in one frame are both kept (the second counts
// as its own box).
MotMetrics EvaluateMot(const std::vector<MotBox>& gt, const std::vector<MotBox>& hyp,
                       const MotOptions& options = {});

}  // namespace watchline::eval
