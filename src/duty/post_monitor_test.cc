#include "duty/post_monitor.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "duty/test_util.h"

namespace watchline::duty {
namespace {

using testing::kDaily;
using testing::kHour;
using testing::kMinute;
using testing::MustSchedule;
using testing::Utc;

constexpr double kFrameStepS = 1.0;

// Day shift 08:00-16:00 UTC on every day; zone is the square 0.2..0.6.
PostSpec DayPost() {
  PostSpec p;
  p.id = "gate";
  p.camera = "c1";
  p.zone = {{0.2, 0.2}, {0.6, 0.2}, {0.6, 0.6}, {0.2, 0.6}};
  p.schedule = MustSchedule({{kDaily, 8 * 60, 16 * 60}}, "UTC");
  p.vacant_s = 60;
  p.still_s = 300;
  p.still_radius = 0.02;
  return p;
}

const double kDay = Utc(2026, 6, 1);  // a Monday
double At(int h, int m = 0, int s = 0) { return kDay + h * kHour + m * kMinute + s; }

// A guard walking inside the zone: moves 0.05 every frame.
std::vector<PersonObs> Walking(double t) {
  int i = static_cast<int>(t) % 2;
  return {{1, 0.3 + 0.05 * i, 0.4, "person"}};
}
std::vector<PersonObs> Nobody(double) { return {}; }

// Feeds frames in [from, to) and collects every event.
void Feed(PostMonitor& m, double from, double to, const std::function<std::vector<PersonObs>(double)>& who,
          std::vector<events::Event>* out) {
  for (double t = from; t < to; t += kFrameStepS) {
    m.Observe(t, who(t));
    for (auto& e : m.Take()) out->push_back(std::move(e));
  }
}

std::vector<events::Event> OfType(const std::vector<events::Event>& all, const std::string& type) {
  std::vector<events::Event> out;
  for (const auto& e : all)
    if (e.type == type) out.push_back(e);
  return out;
}

TEST(PostMonitorTest, MannedThenAbandonedGivesOneVacancy) {
  PostMonitor m(DayPost());
  std::vector<events::Event> ev;
  Feed(m, At(7, 50), At(9, 0, 1), Walking, &ev);  // last frame with the guard: 09:00:00
  EXPECT_TRUE(ev.empty());
  Feed(m, At(9, 0, 1), At(9, 1), Nobody, &ev);  // 59 s empty: not yet
  EXPECT_TRUE(ev.empty());
  Feed(m, At(9, 1), At(9, 5), Nobody, &ev);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "post_vacant");
  EXPECT_EQ(ev[0].rule, "gate");
  EXPECT_EQ(ev[0].camera, "c1");
  EXPECT_EQ(ev[0].t, At(9, 0));  // the last moment a person was seen
  EXPECT_FALSE(ev[0].end.has_value());
  EXPECT_EQ(nlohmann::json::parse(ev[0].detail)["shift"], "2026-06-01 08:00 UTC");
  Feed(m, At(9, 5), At(9, 10), Walking, &ev);  // the guard returns at 09:05:00
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[1].type, "post_vacant");
  EXPECT_EQ(ev[1].t, At(9, 0));
  ASSERT_TRUE(ev[1].end.has_value());
  EXPECT_EQ(*ev[1].end, At(9, 5));
  EXPECT_TRUE(OfType(ev, "post_inactive").empty());
}

TEST(PostMonitorTest, BriefAbsenceIsNotAVacancy) {
  PostMonitor m(DayPost());
  std::vector<events::Event> ev;
  Feed(m, At(8), At(9), Walking, &ev);
  Feed(m, At(9), At(9, 0, 50), Nobody, &ev);
  Feed(m, At(9, 0, 50), At(9, 30), Walking, &ev);
  EXPECT_TRUE(ev.empty());
}

// Walks until `stop`, then stands at (0.4, 0.4) with jitter of +-jitter in x
// (so positions spread over 2 * jitter).
std::function<std::vector<PersonObs>(double)> StopsAt(double stop, double jitter, double moves_again) {
  return [=](double t) -> std::vector<PersonObs> {
    if (t < stop || t >= moves_again) return {{7, 0.25 + 0.05 * (static_cast<int>(t) % 2), 0.3, "person"}};
    double j = (static_cast<int>(t) % 3 - 1) * jitter;  // -j, 0, +j
    return {{7, 0.4 + j, 0.4, "person"}};
  };
}

TEST(PostMonitorTest, StillGuardRaisesInactiveFromStopTime) {
  PostMonitor m(DayPost());
  std::vector<events::Event> ev;
  auto who = StopsAt(At(9), /*jitter=*/0.009, /*moves_again=*/At(9, 10));
  Feed(m, At(8, 30), At(9, 4, 59), who, &ev);
  EXPECT_TRUE(ev.empty());  // still for 4:59 < still_s
  Feed(m, At(9, 4, 59), At(9, 20), who, &ev);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].type, "post_inactive");
  EXPECT_EQ(ev[0].t, At(9));
  EXPECT_FALSE(ev[0].end.has_value());
  EXPECT_EQ(ev[0].track, 7);
  EXPECT_EQ(ev[1].type, "post_inactive");
  EXPECT_EQ(ev[1].t, At(9));
  ASSERT_TRUE(ev[1].end.has_value());
  EXPECT_EQ(*ev[1].end, At(9, 10));
  EXPECT_EQ(nlohmann::json::parse(ev[1].detail)["reason"], "moved");
}

