// End-to-end tests of CameraAnalyzer on synthetic video: a textured static
// background with sensor noise, and dark rectangles moving through it
// (drawn with OpenCV), at 640x360 and 10 fps.
#include "analysis/camera_analyzer.h"

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <cmath>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "detect/synthetic_person_test_util.h"
#include "detect/tiny_onnx_test_util.h"

namespace watchline::analysis {
namespace {

constexpr int kW = 640, kH = 360;
constexpr double kFps = 10;

// A rectangle whose bottom-centre (foot) follows foot(t) while t0 <= t < t1.
struct Mover {
  double t0 = 0, t1 = 1e9;
  std::function<cv::Point2d(double)> foot;
  cv::Size2d size{14, 36};  // an upright person at this resolution
  int value = 30;
  // When not 0, the object is the background shifted by this many grey levels
  // (a low-contrast object) instead of the flat `value`.
  int offset = 0;
  std::function<bool(double)> visible = [](double) { return true; };
};

// Straight-line motion with constant speed from `from` at t0.
std::function<cv::Point2d(double)> Linear(double t0, cv::Point2d from, cv::Point2d px_per_s) {
  return [=](double t) { return from + (t - t0) * px_per_s; };
}

class Scene {
 public:
  explicit Scene(uint64_t seed = 1) : rng_(seed), bg_(kH, kW, CV_8UC1, cv::Scalar(120)) {
    // Texture: random grey patches, blurred, like a real scene's walls and ground.
    for (int i = 0; i < 300; ++i) {
      const cv::Point c(rng_.uniform(0, kW), rng_.uniform(0, kH));
      const cv::Size axes(rng_.uniform(4, 40), rng_.uniform(4, 40));
      cv::ellipse(bg_, c, axes, rng_.uniform(0, 180), 0, 360, cv::Scalar(rng_.uniform(70, 200)),
                  cv::FILLED);
    }
    cv::GaussianBlur(bg_, bg_, cv::Size(5, 5), 0);
  }

  void Add(Mover m) { movers_.push_back(std::move(m)); }
  // Global brightness: grey levels added at time t.
  std::function<double(double)> brightness = [](double) { return 0.0; };
  // Extra per-frame drawing (flicker, etc.).
  std::function<void(double, cv::Mat*)> extra;
  double noise_sigma = 4;
  double fps = kFps;
  int noise_bank = 0;  // > 0: reuse this many pre-drawn noise frames

  ingest::Frame Render(int64_t index) {
    ingest::Frame f;
    f.index = index;
    f.t = (index - 1) / fps;
    f.src_width = kW;
    f.src_height = kH;
    cv::Mat img;
    bg_.convertTo(img, CV_16SC1, 1.0, brightness(f.t));
    for (const Mover& m : movers_) {
      if (f.t < m.t0 || f.t >= m.t1 || !m.visible(f.t)) continue;
      const cv::Point2d p = m.foot(f.t);
      const cv::Rect r(cvRound(p.x - m.size.width / 2), cvRound(p.y - m.size.height),
                       cvRound(m.size.width), cvRound(m.size.height));
      const cv::Rect in = r & cv::Rect(0, 0, kW, kH);
      if (in.empty()) continue;
      if (m.offset != 0)
        img(in) += cv::Scalar(m.offset);
      else
        img(in).setTo(m.value);
    }
    if (noise_bank > 0) {
      // Long runs: a random pick from a bank of noise frames is much cheaper
      // than drawing fresh noise, and as random for the model.
      if (bank_.empty()) {
        for (int k = 0; k < noise_bank; ++k) {
          bank_.emplace_back(img.size(), CV_16SC1);
          rng_.fill(bank_.back(), cv::RNG::NORMAL, 0, noise_sigma);
        }
      }
      const int k = rng_.uniform(0, noise_bank);
      const int shift = rng_.uniform(0, kW);  // and a random roll of its rows
      img.colRange(0, kW - shift) += bank_[k].colRange(shift, kW);
      if (shift > 0) img.colRange(kW - shift, kW) += bank_[k].colRange(0, shift);
    } else {
      cv::Mat noise(img.size(), CV_16SC1);
      rng_.fill(noise, cv::RNG::NORMAL, 0, noise_sigma);
      img += noise;
    }
    img.convertTo(f.gray, CV_8UC1);
    if (extra) extra(f.t, &f.gray);
    return f;
  }

  // Runs frames with t in [0, until); returns every event. on_frame (optional)
  // sees the analyzer after each frame.
  std::vector<events::Event> Run(CameraAnalyzer* a, double until,
                                 const std::function<void(const ingest::Frame&)>& on_frame = {}) {
    std::vector<events::Event> all;
    for (int64_t i = 1;; ++i) {
      const ingest::Frame f = Render(i);
      if (f.t >= until) break;
      for (auto& e : a->Process(f)) all.push_back(std::move(e));
      if (on_frame) on_frame(f);
    }
    return all;
  }

