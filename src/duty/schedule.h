// Duty schedules: weekly shifts in a local time zone, turned into concrete UTC
// intervals ("shift instances").
//
// A Shift starts on given days of the week (the day it STARTS, 0 = Sunday) at
// start_min minutes after local midnight and ends at end_min; end_min <=
// start_min means it ends on the next local day (end == start: 24 hours).
// Local times go through the IANA zone (Howard Hinnant's date/tz, system
// tzdata), so a 22:00-06:00 shift lasts 7 h on the night clocks go forward and
// 9 h on the night they go back. A local time that does not exist (the spring
// gap) maps to the instant the gap ends; an ambiguous one (the autumn repeat)
// maps to the earlier instant.
//
// All instants are double seconds since the Unix epoch (UTC).
// Thread safety: Schedule is an immutable value; const methods are safe to
// call from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace date {
class time_zone;
}

namespace watchline::duty {

constexpr int kMinutesPerDay = 24 * 60;

struct Shift {
  std::vector<int> days;  // 0 = Sunday .. 6 = Saturday: the days the shift starts on
  int start_min = 0;      // minutes after local midnight, 0..1439
  int end_min = 0;        // minutes after local midnight, 0..1440; <= start_min: next day
};

// One occurrence of a shift.
struct ShiftInstance {
  double start = 0;   // epoch seconds (UTC)
  double end = 0;     // epoch seconds (UTC), > start
  std::string label;  // local start, e.g. "2026-03-28 22:00 Europe/Berlin"
  bool operator==(const ShiftInstance&) const = default;
};

class Schedule {
 public:
  // An empty schedule in UTC: never on duty.
  Schedule();

  // InvalidArgument names an unknown time zone, a day outside 0..6, a shift
  // with no days or a minute out of range.
  static Result<Schedule> Make(std::vector<Shift> shifts, std::string tz);

  // Every shift occurrence overlapping [from, to), sorted by start.
  std::vector<ShiftInstance> Instances(double from, double to) const;
  // The occurrence covering t (start <= t < end), the earliest-starting if
  // shifts overlap.
  std::optional<ShiftInstance> ActiveAt(double t) const;

  // The instant of local wall time `minute` (may exceed a day) on the local
  // calendar day that contains instant `t`, with the gap/overlap rule above.
  double LocalDayMinute(double t, int minute) const;
  // "YYYY-MM-DD HH:MM <tz>" for instant t in this zone.
  std::string LocalLabel(double t) const;

  const std::string& tz() const { return tz_; }
  const std::vector<Shift>& shifts() const { return shifts_; }
  bool empty() const { return shifts_.empty(); }

 private:
  std::vector<Shift> shifts_;
  std::string tz_ = "UTC";
  const date::time_zone* zone_ = nullptr;  // owned by the process-wide tz database
};

// "2026-03-28T21:00:00Z"; whole seconds, UTC.
std::string IsoUtc(double t);

}  // namespace watchline::duty
