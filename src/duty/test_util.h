// Helpers shared by the duty tests: building UTC instants and schedules.
// Test-only; not part of wl_duty.
#pragma once

#include <date/date.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "duty/schedule.h"

namespace watchline::duty::testing {

constexpr double kHour = 3600;
constexpr double kMinute = 60;
// Every day of the week (0 = Sunday), for shifts that run daily.
inline const std::vector<int> kDaily{0, 1, 2, 3, 4, 5, 6};

// Epoch seconds of a UTC calendar time.
inline double Utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  using namespace std::chrono;
  auto tp =
      date::sys_days{date::year{y} / date::month{m} / date::day{d}} + hours{hh} + minutes{mm} + seconds{ss};
  return static_cast<double>(duration_cast<seconds>(tp.time_since_epoch()).count());
}

inline Schedule MustSchedule(std::vector<Shift> shifts, const std::string& tz) {
  auto s = Schedule::Make(std::move(shifts), tz);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? s.value() : Schedule();
}

}  // namespace watchline::duty::testing
