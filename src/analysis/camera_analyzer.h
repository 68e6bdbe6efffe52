// CameraAnalyzer: the analysis pipeline of one camera, frame in, events out.
// This is the analysis module's public API; everything else in src/analysis
// is an internal stage behind a small interface.
//
// Per frame, in order (DESIGN.md "analysis"):
//   1. downscale the grey frame to the working size (half width at 640x360,
//      INTER_AREA) and zero the mask and privacy polygons (rasterised once, at
//      the first frame's size; a working pixel partly inside a polygon counts as
//      masked);
//   2. background model -> foreground (camera shake compensated; hold zones:
//      see SetHoldZones; while learning, for detection.learn_s, a provisional
//      mask that foreground() shows but the tracker never sees; if more than
//      detection.max_area_frac of the frame changes at once the model
//      re-baselines instead of reporting it);
//   3. blobs (3x3 open + median for thin targets, 3x3 close, contours,
//      min_area_frac raised in snow and rain, small blobs must persist);
//   4. tracker (Kalman + Hungarian, ids that persist through short gaps);
//   5. classifier (person/vehicle/boat/animal/unknown from size in metres
//      when calibrated, else in a person-height scale it learns per camera,
//      else image-relative; votes fade over 5 s; a still track keeps its class);
//   6. rules (line crossing, zone intrusion, loitering) on confirmed tracks;
//      with detection.verify, only on tracks a learned checker has seen (see
//      "Verification" below).
// All thresholds are seconds of stream time or fractions of the frame, from
// config::DetectionConfig or named constants in the stages.
//
// Verification (detection.verify, docs/detectors.md): a confirmed track is
// checked once by a detect::TrackVerifier (HOG person check or a YOLO ONNX
// model) on the frame where it is first seen confirmed, at its box, before it
// may fire rules. If the checker sees none of its classes there, the track is
// vetoed: it fires nothing (a debug log says so) and is checked again every
// recheck_s of stream time, never per frame; a later positive check releases
// it and the rules replay its path, so a crossing it made is still reported.
// A positive verdict is kept for the track's life: its class replaces the
// heuristic class and its confidence is combined with the track's quality in
// the event confidence. A check that cannot tell (box under the HOG minimum
// height, a checker error) lets the track fire unverified and is retried
// after recheck_s. The HOG check knows only people, so it checks tracks the
// heuristics call person or unknown; vehicles, boats and animals pass. At most
// kMaxVerificationsPerFrame checks run per frame; other tracks wait (and hold
// their events) for the next frames.
//
// Thread safety: not thread safe. One analyzer per camera, driven by one
// analysis thread; foreground(), Tracks() and stats() are for that thread too.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <opencv2/core.hpp>

#include "analysis/classifier.h"
#include "base/status.h"
#include "config/config.h"
#include "events/event.h"
#include "ingest/frame.h"

namespace watchline::detect {
class TrackVerifier;
}  // namespace watchline::detect

namespace watchline::analysis {

// At most this many verification checks run on one frame (a HOG check costs
// 1-2 ms, a YOLO check 100 ms or more); more tracks wait for the next frames.
inline constexpr int kMaxVerificationsPerFrame = 2;

class BackgroundModel;
class BlobDetector;
class Tracker;
class Classifier;
struct Track;
class RuleEngine;

// CameraAnalyzer::VelocityAt looks this far back along a track's path.
inline constexpr double kRecentPathS = 2.0;
// ...and averages the velocity over this window around the event, seconds.
inline constexpr double kSpeedWindowS = 1.0;

// A snapshot of one track, in analysis pixels.
struct TrackView {
  int64_t id = 0;
  cv::Rect2d box;          // current estimate (prediction while unseen)
  cv::Point2d foot;        // bottom-centre of box: the point rules use
  bool confirmed = false;  // only confirmed tracks fire rules
  std::string cls;         // person, vehicle, boat, animal, unknown
  cv::Point2d velocity;    // pixels per second (the filter's, this frame)
  double age_s = 0;        // seconds since birth
  double last_seen_t = 0;  // stream time of the last matched detection
  double quality = 0;      // 0..1, the confidence given to its events
};

class CameraAnalyzer {
 public:
  struct Stats {
    uint64_t frames = 0;        // frames processed
    uint64_t bad_frames = 0;    // frames skipped (empty or not CV_8UC1)
    uint64_t rebaselines = 0;   // global changes absorbed by re-baselining
    uint64_t events = 0;        // rule events fired
    double total_ms = 0;        // wall time spent in Process, all stages (not foreground())
    double background_ms = 0;   // downscale, masks, background model, guard
    double blobs_ms = 0;        // morphology + connected components
    double tracking_ms = 0;     // tracker + classifier
    double rules_ms = 0;
    double verify_ms = 0;       // detection.verify checks
    uint64_t verifications = 0; // checks run
    uint64_t vetoes = 0;        // checks that found none of the checker's classes at the box
    double last_fg_fraction = 0;  // foreground share of the analysed area, last frame
    cv::Size work_size;           // background-model resolution
  };

  explicit CameraAnalyzer(config::CameraConfig cam);
  ~CameraAnalyzer();
  CameraAnalyzer(const CameraAnalyzer&) = delete;
  CameraAnalyzer& operator=(const CameraAnalyzer&) = delete;

