// Rules: turn confirmed tracks into events, in seconds of stream time.
//
// - Line crossing: every step between two recorded foot points of a track is
//   tested against each segment of the rule's polyline. The crossing time and
//   box are interpolated within the step. The direction follows the DESIGN.md
//   side function in normalised coordinates: s from negative to positive is
//   "in". A crossing is only reported once the foot is at least the dead band
//   (below) beyond the crossed segment on the new side (a dead band
//   against foot-point jitter on the line); going back before that cancels it.
//   One track does not fire one rule in one direction twice within debounce_s.
// - Zone intrusion: once per track and zone, when the foot enters the polygon
//   (time interpolated on the step that entered; the birth time for a track
//   born inside).
// - Loitering (zones with loiter_s): once per track and zone, when the foot has
//   stayed inside for loiter_s; t is entry + loiter_s.
// A rule's `classes`, when given, limits which classes it reports.
//
// The engine remembers, per track, the last path point it has evaluated, so it
// sees each point once; a track that has just been confirmed is evaluated over
// its whole recorded path, so a crossing made before confirmation still fires.
// In the same way a track the tracker holds as not steady (Track::steady:
// on probation just after confirmation, or hopping between fragments of
// water or leaves) is not evaluated until it is steady again; its events then
// carry the times of what it did meanwhile.
// Thread safety: not thread safe; one instance per camera.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <opencv2/core/types.hpp>

#include "analysis/tracker.h"
#include "config/config.h"
#include "events/event.h"

namespace watchline::analysis {

// Normalised distance the foot must reach beyond a line before a crossing
// counts: 0.5% of the frame, or kCrossingDeadBandHeights of the object's box
// height if that is more. The size-relative band absorbs the foot jumping
// when snow, a shadow or the wake of a boat merges with the blob for a frame
// (on the simulated snow scenes it removed most false in-out pairs) while
// costing nothing in timing: the reported time is still that of the actual
// crossing, interpolated on the step that crossed.
inline constexpr double kCrossingDeadBand = 0.005;
inline constexpr double kCrossingDeadBandHeights = 0.2;

class RuleEngine {
 public:
  explicit RuleEngine(const config::CameraConfig& cam);

  // Evaluates the path points of a confirmed track that the engine has not
  // seen yet, and loitering up to `now`. Appends fired events to *out.
  void Evaluate(const Track& track, double now, std::vector<events::Event>* out);
  // Drops the state of a deleted track.
  void Forget(int64_t track_id) { state_.erase(track_id); }

 private:
  struct Line {
    std::string id;
    std::vector<cv::Point2d> points;
    std::vector<std::string> classes;
  };
  struct Zone {
    std::string id;
    std::vector<cv::Point2d> polygon;
    std::vector<std::string> classes;
    std::optional<double> loiter_s;
  };
  struct PendingCrossing {
    int direction = 0;
    int segment = 0;
    double t = 0;
    cv::Rect2d box;
  };
  struct LineState {
    std::optional<PendingCrossing> pending;
    std::optional<double> last_fired[2];  // [0] out, [1] in
  };
  struct ZoneState {
    bool inside = false;
    double entry_t = 0;
    bool intrusion_fired = false;
    bool loiter_fired = false;
  };
  struct TrackState {
    int64_t last_seq = -1;
    std::optional<TrackPoint> prev;
    std::vector<LineState> lines;
    std::vector<ZoneState> zones;
  };

  void StepLines(const Track& track, const TrackPoint& p0, const TrackPoint& p1, TrackState* st,
                 std::vector<events::Event>* out);
  void StepZones(const Track& track, const std::optional<TrackPoint>& p0, const TrackPoint& p1,
                 TrackState* st, std::vector<events::Event>* out);
  void CheckLoitering(const Track& track, double now, const cv::Rect2d& box, TrackState* st,
                      std::vector<events::Event>* out);
  events::Event MakeEvent(const char* type, const Track& track, const std::string& rule,
                          double t, const cv::Rect2d& box) const;
  static bool ClassAllowed(const std::vector<std::string>& classes, const Track& track);

  std::string camera_;
  double debounce_s_;
  std::vector<Line> lines_;
  std::vector<Zone> zones_;
  std::unordered_map<int64_t, TrackState> state_;
};

}  // namespace watchline::analysis
