#include "analysis/classifier.h"

#include <algorithm>
#include <cmath>

#include "analysis/geometry.h"
#include "base/log.h"
#include "geometry/homography.h"
#include "geometry/local_frame.h"

namespace watchline::analysis {
namespace {

// --- Image scale (no calibration, no perspective model yet) ---
// An upright person's box is clearly taller than wide (walking side-on about
// 2.5:1, with a shadow or seen at an angle still above this). Used at every
// scale.
constexpr double kPersonMinAspect = 1.2;
// Faster than this (frame diagonals per second) is not a walking or running
// person at any distance where a person is resolvable.
constexpr double kPersonMaxSpeed = 0.6;
// Vehicles are wider than tall.
constexpr double kVehicleMaxAspect = 0.9;
// A small, low object that moves slowly and steadily (a crawling person, or
// an animal walking: no size tells them apart until the camera knows its
// scale) is taken for a person: a missed intruder costs more than a false
// alarm. Frame diagonals per second. Only before sizes are known.
constexpr double kCrawlMaxImageSpeed = 0.2;
// A wide box at least this big (fraction of the frame area) is a vehicle even
// when slow (parked, turning)...
constexpr double kVehicleMinAreaFrac = 0.003;
// ...and a wide box moving at least this fast is one even when small.
constexpr double kVehicleMinSpeed = 0.25;

// --- Metres (calibrated, or estimated from the perspective model) ---
// Upright person: 1.2-2.1 m tall with margin for the box (shadow, hair,
// estimate error of the perspective scale), at most this wide (arms, a bag,
// the stride), at most this fast (a sprinter).
constexpr double kPersonMinHeightM = 0.9;
constexpr double kPersonMaxHeightM = 2.6;
constexpr double kPersonMaxWidthM = 1.3;
constexpr double kPersonMaxSpeedMps = 8;
// Nothing smaller than this (either side) or larger is classified.
constexpr double kMinSideM = 0.15;
constexpr double kMaxHeightM = 5;
constexpr double kMaxLengthM = 25;
// Low: a crawling person (0.4-0.7 m), a dog, a fox, a deer lying down.
constexpr double kLowMaxHeightM = 0.85;
// Small: a crawling person side-on (1.2-1.6 m), a dog or a deer (0.3-1.5 m).
constexpr double kSmallMaxLengthM = 1.9;
// A crawling person moves slowly and steadily; an animal trots, stops, turns.
constexpr double kCrawlMaxSpeedMps = 1.0;
constexpr double kCrawlMinSteadiness = 0.6;
// Vehicles stand at least this tall (a car is 1.4-1.6 m; a boat hull with
// crew is lower) and are at least this wide seen end-on (1.5-2.5 m; the margin
// covers a narrow box).
constexpr double kVehicleMinHeightM = 1.3;
constexpr double kVehicleMinWidthM = 1.4;
// A long object (side-on car, boat) is at least this long.
constexpr double kLongMinLengthM = 1.8;
// Without water configured, a boat must show itself side-on: long
// (kLongMinLengthM), flat (height/width at most kBoatMaxAspect), moving across
// the view (share of horizontal motion) and steadily, no faster than a patrol
// boat, and low (below kVehicleMinHeightM, above kBoatMinHeightM). A hull
// whose wake and crew make it look as tall as a car is then a vehicle: so is
// a car driving slowly off the road, and without water nothing tells the two
// apart (a `classes: [boat]` zone on the water does).
constexpr double kBoatMinHeightM = 0.4;
constexpr double kBoatMaxAspect = 0.6;
constexpr double kBoatMinHorizontal = 0.5;
constexpr double kBoatMinSteadiness = 0.7;
constexpr double kBoatMaxSpeedMps = 12;
// On configured water, anything at least this wide that is not an upright
// person is a boat (a kayak end-on is ~0.6 m).
constexpr double kBoatOnWaterMinWidthM = 0.6;

// --- Perspective model ---
// Person-like samples only: an upright, clearly taller-than-wide box.
constexpr double kSampleMinAspect = 1.6;
// Refit after this many new samples.
constexpr int kRefitEvery = 16;
// People differ in height (the model learns the typical one), so the
// horizon is found from how each person's own height changes with the row:
// for a candidate horizon y0, every track's ratios h / (y - y0) should be
// constant. Candidates run from kMinHorizonGapY above the highest sample
// rows up to kMaxHorizonGapY above, in kHorizonSteps steps even in 1/(y - y0)
// (then kHorizonRefineSteps finer steps around the best);
// deviations of a log ratio from its track's median count up to kLogResidualCap
// (a merged blob, a partly hidden person). Only tracks with samples spanning
// at least kMinTrackRowSpan rows inform the horizon.
constexpr double kMaxHorizonGapY = 4.0;
constexpr int kHorizonSteps = 48;
constexpr int kHorizonRefineSteps = 16;
constexpr double kLogResidualCap = 0.25;
constexpr double kMinTrackRowSpan = 0.08;
// If the best horizon explains less than kMinHorizonGain of the within-track
// spread left by the farthest candidate (the rows do not tell), the horizon
// is assumed at kDefaultHorizonY, or kNarrowHorizonGapY above the highest
// rows if that is higher.
constexpr double kMinHorizonGain = 0.15;
constexpr double kDefaultHorizonY = 0.0;
constexpr double kNarrowHorizonGapY = 0.3;
// A fitted horizon must lie at least this far above the highest sample rows.
constexpr double kMinHorizonGapY = 0.05;
// Rows closer than this to the horizon have no usable person height.
constexpr double kHorizonMarginY = 0.02;
// Time over which per-track sample times are remembered, seconds.
constexpr double kSampleMemoryS = 30;

// --- Measuring ---
// Ground speed from where the foot will be this long on at the current
// velocity, seconds.
constexpr double kSpeedLookaheadS = 0.5;

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t k = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * v.size()));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

