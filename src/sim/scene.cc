#include "sim/scene.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

#include "base/log.h"
#include "sim/renderer.h"
#include "sim/script.h"

namespace watchline::sim {

using config::Point;

namespace {

// No object appears before this (capped at 10% of the clip), so that a
// background model gets a clean start.
constexpr double kWarmupS = 2.5;
constexpr double kWarmupFraction = 0.15;
// Objects are visible this long before a crossing or zone entry (a tracker must
// confirm them first) and this long after a crossing.
constexpr double kMinVisibleBeforeEventS = 1.6;
constexpr double kMinVisibleAfterCrossS = 1.0;
// Crossings and zone entries end this long before the clip does.
constexpr double kEndMarginS = 1.0;
// Two crossings closer than kMinCrossGapS must be at least kMinCrossGapX apart
// (normalised x), so that trackers never have to separate two people at the line.
constexpr double kMinCrossGapS = 1.5;
constexpr double kMinCrossGapX = 0.25;
// Boxes stay this far inside the frame (normalised), and two objects' boxes
// grown by kOverlapPad must not touch.
constexpr double kFrameMargin = 0.01;
constexpr double kOverlapPad = 0.012;
constexpr double kOverlapStepS = 0.04;

constexpr double kPersonHeightM = 1.7;
constexpr double kPersonMinPx360 = 45, kPersonMaxPx360 = 80;  // at kRefY, at 360p
constexpr double kRefPersonPx360 = 65;                        // sets metres -> pixels for vehicles
constexpr double kFarPersonPx360 = 15;                        // far=1: a person at kRefY, at 360p
constexpr double kVehicleHeightRatio = 0.85;                  // a car is ~1.45 m tall
constexpr double kWalkMinMps = 0.8, kWalkMaxMps = 1.8;
constexpr double kRunMinMps = 2.5, kRunMaxMps = 4.0, kRunFraction = 0.15;
constexpr double kVehicleCrossMinMps = 1.5, kVehicleCrossMaxMps = 3.0;  // off-road, slow
constexpr double kVehicleRoadMinMps = 3.0, kVehicleRoadMaxMps = 7.0;
constexpr double kVehiclesPerSecond = 1.0 / 30;  // "now and then"
// Opt-in targets (runners=, crawlers=, boats=, far=1).
constexpr double kRunnerMinMps = 3.0, kRunnerMaxMps = 5.0;
// A runner crosses the view in a few seconds, so it is in view for less time
// around its crossing than a walker (kMinVisible*), seconds.
constexpr double kRunnerVisibleBeforeS = 1.0, kRunnerVisibleAfterS = 0.6;
constexpr double kCrawlMinMps = 0.3, kCrawlMaxMps = 0.7;
constexpr double kCrawlHeightRatio = 0.32;  // a crawler's box is ~0.55 m tall
constexpr double kCrawlSideAspect = 2.4, kCrawlEndAspect = 1.1;
constexpr double kFarPersonMinPx360 = 13, kFarPersonMaxPx360 = 17;  // at kRefY, at 360p
constexpr double kFarScale = kFarPersonPx360 / kRefPersonPx360;
constexpr double kBoatHeightRatio = 0.62;  // hull and crew ~1.05 m above the water
constexpr double kBoatSideAspect = 2.8, kBoatEndAspect = 0.95;
constexpr double kBoatMinMps = 1.0, kBoatMaxMps = 2.5;
constexpr double kBoatAlongFraction = 0.25;  // boats that pass along the river without crossing
// Boats keep their waterline this far inside the river band (normalised).
constexpr double kRiverBankMargin = 0.015;
// Over water, depth is foreshortened (the river is seen at a grazing angle):
// a metre towards the camera moves a boat this fraction of a metre across.
constexpr double kWaterDepthScale = 0.3;
constexpr double kVehicleRoadFraction = 0.7;

constexpr int kAttempts = 300;
constexpr int kStrictAttempts = 200;  // then overlaps away from events are tolerated
constexpr int kAttemptsPerLook = 60;

constexpr double kDeg = M_PI / 180;

// Sway frequencies of scripted actors (sideways, sideways, up-down), Hz.
constexpr double kSwayHz[3] = {0.23, 0.61, 0.37};
// Legs: radians of stride phase per metre walked (0.9 steps per metre per leg
// cycle; the generated objects' cadence of 0.9 * speed Hz, per metre).
constexpr double kStridePerMetre = 2 * M_PI * 0.9;

// A vector in "frame-height units": x is scaled by the frame aspect, so lengths
// and angles are isotropic in pixels.
struct V {
  double x = 0, y = 0;
};
V operator+(V a, V b) { return {a.x + b.x, a.y + b.y}; }
V operator-(V a, V b) { return {a.x - b.x, a.y - b.y}; }
V operator*(V a, double k) { return {a.x * k, a.y * k}; }
double Len(V a) { return std::hypot(a.x, a.y); }
V Unit(V a) {
  double l = Len(a);
  return l > 0 ? a * (1 / l) : V{1, 0};
}
V Rotate(V a, double rad) {
  double c = std::cos(rad), s = std::sin(rad);
  return {a.x * c - a.y * s, a.x * s + a.y * c};
}

struct Geo {
  double aspect;  // width / height
  V ToH(Point p) const { return {p.x * aspect, p.y}; }
  Point FromH(V v) const { return {v.x / aspect, v.y}; }
  // Unit normal (h-units) of segment a->b pointing to the positive side of s().
  V Normal(Point a, Point b) const { return Unit(V{-(b.y - a.y) / aspect, b.x - a.x}); }
  V Tangent(Point a, Point b) const { return Unit(ToH(b) - ToH(a)); }
};

double Perspective(double y) { return (y - kVanishY) / (kRefY - kVanishY); }

// Frame heights per metre at the foot of obj at normalised y.
double UnitsPerMetre(const SimObject& obj, double y) {
  if (obj.kind == ObjectKind::kPerson)
    return obj.HeightAt(y) / (kPersonHeightM * (obj.gait == Gait::kCrawl ? kCrawlHeightRatio : 1.0));
  return kRefPersonPx360 / 360.0 / kPersonHeightM * Perspective(y) * obj.world_scale;
}

// Times the points of a path at obj.speed_mps, starting at t0.
std::vector<Waypoint> TimePath(const SimObject& obj, const std::vector<Point>& pts, const Geo& g, double t0) {
  std::vector<Waypoint> out;
  double t = t0;
  for (size_t i = 0; i < pts.size(); ++i) {
    if (i > 0) {
      V d = g.ToH(pts[i]) - g.ToH(pts[i - 1]);
      if (obj.kind == ObjectKind::kBoat) d.y /= kWaterDepthScale;  // metres towards the camera look short
      double len = Len(d);
      double mid_y = (pts[i].y + pts[i - 1].y) / 2;
      t += len / (obj.speed_mps * UnitsPerMetre(obj, mid_y));
    }
    out.push_back({t, pts[i]});
  }
  return out;
}

bool FitsInFrame(const SimObject& obj, Point p, const Geo& g) {
  double h = obj.HeightAt(p.y);
  double w = h * obj.aspect / g.aspect;
  return p.x - w / 2 >= kFrameMargin && p.x + w / 2 <= 1 - kFrameMargin && p.y - h >= kFrameMargin &&
         p.y <= 1 - kFrameMargin;
}

struct NBox {
  double x0, y0, x1, y1;
};
NBox NormBox(const SimObject& obj, double t, const Geo& g) {
  Point f = obj.FootAt(t);
  double h = obj.HeightAt(f.y);
  double w = h * obj.aspect / g.aspect;
  return {f.x - w / 2, f.y - h, f.x + w / 2, f.y};
}
bool Overlap(const NBox& a, const NBox& b) {
  return a.x0 - kOverlapPad < b.x1 + kOverlapPad && b.x0 - kOverlapPad < a.x1 + kOverlapPad &&
         a.y0 - kOverlapPad < b.y1 + kOverlapPad && b.y0 - kOverlapPad < a.y1 + kOverlapPad;
}

std::vector<Crossing> PathCrossings(const SimObject& obj, const std::vector<Point>& line) {
  std::vector<Crossing> out;
  for (size_t i = 1; i < obj.path.size(); ++i) {
    for (Crossing c :
         SegmentCrossings(obj.path[i - 1].p, obj.path[i - 1].t, obj.path[i].p, obj.path[i].t, line)) {
      // A path through a shared vertex of the polyline is one crossing, not two.
      if (!out.empty() && std::abs(out.back().t - c.t) < 1e-9 && out.back().in == c.in) continue;
      c.object = obj.id;
      out.push_back(c);
    }
  }
  return out;
}

// The first time obj's foot point is inside poly, if it ever is.
std::optional<double> FirstZoneEntry(const SimObject& obj, const config::Polygon& poly) {
  if (poly.size() < 3) return std::nullopt;
  if (InsidePolygon(poly, obj.path.front().p)) return obj.path.front().t;
  for (size_t i = 1; i < obj.path.size(); ++i) {
    Point p0 = obj.path[i - 1].p, p1 = obj.path[i].p;
    std::vector<double> us;
    for (size_t k = 0; k < poly.size(); ++k) {
      Point a = poly[k], b = poly[(k + 1) % poly.size()];
      // Solve p0 + u (p1 - p0) = a + v (b - a).
      double dx = p1.x - p0.x, dy = p1.y - p0.y, ex = b.x - a.x, ey = b.y - a.y;
      double den = dx * ey - dy * ex;
      if (std::abs(den) < 1e-15) continue;
      double u = ((a.x - p0.x) * ey - (a.y - p0.y) * ex) / den;
      double v = ((a.x - p0.x) * dy - (a.y - p0.y) * dx) / den;
      if (u >= 0 && u <= 1 && v >= 0 && v <= 1) us.push_back(u);
    }
    std::sort(us.begin(), us.end());
    for (size_t k = 0; k < us.size(); ++k) {
      double next = k + 1 < us.size() ? us[k + 1] : 1.0;
      double um = (us[k] + next) / 2;
      Point q{p0.x + um * (p1.x - p0.x), p0.y + um * (p1.y - p0.y)};
      if (InsidePolygon(poly, q)) {
        return obj.path[i - 1].t + us[k] * (obj.path[i].t - obj.path[i - 1].t);
      }
    }
  }
  return std::nullopt;
}

// A point at fraction u of the polyline's length, with the segment it is on.
Point PointAlong(const std::vector<Point>& line, const Geo& g, double u, size_t* seg) {
  double total = 0;
  for (size_t i = 1; i < line.size(); ++i) total += Len(g.ToH(line[i]) - g.ToH(line[i - 1]));
  double want = u * total;
  for (size_t i = 1; i < line.size(); ++i) {
    double l = Len(g.ToH(line[i]) - g.ToH(line[i - 1]));
    if (want <= l || i + 1 == line.size()) {
      double f = l > 0 ? std::clamp(want / l, 0.0, 1.0) : 0;
      *seg = i - 1;
      return {line[i - 1].x + f * (line[i].x - line[i - 1].x),
              line[i - 1].y + f * (line[i].y - line[i - 1].y)};
    }
    want -= l;
  }
  *seg = 0;
  return line.front();
}

cv::Scalar Grey(cv::RNG& rng, double lo, double hi, double tint) {
  double g = rng.uniform(lo, hi);
  return cv::Scalar(std::clamp(g + rng.uniform(-tint, tint), 0.0, 255.0),
                    std::clamp(g + rng.uniform(-tint, tint), 0.0, 255.0),
                    std::clamp(g + rng.uniform(-tint, tint), 0.0, 255.0));
}

void PaintPerson(cv::RNG& rng, SimObject* obj) {
  bool dark = rng.uniform(0.0, 1.0) < 0.5;
  obj->body = dark ? Grey(rng, 22, 62, 12) : Grey(rng, 165, 228, 20);
  obj->detail = rng.uniform(0.0, 1.0) < 0.6 ? Grey(rng, 20, 60, 8) : Grey(rng, 60, 120, 15);
  obj->head = rng.uniform(0.0, 1.0) < 0.7
                  ? cv::Scalar(rng.uniform(80, 130), rng.uniform(110, 160), rng.uniform(150, 205))
                  : Grey(rng, 20, 50, 5);
}

void PaintBoat(cv::RNG& rng, SimObject* obj) {
  static const cv::Scalar kHulls[] = {{235, 235, 232}, {150, 150, 146}, {40, 44, 48},
                                      {45, 50, 160},   {120, 80, 40},   {70, 120, 150}};
  obj->body = kHulls[rng.uniform(0, 6)];
  obj->detail = Grey(rng, 30, 90, 10);
  obj->head =
      rng.uniform(0.0, 1.0) < 0.5 ? Grey(rng, 25, 60, 8) : cv::Scalar(40, 110, 220);  // dark or a life vest
}

void PaintVehicle(cv::RNG& rng, SimObject* obj) {
  static const cv::Scalar kPalette[] = {{225, 225, 225}, {172, 172, 168}, {36, 36, 38},
                                        {40, 40, 170},   {150, 75, 40},   {60, 110, 60}};
  obj->body = kPalette[rng.uniform(0, 6)];
  obj->detail = cv::Scalar(70, 62, 55);
  obj->head = cv::Scalar(28, 28, 28);
}

struct Placed {
  const SimObject* obj;
  std::vector<double> event_times;
  std::vector<Crossing> crossings;
};

class Generator {
 public:
  Generator(const SimOptions& o, int cycle)
      : o_(o),
        g_{static_cast<double>(o.width) / o.height},
        rng_(Mix64(Mix64(o.seed) + 0x51D0C0DEULL + static_cast<uint64_t>(cycle))) {}