 private:
  cv::RNG rng_;
  cv::Mat bg_;
  std::vector<Mover> movers_;
  std::vector<cv::Mat> bank_;
};

config::CameraConfig Camera() {
  config::CameraConfig cam;
  cam.id = "cam7";
  return cam;
}

// Vertical line at x = 0.5, drawn top to bottom: moving right is "out",
// moving left is "in" (s = -(b.y-a.y)(q.x-0.5)).
config::LineRule VerticalLine(std::string id = "border", double x = 0.5) {
  return {std::move(id), {{x, 0.1}, {x, 0.95}}, {}};
}

std::vector<events::Event> OfType(const std::vector<events::Event>& ev, const std::string& type) {
  std::vector<events::Event> out;
  for (const auto& e : ev)
    if (e.type == type) out.push_back(e);
  return out;
}

TEST(CameraAnalyzerTest, PersonCrossingALineFiresOnceWithInterpolatedTime) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  CameraAnalyzer a(cam);
  Scene s;
  // Foot from x=100 at t=3 s, 60 px/s: x = 320 at t = 3 + 220/60.
  s.Add({.t0 = 3, .foot = Linear(3, {100, 250}, {60, 0})});
  const auto ev = s.Run(&a, 12);
  ASSERT_EQ(ev.size(), 1u);
  const events::Event& e = ev[0];
  EXPECT_EQ(e.type, "line_crossing");
  EXPECT_EQ(e.camera, "cam7");
  EXPECT_EQ(e.rule, "border");
  EXPECT_EQ(e.direction, "out");
  EXPECT_EQ(e.cls, "person");
  EXPECT_NEAR(e.t, 3 + 220.0 / 60, 0.2);
  EXPECT_GT(e.track, 0);
  EXPECT_GT(e.confidence, 0.5);
  EXPECT_LE(e.confidence, 1.0);
  ASSERT_TRUE(e.box.has_value());
  EXPECT_NEAR(e.box->x + e.box->w / 2, 0.5, 0.02);
  EXPECT_NEAR(e.box->y + e.box->h, 250.0 / kH, 0.02);
  EXPECT_NEAR(e.box->h, 36.0 / kH, 0.03);
  EXPECT_FALSE(e.end.has_value());
  EXPECT_EQ(a.stats().frames, 120u);
  EXPECT_EQ(a.stats().events, 1u);
}

TEST(CameraAnalyzerTest, WalkingTheOtherWayFiresIn) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  CameraAnalyzer a(cam);
  Scene s(2);
  s.Add({.t0 = 3, .foot = Linear(3, {540, 250}, {-60, 0})});
  const auto ev = s.Run(&a, 12);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].direction, "in");
  EXPECT_NEAR(ev[0].t, 3 + 220.0 / 60, 0.2);
}

TEST(CameraAnalyzerTest, FastObjectJumpingAcrossTheLineFiresOnceWithInterpolatedTime) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  CameraAnalyzer a(cam);
  Scene s(3);
  // A car, 450 px/s = 45 px per frame: never near the line in any frame.
  // Foot x at frames t = 3.0 + k/10: 50 + 45k; the line (320) lies between
  // k = 6 (320 - 50 = 270) ... exactly at k = 6, so start at 60 instead.
  s.Add({.t0 = 3, .foot = Linear(3, {60, 280}, {450, 0}), .size = {64, 28}, .value = 40});
  const double t_cross = 3 + (320.0 - 60) / 450;
  std::vector<double> foot_x;
  const auto ev = s.Run(&a, 8);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].direction, "out");
  EXPECT_EQ(ev[0].cls, "vehicle");
  EXPECT_NEAR(ev[0].t, t_cross, 0.1);
}

TEST(CameraAnalyzerTest, TwoObjectsCrossingInOppositeDirectionsGetTheirOwnTracks) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  CameraAnalyzer a(cam);
  Scene s(4);
  s.Add({.t0 = 3, .foot = Linear(3, {120, 200}, {60, 0})});   // crosses at 3 + 200/60
  s.Add({.t0 = 3, .foot = Linear(3, {530, 300}, {-60, 0})});  // crosses at 3 + 210/60
  const auto ev = s.Run(&a, 12);
  ASSERT_EQ(ev.size(), 2u);
  std::map<std::string, events::Event> by_dir;
  for (const auto& e : ev) by_dir[e.direction] = e;
  ASSERT_EQ(by_dir.count("out"), 1u);
  ASSERT_EQ(by_dir.count("in"), 1u);
  EXPECT_NE(by_dir["out"].track, by_dir["in"].track);
  EXPECT_NEAR(by_dir["out"].t, 3 + 200.0 / 60, 0.2);
  EXPECT_NEAR(by_dir["in"].t, 3 + 210.0 / 60, 0.2);
  EXPECT_NEAR(by_dir["out"].box->y + by_dir["out"].box->h, 200.0 / kH, 0.02);
  EXPECT_NEAR(by_dir["in"].box->y + by_dir["in"].box->h, 300.0 / kH, 0.02);
}

