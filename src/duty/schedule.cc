#include "duty/schedule.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <exception>

namespace watchline::duty {
namespace {

using std::chrono::seconds;

date::sys_seconds ToSys(double t) { return date::sys_seconds{seconds{static_cast<int64_t>(std::floor(t))}}; }
double ToEpoch(date::sys_seconds s) { return static_cast<double>(s.time_since_epoch().count()); }

}  // namespace

std::string IsoUtc(double t) {
  if (!std::isfinite(t)) return "";
  return date::format("%FT%TZ", ToSys(t));
}

Schedule::Schedule() {
  try {
    zone_ = date::locate_zone("UTC");
  } catch (const std::exception&) {
    zone_ = nullptr;  // no tzdata at all: Make() reports it; an empty schedule never needs it
  }
}

Result<Schedule> Schedule::Make(std::vector<Shift> shifts, std::string tz) {
  Schedule s;
  try {
    s.zone_ = date::locate_zone(tz);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("unknown time zone '" + tz + "' (an IANA name such as Europe/Berlin)");
  }
  for (size_t i = 0; i < shifts.size(); ++i) {
    const Shift& sh = shifts[i];
    std::string where = "shift " + std::to_string(i + 1) + ": ";
    if (sh.days.empty()) return Status::InvalidArgument(where + "no days");
    for (int d : sh.days) {
      if (d < 0 || d > 6)
        return Status::InvalidArgument(where + "day " + std::to_string(d) + " not in 0 (Sunday)..6");
    }
    if (sh.start_min < 0 || sh.start_min >= kMinutesPerDay)
      return Status::InvalidArgument(where + "start_min " + std::to_string(sh.start_min) + " not in 0..1439");
    if (sh.end_min < 0 || sh.end_min > kMinutesPerDay)
      return Status::InvalidArgument(where + "end_min " + std::to_string(sh.end_min) + " not in 0..1440");
  }
  s.shifts_ = std::move(shifts);
  s.tz_ = std::move(tz);
  return s;
}

double Schedule::LocalDayMinute(double t, int minute) const {
  auto local = zone_->to_local(ToSys(t));
  auto day = date::floor<date::days>(local);
  auto lt = date::local_seconds{day} + std::chrono::minutes{minute};
  // choose::earliest: for a time in the gap date/tz returns the instant the
  // gap ends; for a repeated time, the first of the two.
  return ToEpoch(zone_->to_sys(lt, date::choose::earliest));
}

std::string Schedule::LocalLabel(double t) const {
  auto local = zone_->to_local(ToSys(t));
  return date::format("%F %H:%M", date::floor<std::chrono::minutes>(local)) + " " + tz_;
}

std::vector<ShiftInstance> Schedule::Instances(double from, double to) const {
  std::vector<ShiftInstance> out;
  if (shifts_.empty() || !(to > from) || !std::isfinite(from) || !std::isfinite(to)) return out;
  // A shift lasts at most a day (plus a DST hour), so shifts starting on the
  // local day before `from` can still overlap it.
  auto first = date::floor<date::days>(zone_->to_local(ToSys(from))) - date::days{2};
  auto last = date::floor<date::days>(zone_->to_local(ToSys(to))) + date::days{1};
  for (auto day = first; day <= last; day += date::days{1}) {
    int weekday = static_cast<int>(date::weekday{day}.c_encoding());  // 0 = Sunday
    for (const Shift& sh : shifts_) {
      if (std::find(sh.days.begin(), sh.days.end(), weekday) == sh.days.end()) continue;
      auto ls = date::local_seconds{day} + std::chrono::minutes{sh.start_min};
      auto end_day = sh.end_min <= sh.start_min ? day + date::days{1} : day;
      auto le = date::local_seconds{end_day} + std::chrono::minutes{sh.end_min};
      double start = ToEpoch(zone_->to_sys(ls, date::choose::earliest));
      double end = ToEpoch(zone_->to_sys(le, date::choose::earliest));
      if (!(end > start) || end <= from || start >= to) continue;
      ShiftInstance inst{start, end, date::format("%F %H:%M", ls) + " " + tz_};
      if (std::find(out.begin(), out.end(), inst) == out.end()) out.push_back(std::move(inst));
    }
  }
  std::sort(out.begin(), out.end(), [](const ShiftInstance& a, const ShiftInstance& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  return out;
}

std::optional<ShiftInstance> Schedule::ActiveAt(double t) const {
  if (!std::isfinite(t)) return std::nullopt;
  for (auto& inst : Instances(t, t + 1e-3)) {
    if (inst.start <= t && t < inst.end) return inst;
  }
  return std::nullopt;
}

}  // namespace watchline::duty
