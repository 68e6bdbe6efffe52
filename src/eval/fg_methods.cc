#include "eval/fg_methods.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include <opencv2/bgsegm.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/background_segm.hpp>

#include "analysis/camera_analyzer.h"
#include "ingest/frame.h"

namespace watchline::eval {
namespace {

// OpenCV's automatic learning rate (1/min(frames seen, history)).
constexpr double kAutoLearningRate = -1;

class OpenCvMethod : public ForegroundMethod {
 public:
  OpenCvMethod(std::string name, std::string description,
               cv::Ptr<cv::BackgroundSubtractor> subtractor)
      : name_(std::move(name)), description_(std::move(description)),
        subtractor_(std::move(subtractor)) {}
  std::string name() const override { return name_; }
  std::string description() const override { return description_; }
  const cv::Mat& Apply(const cv::Mat& gray, double, int64_t) override {
    subtractor_->apply(gray, mask_, kAutoLearningRate);
    return mask_;
  }

 private:
  std::string name_, description_;
  cv::Ptr<cv::BackgroundSubtractor> subtractor_;
  cv::Mat mask_;
};

class WatchlineMethod : public ForegroundMethod {
 public:
  explicit WatchlineMethod(const config::DetectionConfig& detection) {
    config::CameraConfig cam;
    cam.id = "eval";
    cam.analysis.width = 0;  // the input's own width: frames are handed over as they are
    cam.analysis.fps = 0;    // every frame
    cam.detection = detection;
    analyzer_ = std::make_unique<analysis::CameraAnalyzer>(std::move(cam));
  }
  std::string name() const override { return "watchline"; }
  std::string description() const override {
    char learn[32];
    std::snprintf(learn, sizeof learn, "%.2f s", analyzer_->camera().detection.learn_s);
    return std::string("analysis::CameraAnalyzer, every frame at the input size, foreground after "
                       "blob clean-up, default DetectionConfig unless --config; learn_s ") +
           learn + " (provisional masks while learning; no tracks until learned)";
  }
  const cv::Mat& Apply(const cv::Mat& gray, double t, int64_t index) override {
    ingest::Frame f;
    f.t = t;
    f.index = index;
    f.src_width = gray.cols;
    f.src_height = gray.rows;
    f.gray = gray;
    analyzer_->Process(f);
    return analyzer_->foreground();
  }
  bool learning() const override { return analyzer_->learning(); }