TEST(CameraAnalyzerTest, ObjectHiddenForAShortGapKeepsItsId) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  CameraAnalyzer a(cam);
  Scene s(5);
  // Hidden from t = 4.5 to 5.3 (0.8 s < track_max_gap_s); crosses x = 320 at
  // t = 3 + 250/50 = 8, after the gap.
  s.Add({.t0 = 3,
         .foot = Linear(3, {70, 250}, {50, 0}),
         .visible = [](double t) { return t < 4.5 || t >= 5.3; }});
  std::set<int64_t> confirmed_ids;
  const auto ev = s.Run(&a, 12, [&](const ingest::Frame&) {
    for (const TrackView& tv : a.Tracks())
      if (tv.confirmed) confirmed_ids.insert(tv.id);
  });
  ASSERT_EQ(confirmed_ids.size(), 1u);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].track, *confirmed_ids.begin());
  EXPECT_NEAR(ev[0].t, 8, 0.2);
}

TEST(CameraAnalyzerTest, ObjectThatStopsForAWhileKeepsItsId) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  CameraAnalyzer a(cam);
  Scene s(6);
  // Walks 3..5 s, stands still 5..7 s, walks on; crosses x = 320 at 7 + 100/50 = 9.
  s.Add({.t0 = 3, .foot = [](double t) {
           const double walked = std::min(t, 5.0) - 3 + std::max(0.0, t - 7);
           return cv::Point2d(120 + 50 * walked, 250);
         }});
  std::set<int64_t> confirmed_ids;
  const auto ev = s.Run(&a, 12, [&](const ingest::Frame&) {
    for (const TrackView& tv : a.Tracks())
      if (tv.confirmed) confirmed_ids.insert(tv.id);
  });
  ASSERT_EQ(confirmed_ids.size(), 1u);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].track, *confirmed_ids.begin());
  EXPECT_NEAR(ev[0].t, 9, 0.2);
}

class MaskTest : public ::testing::TestWithParam<bool> {};

TEST_P(MaskTest, MaskedAreaProducesNoForegroundTracksOrEvents) {
  const bool privacy = GetParam();
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  cam.zones.push_back({"yard", {{0.6, 0.5}, {0.9, 0.5}, {0.9, 0.9}, {0.6, 0.9}}, {}, {}});
  // The lower half of the frame, where the person walks.
  const config::Polygon lower = {{0, 0.45}, {1, 0.45}, {1, 1}, {0, 1}};
  (privacy ? cam.privacy : cam.masks).push_back(lower);
  CameraAnalyzer a(cam);
  Scene s(7);
  s.Add({.t0 = 3, .foot = Linear(3, {100, 280}, {60, 0})});
  int frames_with_tracks = 0;
  const auto ev = s.Run(&a, 12, [&](const ingest::Frame&) {
    frames_with_tracks += !a.Tracks().empty();
    const cv::Mat& fg = a.foreground();
    ASSERT_EQ(fg.size(), cv::Size(kW, kH));
    EXPECT_EQ(cv::countNonZero(fg(cv::Rect(0, 162, kW, kH - 162))), 0);
  });
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(frames_with_tracks, 0);
}

INSTANTIATE_TEST_SUITE_P(MasksAndPrivacy, MaskTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Privacy" : "Mask"; });

TEST(CameraAnalyzerTest, SameWalkWithoutTheMaskIsSeen) {
  // The control for MaskTest: the same scene unmasked does produce events.
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  CameraAnalyzer a(cam);
  Scene s(7);
  s.Add({.t0 = 3, .foot = Linear(3, {100, 280}, {60, 0})});
  EXPECT_EQ(s.Run(&a, 12).size(), 1u);
}

TEST(CameraAnalyzerTest, ZoneIntrusionFiresOnceAtTheEntryTime) {
  config::CameraConfig cam = Camera();
  cam.zones.push_back({"yard", {{0.6, 0.5}, {0.9, 0.5}, {0.9, 0.9}, {0.6, 0.9}}, {}, {}});
  CameraAnalyzer a(cam);
  Scene s(8);
  // Foot y = 250 (0.69); enters at x = 384 at t = 3 + 284/60, walks through
  // and out of the far side.
  s.Add({.t0 = 3, .foot = Linear(3, {100, 250}, {60, 0})});
  const auto ev = s.Run(&a, 12.5);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "zone_intrusion");
  EXPECT_EQ(ev[0].rule, "yard");
  EXPECT_EQ(ev[0].cls, "person");
  EXPECT_FALSE(ev[0].end.has_value());
  EXPECT_NEAR(ev[0].t, 3 + 284.0 / 60, 0.2);
}

