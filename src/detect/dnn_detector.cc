#include "detect/dnn_detector.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "base/log.h"
#include "detect/onnx_info.h"

namespace watchline::detect {
namespace {

constexpr int kV5BoxAndObjectness = 5;  // cx, cy, w, h, objectness
constexpr int kV8Box = 4;               // cx, cy, w, h
constexpr double kPixelScale = 1.0 / 255.0;

std::string ShapeString(const cv::Mat& m) {
  std::ostringstream os;
  os << "[";
  for (int i = 0; i < m.dims; ++i) os << (i ? " x " : "") << m.size[i];
  os << "]";
  return os.str();
}

std::string SizeString(cv::Size s) {
  return std::to_string(s.width) + "x" + std::to_string(s.height);
}

std::string Quote(const std::string& path) { return "DNN model '" + path + "'"; }

// The first line of an OpenCV error: its long form repeats file, line and
// function, which mean nothing to a user.
std::string CvError(const cv::Exception& e) {
  std::string msg = e.err.empty() ? std::string(e.what()) : e.err;
  const size_t nl = msg.find('\n');
  if (nl != std::string::npos) msg.resize(nl);
  return msg;
}

Result<cv::Mat> ToBgr(const cv::Mat& frame) {
  if (frame.empty()) return Status::InvalidArgument("empty frame");
  if (frame.depth() != CV_8U) {
    return Status::InvalidArgument("frame must be 8-bit, got depth " +
                                   std::to_string(frame.depth()));
  }
  cv::Mat bgr;
  switch (frame.channels()) {
    case 1:
      cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
      return bgr;
    case 3:
      return frame;
    case 4:
      cv::cvtColor(frame, bgr, cv::COLOR_BGRA2BGR);
      return bgr;
    default:
      return Status::InvalidArgument("frame has " + std::to_string(frame.channels()) +
                                     " channels; expected 1, 3 or 4");
  }
}

Status ValidateOptions(const DnnOptions& o) {
  if (o.model_path.empty()) return Status::InvalidArgument("DNN model path is empty");
  if (!(o.conf_threshold > 0 && o.conf_threshold <= 1)) {
    return Status::InvalidArgument(Quote(o.model_path) + ": conf_threshold " +
                                   std::to_string(o.conf_threshold) + " is not in (0, 1]");
  }
  if (!(o.nms_iou > 0 && o.nms_iou <= 1)) {
    return Status::InvalidArgument(Quote(o.model_path) + ": nms_iou " + std::to_string(o.nms_iou) +
                                   " is not in (0, 1]");
  }
  if (o.input_size.width < 0 || o.input_size.height < 0 ||
      (o.input_size.width == 0) != (o.input_size.height == 0)) {
    return Status::InvalidArgument(Quote(o.model_path) + ": input size " +
                                   SizeString(o.input_size) + " is not a positive size");
  }
  return ValidateClassMap(o.class_map).WithContext(Quote(o.model_path));
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound(Quote(path) + " does not exist or is not a file");
  }
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) return Status::IOError(Quote(path) + ": read failed");
  return bytes;
}

}  // namespace

std::string_view LayoutName(YoloLayout layout) {
  switch (layout) {
    case YoloLayout::kAuto:
      return "auto";
    case YoloLayout::kYoloV5:
      return "yolov5";
    case YoloLayout::kYoloV8:
      return "yolov8";
  }
  return "auto";
}

Result<YoloLayout> ParseLayout(std::string_view name) {
  for (YoloLayout l : {YoloLayout::kAuto, YoloLayout::kYoloV5, YoloLayout::kYoloV8}) {
    if (name == LayoutName(l)) return l;
  }
  return Status::InvalidArgument("DNN layout '" + std::string(name) +
                                 "' is not one of auto, yolov5, yolov8");
}

Letterbox ComputeLetterbox(cv::Size frame, cv::Size input) {
  Letterbox lb;
  const double scale = std::min(static_cast<double>(input.width) / frame.width,
                                static_cast<double>(input.height) / frame.height);
  lb.resized.width = std::clamp(static_cast<int>(std::lround(frame.width * scale)), 1, input.width);
  lb.resized.height =
      std::clamp(static_cast<int>(std::lround(frame.height * scale)), 1, input.height);
  lb.pad_x = (input.width - lb.resized.width) / 2;
  lb.pad_y = (input.height - lb.resized.height) / 2;
  lb.scale_x = static_cast<double>(lb.resized.width) / frame.width;
  lb.scale_y = static_cast<double>(lb.resized.height) / frame.height;
  return lb;
}