  std::vector<SimObject> Run() {
    std::vector<SimObject> objects;
    road_ = RoadCentreline(o_);
    RiverBand(o_, &river_top_, &river_bottom_);
    const bool has_zone = o_.zone.polygon.size() >= 3;
    int vehicles =
        o_.vehicles >= 0
            ? o_.vehicles
            : static_cast<int>(std::floor(o_.duration_s * kVehiclesPerSecond + rng_.uniform(0.0, 1.0)));
    struct Slot {
      ObjectKind kind;
      PathIntent intent;
      Gait gait = Gait::kWalk;
    };
    std::vector<Slot> slots;
    static const PathIntent kPattern[] = {PathIntent::kCrossIn, PathIntent::kCrossOut, PathIntent::kZone,
                                          PathIntent::kCrossIn, PathIntent::kCrossOut, PathIntent::kAlong};
    for (int i = 0; i < o_.people; ++i) {
      PathIntent in = kPattern[i % 6];
      if (in == PathIntent::kZone && !has_zone)
        in = (i / 6) % 2 ? PathIntent::kCrossOut : PathIntent::kCrossIn;
      slots.push_back({ObjectKind::kPerson, in});
    }
    for (int i = 0; i < vehicles; ++i) {
      bool road = !road_.empty() && rng_.uniform(0.0, 1.0) < kVehicleRoadFraction;
      slots.push_back({ObjectKind::kVehicle,
                       road ? PathIntent::kAlong
                            : (rng_.uniform(0.0, 1.0) < 0.5 ? PathIntent::kCrossIn : PathIntent::kCrossOut)});
    }
    // Opt-in targets. Nothing here draws from the RNG unless asked for, so the
    // default story does not change.
    for (int i = 0; i < o_.runners; ++i)
      slots.push_back(
          {ObjectKind::kPerson, i % 2 ? PathIntent::kCrossOut : PathIntent::kCrossIn, Gait::kRun});
    for (int i = 0; i < o_.crawlers; ++i)
      slots.push_back(
          {ObjectKind::kPerson, i % 2 ? PathIntent::kCrossOut : PathIntent::kCrossIn, Gait::kCrawl});
    for (int i = 0; i < o_.boats; ++i) {
      PathIntent in = rng_.uniform(0.0, 1.0) < kBoatAlongFraction ? PathIntent::kAlong
                      : i % 2                                     ? PathIntent::kCrossOut
                                                                  : PathIntent::kCrossIn;
      slots.push_back({ObjectKind::kBoat, in});
    }
    // Shuffle (Fisher-Yates on our own RNG: std::shuffle's use of the engine is
    // implementation-defined, and the story must not change with the library).
    for (int i = static_cast<int>(slots.size()) - 1; i > 0; --i)
      std::swap(slots[i], slots[rng_.uniform(0, i + 1)]);

    warmup_ = std::min(kWarmupS, kWarmupFraction * o_.duration_s);
    const double first = warmup_ + kMinVisibleBeforeEventS + 0.2;
    const double last = o_.duration_s - kEndMarginS - 0.2;
    if (slots.empty()) return objects;
    if (last < first) {
      WL_LOG(Warn) << "sim camera " << o_.camera_id << ": a " << o_.duration_s
                   << " s clip is too short for objects; none generated";
      return objects;
    }
    const double spacing = (last - first) / slots.size();
    objects.reserve(slots.size());
    std::vector<Placed> placed;
    int crowded = 0;  // objects placed despite a conflict
    for (size_t i = 0; i < slots.size(); ++i) {
      double tref = first + (i + 0.5) * spacing + rng_.uniform(-0.25, 0.25) * std::min(spacing, 2.0);
      std::optional<SimObject> best;
      int best_conflicts = 0;
      SimObject look;
      for (int attempt = 0; attempt < kAttempts; ++attempt) {
        // Keep a look for a while so that the sizes and speeds that fit most
        // easily do not crowd out the others.
        if (attempt % kAttemptsPerLook == 0) look = SampleLook(slots[i].kind, slots[i].intent, slots[i].gait);
        // Try the planned time, then near it, then anywhere in the clip.
        double t_try = attempt < 50    ? tref
                       : attempt < 100 ? tref + rng_.uniform(-0.5, 0.5) * spacing
                                       : rng_.uniform(first, last);
        std::optional<SimObject> cand = MakeCandidate(look, t_try);
        if (!cand) continue;
        cand->id = static_cast<int64_t>(objects.size()) + 1;
        int conflicts = Conflicts(*cand, placed, attempt < kStrictAttempts);
        if (conflicts == 0) {
          best = std::move(cand);
          best_conflicts = 0;
          break;
        }
        if (!best || conflicts < best_conflicts) {
          best = std::move(cand);
          best_conflicts = conflicts;
        }
      }
      if (!best) {
        WL_LOG(Warn) << "sim camera " << o_.camera_id << ": could not fit a " << ClassName(slots[i].kind)
                     << " (path kind " << static_cast<int>(slots[i].intent) << ") into the scene; skipped";
        continue;
      }
      crowded += best_conflicts > 0;
      objects.push_back(std::move(*best));
      Accept(&objects.back(), &placed);
    }
    if (crowded > 0) {
      WL_LOG(Warn) << "sim camera " << o_.camera_id << ": " << crowded << " of " << objects.size()
                   << " objects pass close to another near a crossing (crowded: " << o_.people
                   << " people in " << o_.duration_s << " s)";
    }
    return objects;
  }