TEST(CameraAnalyzerTest, PersonStandingInAZoneLoiters) {
  config::CameraConfig cam = Camera();
  cam.zones.push_back({"yard", {{0.6, 0.5}, {0.9, 0.5}, {0.9, 0.9}, {0.6, 0.9}}, {}, 4.0});
  CameraAnalyzer a(cam);
  Scene s(9);
  // Enters at t = 3 + 84/60 = 4.4, stops at x = 450 (t = 5.5) and stays.
  s.Add({.t0 = 3, .foot = [](double t) {
           return cv::Point2d(std::min(300 + 60 * (t - 3), 450.0), 250);
         }});
  const auto ev = s.Run(&a, 12);
  ASSERT_EQ(OfType(ev, "zone_intrusion").size(), 1u);
  const auto loiter = OfType(ev, "loitering");
  ASSERT_EQ(loiter.size(), 1u);
  EXPECT_NEAR(loiter[0].t, 4.4 + 4.0, 0.25);
  EXPECT_EQ(loiter[0].rule, "yard");
}

TEST(CameraAnalyzerTest, ClassesFilterSelectsWhichRulesFire) {
  config::CameraConfig cam = Camera();
  config::LineRule people = VerticalLine("people", 0.4);
  people.classes = {"person"};
  config::LineRule cars = VerticalLine("cars", 0.6);
  cars.classes = {"vehicle"};
  cam.lines = {people, cars};
  CameraAnalyzer a(cam);
  Scene s(10);
  s.Add({.t0 = 3, .t1 = 12, .foot = Linear(3, {100, 180}, {60, 0})});  // person
  s.Add({.t0 = 4, .t1 = 6, .foot = Linear(4, {40, 320}, {400, 0}), .size = {64, 28},
         .value = 40});  // car
  const auto ev = s.Run(&a, 12.5);
  std::multiset<std::string> got;
  for (const auto& e : ev) got.insert(e.rule + "/" + e.cls);
  EXPECT_EQ(got, (std::multiset<std::string>{"people/person", "cars/vehicle"}));
}

TEST(CameraAnalyzerTest, NoiseAndGlobalBrightnessChangesGiveNoEvents) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  cam.zones.push_back({"yard", {{0.1, 0.1}, {0.9, 0.1}, {0.9, 0.9}, {0.1, 0.9}}, {}, 2.0});
  CameraAnalyzer a(cam);
  Scene s(11);
  s.noise_sigma = 6;
  // A brightness step up, a step down, then a slow drift.
  s.brightness = [](double t) {
    if (t < 5) return 0.0;
    if (t < 8) return 25.0;
    if (t < 11) return -30.0;
    return -30.0 + 4 * (t - 11);
  };
  bool any_confirmed = false;
  const auto ev = s.Run(&a, 16, [&](const ingest::Frame&) {
    for (const TrackView& tv : a.Tracks()) any_confirmed |= tv.confirmed;
  });
  EXPECT_TRUE(ev.empty());
  EXPECT_FALSE(any_confirmed);
}

TEST(CameraAnalyzerTest, ContrastJumpIsRebaselinedNotReported) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  CameraAnalyzer a(cam);
  Scene s(12);
  // At t = 5 the camera's gain changes: not a uniform offset, so only the
  // global-change guard can absorb it.
  s.extra = [](double t, cv::Mat* img) {
    if (t >= 5) img->convertTo(*img, CV_8UC1, 1.6, -60);
  };
  bool any_confirmed = false;
  const auto ev = s.Run(&a, 9, [&](const ingest::Frame&) {
    for (const TrackView& tv : a.Tracks()) any_confirmed |= tv.confirmed;
  });
  EXPECT_TRUE(ev.empty());
  EXPECT_FALSE(any_confirmed);
  EXPECT_GE(a.stats().rebaselines, 1u);
}

TEST(CameraAnalyzerTest, FlickeringPatchNeverBecomesAConfirmedTrack) {
  config::CameraConfig cam = Camera();
  cam.zones.push_back({"all", {{0, 0}, {1, 0}, {1, 1}, {0, 1}}, {}, {}});
  CameraAnalyzer a(cam);
  Scene s(13);
  // A window that goes dark at random (contrast above any learned spread) and
  // a bush that sways by a few pixels.
  cv::RNG blink(21);
  s.extra = [&blink](double t, cv::Mat* img) {
    if (blink.uniform(0, 3) != 0) (*img)(cv::Rect(100, 100, 24, 24)).setTo(0);
    const int dx = static_cast<int>(std::lround(t * kFps)) % 5 - 2;
    cv::circle(*img, {450 + 2 * dx, 220}, 15, cv::Scalar(20), cv::FILLED);
  };
  bool any_tracks = false, any_confirmed = false;
  const auto ev = s.Run(&a, 12, [&](const ingest::Frame&) {
    for (const TrackView& tv : a.Tracks()) {
      any_tracks = true;
      any_confirmed |= tv.confirmed;
    }
  });
  EXPECT_TRUE(any_tracks);  // they are seen...
  EXPECT_FALSE(any_confirmed);  // ...but never trusted
  EXPECT_TRUE(ev.empty());
}

