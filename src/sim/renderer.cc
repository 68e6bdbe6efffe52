#include "sim/renderer.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace watchline::sim {

namespace {

// Noise windows are cut from a field this many pixels larger than the frame in
// each direction: 65 x 65 offsets per field.
constexpr int kNoisePad = 64;
// Night: scene brightness and contrast multipliers, and how much noisier the
// sensor is (gain is up in the dark).
constexpr double kNightBrightness = 0.32;
constexpr double kNightContrast = 0.6;
constexpr double kNightNoiseFactor = 2.5;
// Subpixel bits for OpenCV drawing, so that figures follow fractional boxes.
constexpr int kShift = 4;
constexpr double kShiftScale = 1 << kShift;
// Static grain of the ground texture, grey levels.
constexpr double kGrainSigma = 3.0;
// Half the width of the vehicle track, in frame heights.
constexpr double kRoadHalfWidth = 0.035;
// River: ripple brightness amplitude (grey levels, day) and how far ripples
// shift the reflections sideways (pixels at 360p).
constexpr double kRiverRipple = 9.0;
constexpr double kRiverShiftPx = 1.8;
// Foliage sways at most this many pixels (at 360p) at the crown's edge.
constexpr double kLeavesMaxSwayPx = 3.5;
// Leg swing, as a fraction of the box width, walking and running.
constexpr double kWalkSwing = 0.26, kRunSwing = 0.34;

// Boxes use continuous coordinates in which pixel c spans [c, c+1); OpenCV
// puts pixel centres on integers, hence the half-pixel shift.
cv::Point P(double x, double y) {
  return cv::Point(static_cast<int>(std::lround((x - 0.5) * kShiftScale)),
                   static_cast<int>(std::lround((y - 0.5) * kShiftScale)));
}

cv::Scalar NightColour(const cv::Scalar& c, bool night) {
  if (!night) return c;
  // Same mapping as the background: lower contrast around mid grey, darker, bluish.
  cv::Scalar out;
  for (int i = 0; i < 3; ++i) {
    double v = 110 + (c[i] - 110) * kNightContrast;
    out[i] = std::clamp(v * kNightBrightness * (i == 0 ? 1.15 : 1.0), 0.0, 255.0);
  }
  return out;
}

void FillPoly(cv::Mat* img, const std::vector<cv::Point>& pts, const cv::Scalar& c) {
  cv::fillConvexPoly(*img, pts.data(), static_cast<int>(pts.size()), c, cv::LINE_8, kShift);
}

// Low-frequency noise in [-1, 1]: a small random grid blown up with bicubic
// interpolation.
cv::Mat SmoothNoise(cv::RNG& rng, int cells_x, int cells_y, cv::Size size) {
  cv::Mat small(cells_y, cells_x, CV_32F);
  rng.fill(small, cv::RNG::UNIFORM, -1.0, 1.0);
  cv::Mat big;
  cv::resize(small, big, size, 0, 0, cv::INTER_CUBIC);
  return big;
}

void DrawPerson(const SimObject& obj, double t, const GtBox& b, bool night, cv::Mat* img) {
  const double x0 = b.x, y0 = b.y, w = b.w, h = b.h, cx = b.x + b.w / 2;
  const cv::Scalar body = NightColour(obj.body, night);
  const cv::Scalar legs = NightColour(obj.detail, night);
  const cv::Scalar head = NightColour(obj.head, night);
  // Legs swing with the walking cadence; the feet stay inside the box and
  // always reach its bottom row (the foot point).
  double phase = 0;
  bool moving = true;
  if (obj.stride.empty()) {
    const double cadence_hz = 0.9 * obj.speed_mps;
    phase = 2 * M_PI * cadence_hz * (t - obj.path.front().t);
  } else {
    phase = obj.StrideAt(t, &moving);  // scripted: legs move only while the actor does
  }
  const double stride = obj.gait == Gait::kRun ? kRunSwing : kWalkSwing;
  const double swing = moving ? stride * w * std::sin(phase) : 0.0;
  const double leg_w = 0.17 * w, hip_y = y0 + 0.56 * h, foot_y = y0 + h;
  for (int side : {-1, 1}) {
    double hip_x = cx + side * 0.16 * w;
    double foot_x = std::clamp(cx + side * 0.12 * w + side * swing, x0 + leg_w, x0 + w - leg_w);
    FillPoly(img,
             {P(hip_x - leg_w, hip_y), P(hip_x + leg_w, hip_y), P(foot_x + leg_w, foot_y),
              P(foot_x - leg_w, foot_y)},
             legs);
  }
  // Torso and arms: full box width between shoulders and hips.
  FillPoly(img,
           {P(cx - 0.34 * w, y0 + 0.20 * h), P(cx + 0.34 * w, y0 + 0.20 * h), P(x0 + w, y0 + 0.28 * h),
            P(x0 + w, y0 + 0.50 * h), P(cx + 0.36 * w, y0 + 0.62 * h), P(cx - 0.36 * w, y0 + 0.62 * h),
            P(x0, y0 + 0.50 * h), P(x0, y0 + 0.28 * h)},
           body);
  // Head touches the top of the box.
  const double r = 0.11 * h;
  cv::circle(*img, P(cx, y0 + r), static_cast<int>(std::lround(r * kShiftScale)), head, cv::FILLED,
             cv::LINE_8, kShift);
}

void DrawVehicle(const SimObject& obj, const GtBox& b, bool night, cv::Mat* img) {
  const double x0 = b.x, y0 = b.y, w = b.w, h = b.h;
  const cv::Scalar body = NightColour(obj.body, night);
  const cv::Scalar glass = NightColour(obj.detail, night);
  const cv::Scalar tyre = NightColour(cv::Scalar(28, 28, 28), night);
  auto at = [&](double fx, double fy) { return P(x0 + fx * w, y0 + fy * h); };
  if (obj.aspect >= 1.5) {  // side view
    FillPoly(img, {at(0.22, 0.45), at(0.32, 0.0), at(0.70, 0.0), at(0.82, 0.45)}, body);
    FillPoly(img, {at(0.27, 0.42), at(0.35, 0.08), at(0.67, 0.08), at(0.76, 0.42)}, glass);
    FillPoly(img,
             {at(0.02, 0.38), at(0.98, 0.38), at(1.0, 0.46), at(1.0, 0.78), at(0.98, 0.84), at(0.02, 0.84),
              at(0.0, 0.78), at(0.0, 0.46)},
             body);
    const double r = 0.17 * h;
    for (double fx : {0.2, 0.8})
      cv::circle(*img, P(x0 + fx * w, y0 + h - r), static_cast<int>(std::lround(r * kShiftScale)), tyre,
                 cv::FILLED, cv::LINE_8, kShift);
  } else {  // front or back view
    FillPoly(img, {at(0.10, 0.40), at(0.20, 0.0), at(0.80, 0.0), at(0.90, 0.40)}, body);
    FillPoly(img, {at(0.16, 0.36), at(0.24, 0.07), at(0.76, 0.07), at(0.84, 0.36)}, glass);
    for (double fx0 : {0.06, 0.76})
      FillPoly(img, {at(fx0, 0.75), at(fx0 + 0.18, 0.75), at(fx0 + 0.18, 1.0), at(fx0, 1.0)}, tyre);
    FillPoly(img,
             {at(0.02, 0.36), at(0.98, 0.36), at(1.0, 0.44), at(1.0, 0.86), at(0.0, 0.86), at(0.0, 0.44)},
             body);
  }
}

// A person crawling on hands and knees: seen from the side (wide box) or end
// on (narrow box). The figure touches all four sides of the box.
void DrawCrawler(const SimObject& obj, double t, const GtBox& b, bool night, cv::Mat* img) {
  const double x0 = b.x, y0 = b.y, w = b.w, h = b.h;
  const cv::Scalar body = NightColour(obj.body, night);
  const cv::Scalar limbs = NightColour(obj.detail, night);
  const cv::Scalar head = NightColour(obj.head, night);
  bool moving = true;
  const double phase = obj.StrideAt(t, &moving);
  const double s = moving ? std::sin(phase) : 0.0;
  auto at = [&](double fx, double fy) { return P(x0 + fx * w, y0 + fy * h); };
  if (obj.aspect >= 1.5) {  // side view; the head leads
    const bool right = obj.path.back().p.x >= obj.path.front().p.x;
    auto X = [&](double fx) { return right ? fx : 1 - fx; };
    // Arms and legs: four limbs from the body line to the ground, moving in pairs.
    for (int k = 0; k < 4; ++k) {
      const double base = k < 2 ? 0.70 : 0.18;  // shoulders, hips (fraction along the body)
      const double off = (k % 2 ? 1 : -1) * 0.06 * s;
      const double fx = std::clamp(base + off, 0.04, 0.9);
      FillPoly(img,
               {at(X(fx - 0.04), 0.45), at(X(fx + 0.04), 0.45), at(X(fx + 0.05), 1.0), at(X(fx - 0.05), 1.0)},
               limbs);
    }
    // Feet trail to the back edge of the box.
    FillPoly(img, {at(X(0.0), 0.70), at(X(0.16), 0.62), at(X(0.18), 0.85), at(X(0.0), 0.92)}, limbs);
    // Back: from hips to shoulders, a low hump.
    FillPoly(img,
             {at(X(0.08), 0.45), at(X(0.30), 0.22), at(X(0.65), 0.20), at(X(0.84), 0.30), at(X(0.84), 0.62),
              at(X(0.08), 0.66)},
             body);
    const double r = 0.26 * h;
    cv::circle(*img, P(x0 + X(1.0 - r / w) * w, y0 + r), static_cast<int>(std::lround(r * kShiftScale)), head,
               cv::FILLED, cv::LINE_8, kShift);
  } else {  // end on: head on top, shoulders and arms spread to the sides
    FillPoly(img, {at(0.0, 0.55), at(0.18, 0.40), at(0.82, 0.40), at(1.0, 0.55), at(0.9, 1.0), at(0.1, 1.0)},
             limbs);
    FillPoly(img, {at(0.12, 0.32), at(0.88, 0.32), at(0.92, 0.62), at(0.08, 0.62)}, body);
    const double r = 0.22 * std::min(h, w);
    const double cx = x0 + w / 2 + 0.04 * w * s;
    cv::circle(*img, P(cx, y0 + r), static_cast<int>(std::lround(r * kShiftScale)), head, cv::FILLED,
               cv::LINE_8, kShift);
  }
}

// A small boat: a hull at the waterline with a person or cabin on it. Side view
// for a wide box, bow or stern on for a narrow one.
void DrawBoat(const SimObject& obj, const GtBox& b, bool night, cv::Mat* img) {
  const double x0 = b.x, y0 = b.y, w = b.w, h = b.h;
  const cv::Scalar hull = NightColour(obj.body, night);
  const cv::Scalar trim = NightColour(obj.detail, night);
  const cv::Scalar crew = NightColour(obj.head, night);
  auto at = [&](double fx, double fy) { return P(x0 + fx * w, y0 + fy * h); };
  if (obj.aspect >= 1.5) {
    const bool right = obj.path.back().p.x >= obj.path.front().p.x;
    auto X = [&](double fx) { return right ? fx : 1 - fx; };
    // Hull: full length at the gunwale, shorter at the keel, bow raised.
    FillPoly(img, {at(X(0.0), 0.50), at(X(1.0), 0.42), at(X(0.86), 1.0), at(X(0.06), 1.0)}, hull);
    FillPoly(img, {at(X(0.02), 0.50), at(X(0.97), 0.43), at(X(0.96), 0.52), at(X(0.03), 0.58)}, trim);
    // A person sitting aft and an outboard motor.
    FillPoly(img, {at(X(0.22), 0.18), at(X(0.34), 0.18), at(X(0.36), 0.52), at(X(0.20), 0.52)}, crew);
    const double r = 0.12 * h;
    cv::circle(*img, P(x0 + X(0.28) * w, y0 + r), static_cast<int>(std::lround(r * kShiftScale)), crew,
               cv::FILLED, cv::LINE_8, kShift);
  } else {
    FillPoly(img, {at(0.0, 0.45), at(1.0, 0.45), at(0.78, 1.0), at(0.22, 1.0)}, hull);
    FillPoly(img, {at(0.02, 0.45), at(0.98, 0.45), at(0.92, 0.56), at(0.08, 0.56)}, trim);
    FillPoly(img, {at(0.34, 0.16), at(0.66, 0.16), at(0.70, 0.47), at(0.30, 0.47)}, crew);
    const double r = 0.1 * h;
    cv::circle(*img, P(x0 + 0.5 * w, y0 + r), static_cast<int>(std::lround(r * kShiftScale)), crew,
               cv::FILLED, cv::LINE_8, kShift);
  }
}

}  // namespace

uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::shared_ptr<const Background> Background::Build(const SimOptions& o) {
  auto bg = std::shared_ptr<Background>(new Background());
  const int W = o.width, H = o.height;
  const cv::Size size(W, H);
  cv::RNG rng(Mix64(o.seed ^ 0xB6C0F00DULL));
  const double px = H / 360.0;  // shapes are designed at 360p

  const double horizon = H * rng.uniform(0.10, 0.16);
  cv::Mat img(H, W, CV_32FC3);
  cv::Mat low = SmoothNoise(rng, 8, 5, size);
  cv::Mat mix = SmoothNoise(rng, 5, 3, size);
  cv::Mat mid = SmoothNoise(rng, 40, 22, size);
  cv::Mat grain(H, W, CV_32F);
  rng.fill(grain, cv::RNG::NORMAL, 0.0, kGrainSigma);
  const cv::Vec3f sky_top(205, 185, 165), sky_low(228, 220, 212);
  const cv::Vec3f grass_far(70, 105, 92), grass_near(62, 118, 98);
  const cv::Vec3f dirt_far(95, 118, 128), dirt_near(92, 128, 146);
  for (int y = 0; y < H; ++y) {
    cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
    const float* lo = low.ptr<float>(y);
    const float* mx = mix.ptr<float>(y);
    const float* md = mid.ptr<float>(y);
    const float* gr = grain.ptr<float>(y);
    if (y < horizon) {
      float f = static_cast<float>(y / horizon);
      for (int x = 0; x < W; ++x) row[x] = sky_top * (1 - f) + sky_low * f + cv::Vec3f::all(gr[x] * 0.3f);
      continue;
    }
    float g = static_cast<float>((y - horizon) / (H - horizon));
    cv::Vec3f grass = grass_far * (1 - g) + grass_near * g;
    cv::Vec3f dirt = dirt_far * (1 - g) + dirt_near * g;
    for (int x = 0; x < W; ++x) {
      float m = std::clamp(0.5f + 0.9f * mx[x], 0.0f, 1.0f);
      cv::Vec3f base = grass * (1 - m) + dirt * m;
      float mul = 1.0f + 0.13f * lo[x] + 0.06f * md[x];
      row[x] = base * mul + cv::Vec3f::all(gr[x]);
    }
  }
  // A treeline on the horizon.
  {
    double ph1 = rng.uniform(0.0, 2 * M_PI), ph2 = rng.uniform(0.0, 2 * M_PI);
    for (int x = 0; x < W; ++x) {
      double u = static_cast<double>(x) / W;
      double top = horizon - px * (8 + 6 * std::sin(u * 9 + ph1) + 4 * std::sin(u * 31 + ph2));
      for (int y = std::max(0, static_cast<int>(top)); y < std::min(H, static_cast<int>(horizon + 2 * px));
           ++y) {
        img.at<cv::Vec3f>(y, x) = cv::Vec3f(48, 74, 56) * (1.0f + 0.15f * low.at<float>(y, x)) +
                                  cv::Vec3f::all(grain.at<float>(y, x));
      }
    }
  }
  // A vehicle track parallel to the line (where vehicles drive along).
  {
    const std::vector<config::Point> road = RoadCentreline(o);
    if (road.size() >= 2) {
      std::vector<cv::Point> poly;
      for (const auto& p : road) poly.push_back(P(p.x * W, (p.y - kRoadHalfWidth) * H));
      for (auto it = road.rbegin(); it != road.rend(); ++it)
        poly.push_back(P(it->x * W, (it->y + kRoadHalfWidth) * H));
      cv::Mat mask = cv::Mat::zeros(H, W, CV_8U);
      cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(255), cv::LINE_8, kShift);
      cv::GaussianBlur(mask, mask, cv::Size(0, 0), 1.5 * px);
      for (int y = 0; y < H; ++y) {
        cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
        const uint8_t* mk = mask.ptr<uint8_t>(y);
        const float* gr = grain.ptr<float>(y);
        for (int x = 0; x < W; ++x) {
          if (!mk[x]) continue;
          float a = mk[x] / 255.0f;
          row[x] = row[x] * (1 - a) + (cv::Vec3f(128, 146, 158) + cv::Vec3f::all(gr[x] * 1.5f)) * a;
        }
      }
    }
  }
  // Bushes and a few posts.
  {
    int bushes = rng.uniform(3, 7);
    for (int i = 0; i < bushes; ++i) {
      double bx = rng.uniform(0.0, 1.0) * W;
      double by = rng.uniform(horizon / H + 0.08, 0.97) * H;
      double scale = (by / H - kVanishY) / (kRefY - kVanishY);
      cv::Size2d axes(px * rng.uniform(12.0, 30.0) * scale, px * rng.uniform(7.0, 14.0) * scale);
      cv::Vec3f c(rng.uniform(30, 50), rng.uniform(65, 95), rng.uniform(45, 65));
      cv::Mat mask = cv::Mat::zeros(H, W, CV_8U);
      cv::ellipse(
          mask, P(bx, by - axes.height),
          cv::Size(static_cast<int>(axes.width * kShiftScale), static_cast<int>(axes.height * kShiftScale)),
          0, 0, 360, cv::Scalar(255), cv::FILLED, cv::LINE_8, kShift);
      for (int y = 0; y < H; ++y) {
        const uint8_t* mk = mask.ptr<uint8_t>(y);
        cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
        const float* md = mid.ptr<float>(y);
        const float* gr = grain.ptr<float>(y);
        for (int x = 0; x < W; ++x)
          if (mk[x]) row[x] = c * (1.0f + 0.25f * md[x]) + cv::Vec3f::all(gr[x] * 2);
      }
    }
    int posts = rng.uniform(2, 5);
    for (int i = 0; i < posts; ++i) {
      double bx = rng.uniform(0.03, 0.97) * W;
      double by = rng.uniform(horizon / H + 0.1, 0.95) * H;
      double scale = (by / H - kVanishY) / (kRefY - kVanishY);
      double ph = px * 45 * scale, pw = std::max(1.5, px * 3 * scale);
      cv::rectangle(img, P(bx - pw / 2, by - ph), P(bx + pw / 2, by), cv::Scalar(40, 52, 62), cv::FILLED,
                    cv::LINE_8, kShift);
    }
  }
  // Opt-in: trunks go into the still image; the foliage is drawn per frame.
  if (o.trees) {
    cv::RNG trng(Mix64(o.seed ^ 0x7EE5ULL));
    bg->BuildTrees(o, trng, &img);
  }
  if (o.night) {
    for (int y = 0; y < H; ++y) {
      cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
      for (int x = 0; x < W; ++x) {
        for (int c = 0; c < 3; ++c) {
          float v = 110 + (row[x][c] - 110) * static_cast<float>(kNightContrast);
          row[x][c] = v * static_cast<float>(kNightBrightness) * (c == 0 ? 1.15f : 1.0f);
        }
      }
    }
  }
  img.convertTo(bg->image_, CV_8UC3);
  bg->night_ = o.night;
  double river_top = 0, river_bottom = 0;
  if (RiverBand(o, &river_top, &river_bottom)) {
    cv::RNG rrng(Mix64(o.seed ^ 0x21BE5ULL));
    bg->BuildRiver(o, rrng);
  }

  const double sigma = o.noise_sigma * (o.night ? kNightNoiseFactor : 1.0);
  if (sigma > 0) {
    cv::RNG nrng(Mix64(o.seed ^ 0x5E45011EULL));
    cv::Mat field(H + kNoisePad, W + kNoisePad, CV_32FC3);
    nrng.fill(field, cv::RNG::NORMAL, 0.0, sigma);
    cv::Mat pos = cv::max(field, 0.0), neg = cv::max(-field, 0.0);
    pos.convertTo(bg->noise_pos_, CV_8UC3);
    neg.convertTo(bg->noise_neg_, CV_8UC3);
    bg->has_noise_ = true;
  }
  return bg;
}

