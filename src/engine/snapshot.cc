#include "engine/snapshot.h"

#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace watchline::engine {

namespace {
// Blur kernel as a fraction of the frame width: enough that a face or a
// number plate inside a privacy zone cannot be read at analysis resolution.
constexpr double kPrivacyBlurFrac = 0.08;
}  // namespace

Result<std::string> RenderSnapshotJpeg(const ingest::Frame& frame,
                                       const std::vector<config::Polygon>& privacy,
                                       const std::optional<events::Box>& box,
                                       const std::vector<config::Point>& path) {
  cv::Mat img;
  if (!frame.bgr.empty()) {
    img = frame.bgr.clone();
  } else if (!frame.gray.empty()) {
    cv::cvtColor(frame.gray, img, cv::COLOR_GRAY2BGR);
  } else {
    return Status::NotFound("the frame holds no picture");
  }
  const int w = img.cols, h = img.rows;
  if (!privacy.empty()) {
    cv::Mat mask = cv::Mat::zeros(h, w, CV_8UC1);
    for (const auto& poly : privacy) {
      std::vector<cv::Point> pts;
      for (const auto& p : poly) pts.emplace_back(cvRound(p.x * w), cvRound(p.y * h));
      if (pts.size() >= 3) cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{pts}, 255);
    }
    int k = std::max(3, static_cast<int>(w * kPrivacyBlurFrac)) | 1;
    cv::Mat blurred;
    cv::GaussianBlur(img, blurred, cv::Size(k, k), 0);
    // A second pass on a box filter removes what a single Gaussian leaves.
    cv::blur(blurred, blurred, cv::Size(k, k));
    blurred.copyTo(img, mask);
  }
  if (box) {
    cv::Rect r(cvRound(box->x * w), cvRound(box->y * h), std::max(1, cvRound(box->w * w)),
               std::max(1, cvRound(box->h * h)));
    cv::rectangle(img, r, cv::Scalar(0, 0, 255), 2);
  }
  if (path.size() >= 2) {
    std::vector<cv::Point> pts;
    for (const auto& p : path) pts.emplace_back(cvRound(p.x * w), cvRound(p.y * h));
    cv::polylines(img, pts, false, cv::Scalar(0, 255, 255), 2, cv::LINE_AA);
  }
  std::vector<unsigned char> buf;
  if (!cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, kSnapshotJpegQuality}))
    return Status::Internal("JPEG encoding failed");
  return std::string(buf.begin(), buf.end());
}

std::string EventSnapshotPath(const std::string& data_dir, int64_t event_id) {
  return (std::filesystem::path(data_dir) / "snapshots" / (std::to_string(event_id) + ".jpg"))
      .string();
}

}  // namespace watchline::engine
