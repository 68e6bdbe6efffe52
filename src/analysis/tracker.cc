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
// box: it follows the measured ratio up at once, and down no faster than
// kFullHeightShrinkPerS (relative, per second: a person who stops swinging
// the arms or turns changes shape slowly). A blob at most kTruncatedRatio of
// the height that ratio gives for its width, about as wide as the track, is the object
// with a part missing (legs the colour of the ground, a foot behind a bush):
// the missing end, the one further from where the box was predicted, is
// restored to the full height, so the foot point (what the rules use) stays on
// the ground instead of jumping up by a leg's length.
constexpr double kFullHeightShrinkPerS = 0.1;
constexpr double kTruncatedRatio = 0.9;
constexpr double kTruncatedMinWidthRatio = 0.7;
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

void KalmanTracker::Record(Track* tr, const cv::Rect2d& b, double t) const {
  TrackPoint pt;
  pt.seq = tr->next_seq++;
  pt.t = t;
  pt.foot = Normalise({b.x + b.width / 2, b.y + b.height});
  pt.box = cv::Rect2d(b.x / frame_.width, b.y / frame_.height, b.width / frame_.width,
                      b.height / frame_.height);
  pt.smooth = Normalise(tr->foot());
  tr->path.push_back(pt);
  if (tr->path.size() > kMaxPathPoints) tr->path.pop_front();
}

bool KalmanTracker::MovesLikeAnObject(const Track& tr) const {
  if (tr.hits < kMinHitsToConfirm || tr.hits < kMinConfirmHitRatio * tr.updates) return false;
  const double since = tr.path.back().t - kConfirmWindowS;
  auto it = tr.path.end() - 1;
  double length = 0;
  while (it != tr.path.begin() && (it - 1)->t >= since) {
    length += cv::norm(it->smooth - (it - 1)->smooth);
    --it;
  }
  const double net = cv::norm(tr.path.back().smooth - it->smooth);
  return net >= p_.min_displacement && net >= kMinConfirmStraightness * length;
}

cv::Rect2d KalmanTracker::CompleteBox(Track* tr, const cv::Rect2d& box, double t) const {
  const double dt_seen = std::max(0.0, t - tr->last_seen_t);
  const double aspect = tr->full_aspect * std::exp(-kFullHeightShrinkPerS * dt_seen);
  const double width = 0.5 * (box.width + tr->w);  // the blob's, steadied by the track's
  const double full = aspect * width;
  if (tr->path.empty() || box.height > kTruncatedRatio * full ||
      box.width < kTruncatedMinWidthRatio * tr->w) {
    tr->full_aspect = std::max(aspect, box.height / std::max(box.width, 1.0));
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
  if (std::abs(box.y - top) > std::abs(box.y + box.height - bottom)) out.y = box.y + box.height - full;
  return out;
}

void KalmanTracker::Correct(Track* tr, const Blob& blob, double t) const {
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
  Record(tr, box, t);
  if (!tr->confirmed && t - tr->born_t >= p_.confirm_s && MovesLikeAnObject(*tr)) {
    tr->confirmed = true;
    tr->just_confirmed = true;
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
  Record(&tr, b.box, t);
  return tr;
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
    // The motion model failed for this object: restart it from here.
    for (auto [axis, z] : {std::pair{&tr.kx, b.box.x + b.box.width / 2},
                           std::pair{&tr.ky, b.box.y + b.box.height / 2}}) {
      axis->p = z;
      axis->v = 0;
      axis->pp = meas_var_;
      axis->pv = 0;
      axis->vv = init_speed_var_;
    }
    Correct(&tr, b, t);
    (*taken)[cols[assign[r]]] = 1;
  }
}

void KalmanTracker::Update(const std::vector<Blob>& blobs, double t) {
  removed_.clear();
  for (Track& tr : tracks_) {
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
    for (int i = 0; i < n; ++i) {
      if (assign[i] < 0) continue;
      Correct(&tracks_[i], blobs[assign[i]], t);
      taken[assign[i]] = 1;
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
  for (const Track& tr : tracks_)
    if (gone(tr)) removed_.push_back(tr.id);
  if (!removed_.empty()) std::erase_if(tracks_, gone);
}

}  // namespace watchline::analysis