void Background::BuildRiver(const SimOptions& o, cv::RNG& rng) {
  const int W = o.width, H = o.height;
  double top = 0, bottom = 0;
  RiverBand(o, &top, &bottom);
  river_top_ = static_cast<int>(std::lround(top * H));
  const int rows = std::max(2, static_cast<int>(std::lround(bottom * H)) - river_top_);
  // Still water: the sky's colour far off, darker and greener near the camera,
  // with the far bank (the rows above the band) mirrored and dimmed in it.
  const cv::Vec3f far_c(150, 140, 120), near_c(92, 88, 62);
  cv::Mat base(rows, W, CV_32FC3);
  cv::Mat refl;
  {
    const int h = std::min(river_top_, rows);
    cv::Mat above;
    image_(cv::Rect(0, river_top_ - h, W, h)).convertTo(above, CV_32FC3);
    cv::flip(above, refl, 0);
    cv::GaussianBlur(refl, refl, cv::Size(0, 0), 1.5 * H / 360.0, 3.0 * H / 360.0);
  }
  const float night = o.night ? static_cast<float>(kNightBrightness) : 1.0f;
  const double ph = rng.uniform(0.0, 2 * M_PI);
  for (int y = 0; y < rows; ++y) {
    const float f = static_cast<float>(y) / rows;
    cv::Vec3f* row = base.ptr<cv::Vec3f>(y);
    const float rw = y < refl.rows ? 0.45f * (1 - f) : 0.0f;
    for (int x = 0; x < W; ++x) {
      cv::Vec3f water =
          (far_c * (1 - f) + near_c * f) * night * static_cast<float>(1 + 0.04 * std::sin(6.0 * x / W + ph));
      row[x] = y < refl.rows ? water * (1 - rw) + refl.at<cv::Vec3f>(y, x) * rw : water;
    }
  }
  river_base_ = base;
  // Banks: a few rows of soft edge at the top and bottom of the band.
  river_alpha_.create(rows, 1, CV_32F);
  const double edge = std::max(1.0, 3.0 * H / 360.0);
  for (int y = 0; y < rows; ++y)
    river_alpha_.at<float>(y) =
        static_cast<float>(std::min({1.0, (y + 0.5) / edge, (rows - y - 0.5) / edge}));
  river_ripple_ = kRiverRipple * night;
}