 private:
  // Fills the crossings and event times (crossings, zone entry) of a path;
  // false if the path breaks a rule of its own (leaves the frame, crosses the
  // wrong way, an event too soon after it appears, ...).
  bool Events(const SimObject& obj, std::vector<Crossing>* crossings, std::vector<double>* times) const {
    for (const auto& w : obj.path)
      if (!FitsInFrame(obj, w.p, g_)) return false;
    if (obj.kind == ObjectKind::kBoat) {
      for (const auto& w : obj.path)
        if (w.p.y < river_top_ + kRiverBankMargin || w.p.y > river_bottom_ - kRiverBankMargin) return false;
    }
    *crossings = PathCrossings(obj, o_.line.points);
    switch (obj.intent) {
      case PathIntent::kCrossIn:
      case PathIntent::kCrossOut:
        if (crossings->size() != 1 || (*crossings)[0].in != (obj.intent == PathIntent::kCrossIn))
          return false;
        break;
      case PathIntent::kAlong:
        if (!crossings->empty()) return false;
        break;
      case PathIntent::kZone:
        break;
    }
    const double t0 = obj.path.front().t, t1 = obj.path.back().t;
    const bool runner = obj.gait == Gait::kRun;
    const double before = runner ? kRunnerVisibleBeforeS : kMinVisibleBeforeEventS;
    const double after = runner ? kRunnerVisibleAfterS : kMinVisibleAfterCrossS;
    times->clear();
    for (const auto& c : *crossings) {
      if (c.t < t0 + before || c.t > t1 - after) return false;
      times->push_back(c.t);
    }
    std::optional<double> entry = FirstZoneEntry(obj, o_.zone.polygon);
    if (obj.intent == PathIntent::kZone && !entry) return false;
    if (entry) {
      if (*entry < t0 + kMinVisibleBeforeEventS) return false;
      times->push_back(*entry);
    }
    return true;
  }

