// PostMonitor: one guard post, i.e. a zone in one camera's view that must be
// manned during its duty schedule. Pure logic: it is fed the person tracks the
// analysis saw, frame by frame, in stream time.
//
// Definitions
//   manned    at least one confirmed track of an allowed class has its foot
//             point inside the zone.
//   moving    a track's foot has moved more than still_radius (normalised
//             image distance) from where it last settled (its anchor). Jitter
//             inside the radius is not movement.
//   vacant    not manned during duty. It begins at the last frame that showed
//             a person in the zone (or the shift start, whichever is later).
//   inactive  manned, but no track in the zone has moved for still_s. It
//             begins when the last of them stopped (or the shift start).
//
// Events (events::Event, camera = the post's camera, rule = the post id):
//   "post_vacant" / "post_inactive": emitted with end = null once the
//   condition has lasted vacant_s / still_s; then emitted again with the same
//   type, t and rule and `end` set when the condition ends (someone returns,
//   moves, leaves; the shift ends; the camera goes dark). `detail` is JSON:
//   {"shift": label, "shift_start": s, "shift_end": s, "threshold_s": x} plus
//   "track" for inactivity and "reason" on the closing event. Events are raised
//   only during duty; a condition still open at the shift end ends there.
//
// No frames: when the camera delivers nothing for more than kFrameGapS, what
// is in the zone is unknown. The monitor then treats the post as vacant since
// the last frame (a vacancy is raised once vacant_s has passed, so a dead
// camera at a post is noticed) and never raises inactivity without frames; an
// open inactivity ends at the last frame. Advance(+inf) means the source has
// ended for good: open conditions end at the last frame, nothing more is
// raised.
//
// Thread safety: not thread safe; DutyMonitor serialises calls.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "duty/schedule.h"
#include "duty/shapes.h"
#include "events/event.h"

namespace watchline::duty {

// Longer than this between frames and the zone's content is unknown.
constexpr double kFrameGapS = 2.0;
// How far ahead the next shift is looked up at a time, seconds.
constexpr double kShiftLookaheadS = 8 * 24 * 3600;

struct PostSpec {
  std::string id;
  std::string camera;
  std::vector<Pt> zone;                        // normalised polygon, 3+ points
  Schedule schedule;                           // duty shifts
  double vacant_s = 60;                        // nobody in the zone this long -> post_vacant, seconds
  double still_s = 300;                        // nobody in the zone moved this long -> post_inactive, seconds
  double still_radius = 0.02;                  // normalised distance the foot must move to count as moving
  std::vector<std::string> classes{"person"};  // what counts as a guard; empty = any class
};

// InvalidArgument naming the post when a field is out of range.
Status ValidatePost(const PostSpec& spec);

struct PersonObs {
  int64_t track = -1;
  double x = 0, y = 0;  // foot point, normalised image coordinates
  std::string cls = "person";
};

class PostMonitor {
 public:
  explicit PostMonitor(PostSpec spec);

  // A frame of the post's camera at stream time t with every confirmed track
  // it shows (the monitor filters by class and zone). Frames older than the
  // monitor's clock are ignored.
  void Observe(double t, const std::vector<PersonObs>& tracks);
  // Time passes without a frame (see "No frames" above).
  void Advance(double t);
  // Events raised since the last call, in the order they arose.
  std::vector<events::Event> Take();

  bool OnDuty(double t) const { return spec_.schedule.ActiveAt(t).has_value(); }
  bool Manned() const { return manned_; }
  const PostSpec& spec() const { return spec_; }

 private:
  struct TrackState {
    Pt anchor;           // where the foot last settled
    double still_since;  // when it settled there
  };
  enum class Kind { kVacant, kInactive };

  void RunTo(double t);  // moves the clock, presence unchanged
  void GoDark();         // presence unknown since last_frame_t_
  void RaiseDueVacancy(double until);
  void Open(Kind kind, double t);
  void Close(Kind kind, double end, const std::string& reason);
  double StillSince() const;  // latest anchor time of tracks present
  std::string Detail(Kind kind, const std::string& reason) const;

  PostSpec spec_;
  double now_ = -std::numeric_limits<double>::infinity();  // monitor clock
  double last_frame_t_ = -std::numeric_limits<double>::infinity();
  double last_seen_t_ = -std::numeric_limits<double>::infinity();  // last frame with the zone manned
  bool live_ = false;                                              // frames are arriving (gap <= kFrameGapS)
  bool ended_ = false;                                             // Advance(+inf) was called
  bool manned_ = false;
  std::map<int64_t, TrackState> tracks_;     // tracks in the zone at the last frame
  std::optional<ShiftInstance> shift_;       // the shift in progress
  std::optional<ShiftInstance> next_shift_;  // the next shift, if one starts before lookup_until_
  double lookup_until_ =
      -std::numeric_limits<double>::infinity();  // next_shift_ is valid for starts before this
  std::optional<double> vacant_since_;           // vacancy during this shift began here
  std::optional<double> vacant_open_t_;          // post_vacant raised with this t
  std::optional<double> inactive_open_t_;        // post_inactive raised with this t
  int64_t inactive_track_ = -1;
  std::vector<events::Event> out_;
};

}  // namespace watchline::duty