 private:
  std::unique_ptr<analysis::CameraAnalyzer> analyzer_;
};

Status CheckMask(const cv::Mat& mask, const cv::Size& size, const std::string& method,
                 int64_t number) {
  if (mask.type() != CV_8UC1 || mask.size() != size) {
    return Status::Internal(method + " gave a mask of " + std::to_string(mask.cols) + "x" +
                            std::to_string(mask.rows) + " type " + std::to_string(mask.type()) +
                            " at frame " + std::to_string(number) + ", expected " +
                            std::to_string(size.width) + "x" + std::to_string(size.height) +
                            " CV_8UC1");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ForegroundMethod>> MakeForegroundMethod(
    const std::string& name, const config::DetectionConfig& detection) {
  try {
    if (name == "watchline") return std::unique_ptr<ForegroundMethod>(new WatchlineMethod(detection));
    if (name == "mog2") {
      return std::unique_ptr<ForegroundMethod>(new OpenCvMethod(
          "mog2", "cv::createBackgroundSubtractorMOG2() defaults: history 500, varThreshold 16, "
                  "detectShadows (127 = background)",
          cv::createBackgroundSubtractorMOG2()));
    }
    if (name == "knn") {
      return std::unique_ptr<ForegroundMethod>(new OpenCvMethod(
          "knn", "cv::createBackgroundSubtractorKNN() defaults: history 500, dist2Threshold 400, "
                 "detectShadows (127 = background)",
          cv::createBackgroundSubtractorKNN()));
    }
    if (name == "cnt") {
      return std::unique_ptr<ForegroundMethod>(new OpenCvMethod(
          "cnt", "cv::bgsegm::createBackgroundSubtractorCNT() defaults: minPixelStability 15, "
                 "useHistory, maxPixelStability 900",
          cv::bgsegm::createBackgroundSubtractorCNT()));
    }
  } catch (const cv::Exception& e) {
    return Status::Internal("cannot create " + name + ": " + e.what());
  }
  return Status::InvalidArgument("unknown foreground method '" + name +
                                 "' (known: watchline, mog2, knn, cnt)");
}

bool IsScored(const FgSequence& seq, int64_t number, double t) {
  if (!seq.gt.count(number)) return false;
  if (seq.temporal_roi && !seq.temporal_roi->Contains(number)) return false;
  return t >= seq.warmup_s;
}

Result<FgMethodResult> RunForegroundMethod(ForegroundMethod* method, const FgSequence& seq,
                                           const std::string& dump_dir) {
  FgMethodResult r;
  r.method = method->name();
  r.description = method->description();
  if (!dump_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dump_dir, ec);
    if (ec) return Status::Internal("cannot create " + dump_dir + ": " + ec.message());
  }
  double total_ms = 0;
  cv::Mat binary;
  try {
    for (size_t i = 0; i < seq.frames.size(); ++i) {
      const auto start = std::chrono::steady_clock::now();
      const cv::Mat& mask = method->Apply(seq.frames[i], seq.times[i], seq.numbers[i]);
      total_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                            start).count();
      ++r.frames_run;
      const bool scored = IsScored(seq, seq.numbers[i], seq.times[i]);
      if (!scored && dump_dir.empty()) continue;
      WL_RETURN_IF_ERROR(CheckMask(mask, seq.frames[i].size(), r.method, seq.numbers[i]));
      if (!dump_dir.empty()) {
        cv::compare(mask, 128, binary, cv::CMP_GE);
        char name[32];
        std::snprintf(name, sizeof name, "fg%06zu.png", i + 1);
        const std::string path = (std::filesystem::path(dump_dir) / name).string();
        if (!cv::imwrite(path, binary)) return Status::Internal("cannot write " + path);
      }
      if (!scored) continue;
      auto c = ScoreFrame(mask, seq.gt.at(seq.numbers[i]), seq.roi);
      if (!c.ok()) {
        return c.status().WithContext("frame " + std::to_string(seq.numbers[i]));
      }
      r.counts += *c;
      if (method->learning()) ++r.scored_learning;
    }
  } catch (const cv::Exception& e) {
    return Status::Internal(r.method + ": OpenCV error: " + e.what());
  }
  r.metrics = ComputeFgMetrics(r.counts);
  r.ms_per_frame = r.frames_run > 0 ? total_ms / static_cast<double>(r.frames_run) : 0;
  return r;
}

Result<FgMethodResult> ScoreMasks(const std::string& name, const std::map<int64_t, cv::Mat>& masks,
                                  const FgSequence& seq) {
  FgMethodResult r;
  r.method = name;
  r.description = "masks read from files";
  for (size_t i = 0; i < seq.numbers.size(); ++i) {
    const int64_t n = seq.numbers[i];
    if (!IsScored(seq, n, seq.times[i])) continue;
    const cv::Mat& gt = seq.gt.at(n);
    auto it = masks.find(n);
    cv::Mat mask;
    if (it == masks.end()) {
      mask = cv::Mat::zeros(gt.size(), CV_8UC1);
      ++r.scored_learning;
    } else {
      mask = it->second;
    }
    auto c = ScoreFrame(mask, gt, seq.roi);
    if (!c.ok()) return c.status().WithContext("frame " + std::to_string(n));
    r.counts += *c;
  }
  r.metrics = ComputeFgMetrics(r.counts);
  return r;
}

}  // namespace watchline::eval