void Background::DrawRiver(double t, cv::Mat* bgr) const {
  if (river_base_.empty()) return;
  const int rows = std::min(river_base_.rows, bgr->rows - river_top_);
  if (rows <= 0) return;
  const int W = bgr->cols;
  // Ripples: short crests drifting downstream, finer and denser far off
  // (perspective), computed coarse and blown up; they shift the reflections
  // sideways and modulate the brightness.
  const int lw = std::max(8, W / 4), lh = std::max(4, rows / 3);
  cv::Mat low(lh, lw, CV_32F);
  for (int y = 0; y < lh; ++y) {
    float* r = low.ptr<float>(y);
    const double depth = 0.4 + 0.6 * y / lh;  // far rows: finer ripples
    for (int x = 0; x < lw; ++x) {
      const double u = static_cast<double>(x) / lw * 40 / depth, v = static_cast<double>(y) / lh * 14 / depth;
      r[x] = static_cast<float>(0.6 * std::sin(u + 0.7 * v - 2.3 * t) * std::sin(0.45 * u - v + 1.7 * t) +
                                0.4 * std::sin(1.7 * u - 0.4 * v - 3.1 * t));
    }
  }
  cv::Mat ripple;
  cv::resize(low, ripple, cv::Size(W, rows), 0, 0, cv::INTER_CUBIC);
  cv::Mat mapx(rows, W, CV_32F), mapy(rows, W, CV_32F);
  const float shift = static_cast<float>(kRiverShiftPx * bgr->rows / 360.0);
  for (int y = 0; y < rows; ++y) {
    const float* rp = ripple.ptr<float>(y);
    float* mx = mapx.ptr<float>(y);
    float* my = mapy.ptr<float>(y);
    for (int x = 0; x < W; ++x) {
      mx[x] = static_cast<float>(x) + shift * rp[x];
      my[x] = static_cast<float>(y);
    }
  }
  cv::Mat water;
  cv::remap(river_base_(cv::Rect(0, 0, W, rows)), water, mapx, mapy, cv::INTER_LINEAR, cv::BORDER_REFLECT);
  const float amp = static_cast<float>(river_ripple_);
  for (int y = 0; y < rows; ++y) {
    const float a = river_alpha_.at<float>(y);
    const cv::Vec3f* wr = water.ptr<cv::Vec3f>(y);
    const float* rp = ripple.ptr<float>(y);
    cv::Vec3b* out = bgr->ptr<cv::Vec3b>(river_top_ + y);
    for (int x = 0; x < W; ++x) {
      for (int c = 0; c < 3; ++c) {
        const float v = wr[x][c] + amp * rp[x];
        out[x][c] = cv::saturate_cast<uint8_t>(out[x][c] * (1 - a) + v * a);
      }
    }
  }
}

