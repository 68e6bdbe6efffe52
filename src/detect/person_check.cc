#include "detect/person_check.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/imgproc.hpp>
#include <string>

namespace watchline::detect {
namespace {

// detect() reports every window whose margin reaches this: all of them.
constexpr double kReportEveryWindow = -std::numeric_limits<double>::max();
const cv::Size kHogStride(8, 8);  // the default descriptor's block stride

std::string BoxString(const cv::Rect& b) {
  return "[" + std::to_string(b.x) + "," + std::to_string(b.y) + "," + std::to_string(b.width) +
         "," + std::to_string(b.height) + "]";
}

// The search image for `crop`, replicating the frame's border where the
// region reaches outside it.
cv::Mat ExtractScaled(const cv::Mat& gray, const HogCrop& crop) {
  const cv::Rect region(static_cast<int>(std::lround(crop.region.x)),
                        static_cast<int>(std::lround(crop.region.y)),
                        std::max(1, static_cast<int>(std::lround(crop.region.width))),
                        std::max(1, static_cast<int>(std::lround(crop.region.height))));
  const cv::Rect inside = region & cv::Rect(0, 0, gray.cols, gray.rows);
  cv::Mat patch;
  cv::copyMakeBorder(gray(inside), patch, inside.y - region.y, region.br().y - inside.br().y,
                     inside.x - region.x, region.br().x - inside.br().x, cv::BORDER_REPLICATE);
  cv::Mat out;
  cv::resize(patch, out, crop.size, 0, 0, crop.scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

}  // namespace

HogCrop HogCropFor(const cv::Rect& box, int person_height_px) {
  HogCrop c;
  c.size = cv::Size(kHogWindowWidthPx + 2 * kHogSearchMarginPx,
                    kHogWindowHeightPx + 2 * kHogSearchMarginPx);
  c.scale = static_cast<double>(person_height_px) / box.height;
  const double w = c.size.width / c.scale, h = c.size.height / c.scale;
  const double cx = box.x + box.width / 2.0, cy = box.y + box.height / 2.0;
  c.region = cv::Rect2d(cx - w / 2, cy - h / 2, w, h);
  return c;
}

PersonCheck::PersonCheck(PersonCheckOptions options) : options_(options) {
  hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
}

Result<std::optional<double>> PersonCheck::Score(const cv::Mat& frame, const cv::Rect& box) const {
  if (frame.empty()) return Status::InvalidArgument("person check: empty frame");
  if (frame.depth() != CV_8U || (frame.channels() != 1 && frame.channels() != 3)) {
    return Status::InvalidArgument("person check: frame must be 8-bit grey or BGR");
  }
  if ((box & cv::Rect(0, 0, frame.cols, frame.rows)).area() <= 0) {
    return Status::InvalidArgument("person check: box " + BoxString(box) + " is outside the " +
                                   std::to_string(frame.cols) + "x" + std::to_string(frame.rows) +
                                   " frame");
  }
  if (box.height < options_.min_box_height_px) return std::optional<double>();
  cv::Mat gray = frame;
  if (frame.channels() == 3) cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY);

  double best = -std::numeric_limits<double>::infinity();
  try {
    for (int person_px : kPersonHeightsInWindowPx) {
      const cv::Mat search = ExtractScaled(gray, HogCropFor(box, person_px));
      std::vector<cv::Point> where;
      std::vector<double> margins;
      hog_.detect(search, where, margins, kReportEveryWindow, kHogStride, cv::Size());
      for (double m : margins) best = std::max(best, m);
    }
  } catch (const cv::Exception& e) {
    return Status::Internal("person check on box " + BoxString(box) + ": " + e.err);
  }
  if (!std::isfinite(best)) return Status::Internal("person check: HOG scored no window");
  return std::optional<double>(best);
}

bool PersonCheck::IsPerson(const cv::Mat& frame, const cv::Rect& box) const {
  Result<std::optional<double>> s = Score(frame, box);
  return s.ok() && s->has_value() && **s >= options_.person_margin;
}

}  // namespace watchline::detect