  // The time of the event a candidate is scheduled around (relative to its path).
  double RefTime(const SimObject& obj, const std::vector<Crossing>& crossings) const {
    if (obj.intent == PathIntent::kZone) return *FirstZoneEntry(obj, o_.zone.polygon);
    if (!crossings.empty()) return crossings.front().t;
    return (obj.path.front().t + obj.path.back().t) / 2;
  }

  // An object's look and gait: size, shape, speed and colours.
  SimObject SampleLook(ObjectKind kind, PathIntent intent, Gait gait) {
    SimObject obj;
    obj.kind = kind;
    obj.intent = intent;
    obj.gait = gait;
    const double far = o_.far ? kFarScale : 1.0;
    obj.world_scale = far;
    if (kind == ObjectKind::kPerson) {
      obj.height_ref = (o_.far ? rng_.uniform(kFarPersonMinPx360, kFarPersonMaxPx360)
                               : rng_.uniform(kPersonMinPx360, kPersonMaxPx360)) /
                       360.0;
      obj.aspect = rng_.uniform(0.34, 0.42);
      if (gait == Gait::kWalk) {
        bool run = rng_.uniform(0.0, 1.0) < kRunFraction;
        obj.speed_mps = run ? rng_.uniform(kRunMinMps, kRunMaxMps) : rng_.uniform(kWalkMinMps, kWalkMaxMps);
      } else if (gait == Gait::kRun) {
        obj.aspect = rng_.uniform(0.42, 0.5);  // the stride is wider
        obj.speed_mps = rng_.uniform(kRunnerMinMps, kRunnerMaxMps);
      } else {
        obj.height_ref *= kCrawlHeightRatio;  // the aspect follows the direction (MakeCandidate)
        obj.speed_mps = rng_.uniform(kCrawlMinMps, kCrawlMaxMps);
      }
      PaintPerson(rng_, &obj);
    } else if (kind == ObjectKind::kBoat) {
      obj.height_ref = kRefPersonPx360 / 360.0 * kBoatHeightRatio * rng_.uniform(0.9, 1.15) * far;
      obj.speed_mps = rng_.uniform(kBoatMinMps, kBoatMaxMps);
      PaintBoat(rng_, &obj);
    } else {
      obj.height_ref = kRefPersonPx360 / 360.0 * kVehicleHeightRatio * rng_.uniform(0.95, 1.1) * far;
      obj.speed_mps = intent == PathIntent::kAlong ? rng_.uniform(kVehicleRoadMinMps, kVehicleRoadMaxMps)
                                                   : rng_.uniform(kVehicleCrossMinMps, kVehicleCrossMaxMps);
      PaintVehicle(rng_, &obj);
    }
    return obj;
  }

