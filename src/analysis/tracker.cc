#include "analysis/tracker.h"

#include <algorithm>
#include <cmath>

#include "analysis/hungarian.h"

namespace watchline::analysis {
namespace {

// Filter tuning, in frame diagonals so that it holds at any analysis size.
constexpr double kAccelNoise = 0.15;     // diagonals/s^2: how hard objects change speed
constexpr double kMeasNoise = 0.005;     // diagonals: blob-box centre jitter (1-sigma)
constexpr double kInitSpeedStd = 1.0;    // diagonals/s: prior on a newborn track's speed
// Gate radius = kGateMin diagonals + kGateSigmas x the prediction's 1-sigma.
constexpr double kGateMin = 0.03;
constexpr double kGateSigmas = 3.0;
// ...but the uncertainty part of the gate never exceeds kGateMaxHeights box
// heights (the track's own size): a track that coasted unseen for a second
// has a prediction spread of hundreds of pixels, and without this cap it would
// take over a new object that appears anywhere near, making a path jump that
// no person or vehicle makes (and a crossing at the wrong time).
constexpr double kGateMaxHeights = 0.5;
// Second pass: an unmatched blob within kReacquireGate diagonals of where an
// unmatched track was last seen continues that track.
constexpr double kReacquireGate = 0.08;
// Cost of a size change: weight on |log(area ratio)|; above kMaxAreaRatio the
// pair is not allowed at all.
constexpr double kSizeCostWeight = 0.3;
constexpr double kMaxAreaRatio = 4.0;
// Partly hidden objects. A track remembers the height/width ratio of its whole
// box: it follows a taller measured ratio with the time constant
// kFullHeightRiseS (not at once: a blob made taller for a frame or two by a
// wake, a reflection or a splash of snow is not the object's shape, and
// would make every later box "truncated"), and a lower one no faster than
// kFullHeightShrinkPerS (relative, per second: a person who stops swinging
// the arms or turns changes shape slowly). A blob at most kTruncatedRatio of
// the height that ratio gives for its width, about as wide as the track, is the object
// with a part missing (legs the colour of the ground, a foot behind a bush):
// the missing end, the one further from where the box was predicted, is
// restored to the full height, so the foot point (what the rules use) stays on
// the ground instead of jumping up by a leg's length.
constexpr double kFullHeightShrinkPerS = 0.1;
constexpr double kFullHeightRiseS = 0.5;
constexpr double kTruncatedRatio = 0.9;
constexpr double kTruncatedMinWidthRatio = 0.7;
// Upright people. A track classed person that has never shown its whole body
// (legs the colour of the ground from the first frame, a person walking
// behind a low wall) has no full height of its own to restore. An upright
// person's box is at least about kUprightPersonAspect times as tall as it is
// wide (MOT15 ground truth: median 2.6 on TUD-Campus, 3.3 on TUD-Stadtmitte;
// 2% of boxes below 2.0). So once a confirmed person track's blob has been
// shaped like an upper body (height/width from kPersonPartMinAspect to
// kPersonPartMaxAspect, at least kPersonPartMinWidthPx wide) for
// kPersonPartMinRun measurements in a row, its foot is put
// kUprightPersonAspect widths below the head. Lower blobs are crawlers or
// crouching people, whose box is all there is (and boats end-on); narrower
// ones are too coarse to tell (a 6 px person is +-1 px wide); unconfirmed
// tracks are often fragments of a crowd.
constexpr double kUprightPersonAspect = 2.5;
constexpr double kPersonPartMinAspect = 1.35;
constexpr double kPersonPartMaxAspect = 2.0;
constexpr double kPersonPartMinWidthPx = 8;
constexpr int kPersonPartMinRun = 3;
// Objects seen in parts (a car whose body is the colour of the grass shows
// its cabin and its wheels): unassigned blobs lying at least kPartsInside
// (share of their box) inside an established track's predicted box, grown by
// kPartsBoxGrow of its
// size on every side, are parts of it, and the track is measured by their
// union with its own blob, when that union is closer to the track's size
// (|log area ratio| smaller by kPartsMinGain), or, for a track that found
// no blob of its own, by the union of two or more parts within a factor of
// kPartsMaxAreaRatio of its size. Established: kPartsMinHits measurements
// and both sides at least kPartsMinSidePx (analysis pixels). Not for a
// track classed person: in a crowd the blobs inside one person's box are
// other people (measured on MOT15 TUD-Stadtmitte: with persons included,
// crossing recall fell from 0.43 to 0.29 and MOTA from -0.15 to -0.21).
constexpr double kPartsInside = 0.8;
constexpr double kPartsBoxGrow = 0.15;
constexpr double kPartsMinGain = 0.1;
constexpr double kPartsMaxAreaRatio = 3.0;
constexpr int kPartsMinHits = 4;
constexpr double kPartsMinSidePx = 16;
// Time constant of the box-size smoothing, seconds.
constexpr double kSizeSmoothingS = 0.2;
// A tentative (unconfirmed) track unseen this long is dropped, seconds.
constexpr double kTentativeMaxGapS = 0.5;
// An unmatched blob lying at least this much (fraction of its area) inside a
// matched track's box is a fragment of it, not a new object.
constexpr double kFragmentOverlap = 0.5;
// Confirmation, besides confirm_s and min_displacement: at least a few
// independent measurements, matched in most updates since birth (fragments of
// swaying leaves come and go), and over the last kConfirmWindowS a net
// movement of at least kMinConfirmStraightness of the path length (leaves and
// water go back and forth).
constexpr int kMinHitsToConfirm = 3;
constexpr double kMinConfirmHitRatio = 0.7;
constexpr double kConfirmWindowS = 2.0;
constexpr double kMinConfirmStraightness = 0.5;
// Steadiness of a confirmed track (Track::steady): over the confirmation
// window it has few jumps, and it either moves like an object (the tests of
// confirmation) or stands: its smoothed foot travelled less than this many
// times min_displacement.
constexpr double kStillPathFactor = 2.0;
// Time constant of Track::recent_hits, seconds.
constexpr double kRecentHitsS = 1.0;
// The confirmation window must span at least this much time, seconds: a
// direction is only consistent if it is kept for a while.
constexpr double kMinConfirmSpanS = 1.0;
// Consistent direction: the window is cut into kConfirmSegments equal times,
// and each must advance along the net direction by at least
// kMinSegmentAdvance of an equal share of the net movement.
constexpr int kConfirmSegments = 3;
constexpr double kMinSegmentAdvance = 0.25;
// Steady size: a step whose blob area changes by more than this factor is a
// shape jump; at most kMaxShapeJumpShare of the window's steps may be.
constexpr double kShapeJumpRatio = 1.6;
constexpr double kMaxShapeJumpShare = 0.3;
// ...and so is a step whose blob lay more than this many object sizes (the
// larger box side) from the prediction: objects move smoothly, a track that
// hops between the fragments of a tree or of water does not. (A car at 30 m/s
// seen at 5 fps moves 1.3 lengths per frame, but the filter predicts it.)
constexpr double kMaxInnovationSizes = 1.0;
// Rigid movement: an object moves all its edges together, whereas a patch of
// waves or leaves that grows on one side and shrinks on the other moves its
// centre without moving. Over the window, the movement common to both edges
// of the measured box (per axis: the smaller of the two edge movements if they
// go the same way, else none) must be at least kMinRigidShare of the net
// movement of the foot. (A person walking towards the camera grows, but his
// head still moves the same way as his feet, by half as much or more.)
constexpr double kMinRigidShare = 0.6;

// The movement common to both edges of one axis: a, b are the movements of
// the low and the high edge.
double CommonMove(double a, double b) {
  if (a * b <= 0) return 0;
  return a > 0 ? std::min(a, b) : std::max(a, b);
}
// Bound on the recorded path: enough for a minute at 10 fps; rules only need
// the points since their last evaluation.
constexpr size_t kMaxPathPoints = 600;
// Track quality: age (seconds of being seen) at which age stops adding trust.
constexpr double kFullTrustAgeS = 2.0;

}  // namespace

void KalmanAxis::Predict(double dt, double q) {
  if (dt <= 0) return;
  p += v * dt;
  const double dt2 = dt * dt;
  pp += 2 * dt * pv + dt2 * vv + q * dt2 * dt / 3;
  pv += dt * vv + q * dt2 / 2;
  vv += q * dt;
}

void KalmanAxis::Update(double z, double r) {
  const double s = pp + r;
  const double k0 = pp / s, k1 = pv / s;
  const double y = z - p;
  p += k0 * y;
  v += k1 * y;
  const double npp = (1 - k0) * pp;
  const double npv = (1 - k0) * pv;
  const double nvv = vv - k1 * pv;
  pp = npp;
  pv = npv;
  vv = nvv;
}

double Track::ClassShare() const {
  double sum = 0;
  for (double v : class_votes) sum += v;
  return sum > 0 ? class_votes[static_cast<int>(cls)] / sum : 0;
}

double Track::Quality() const {
  const double hit_ratio = updates > 0 ? double(hits) / updates : 0;
  const double age = std::clamp((last_seen_t - born_t) / kFullTrustAgeS, 0.0, 1.0);
  return std::clamp(hit_ratio * (0.6 + 0.4 * age) * (0.7 + 0.3 * ClassShare()), 0.0, 1.0);
}

KalmanTracker::KalmanTracker(cv::Size frame, TrackerParams params)
    : frame_(frame), diag_(std::hypot(frame.width, frame.height)), p_(params) {
  accel_density_ = std::pow(kAccelNoise * diag_, 2);
  meas_var_ = std::pow(kMeasNoise * diag_, 2);
  init_speed_var_ = std::pow(kInitSpeedStd * diag_, 2);
  gate_min_ = kGateMin * diag_;
}

cv::Point2d KalmanTracker::Normalise(const cv::Point2d& p) const {
  return {p.x / frame_.width, p.y / frame_.height};
}

void KalmanTracker::Predict(Track* tr, double t) const {
  const double dt = t - tr->last_t;
  tr->kx.Predict(dt, accel_density_);
  tr->ky.Predict(dt, accel_density_);
  tr->last_t = std::max(tr->last_t, t);
}

void KalmanTracker::Record(Track* tr, const cv::Rect2d& b, double area, double innovation,
                           double t) const {
  TrackPoint pt;
  pt.seq = tr->next_seq++;
  pt.t = t;
  pt.foot = Normalise({b.x + b.width / 2, b.y + b.height});
  pt.box = cv::Rect2d(b.x / frame_.width, b.y / frame_.height, b.width / frame_.width,
                      b.height / frame_.height);
  pt.smooth = Normalise(tr->foot());
  pt.velocity = tr->velocity();
  pt.area = area;
  pt.innovation = innovation;
  tr->path.push_back(pt);
  if (tr->path.size() > kMaxPathPoints) tr->path.pop_front();
}

size_t KalmanTracker::WindowStart(const Track& tr) {
  const std::deque<TrackPoint>& path = tr.path;
  size_t first = path.size() - 1;
  while (first > 0 && path[first - 1].t >= path.back().t - kConfirmWindowS) --first;
  return first;
}

bool KalmanTracker::Jumpy(const Track& tr, size_t first) {
  const std::deque<TrackPoint>& path = tr.path;
  const double max_log_area = std::log(kShapeJumpRatio);
  int steps = 0, jumps = 0;
  for (size_t i = first + 1; i < path.size(); ++i) {
    ++steps;
    if ((path[i].area > 0 && path[i - 1].area > 0 &&
         std::abs(std::log(path[i].area / path[i - 1].area)) > max_log_area) ||
        path[i].innovation > kMaxInnovationSizes)
      ++jumps;
  }
  return jumps > kMaxShapeJumpShare * steps;
}

double KalmanTracker::PathLength(const Track& tr, size_t first) {
  double length = 0;
  for (size_t i = first + 1; i < tr.path.size(); ++i)
    length += cv::norm(tr.path[i].smooth - tr.path[i - 1].smooth);
  return length;
}

bool KalmanTracker::Steady(const Track& tr) const {
  const size_t first = WindowStart(tr);
  if (Jumpy(tr, first)) return false;
  // One that (nearly) stands, a guard at his post or a loiterer, is steady:
  // it is the moving ones that must move like an object.
  if (PathLength(tr, first) < kStillPathFactor * p_.min_displacement) return true;
  return PathMovesLikeAnObject(tr);
}

bool KalmanTracker::MovesLikeAnObject(const Track& tr) const {
  if (tr.hits < kMinHitsToConfirm || tr.hits < kMinConfirmHitRatio * tr.updates ||
      tr.recent_hits < kMinConfirmHitRatio)
    return false;
  return PathMovesLikeAnObject(tr);
}

bool KalmanTracker::PathMovesLikeAnObject(const Track& tr) const {
  const std::deque<TrackPoint>& path = tr.path;
  const TrackPoint& last = path.back();
  const size_t first = WindowStart(tr);
  const double span = last.t - path[first].t;
  if (span < kMinConfirmSpanS) return false;
  const double length = PathLength(tr, first);
  const cv::Point2d net = last.smooth - path[first].smooth;
  const double net_len = cv::norm(net);
  if (net_len < p_.min_displacement || net_len < kMinConfirmStraightness * length) return false;
  if (Jumpy(tr, first)) return false;
  const cv::Rect2d& b0 = path[first].box;
  const cv::Rect2d& b1 = last.box;
  const cv::Point2d rigid(CommonMove(b1.x - b0.x, b1.br().x - b0.br().x),
                          CommonMove(b1.y - b0.y, b1.br().y - b0.br().y));
  if (cv::norm(rigid) < kMinRigidShare * net_len) return false;
  // Consistent direction: the point nearest in time to each cut.
  const cv::Point2d dir = net / net_len;
  size_t i = first;
  cv::Point2d prev = path[first].smooth;
  for (int k = 1; k <= kConfirmSegments; ++k) {
    const double cut = path[first].t + span * k / kConfirmSegments;
    while (i + 1 < path.size() && std::abs(path[i + 1].t - cut) <= std::abs(path[i].t - cut)) ++i;
    const cv::Point2d& p = path[i].smooth;
    if ((p - prev).dot(dir) < kMinSegmentAdvance * net_len / kConfirmSegments) return false;
    prev = p;
  }
  return true;
}

cv::Rect2d KalmanTracker::CompleteBox(Track* tr, const cv::Rect2d& box, double t) const {
  const double dt_seen = std::max(0.0, t - tr->last_seen_t);
  const double aspect = tr->full_aspect * std::exp(-kFullHeightShrinkPerS * dt_seen);
  const double width = 0.5 * (box.width + tr->w);  // the blob's, steadied by the track's
  const double measured_aspect = box.height / std::max(box.width, 1.0);
  const bool part_shaped = measured_aspect >= kPersonPartMinAspect &&
                           measured_aspect <= kPersonPartMaxAspect &&
                           box.width >= kPersonPartMinWidthPx;
  tr->part_run = part_shaped ? tr->part_run + 1 : 0;
  const bool upright_person =
      tr->confirmed && tr->cls == ObjectClass::kPerson && tr->part_run >= kPersonPartMinRun;
  const double full = (upright_person ? std::max(aspect, kUprightPersonAspect) : aspect) * width;
  if (tr->path.empty() || box.height > kTruncatedRatio * full ||
      box.width < kTruncatedMinWidthRatio * tr->w) {
    const double rise = 1 - std::exp(-dt_seen / kFullHeightRiseS);
    tr->full_aspect =
        measured_aspect <= aspect ? aspect : aspect + (measured_aspect - aspect) * rise;
    return box;
  }
  tr->full_aspect = aspect;
  // Where the last box's top and bottom would be now, moving with the track.
  const cv::Rect2d& last = tr->path.back().box;  // normalised
  const double dy = tr->ky.v * dt_seen;
  const double top = last.y * frame_.height + dy;
  const double bottom = (last.y + last.height) * frame_.height + dy;
  cv::Rect2d out = box;
  out.height = full;
  // The missing end is the one further from the prediction; a person's is
  // the legs when the prediction cannot tell (it was a part too).
  const double top_miss = std::abs(box.y - top);
  const double bottom_miss = std::abs(box.y + box.height - bottom);
  if (top_miss > bottom_miss && !(upright_person && aspect * width < kTruncatedRatio * full))
    out.y = box.y + box.height - full;
  return out;
}

double KalmanTracker::Innovation(const Track& tr, const Blob& b) const {
  const double d = std::hypot(b.box.x + b.box.width / 2 - tr.kx.p, b.box.y + b.box.height / 2 - tr.ky.p);
  return d / std::max({tr.w, tr.h, 1.0});
}

void KalmanTracker::Correct(Track* tr, const Blob& blob, double t, double innovation) const {
  const double dt_seen = t - tr->last_seen_t;
  const cv::Rect2d box = CompleteBox(tr, blob.box, t);
  tr->kx.Update(box.x + box.width / 2, meas_var_);
  tr->ky.Update(box.y + box.height / 2, meas_var_);
  const double alpha = dt_seen > 0 ? 1 - std::exp(-dt_seen / kSizeSmoothingS) : 1;
  tr->w += alpha * (box.width - tr->w);
  tr->h += alpha * (box.height - tr->h);
  tr->last_seen_t = t;
  tr->matched = true;
  ++tr->hits;
  tr->recent_hits += tr->hit_gain;
  tr->hit_gain = 0;
  Record(tr, box, blob.area, innovation, t);
  if (!tr->confirmed && t - tr->born_t >= p_.confirm_s && MovesLikeAnObject(*tr)) {
    tr->confirmed = true;
    tr->just_confirmed = true;
    tr->steady = false;
    tr->probation = true;
  } else if (tr->confirmed) {
    tr->probation = false;
    tr->steady = Steady(*tr);
  }
}

Track KalmanTracker::Birth(const Blob& b, double t) {
  Track tr;
  tr.id = next_id_++;
  tr.born_t = tr.last_seen_t = tr.last_t = t;
  const double cx = b.box.x + b.box.width / 2, cy = b.box.y + b.box.height / 2;
  for (auto [axis, z] : {std::pair{&tr.kx, cx}, std::pair{&tr.ky, cy}}) {
    axis->p = z;
    axis->v = 0;
    axis->pp = meas_var_;
    axis->pv = 0;
    axis->vv = init_speed_var_;
  }
  tr.w = b.box.width;
  tr.h = b.box.height;
  tr.full_aspect = b.box.height / std::max(b.box.width, 1.0);
  tr.hits = 1;
  tr.updates = 1;
  tr.matched = true;
  Record(&tr, b.box, b.area, 0, t);
  return tr;
}

std::optional<Blob> KalmanTracker::WithParts(const Track& tr, const Blob* own,
                                             const std::vector<Blob>& blobs,
                                             std::vector<char>* taken) const {
  if (tr.cls == ObjectClass::kPerson || tr.hits < kPartsMinHits ||
      std::min(tr.w, tr.h) < kPartsMinSidePx)
    return std::nullopt;
  cv::Rect2d area = tr.box();
  area.x -= kPartsBoxGrow * tr.w;
  area.y -= kPartsBoxGrow * tr.h;
  area.width += 2 * kPartsBoxGrow * tr.w;
  area.height += 2 * kPartsBoxGrow * tr.h;
  std::vector<int> parts;
  for (int j = 0; j < static_cast<int>(blobs.size()); ++j) {
    const cv::Rect2d& b = blobs[j].box;
    if (!(*taken)[j] && (b & area).area() >= kPartsInside * b.area()) parts.push_back(j);
  }
  if (parts.empty() || (!own && parts.size() < 2)) return std::nullopt;
  Blob whole = own ? *own : blobs[parts[0]];
  for (size_t k = own ? 0 : 1; k < parts.size(); ++k) {
    whole.box |= blobs[parts[k]].box;
    whole.area += blobs[parts[k]].area;
  }
  // Only when the parts together are the size the track was, closer than its
  // own blob alone (or within a factor of kPartsMaxAreaRatio when it has none).
  const double track_area = std::max(tr.w * tr.h, 1.0);
  const double err = std::abs(std::log(std::max(whole.box.area(), 1.0) / track_area));
  if (own ? err >= std::abs(std::log(std::max(own->box.area(), 1.0) / track_area)) - kPartsMinGain
          : err > std::log(kPartsMaxAreaRatio))
    return std::nullopt;
  for (int j : parts) (*taken)[j] = 1;
  return whole;
}

void KalmanTracker::Reacquire(const std::vector<Blob>& blobs, std::vector<char>* taken,
                              double t) {
  std::vector<int> rows, cols;
  for (int i = 0; i < static_cast<int>(tracks_.size()); ++i)
    if (!tracks_[i].matched && !tracks_[i].path.empty()) rows.push_back(i);
  for (int j = 0; j < static_cast<int>(blobs.size()); ++j)
    if (!(*taken)[j]) cols.push_back(j);
  if (rows.empty() || cols.empty()) return;
  const double gate = kReacquireGate * diag_;
  const double max_log_ratio = std::log(kMaxAreaRatio);
  const int n = static_cast<int>(rows.size()), m = static_cast<int>(cols.size());
  cost_.assign(static_cast<size_t>(n) * m, kForbidden);
  for (int r = 0; r < n; ++r) {
    const Track& tr = tracks_[rows[r]];
    const cv::Rect2d& last = tr.path.back().box;  // normalised
    const cv::Point2d seen((last.x + last.width / 2) * frame_.width,
                           (last.y + last.height / 2) * frame_.height);
    const double track_area = std::max(tr.w * tr.h, 1.0);
    for (int c = 0; c < m; ++c) {
      const cv::Rect2d& b = blobs[cols[c]].box;
      const double d = std::hypot(b.x + b.width / 2 - seen.x, b.y + b.height / 2 - seen.y);
      const double log_ratio = std::abs(std::log(std::max(b.area(), 1.0) / track_area));
      if (d > gate || log_ratio > max_log_ratio) continue;
      cost_[static_cast<size_t>(r) * m + c] = d / gate + kSizeCostWeight * log_ratio;
    }
  }
  const std::vector<int> assign = SolveAssignment(cost_, n, m);
  for (int r = 0; r < n; ++r) {
    if (assign[r] < 0) continue;
    Track& tr = tracks_[rows[r]];
    const Blob& b = blobs[cols[assign[r]]];
    const double innovation = Innovation(tr, b);
    // The motion model failed for this object: restart it from here.
    for (auto [axis, z] : {std::pair{&tr.kx, b.box.x + b.box.width / 2},
                           std::pair{&tr.ky, b.box.y + b.box.height / 2}}) {
      axis->p = z;
      axis->v = 0;
      axis->pp = meas_var_;
      axis->pv = 0;
      axis->vv = init_speed_var_;
    }
    Correct(&tr, b, t, innovation);
    (*taken)[cols[assign[r]]] = 1;
  }
}

void KalmanTracker::Update(const std::vector<Blob>& blobs, double t) {
  removed_.clear();
  ended_on_probation_.clear();
  for (Track& tr : tracks_) {
    // recent_hits decays as for a miss; Correct adds hit_gain on a match.
    tr.hit_gain = 1 - std::exp(-std::max(0.0, t - tr.last_t) / kRecentHitsS);
    tr.recent_hits *= 1 - tr.hit_gain;
    Predict(&tr, t);
    tr.matched = false;
    tr.just_confirmed = false;
    ++tr.updates;
  }

  const int n = static_cast<int>(tracks_.size());
  const int m = static_cast<int>(blobs.size());
  std::vector<char> taken(m, 0);
  if (n > 0 && m > 0) {
    cost_.assign(static_cast<size_t>(n) * m, kForbidden);
    const double max_log_ratio = std::log(kMaxAreaRatio);
    for (int i = 0; i < n; ++i) {
      const Track& tr = tracks_[i];
      const double sigma = std::sqrt(std::max(tr.kx.pp, tr.ky.pp) + meas_var_);
      const double gate =
          gate_min_ + std::min(kGateSigmas * sigma, kGateMaxHeights * std::max(tr.h, tr.w));
      const double track_area = std::max(tr.w * tr.h, 1.0);
      for (int j = 0; j < m; ++j) {
        const cv::Rect2d& b = blobs[j].box;
        const double d =
            std::hypot(b.x + b.width / 2 - tr.kx.p, b.y + b.height / 2 - tr.ky.p);
        if (d > gate) continue;
        const double log_ratio = std::abs(std::log(std::max(b.area(), 1.0) / track_area));
        if (log_ratio > max_log_ratio) continue;
        cost_[static_cast<size_t>(i) * m + j] = d / gate + kSizeCostWeight * log_ratio;
      }
    }
    const std::vector<int> assign = SolveAssignment(cost_, n, m);
    for (int i = 0; i < n; ++i)
      if (assign[i] >= 0) taken[assign[i]] = 1;
    for (int i = 0; i < n; ++i) {
      const Blob* own = assign[i] >= 0 ? &blobs[assign[i]] : nullptr;
      const std::optional<Blob> whole = WithParts(tracks_[i], own, blobs, &taken);
      const Blob* b = whole ? &*whole : own;
      if (b) Correct(&tracks_[i], *b, t, Innovation(tracks_[i], *b));
    }
  }

  Reacquire(blobs, &taken, t);

  for (int j = 0; j < m; ++j) {
    if (taken[j]) continue;
    const cv::Rect2d& b = blobs[j].box;
    bool fragment = false;
    for (int i = 0; i < n && !fragment; ++i) {
      if (!tracks_[i].matched) continue;
      const double overlap = (b & tracks_[i].box()).area();
      fragment = overlap >= kFragmentOverlap * b.area();
    }
    if (!fragment) tracks_.push_back(Birth(blobs[j], t));
  }

  auto gone = [&](const Track& tr) {
    const double limit =
        tr.confirmed ? p_.max_gap_s : std::min(p_.max_gap_s, kTentativeMaxGapS);
    return t - tr.last_seen_t > limit;
  };
  for (const Track& tr : tracks_) {
    if (!gone(tr)) continue;
    removed_.push_back(tr.id);
    if (tr.confirmed && tr.probation) {
      ended_on_probation_.push_back(tr);
      ended_on_probation_.back().probation = false;
      ended_on_probation_.back().steady = true;
    }
  }
  if (!removed_.empty()) std::erase_if(tracks_, gone);
}

}  // namespace watchline::analysis