ObjectClass ClassifyImage(const ObjectFeatures& f) {
  const bool upright = f.aspect >= kPersonMinAspect;
  if (f.on_water.value_or(false) && !upright) return ObjectClass::kBoat;
  if (upright && f.speed <= kPersonMaxSpeed) return ObjectClass::kPerson;
  if (f.aspect <= kVehicleMaxAspect &&
      (f.area_frac >= kVehicleMinAreaFrac || f.speed >= kVehicleMinSpeed))
    return ObjectClass::kVehicle;
  // (Once sizes are known, ClassifyMetres has the say on low objects.)
  if (f.scale == SizeScale::kImage && !upright && f.speed <= kCrawlMaxImageSpeed &&
      f.steadiness >= kCrawlMinSteadiness)
    return ObjectClass::kPerson;
  return ObjectClass::kUnknown;
}

ObjectClass ClassifyMetres(const ObjectFeatures& f) {
  const double h = f.height_m, w = f.width_m, v = f.speed_mps;
  if (h < kMinSideM || w < kMinSideM || h > kMaxHeightM || w > kMaxLengthM)
    return ObjectClass::kUnknown;
  const bool upright = f.aspect >= kPersonMinAspect;
  if (upright && h >= kPersonMinHeightM && h <= kPersonMaxHeightM && w <= kPersonMaxWidthM &&
      v <= kPersonMaxSpeedMps)
    return ObjectClass::kPerson;
  if (f.on_water.value_or(false)) {
    if (!upright && w >= kBoatOnWaterMinWidthM) return ObjectClass::kBoat;
    return ObjectClass::kUnknown;
  }
  if (upright) return ObjectClass::kUnknown;  // too tall, too wide or too fast for a person
  if (w >= kLongMinLengthM) {  // long: a vehicle or a boat side-on
    const bool boat_allowed = !f.on_water.has_value();  // water configured and not on it: no boat
    if (boat_allowed && h < kVehicleMinHeightM && h >= kBoatMinHeightM &&
        f.aspect <= kBoatMaxAspect &&
        f.horizontal >= kBoatMinHorizontal && f.steadiness >= kBoatMinSteadiness &&
        v <= kBoatMaxSpeedMps)
      return ObjectClass::kBoat;
    return ObjectClass::kVehicle;
  }
  if (h >= kVehicleMinHeightM && w >= kVehicleMinWidthM) return ObjectClass::kVehicle;
  // Small and not upright.
  if (h < kLowMaxHeightM && w <= kSmallMaxLengthM && v <= kCrawlMaxSpeedMps &&
      f.steadiness >= kCrawlMinSteadiness)
    return ObjectClass::kPerson;  // crawling
  if (w <= kSmallMaxLengthM && f.aspect < 1) return ObjectClass::kAnimal;
  return ObjectClass::kUnknown;
}

}  // namespace

std::string_view ClassName(ObjectClass c) {
  switch (c) {
    case ObjectClass::kPerson: return "person";
    case ObjectClass::kVehicle: return "vehicle";
    case ObjectClass::kBoat: return "boat";
    case ObjectClass::kAnimal: return "animal";
    case ObjectClass::kUnknown: break;
  }
  return "unknown";
}