  // A path for `look` whose main event (crossing, zone entry, or the middle of
  // the path) falls near tref, or nullopt if this try breaks a rule.
  std::optional<SimObject> MakeCandidate(const SimObject& look, double tref) {
    SimObject obj = look;
    const ObjectKind kind = obj.kind;
    const PathIntent intent = obj.intent;
    std::vector<Point> pts;
    const auto& line = o_.line.points;
    switch (intent) {
      case PathIntent::kCrossIn:
      case PathIntent::kCrossOut: {
        size_t seg = 0;
        Point c = PointAlong(line, g_, rng_.uniform(0.12, 0.88), &seg);
        V n = g_.Normal(line[seg], line[seg + 1]);
        if (intent == PathIntent::kCrossOut) n = n * -1;
        V dir = Rotate(n, rng_.uniform(-45.0, 45.0) * kDeg);
        if (obj.gait == Gait::kRun)
          dir = Rotate(n, rng_.uniform(40.0, 70.0) * kDeg * (rng_.uniform(0.0, 1.0) < 0.5 ? -1 : 1));
        if (kind == ObjectKind::kBoat) {
          // Across the river at a slant; depth is foreshortened on the water.
          dir = Rotate(n, rng_.uniform(-35.0, 35.0) * kDeg);
          dir = Unit(V{dir.x, dir.y * kWaterDepthScale});
          obj.aspect = std::abs(dir.x) > 0.6 ? kBoatSideAspect * rng_.uniform(0.9, 1.1)
                                             : kBoatEndAspect * rng_.uniform(0.9, 1.1);
        }
        if (kind == ObjectKind::kVehicle)
          obj.aspect = std::abs(dir.x) > 0.6 ? rng_.uniform(2.1, 2.5) : rng_.uniform(1.15, 1.35);
        if (kind == ObjectKind::kPerson && obj.gait == Gait::kCrawl)
          obj.aspect = std::abs(dir.x) > 0.6 ? kCrawlSideAspect : kCrawlEndAspect;
        double v = obj.speed_mps * UnitsPerMetre(obj, c.y);
        // A boat's image step along dir covers more metres than it looks (depth is foreshortened).
        if (kind == ObjectKind::kBoat) v /= Len(V{dir.x, dir.y / kWaterDepthScale});
        double pre = v * rng_.uniform(1.9, 3.2), post = v * rng_.uniform(1.4, 2.8);
        if (obj.gait == Gait::kRun) pre = v * rng_.uniform(1.1, 2.0), post = v * rng_.uniform(0.7, 1.5);
        V ch = g_.ToH(c);
        if (kind != ObjectKind::kBoat && rng_.uniform(0.0, 1.0) < 0.5) {  // gently bent before the line
          double f = rng_.uniform(0.3, 0.6);
          V bend = ch - dir * (pre * f);
          V d2 = Rotate(dir, rng_.uniform(10.0, 25.0) * kDeg * (rng_.uniform(0.0, 1.0) < 0.5 ? -1 : 1));
          pts = {g_.FromH(bend - d2 * (pre * (1 - f))), g_.FromH(bend), g_.FromH(ch + dir * post)};
        } else {
          pts = {g_.FromH(ch - dir * pre), g_.FromH(ch + dir * post)};
        }
        break;
      }
      case PathIntent::kAlong: {
        if (kind == ObjectKind::kVehicle) {
          obj.aspect = rng_.uniform(2.1, 2.5);
          pts = RoadPath(obj, rng_.uniform(0.0, 1.0) < 0.5);
          if (pts.size() < 2) return std::nullopt;
          break;
        }
        size_t seg = 0;
        Point c = PointAlong(line, g_, rng_.uniform(0.2, 0.8), &seg);
        V n = g_.Normal(line[seg], line[seg + 1]);
        V t = g_.Tangent(line[seg], line[seg + 1]);
        double side = rng_.uniform(0.0, 1.0) < 0.5 ? -1 : 1;
        const bool boat = kind == ObjectKind::kBoat;
        if (boat) obj.aspect = kBoatSideAspect * rng_.uniform(0.9, 1.1);
        V q = g_.ToH(c) + n * (side * (boat ? rng_.uniform(0.04, 0.11) : rng_.uniform(0.07, 0.2)));
        V dir = Rotate(t * (rng_.uniform(0.0, 1.0) < 0.5 ? -1 : 1), rng_.uniform(-8.0, 8.0) * kDeg);
        double v = obj.speed_mps * UnitsPerMetre(obj, g_.FromH(q).y);
        pts = {g_.FromH(q - dir * (v * rng_.uniform(2.0, 4.0))),
               g_.FromH(q + dir * (v * rng_.uniform(2.0, 4.0)))};
        break;
      }
      case PathIntent::kZone: {
        const auto& poly = o_.zone.polygon;
        double x0 = 1, y0 = 1, x1 = 0, y1 = 0;
        for (const auto& p : poly) {
          x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
        }
        std::optional<Point> z;
        for (int k = 0; k < 50 && !z; ++k) {
          Point p{rng_.uniform(x0, x1), rng_.uniform(y0, y1)};
          if (InsidePolygon(poly, p)) z = p;
        }
        if (!z) return std::nullopt;
        V dir = Rotate(V{1, 0}, rng_.uniform(0.0, 2 * M_PI));
        double v = obj.speed_mps * UnitsPerMetre(obj, z->y);
        V zh = g_.ToH(*z);
        V d2 = Rotate(dir, rng_.uniform(-35.0, 35.0) * kDeg);
        pts = {g_.FromH(zh - dir * (v * rng_.uniform(2.2, 4.0))), *z,
               g_.FromH(zh + d2 * (v * rng_.uniform(1.0, 2.5)))};
        break;
      }
    }
    obj.path = TimePath(obj, pts, g_, 0);
    std::vector<Crossing> crossings;
    std::vector<double> times;
    if (!Events(obj, &crossings, &times)) return std::nullopt;
    double shift = std::max(tref - RefTime(obj, crossings), warmup_);
    for (auto& w : obj.path) w.t += shift;
    for (double t : times)
      if (t + shift > o_.duration_s - kEndMarginS) return std::nullopt;
    return obj;
  }

  // A vehicle path along the road, from where its box first fits in the frame
  // to where it last does.
  std::vector<Point> RoadPath(const SimObject& obj, bool reverse) const {
    std::vector<Point> road = road_;
    if (reverse) std::reverse(road.begin(), road.end());
    std::vector<double> cum{0};
    for (size_t i = 1; i < road.size(); ++i)
      cum.push_back(cum.back() + Len(g_.ToH(road[i]) - g_.ToH(road[i - 1])));
    auto at = [&](double s) {
      for (size_t i = 1; i < road.size(); ++i) {
        if (s <= cum[i] || i + 1 == road.size()) {
          double f = std::clamp((s - cum[i - 1]) / std::max(cum[i] - cum[i - 1], 1e-12), 0.0, 1.0);
          return Point{road[i - 1].x + f * (road[i].x - road[i - 1].x),
                       road[i - 1].y + f * (road[i].y - road[i - 1].y)};
        }
      }
      return road.back();
    };
    constexpr double kStep = 0.002;
    double s_in = -1, s_out = -1;
    for (double s = 0; s <= cum.back(); s += kStep) {
      bool fits = FitsInFrame(obj, at(s), g_);
      if (fits && s_in < 0) s_in = s;
      if (fits) s_out = s;
      if (!fits && s_in >= 0) break;
    }
    if (s_in < 0 || s_out - s_in < 0.3) return {};
    std::vector<Point> out{at(s_in)};
    for (size_t i = 1; i + 1 < road.size(); ++i)
      if (cum[i] > s_in && cum[i] < s_out) out.push_back(road[i]);
    out.push_back(at(s_out));
    return out;
  }