Result<std::unique_ptr<DnnDetector>> DnnDetector::Load(const DnnOptions& options) {
  WL_RETURN_IF_ERROR(ValidateOptions(options));
  const std::string& path = options.model_path;
  WL_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
  Result<OnnxModelInfo> info = ReadOnnxModelInfo(bytes);
  if (!info.ok()) return info.status().WithContext(Quote(path));

  std::unique_ptr<DnnDetector> d(new DnnDetector());
  d->options_ = options;
  d->input_size_ = options.input_size;
  const std::vector<int64_t>& dims = info->input_dims;
  if (d->input_size_.empty()) {
    if (dims.size() == 4 && dims[2] > 0 && dims[3] > 0) {
      d->input_size_ = cv::Size(static_cast<int>(dims[3]), static_cast<int>(dims[2]));
    } else {
      d->input_size_ = cv::Size(kDefaultInputSidePx, kDefaultInputSidePx);
    }
  }

  try {
    d->net_ = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
    if (d->net_.empty())
      return Status::Corruption(Quote(path) + ": OpenCV imported an empty network");
    d->net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    d->net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    d->output_names_ = d->net_.getUnconnectedOutLayersNames();
  } catch (const cv::Exception& e) {
    return Status::Corruption(Quote(path) + ": OpenCV cannot import it: " + CvError(e));
  } catch (const std::exception& e) {
    return Status::Corruption(Quote(path) + ": OpenCV cannot import it: " + e.what());
  }
  if (d->output_names_.empty())
    return Status::Corruption(Quote(path) + ": the network has no output");

  // One pass on a blank input: learns the output shape now, so a model that
  // cannot be decoded fails at startup, not on the first alarm.
  const cv::Mat blank(d->input_size_, CV_8UC3, cv::Scalar::all(kLetterboxPadGrey));
  WL_ASSIGN_OR_RETURN(cv::Mat out,
                      d->Forward(blank, ComputeLetterbox(blank.size(), d->input_size_)));
  WL_RETURN_IF_ERROR(d->DecideLayout(out));
  WL_LOG(Info) << Quote(path) << " loaded: " << LayoutName(d->layout_) << " layout, "
               << SizeString(d->input_size_) << " input, " << d->num_classes_ << " classes, "
               << d->num_candidates_ << " candidates";
  return d;
}

Result<cv::Mat> DnnDetector::Forward(const cv::Mat& bgr, const Letterbox& lb) {
  try {
    cv::Mat canvas(input_size_, CV_8UC3, cv::Scalar::all(kLetterboxPadGrey));
    cv::resize(bgr, canvas(cv::Rect(cv::Point(lb.pad_x, lb.pad_y), lb.resized)), lb.resized, 0, 0,
               cv::INTER_LINEAR);
    // YOLO exports take RGB in 0..1, NCHW.
    cv::Mat blob = cv::dnn::blobFromImage(canvas, kPixelScale, cv::Size(), cv::Scalar(),
                                          /*swapRB=*/true, /*crop=*/false, CV_32F);
    net_.setInput(blob);
    std::vector<cv::Mat> outs;
    net_.forward(outs, output_names_);
    if (outs.empty())
      return Status::Internal(Quote(options_.model_path) + ": forward gave no output");
    // YOLO exports have one output; older YOLOv5 exports add per-scale grids
    // after the decoded one, which comes first.
    return outs[0];
  } catch (const cv::Exception& e) {
    return Status::InvalidArgument(Quote(options_.model_path) + " failed on a " +
                                   SizeString(input_size_) + " input: " + CvError(e));
  }
}

Status DnnDetector::DecideLayout(const cv::Mat& out) {
  const std::string& path = options_.model_path;
  const int c = static_cast<int>(options_.class_map.size());
  const std::string expect = "; expected [1 x N x " + std::to_string(c + kV5BoxAndObjectness) +
                             "] (yolov5) or [1 x " + std::to_string(c + kV8Box) +
                             " x N] (yolov8) for the " + std::to_string(c) + "-class class map";
  if (out.dims != 3 || out.size[0] != 1 || out.type() != CV_32F) {
    return Status::InvalidArgument(Quote(path) + ": cannot decode output shape " +
                                   ShapeString(out) + expect);
  }
  const bool v5 = out.size[2] == c + kV5BoxAndObjectness && out.size[1] > 0;
  const bool v8 = out.size[1] == c + kV8Box && out.size[2] > 0;
  YoloLayout layout = options_.layout;
  if (layout == YoloLayout::kAuto) {
    if (v5 && v8) {
      return Status::InvalidArgument(Quote(path) + ": output shape " + ShapeString(out) +
                                     " fits both yolov5 and yolov8; set the layout");
    }
    if (v5) layout = YoloLayout::kYoloV5;
    if (v8) layout = YoloLayout::kYoloV8;
  }
  if ((layout == YoloLayout::kYoloV5 && !v5) || (layout == YoloLayout::kYoloV8 && !v8) ||
      layout == YoloLayout::kAuto) {
    return Status::InvalidArgument(
        Quote(path) + ": cannot decode output shape " + ShapeString(out) + " as " +
        (options_.layout == YoloLayout::kAuto ? std::string("yolov5 or yolov8")
                                              : std::string(LayoutName(options_.layout))) +
        expect);
  }
  layout_ = layout;
  num_classes_ = c;
  num_candidates_ = layout == YoloLayout::kYoloV5 ? out.size[1] : out.size[2];
  return Status::Ok();
}

