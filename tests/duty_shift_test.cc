// A full simulated 8-hour night shift through the real pipeline, faster than
// real time: two simulated cameras rendered as recorded clips (sim://...&live=0)
// -> ingest -> analysis (background, tracker, classifier) -> duty monitor ->
// SQLite store, by `watchline replay`; then `watchline report` from the store.
//
// The story (clip time 0 = 21:50 UTC; the post's shift is 22:00-06:00 UTC):
//   post "gate" on c1: a guard arrives at 21:53 and paces between two spots
//     in the post zone (40 s standing, 20 s walking), leaves at 01:00, comes
//     back at 01:30, stands perfectly still from 03:00 to 03:20, paces on and
//     leaves at 06:05. Expected: one vacancy of ~30 min, one inactivity
//     episode of ~20 min, manned 93.75% of the 8-hour shift.
//   patrol "round" (runs at 23:00, 02:00, 05:00): cp1 (zone, c2, within
//     10 min) -> cp2 (line, c1, within 20 min) -> cp3 (zone, c2, within 30 min).
//     Run 1 passes all on time; run 2 skips cp2 (missed); run 3 reaches cp1
//     late (at +15 min). Tracks on c1 and c2 are linked by order and time only.
// Every case of the issue (a post abandoned, a guard still for 10+ minutes, a
// skipped checkpoint, a late one) is in this one shift.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/sqlite_store.h"
#include "test_util.h"