TEST(CameraAnalyzerTest, ForegroundIsProvisionalWhileLearningThenShowsTheObject) {
  config::CameraConfig cam = Camera();
  cam.detection.learn_s = 2;
  CameraAnalyzer a(cam);
  EXPECT_TRUE(a.foreground().empty());
  Scene s(14);
  s.Add({.t0 = 0, .foot = Linear(0, {100, 250}, {60, 0})});
  s.Run(&a, 4, [&](const ingest::Frame& f) {
    const cv::Mat& fg = a.foreground();
    ASSERT_EQ(fg.size(), cv::Size(kW, kH));
    ASSERT_EQ(fg.type(), CV_8UC1);
    if (f.t < 1.95) {
      EXPECT_TRUE(a.learning());
      // Provisional foreground (the person, once off his first position),
      // never tracked.
      EXPECT_TRUE(a.Tracks().empty()) << "t=" << f.t;
      if (f.t > 0.5) {
        const double x = 100 + 60 * f.t;
        const cv::Rect person(cvRound(x - 7), 250 - 36, 14, 36);
        EXPECT_GT(cv::countNonZero(fg(person)), 0.6 * person.area()) << "t=" << f.t;
      }
    }
    if (f.t > 3) {
      EXPECT_FALSE(a.learning());
      const double x = 100 + 60 * f.t;
      const cv::Rect person(cvRound(x - 7), 250 - 36, 14, 36);
      EXPECT_GT(cv::countNonZero(fg(person)), 0.6 * person.area()) << "t=" << f.t;
      cv::Mat rest = fg.clone();
      rest(person + cv::Size(8, 8) - cv::Point(4, 4)).setTo(0);
      EXPECT_LT(cv::countNonZero(rest), 0.002 * kW * kH) << "t=" << f.t;
    }
  });
  EXPECT_EQ(a.stats().work_size, cv::Size(kW / 2, kH / 2));
}

TEST(CameraAnalyzerTest, StreamTimeGoingBackwardsStartsOver) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  CameraAnalyzer a(cam);
  Scene s(15);
  s.Add({.t0 = 3, .foot = Linear(3, {100, 250}, {60, 0})});
  EXPECT_EQ(s.Run(&a, 9).size(), 1u);
  ASSERT_FALSE(a.learning());
  // The file loops: same clip again from t = 0, same single crossing.
  EXPECT_EQ(s.Run(&a, 9).size(), 1u);
}

TEST(CameraAnalyzerTest, BadFramesAreSkipped) {
  CameraAnalyzer a(Camera());
  ingest::Frame f;
  EXPECT_TRUE(a.Process(f).empty());
  f.gray = cv::Mat(10, 10, CV_32FC1);
  EXPECT_TRUE(a.Process(f).empty());
  EXPECT_EQ(a.stats().bad_frames, 2u);
  EXPECT_EQ(a.stats().frames, 0u);
}

// Guard posts: a person walks into a post's zone, stands perfectly still for
// 15 minutes of stream time (analysed at 2 fps), then walks out of the view.
// Parameters: whether the zone is a hold zone, and whether the person is dark
// (contrast 50-170 grey levels) or low-contrast (the ground, 20 levels darker:
// his edge pixels flicker with the noise, and without the hold margin the
// background creeps in from his edges until he is eaten away).
struct GuardCase {
  bool hold = false;
  bool low_contrast = false;
};

struct GuardRun {
  std::set<int64_t> confirmed_ids;
  int still_frames = 0;             // frames analysed while he stood still
  int still_frames_tracked = 0;     // ... with one confirmed, matched track at the spot
  double max_foot_dev = 0;          // normalised, from the spot, over those frames
  double max_height_dev = 0;        // relative to his true height
  int tracks_after_gone = 0;        // track-frames after he left the view (+3 s)
  int fg_at_spot_after_gone = 0;    // foreground pixels at the spot, summed, after he left
};

constexpr double kGuardArrive = 5, kGuardStop = 12.5, kGuardStill = 900;
constexpr double kGuardLeave = kGuardStop + kGuardStill;
constexpr double kGuardSpeed = 40;  // px/s
const cv::Point2d kGuardSpot(400, 250);
const cv::Size2d kGuardSize(14, 36);

