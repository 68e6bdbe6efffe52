// Reads what watchline needs to know about an ONNX model before OpenCV loads
// it: that the bytes are an ONNX ModelProto at all, and the name and declared
// shape of the network's image input.
//
// OpenCV 4.6's dnn module does not report a model's declared input shape, and
// its parse error for a file that is not ONNX is a long multi-line message; a
// small protobuf walk (no protobuf library) answers both. Only the fields on
// the way to graph.input are decoded; everything else is skipped by length.
// Thread safety: a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace watchline::detect {

struct OnnxModelInfo {
  int64_t ir_version = 0;
  int64_t opset = 0;  // default-domain opset; 0 when not declared
  // The first graph input that is not an initializer (the image tensor).
  std::string input_name;
  // Its declared dimensions; -1 for a symbolic or missing dimension
  // ("batch", "height" in a dynamic-shape export).
  std::vector<int64_t> input_dims;
  int num_nodes = 0;
};

// Parses `bytes` (a whole .onnx file). Errors are kCorruption with a message
// that says what is wrong ("truncated", "no graph"); the caller adds the file
// name.
Result<OnnxModelInfo> ReadOnnxModelInfo(std::string_view bytes);

}  // namespace watchline::detect