  // How badly a candidate collides with objects already placed: the number of
  // sampled instants at which boxes touch (only those near an event unless
  // strict), plus crossings too close in time and x to another's.
  int Conflicts(const SimObject& cand, const std::vector<Placed>& placed, bool strict) const {
    std::vector<Crossing> cc;
    std::vector<double> ct;
    Events(cand, &cc, &ct);
    int n = 0;
    for (const auto& p : placed) {
      for (const auto& a : cc)
        for (const auto& b : p.crossings)
          if (std::abs(a.t - b.t) < kMinCrossGapS && std::abs(a.p.x - b.p.x) < kMinCrossGapX) n += 100;
      double lo = std::max(cand.path.front().t, p.obj->path.front().t);
      double hi = std::min(cand.path.back().t, p.obj->path.back().t);
      for (double t = lo; t < hi; t += kOverlapStepS) {
        if (!Overlap(NormBox(cand, t, g_), NormBox(*p.obj, t, g_))) continue;
        bool near_event = false;
        for (double e : ct) near_event |= std::abs(e - t) < kMinCrossGapS;
        for (double e : p.event_times) near_event |= std::abs(e - t) < kMinCrossGapS;
        if (strict || near_event) ++n;
      }
    }
    return n;
  }

 public:
  // Records an accepted object for later conflict checks. `obj` must outlive the generator's use.
  void Accept(const SimObject* obj, std::vector<Placed>* placed) const {
    Placed p{obj, {}, {}};
    Events(*obj, &p.crossings, &p.event_times);
    placed->push_back(std::move(p));
  }

 private:
  const SimOptions& o_;
  Geo g_;
  cv::RNG rng_;
  std::vector<Point> road_;
  double warmup_ = 0;
  double river_top_ = 0, river_bottom_ = 0;  // normalised y of the river band (boats only)
};

}  // namespace

config::LineRule SimOptions::DefaultLine() {
  config::LineRule l;
  l.id = "border";
  l.points = {{0.05, 0.62}, {0.95, 0.55}};
  l.classes = {"person", "vehicle"};
  return l;
}

config::ZoneRule SimOptions::DefaultZone() {
  config::ZoneRule z;
  z.id = "yard";
  z.polygon = {{0.60, 0.18}, {0.92, 0.18}, {0.92, 0.40}, {0.60, 0.40}};
  return z;
}

Status ValidateSimOptions(const SimOptions& o) {
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("sim camera " + o.camera_id + ": " + what);
  };
  if (o.width < 16 || o.width > 8192 || o.height < 16 || o.height > 8192)
    return bad("width and height must be 16..8192 pixels");
  if (!(o.fps > 0 && o.fps <= 240)) return bad("fps must be in (0, 240]");
  if (!(o.duration_s > 0 && o.duration_s <= 86400)) return bad("duration must be in (0, 86400] s");
  if (o.people < 0 || o.people > 1000) return bad("people must be 0..1000");
  if (o.vehicles < -1 || o.vehicles > 1000) return bad("vehicles must be -1 (auto) or 0..1000");
  if (o.runners < 0 || o.runners > 1000 || o.crawlers < 0 || o.crawlers > 1000 || o.boats < 0 ||
      o.boats > 1000)
    return bad("runners, crawlers and boats must be 0..1000");
  if (o.crf < 0 || o.crf > 51) return bad("crf must be 0..51");
  if (!(o.noise_sigma >= 0 && o.noise_sigma <= 100)) return bad("noise must be 0..100 grey levels");
  if (!(o.fail_at_s >= 0) || !(o.fail_for_s >= 0)) return bad("fail_at and fail_for must be >= 0 s");
  if (!(o.tamper_at_s >= 0) || !(o.tamper_for_s >= 0)) return bad("tamper_at and tamper_for must be >= 0 s");
  const SimConditions& c = o.conditions;
  if (!(c.ir_switch_s >= 0) || !(c.ae_step_s >= 0) || !(c.passers_s >= 0))
    return bad("ir_switch, ae_step and passers must be >= 0 s");
  if ((c.ir_switch_s > 0 && c.ir_switch_s < 1) || (c.ae_step_s > 0 && c.ae_step_s < 1) ||
      (c.passers_s > 0 && c.passers_s < 2))
    return bad("ir_switch and ae_step must be at least 1 s apart, passers at least 2 s");
  auto in01 = [](const Point& p) { return p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1; };
  if (o.line.points.size() < 2) return bad("line '" + o.line.id + "' needs 2 or more points");
  for (size_t i = 0; i < o.line.points.size(); ++i) {
    if (!in01(o.line.points[i])) return bad("line '" + o.line.id + "' has a point outside 0..1");
    if (i > 0 && o.line.points[i].x == o.line.points[i - 1].x && o.line.points[i].y == o.line.points[i - 1].y)
      return bad("line '" + o.line.id + "' repeats a point");
  }
  if (!o.zone.polygon.empty() && o.zone.polygon.size() < 3)
    return bad("zone '" + o.zone.id + "' needs 3 or more points");
  for (const auto& p : o.zone.polygon)
    if (!in01(p)) return bad("zone '" + o.zone.id + "' has a point outside 0..1");
  return Status::Ok();
}

Point SimObject::FootAt(double t) const {
  if (t <= path.front().t) return path.front().p;
  // The first waypoint after t: binary search, so long scripted paths (a
  // guard's 8-hour shift) cost the same per frame as a short one.
  auto it =
      std::upper_bound(path.begin(), path.end(), t, [](double v, const Waypoint& w) { return v < w.t; });
  if (it == path.end()) return path.back().p;
  const auto& a = *(it - 1);
  const auto& b = *it;
  double f = (t - a.t) / (b.t - a.t);
  return {a.p.x + f * (b.p.x - a.p.x), a.p.y + f * (b.p.y - a.p.y)};
}

Point SimObject::DrawnFootAt(double t) const {
  Point p = FootAt(t);
  if (sway <= 0) return p;
  // Two incommensurate slow sines sideways and a smaller one up and down: a
  // person shifting their weight, bounded by the amplitude.
  p.x += sway * (0.6 * std::sin(2 * M_PI * kSwayHz[0] * t + sway_phase[0]) +
                 0.4 * std::sin(2 * M_PI * kSwayHz[1] * t + sway_phase[1]));
  p.y += 0.3 * sway * std::sin(2 * M_PI * kSwayHz[2] * t + sway_phase[2]);
  return p;
}

