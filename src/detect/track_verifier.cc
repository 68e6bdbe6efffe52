#include "detect/track_verifier.h"

#include <algorithm>
#include <cmath>

#include "base/log.h"

namespace watchline::detect {

Result<std::unique_ptr<TrackVerifier>> TrackVerifier::Create(const TrackVerifierOptions& options) {
  if (!options.dnn && !options.hog_person_check) {
    return Status::InvalidArgument(
        "track verifier: neither a DNN model nor the HOG check is enabled");
  }
  if (!(options.context_fraction >= 0) || !(options.match_iou > 0 && options.match_iou <= 1)) {
    return Status::InvalidArgument(
        "track verifier: context_fraction must be "
        ">= 0 and match_iou in (0, 1]");
  }
  std::unique_ptr<TrackVerifier> v(new TrackVerifier());
  v->options_ = options;
  if (options.dnn) {
    WL_ASSIGN_OR_RETURN(v->dnn_, DnnDetector::Load(*options.dnn));
  } else {
    v->hog_ = std::make_unique<PersonCheck>(options.hog);
  }
  return v;
}

cv::Rect TrackVerifier::DnnCrop(cv::Size frame, const cv::Rect& box) const {
  const double grow = options_.context_fraction;
  const double w = std::max<double>(box.width * (1 + 2 * grow), kMinDnnCropPx);
  const double h = std::max<double>(box.height * (1 + 2 * grow), kMinDnnCropPx);
  const double cx = box.x + box.width / 2.0, cy = box.y + box.height / 2.0;
  const cv::Rect crop(static_cast<int>(std::lround(cx - w / 2)),
                      static_cast<int>(std::lround(cy - h / 2)), static_cast<int>(std::lround(w)),
                      static_cast<int>(std::lround(h)));
  return crop & cv::Rect(cv::Point(0, 0), frame);
}

std::optional<Verdict> TrackVerifier::Verify(const cv::Mat& frame, const cv::Rect& box) {
  return dnn_ ? VerifyDnn(frame, box) : VerifyHog(frame, box);
}

std::optional<Verdict> TrackVerifier::VerifyDnn(const cv::Mat& frame, const cv::Rect& box) {
  const cv::Rect crop = frame.empty() ? cv::Rect() : DnnCrop(frame.size(), box);
  if (crop.area() <= 0 || (box & crop).area() <= 0) {
    WL_LOG(Warn) << "track verifier: box [" << box.x << "," << box.y << "," << box.width << ","
                 << box.height << "] is outside the " << frame.cols << "x" << frame.rows
                 << " frame";
    return std::nullopt;
  }
  Result<std::vector<Detection>> dets = dnn_->Detect(frame(crop));
  if (!dets.ok()) {
    WL_LOG(Warn) << "track verifier: " << dets.status().ToString();
    return std::nullopt;
  }
  // The track's box in crop pixels, where the detections are.
  const cv::Rect2d target(box.x - crop.x, box.y - crop.y, box.width, box.height);
  Verdict v{"", 0.0, kCheckerDnn};
  double best_iou = 0;
  for (const Detection& d : *dets) {
    const double inter = (d.box & target).area();
    const double iou = inter / (d.box.area() + target.area() - inter);
    if (iou < options_.match_iou) continue;
    // Detections come best first: a weaker one wins only by overlapping more.
    if (iou > best_iou) {
      best_iou = iou;
      v.cls = d.cls;
      v.confidence = d.confidence;
    }
  }
  return v;
}

std::optional<Verdict> TrackVerifier::VerifyHog(const cv::Mat& frame, const cv::Rect& box) const {
  Result<std::optional<double>> margin = hog_->Score(frame, box);
  if (!margin.ok()) {
    WL_LOG(Warn) << "track verifier: " << margin.status().ToString();
    return std::nullopt;
  }
  if (!margin->has_value()) return std::nullopt;
  const double m = **margin;
  return Verdict{m >= hog_->options().person_margin ? std::string(kClassPerson) : std::string(),
                 1.0 / (1.0 + std::exp(-m)), kCheckerHog};
}

}  // namespace watchline::detect
