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
  const double cadence_hz = 0.9 * obj.speed_mps;
  const double phase = 2 * M_PI * cadence_hz * (t - obj.path.front().t);
  const double swing = 0.26 * w * std::sin(phase);
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
    DrawPerson(obj, t, b, night, bgr);
  } else {
    DrawVehicle(obj, b, night, bgr);
  }
}

}  // namespace watchline::sim