double SimObject::StrideAt(double t, bool* moving) const {
  if (stride.empty()) {
    *moving = true;
    return 2 * M_PI * 0.9 * speed_mps * (t - path.front().t);
  }
  auto it =
      std::upper_bound(path.begin(), path.end(), t, [](double v, const Waypoint& w) { return v < w.t; });
  if (it == path.begin() || it == path.end()) {
    *moving = false;
    return it == path.begin() ? stride.front() : stride.back();
  }
  const size_t i = static_cast<size_t>(it - path.begin());
  const Waypoint& a = path[i - 1];
  const Waypoint& b = path[i];
  *moving = a.p.x != b.p.x || a.p.y != b.p.y;
  const double f = (t - a.t) / (b.t - a.t);
  return stride[i - 1] + f * (stride[i] - stride[i - 1]);
}

double SimObject::HeightAt(double y) const { return height_ref * Perspective(y); }

double SideOf(const Point& a, const Point& b, const Point& q) {
  return (b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x);
}

std::vector<Crossing> SegmentCrossings(const Point& p0, double t0, const Point& p1, double t1,
                                       const std::vector<Point>& line) {
  std::vector<Crossing> out;
  for (size_t i = 1; i < line.size(); ++i) {
    const Point& a = line[i - 1];
    const Point& b = line[i];
    double s0 = SideOf(a, b, p0), s1 = SideOf(a, b, p1);
    if (!((s0 < 0 && s1 > 0) || (s0 > 0 && s1 < 0))) continue;
    double u = s0 / (s0 - s1);
    Point q{p0.x + u * (p1.x - p0.x), p0.y + u * (p1.y - p0.y)};
    double bx = b.x - a.x, by = b.y - a.y;
    double v = ((q.x - a.x) * bx + (q.y - a.y) * by) / (bx * bx + by * by);
    if (v < 0 || v > 1) continue;
    Crossing c;
    c.t = t0 + u * (t1 - t0);
    c.p = q;
    c.in = s0 < 0;
    out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const Crossing& x, const Crossing& y) { return x.t < y.t; });
  return out;
}

