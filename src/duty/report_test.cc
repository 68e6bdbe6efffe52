#include "duty/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "duty/test_util.h"

namespace watchline::duty {
namespace {

using testing::kHour;
using testing::MustSchedule;
using testing::Utc;

constexpr int kSat = 6;

events::Event Ev(const std::string& type, const std::string& rule, double t, std::optional<double> end) {
  events::Event e;
  e.type = type;
  e.camera = "c9";
  e.rule = rule;
  e.t = t;
  e.end = end;
  return e;
}

// Saturday night 22:00-06:00 in Berlin; on 2026-10-24 it lasts 9 h (clocks go back).
PostSpec Tower() {
  PostSpec p;
  p.id = "tower";
  p.camera = "c9";
  p.zone = {{0, 0}, {1, 0}, {1, 1}};
  p.schedule = MustSchedule({{{kSat}, 22 * 60, 6 * 60}}, "Europe/Berlin");
  return p;
}

const double kShiftStart = Utc(2026, 10, 24, 20);  // 22:00 CEST
const double kShiftEnd = Utc(2026, 10, 25, 5);     // 06:00 CET
const double kV1 = Utc(2026, 10, 24, 22);
const double kV2 = Utc(2026, 10, 25, 4, 30);
const double kI = Utc(2026, 10, 24, 23);

std::vector<events::Event> TowerNight() {
  return {
      Ev("post_vacant", "tower", kV1, std::nullopt),      // raised ...
      Ev("post_vacant", "tower", kV1, kV1 + 1800),        // ... and ended 30 min later
      Ev("post_vacant", "tower", kV1 + 900, kV1 + 2400),  // overlaps: union is 2400 s
      Ev("post_vacant", "tower", kV2, std::nullopt),      // still open: runs to the shift end
      Ev("post_vacant", "gate", kV1, kV1 + 5000),         // another post
      Ev("post_inactive", "tower", kI, std::nullopt),    Ev("post_inactive", "tower", kI, kI + 600),
  };
}

TEST(ReportTest, PostPercentagesOverADaylightSavingNight) {
  Report r = BuildReport({Tower()}, {}, TowerNight(), Utc(2026, 10, 24), Utc(2026, 10, 26));
  ASSERT_EQ(r.posts.size(), 1u);
  const PostShiftReport& p = r.posts[0];
  EXPECT_EQ(p.shift, "2026-10-24 22:00 Europe/Berlin");
  EXPECT_EQ(p.start, kShiftStart);
  EXPECT_EQ(p.end, kShiftEnd);
  EXPECT_DOUBLE_EQ(p.duty_s, 9 * kHour);
  EXPECT_DOUBLE_EQ(p.vacant_s, 2400 + 1800);
  EXPECT_NEAR(p.manned_pct, 100.0 * (32400 - 4200) / 32400, 1e-9);  // 87.04 %
  ASSERT_EQ(p.inactivity.size(), 1u);
  EXPECT_EQ(p.inactivity[0].t, kI);
  ASSERT_TRUE(p.inactivity[0].end.has_value());
  EXPECT_DOUBLE_EQ(p.inactivity[0].duration_s, 600);
}

TEST(ReportTest, PeriodClipsDutyAndOpenVacancies) {
  // Up to 04:45 UTC: duty 8 h 45 min; the open vacancy counts 15 min.
  Report r = BuildReport({Tower()}, {}, TowerNight(), Utc(2026, 10, 24), Utc(2026, 10, 25, 4, 45));
  ASSERT_EQ(r.posts.size(), 1u);
  EXPECT_DOUBLE_EQ(r.posts[0].duty_s, 31500);
  EXPECT_DOUBLE_EQ(r.posts[0].vacant_s, 2400 + 900);
  EXPECT_NEAR(r.posts[0].manned_pct, 100.0 * (31500 - 3300) / 31500, 1e-9);
  // From 21:00 UTC only: the first hour is outside the period.
  r = BuildReport({Tower()}, {}, TowerNight(), Utc(2026, 10, 24, 21), Utc(2026, 10, 26));
  EXPECT_DOUBLE_EQ(r.posts[0].duty_s, 8 * kHour);
  EXPECT_DOUBLE_EQ(r.posts[0].vacant_s, 2400 + 1800);
  // A period with no shift.
  r = BuildReport({Tower()}, {}, TowerNight(), Utc(2026, 10, 26), Utc(2026, 10, 27));
  EXPECT_TRUE(r.posts.empty());
}

TEST(ReportTest, SpringNightIsSevenHours) {
  Report r = BuildReport({Tower()}, {}, {}, Utc(2026, 3, 28), Utc(2026, 3, 30));
  ASSERT_EQ(r.posts.size(), 1u);
  EXPECT_DOUBLE_EQ(r.posts[0].duty_s, 7 * kHour);
  EXPECT_DOUBLE_EQ(r.posts[0].manned_pct, 100);
}

PatrolSpec TwoPoints() {
  PatrolSpec p;
  p.id = "round";
  p.schedule = MustSchedule({{{0, 1, 2, 3, 4, 5, 6}, 20 * 60, 20 * 60}}, "UTC");
  CheckpointSpec a;
  a.id = "A";
  a.camera = "c1";
  a.zone = {{0, 0}, {1, 0}, {1, 1}};
  a.within_s = 600;
  CheckpointSpec b = a;
  b.id = "B";
  b.camera = "c2";
  b.after_s = 600;
  b.within_s = 1200;
  CheckpointSpec c = b;
  c.id = "C";
  c.after_s = 1200;
  c.within_s = 1800;
  p.checkpoints = {a, b, c};
  return p;
}

TEST(ReportTest, PatrolCheckpointsFromStoredEvents) {
  const double run = Utc(2026, 6, 1, 20);
  PatrolMonitor m(TwoPoints());
  m.AdvanceCamera("c1", run - 60);  // monitoring began before the run
  m.AdvanceCamera("c2", run - 60);
  ASSERT_TRUE(m.Visit("A", run + 100, "scan:1"));
  ASSERT_TRUE(m.Visit("B", run + 1500, "scan:2"));  // late
  m.AdvanceCamera("c1", run + 4000);
  m.AdvanceCamera("c2", run + 4000);  // C: never visited -> missed
  auto stored = m.Take();
  Report r = BuildReport({}, {TwoPoints()}, stored, run - kHour, run + 2 * kHour);
  ASSERT_EQ(r.patrols.size(), 1u);
  const PatrolRunReport& p = r.patrols[0];
  EXPECT_EQ(p.run, "2026-06-01 20:00 UTC");
  ASSERT_EQ(p.checkpoints.size(), 3u);
  EXPECT_EQ(p.checkpoints[0].status, "on_time");
  EXPECT_EQ(p.checkpoints[0].t, run + 100);
  EXPECT_EQ(p.checkpoints[1].status, "late");
  EXPECT_EQ(p.checkpoints[1].t, run + 1500);
  EXPECT_EQ(p.checkpoints[2].status, "missed");
  EXPECT_EQ(p.checkpoints[2].t, run + 1800);
  EXPECT_EQ(p.on_time, 1);
  EXPECT_EQ(p.late, 1);
  EXPECT_EQ(p.missed, 1);
  EXPECT_EQ(p.pending, 0);

  // The same events before c2's evidence is complete: B and C are pending.
  PatrolMonitor early(TwoPoints());
  early.AdvanceCamera("c2", run - 60);
  early.Visit("A", run + 100, "scan:1");
  early.AdvanceCamera("c1", run + 4000);
  r = BuildReport({}, {TwoPoints()}, early.Take(), run - kHour, run + 2 * kHour);
  ASSERT_EQ(r.patrols.size(), 1u);
  EXPECT_EQ(r.patrols[0].on_time, 1);
  EXPECT_EQ(r.patrols[0].pending, 2);
}

TEST(ReportTest, JsonCarriesIsoAndEpochTimes) {
  Report r = BuildReport({Tower()}, {}, TowerNight(), Utc(2026, 10, 24), Utc(2026, 10, 26));
  auto j = nlohmann::json::parse(ReportToJson(r));
  EXPECT_EQ(j["from"], "2026-10-24T00:00:00Z");
  EXPECT_EQ(j["to_epoch"].get<double>(), Utc(2026, 10, 26));
  ASSERT_EQ(j["posts"].size(), 1u);
  EXPECT_EQ(j["posts"][0]["start"], "2026-10-24T20:00:00Z");
  EXPECT_EQ(j["posts"][0]["end"], "2026-10-25T05:00:00Z");
  EXPECT_DOUBLE_EQ(j["posts"][0]["duty_s"].get<double>(), 32400);
  EXPECT_EQ(j["posts"][0]["inactivity"][0]["end"], "2026-10-24T23:10:00Z");
  EXPECT_TRUE(j["patrols"].is_array());
}

TEST(ReportTest, CsvQuotesPerRfc4180) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(""), "");

