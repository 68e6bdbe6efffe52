// Test-only: a synthetic standing person for the HOG tests.
//
// HOG is a contour-shape detector, so a clean silhouette (head, torso, arms,
// legs, dark on a light background) is a fair positive for it: the default
// people detector scores it about +4 where noise, textures, posts and
// car-like blocks score below 0. It says nothing about real-world accuracy.
// Thread safety: plain functions.
#pragma once

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace watchline::detect::testing {

inline constexpr uchar kBackground = 150;
inline constexpr uchar kInk = 50;

// A standing person's silhouette (head, neck, torso, arms, legs), dark on
// a light background, filling `box` top to bottom. Drawn in a 96-unit tall
// figure space, the height HOG's training people have in their window.
inline void DrawPerson(cv::Mat& img, const cv::Rect& box) {
  const double s = box.height / 96.0;
  const double cx = box.x + box.width / 2.0;
  auto p = [&](double x, double y) {
    return cv::Point(static_cast<int>(cx + x * s), static_cast<int>(box.y + y * s));
  };
  auto t = [&](double u) { return std::max(1, static_cast<int>(u * s)); };
  const cv::Scalar ink(kInk);
  cv::ellipse(img, p(0, 8), cv::Size(t(6), t(8)), 0, 0, 360, ink,
              cv::FILLED);                       // head
  cv::line(img, p(0, 14), p(0, 18), ink, t(5));  // neck
  cv::ellipse(img, p(0, 34), cv::Size(t(11), t(18)), 0, 0, 360, ink,
              cv::FILLED);                           // torso
  cv::line(img, p(-10, 22), p(-14, 50), ink, t(5));  // arms
  cv::line(img, p(10, 22), p(14, 50), ink, t(5));
  cv::line(img, p(-5, 48), p(-8, 95), ink, t(7));  // legs
  cv::line(img, p(5, 48), p(8, 95), ink, t(7));
}

// A light frame with a little sensor noise, deterministic.
inline cv::Mat Background(cv::Size size) {
  cv::Mat img(size, CV_8UC1, cv::Scalar(kBackground));
  cv::Mat noise(size, CV_8UC1);
  cv::RNG rng(7);
  rng.fill(noise, cv::RNG::NORMAL, 0, 3);
  img += noise;
  return img;
}

inline cv::Mat Blurred(const cv::Mat& img) {
  cv::Mat out;
  cv::GaussianBlur(img, out, cv::Size(3, 3), 0);
  return out;
}

}  // namespace watchline::detect::testing