bool InsidePolygon(const config::Polygon& poly, const Point& q) {
  bool inside = false;
  for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const Point& a = poly[i];
    const Point& b = poly[j];
    if ((a.y > q.y) != (b.y > q.y) && q.x < (b.x - a.x) * (q.y - a.y) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

std::vector<Point> RoadCentreline(const SimOptions& o) {
  const auto& line = o.line.points;
  if (line.size() < 2) return {};
  Geo g{static_cast<double>(o.width) / o.height};
  for (double side : {1.0, -1.0}) {
    std::vector<V> pts;
    for (size_t i = 0; i < line.size(); ++i) {
      V n{0, 0};
      if (i > 0) n = n + g.Normal(line[i - 1], line[i]);
      if (i + 1 < line.size()) n = n + g.Normal(line[i], line[i + 1]);
      pts.push_back(g.ToH(line[i]) + Unit(n) * (side * kRoadOffset));
    }
    bool ok = true;
    for (const V& p : pts) ok &= p.y >= 0.3 && p.y <= 0.93;
    if (!ok) continue;
    // Run the track out of the frame at both ends.
    constexpr double kExtend = 1.5;
    pts.front() = pts.front() - Unit(pts[1] - pts[0]) * kExtend;
    pts.back() = pts.back() + Unit(pts[pts.size() - 1] - pts[pts.size() - 2]) * kExtend;
    std::vector<Point> out;
    for (const V& p : pts) out.push_back(g.FromH(p));
    return out;
  }
  return {};
}

namespace {

// The scripted actors of o whose paths overlap story `cycle`, with their times
// moved into the story's clock. Actor k (0-based) has id k + 1 in every story.
std::vector<SimObject> ScriptObjects(const SimOptions& o, int cycle) {
  std::vector<SimObject> out;
  if (!o.script_data) return out;
  const Geo g{static_cast<double>(o.width) / o.height};
  const double shift = o.script_loop ? 0.0 : cycle * o.duration_s;
  const auto& actors = o.script_data->actors;
  for (size_t k = 0; k < actors.size(); ++k) {
    const ScriptActor& a = actors[k];
    if (a.path.back().t - shift <= 0 || a.path.front().t - shift >= o.duration_s) continue;
    cv::RNG rng(Mix64(Mix64(o.seed ^ 0x5C419ULL) + k));
    SimObject obj;
    obj.id = static_cast<int64_t>(k) + 1;
    obj.kind = a.kind;
    obj.intent = PathIntent::kAlong;
    obj.scripted = true;
    obj.path = a.path;
    for (Waypoint& w : obj.path) w.t -= shift;
    const double far = o.far ? kFarScale : 1.0;
    // The direction of the first move sets a vehicle's or boat's view (side or end on).
    V dir{1, 0};
    for (size_t i = 1; i < a.path.size(); ++i) {
      V d = g.ToH(a.path[i].p) - g.ToH(a.path[i - 1].p);
      if (Len(d) > 0) {
        dir = Unit(d);
        break;
      }
    }
    switch (a.kind) {
      case ObjectKind::kPerson:
        obj.height_ref = kRefPersonPx360 / 360.0 * far;
        obj.aspect = 0.38;
        PaintPerson(rng, &obj);
        break;
      case ObjectKind::kVehicle:
        obj.height_ref = kRefPersonPx360 / 360.0 * kVehicleHeightRatio * far;
        obj.aspect = std::abs(dir.x) > 0.6 ? 2.3 : 1.25;
        PaintVehicle(rng, &obj);
        break;
      case ObjectKind::kBoat:
        obj.height_ref = kRefPersonPx360 / 360.0 * kBoatHeightRatio * far;
        obj.aspect = std::abs(dir.x) > 0.6 ? kBoatSideAspect : kBoatEndAspect;
        PaintBoat(rng, &obj);
        break;
    }
    obj.world_scale = far;
    obj.sway = a.sway;
    for (double& ph : obj.sway_phase) ph = rng.uniform(0.0, 2 * M_PI);
    obj.stride.resize(obj.path.size());
    obj.stride[0] = 0;
    for (size_t i = 1; i < obj.path.size(); ++i) {
      const Point& p0 = obj.path[i - 1].p;
      const Point& p1 = obj.path[i].p;
      const double metres = Len(g.ToH(p1) - g.ToH(p0)) / UnitsPerMetre(obj, (p0.y + p1.y) / 2);
      obj.stride[i] = obj.stride[i - 1] + kStridePerMetre * metres;
    }
    out.push_back(std::move(obj));
  }
  return out;
}

}  // namespace

bool RiverBand(const SimOptions& o, double* top, double* bottom) {
  double lo = 1, hi = 0;
  for (const auto& p : o.line.points) lo = std::min(lo, p.y), hi = std::max(hi, p.y);
  *top = std::clamp(lo - kRiverHalfHeight, kRiverMinTop, 1.0);
  *bottom = std::clamp(hi + kRiverHalfHeight, 0.0, kRiverMaxBottom);
  if (*bottom - *top > kRiverMaxHeight) {
    const double mid = (lo + hi) / 2;
    *top = std::max(kRiverMinTop, mid - kRiverMaxHeight / 2);
    *bottom = std::min(kRiverMaxBottom, *top + kRiverMaxHeight);
  }
  return o.river || o.boats > 0;
}

Scene Scene::Generate(const SimOptions& o, int cycle) {
  Scene s;
  s.o_ = o;
  s.background_ = Background::Build(o);
  return s.NextCycle(cycle);
}

Scene Scene::NextCycle(int cycle) const {
  Scene s;
  s.o_ = o_;
  s.cycle_ = cycle;
  s.background_ = background_;
  s.objects_ = ScriptObjects(o_, cycle);
  const int64_t first_id = o_.script_data ? static_cast<int64_t>(o_.script_data->actors.size()) : 0;
  for (SimObject& obj : Generator(o_, cycle).Run()) {
    obj.id += first_id;
    s.objects_.push_back(std::move(obj));
  }
  return s;
}

const cv::Mat& Scene::BackgroundImage() const { return background_->image(); }

int64_t Scene::FrameCount() const { return std::max<int64_t>(1, std::llround(o_.duration_s * o_.fps)); }

GtBox Scene::BoxOf(const SimObject& obj, double t) const {
  Point f = obj.DrawnFootAt(t);
  GtBox b;
  b.id = obj.id;
  b.cls = ClassName(obj.kind);
  b.h = obj.HeightAt(f.y) * o_.height;
  b.w = b.h * obj.aspect;
  b.x = f.x * o_.width - b.w / 2;
  b.y = f.y * o_.height - b.h;
  return b;
}

void Scene::Render(double t, cv::Mat* bgr) const {
  background_->image().copyTo(*bgr);
  background_->DrawRiver(t, bgr);
  background_->DrawTrees(t, bgr);
  std::vector<std::pair<double, const SimObject*>> visible;
  for (const auto& obj : objects_)
    if (obj.VisibleAt(t)) visible.push_back({obj.DrawnFootAt(t).y, &obj});
  // Far (higher in the frame) first, so near objects cover far ones.
  std::stable_sort(visible.begin(), visible.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [y, obj] : visible) DrawObject(*obj, t, BoxOf(*obj, t), o_.night, bgr);
  background_->AddNoise(o_.seed + 0x1000003ULL * static_cast<uint64_t>(cycle_), std::llround(t * o_.fps),
                        bgr);
}

std::vector<GtBox> Scene::BoxesAt(double t) const {
  std::vector<GtBox> out;
  for (const auto& obj : objects_)
    if (obj.VisibleAt(t)) out.push_back(BoxOf(obj, t));
  return out;
}

std::vector<Crossing> Scene::Crossings() const {
  std::vector<Crossing> out;
  for (const auto& obj : objects_) {
    for (const auto& c : PathCrossings(obj, o_.line.points)) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const Crossing& a, const Crossing& b) { return a.t < b.t; });
  return out;
}

std::vector<events::Event> Scene::GroundTruthEvents() const {
  std::vector<events::Event> out;
  auto accepts = [](const std::vector<std::string>& classes, const std::string& cls) {
    return classes.empty() || std::find(classes.begin(), classes.end(), cls) != classes.end();
  };
  auto make = [&](const SimObject& obj, const std::string& type, double t, const std::string& rule) {
    events::Event e;
    e.type = type;
    e.camera = o_.camera_id;
    e.t = t;
    e.track = obj.id;
    e.cls = ClassName(obj.kind);
    e.rule = rule;
    e.confidence = 1.0;
    GtBox b = BoxOf(obj, t);
    e.box = events::Box{b.x / o_.width, b.y / o_.height, b.w / o_.width, b.h / o_.height};
    return e;
  };
  for (const auto& obj : objects_) {
    const std::string cls = ClassName(obj.kind);
    if (accepts(o_.line.classes, cls)) {
      for (const auto& c : PathCrossings(obj, o_.line.points)) {
        if (c.t < 0 || c.t >= o_.duration_s) continue;
        events::Event e = make(obj, "line_crossing", c.t, o_.line.id);
        e.direction = c.in ? "in" : "out";
        out.push_back(std::move(e));
      }
    }
    if (accepts(o_.zone.classes, cls)) {
      std::optional<double> entry = FirstZoneEntry(obj, o_.zone.polygon);
      if (entry && *entry >= 0 && *entry < o_.duration_s)
        out.push_back(make(obj, "zone_intrusion", *entry, o_.zone.id));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const events::Event& a, const events::Event& b) {
    return a.t != b.t ? a.t < b.t : a.track < b.track;
  });
  return out;
}

const char* ToString(FailMode m) {
  switch (m) {
    case FailMode::kNone:
      return "none";
    case FailMode::kOffline:
      return "offline";
    case FailMode::kFreeze:
      return "freeze";
    case FailMode::kBlack:
      return "black";
  }
  return "none";
}

const char* ToString(Tamper t) {
  switch (t) {
    case Tamper::kNone:
      return "none";
    case Tamper::kCover:
      return "cover";
    case Tamper::kSpray:
      return "spray";
    case Tamper::kDefocus:
      return "defocus";
    case Tamper::kGlare:
      return "glare";
    case Tamper::kBlackout:
      return "blackout";
    case Tamper::kFreeze:
      return "freeze";
    case Tamper::kMove:
      return "move";
  }
  return "none";
}

bool ParseTamper(const std::string& name, Tamper* out) {
  for (Tamper t : {Tamper::kNone, Tamper::kCover, Tamper::kSpray, Tamper::kDefocus, Tamper::kGlare,
                   Tamper::kBlackout, Tamper::kFreeze, Tamper::kMove}) {
    if (name == ToString(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

const char* ClassName(ObjectKind k) {
  switch (k) {
    case ObjectKind::kPerson:
      return "person";
    case ObjectKind::kVehicle:
      return "vehicle";
    case ObjectKind::kBoat:
      return "boat";
  }
  return "person";
}

}  // namespace watchline::sim
