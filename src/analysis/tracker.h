// Multi-object tracking: blobs in, tracks with persistent ids out.
//
// KalmanTracker keeps a constant-velocity Kalman filter per track on the box
// centre (two independent [position, velocity] filters, x and y, with the time
// step taken from stream time, so a dropped frame is just a longer step),
// smooths the box size, and matches tracks to blobs each frame with the
// Hungarian method on a gated cost (distance from the prediction over the gate
// radius, plus a size-change term). The gate widens with the prediction's
// uncertainty, so a track that was not seen for a while (occlusion, a gap in
// detection) is still picked up again with the same id. Blobs and tracks left
// over get a second pass, matched by distance from where the track was last
// seen, with its velocity reset: an object that turned or stopped abruptly
// (beyond what the motion model allows) keeps its id instead of becoming a
// new, young track; this also keeps a swaying branch one track that goes back
// and forth (and so never confirms) rather than a chain of new ones.
//
// A track is born from a blob that no track took (unless it is a fragment of a
// track that was matched), and is deleted when it has not been seen for
// max_gap_s (tentative tracks sooner). It becomes confirmed when it is at
// least confirm_s old AND it has moved like an object rather than like
// flicker or swaying leaves: it was matched in most updates since birth, and
// over the last kConfirmWindowS its smoothed foot point moved at least
// min_displacement net, in a fairly straight line (net movement at least half
// the path length).
//
// A blob clearly shorter than the object's remembered shape gives is the
// object with one end hidden (legs the colour of the ground, feet behind a
// bush); its box is completed to the full height at the end that moved
// unexpectedly, so foot points stay on the ground.
//
// Each track records its measured foot points (bottom-centre of the matched
// blob's box, in normalised coordinates) with their times and a running
// sequence number, from birth on, so rules can replay the path of a track
// that has just been confirmed.
// Thread safety: not thread safe; one instance per camera.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include <opencv2/core/types.hpp>

#include "analysis/blob_detector.h"
#include "analysis/classifier.h"

namespace watchline::analysis {

// One axis of a constant-velocity Kalman filter: state [p, v], covariance
// [[pp, pv], [pv, vv]]. Hand-written: cv::KalmanFilter allocates per call and
// needs its transition matrix rebuilt for every time step.
struct KalmanAxis {
  double p = 0, v = 0;
  double pp = 0, pv = 0, vv = 0;
  // accel_density: white-acceleration spectral density, units^2/s^3.
  void Predict(double dt, double accel_density);
  // meas_var: measurement variance, units^2.
  void Update(double z, double meas_var);
};

struct TrackPoint {
  int64_t seq = 0;       // increases by one per recorded point of this track
  double t = 0;          // seconds of stream time
  cv::Point2d foot;      // normalised bottom-centre of the measured box
  cv::Rect2d box;        // normalised measured box
  cv::Point2d smooth;    // normalised bottom-centre of the filtered box, after this point
  cv::Point2d velocity;  // the filter's velocity after this point, analysis pixels per second
  double area = 0;       // the matched blob's foreground area, analysis pixels
  double innovation = 0; // distance of the blob from the prediction, in object sizes
};

struct Track {
  int64_t id = 0;
  double born_t = 0;
  double last_seen_t = 0;     // time of the last matched blob
  double last_t = 0;          // time the filter was last predicted to
  KalmanAxis kx, ky;          // box centre, analysis pixels
  double w = 0, h = 0;        // smoothed box size, analysis pixels
  double full_aspect = 0;     // height/width of the whole object (parts of it may be hidden)
  bool confirmed = false;
  // False while the last kConfirmWindowS of a confirmed track's path neither
  // moves like an object (the tests of confirmation) nor stands still, and
  // from its confirmation until its next measurement (probation): a track
  // that starts hopping between fragments of water or leaves is held, the
  // rules do not evaluate its path until it moves steadily again.
  bool steady = true;
  // Confirmed on the latest measurement, not measured since: not steady yet.
  bool probation = false;
  bool matched = false;       // matched a blob in the latest Update
  bool just_confirmed = false;  // became confirmed in the latest Update
  int hits = 0;               // updates with a matched blob
  int part_run = 0;           // consecutive measurements shaped like the upper part of a person
  int updates = 0;            // updates since birth (matched or not)
  double recent_hits = 1;     // share of recent updates with a matched blob (time-weighted, 0..1)
  double hit_gain = 0;        // what a match adds to recent_hits in the current update
  std::array<double, kNumObjectClasses> class_votes{};
  ObjectClass cls = ObjectClass::kUnknown;
  std::deque<TrackPoint> path;  // measured foot points, oldest first (bounded)
  int64_t next_seq = 0;