TEST(PostMonitorTest, JitterBelowRadiusIsNotMovementButAboveIs) {
  {
    PostMonitor m(DayPost());
    std::vector<events::Event> ev;
    Feed(m, At(8, 30), At(9, 30), StopsAt(At(9), 0.009, At(12)) /* spread 0.018 < 0.02 */, &ev);
    EXPECT_EQ(OfType(ev, "post_inactive").size(), 1u);
  }
  {
    PostMonitor m(DayPost());
    std::vector<events::Event> ev;
    Feed(m, At(8, 30), At(9, 30), StopsAt(At(9), 0.015, At(12)) /* spread 0.03 > 0.02 */, &ev);
    EXPECT_TRUE(OfType(ev, "post_inactive").empty());
  }
}

TEST(PostMonitorTest, EventsOnlyDuringDutyAndClosedAtShiftEnd) {
  PostMonitor m(DayPost());
  std::vector<events::Event> ev;
  EXPECT_FALSE(m.OnDuty(At(7, 59, 59)));
  EXPECT_TRUE(m.OnDuty(At(8)));
  EXPECT_FALSE(m.OnDuty(At(16)));
  Feed(m, At(6), At(8), Nobody, &ev);
  EXPECT_TRUE(ev.empty());  // empty, but off duty
  Feed(m, At(8), At(18), Nobody, &ev);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].type, "post_vacant");
  EXPECT_EQ(ev[0].t, At(8));  // the shift start
  EXPECT_FALSE(ev[0].end.has_value());
  ASSERT_TRUE(ev[1].end.has_value());
  EXPECT_EQ(*ev[1].end, At(16));
  EXPECT_EQ(nlohmann::json::parse(ev[1].detail)["reason"], "shift_end");
}

TEST(PostMonitorTest, NightShiftInactivityClosedAtShiftEndAcrossMidnight) {
  PostSpec spec = DayPost();
  spec.schedule = MustSchedule({{kDaily, 22 * 60, 6 * 60}}, "UTC");
  PostMonitor m(spec);
  std::vector<events::Event> ev;
  // Walks from 23:50 through midnight, stands still from 05:50 until 07:00.
  Feed(m, At(23, 50), At(31), StopsAt(At(29, 50), 0.0, At(40)), &ev);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].type, "post_inactive");
  EXPECT_EQ(ev[0].t, At(29, 50));  // 05:50 the next day
  ASSERT_TRUE(ev[1].end.has_value());
  EXPECT_EQ(*ev[1].end, At(30));  // the shift ends 06:00
  EXPECT_EQ(nlohmann::json::parse(ev[0].detail)["shift"], "2026-06-01 22:00 UTC");
}

TEST(PostMonitorTest, OtherClassesAndFeetOutsideTheZoneDoNotMan) {
  PostMonitor m(DayPost());
  std::vector<events::Event> ev;
  Feed(
      m, At(8), At(8, 5),
      [](double) {
        return std::vector<PersonObs>{{1, 0.4, 0.4, "vehicle"}, {2, 0.9, 0.9, "person"}};
      },
      &ev);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "post_vacant");
  EXPECT_EQ(ev[0].t, At(8));
}

TEST(PostMonitorTest, DeadCameraCountsAsVacantButNeverInactive) {
  PostMonitor m(DayPost());
  std::vector<events::Event> ev;
  Feed(m, At(8, 50), At(9, 0, 1), StopsAt(At(8, 58), 0.0, At(12)), &ev);  // still for 2 min
  // The camera dies after 09:00:00; the engine advances it with wall time.
  for (double t = At(9, 0, 1); t < At(9, 10); t += 5) {
    m.Advance(t);
    for (auto& e : m.Take()) ev.push_back(e);
  }
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "post_vacant");
  EXPECT_EQ(ev[0].t, At(9));
  // Frames come back with the guard: the vacancy ends.
  Feed(m, At(9, 10), At(9, 11), Walking, &ev);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(*ev[1].end, At(9, 10));
}

TEST(PostMonitorTest, StreamEndClosesOpenConditions) {
  PostMonitor m(DayPost());
  std::vector<events::Event> ev;
  Feed(m, At(8), At(8, 10), Nobody, &ev);
  m.Advance(std::numeric_limits<double>::infinity());
  for (auto& e : m.Take()) ev.push_back(e);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(*ev[1].end, At(8, 10) - kFrameStepS);
  m.Observe(At(8, 20), {});
  EXPECT_TRUE(m.Take().empty());
}

TEST(PostMonitorTest, GuardAlreadyThereAtShiftStartIsNoVacancy) {
  PostMonitor m(DayPost());
  std::vector<events::Event> ev;
  Feed(m, At(7, 30), At(9), Walking, &ev);
  EXPECT_TRUE(ev.empty());
}

TEST(PostMonitorTest, CameraDeadAllDayGivesOneVacancyPerShift) {
  PostMonitor m(DayPost());
  std::vector<events::Event> ev;
  Feed(m, At(6), At(6, 1), Walking, &ev);
  m.Advance(At(6 + 48));  // one jump of two days, no frames
  ev = m.Take();
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[0].t, At(8));
  EXPECT_FALSE(ev[0].end.has_value());
  EXPECT_EQ(*ev[1].end, At(16));
  EXPECT_EQ(ev[2].t, At(24 + 8));
  EXPECT_EQ(*ev[3].end, At(24 + 16));
}

TEST(PostMonitorTest, ValidateNamesThePost) {
  PostSpec p = DayPost();
  p.zone.resize(2);
  Status s = ValidatePost(p);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("gate"), std::string::npos);
  EXPECT_TRUE(ValidatePost(DayPost()).ok());
}

}  // namespace
}  // namespace watchline::duty