void Background::BuildTrees(const SimOptions& o, cv::RNG& rng, cv::Mat* img) {
  const int W = o.width, H = o.height;
  const double px = H / 360.0;
  const int trees = rng.uniform(2, 4);
  for (int i = 0; i < trees; ++i) {
    // Near the sides of the view, so that they frame the scene rather than hide the line.
    const bool left = i % 2 == 0;
    const double bx = (left ? rng.uniform(0.02, 0.14) : rng.uniform(0.86, 0.98)) * W;
    const double by = rng.uniform(0.30, 0.48) * H;  // where the trunk meets the ground
    const double scale = (by / H - kVanishY) / (kRefY - kVanishY);
    const double tree_h = px * rng.uniform(110.0, 150.0) * scale;
    const double trunk_w = std::max(2.0, px * rng.uniform(5.0, 8.0) * scale);
    const double crown_y = by - tree_h * 0.62, crown_r = tree_h * 0.34;
    cv::rectangle(*img, P(bx - trunk_w / 2, crown_y), P(bx + trunk_w / 2, by), cv::Scalar(38, 52, 66),
                  cv::FILLED, cv::LINE_8, kShift);
    const int clumps = rng.uniform(9, 15);
    for (int k = 0; k < clumps; ++k) {
      const double ang = rng.uniform(0.0, 2 * M_PI), dist = crown_r * std::sqrt(rng.uniform(0.0, 1.0)) * 0.75;
      const double cx = bx + dist * std::cos(ang), cy = crown_y + dist * std::sin(ang) * 0.8;
      const double r = crown_r * rng.uniform(0.35, 0.55);
      const int pad = static_cast<int>(std::ceil(r + kLeavesMaxSwayPx * px + 2));
      Leaves l;
      l.at = cv::Point2d(cx - pad, cy - pad);
      cv::Mat alpha = cv::Mat::zeros(2 * pad, 2 * pad, CV_32F);
      cv::ellipse(alpha, cv::Point(pad, pad), cv::Size(static_cast<int>(r), static_cast<int>(r * 0.8)),
                  rng.uniform(0.0, 180.0), 0, 360, cv::Scalar(1.0), cv::FILLED, cv::LINE_AA);
      cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), 0.8 * px);
      cv::Mat tex(2 * pad, 2 * pad, CV_32FC3);
      rng.fill(tex, cv::RNG::NORMAL, 0.0, 14.0);  // leaves: lit and shaded speckle
      cv::GaussianBlur(tex, tex, cv::Size(0, 0), 0.7 * px);
      const cv::Vec3f c(rng.uniform(28, 48), rng.uniform(70, 105), rng.uniform(42, 64));
      tex += cv::Scalar(c[0], c[1], c[2]);
      if (o.night)
        tex = (tex - cv::Scalar::all(110)) * kNightContrast + cv::Scalar::all(110), tex *= kNightBrightness;
      tex.convertTo(l.bgr, CV_8UC3);
      l.alpha = alpha;
      // Outer and higher clumps move more; gusts come from the slow term.
      const double reach = std::clamp((by - cy) / tree_h, 0.3, 1.0);
      l.amp_px = px * rng.uniform(1.0, kLeavesMaxSwayPx) * reach;
      l.hz[0] = rng.uniform(0.3, 0.7);
      l.hz[1] = rng.uniform(1.1, 2.2);
      for (double& p : l.phase) p = rng.uniform(0.0, 2 * M_PI);
      leaves_.push_back(std::move(l));
    }
  }
}