  PostSpec p = Tower();
  p.id = "tower, \"north\"";
  auto stored = TowerNight();
  for (auto& e : stored)
    if (e.rule == "tower") e.rule = p.id;
  // Up to midnight UTC: 4 h of duty, 40 min vacant.
  Report r = BuildReport({p}, {TwoPoints()}, stored, Utc(2026, 10, 24), Utc(2026, 10, 25));
  std::string csv = ReportToCsv(r);
  std::string header =
      "kind,id,camera,period,start,end,duty_s,vacant_s,manned_pct,inactive_episodes,inactive_s,checkpoint,"
      "status,t\r\n";
  ASSERT_EQ(csv.rfind(header, 0), 0u) << csv;
  EXPECT_NE(csv.find("post,\"tower, \"\"north\"\"\",c9,2026-10-24 22:00 Europe/Berlin,2026-10-24T20:00:00Z,"
                     "2026-10-25T05:00:00Z,14400.0,2400.0,83.33,1,600.0,,,\r\n"),
            std::string::npos)
      << csv;
  // The patrol run of 2026-10-24 20:00 UTC: three checkpoint rows, pending.
  EXPECT_NE(csv.find("checkpoint,round,c1,2026-10-24 20:00 UTC,2026-10-24T20:00:00Z,,,,,,,A,pending,\r\n"),
            std::string::npos)
      << csv;
  size_t rows = 0;
  for (size_t i = csv.find("\r\n"); i != std::string::npos; i = csv.find("\r\n", i + 2)) ++rows;
  EXPECT_EQ(rows, 1u + 1u + 3u);
}

}  // namespace
}  // namespace watchline::duty