ObjectFeatures Classifier::Measure(const Observation& o) const {
  ObjectFeatures f;
  if (o.frame.width <= 0 || o.frame.height <= 0 || o.box.width <= 0 || o.box.height <= 0)
    return f;
  const double diag = std::hypot(o.frame.width, o.frame.height);
  f.width_frac = o.box.width / o.frame.width;
  f.height_frac = o.box.height / o.frame.height;
  f.aspect = o.box.height / o.box.width;
  f.area_frac = f.width_frac * f.height_frac;
  const double speed_px = std::hypot(o.velocity.x, o.velocity.y);
  f.speed = speed_px / diag;
  f.fill = o.fg_area > 0 ? std::min(1.0, o.fg_area / o.box.area()) : 0;
  f.horizontal = speed_px > 0 ? std::abs(o.velocity.x) / speed_px : 0;
  f.steadiness = std::clamp(o.steadiness, 0.0, 1.0);
  return f;
}

void Classifier::Learn(const Observation&, ObjectClass, bool) {}

ObjectClass HeuristicClassifier::Classify(const ObjectFeatures& f) const {
  if (f.scale == SizeScale::kImage) return ClassifyImage(f);
  const ObjectClass c = ClassifyMetres(f);
  // Sizes from the learned perspective are an estimate (learned from the
  // people this camera saw, and wrong where the ground is not one plane):
  // they may add a class the image-relative rules cannot give (a crawler, a
  // boat, an animal), but where they fit no class (a box clipped at the
  // frame edge, legs hidden, a person where the learned scale says nobody
  // can be that tall) the image-relative rules still decide. A missed
  // intruder costs more than a false alarm.
  if (c == ObjectClass::kUnknown && f.scale == SizeScale::kPerspective) return ClassifyImage(f);
  return c;
}

// --- PerspectiveModel ---

void PerspectiveModel::Add(int64_t track, double t, double foot_y, double height) {
  if (!(height > 0) || !std::isfinite(foot_y)) return;
  auto it = std::find_if(last_sample_.begin(), last_sample_.end(),
                         [&](const auto& p) { return p.first == track; });
  if (it != last_sample_.end()) {
    if (t - it->second < kSampleIntervalS && t >= it->second) return;
    it->second = t;
  } else {
    std::erase_if(last_sample_, [&](const auto& p) { return t - p.second > kSampleMemoryS; });
    last_sample_.emplace_back(track, t);
  }
  if (ys_.size() < static_cast<size_t>(kMaxSamples)) {
    ys_.push_back(foot_y);
    hs_.push_back(height);
    owners_.push_back(track);
  } else {
    ys_[next_] = foot_y;
    hs_[next_] = height;
    owners_[next_] = track;
    next_ = (next_ + 1) % ys_.size();
  }
  ++since_fit_;
  if (static_cast<int>(ys_.size()) >= kMinSamples && (!ready_ || since_fit_ >= kRefitEvery)) Fit();
}

void PerspectiveModel::Fit() {
  since_fit_ = 0;
  const size_t n = ys_.size();
  // Samples grouped by track.
  std::vector<size_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t p, size_t q) { return owners_[p] < owners_[q]; });
  std::vector<std::pair<size_t, size_t>> groups;  // [begin, end) in idx
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && owners_[idx[j]] == owners_[idx[i]]) ++j;
    groups.emplace_back(i, j);
    i = j;
  }
  if (static_cast<int>(groups.size()) < kMinTracks) return;
  std::vector<std::pair<size_t, size_t>> spanning;
  for (const auto& [b, e] : groups) {
    double lo = 1e9, hi = -1e9;
    for (size_t k = b; k < e; ++k) {
      lo = std::min(lo, ys_[idx[k]]);
      hi = std::max(hi, ys_[idx[k]]);
    }
    if (hi - lo >= kMinTrackRowSpan) spanning.emplace_back(b, e);
  }
  const double y_top = Quantile(ys_, 0.02);
  std::vector<double> logs;
  // Within-track spread of log(h / (y - y0)), capped per sample.
  const auto cost = [&](double y0) {
    double c = 0;
    for (const auto& [b, e] : spanning) {
      logs.clear();
      for (size_t k = b; k < e; ++k)
        logs.push_back(std::log(hs_[idx[k]] / std::max(1e-6, ys_[idx[k]] - y0)));
      const double med = Median(logs);
      for (double l : logs) c += std::min(kLogResidualCap * kLogResidualCap, (l - med) * (l - med));
    }
    return c;
  };
  double y0 = std::min(kDefaultHorizonY, y_top - kNarrowHorizonGapY);
  if (!spanning.empty()) {
    // Candidates even in u = 1 / (y_top - y0), from the farthest to the nearest.
    const double u_far = 1 / kMaxHorizonGapY, u_near = 1 / kMinHorizonGapY;
    const double far_cost = cost(y_top - kMaxHorizonGapY);
    const double step = (u_near - u_far) / kHorizonSteps;
    double best = far_cost, best_u = u_far;
    const auto search = [&](double from, double to, int steps) {
      for (int i = 0; i <= steps; ++i) {
        const double u = std::clamp(from + (to - from) * i / steps, u_far, u_near);
        const double c = cost(y_top - 1 / u);
        if (c < best) {
          best = c;
          best_u = u;
        }
      }
    };
    search(u_far, u_near, kHorizonSteps);
    search(best_u - step, best_u + step, kHorizonRefineSteps);  // refine around the best
    const double best_y0 = y_top - 1 / best_u;
    if (far_cost > 0 && far_cost - best >= kMinHorizonGain * far_cost) y0 = best_y0;
  }
  // The typical person: the median over tracks of each track's median ratio.
  std::vector<double> per_track, ratios;
  for (const auto& [b, e] : groups) {
    ratios.clear();
    for (size_t k = b; k < e; ++k)
      ratios.push_back(hs_[idx[k]] / std::max(1e-6, ys_[idx[k]] - y0));
    per_track.push_back(Median(ratios));
  }
  const double a = Median(per_track);
  if (!(a > 0) || !std::isfinite(a) || !std::isfinite(y0)) return;
  a_ = a;
  y0_ = y0;
  ready_ = true;
}

