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

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

Result<int> ParseDayName(const std::string& raw) {
  static const char* kNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::string s = Lower(Trim(raw));
  for (int i = 0; i < 7; ++i) {
    // "mon", "monday", "tues" ... all start with the three-letter name.
    if (s.size() >= 3 && s.compare(0, 3, kNames[i]) == 0) return i;
  }
  return Status::InvalidArgument("unknown day '" + raw + "' (use mon..sun, a range mon-fri, or daily)");
}

Result<int> ParseHhMm(const std::string& raw, bool allow_24) {
  std::string s = Trim(raw);
  size_t pos = s.find(':');
  if (pos == std::string::npos || pos == 0 || pos > 2 || s.size() != pos + 3) {
    return Status::InvalidArgument("bad time '" + raw + "' (expected HH:MM)");
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != pos && !std::isdigit(static_cast<unsigned char>(s[i])))
      return Status::InvalidArgument("bad time '" + raw + "' (expected HH:MM)");
  }
  int h = std::stoi(s.substr(0, pos));
  int m = std::stoi(s.substr(pos + 1));
  int total = h * 60 + m;
  if (m > 59 || total > kMinutesPerDay || (total == kMinutesPerDay && !allow_24)) {
    return Status::InvalidArgument("time '" + raw + "' out of range (00:00..23:59" +
                                   std::string(allow_24 ? ", or 24:00 as an end" : "") + ")");
  }
  return total;
}

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

Result<Shift> ParseShift(const std::vector<std::string>& days, const std::string& start,
                         const std::string& end) {
  Shift sh;
  for (const std::string& item : days) {
    std::string s = Lower(Trim(item));
    if (s == "daily" || s == "all" || s == "every day") {
      for (int d = 0; d < 7; ++d) sh.days.push_back(d);
      continue;
    }
    size_t dash = s.find('-');
    if (dash == std::string::npos) {
      WL_ASSIGN_OR_RETURN(int d, ParseDayName(s));
      sh.days.push_back(d);
      continue;
    }
    WL_ASSIGN_OR_RETURN(int a, ParseDayName(s.substr(0, dash)));
    WL_ASSIGN_OR_RETURN(int b, ParseDayName(s.substr(dash + 1)));
    for (int d = a;; d = (d + 1) % 7) {  // wraps: fri-mon is fri, sat, sun, mon
      sh.days.push_back(d);
      if (d == b) break;
    }
  }
  std::sort(sh.days.begin(), sh.days.end());
  sh.days.erase(std::unique(sh.days.begin(), sh.days.end()), sh.days.end());
  if (sh.days.empty()) return Status::InvalidArgument("shift has no days");
  WL_ASSIGN_OR_RETURN(sh.start_min, ParseHhMm(start, /*allow_24=*/false));
  WL_ASSIGN_OR_RETURN(sh.end_min, ParseHhMm(end, /*allow_24=*/true));
  return sh;
}

Result<Shift> ParseShift(const std::string& days, const std::string& start, const std::string& end) {
  std::vector<std::string> items;
  size_t b = 0;
  while (true) {
    size_t c = days.find(',', b);
    items.push_back(days.substr(b, c == std::string::npos ? std::string::npos : c - b));
    if (c == std::string::npos) break;
    b = c + 1;
  }
  return ParseShift(items, start, end);
}

}  // namespace watchline::duty
