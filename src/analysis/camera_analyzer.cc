#include "analysis/camera_analyzer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "analysis/background_model.h"
#include "analysis/blob_detector.h"
#include "analysis/classifier.h"
#include "analysis/rules.h"
#include "analysis/tracker.h"
#include "base/log.h"
#include "detect/track_verifier.h"

namespace watchline::analysis {
namespace {

// The background model runs at about this width: the analysis width divided
// by the largest whole factor that keeps at least this many columns (640 -> 320).
constexpr int kTargetWorkWidth = 320;
// Sub-pixel bits used when rasterising mask polygons.
constexpr int kPolygonShift = 4;
// Hold zones: foreground pixels of the previous frame, grown by this many
// working pixels, are held (not learned). The margin covers the edge pixels of
// a still person that flicker between foreground and background with noise;
// without it each flicker would pull the background towards him and he would
// be eaten away from the edges.
constexpr int kHoldMarginPx = 2;

// Fills `polys` (normalised) into a `size` image and returns, at `work` size,
// the share of each working pixel they cover (0 = none, 255 = all).
cv::Mat PolygonCoverage(const std::vector<const std::vector<config::Polygon>*>& sets,
                        cv::Size size, cv::Size work) {
  cv::Mat full(size, CV_8UC1, cv::Scalar(0));
  const double scale = 1 << kPolygonShift;
  for (const auto* polys : sets) {
    for (const config::Polygon& poly : *polys) {
      if (poly.size() < 3) continue;
      std::vector<cv::Point> pts;
      for (const auto& p : poly)
        pts.emplace_back(static_cast<int>(std::lround(p.x * size.width * scale)),
                         static_cast<int>(std::lround(p.y * size.height * scale)));
      cv::fillPoly(full, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(255), cv::LINE_8,
                   kPolygonShift);
    }
  }
  if (work == size) return full;
  cv::Mat area;
  cv::resize(full, area, work, 0, 0, cv::INTER_AREA);
  return area;
}

// detection.verify -> the detect module's options.
Result<detect::TrackVerifierOptions> VerifierOptions(const config::VerifyConfig& vc) {
  detect::TrackVerifierOptions o;
  o.context_fraction = vc.context;
  o.match_iou = vc.match_iou;
  if (vc.model.empty()) {
    o.hog_person_check = vc.hog;
    o.hog.person_margin = vc.hog_margin;
    return o;
  }
  detect::DnnOptions d;
  d.model_path = vc.model;
  if (vc.input > 0) d.input_size = cv::Size(vc.input, vc.input);
  d.conf_threshold = vc.confidence;
  d.nms_iou = vc.nms_iou;
  if (!vc.classes.empty()) d.class_map = vc.classes;
  WL_ASSIGN_OR_RETURN(d.layout, detect::ParseLayout(vc.layout));
  o.dnn = std::move(d);
  return o;
}

// The analysis class named `name` ("person", ...); kUnknown for any other.
ObjectClass ClassFromName(std::string_view name) {
  for (int c = 0; c < kNumObjectClasses; ++c)
    if (ClassName(static_cast<ObjectClass>(c)) == name) return static_cast<ObjectClass>(c);
  return ObjectClass::kUnknown;
}

// A track moving slower than this (frame diagonals per second; 3.7 px/s at
// 640x360) is standing still: it casts no class votes.
constexpr double kStillSpeed = 0.01;

using Clock = std::chrono::steady_clock;
double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

CameraAnalyzer::CameraAnalyzer(config::CameraConfig cam)
    : cam_(std::move(cam)),
      classifier_(std::make_unique<HeuristicClassifier>()),
      rules_(std::make_unique<RuleEngine>(cam_)) {
  if (!cam_.detection.verify) return;
  using VerifierResult = Result<std::unique_ptr<detect::TrackVerifier>>;
  VerifierResult v = [&]() -> VerifierResult {
    WL_ASSIGN_OR_RETURN(detect::TrackVerifierOptions o, VerifierOptions(*cam_.detection.verify));
    return detect::TrackVerifier::Create(o);
  }();
  if (v.ok()) {
    verifier_ = std::move(v).value();
    return;
  }
  verifier_status_ = v.status().WithContext("camera " + cam_.id + ": detection.verify");
  WL_LOG(Error) << verifier_status_.message() << "; the camera runs without verification";
}

CameraAnalyzer::~CameraAnalyzer() = default;

bool CameraAnalyzer::learning() const { return !background_ || background_->learning(); }

void CameraAnalyzer::Start(cv::Size size, double t) {
  // The classifier's learned perspective belongs to the view at this size:
  // kept when only stream time restarts (a looped file), new when the size
  // changes (and on the first frame, when size_ is still empty).
  if (size != size_) classifier_ = std::make_unique<CameraClassifier>(cam_, size);
  size_ = size;
  const int factor = std::max(1, size.width / kTargetWorkWidth);
  work_size_ = cv::Size(std::max(1, size.width / factor), std::max(1, size.height / factor));
  stats_.work_size = work_size_;

  // Masks and privacy polygons, rasterised once for this size. A working pixel
  // is analysed only if every analysis pixel under it is.
  valid_work_.release();
  valid_count_ = work_size_.area();
  if (!cam_.masks.empty() || !cam_.privacy.empty()) {
    const cv::Mat covered = PolygonCoverage({&cam_.masks, &cam_.privacy}, size, work_size_);
    cv::compare(covered, 0, valid_work_, cv::CMP_EQ);
    valid_count_ = cv::countNonZero(valid_work_);
  }

  SigmaDeltaParams bp;
  bp.learn_s = cam_.detection.learn_s;
  bp.shadows = cam_.detection.shadows;
  bp.ghosts = cam_.detection.ghosts;
  background_ = std::make_unique<SigmaDeltaModel>(work_size_, valid_work_, bp);
  blobs_ = std::make_unique<ContourBlobDetector>(work_size_, size_, cam_.detection.min_area_frac);
  TrackerParams tp;
  tp.max_gap_s = cam_.detection.track_max_gap_s;
  tp.confirm_s = cam_.detection.confirm_s;
  tp.min_displacement = cam_.detection.min_displacement;
  tracker_ = std::make_unique<KalmanTracker>(size_, tp);
  rules_ = std::make_unique<RuleEngine>(cam_);
  fg_work_ = cv::Mat::zeros(work_size_, CV_8UC1);
  fg_dirty_ = true;
  last_t_ = t;
  hold_dirty_ = true;
  verifications_.clear();  // the new tracker's ids start again
}

void CameraAnalyzer::SetHoldZones(std::vector<config::Polygon> zones) {
  hold_zones_ = std::move(zones);
  hold_dirty_ = true;
}

void CameraAnalyzer::RasteriseHoldZones() {
  hold_dirty_ = false;
  hold_work_.release();
  hold_roi_ = cv::Rect();
  held_.release();
  if (!hold_zones_.empty() && !work_size_.empty()) {
    const cv::Mat covered = PolygonCoverage({&hold_zones_}, size_, work_size_);
    cv::compare(covered, 0, hold_work_, cv::CMP_GT);
    if (!valid_work_.empty()) cv::bitwise_and(hold_work_, valid_work_, hold_work_);
    hold_roi_ = cv::boundingRect(hold_work_);
    if (hold_roi_.empty()) {
      hold_work_.release();
    } else {
      held_ = cv::Mat::zeros(work_size_, CV_8UC1);
      hold_kernel_ = cv::getStructuringElement(
          cv::MORPH_RECT, cv::Size(2 * kHoldMarginPx + 1, 2 * kHoldMarginPx + 1));
    }
  }
  if (background_) background_->SetHeld(held_, hold_roi_);
}

void CameraAnalyzer::UpdateHeld() {
  const cv::Rect frame(0, 0, work_size_.width, work_size_.height);
  const cv::Rect ext = (hold_roi_ - cv::Point(kHoldMarginPx, kHoldMarginPx) +
                        cv::Size(2 * kHoldMarginPx, 2 * kHoldMarginPx)) & frame;
  cv::dilate(fg_work_(ext), hold_tmp_, hold_kernel_);
  cv::Mat dst = held_(hold_roi_);
  cv::bitwise_and(hold_tmp_(cv::Rect(hold_roi_.tl() - ext.tl(), hold_roi_.size())),
                  hold_work_(hold_roi_), dst);
}

std::vector<events::Event> CameraAnalyzer::Process(const ingest::Frame& f) {
  std::vector<events::Event> out;
  if (f.gray.empty() || f.gray.type() != CV_8UC1) {
    if (stats_.bad_frames++ == 0) {
      WL_LOG(Warn) << "camera " << cam_.id << ": analysis skips frame " << f.index
                   << " (grey image empty or not 8-bit single channel)";
    }
    return out;
  }
  const auto t0 = Clock::now();
  if (size_.empty() || f.gray.size() != size_ || f.t < last_t_) {
    if (!size_.empty()) {
      WL_LOG(Info) << "camera " << cam_.id << ": analysis restarts at frame " << f.index
                   << (f.t < last_t_ ? " (stream time went backwards)" : " (frame size changed)");
    }
    Start(f.gray.size(), f.t);
  }
  last_t_ = f.t;
  if (hold_dirty_) RasteriseHoldZones();

  // 1. Working image, masks zeroed.
  const cv::Mat* work = &f.gray;
  if (work_size_ != size_) {
    cv::resize(f.gray, work_gray_, work_size_, 0, 0, cv::INTER_AREA);
    work = &work_gray_;
  }
  if (!valid_work_.empty()) {
    cv::bitwise_and(*work, valid_work_, work_gray_);
    work = &work_gray_;
  }

  // 2. Foreground, with the global-change guard. fg_work_ still holds the
  // previous frame's cleaned foreground: inside hold zones, that is held.
  if (!hold_work_.empty()) UpdateHeld();
  background_->Apply(*work, f.t, &fg_work_);
  stats_.last_fg_fraction = 0;
  if (!background_->learning() && valid_count_ > 0) {
    // Shadows count: a gain change that darkens the whole scene keeps its
    // texture, and the shadow test would hide it from this guard.
    stats_.last_fg_fraction = background_->last_changed_pixels() / valid_count_;
    if (stats_.last_fg_fraction > cam_.detection.max_area_frac) {
      background_->Rebaseline(*work);
      fg_work_.setTo(0);
      ++stats_.rebaselines;
      WL_LOG(Debug) << "camera " << cam_.id << ": global change at t=" << f.t << " ("
                    << stats_.last_fg_fraction << " of the frame), background re-baselined";
    }
  }
  const auto t1 = Clock::now();

  // 3. Blobs.
  const std::vector<Blob> blobs = blobs_->Detect(&fg_work_, f.t);
  fg_dirty_ = true;
  detections_.clear();
  for (const Blob& b : blobs) detections_.push_back(b.box);
  const auto t2 = Clock::now();

  // 4-5. Tracks and classes. While the model learns, its foreground is
  // provisional: shown by foreground(), never tracked (no tracks, no events).
  tracker_->Update(background_->learning() ? std::vector<Blob>{} : blobs, f.t);
  // Steadiness of a track: net over path length of its smoothed foot point
  // over the last kSteadyWindowS seconds, stepping at least kSteadyStepS
  // (so that jitter between frames does not count as path).
  constexpr double kSteadyWindowS = 2.0, kSteadyStepS = 0.2;
  const auto steadiness = [&](const Track& tr) {
    const cv::Point2d scale(size_.width, size_.height);
    double path = 0;
    cv::Point2d last, first;
    bool have = false;
    double last_t = 0;
    for (auto it = tr.path.rbegin(); it != tr.path.rend(); ++it) {
      if (f.t - it->t > kSteadyWindowS) break;
      const cv::Point2d p(it->smooth.x * scale.x, it->smooth.y * scale.y);
      if (!have) {
        first = last = p;
        last_t = it->t;
        have = true;
      } else if (last_t - it->t >= kSteadyStepS) {
        path += cv::norm(p - last);
        last = p;
        last_t = it->t;
      }
    }
    return path > 0 ? cv::norm(first - last) / path : 1.0;
  };
  const double diag = std::hypot(size_.width, size_.height);
  for (Track& tr : tracker_->tracks()) {
    if (!tr.matched || tr.w <= 0 || tr.h <= 0) continue;
    Observation ob;
    ob.track = tr.id;
    ob.t = f.t;
    ob.frame = size_;
    ob.box = tr.box();
    ob.velocity = tr.velocity();
    if (!tr.path.empty() && tr.path.back().t == f.t) ob.fg_area = tr.path.back().area;
    ob.steadiness = steadiness(tr);
    const ObjectFeatures ft = classifier_->Measure(ob);
    // Votes fade with a time constant of kVoteMemoryS, so a track's class
    // follows what it looks like now (after the camera learned its
    // perspective, or after the tracker handed the id to another object);
    // votes from image-relative sizes alone count kImageVoteWeight.
    constexpr double kVoteMemoryS = 5.0, kImageVoteWeight = 0.5;
    const size_t np = tr.path.size();
    // A track that stands still keeps the class it earned while it moved:
    // a still box is often only part of the object (a guard whose legs
    // blend into the ground), and what it looks like then is no evidence.
    if (std::hypot(ob.velocity.x, ob.velocity.y) < kStillSpeed * diag) continue;
    if (np >= 2 && tr.path[np - 1].t == f.t) {
      const double fade = std::exp(-(f.t - tr.path[np - 2].t) / kVoteMemoryS);
      for (double& v : tr.class_votes) v *= fade;
    }
    tr.class_votes[static_cast<int>(classifier_->Classify(ft))] +=
        ft.scale == SizeScale::kImage ? kImageVoteWeight : 1.0;
    const auto best = std::max_element(tr.class_votes.begin(), tr.class_votes.end());
    tr.cls = static_cast<ObjectClass>(best - tr.class_votes.begin());
    classifier_->Learn(ob, tr.cls, tr.confirmed);
  }
  const auto t3 = Clock::now();

  // Learned check of confirmed tracks (detection.verify).
  if (verifier_) VerifyTracks(f);
  const auto t3v = Clock::now();

  // 6. Rules.
  auto evaluate = [&](const Track& tr) {
    if (!MayFire(tr)) return;  // vetoed, or waiting for its check: its path waits too
    const size_t first = out.size();
    rules_->Evaluate(tr, f.t, &out);
    ApplyVerdict(tr, &out, first);
  };
  for (const Track& tr : tracker_->tracks()) evaluate(tr);
  for (const Track& tr : tracker_->ended_on_probation()) evaluate(tr);
  for (int64_t id : tracker_->removed()) {
    rules_->Forget(id);
    verifications_.erase(id);
  }
  // A just-confirmed track replays its path, so its events can be older than
  // another track's from this frame: hand them over in time order.
  std::stable_sort(out.begin(), out.end(),
                   [](const events::Event& x, const events::Event& y) { return x.t < y.t; });
  for (events::Event& e : out) e.wall = f.wall;
  const auto t4 = Clock::now();

  ++stats_.frames;
  stats_.events += out.size();
  stats_.background_ms += Ms(t0, t1);
  stats_.blobs_ms += Ms(t1, t2);
  stats_.tracking_ms += Ms(t2, t3);
  stats_.verify_ms += Ms(t3, t3v);
  stats_.rules_ms += Ms(t3v, t4);
  stats_.total_ms += Ms(t0, t4);
  return out;
}

void CameraAnalyzer::VerifyTracks(const ingest::Frame& f) {
  const double recheck_s = cam_.detection.verify->recheck_s;
  int budget = kMaxVerificationsPerFrame;
  for (Track& tr : tracker_->tracks()) {
    if (!tr.confirmed) continue;
    Verification& v = verifications_[tr.id];
    if (v.state == Verification::State::kVerified) {
      tr.cls = v.cls;  // the checker's class overrides the heuristic vote
      continue;
    }
    if (HogCannotCheck(tr)) continue;
    const bool due = v.state == Verification::State::kPending || f.t - v.checked_t >= recheck_s;
    // Only on a measured box (not a prediction while the track is unseen).
    if (!due || !tr.matched || budget <= 0) continue;
    --budget;
    const cv::Rect2d b = tr.box();
    const cv::Rect box(cvRound(b.x), cvRound(b.y), cvRound(b.width), cvRound(b.height));
    std::optional<detect::Verdict> verdict;
    try {
      verdict = verifier_->Verify(f.gray, box);
    } catch (const std::exception& e) {  // a checker failure must not stop analysis
      WL_LOG(Warn) << "camera " << cam_.id << ": verifying track " << tr.id << " failed: "
                   << e.what();
    }
    ++stats_.verifications;
    v.checked_t = f.t;
    if (!verdict) {
      v.state = Verification::State::kUndecided;
      continue;
    }
    if (verdict->cls.empty()) {
      if (v.state != Verification::State::kVetoed) {
        WL_LOG(Debug) << "camera " << cam_.id << ": track " << tr.id << " (" << ClassName(tr.cls)
                      << ") vetoed at t=" << f.t << ": " << verdict->checker
                      << " sees no known class at [" << box.x << "," << box.y << ","
                      << box.width << "," << box.height << "] (confidence "
                      << verdict->confidence << ")";
      }
      v.state = Verification::State::kVetoed;
      ++stats_.vetoes;
      continue;
    }
    v.state = Verification::State::kVerified;
    v.cls = ClassFromName(verdict->cls);
    v.confidence = verdict->confidence;
    WL_LOG(Debug) << "camera " << cam_.id << ": track " << tr.id << " verified at t=" << f.t
                  << " by " << verdict->checker << ": " << verdict->cls << " ("
                  << verdict->confidence << "), heuristics said " << ClassName(tr.cls);
    tr.cls = v.cls;
  }
}

bool CameraAnalyzer::HogCannotCheck(const Track& tr) const {
  return cam_.detection.verify->model.empty() && tr.cls != ObjectClass::kPerson &&
         tr.cls != ObjectClass::kUnknown;
}

bool CameraAnalyzer::MayFire(const Track& tr) const {
  if (!verifier_ || !tr.confirmed) return true;
  const auto it = verifications_.find(tr.id);
  if (it != verifications_.end() && it->second.state == Verification::State::kVerified)
    return true;
  // HOG knows only people: tracks the heuristics call something else pass.
  if (HogCannotCheck(tr)) return true;
  // Not checked yet, or vetoed: wait. Undecided: fire unverified.
  return it != verifications_.end() && it->second.state == Verification::State::kUndecided;
}

void CameraAnalyzer::ApplyVerdict(const Track& tr, std::vector<events::Event>* out,
                                  size_t first) const {
  if (!verifier_ || first == out->size()) return;
  const auto it = verifications_.find(tr.id);
  if (it == verifications_.end() || it->second.state != Verification::State::kVerified) return;
  // Two independent signs of a real object: the event is wrong only if both
  // the track's motion evidence and the checker are.
  for (size_t i = first; i < out->size(); ++i) {
    events::Event& e = (*out)[i];
    e.confidence = 1 - (1 - e.confidence) * (1 - it->second.confidence);
  }
}

const cv::Mat& CameraAnalyzer::foreground() const {
  if (fg_dirty_) {
    if (work_size_ == size_)
      fg_work_.copyTo(fg_full_);
    else
      cv::resize(fg_work_, fg_full_, size_, 0, 0, cv::INTER_NEAREST);
    fg_dirty_ = false;
  }
  return fg_full_;
}

std::optional<cv::Point2d> CameraAnalyzer::VelocityAt(int64_t id, double t) const {
  if (!tracker_) return std::nullopt;
  const auto in = [&](const std::vector<Track>& tracks) -> const Track* {
    for (const Track& tr : tracks)
      if (tr.id == id && !tr.path.empty()) return &tr;
    return nullptr;
  };
  const Track* tr = in(tracker_->tracks());
  if (!tr) tr = in(tracker_->ended_on_probation());
  if (!tr) return std::nullopt;
  // The filter's velocity averaged over the points within kSpeedWindowS / 2
  // of t (one instant's velocity swings when part of the object is hidden
  // for a few frames), or at the point nearest to t if none is that close.
  const TrackPoint* best = nullptr;
  cv::Point2d sum;
  int n = 0;
  for (auto it = tr->path.rbegin();
       it != tr->path.rend() && it->t >= tr->path.back().t - kRecentPathS; ++it) {
    if (!best || std::abs(it->t - t) < std::abs(best->t - t)) best = &*it;
    if (std::abs(it->t - t) <= kSpeedWindowS / 2) {
      sum += it->velocity;
      ++n;
    }
  }
  if (!best) return std::nullopt;
  return n > 0 ? sum / n : best->velocity;
}

std::vector<TrackView> CameraAnalyzer::Tracks() const {
  std::vector<TrackView> out;
  if (!tracker_) return out;
  for (const Track& tr : tracker_->tracks()) {
    TrackView v;
    v.id = tr.id;
    v.box = tr.box();
    v.foot = tr.foot();
    v.confirmed = tr.confirmed;
    v.cls = std::string(ClassName(tr.cls));
    v.velocity = tr.velocity();
    v.age_s = tr.last_t - tr.born_t;
    v.last_seen_t = tr.last_seen_t;
    v.quality = tr.Quality();
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace watchline::analysis
