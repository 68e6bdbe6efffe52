// PatrolMonitor: one patrol route, judged run by run. Pure logic, no video.
//
// A run starts at every start of the patrol schedule's shift instances (the
// shift end is not used). Each checkpoint has a window: relative to the run
// start [start + after_s, start + within_s], or at a fixed local time of day
// (at_min +- tolerance_s; the first such time at or after the run start minus
// the tolerance). A visit is "a person passed": a track entering a checkpoint
// zone, a track crossing a checkpoint line in either direction, or an outside
// scan (RFID guard tour). Nobody is identified; a visit carries only its
// source, "video:<camera>/<track>" or the scanner's source string.
//
// Order: the visit counted for checkpoint k of a run is the earliest visit at
// or after the window opens, strictly later than the "order time" of
// checkpoint k-1 (its counted visit, or its window end if it was missed), and
// no later than window end + late_limit_s. On time if it is within the window,
// late after it. With no such visit the checkpoint is missed. Tracks on
// different cameras are linked by this order and timing only.
//
// Evidence arrives out of order across cameras (they run on different threads,
// files faster than real time). So verdicts follow timestamps, not arrival:
// every camera has a watermark (AdvanceCamera), the time up to which its
// evidence is complete, and a checkpoint is judged only once the watermark of
// its camera has passed the time that matters and the checkpoint before it
// has been judged. Scans are taken as complete when they arrive (a scan that
// arrives after its checkpoint was judged still counts if the checkpoint is
// not final yet). A checkpoint with no camera (scans only) is judged against
// the latest time any evidence has reached. The events emitted are the same
// whatever order the cameras' evidence arrives in. A checkpoint after a missed
// one waits until the missed one is final (up to late_limit_s).
//
// Runs starting before the first evidence the monitor sees (the earliest
// watermark or frame of the route's cameras; for a route with no camera, the
// earliest scan) are not judged: nobody was watching.
//
// Events (camera = the checkpoint's camera, rule = the patrol id, detail JSON
// with "checkpoint", "run" (label), "run_start", "window" [open, close]):
//   patrol_missed      t = window end, end null: the window passed unvisited.
//                      If the checkpoint is then visited late, it is emitted
//                      again with end = the visit time.
//   patrol_late        t = visit time; detail adds "late_by_s", "source".
//   patrol_checkpoint  t = visit time, informational, for every counted visit;
//                      detail adds "status" ("on_time"|"late") and "source".
//
// Thread safety: not thread safe; DutyMonitor serialises calls.
#pragma once

#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "duty/post_monitor.h"
#include "duty/schedule.h"
#include "duty/shapes.h"
#include "events/event.h"

namespace watchline::duty {

// A track not seen this long is forgotten by the line-crossing test, seconds.
constexpr double kTrackForgetS = 5.0;
// Visits are kept this long before the earliest window still to be judged, seconds.
constexpr double kVisitKeepS = 3600;

struct CheckpointSpec {
  std::string id;
  std::string camera;                          // "" = scans only
  std::vector<Pt> zone;                        // a zone (entering it is a visit) ...
  std::vector<Pt> line;                        // ... or a line (crossing it either way is a visit)
  double after_s = 0;                          // relative window opens this long after the run start, seconds
  std::optional<double> within_s;              // ... and closes this long after it, seconds
  std::optional<int> at_min;                   // or a fixed local time of day, minutes after midnight ...
  double tolerance_s = 300;                    // ... +- this, seconds
  std::vector<std::string> classes{"person"};  // empty = any class
};

struct PatrolSpec {
  std::string id;
  Schedule schedule;                        // each shift instance's start is a run start
  std::vector<CheckpointSpec> checkpoints;  // in route order
  double late_limit_s = 1800;               // a visit up to this long after the window is late, seconds
};

// InvalidArgument naming the patrol and checkpoint when the spec is unusable.
Status ValidatePatrol(const PatrolSpec& spec);

struct Window {
  double open = 0, close = 0;  // epoch seconds
};
// The window of checkpoint `cp` in the run starting at run_start.
Window CheckpointWindow(const PatrolSpec& patrol, const CheckpointSpec& cp, double run_start);

class PatrolMonitor {
 public:
  explicit PatrolMonitor(PatrolSpec spec);

  // A frame of `camera` at time t with its confirmed tracks: finds zone
  // entries and line crossings (a crossing is timed by interpolating between
  // the track's two frames). Does not move the camera's watermark.
  void ObservePersons(const std::string& camera, double t, const std::vector<PersonObs>& persons);
  // A visit found elsewhere (a scan, or the engine's own zone test). Returns
  // false if the patrol has no such checkpoint.
  bool Visit(const std::string& checkpoint, double t, const std::string& source);
  // Evidence from `camera` is complete up to t (+inf: the source ended).
  void AdvanceCamera(const std::string& camera, double t);

  std::vector<events::Event> Take();

  bool HasCheckpoint(const std::string& id) const;
  const PatrolSpec& spec() const { return spec_; }

 private:
  enum class CpStatus { kPending, kOnTime, kLate, kMissed };
  struct CpState {
    CpStatus status = CpStatus::kPending;
    bool missed_emitted = false;
    double order_t = 0;  // counted visit, or window end when missed
  };
  struct Run {
    ShiftInstance inst;
    std::vector<CpState> cps;
    std::vector<Window> windows;  // per checkpoint
  };
  struct CameraState {
    std::map<int64_t, std::pair<double, Pt>> last_foot;  // track -> (t, foot)
    std::set<std::pair<size_t, int64_t>> inside;         // (checkpoint, track) in its zone
  };

  void NoteTime(double t, bool sets_origin);
  bool UsesCamera(const std::string& camera) const;
  void AddVisit(size_t k, double t, const std::string& source);
  double Watermark(const CheckpointSpec& cp) const;
  void DiscoverRuns();
  void Evaluate();
  void PruneVisits();
  bool EvaluateRun(Run& run);  // true when every checkpoint is final
  events::Event MakeEvent(const char* type, const Run& run, size_t k, double t) const;

  PatrolSpec spec_;
  std::map<std::string, double> watermark_;
  std::map<std::string, CameraState> cameras_;
  std::vector<std::set<std::pair<double, std::string>>> visits_;  // per checkpoint
  std::optional<double> origin_;                                  // earliest evidence of the route's cameras
  std::optional<double> latest_;                                  // latest finite time seen
  std::optional<std::pair<double, double>> scanned_;              // run starts already discovered
  double next_run_ = -std::numeric_limits<double>::infinity();    // first run start after scanned_
  std::map<double, Run> runs_;                                    // unfinished runs by start
  std::vector<events::Event> out_;
};

}  // namespace watchline::duty
