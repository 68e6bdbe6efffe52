#include "sim/effects.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "sim/renderer.h"

namespace watchline::sim {
namespace {

// Effects are drawn at this fraction of the frame size where they are smooth
// (shadows, glow, close-up blobs) and then scaled up: cheap and soft-edged.
constexpr int kLowW = 160, kLowH = 90;

// Passers-by close to the lens: how long one covers the view, seconds (always
// shorter than the default health.brief_occlusion_s of 1.2 s).
constexpr double kPasserMinS = 0.4, kPasserMaxS = 0.9;
// Headlights: one sweep per slot of this many seconds, lasting kHeadlightS.
constexpr double kHeadlightSlotS = 25, kHeadlightS = 2.5;
// Snowflakes in view at 640x360 (scaled with the area).
constexpr int kSnowFlakes = 420;
// A day <-> IR switch pumps the exposure for this long.
constexpr double kIrPumpS = 0.5;

double U(uint64_t seed, uint64_t salt, int64_t k) {
  return (Mix64(Mix64(seed ^ salt) + static_cast<uint64_t>(k)) >> 11) * (1.0 / 9007199254740992.0);
}

// Blends `colour` into *bgr where the low-resolution mask (CV_32F 0..1) says.
void BlendLow(const cv::Mat& low_mask, const cv::Scalar& colour, cv::Mat* bgr) {
  cv::Mat m;
  cv::resize(low_mask, m, bgr->size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat f;
  bgr->convertTo(f, CV_32FC3);
  cv::Mat m3;
  cv::merge(std::vector<cv::Mat>{m, m, m}, m3);
  cv::Mat c(bgr->size(), CV_32FC3, colour);
  f = f.mul(cv::Scalar::all(1.0) - m3) + c.mul(m3);
  f.convertTo(*bgr, CV_8UC3);
}

// Whether the day <-> IR-night switch has the camera in IR at t: every other
// ir_switch_s period, starting with day.
bool IrActive(const SimConditions& c, double t) {
  return c.ir_switch_s > 0 && static_cast<int64_t>(std::floor(t / c.ir_switch_s)) % 2 == 1;
}

void IrNight(double t, const SimConditions& c, cv::Mat* bgr) {
  const int64_t k = static_cast<int64_t>(std::floor(t / c.ir_switch_s));
  const double since = t - k * c.ir_switch_s;
  const bool ir = IrActive(c, t);
  const double pump = since < kIrPumpS ? 1.0 + 0.5 * (1 - since / kIrPumpS) : 1.0;
  if (ir) {
    cv::Mat g;
    cv::cvtColor(*bgr, g, cv::COLOR_BGR2GRAY);
    // IR night: colourless and flatter; the IR illuminator lights the near
    // field, so the picture is brighter than a colour camera's in the dark.
    g.convertTo(g, -1, 0.8 * pump, 40 * pump);
    cv::cvtColor(g, *bgr, cv::COLOR_GRAY2BGR);
  } else if (pump > 1.0) {
    bgr->convertTo(*bgr, -1, pump, 0);
  }
}

void AutoExposure(double t, const SimConditions& c, cv::Mat* bgr) {
  static const double kGains[] = {1.0, 0.72, 1.25, 0.88};
  const int64_t k = static_cast<int64_t>(std::floor(t / c.ae_step_s));
  const double g = kGains[k % 4];
  const double wb = 0.08 * std::sin(static_cast<double>(k) * 1.7);
  cv::multiply(*bgr, cv::Scalar(g * (1 + wb), g, g * (1 - wb)), *bgr);
}

void Rain(const SimOptions& o, double t, cv::Mat* bgr) {
  const int64_t frame = std::llround(t * o.fps);
  bgr->convertTo(*bgr, -1, 0.88, 18);  // haze
  cv::RNG rng(Mix64(o.seed ^ 0xAA17ULL) + static_cast<uint64_t>(frame));
  const double s = bgr->cols / 640.0;
  cv::Mat overlay = cv::Mat::zeros(bgr->size(), bgr->type());
  const int drops = static_cast<int>(180 * s * s);
  for (int i = 0; i < drops; ++i) {
    cv::Point a(rng.uniform(0, bgr->cols), rng.uniform(0, bgr->rows));
    const double len = rng.uniform(8.0, 22.0) * s;
    cv::Point b(a.x + static_cast<int>(0.25 * len), a.y + static_cast<int>(len));
    cv::line(overlay, a, b, cv::Scalar::all(rng.uniform(25, 55)), 1, cv::LINE_AA);
  }
  cv::add(*bgr, overlay, *bgr);
}

// Snow: flakes that fall slowly and drift, bigger and faster when nearer the
// lens, over a whitish haze. Each flake's path is a pure function of (seed, k, t).
void Snow(const SimOptions& o, double t, cv::Mat* bgr) {
  bgr->convertTo(*bgr, -1, 0.82, 34);  // haze and a whitened ground
  const double W = bgr->cols, H = bgr->rows, s = W / 640.0;
  const int flakes = static_cast<int>(kSnowFlakes * s * s);
  for (int k = 0; k < flakes; ++k) {
    const double nearness = U(o.seed, 0x5A0A, k);             // 0 far .. 1 near the lens
    const double fall = (12 + 60 * nearness * nearness) * s;  // pixels per second
    const double y = std::fmod(U(o.seed, 0x5A0B, k) * (H + 20) + fall * t, H + 20) - 10;
    const double sway = (2 + 10 * nearness) * s;
    const double x = std::fmod(
        U(o.seed, 0x5A0C, k) * W + 6 * s * t + sway * std::sin(0.8 * t + 6.28 * U(o.seed, 0x5A0D, k)) + 2 * W,
        W);
    const double r = (0.6 + 2.2 * nearness * nearness) * s;
    const int shade = 190 + static_cast<int>(50 * U(o.seed, 0x5A0E, k));
    cv::circle(*bgr, cv::Point(static_cast<int>(x * 16), static_cast<int>(y * 16)),
               std::max(8, static_cast<int>(r * 16)), cv::Scalar::all(shade), cv::FILLED, cv::LINE_AA, 4);
  }
}

void Clouds(const SimOptions& o, double t, cv::Mat* bgr) {
  cv::Mat low(kLowH / 2, kLowW / 2, CV_32F);
  const double p1 = U(o.seed, 0xC10D, 1) * 6.28, p2 = U(o.seed, 0xC10D, 2) * 6.28;
  for (int y = 0; y < low.rows; ++y) {
    float* row = low.ptr<float>(y);
    for (int x = 0; x < low.cols; ++x) {
      const double u = x / 80.0, v = y / 45.0;
      double f = std::sin(5.1 * u + 2.3 * v - 0.09 * t + p1) * std::sin(3.7 * v - 1.3 * u - 0.05 * t + p2);
      f = std::clamp((f - 0.1) * 2.5, 0.0, 1.0);
      row[x] = static_cast<float>(1.0 - 0.35 * f);
    }
  }
  cv::Mat m;
  cv::resize(low, m, bgr->size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat f;
  bgr->convertTo(f, CV_32FC3);
  cv::Mat m3;
  cv::merge(std::vector<cv::Mat>{m, m, m}, m3);
  f = f.mul(m3);
  f.convertTo(*bgr, CV_8UC3);
}

void Water(const SimOptions& o, double t, cv::Mat* bgr) {
  const int band = kLowH / 4;
  cv::Mat low(band, kLowW, CV_32FC3);
  for (int y = 0; y < band; ++y) {
    cv::Vec3f* row = low.ptr<cv::Vec3f>(y);
    for (int x = 0; x < kLowW; ++x) {
      const double r = std::sin(0.45 * x + 0.9 * y - 3.1 * t) * std::sin(0.23 * x - 0.6 * y + 2.2 * t);
      const float v = static_cast<float>(14 * r);
      row[x] = cv::Vec3f(105 + v, 92 + v, 70 + v) * (o.night ? 0.35f : 1.0f);
    }
  }
  const int top = bgr->rows - bgr->rows / 4;
  cv::Mat roi = (*bgr)(cv::Rect(0, top, bgr->cols, bgr->rows - top));
  cv::Mat up;
  cv::resize(low, up, roi.size(), 0, 0, cv::INTER_LINEAR);
  up.convertTo(roi, CV_8UC3);
}

void Headlights(const SimOptions& o, double t, cv::Mat* bgr) {
  const int64_t k = static_cast<int64_t>(std::floor(t / kHeadlightSlotS));
  const double start = k * kHeadlightSlotS + U(o.seed, 0x11E4D, k) * (kHeadlightSlotS - kHeadlightS);
  if (t < start || t >= start + kHeadlightS) return;
  const double u = (t - start) / kHeadlightS;
  const double y = 0.62 + 0.2 * U(o.seed, 0x11E4E, k);
  const double cx = -0.1 + 1.2 * u;
  cv::Mat glow(kLowH, kLowW, CV_32F, cv::Scalar(0));
  for (double dx : {-0.05, 0.05}) {
    cv::circle(glow, cv::Point(static_cast<int>((cx + dx) * kLowW), static_cast<int>(y * kLowH)), 9,
               cv::Scalar(1.0), cv::FILLED, cv::LINE_AA);
  }
  cv::GaussianBlur(glow, glow, cv::Size(0, 0), 4);
  cv::Mat m;
  cv::resize(glow, m, bgr->size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat add;
  m.convertTo(add, CV_8U, 600);
  cv::Mat add3;
  cv::cvtColor(add, add3, cv::COLOR_GRAY2BGR);
  cv::add(*bgr, add3, *bgr);
}

void Passer(const SimOptions& o, double t, cv::Mat* bgr) {
  double start = 0, end = 0;
  if (!PasserAt(o, t, &start, &end)) return;
  const int64_t k = static_cast<int64_t>(std::floor(t / o.conditions.passers_s));
  const double u = (t - start) / (end - start);
  const double width = 0.35 + 0.25 * U(o.seed, 0x9A55, k);  // of the frame width
  const bool ltr = U(o.seed, 0x9A56, k) < 0.5;
  const double cx = ltr ? -width / 2 + u * (1 + width) : 1 + width / 2 - u * (1 + width);
  cv::Mat mask(kLowH, kLowW, CV_32F, cv::Scalar(0));
  cv::ellipse(mask, cv::Point(static_cast<int>(cx * kLowW), static_cast<int>(0.65 * kLowH)),
              cv::Size(static_cast<int>(width / 2 * kLowW), static_cast<int>(0.75 * kLowH)), 0, 0, 360,
              cv::Scalar(1.0), cv::FILLED);
  cv::GaussianBlur(mask, mask, cv::Size(0, 0), 3);  // out of focus, close to the lens
  const double c = 20 + 45 * U(o.seed, 0x9A57, k);
  BlendLow(mask, cv::Scalar(c, c * 1.05, c * 1.1), bgr);
}

// A spider web across a corner of the lens: out of focus, lit by the IR
// illuminator at night (bright strands on a dark picture, the classic night
// nuisance of IR cameras), faint by day. The wind sways its hub (strands
// stretch from fixed anchors on the frame edges), and now and then the
// spider walks out along a strand and back, a blurred blob close to the lens.
void Web(const SimOptions& o, double t, cv::Mat* bgr) {
  const uint64_t s = o.seed;
  const double W = bgr->cols, H = bgr->rows, scale = W / 640.0;
  const bool lit = o.night || IrActive(o.conditions, t);
  const int corner = static_cast<int>(U(s, 0x3EB, 1) * 4);  // 0 TL, 1 TR, 2 BL, 3 BR
  const double sx = corner % 2 == 0 ? 1 : -1, sy = corner < 2 ? 1 : -1;
  const cv::Point2d origin(corner % 2 == 0 ? 0 : W, corner < 2 ? 0 : H);
  const double span = (0.3 + 0.15 * U(s, 0x3EB, 2)) * H;  // reach from the corner
  // Wind: two sways and a slow gust, pixels at the hub.
  const double amp = (3 + 4 * U(s, 0x3EB, 3)) * scale;
  const double gust = 0.5 + 0.5 * std::sin(2 * M_PI * t / (17 + 10 * U(s, 0x3EB, 4)));
  const cv::Point2d sway(amp * gust * (std::sin(2 * M_PI * 0.7 * t + 6 * U(s, 0x3EB, 5)) +
                                       0.5 * std::sin(2 * M_PI * 1.9 * t)),
                         0.6 * amp * gust * std::sin(2 * M_PI * 0.45 * t + 6 * U(s, 0x3EB, 6)));
  const cv::Point2d hub = origin + cv::Point2d(sx * 0.55 * span, sy * 0.5 * span) + sway;
  cv::Mat mask(bgr->size(), CV_32F, cv::Scalar(0));
  const int thick = std::max(1, static_cast<int>(std::lround(scale)));
  const auto P = [](const cv::Point2d& p) {
    return cv::Point(static_cast<int>(p.x), static_cast<int>(p.y));
  };
  // Radial strands from the hub, reaching past the frame edges of the corner.
  std::vector<cv::Point2d> dirs;
  constexpr int kStrands = 8;
  for (int i = 0; i < kStrands; ++i) {
    const double a = (i + 0.3 * U(s, 0x3EC, i)) / kStrands * 2 * M_PI;
    dirs.emplace_back(std::cos(a), std::sin(a));
    const cv::Point2d end = hub + 1.4 * span * dirs.back();
    cv::line(mask, P(hub), P(end), cv::Scalar(0.8), thick, cv::LINE_AA);
  }
  // The spiral: rings joining the strands.
  for (int ring = 1; ring <= 6; ++ring) {
    std::vector<cv::Point> pts;
    for (int i = 0; i <= kStrands; ++i)
      pts.push_back(P(hub + ring * 0.12 * span * dirs[i % kStrands]));
    cv::polylines(mask, pts, false, cv::Scalar(0.6), thick, cv::LINE_AA);
  }
  // The spider: walks out along a strand for a few seconds every ~30 s.
  const double every = 30;
  const int64_t k = static_cast<int64_t>(std::floor(t / every));
  const double walk_at = k * every + 10 * U(s, 0x3ED, k), walk_s = 6 + 6 * U(s, 0x3EE, k);
  if (t >= walk_at && t < walk_at + walk_s) {
    const double u = (t - walk_at) / walk_s;                  // 0..1
    const double r = 0.6 * span * std::sin(M_PI * u);         // out and back
    const size_t strand = static_cast<size_t>(U(s, 0x3EF, k) * kStrands) % kStrands;
    const cv::Point2d at = hub + r * dirs[strand];
    cv::circle(mask, P(at), static_cast<int>(std::lround(6 * scale)), cv::Scalar(1.0), cv::FILLED,
               cv::LINE_AA);
  }
  cv::GaussianBlur(mask, mask, cv::Size(0, 0), 1.5 * scale);  // out of focus, close to the lens
  cv::Mat add, add3;
  mask.convertTo(add, CV_8U, lit ? 150 : 35);
  cv::cvtColor(add, add3, cv::COLOR_GRAY2BGR);
  cv::add(*bgr, add3, *bgr);
}

void DrawTamper(const SimOptions& o, double t, cv::Mat* bgr) {
  const uint64_t s = o.seed;
  const double W = bgr->cols, H = bgr->rows;
  switch (o.tamper) {
    case Tamper::kNone:
    case Tamper::kFreeze:
      return;
    case Tamper::kCover: {
      // A hand, cloth or bag over part of the lens from one side: 40-90% of the
      // view (all of it, in the dark, is a blackout).
      const double frac = 0.4 + 0.5 * U(s, 0xC0, 1);
      const int side = static_cast<int>(U(s, 0xC0, 2) * 4);
      cv::Mat mask(kLowH, kLowW, CV_32F, cv::Scalar(0));
      cv::Rect r = side == 0   ? cv::Rect(0, 0, static_cast<int>(frac * kLowW), kLowH)
                   : side == 1 ? cv::Rect(static_cast<int>((1 - frac) * kLowW), 0, kLowW, kLowH)
                   : side == 2 ? cv::Rect(0, 0, kLowW, static_cast<int>(frac * kLowH))
                               : cv::Rect(0, static_cast<int>((1 - frac) * kLowH), kLowW, kLowH);
      cv::rectangle(mask, r, cv::Scalar(1.0), cv::FILLED);
      cv::GaussianBlur(mask, mask, cv::Size(0, 0), 2.5);
      const double c = 15 + 95 * U(s, 0xC0, 3);
      BlendLow(mask, cv::Scalar(c * 0.9, c, c * 1.1), bgr);
      return;
    }
    case Tamper::kSpray: {
      // Paint over a blob of 50-90% of the view: blurred, tinted, no detail left.
      const double frac = 0.5 + 0.4 * U(s, 0x5B, 1);
      cv::Mat mask(kLowH, kLowW, CV_32F, cv::Scalar(0));
      const cv::Point c(static_cast<int>((0.3 + 0.4 * U(s, 0x5B, 2)) * kLowW),
                        static_cast<int>((0.3 + 0.4 * U(s, 0x5B, 3)) * kLowH));
      const double r = std::sqrt(frac * kLowW * kLowH / M_PI) * 1.15;
      cv::ellipse(mask, c, cv::Size(static_cast<int>(r * 1.3), static_cast<int>(r / 1.3)), 0, 0, 360,
                  cv::Scalar(1.0), cv::FILLED);
      cv::GaussianBlur(mask, mask, cv::Size(0, 0), 4);
      cv::Mat blurred;
      cv::resize(*bgr, blurred, cv::Size(kLowW / 8, kLowH / 8), 0, 0, cv::INTER_AREA);
      cv::resize(blurred, blurred, bgr->size(), 0, 0, cv::INTER_LINEAR);
      const double a = 0.55 + 0.3 * U(s, 0x5B, 4);
      const cv::Scalar paint(40 + 160 * U(s, 0x5B, 5), 40 + 160 * U(s, 0x5B, 6), 40 + 160 * U(s, 0x5B, 7));
      cv::Mat mixed;
      cv::addWeighted(blurred, 1 - a, cv::Mat(bgr->size(), bgr->type(), paint), a, 0, mixed);
      cv::Mat m;
      cv::resize(mask, m, bgr->size());
      cv::Mat m3;
      cv::merge(std::vector<cv::Mat>{m, m, m}, m3);
      cv::Mat f, g;
      bgr->convertTo(f, CV_32FC3);
      mixed.convertTo(g, CV_32FC3);
      f = f.mul(cv::Scalar::all(1.0) - m3) + g.mul(m3);
      f.convertTo(*bgr, CV_8UC3);
      return;
    }
    case Tamper::kDefocus: {
      const double sigma = (3.5 + 3.0 * U(s, 0xDF, 1)) * W / 640.0;
      cv::GaussianBlur(*bgr, *bgr, cv::Size(0, 0), sigma);
      return;
    }
    case Tamper::kGlare: {
      // A flashlight, laser or the sun: a saturated disc with a wide halo.
      const double cx = (0.25 + 0.5 * U(s, 0x61, 1)) * W, cy = (0.25 + 0.5 * U(s, 0x61, 2)) * H;
      const double R = (0.55 + 0.35 * U(s, 0x61, 3)) * std::hypot(W, H) / 2;
      cv::Mat glow(kLowH, kLowW, CV_32F);
      for (int y = 0; y < kLowH; ++y)
        for (int x = 0; x < kLowW; ++x) {
          const double d = std::hypot((x + 0.5) * W / kLowW - cx, (y + 0.5) * H / kLowH - cy) / R;
          glow.at<float>(y, x) = static_cast<float>(std::max(0.0, 1 - d) * 2.2);
        }
      cv::Mat m;
      cv::resize(glow, m, bgr->size());
      cv::Mat add;
      m.convertTo(add, CV_8U, 255);
      cv::Mat add3;
      cv::cvtColor(add, add3, cv::COLOR_GRAY2BGR);
      cv::add(*bgr, add3, *bgr);
      return;
    }
    case Tamper::kBlackout: {
      bgr->setTo(cv::Scalar::all(6 + 8 * U(s, 0xB1, 1)));
      cv::Mat n(bgr->size(), bgr->type());
      cv::randu(n, cv::Scalar::all(0), cv::Scalar::all(3));
      cv::add(*bgr, n, *bgr);
      return;
    }
    case Tamper::kMove: {
      // Turned or knocked: the view slides by 15-35% of its width, tilts a little.
      const double sx = (U(s, 0x30, 1) < 0.5 ? -1 : 1) * (0.15 + 0.2 * U(s, 0x30, 2)) * W;
      const double sy = (U(s, 0x30, 3) - 0.5) * 0.2 * H;
      const double ang = (U(s, 0x30, 4) - 0.5) * 10;
      cv::Mat M = cv::getRotationMatrix2D(cv::Point2f(W / 2, H / 2), ang, 1.0);
      M.at<double>(0, 2) += sx;
      M.at<double>(1, 2) += sy;
      cv::Mat out;
      cv::warpAffine(*bgr, out, M, bgr->size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
      *bgr = out;
      return;
    }
  }
}

}  // namespace

bool TamperActive(const SimOptions& o, double t) {
  if (o.tamper == Tamper::kNone || t < o.tamper_at_s) return false;
  return o.tamper_for_s <= 0 || t < o.tamper_at_s + o.tamper_for_s;
}

bool PasserAt(const SimOptions& o, double t, double* start, double* end) {
  const double every = o.conditions.passers_s;
  if (every <= 0 || t < 0) return false;
  const int64_t k = static_cast<int64_t>(std::floor(t / every));
  const double dur = kPasserMinS + (kPasserMaxS - kPasserMinS) * U(o.seed, 0x9A54, k);
  const double s = k * every + U(o.seed, 0x9A53, k) * std::max(0.0, every - dur);
  if (t < s || t >= s + dur) return false;
  if (start) *start = s;
  if (end) *end = s + dur;
  return true;
}

void ApplyEffects(const SimOptions& o, double t, cv::Mat* bgr) {
  const SimConditions& c = o.conditions;
  if (c.water) Water(o, t, bgr);
  if (c.clouds) Clouds(o, t, bgr);
  if (c.headlights) Headlights(o, t, bgr);
  if (c.rain) Rain(o, t, bgr);
  if (c.snow) Snow(o, t, bgr);
  if (c.passers_s > 0) Passer(o, t, bgr);
  if (c.ir_switch_s > 0) IrNight(t, c, bgr);
  if (c.web) Web(o, t, bgr);
  if (c.ae_step_s > 0) AutoExposure(t, c, bgr);
  if (TamperActive(o, t)) DrawTamper(o, t, bgr);
}

void RenderWithEffects(const Scene& scene, double t, cv::Mat* bgr) {
  const SimOptions& o = scene.options();
  if (o.tamper == Tamper::kFreeze && TamperActive(o, t)) t = o.tamper_at_s;
  scene.Render(t, bgr);
  if (o.conditions.Any() || o.tamper != Tamper::kNone) ApplyEffects(o, t, bgr);
}

}  // namespace watchline::sim