Result<std::vector<Detection>> DnnDetector::Detect(const cv::Mat& frame) {
  Result<cv::Mat> bgr = ToBgr(frame);
  if (!bgr.ok()) return bgr.status().WithContext(Quote(options_.model_path));
  const Letterbox lb = ComputeLetterbox(frame.size(), input_size_);
  WL_ASSIGN_OR_RETURN(cv::Mat out, Forward(*bgr, lb));
  const bool v5 = layout_ == YoloLayout::kYoloV5;
  const int n = num_candidates_;
  const int features = num_classes_ + (v5 ? kV5BoxAndObjectness : kV8Box);
  if (out.dims != 3 || out.type() != CV_32F || out.size[1] != (v5 ? n : features) ||
      out.size[2] != (v5 ? features : n)) {
    return Status::Internal(Quote(options_.model_path) + ": output shape changed to " +
                            ShapeString(out));
  }
  const float* data = out.ptr<float>();
  // yolov5 rows are contiguous; yolov8 stores one feature per row of N.
  auto at = [&](int i, int f) { return v5 ? data[i * features + f] : data[f * n + i]; };
  const int first_class = v5 ? kV5BoxAndObjectness : kV8Box;
  const cv::Rect2d frame_rect(0, 0, frame.cols, frame.rows);

  std::map<std::string, std::vector<Detection>> by_class;
  for (int i = 0; i < n; ++i) {
    const double objectness = v5 ? at(i, 4) : 1.0;
    // Class scores are <= 1, so a weak objectness rules the row out. The
    // negated comparisons also drop NaN scores.
    if (!(objectness >= options_.conf_threshold)) continue;
    int best = 0;
    float best_score = at(i, first_class);
    for (int k = 1; k < num_classes_; ++k) {
      const float s = at(i, first_class + k);
      if (s > best_score) best_score = s, best = k;
    }
    const double confidence = objectness * best_score;
    if (!(confidence >= options_.conf_threshold)) continue;
    const std::string& cls = options_.class_map[best];
    if (cls.empty()) continue;
    const double cx = at(i, 0), cy = at(i, 1), w = at(i, 2), h = at(i, 3);
    if (!std::isfinite(cx + cy + w + h)) continue;
    const double x0 = (cx - w / 2 - lb.pad_x) / lb.scale_x;
    const double y0 = (cy - h / 2 - lb.pad_y) / lb.scale_y;
    const cv::Rect2d box = cv::Rect2d(x0, y0, w / lb.scale_x, h / lb.scale_y) & frame_rect;
    if (box.width <= 0 || box.height <= 0) continue;  // outside the frame
    by_class[cls].push_back({box, cls, confidence, best});
  }

  // NMS per watchline class: a car and a truck box on one vehicle are one
  // vehicle, while a person on a boat stays two objects.
  std::vector<Detection> result;
  for (auto& [cls, dets] : by_class) {
    std::vector<cv::Rect2d> boxes;
    std::vector<float> scores;
    for (const Detection& d : dets) {
      boxes.push_back(d.box);
      scores.push_back(static_cast<float>(d.confidence));
    }
    std::vector<int> keep;
    // Scores were thresholded above; NMSBoxes' own threshold is strict.
    cv::dnn::NMSBoxes(boxes, scores, /*score_threshold=*/0.0f, static_cast<float>(options_.nms_iou),
                      keep);
    for (int k : keep) result.push_back(dets[k]);
  }
  std::stable_sort(result.begin(), result.end(), [](const Detection& a, const Detection& b) {
    return a.confidence > b.confidence;
  });
  return result;
}

}  // namespace watchline::detect