GuardRun RunGuard(const GuardCase& c) {
  config::CameraConfig cam = Camera();
  cam.zones.push_back({"post", {{0.5, 0.4}, {0.75, 0.4}, {0.75, 0.85}, {0.5, 0.85}}, {}, {}});
  // The low-contrast guard is the ground darkened by 20 grey levels, texture
  // and all: a shadow, in grey. Hold zones are tested here, not shadows.
  cam.detection.shadows = !c.low_contrast;
  CameraAnalyzer a(cam);
  if (c.hold) a.SetHoldZones({cam.zones[0].polygon});
  Scene s(31);
  s.fps = 2;
  s.noise_bank = 16;
  // Walks in from x = 100, stops at the spot, then walks out of the view to
  // the right (gone at x > 647, about 6.2 s after leaving the spot).
  s.Add({.t0 = kGuardArrive, .foot = [](double t) {
           const double x = t < kGuardStop
                                ? kGuardSpot.x - kGuardSpeed * (kGuardStop - t)
                                : kGuardSpot.x + kGuardSpeed * std::max(0.0, t - kGuardLeave);
           return cv::Point2d(x, kGuardSpot.y);
         },
         .size = kGuardSize,
         .offset = c.low_contrast ? -20 : 0});
  const double gone_t = kGuardLeave + (kW + kGuardSize.width - kGuardSpot.x) / kGuardSpeed;
  const cv::Rect spot(cvRound(kGuardSpot.x - kGuardSize.width / 2),
                      cvRound(kGuardSpot.y - kGuardSize.height), cvRound(kGuardSize.width),
                      cvRound(kGuardSize.height));
  GuardRun r;
  s.Run(&a, gone_t + 20, [&](const ingest::Frame& f) {
    const auto tracks = a.Tracks();
    for (const TrackView& tv : tracks)
      if (tv.confirmed) r.confirmed_ids.insert(tv.id);
    if (f.t >= kGuardStop + 5 && f.t < kGuardLeave) {
      ++r.still_frames;
      int at_spot = 0;
      for (const TrackView& tv : tracks) {
        const double dev = std::hypot((tv.foot.x - kGuardSpot.x) / kW,
                                      (tv.foot.y - kGuardSpot.y) / kH);
        if (!tv.confirmed || tv.last_seen_t != f.t || dev > 0.05) continue;
        ++at_spot;
        r.max_foot_dev = std::max(r.max_foot_dev, dev);
        r.max_height_dev = std::max(
            r.max_height_dev, std::abs(tv.box.height - kGuardSize.height) / kGuardSize.height);
      }
      r.still_frames_tracked += (at_spot == 1 && tracks.size() == 1);
    }
    if (f.t >= gone_t + 3) {
      r.tracks_after_gone += static_cast<int>(tracks.size());
      r.fg_at_spot_after_gone += cv::countNonZero(a.foreground()(spot));
    }
  });
  return r;
}

class GuardPostTest : public ::testing::TestWithParam<bool> {};

TEST_P(GuardPostTest, StillPersonInAHoldZoneKeepsOneStableTrackAndLeavesNoGhost) {
  const GuardRun r = RunGuard({.hold = true, .low_contrast = GetParam()});
  EXPECT_EQ(r.confirmed_ids.size(), 1u);
  EXPECT_GT(r.still_frames, 1700);
  EXPECT_EQ(r.still_frames_tracked, r.still_frames);
  EXPECT_LT(r.max_foot_dev, 0.01);
  EXPECT_LT(r.max_height_dev, 0.25);
  EXPECT_EQ(r.tracks_after_gone, 0);
  EXPECT_EQ(r.fg_at_spot_after_gone, 0);
}

TEST_P(GuardPostTest, WithoutAHoldZoneTheStillPersonIsAbsorbed) {
  // The control: the same scene without the hold zone loses him while he
  // stands (existing behaviour: a stopped object fades into the background).
  const GuardRun r = RunGuard({.hold = false, .low_contrast = GetParam()});
  EXPECT_LT(r.still_frames_tracked, r.still_frames / 2);
}

INSTANTIATE_TEST_SUITE_P(DarkAndLowContrast, GuardPostTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "LowContrast" : "Dark"; });

TEST(CameraAnalyzerTest, ClearingHoldZonesLetsAStillPersonFade) {
  // SetHoldZones({}) at the end of a shift: from then on the still person is
  // absorbed like anywhere else.
  config::CameraConfig cam = Camera();
  CameraAnalyzer a(cam);
  a.SetHoldZones({{{0.5, 0.4}, {0.75, 0.4}, {0.75, 0.85}, {0.5, 0.85}}});
  Scene s(32);
  s.fps = 2;
  s.noise_bank = 16;
  s.Add({.t0 = kGuardArrive, .foot = [](double t) {
           return cv::Point2d(kGuardSpot.x - kGuardSpeed * std::max(0.0, kGuardStop - t),
                              kGuardSpot.y);
         }, .size = kGuardSize});
  int tracked_at_120 = -1;
  s.Run(&a, 400, [&](const ingest::Frame& f) {
    if (f.t == 120) {
      tracked_at_120 = static_cast<int>(a.Tracks().size());
      a.SetHoldZones({});
    }
  });
  EXPECT_EQ(tracked_at_120, 1);
  EXPECT_TRUE(a.Tracks().empty());
}

