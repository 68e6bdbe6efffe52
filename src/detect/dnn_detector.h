// Optional object detector on a model the user supplies: an ONNX export of a
// YOLO network (YOLOv5 or YOLOv8 output layout), run with OpenCV's dnn module
// on the CPU.
//
// It is a verifier, not a per-frame detector: a YOLOv8n at 640x640 costs on
// the order of 100 ms per call on one of these cores, so the analyzer runs it
// on confirmed tracks only. It answers "what kind of object is this"; it never
// identifies anyone (see README.md).
//
// Pipeline per call: grey/BGR frame -> letterbox to the network input (keep
// aspect, pad grey 114, centred) -> blob (RGB, 0..1) -> forward -> decode rows
// -> confidence threshold -> class map -> per-class NMS -> boxes in frame
// pixels.
//
// Thread safety: Detect() mutates the network's state (cv::dnn::Net is not
// reentrant); one DnnDetector per thread, or hold a mutex around Detect().
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "detect/class_map.h"

namespace watchline::detect {

// How a YOLO export lays out its one output tensor.
enum class YoloLayout {
  kAuto,    // decide from the output shape and the class map size
  kYoloV5,  // [1, N, 5 + C]: cx, cy, w, h, objectness, C class scores per row
  kYoloV8,  // [1, 4 + C, N]: cx, cy, w, h, C class scores per column; no
            // objectness
};
std::string_view LayoutName(YoloLayout layout);  // "auto", "yolov5", "yolov8"
// Parses "auto", "yolov5", "yolov8"; kInvalidArgument otherwise.
Result<YoloLayout> ParseLayout(std::string_view name);

inline constexpr int kDefaultInputSidePx = 640;       // YOLO's usual export size
inline constexpr double kDefaultConfThreshold = 0.4;  // final confidence, 0..1
inline constexpr double kDefaultNmsIou = 0.45;        // intersection over union, 0..1
inline constexpr int kLetterboxPadGrey = 114;         // the value YOLO was trained with

struct DnnOptions {
  std::string model_path;  // an .onnx file
  // Network input in pixels. Empty: the model's declared static input shape,
  // or kDefaultInputSidePx square when the export has dynamic axes.
  cv::Size input_size;
  double conf_threshold = kDefaultConfThreshold;  // objectness x class score (v5), class score (v8)
  double nms_iou = kDefaultNmsIou;
  // Model class id -> watchline class; "" drops that class. Its size must be
  // the model's class count.
  std::vector<std::string> class_map = CocoClassMap();
  YoloLayout layout = YoloLayout::kAuto;
};

struct Detection {
  cv::Rect2d box;     // frame pixels, clipped to the frame
  std::string cls;    // a watchline class name
  double confidence;  // 0..1
  int model_class;    // the model's class id (COCO 2 = car, 7 = truck, ...)
};

// The letterbox transform between a frame and the network input: a network
// pixel p maps to frame pixel (p - pad) / scale.
struct Letterbox {
  double scale_x = 1,
         scale_y = 1;        // resized size / frame size (equal but for rounding)
  int pad_x = 0, pad_y = 0;  // left and top padding, network pixels
  cv::Size resized;          // the frame's size inside the network input
};
Letterbox ComputeLetterbox(cv::Size frame, cv::Size input);

class DnnDetector {
 public:
  // Reads and checks the model, then runs it once on a blank input to learn
  // and check its output shape. Errors: kNotFound (no such file), kCorruption
  // (not an ONNX model, or OpenCV cannot import it), kInvalidArgument (bad
  // options, or an output shape that does not fit the layout and class map),
  // each naming the file and, where relevant, the shape.
  static Result<std::unique_ptr<DnnDetector>> Load(const DnnOptions& options);

  // Objects in `frame` (CV_8UC1 grey, CV_8UC3 BGR or CV_8UC4 BGRA), best
  // first, after threshold, class map and NMS.
  Result<std::vector<Detection>> Detect(const cv::Mat& frame);

  YoloLayout layout() const { return layout_; }
  cv::Size input_size() const { return input_size_; }
  int num_classes() const { return num_classes_; }
  int num_candidates() const { return num_candidates_; }  // N, rows per output

 private:
  DnnDetector() = default;
  Result<cv::Mat> Forward(const cv::Mat& bgr, const Letterbox& lb);
  Status DecideLayout(const cv::Mat& output);

  DnnOptions options_;
  cv::dnn::Net net_;
  std::vector<std::string> output_names_;
  cv::Size input_size_;
  YoloLayout layout_ = YoloLayout::kAuto;
  int num_classes_ = 0;
  int num_candidates_ = 0;
};

}  // namespace watchline::detect