std::optional<double> PerspectiveModel::PersonHeightAt(double foot_y) const {
  if (!ready_ || foot_y <= y0_ + kHorizonMarginY) return std::nullopt;
  return a_ * (foot_y - y0_);
}

// --- CameraClassifier ---

CameraClassifier::CameraClassifier(const config::CameraConfig& cam, cv::Size frame)
    : frame_(frame) {
  if (!cam.calibration.empty()) {
    const auto& p0 = cam.calibration.front();
    auto lf = geometry::LocalFrame::Create(geometry::LatLon{p0.lat, p0.lon});
    if (!lf.ok()) {
      WL_LOG(Warn) << "camera " << cam.id << ": calibration ignored by the classifier ("
                   << lf.status().ToString() << ")";
    } else {
      auto h = geometry::Homography::Fit(cam.calibration, *lf.value(), "camera " + cam.id);
      if (h.ok()) {
        homography_ = std::make_unique<geometry::Homography>(std::move(h).value());
      } else {
        WL_LOG(Warn) << "camera " << cam.id << ": calibration ignored by the classifier ("
                     << h.status().ToString() << "); sizes are perspective-scaled pixels";
      }
    }
  }
  for (const config::ZoneRule& z : cam.zones) {
    if (z.polygon.size() < 3 || z.classes.size() != 1 || z.classes.front() != "boat") continue;
    std::vector<cv::Point2d> poly;
    for (const auto& p : z.polygon) poly.emplace_back(p.x, p.y);
    water_.push_back(std::move(poly));
  }
}

CameraClassifier::~CameraClassifier() = default;

ObjectClass CameraClassifier::Classify(const ObjectFeatures& f) const { return rules_.Classify(f); }

ObjectFeatures CameraClassifier::Measure(const Observation& o) const {
  ObjectFeatures f = Classifier::Measure(o);
  if (f.aspect <= 0) return f;
  const double fw = o.frame.width, fh = o.frame.height;
  const cv::Rect2d nb(o.box.x / fw, o.box.y / fh, o.box.width / fw, o.box.height / fh);
  const cv::Point2d foot(nb.x + nb.width / 2, nb.y + nb.height);
  if (!water_.empty()) {
    bool on = false;
    for (const auto& poly : water_) on = on || PointInPolygon(poly, foot);
    f.on_water = on;
  }
  if (homography_) {
    if (auto size = geometry::MeasureObject(*homography_, nb, fw / fh)) {
      const cv::Point2d ahead(foot.x + o.velocity.x / fw * kSpeedLookaheadS,
                              foot.y + o.velocity.y / fh * kSpeedLookaheadS);
      const auto v = geometry::GroundSpeedMps(*homography_, foot, 0, ahead, kSpeedLookaheadS);
      f.scale = SizeScale::kMetric;
      f.width_m = size->width_m;
      f.height_m = size->height_m;
      f.speed_mps = v.value_or(0);
      return f;
    }
  }
  if (auto hp = perspective_.PersonHeightAt(foot.y)) {
    const double m_per_px = kPersonHeightM / (*hp * fh);
    f.scale = SizeScale::kPerspective;
    f.width_m = o.box.width * m_per_px;
    f.height_m = o.box.height * m_per_px;
    f.speed_mps = std::hypot(o.velocity.x, o.velocity.y) * m_per_px;
  }
  return f;
}

void CameraClassifier::Learn(const Observation& o, ObjectClass track_class, bool confirmed) {
  if (!confirmed || track_class != ObjectClass::kPerson || o.frame.height <= 0 ||
      o.box.width <= 0 || o.box.height < kSampleMinAspect * o.box.width)
    return;
  perspective_.Add(o.track, o.t, (o.box.y + o.box.height) / o.frame.height,
                   o.box.height / o.frame.height);
}

}  // namespace watchline::analysis