// ---- detection.verify: a learned check before a confirmed track may fire. ----

// A folder for the models the tests write, removed at the end.
class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("wl_analyzer_verify_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A camera with the vertical border line, verified by a tiny YOLOv5-layout
  // network (64x64 input, classes person and vehicle) that always outputs
  // `row`.
  config::CameraConfig ModelCamera(const detect::testing::TinyRow& row) {
    detect::testing::TinyModelSpec spec;
    spec.input_size = 64;
    spec.num_classes = 2;
    spec.rows = {row};
    const std::string path = (dir_ / "tiny.onnx").string();
    EXPECT_TRUE(detect::testing::WriteFile(path, detect::testing::TinyYoloModel(spec)));
    config::CameraConfig cam = Camera();
    cam.lines.push_back(VerticalLine());
    config::VerifyConfig v;
    v.model = path;
    v.classes = {"person", "vehicle"};
    cam.detection.verify = v;
    return cam;
  }

  std::filesystem::path dir_;
};

// The track's 14x36 box gets a crop twice its size (64 px wide at least),
// letterboxed into the 64x64 input: the box is then about 12x32 network
// pixels in the middle of the input.
constexpr float kMid = 32;
const detect::testing::TinyRow kNothing{kMid, kMid, 12, 32, 0.0f, {0.0f, 0.0f}};
const detect::testing::TinyRow kPersonOnBox{kMid, kMid, 12, 32, 0.9f, {0.9f, 0.0f}};
const detect::testing::TinyRow kVehicleOnBox{kMid, kMid, 12, 32, 0.9f, {0.0f, 0.8f}};

// The walk of PersonCrossingALineFiresOnceWithInterpolatedTime: one crossing
// without a verifier. `blinking`: unseen 0.2 s of every second (behind
// posts), so the track's quality, the unverified confidence, is below 1.
void AddWalker(Scene* s, bool blinking = false) {
  Mover m{.t0 = 3, .foot = Linear(3, {100, 250}, {60, 0})};
  if (blinking) m.visible = [](double t) { return std::fmod(t, 1.0) < 0.8; };
  s->Add(std::move(m));
}

TEST_F(VerifyTest, ModelThatSeesNothingVetoesTheCrossing) {
  CameraAnalyzer a(ModelCamera(kNothing));
  ASSERT_TRUE(a.verifier_status().ok()) << a.verifier_status().ToString();
  Scene s;
  AddWalker(&s);
  EXPECT_TRUE(s.Run(&a, 12).empty());
  EXPECT_GE(a.stats().vetoes, 1u);
  // Checked at confirmation, then again every recheck_s (3 s) of the walk's
  // remaining ~8 s: never per frame.
  EXPECT_GE(a.stats().verifications, 2u);
  EXPECT_LE(a.stats().verifications, 4u);

  // The control: the same walk, unverified, fires.
  config::CameraConfig cam = ModelCamera(kNothing);
  cam.detection.verify.reset();
  CameraAnalyzer b(cam);
  Scene s2;
  AddWalker(&s2);
  EXPECT_EQ(s2.Run(&b, 12).size(), 1u);
  EXPECT_EQ(b.stats().verifications, 0u);
}

TEST_F(VerifyTest, ModelThatSeesAPersonLetsTheCrossingFireAsPerson) {
  CameraAnalyzer a(ModelCamera(kPersonOnBox));
  ASSERT_TRUE(a.verifier_status().ok()) << a.verifier_status().ToString();
  Scene s;
  AddWalker(&s, /*blinking=*/true);
  const auto ev = s.Run(&a, 12);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, "line_crossing");
  EXPECT_EQ(ev[0].cls, "person");
  EXPECT_NEAR(ev[0].t, 3 + 220.0 / 60, 0.2);
  // One check: a verified track is not checked again.
  EXPECT_EQ(a.stats().verifications, 1u);
  EXPECT_EQ(a.stats().vetoes, 0u);

  // The confidence combines the model's 0.9 x 0.9 with the track's quality,
  // which is the unverified event's confidence (the same track, same class).
  config::CameraConfig cam = ModelCamera(kPersonOnBox);
  cam.detection.verify.reset();
  CameraAnalyzer b(cam);
  Scene s2;
  AddWalker(&s2, /*blinking=*/true);
  const auto plain = s2.Run(&b, 12);
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].cls, "person");
  const double quality = plain[0].confidence;
  EXPECT_LT(quality, 0.95);
  EXPECT_NEAR(ev[0].confidence, 1 - (1 - quality) * (1 - 0.81), 1e-4);
  EXPECT_GT(ev[0].confidence, quality);
}

