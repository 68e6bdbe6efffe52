// Test-only: writes tiny ONNX models byte by byte, so the DNN tests need no
// protobuf compiler, no Python and no downloaded weights.
//
// OnnxWriter encodes just the protobuf messages a small ONNX graph needs
// (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto; field
// numbers from onnx/onnx.proto). TinyYoloModel() builds a network whose output
// is a YOLO-shaped tensor with rows the test chooses:
//
//   images [1,3,S,S] -> GlobalAveragePool -> Flatten -> Gemm(W, B) -> Reshape
//                    -> output0 [1,N,K] (yolov5) or [1,K,N] (yolov8)
//
// B holds the rows (so the decoded boxes are exactly what the test wrote) and
// W ([M,3], transB=1) adds the mean of the input's first channel (R, after the
// detector's BGR->RGB swap) to chosen cells, so the output depends on the
// picture. Thread safety: plain functions and value types.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace watchline::detect::testing {

// A protobuf message under construction.
class Pb {
 public:
  Pb& Varint(int field, uint64_t v) {
    Key(field, 0);
    PutVarint(v);
    return *this;
  }
  Pb& Bytes(int field, const std::string& bytes) {
    Key(field, 2);
    PutVarint(bytes.size());
    out_ += bytes;
    return *this;
  }
  Pb& Msg(int field, const Pb& m) { return Bytes(field, m.out_); }
  Pb& Float(int field, float f) {  // wire type 5, little endian
    Key(field, 5);
    char b[4];
    std::memcpy(b, &f, 4);
    out_.append(b, 4);
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  void Key(int field, int wire) { PutVarint((static_cast<uint64_t>(field) << 3) | wire); }
  void PutVarint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  std::string out_;
};

// onnx.proto enums.
inline constexpr int kOnnxFloat = 1;
inline constexpr int kOnnxInt64 = 7;
inline constexpr int kAttrInt = 2;

inline Pb FloatTensor(const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<float>& values) {
  Pb t;
  for (int64_t d : dims) t.Varint(1, static_cast<uint64_t>(d));
  t.Varint(2, kOnnxFloat);
  t.Bytes(8, name);
  std::string raw(values.size() * 4, '\0');
  std::memcpy(raw.data(), values.data(), raw.size());
  t.Bytes(9, raw);
  return t;
}

inline Pb Int64Tensor(const std::string& name, const std::vector<int64_t>& values) {
  Pb t;
  t.Varint(1, values.size());
  t.Varint(2, kOnnxInt64);
  t.Bytes(8, name);
  std::string raw(values.size() * 8, '\0');
  std::memcpy(raw.data(), values.data(), raw.size());
  t.Bytes(9, raw);
  return t;
}

inline Pb ValueInfo(const std::string& name, const std::vector<int64_t>& dims) {
  Pb shape;
  for (int64_t d : dims) {  // a negative dimension is written as a symbolic one
    shape.Msg(1, d >= 0 ? Pb().Varint(1, static_cast<uint64_t>(d)) : Pb().Bytes(2, "dyn"));
  }
  Pb tensor_type;
  tensor_type.Varint(1, kOnnxFloat).Msg(2, shape);
  Pb type;
  type.Msg(1, tensor_type);
  Pb vi;
  vi.Bytes(1, name).Msg(2, type);
  return vi;
}

inline Pb Node(const std::string& op, const std::vector<std::string>& inputs,
               const std::string& output,
               const std::vector<std::pair<std::string, int64_t>>& int_attrs = {}) {
  Pb n;
  for (const auto& in : inputs) n.Bytes(1, in);
  n.Bytes(2, output);
  n.Bytes(3, op + "_" + output);
  n.Bytes(4, op);
  for (const auto& [name, v] : int_attrs) {
    n.Msg(5, Pb().Bytes(1, name).Varint(20, kAttrInt).Varint(3, static_cast<uint64_t>(v)));
  }
  return n;
}

// One candidate as the test wants the network to emit it: box centre and
// size in network-input pixels, objectness (yolov5 only) and class scores.
struct TinyRow {
  float cx, cy, w, h;
  float objectness;
  std::vector<float> class_scores;  // size C
};

struct TinyModelSpec {
  int input_size = 64;         // S: the network input is S x S
  bool dynamic_input = false;  // declare the input as [1,3,dyn,dyn]
  bool yolov8_layout = false;  // [1,4+C,N] without objectness instead of [1,N,5+C]
  int num_classes = 3;         // C
  std::vector<TinyRow> rows;   // N
  // Cells (row, column of the [N,K] yolov5-style table; column 4 is
  // objectness, or the first class score for yolov8) that also get
  // `input_gain` x mean(input channel 0) added.
  std::vector<std::pair<int, int>> input_dependent_cells;
  float input_gain = 1.0f;
  // Override the output shape fed to Reshape (for "unexpected shape" tests).
  std::vector<int64_t> reshape_to;
};

// Serialises the model described by `spec` into ONNX bytes.
inline std::string TinyYoloModel(const TinyModelSpec& spec) {
  const int n = static_cast<int>(spec.rows.size());
  const int k = spec.yolov8_layout ? 4 + spec.num_classes : 5 + spec.num_classes;
  const int m = n * k;
  // Flat position of (row r, column c) in the output tensor.
  auto index = [&](int r, int c) { return spec.yolov8_layout ? c * n + r : r * k + c; };
  std::vector<float> bias(m, 0.0f);
  for (int r = 0; r < n; ++r) {
    const TinyRow& row = spec.rows[r];
    std::vector<float> values = {row.cx, row.cy, row.w, row.h};
    if (!spec.yolov8_layout) values.push_back(row.objectness);
    values.insert(values.end(), row.class_scores.begin(), row.class_scores.end());
    for (int c = 0; c < k && c < static_cast<int>(values.size()); ++c)
      bias[index(r, c)] = values[c];
  }
  // [M, 3] with transB=1: OpenCV 4.6 imports Gemm as a fully connected
  // layer and wants the weights output-major.
  std::vector<float> weights(m * 3, 0.0f);
  for (const auto& [r, c] : spec.input_dependent_cells) weights[index(r, c) * 3] = spec.input_gain;

  const std::vector<int64_t> out_shape = !spec.reshape_to.empty() ? spec.reshape_to
                                         : spec.yolov8_layout     ? std::vector<int64_t>{1, k, n}
                                                                  : std::vector<int64_t>{1, n, k};

  Pb graph;
  graph.Msg(1, Node("GlobalAveragePool", {"images"}, "gap"));
  graph.Msg(1, Node("Flatten", {"gap"}, "flat", {{"axis", 1}}));
  graph.Msg(1, Node("Gemm", {"flat", "W", "B"}, "pred", {{"transB", 1}}));
  graph.Msg(1, Node("Reshape", {"pred", "shape"}, "output0"));
  graph.Bytes(2, "tiny_yolo");
  graph.Msg(5, FloatTensor("W", {m, 3}, weights));
  graph.Msg(5, FloatTensor("B", {m}, bias));
  graph.Msg(5, Int64Tensor("shape", out_shape));
  const int64_t side = spec.dynamic_input ? -1 : spec.input_size;
  graph.Msg(11, ValueInfo("images", {1, 3, side, side}));
  graph.Msg(12, ValueInfo("output0", out_shape));

  Pb model;
  model.Varint(1, 7);  // ir_version 7 (ONNX 1.8)
  model.Bytes(2, "watchline-test");
  model.Msg(7, graph);
  model.Msg(8, Pb().Bytes(1, "").Varint(2, 12));  // opset 12
  return model.str();
}

inline bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(f);
}

}  // namespace watchline::detect::testing