void Background::DrawTrees(double t, cv::Mat* bgr) const {
  for (const Leaves& l : leaves_) {
    // Sway: a slow swing with a gust envelope plus a faster flutter.
    const double gust = 0.6 + 0.4 * std::sin(2 * M_PI * 0.07 * t + l.phase[2]);
    const double dx = l.amp_px * (gust * std::sin(2 * M_PI * l.hz[0] * t + l.phase[0]) +
                                  0.3 * std::sin(2 * M_PI * l.hz[1] * t + l.phase[1]));
    const double dy = 0.3 * l.amp_px * std::sin(2 * M_PI * l.hz[1] * 0.7 * t + l.phase[2]);
    const double ox = l.at.x + dx, oy = l.at.y + dy;
    const int x0 = static_cast<int>(std::floor(ox)), y0 = static_cast<int>(std::floor(oy));
    const double fx = ox - x0, fy = oy - y0;
    const cv::Mat m = (cv::Mat_<double>(2, 3) << 1, 0, fx, 0, 1, fy);
    cv::Mat patch, alpha;
    cv::warpAffine(l.bgr, patch, m, l.bgr.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::warpAffine(l.alpha, alpha, m, l.alpha.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    const cv::Rect dst = cv::Rect(x0, y0, patch.cols, patch.rows) & cv::Rect(0, 0, bgr->cols, bgr->rows);
    for (int y = dst.y; y < dst.y + dst.height; ++y) {
      const cv::Vec3b* pr = patch.ptr<cv::Vec3b>(y - y0);
      const float* ar = alpha.ptr<float>(y - y0);
      cv::Vec3b* out = bgr->ptr<cv::Vec3b>(y);
      for (int x = dst.x; x < dst.x + dst.width; ++x) {
        const float a = ar[x - x0];
        if (a <= 0.002f) continue;
        for (int c = 0; c < 3; ++c)
          out[x][c] = cv::saturate_cast<uint8_t>(out[x][c] * (1 - a) + pr[x - x0][c] * a);
      }
    }
  }
}

void Background::AddNoise(uint64_t seed, int64_t frame, cv::Mat* bgr) const {
  if (!has_noise_) return;
  uint64_t h = Mix64(Mix64(seed) ^ static_cast<uint64_t>(frame));
  int dx = static_cast<int>(h % (kNoisePad + 1));
  int dy = static_cast<int>((h >> 20) % (kNoisePad + 1));
  cv::Rect roi(dx, dy, bgr->cols, bgr->rows);
  // Two saturating passes (add the positive half, subtract the negative half)
  // are much cheaper than a signed 16-bit round trip.
  cv::add(*bgr, noise_pos_(roi), *bgr);
  cv::subtract(*bgr, noise_neg_(roi), *bgr);
}

void DrawObject(const SimObject& obj, double t, const GtBox& box, bool night, cv::Mat* bgr) {
  // OpenCV fills both ends of a span inclusively (rounding each end to the
  // nearest pixel centre), so the shape is laid out one pixel narrower and
  // shorter: it then covers exactly the pixels whose centres lie in the box.
  GtBox b = box;
  b.w = std::max(1.0, box.w - 1);
  b.h = std::max(1.0, box.h - 1);
  if (obj.kind == ObjectKind::kPerson) {
    if (obj.gait == Gait::kCrawl)
      DrawCrawler(obj, t, b, night, bgr);
    else
      DrawPerson(obj, t, b, night, bgr);
  } else if (obj.kind == ObjectKind::kBoat) {
    DrawBoat(obj, b, night, bgr);
  } else {
    DrawVehicle(obj, b, night, bgr);
  }
}

}  // namespace watchline::sim
