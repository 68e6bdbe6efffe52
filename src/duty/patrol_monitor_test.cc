#include "duty/patrol_monitor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <tuple>

#include "duty/duty_monitor.h"
#include "duty/test_util.h"

namespace watchline::duty {
namespace {

using testing::kDaily;
using testing::kHour;
using testing::MustSchedule;
using testing::Utc;

const double kRun = Utc(2026, 6, 1, 20);  // the run starts 20:00 UTC
constexpr double kFeedStepS = 1.0;
constexpr double kFeedEndS = 4000;  // seconds after the run start the cameras run to

// Route: A (zone on c1) in [0, 600] s, B (line on c2) in [600, 1200] s, C (zone on c3)
// in [1200, 1800] s; one run a day at 20:00 UTC.
PatrolSpec Route() {
  PatrolSpec p;
  p.id = "night-round";
  p.schedule = MustSchedule({{kDaily, 20 * 60, 20 * 60}}, "UTC");
  p.late_limit_s = 1800;
  CheckpointSpec a;
  a.id = "A";
  a.camera = "c1";
  a.zone = {{0.1, 0.1}, {0.3, 0.1}, {0.3, 0.3}, {0.1, 0.3}};
  a.after_s = 0;
  a.within_s = 600;
  CheckpointSpec b;
  b.id = "B";
  b.camera = "c2";
  b.line = {{0.5, 0.0}, {0.5, 1.0}};
  b.after_s = 600;
  b.within_s = 1200;
  CheckpointSpec c = a;
  c.id = "C";
  c.camera = "c3";
  c.after_s = 1200;
  c.within_s = 1800;
  p.checkpoints = {a, b, c};
  EXPECT_TRUE(ValidatePatrol(p).ok());
  return p;
}

// Route() with every window [0, 1800] s, so only the order constrains.
PatrolSpec OpenRoute() {
  PatrolSpec p = Route();
  for (auto& c : p.checkpoints) {
    c.after_s = 0;
    c.within_s = 1800;
  }
  return p;
}

// One camera input: a frame with persons, in per-camera order.
struct Frame {
  std::string camera;
  double t;
  std::vector<PersonObs> persons;
};

// Frames of one camera every second in [kRun - 60, kRun + kFeedEndS), with a person
// passing the camera's checkpoint at each time in `passes` (seconds after the run start).
std::vector<Frame> CameraFeed(const std::string& camera, const std::vector<double>& passes) {
  std::vector<Frame> out;
  for (double s = -60; s < kFeedEndS; s += kFeedStepS) {
    Frame f{camera, kRun + s, {}};
    for (size_t i = 0; i < passes.size(); ++i) {
      double d = s - passes[i];
      if (d < -3 || d > 3) continue;
      int64_t track = 100 + static_cast<int64_t>(i);
      if (camera == "c2") {
        // Walks left to right across x = 0.5, standing on it at d = 0 (counted once).
        f.persons.push_back({track, 0.5 + 0.02 * d, 0.5, "person"});
      } else {
        // Inside the zone (0.1..0.3) for d in [0, 2].
        f.persons.push_back({track, d >= 0 && d <= 2 ? 0.2 : 0.5, 0.2, "person"});
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

struct Scan {
  std::string checkpoint;
  double t;
  std::string source;
};

using EventKey =
    std::tuple<double, std::string, std::string, std::string, std::optional<double>, std::string>;
EventKey Key(const events::Event& e) { return {e.t, e.type, e.camera, e.rule, e.end, e.detail}; }

// Runs the monitor on the inputs in the given arrival order; scans first (they are
// taken as complete when they arrive), then frames, then every camera ends (+inf).
std::vector<events::Event> RunMonitor(const PatrolSpec& spec, const std::vector<Frame>& frames,
                                      const std::vector<Scan>& scans = {}) {
  DutyMonitor m({}, {spec});
  std::vector<events::Event> out;
  for (const auto& s : scans) EXPECT_TRUE(m.Scan(s.checkpoint, s.t, s.source).ok());
  for (const auto& f : frames) {
    m.OnPersons(f.camera, f.t, f.persons);
    for (auto& e : m.Take()) out.push_back(std::move(e));
  }
  for (const char* cam : {"c1", "c2", "c3"}) m.AdvanceCamera(cam, std::numeric_limits<double>::infinity());
  for (auto& e : m.Take()) out.push_back(std::move(e));
  return out;
}

std::vector<Frame> InOrder(std::vector<std::vector<Frame>> feeds) {
  std::vector<Frame> all;
  for (auto& f : feeds) all.insert(all.end(), f.begin(), f.end());
  std::stable_sort(all.begin(), all.end(), [](const Frame& a, const Frame& b) { return a.t < b.t; });
  return all;
}

std::vector<events::Event> OfType(const std::vector<events::Event>& all, const std::string& type) {
  std::vector<events::Event> out;
  for (const auto& e : all)
    if (e.type == type) out.push_back(e);
  return out;
}

nlohmann::json D(const events::Event& e) { return nlohmann::json::parse(e.detail); }

TEST(PatrolMonitorTest, AllCheckpointsOnTime) {
  auto ev = RunMonitor(Route(),
                       InOrder({CameraFeed("c1", {100}), CameraFeed("c2", {700}), CameraFeed("c3", {1300})}));
  auto cps = OfType(ev, "patrol_checkpoint");
  ASSERT_EQ(cps.size(), 3u);
  EXPECT_EQ(ev.size(), 3u);  // nothing missed or late
  EXPECT_EQ(D(cps[0])["checkpoint"], "A");
  EXPECT_EQ(cps[0].t, kRun + 100);
  EXPECT_EQ(cps[0].camera, "c1");
  EXPECT_EQ(cps[0].rule, "night-round");
  EXPECT_EQ(D(cps[0])["status"], "on_time");
  EXPECT_EQ(D(cps[0])["source"], "video:c1/100");
  EXPECT_EQ(D(cps[0])["run"], "2026-06-01 20:00 UTC");
  EXPECT_EQ(D(cps[1])["checkpoint"], "B");
  EXPECT_DOUBLE_EQ(cps[1].t, kRun + 700);  // line crossing interpolated between frames
  EXPECT_EQ(D(cps[2])["checkpoint"], "C");
  EXPECT_EQ(cps[2].t, kRun + 1300);
}

TEST(PatrolMonitorTest, SkippedCheckpointIsMissed) {
  auto ev =
      RunMonitor(Route(), InOrder({CameraFeed("c1", {100}), CameraFeed("c2", {}), CameraFeed("c3", {1300})}));
  auto missed = OfType(ev, "patrol_missed");
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_EQ(D(missed[0])["checkpoint"], "B");
  EXPECT_EQ(missed[0].t, kRun + 1200);  // the window end
  EXPECT_EQ(missed[0].camera, "c2");
  EXPECT_FALSE(missed[0].end.has_value());
  EXPECT_EQ(D(missed[0])["window"][1].get<double>(), kRun + 1200);
  EXPECT_TRUE(OfType(ev, "patrol_late").empty());
  auto cps = OfType(ev, "patrol_checkpoint");
  ASSERT_EQ(cps.size(), 2u);  // A, and C (after B's window end) on time
  EXPECT_EQ(D(cps[1])["checkpoint"], "C");
  EXPECT_EQ(D(cps[1])["status"], "on_time");
}

TEST(PatrolMonitorTest, LateVisitIsLateAndClosesTheMiss) {
  auto ev = RunMonitor(
      Route(), InOrder({CameraFeed("c1", {100}), CameraFeed("c2", {1500}), CameraFeed("c3", {1600})}));
  auto missed = OfType(ev, "patrol_missed");
  ASSERT_EQ(missed.size(), 2u);
  EXPECT_EQ(missed[0].t, kRun + 1200);
  EXPECT_FALSE(missed[0].end.has_value());
  EXPECT_EQ(missed[1].t, kRun + 1200);
  ASSERT_TRUE(missed[1].end.has_value());
  EXPECT_DOUBLE_EQ(*missed[1].end, kRun + 1500);
  auto late = OfType(ev, "patrol_late");
  ASSERT_EQ(late.size(), 1u);
  EXPECT_DOUBLE_EQ(late[0].t, kRun + 1500);
  EXPECT_DOUBLE_EQ(D(late[0])["late_by_s"].get<double>(), 300);
  EXPECT_EQ(D(late[0])["checkpoint"], "B");
  auto cps = OfType(ev, "patrol_checkpoint");
  ASSERT_EQ(cps.size(), 3u);
  EXPECT_EQ(D(cps[1])["status"], "late");
  EXPECT_EQ(D(cps[2])["status"], "on_time");  // C at 1600, after B's visit
}

TEST(PatrolMonitorTest, TooLateIsMissedForGood) {
  // B's visit at 3100 s is past window end (1200) + late_limit (1800).
  auto ev =
      RunMonitor(Route(), InOrder({CameraFeed("c1", {100}), CameraFeed("c2", {3100}), CameraFeed("c3", {})}));
  EXPECT_TRUE(OfType(ev, "patrol_late").empty());
  auto missed = OfType(ev, "patrol_missed");
  ASSERT_EQ(missed.size(), 2u);  // B and C
  EXPECT_EQ(D(missed[0])["checkpoint"], "B");
  EXPECT_FALSE(missed[0].end.has_value());
  EXPECT_EQ(D(missed[1])["checkpoint"], "C");
}

TEST(PatrolMonitorTest, CheckpointsCountOnlyInOrder) {
  // C is passed before B: that pass does not count for C.
  auto ev = RunMonitor(OpenRoute(),
                       InOrder({CameraFeed("c1", {100}), CameraFeed("c2", {300}), CameraFeed("c3", {200})}));
  auto missed = OfType(ev, "patrol_missed");
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_EQ(D(missed[0])["checkpoint"], "C");
  // Passing C again after B counts.
  ev = RunMonitor(OpenRoute(),
                  InOrder({CameraFeed("c1", {100}), CameraFeed("c2", {300}), CameraFeed("c3", {200, 400})}));
  EXPECT_TRUE(OfType(ev, "patrol_missed").empty());
  auto cps = OfType(ev, "patrol_checkpoint");
  ASSERT_EQ(cps.size(), 3u);
  EXPECT_EQ(cps[2].t, kRun + 400);
  EXPECT_EQ(D(cps[2])["source"], "video:c3/101");
}

TEST(PatrolMonitorTest, ShuffledArrivalAcrossCamerasGivesIdenticalEvents) {
  std::vector<std::vector<Frame>> feeds = {CameraFeed("c1", {100, 900}), CameraFeed("c2", {1500}),
                                           CameraFeed("c3", {1000, 1600})};
  std::vector<Scan> scans = {{"A", kRun + 50, "scan:rfid-1"}};
  auto sorted_keys = [](const std::vector<events::Event>& ev) {
    std::vector<EventKey> k;
    for (const auto& e : ev) k.push_back(Key(e));
    std::sort(k.begin(), k.end());
    return k;
  };
  auto reference = sorted_keys(RunMonitor(Route(), InOrder(feeds), scans));
  ASSERT_EQ(reference.size(), 6u);  // A, B late (+ miss open/closed, late), C

  // Whole cameras one after another, in every order.
  std::vector<int> order = {0, 1, 2};
  do {
    std::vector<Frame> all;
    for (int i : order) all.insert(all.end(), feeds[i].begin(), feeds[i].end());
    EXPECT_EQ(sorted_keys(RunMonitor(Route(), all, scans)), reference);
  } while (std::next_permutation(order.begin(), order.end()));

  // Random interleavings that keep each camera's own order.
  std::mt19937 rng(12345);
  for (int trial = 0; trial < 4; ++trial) {
    std::vector<size_t> pos(feeds.size(), 0);
    std::vector<Frame> all;
    while (all.size() < feeds[0].size() * feeds.size()) {
      size_t c = rng() % feeds.size();
      size_t burst = 1 + rng() % 500;
      for (size_t i = 0; i < burst && pos[c] < feeds[c].size(); ++i) all.push_back(feeds[c][pos[c]++]);
    }
    EXPECT_EQ(sorted_keys(RunMonitor(Route(), all, scans)), reference) << "trial " << trial;
  }
}

TEST(PatrolMonitorTest, ScansAreMergedWithVideo) {
  // No video pass at B, but a guard-tour scan in its window.
  auto ev =
      RunMonitor(Route(), InOrder({CameraFeed("c1", {100}), CameraFeed("c2", {}), CameraFeed("c3", {1300})}),
                 {{"B", kRun + 700, "scan:rfid-7"}});
  EXPECT_TRUE(OfType(ev, "patrol_missed").empty());
  auto cps = OfType(ev, "patrol_checkpoint");
  ASSERT_EQ(cps.size(), 3u);
  EXPECT_EQ(D(cps[1])["checkpoint"], "B");
  EXPECT_EQ(D(cps[1])["source"], "scan:rfid-7");
  EXPECT_EQ(cps[1].t, kRun + 700);
  // Video and scan at the same checkpoint: the earlier counts.
  ev = RunMonitor(Route(),
                  InOrder({CameraFeed("c1", {100}), CameraFeed("c2", {800}), CameraFeed("c3", {1300})}),
                  {{"B", kRun + 900, "scan:rfid-7"}});
  cps = OfType(ev, "patrol_checkpoint");
  ASSERT_EQ(cps.size(), 3u);
  EXPECT_EQ(D(cps[1])["source"], "video:c2/100");
}

TEST(PatrolMonitorTest, UnknownScanCheckpointIsNotFound) {
  DutyMonitor m({}, {Route()});
  Status s = m.Scan("Z", kRun, "scan:rfid-1");
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_NE(s.message().find("'Z'"), std::string::npos);
  EXPECT_TRUE(m.Scan("A", kRun, "scan:rfid-1").ok());
}

TEST(PatrolMonitorTest, NothingIsJudgedBeforeTheCameraCatchesUp) {
  DutyMonitor m({}, {Route()});
  // c1 runs far ahead; c2 has not delivered anything yet.
  for (const auto& f : CameraFeed("c1", {100})) m.OnPersons(f.camera, f.t, f.persons);
  auto ev = m.Take();
  ASSERT_EQ(ev.size(), 1u);  // A is final; B waits for c2's evidence
  EXPECT_EQ(D(ev[0])["checkpoint"], "A");
  m.AdvanceCamera("c2", kRun + 1199);
  EXPECT_TRUE(m.Take().empty());
  m.AdvanceCamera("c2", kRun + 1200);
  ev = m.Take();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "patrol_missed");
}

TEST(PatrolMonitorTest, EveryDaysRunIsJudged) {
  PatrolMonitor m(Route());
  std::vector<events::Event> ev;
  for (int day = 0; day < 3; ++day) {
    double run = kRun + day * 24 * kHour;
    ASSERT_TRUE(m.Visit("A", run + 100, "scan:a"));
    if (day == 1) m.Visit("B", run + 700, "scan:b");
    m.Visit("C", run + 1300, "scan:c");
  }
  for (double t = kRun - kHour; t < kRun + 51 * kHour; t += 60) {
    for (const char* c : {"c1", "c2", "c3"}) m.AdvanceCamera(c, t);
    for (auto& e : m.Take()) ev.push_back(e);
  }
  auto cps = OfType(ev, "patrol_checkpoint");
  ASSERT_EQ(cps.size(), 7u);
  auto missed = OfType(ev, "patrol_missed");
  ASSERT_EQ(missed.size(), 2u);
  EXPECT_EQ(missed[0].t, kRun + 1200);
  EXPECT_EQ(missed[1].t, kRun + 48 * kHour + 1200);
  EXPECT_EQ(D(missed[1])["run"], "2026-06-03 20:00 UTC");
}

// Bug: visits were pruned while a camera that had not reported yet could still
// bring back an earlier run.
TEST(PatrolMonitorTest, CameraRunningDaysAheadKeepsVisitsForEarlierRuns) {
  PatrolMonitor m(Route());
  std::vector<events::Event> ev;
  for (double t = kRun + 60; t < kRun + 51 * kHour; t += 60) {  // c1 starts after the first run did
    for (int day = 0; day < 3; ++day)
      if (t == kRun + day * 24 * kHour + 120) m.Visit("A", t - 20, "video:c1/1");
    m.AdvanceCamera("c1", t);
  }
  for (const char* c : {"c2", "c3"}) {
    for (double t = kRun - kHour; t < kRun + 51 * kHour; t += 60) m.AdvanceCamera(c, t);
  }
  ev = m.Take();
  std::stable_sort(ev.begin(), ev.end(), [](const auto& a, const auto& b) { return a.t < b.t; });
  auto cps = OfType(ev, "patrol_checkpoint");
  ASSERT_EQ(cps.size(), 3u);
  EXPECT_EQ(cps[0].t, kRun + 100);                    // the first run, found only when c2 reported
  EXPECT_EQ(OfType(ev, "patrol_missed").size(), 6u);  // B and C, every day
}

TEST(PatrolMonitorTest, FixedTimeWindowsFollowLocalTime) {
  PatrolSpec p = Route();
  p.schedule = MustSchedule({{kDaily, 22 * 60, 22 * 60}}, "Europe/Berlin");
  CheckpointSpec& c = p.checkpoints[0];
  c.within_s.reset();
  c.at_min = 2 * 60 + 30;  // 02:30 local, the night after the run starts
  c.tolerance_s = 300;
  ASSERT_TRUE(ValidatePatrol(p).ok());
  double run = Utc(2026, 10, 24, 20);  // 22:00 CEST
  Window w = CheckpointWindow(p, c, run);
  EXPECT_EQ(w.open, Utc(2026, 10, 25, 0, 25));  // the first 02:30 (CEST)
  EXPECT_EQ(w.close, Utc(2026, 10, 25, 0, 35));
}

TEST(PatrolMonitorTest, ValidateRejectsBadRoutes) {
  PatrolSpec p = Route();
  p.checkpoints[1].id = "A";
  EXPECT_TRUE(ValidatePatrol(p).IsInvalidArgument());
  p = Route();
  p.checkpoints[2].within_s.reset();
  Status s = ValidatePatrol(p);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("'C'"), std::string::npos);
  p = Route();
  p.checkpoints[0].camera = "";
  EXPECT_TRUE(ValidatePatrol(p).IsInvalidArgument());
}

}  // namespace
}  // namespace watchline::duty
