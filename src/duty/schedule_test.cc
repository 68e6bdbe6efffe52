#include "duty/schedule.h"

#include <gtest/gtest.h>

#include "duty/test_util.h"

namespace watchline::duty {
namespace {

using testing::kHour;
using testing::MustSchedule;
using testing::Utc;

constexpr int kSun = 0, kFri = 5, kSat = 6;

TEST(ScheduleTest, NightShiftCrossesMidnight) {
  // Friday 2026-11-20 22:00 to Saturday 06:00, UTC.
  Schedule s = MustSchedule({{{kFri}, 22 * 60, 6 * 60}}, "UTC");
  auto sat3 = s.ActiveAt(Utc(2026, 11, 21, 3));
  ASSERT_TRUE(sat3.has_value());
  EXPECT_EQ(sat3->start, Utc(2026, 11, 20, 22));
  EXPECT_EQ(sat3->end, Utc(2026, 11, 21, 6));
  EXPECT_EQ(sat3->label, "2026-11-20 22:00 UTC");
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 11, 21, 6)).has_value());  // end is exclusive
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 11, 20, 21, 59)).has_value());
  EXPECT_TRUE(s.ActiveAt(Utc(2026, 11, 20, 22)).has_value());
  // Saturday night is not a duty night.
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 11, 21, 23)).has_value());

  // One occurrence per week; one that began before `from` still overlaps.
  auto two_weeks = s.Instances(Utc(2026, 11, 21, 5), Utc(2026, 12, 5, 5));
  ASSERT_EQ(two_weeks.size(), 3u);
  EXPECT_EQ(two_weeks[0].start, Utc(2026, 11, 20, 22));
  EXPECT_EQ(two_weeks[1].start, Utc(2026, 11, 27, 22));
  EXPECT_EQ(two_weeks[2].start, Utc(2026, 12, 4, 22));
}

TEST(ScheduleTest, SpringForwardNightLastsSevenHours) {
  // Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST.
  Schedule s = MustSchedule({{{kSat}, 22 * 60, 6 * 60}}, "Europe/Berlin");
  auto inst = s.Instances(Utc(2026, 3, 28), Utc(2026, 3, 30));
  ASSERT_EQ(inst.size(), 1u);
  EXPECT_EQ(inst[0].start, Utc(2026, 3, 28, 21));  // 22:00 CET
  EXPECT_EQ(inst[0].end, Utc(2026, 3, 29, 4));     // 06:00 CEST
  EXPECT_EQ(inst[0].end - inst[0].start, 7 * kHour);
  EXPECT_EQ(inst[0].label, "2026-03-28 22:00 Europe/Berlin");
}

TEST(ScheduleTest, FallBackNightLastsNineHours) {
  // Europe/Berlin: 2026-10-25 03:00 CEST -> 02:00 CET.
  Schedule s = MustSchedule({{{kSat}, 22 * 60, 6 * 60}}, "Europe/Berlin");
  auto inst = s.Instances(Utc(2026, 10, 24), Utc(2026, 10, 26));
  ASSERT_EQ(inst.size(), 1u);
  EXPECT_EQ(inst[0].start, Utc(2026, 10, 24, 20));  // 22:00 CEST
  EXPECT_EQ(inst[0].end, Utc(2026, 10, 25, 5));     // 06:00 CET
  EXPECT_EQ(inst[0].end - inst[0].start, 9 * kHour);
  auto mid = s.ActiveAt(Utc(2026, 10, 25, 4, 30));
  ASSERT_TRUE(mid.has_value());
  EXPECT_EQ(mid->start, Utc(2026, 10, 24, 20));
}

TEST(ScheduleTest, NonexistentLocalTimeMapsToEndOfGap) {
  // 02:30 does not exist in Berlin on 2026-03-29: the shift starts at 03:00 CEST.
  Schedule s = MustSchedule({{{kSun}, 2 * 60 + 30, 5 * 60}}, "Europe/Berlin");
  auto inst = s.Instances(Utc(2026, 3, 28), Utc(2026, 3, 30));
  ASSERT_EQ(inst.size(), 1u);
  EXPECT_EQ(inst[0].start, Utc(2026, 3, 29, 1));
  EXPECT_EQ(inst[0].end, Utc(2026, 3, 29, 3));
}

TEST(ScheduleTest, AmbiguousLocalTimeMapsToEarlierInstant) {
  // 02:30 happens twice in Berlin on 2026-10-25; the first is 00:30 UTC.
  Schedule s = MustSchedule({{{kSun}, 2 * 60 + 30, 5 * 60}}, "Europe/Berlin");
  auto inst = s.Instances(Utc(2026, 10, 24), Utc(2026, 10, 26));
  ASSERT_EQ(inst.size(), 1u);
  EXPECT_EQ(inst[0].start, Utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(inst[0].end, Utc(2026, 10, 25, 4));
}

TEST(ScheduleTest, UnknownTimeZoneIsInvalidArgumentNamingIt) {
  auto s = Schedule::Make({{{1}, 0, 60}}, "Mars/Olympus_Mons");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsInvalidArgument());
  EXPECT_NE(s.status().message().find("Mars/Olympus_Mons"), std::string::npos);
}

TEST(ScheduleTest, BadValuesAreRejected) {
  EXPECT_TRUE(Schedule::Make({{{7}, 0, 60}}, "UTC").status().IsInvalidArgument());
  EXPECT_TRUE(Schedule::Make({{{}, 0, 60}}, "UTC").status().IsInvalidArgument());
  EXPECT_TRUE(Schedule::Make({{{1}, 1440, 60}}, "UTC").status().IsInvalidArgument());
  EXPECT_TRUE(Schedule::Make({{{1}, 0, 1441}}, "UTC").status().IsInvalidArgument());
  EXPECT_TRUE(Schedule::Make({{{1}, 0, 1440}}, "UTC").ok());
}

TEST(ScheduleTest, EmptyScheduleIsNeverOnDuty) {
  Schedule s;
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 1, 1, 12)).has_value());
  EXPECT_TRUE(s.Instances(Utc(2026, 1, 1), Utc(2026, 2, 1)).empty());
}

TEST(IsoUtcTest, FormatsWholeSeconds) {
  EXPECT_EQ(IsoUtc(Utc(2026, 3, 28, 21, 0, 5)), "2026-03-28T21:00:05Z");
}

}  // namespace
}  // namespace watchline::duty