  // Runs the whole chain on one frame (f.gray, at the analysis size; f.t in
  // seconds of stream time) and returns the rule events it fired, in order of
  // t. An event's t is the interpolated time of the crossing or entry, which
  // can be before f.t (up to about confirm_s before, for a track confirmed on
  // this frame); wall is set to f.wall. If f.t goes backwards (a looped file) or the frame size changes, the
  // analyzer starts over (learning again, new tracks).
  std::vector<events::Event> Process(const ingest::Frame& f);

  // Hold zones (normalised polygons), e.g. the zones of guard posts on duty.
  // Inside a hold zone, foreground is never absorbed into the background: a
  // person who stands still there for hours stays foreground and keeps his
  // confirmed track, and when he leaves, the pixels he covered show the
  // background as it was before he came, so no ghost remains. Outside hold
  // zones nothing changes. May be called at any time (a shift starts or ends);
  // an empty vector clears them. The zones are rasterised once per call (or
  // per restart), at the working size; a working pixel partly inside counts.
  // Background pixels inside a zone still follow slow light changes; only
  // pixels that were foreground on the previous frame (and a margin of
  // kHoldMarginPx working pixels around them) are held.
  void SetHoldZones(std::vector<config::Polygon> zones);

  // Last foreground mask at the analysis size, CV_8UC1 0/255 (after the
  // blob clean-up). Empty before the first frame.
  const cv::Mat& foreground() const;
  // Current tracks, confirmed or not.
  std::vector<TrackView> Tracks() const;
  // The filter's velocity (analysis pixels per second) of track `id` around
  // stream time t: averaged over its recorded points within kSpeedWindowS / 2
  // of t, else at the point nearest to t, within the last kRecentPathS
  // seconds: an event's speed at the moment it happened, not when it was
  // reported. Empty if the track is gone (a track that ended on probation
  // this frame still counts) or has no point there.
  std::optional<cv::Point2d> VelocityAt(int64_t id, double t) const;
  // The blobs of the last frame, analysis pixels (for overlays and tracing).
  const std::vector<cv::Rect2d>& Detections() const { return detections_; }
  const Stats& stats() const { return stats_; }
  bool learning() const;
  const config::CameraConfig& camera() const { return cam_; }
  // Whether detection.verify's checker could be set up: OK when it is not
  // configured or loaded; else the reason (a model OpenCV cannot import),
  // naming the camera. Without a checker the analyzer runs unverified, so
  // callers that must refuse to start check this after construction.
  const Status& verifier_status() const { return verifier_status_; }

 private:
  void Start(cv::Size size, double t);
  // Rasterises hold_zones_ at the working size and hands the held-pixel
  // buffer to the background model.
  void RasteriseHoldZones();
  // held_ = previous frame's foreground, dilated, inside the hold zones.
  void UpdateHeld();
  // detection.verify: checks the confirmed tracks that are due on frame f
  // and applies verified classes.
  void VerifyTracks(const ingest::Frame& f);
  // With the HOG check only: `tr` is of a class HOG cannot judge (not person
  // or unknown), so it passes unchecked.
  bool HogCannotCheck(const Track& tr) const;
  // Whether rules may run on `tr` (always true without a verifier).
  bool MayFire(const Track& tr) const;
  // The verdict's confidence folded into the events out[first..] of `tr`.
  void ApplyVerdict(const Track& tr, std::vector<events::Event>* out, size_t first) const;

  config::CameraConfig cam_;
  cv::Size size_;       // analysis size of the current run; empty before the first frame
  cv::Size work_size_;
  double last_t_ = 0;
  cv::Mat valid_work_;  // 0/255 at work size; empty when nothing is masked
  double valid_count_ = 0;
  cv::Mat work_gray_, fg_work_;
  std::vector<config::Polygon> hold_zones_;
  bool hold_dirty_ = false;
  cv::Mat hold_work_;   // 0/255 at work size; empty when there are no hold zones
  cv::Rect hold_roi_;   // bounding box of hold_work_
  cv::Mat held_, hold_tmp_, hold_kernel_;
  mutable cv::Mat fg_full_;
  mutable bool fg_dirty_ = false;
  std::unique_ptr<BackgroundModel> background_;
  std::unique_ptr<BlobDetector> blobs_;
  std::unique_ptr<Tracker> tracker_;
  std::unique_ptr<Classifier> classifier_;
  std::unique_ptr<RuleEngine> rules_;
  std::vector<cv::Rect2d> detections_;
  Stats stats_;

  // detection.verify, per track id.
  struct Verification {
    enum class State { kPending, kVerified, kVetoed, kUndecided };
    State state = State::kPending;
    double checked_t = 0;  // stream time of the last check
    ObjectClass cls = ObjectClass::kUnknown;  // kVerified: the checker's class
    double confidence = 0;                    // kVerified: the checker's confidence
  };
  std::unique_ptr<detect::TrackVerifier> verifier_;  // null: no verification
  Status verifier_status_;
  std::unordered_map<int64_t, Verification> verifications_;
};

}  // namespace watchline::analysis