namespace watchline {
namespace {

using nlohmann::json;
using testing::RunCmd;
using testing::TempDir;
using testing::WatchlineBinary;
using testing::WriteFile;

constexpr double kShiftS = 8 * 3600;
constexpr double kClipS = 30000;  // 21:50 .. 06:10
// Clip seconds of the story's moments.
constexpr double k2300 = 4200, k0100 = 11400, k0130 = 13200, k0200 = 15000, k0300 = 18600,
                 k0320 = 19800, k0500 = 25800, k0605 = 29700;

struct Path {
  json points = json::array();
  double t = 0;
  double x = 0, y = 0;
  void At(double when, double px, double py) {
    points.push_back({when, px, py});
    t = when, x = px, y = py;
  }
  // Walks from the current point to (px, py) at `speed` normalised units/s.
  void WalkTo(double px, double py, double speed) {
    const double d = std::hypot(px - x, py - y);
    At(t + std::max(1.0, d / speed), px, py);
  }
  void StandUntil(double when) {
    if (when > t) At(when, x, y);
  }
};

json Person(const Path& p) { return {{"kind", "person"}, {"path", p.points}}; }

// The guard at post "gate" (zone x 0.35..0.65, y 0.6..0.85 on c1).
json Guard() {
  const double ax = 0.44, ay = 0.70, bx = 0.56, by = 0.74;
  Path p;
  p.At(200, 0.0, 0.72);
  p.WalkTo(ax, ay, 0.03);
  bool at_a = true;
  auto pace = [&](double until) {
    while (p.t + 60 < until) {
      p.StandUntil(p.t + 40);
      at_a ? p.WalkTo(bx, by, 0.01) : p.WalkTo(ax, ay, 0.01);
      at_a = !at_a;
    }
  };
  pace(k0100);
  p.StandUntil(k0100);
  p.WalkTo(1.0, 0.72, 0.03);  // leaves the post
  p.At(k0130, 1.0, 0.72);     // ... and comes back half an hour later
  p.WalkTo(ax, ay, 0.03);
  at_a = true;
  pace(k0300);
  p.StandUntil(k0300);
  p.StandUntil(k0320);  // perfectly still for 20 minutes
  at_a ? p.WalkTo(bx, by, 0.01) : p.WalkTo(ax, ay, 0.01);
  at_a = !at_a;
  pace(k0605);
  p.StandUntil(k0605);
  p.WalkTo(1.0, 0.72, 0.03);
  return Person(p);
}

// c1: the guard, and the patrol crossing cp2 (x = 0.85) in runs 1 and 3.
json C1Script() {
  json actors = json::array({Guard()});
  for (double visit : {k2300 + 500, k0500 + 1100}) {
    Path p;
    p.At(visit - 10, 0.98, 0.50);
    p.WalkTo(0.72, 0.50, 0.026);
    p.WalkTo(0.72, 1.0, 0.03);
    actors.push_back(Person(p));
  }
  return {{"actors", actors}};
}

// c2: the patrol at cp1 (x 0.1..0.3) and cp3 (x 0.7..0.9), y 0.6..0.8.
json C2Script() {
  json actors = json::array();
  const double cp1[] = {k2300 + 120, k0200 + 120, k0500 + 900};   // run 3: late
  const double cp3[] = {k2300 + 900, k0200 + 1500, k0500 + 1400};
  for (int run = 0; run < 3; ++run) {
    for (auto [visit, x] : {std::pair{cp1[run], 0.2}, std::pair{cp3[run], 0.8}}) {
      Path p;
      p.At(visit - 15, x, 1.0);
      p.WalkTo(x, 0.70, 0.025);
      p.StandUntil(p.t + 20);
      p.WalkTo(x, 1.0, 0.025);
      actors.push_back(Person(p));
    }
  }
  return {{"actors", actors}};
}

std::string SiteYaml(const TempDir& dir) {
  auto source = [&](const char* name, int seed, const std::string& script) {
    return "\"sim://" + std::string(name) + "?seed=" + std::to_string(seed) +
           "&people=0&vehicles=0&duration=" + std::to_string(static_cast<int>(kClipS)) +
           "&fps=5&live=0&script=" + script + "\"";
  };
  return "site: {name: shift, data_dir: " + dir / "var" +
         "}\n"
         "cameras:\n"
         "  - id: c1\n"
         "    source: " + source("post", 5, dir / "c1.json") + "\n"
         "    analysis: {width: 320, fps: 5}\n"
         "  - id: c2\n"
         "    source: " + source("yard", 6, dir / "c2.json") + "\n"
         "    analysis: {width: 320, fps: 5}\n"
         "posts:\n"
         "  - id: gate\n"
         "    camera: c1\n"
         "    zone: [[0.35, 0.6], [0.65, 0.6], [0.65, 0.85], [0.35, 0.85]]\n"
         "    schedule: {tz: UTC, shifts: [{days: daily, start: \"22:00\", end: \"06:00\"}]}\n"
         "    vacant_s: 300\n"
         "    still_s: 600\n"
         "patrols:\n"
         "  - id: round\n"
         "    tz: UTC\n"
         "    starts: [\"23:00\", \"02:00\", \"05:00\"]\n"
         "    checkpoints:\n"
         "      - {id: cp1, camera: c2, zone: [[0.1, 0.6], [0.3, 0.6], [0.3, 0.8], [0.1, 0.8]], within_s: 600}\n"
         "      - {id: cp2, camera: c1, line: [[0.85, 0.3], [0.85, 0.95]], within_s: 1200}\n"
         "      - {id: cp3, camera: c2, zone: [[0.7, 0.6], [0.9, 0.6], [0.9, 0.8], [0.7, 0.8]], within_s: 1800}\n";
}

TEST(DutyShiftTest, EightHourNightShiftGivesTheExpectedReport) {
  TempDir dir;
  WriteFile(dir / "c1.json", C1Script().dump());
  WriteFile(dir / "c2.json", C2Script().dump());
  const std::string cfg = dir / "site.yaml";
  WriteFile(cfg, SiteYaml(dir));

  auto replay = RunCmd({WatchlineBinary(), "replay", "--config", cfg, "--start",
                        "2026-03-10T21:50:00Z", "--timeout", "900"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.out.find("300000 frames analysed"), std::string::npos) << replay.out;

  auto report = RunCmd({WatchlineBinary(), "report", "--config", cfg, "--from",
                        "2026-03-10T21:00:00Z", "--to", "2026-03-11T07:00:00Z", "--json"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const json r = json::parse(report.out);

  // The post: one 8-hour shift, vacant for the half hour the guard was away,
  // one inactivity episode of the 20 minutes he stood still. Tolerances: a few
  // seconds for a track to leave / enter the zone and to count as moving.
  ASSERT_EQ(r["posts"].size(), 1u) << r.dump(1);
  const json& post = r["posts"][0];
  EXPECT_EQ(post["post"], "gate");
  EXPECT_DOUBLE_EQ(post["duty_s"].get<double>(), kShiftS);
  EXPECT_NEAR(post["vacant_s"].get<double>(), k0130 - k0100, 30) << post.dump(1);
  EXPECT_NEAR(post["manned_pct"].get<double>(), 100.0 * (1 - 1800 / kShiftS), 0.15);
  ASSERT_EQ(post["inactivity"].size(), 1u) << post.dump(1);
  EXPECT_NEAR(post["inactivity"][0]["duration_s"].get<double>(), k0320 - k0300, 30);
  EXPECT_NEAR(post["inactivity"][0]["t_epoch"].get<double>(),
              1773179400.0 /* 21:50Z */ + k0300, 30);

  // The patrol: exactly these verdicts.
  const std::vector<std::vector<std::string>> expected = {
      {"on_time", "on_time", "on_time"},
      {"on_time", "missed", "on_time"},
      {"late", "on_time", "on_time"},
  };
  ASSERT_EQ(r["patrols"].size(), 3u) << r.dump(1);
  for (size_t run = 0; run < 3; ++run) {
    const json& cps = r["patrols"][run]["checkpoints"];
    ASSERT_EQ(cps.size(), 3u);
    for (size_t k = 0; k < 3; ++k)
      EXPECT_EQ(cps[k]["status"], expected[run][k]) << "run " << run << " checkpoint " << k;
  }
  // The late visit to cp1 in run 3 was at +15 min.
  EXPECT_NEAR(r["patrols"][2]["checkpoints"][0]["t_epoch"].get<double>(),
              1773179400.0 + k0500 + 900, 20);

  // The CSV form of the same report has one row per post shift and per checkpoint.
  auto csv = RunCmd({WatchlineBinary(), "report", "--config", cfg, "--from", "2026-03-10T21:00:00Z",
                     "--to", "2026-03-11T07:00:00Z", "--csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  size_t rows = 0;
  for (char c : csv.out) rows += c == '\n';
  EXPECT_EQ(rows, 1u + 1u + 9u) << csv.out;
}

// Off duty a post with intrusion_off_duty is an ordinary intrusion zone; on
// duty the person in it is the guard, not an intruder.
TEST(DutyShiftTest, PostZoneIsAnIntrusionZoneOnlyOffDuty) {
  TempDir dir;
  // Clip time 0 = 21:58 UTC; the shift starts at 22:00 (t = 120 s).
  json actors = json::array();
  for (double enter : {40.0, 160.0}) {  // off duty, then on duty
    Path p;
    p.At(enter, 0.0, 0.72);
    p.WalkTo(0.5, 0.72, 0.04);
    p.StandUntil(p.t + 10);
    p.WalkTo(1.0, 0.72, 0.04);
    actors.push_back(Person(p));
  }
  WriteFile(dir / "c1.json", json{{"actors", actors}}.dump());
  const std::string cfg = dir / "site.yaml";
  WriteFile(cfg, "site: {name: offduty, data_dir: " + dir / "var" +
                     "}\n"
                     "cameras:\n"
                     "  - id: c1\n"
                     "    source: \"sim://post?seed=5&people=0&vehicles=0&duration=240&fps=5&live=0&script=" +
                     dir / "c1.json" +
                     "\"\n"
                     "    analysis: {width: 320, fps: 5}\n"
                     "posts:\n"
                     "  - id: gate\n"
                     "    camera: c1\n"
                     "    zone: [[0.35, 0.6], [0.65, 0.6], [0.65, 0.85], [0.35, 0.85]]\n"
                     "    schedule: {tz: UTC, shifts: [{start: \"22:00\", end: \"06:00\"}]}\n"
                     "    intrusion_off_duty: true\n");
  auto replay = RunCmd({WatchlineBinary(), "replay", "--config", cfg, "--start",
                        "2026-03-10T21:58:00Z", "--timeout", "300"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  auto db = store::OpenSqliteStore(dir / "var/watchline.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  store::EventFilter f;
  f.type = "zone_intrusion";
  auto evs = (*db)->Query(f);
  ASSERT_TRUE(evs.ok());
  ASSERT_EQ(evs->size(), 1u) << "only the off-duty visit is an intrusion";
  EXPECT_EQ((*evs)[0].rule, "gate");
  EXPECT_GT((*evs)[0].t, 40);
  EXPECT_LT((*evs)[0].t, 60);
}

TEST(DutyShiftTest, ReportAndReplayRejectBadInput) {
  TempDir dir;
  const std::string cfg = dir / "site.yaml";
  WriteFile(cfg, "site: {data_dir: " + dir / "var" + "}\ncameras: []\n");
  auto none = RunCmd({WatchlineBinary(), "report", "--config", cfg, "--from", "2026-03-10",
                      "--to", "2026-03-11"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no posts and no patrols"), std::string::npos) << none.err;

  WriteFile(cfg, SiteYaml(dir));
  auto bad_time = RunCmd({WatchlineBinary(), "report", "--config", cfg, "--from", "yesterday",
                          "--to", "2026-03-11"});
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_NE(bad_time.err.find("cannot read the time 'yesterday'"), std::string::npos)
      << bad_time.err;
  auto backwards = RunCmd({WatchlineBinary(), "report", "--config", cfg, "--from", "2026-03-11",
                           "--to", "2026-03-10"});
  EXPECT_EQ(backwards.exit_code, 2);

  WriteFile(cfg, "site: {data_dir: " + dir / "var" +
                     "}\ncameras: [{id: c1, source: \"rtsp://10.0.0.1/x\"}]\n");
  auto live = RunCmd({WatchlineBinary(), "replay", "--config", cfg, "--start", "2026-03-10T00:00:00Z"});
  EXPECT_EQ(live.exit_code, 2);
  EXPECT_NE(live.err.find("replay needs recorded files"), std::string::npos) << live.err;
}

}  // namespace
}  // namespace watchline