TEST_F(VerifyTest, TheModelsClassReplacesTheHeuristicClass) {
  // The heuristics call the 14x36 walker a person; the model says vehicle,
  // and the rule's class filter follows the model.
  config::CameraConfig cam = ModelCamera(kVehicleOnBox);
  cam.lines[0].classes = {"vehicle"};
  CameraAnalyzer a(cam);
  Scene s;
  AddWalker(&s);
  bool saw_vehicle_track = false;
  const auto ev = s.Run(&a, 12, [&](const ingest::Frame&) {
    for (const TrackView& t : a.Tracks()) saw_vehicle_track |= t.confirmed && t.cls == "vehicle";
  });
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].cls, "vehicle");
  EXPECT_TRUE(saw_vehicle_track);

  cam.lines[0].classes = {"person"};
  CameraAnalyzer b(cam);
  Scene s2;
  AddWalker(&s2);
  EXPECT_TRUE(s2.Run(&b, 12).empty());
}

TEST_F(VerifyTest, AModelThatCannotBeLoadedLeavesTheCameraUnverified) {
  config::CameraConfig cam = ModelCamera(kNothing);
  detect::testing::WriteFile(cam.detection.verify->model, "this is not an ONNX model");
  CameraAnalyzer a(cam);
  EXPECT_FALSE(a.verifier_status().ok());
  EXPECT_NE(a.verifier_status().message().find("camera cam7: detection.verify"),
            std::string::npos)
      << a.verifier_status().ToString();
  Scene s;
  AddWalker(&s);
  EXPECT_EQ(s.Run(&a, 12).size(), 1u);  // analysis goes on, unverified
  EXPECT_EQ(a.stats().verifications, 0u);
}

// HOG: a flat dark rectangle is not shaped like a person; a silhouette is.
TEST(CameraAnalyzerVerifyHogTest, HogVetoesABlockAndPassesASilhouette) {
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  cam.detection.verify = config::VerifyConfig{.hog = true};
  const cv::Size person(24, 64);
  {
    CameraAnalyzer a(cam);
    Scene s;
    s.Add({.t0 = 3, .foot = Linear(3, {100, 250}, {60, 0}), .size = person});
    EXPECT_TRUE(s.Run(&a, 12).empty());
    EXPECT_GE(a.stats().vetoes, 1u);
  }
  CameraAnalyzer a(cam);
  Scene s;
  s.extra = [&](double t, cv::Mat* img) {
    if (t < 3) return;
    const cv::Point2d foot = Linear(3, {100, 250}, {60, 0})(t);
    detect::testing::DrawPerson(*img, cv::Rect(cvRound(foot.x - person.width / 2.0),
                                               cvRound(foot.y) - person.height, person.width,
                                               person.height));
  };
  const auto ev = s.Run(&a, 12);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].cls, "person");
  EXPECT_EQ(a.stats().vetoes, 0u);
  EXPECT_EQ(a.stats().verifications, 1u);
}

TEST(CameraAnalyzerVerifyHogTest, AVetoedTrackThatPassesALaterCheckStillReportsItsCrossing) {
  // A block that crosses the line at t = 6.7 s and only takes a person's
  // shape at t = 8 s: vetoed at confirmation and at the check 3 s later,
  // released by the check after that, when the rules replay its path.
  config::CameraConfig cam = Camera();
  cam.lines.push_back(VerticalLine());
  cam.detection.verify = config::VerifyConfig{.hog = true};
  const cv::Size person(24, 64);
  const auto foot = Linear(3, {100, 250}, {60, 0});
  CameraAnalyzer a(cam);
  Scene s;
  s.extra = [&](double t, cv::Mat* img) {
    if (t < 3) return;
    const cv::Point2d p = foot(t);
    const cv::Rect box(cvRound(p.x - person.width / 2.0), cvRound(p.y) - person.height,
                       person.width, person.height);
    if (t < 8)
      img->operator()(box).setTo(detect::testing::kInk);
    else
      detect::testing::DrawPerson(*img, box);
  };
  double reported_at = -1;  // stream time of the frame that returned the event
  const auto ev = s.Run(&a, 12, [&](const ingest::Frame& f) {
    if (reported_at < 0 && a.stats().events > 0) reported_at = f.t;
  });
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].cls, "person");
  EXPECT_NEAR(ev[0].t, 3 + 220.0 / 60, 0.2);
  EXPECT_GE(reported_at, 8);  // held while vetoed, not when it crossed
  EXPECT_GE(a.stats().vetoes, 1u);
  EXPECT_LE(a.stats().verifications, 4u);
}

}  // namespace
}  // namespace watchline::analysis