  cv::Point2d centre() const { return {kx.p, ky.p}; }
  cv::Point2d velocity() const { return {kx.v, ky.v}; }  // analysis pixels per second
  cv::Rect2d box() const { return {kx.p - w / 2, ky.p - h / 2, w, h}; }
  cv::Point2d foot() const { return {kx.p, ky.p + h / 2}; }
  // Share of the class votes held by cls, 0..1.
  double ClassShare() const;
  // 0..1: how much to trust this track (its hit ratio, age and class votes).
  double Quality() const;
};

struct TrackerParams {
  double max_gap_s = 1.5;         // delete a confirmed track unseen this long
  double confirm_s = 0.4;         // minimum age before confirmation
  double min_displacement = 0.02; // normalised foot movement needed for confirmation
};

class Tracker {
 public:
  virtual ~Tracker() = default;
  // Predicts every track to time t, assigns the blobs, updates, creates and
  // deletes tracks. t is non-decreasing.
  virtual void Update(const std::vector<Blob>& blobs, double t) = 0;
  virtual std::vector<Track>& tracks() = 0;
  virtual const std::vector<Track>& tracks() const = 0;
  // Ids of the tracks that the latest Update deleted.
  virtual const std::vector<int64_t>& removed() const = 0;
  // Of those, the confirmed tracks that were deleted on probation (never
  // measured after their confirmation, so never shown to be unsteady), as
  // they were, marked steady: their path is still due to the rules.
  virtual const std::vector<Track>& ended_on_probation() const = 0;
};

class KalmanTracker : public Tracker {
 public:
  // frame: analysis size (pixel coordinates of the blobs).
  KalmanTracker(cv::Size frame, TrackerParams params);
  void Update(const std::vector<Blob>& blobs, double t) override;
  std::vector<Track>& tracks() override { return tracks_; }
  const std::vector<Track>& tracks() const override { return tracks_; }
  const std::vector<int64_t>& removed() const override { return removed_; }
  const std::vector<Track>& ended_on_probation() const override { return ended_on_probation_; }

 private:
  void Predict(Track* tr, double t) const;
  // innovation: the blob's distance from where the track predicted it, in
  // object sizes (recorded with the point).
  void Correct(Track* tr, const Blob& b, double t, double innovation) const;
  // |blob centre - predicted centre| / the track's larger box side.
  double Innovation(const Track& tr, const Blob& b) const;
  // The measured box with a hidden end restored to the track's full height
  // (see kTruncatedRatio); updates tr->full_aspect.
  cv::Rect2d CompleteBox(Track* tr, const cv::Rect2d& box, double t) const;
  // The blob `own` (none if the track found none) joined with the unassigned
  // blobs that are parts of the track (see kPartsInside), which are then
  // marked taken; none when there are no such parts.
  std::optional<Blob> WithParts(const Track& tr, const Blob* own, const std::vector<Blob>& blobs,
                                std::vector<char>* taken) const;
  // Second-pass association of the tracks and blobs the first pass left.
  void Reacquire(const std::vector<Blob>& blobs, std::vector<char>* taken, double t);
  Track Birth(const Blob& b, double t);
  void Record(Track* tr, const cv::Rect2d& box_px, double area, double innovation,
              double t) const;
  bool MovesLikeAnObject(const Track& tr) const;
  // The path tests of MovesLikeAnObject (not the hit counts).
  bool PathMovesLikeAnObject(const Track& tr) const;
  // Track::steady of a confirmed track (see kStillPathFactor).
  bool Steady(const Track& tr) const;
  // Length of the smoothed foot path from path[first] on, normalised.
  static double PathLength(const Track& tr, size_t first);
  // Index of the first path point inside the confirmation window.
  static size_t WindowStart(const Track& tr);
  // True when more than kMaxShapeJumpShare of the window's steps are jumps.
  static bool Jumpy(const Track& tr, size_t first);
  cv::Point2d Normalise(const cv::Point2d& p) const;

  cv::Size frame_;
  double diag_;
  TrackerParams p_;
  double accel_density_, meas_var_, init_speed_var_, gate_min_;
  std::vector<Track> tracks_;
  std::vector<int64_t> removed_;
  std::vector<Track> ended_on_probation_;
  int64_t next_id_ = 1;
  // Scratch, reused between frames.
  std::vector<double> cost_;
};

}  // namespace watchline::analysis
