#include "duty/duty_monitor.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "duty/test_util.h"

namespace watchline::duty {
namespace {

using testing::kDaily;
using testing::kHour;
using testing::MustSchedule;
using testing::Utc;

const double kDay = Utc(2026, 6, 1);

PostSpec Gate() {
  PostSpec p;
  p.id = "gate";
  p.camera = "c1";
  p.zone = {{0.2, 0.2}, {0.6, 0.2}, {0.6, 0.6}, {0.2, 0.6}};
  p.schedule = MustSchedule({{kDaily, 8 * 60, 16 * 60}}, "UTC");
  p.vacant_s = 60;
  return p;
}

PatrolSpec Fence() {
  PatrolSpec p;
  p.id = "fence";
  p.schedule = MustSchedule({{kDaily, 9 * 60, 9 * 60}}, "UTC");
  CheckpointSpec a;
  a.id = "north";
  a.camera = "c2";
  a.line = {{0.5, 0.0}, {0.5, 1.0}};
  a.within_s = 600;
  CheckpointSpec b;
  b.id = "south";
  b.camera = "c3";
  b.line = {{0.0, 0.5}, {1.0, 0.5}};
  b.after_s = 0;
  b.within_s = 1200;
  p.checkpoints = {a, b};
  return p;
}

TEST(DutyMonitorTest, MakeValidatesSpecs) {
  PostSpec bad = Gate();
  bad.vacant_s = 0;
  auto m = DutyMonitor::Make({bad}, {});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("gate"), std::string::npos);
  EXPECT_TRUE(DutyMonitor::Make({Gate()}, {Fence()}).ok());
}

TEST(DutyMonitorTest, PostOnDutyFollowsTheSchedule) {
  DutyMonitor m({Gate()}, {});
  EXPECT_TRUE(m.PostOnDuty("gate", kDay + 9 * kHour));
  EXPECT_FALSE(m.PostOnDuty("gate", kDay + 17 * kHour));
  EXPECT_FALSE(m.PostOnDuty("nope", kDay + 9 * kHour));
}

TEST(DutyMonitorTest, LineCrossingsInEitherDirectionAreInterpolated) {
  DutyMonitor m({}, {Fence()});
  const double run = kDay + 9 * kHour;
  m.AdvanceCamera("c2", run - 10);
  m.AdvanceCamera("c3", run - 10);
  // c2: right to left across x = 0.5, between frames at 100 s and 101 s (at 100.25 s).
  m.OnPersons("c2", run + 100, {{5, 0.6, 0.5, "person"}});
  m.OnPersons("c2", run + 101, {{5, 0.2, 0.5, "person"}});
  // c3: upwards across y = 0.5 at 200.5 s; a vehicle crossing earlier does not count.
  m.OnPersons("c3", run + 150, {{8, 0.5, 0.9, "vehicle"}});
  m.OnPersons("c3", run + 151, {{8, 0.5, 0.1, "vehicle"}});
  m.OnPersons("c3", run + 200, {{9, 0.5, 0.6, "person"}});
  m.OnPersons("c3", run + 201, {{9, 0.5, 0.4, "person"}});
  m.AdvanceCamera("c2", run + 2000);
  m.AdvanceCamera("c3", run + 2000);
  auto ev = m.Take();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].type, "patrol_checkpoint");
  EXPECT_DOUBLE_EQ(ev[0].t, run + 100.25);
  EXPECT_EQ(nlohmann::json::parse(ev[1].detail)["source"], "video:c3/9");
  EXPECT_DOUBLE_EQ(ev[1].t, run + 200.5);
}

// Posts and patrols fed from two threads give the same events as one thread.
TEST(DutyMonitorTest, ConcurrentCamerasGiveTheSameEvents) {
  const double start = kDay + 8.9 * kHour;
  auto feed_c1 = [&](DutyMonitor& m) {  // the gate: manned until 9:00, then empty
    for (double t = start; t < start + 1800; t += 1)
      m.OnPersons("c1", t,
                  t < kDay + 9 * kHour ? std::vector<PersonObs>{{1, 0.3 + 0.1 * (int(t) % 2), 0.3}}
                                       : std::vector<PersonObs>{});
  };
  auto feed_c23 = [&](DutyMonitor& m) {
    for (double t = start; t < start + 1800; t += 1) {
      double s = t - (kDay + 9 * kHour);
      m.OnPersons("c2", t, {{2, s < 300 ? 0.4 : 0.6, 0.5}});  // crosses at 300 s
      m.OnPersons("c3", t, {{3, 0.5, s < 900 ? 0.6 : 0.4}});  // crosses at 900 s
    }
  };
  auto finish = [](DutyMonitor& m) {
    for (const char* c : {"c1", "c2", "c3"}) m.AdvanceCamera(c, std::numeric_limits<double>::infinity());
  };
  auto keys = [](std::vector<events::Event> ev) {
    std::vector<std::string> k;
    for (const auto& e : ev) k.push_back(events::ToJsonLine(e));
    std::sort(k.begin(), k.end());
    return k;
  };
  DutyMonitor serial({Gate()}, {Fence()});
  feed_c1(serial);
  feed_c23(serial);
  finish(serial);
  auto expected = keys(serial.Take());
  ASSERT_EQ(expected.size(), 4u);  // vacant open + closed at stream end, two checkpoints

  DutyMonitor parallel({Gate()}, {Fence()});
  std::vector<events::Event> got;
  std::thread a([&] { feed_c1(parallel); });
  std::thread b([&] { feed_c23(parallel); });
  for (int i = 0; i < 50; ++i) {
    for (auto& e : parallel.Take()) got.push_back(e);
    std::this_thread::yield();
  }
  a.join();
  b.join();
  finish(parallel);
  for (auto& e : parallel.Take()) got.push_back(e);
  EXPECT_EQ(keys(got), expected);
}

TEST(DutyMonitorTest, SpecsFromConfig) {
  config::PostConfig pc;
  pc.id = "gate";
  pc.camera = "c1";
  pc.zone = {{0, 0}, {1, 0}, {1, 1}};
  pc.schedule.tz = "Europe/Berlin";
  pc.schedule.shifts = {{{6}, 22 * 60, 6 * 60}};
  auto post = PostSpecFromConfig(pc);
  ASSERT_TRUE(post.ok()) << post.status().ToString();
  EXPECT_EQ(post->schedule.tz(), "Europe/Berlin");
  pc.schedule.tz = "Nowhere/Land";
  pc.line = 12;
  auto bad = PostSpecFromConfig(pc);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 12"), std::string::npos);

  config::PatrolConfig tc;
  tc.id = "round";
  tc.starts = {21 * 60, 3 * 60};
  config::CheckpointConfig cc;
  cc.id = "A";
  cc.camera = "c1";
  cc.zone = {{0, 0}, {1, 0}, {1, 1}};
  cc.within_s = 600;
  tc.checkpoints = {cc};
  auto patrol = PatrolSpecFromConfig(tc);
  ASSERT_TRUE(patrol.ok()) << patrol.status().ToString();
  // Two runs a day: 03:00 and 21:00.
  auto runs = patrol->schedule.Instances(kDay, kDay + 24 * kHour - 1);
  int starts_today = 0;
  for (const auto& r : runs) starts_today += r.start >= kDay;
  EXPECT_EQ(starts_today, 2);
}

}  // namespace
}  // namespace watchline::duty
