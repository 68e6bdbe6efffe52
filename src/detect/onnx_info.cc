#include "detect/onnx_info.h"

#include <set>

namespace watchline::detect {
namespace {

// Field numbers from onnx/onnx.proto.
constexpr int kModelIrVersion = 1;
constexpr int kModelGraph = 7;
constexpr int kModelOpsetImport = 8;
constexpr int kOpsetDomain = 1;
constexpr int kOpsetVersion = 2;
constexpr int kGraphNode = 1;
constexpr int kGraphInitializer = 5;
constexpr int kGraphInput = 11;
constexpr int kTensorName = 8;
constexpr int kValueInfoName = 1;
constexpr int kValueInfoType = 2;
constexpr int kTypeTensor = 1;
constexpr int kTensorTypeShape = 2;
constexpr int kShapeDim = 1;
constexpr int kDimValue = 1;

// One protobuf field: its number, and either its varint value or its bytes.
struct Field {
  int number = 0;
  int wire = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

// Walks the fields of one serialised message.
class PbReader {
 public:
  explicit PbReader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ >= data_.size(); }

  // Reads the next field; false (with error()) on malformed input.
  bool Next(Field* f) {
    uint64_t key = 0;
    if (!Varint(&key)) return false;
    f->number = static_cast<int>(key >> 3);
    f->wire = static_cast<int>(key & 7);
    if (f->number == 0) return Fail("field number 0");
    switch (f->wire) {
      case 0:
        return Varint(&f->varint);
      case 1:
        return Skip(8);
      case 2: {
        uint64_t len = 0;
        if (!Varint(&len)) return false;
        if (len > data_.size() - pos_) return Fail("length runs past the end");
        f->bytes = data_.substr(pos_, len);
        pos_ += len;
        return true;
      }
      case 5:
        return Skip(4);
      default:
        return Fail("wire type " + std::to_string(f->wire));
    }
  }

  const std::string& error() const { return error_; }

 private:
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Fail("truncated varint");
      const auto b = static_cast<uint8_t>(data_[pos_++]);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return Fail("varint longer than 10 bytes");
  }
  bool Skip(size_t n) {
    if (n > data_.size() - pos_) return Fail("truncated fixed-width field");
    pos_ += n;
    return true;
  }
  bool Fail(std::string why) {
    error_ = "malformed protobuf at byte " + std::to_string(pos_) + ": " + why;
    return false;
  }

  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

// Calls fn(field) for every field of `msg`; a kCorruption status on bad bytes.
template <typename Fn>
Status ForEachField(std::string_view msg, Fn fn) {
  PbReader r(msg);
  while (!r.done()) {
    Field f;
    if (!r.Next(&f)) return Status::Corruption(r.error());
    WL_RETURN_IF_ERROR(fn(f));
  }
  return Status::Ok();
}

Status NeedBytes(const Field& f, const char* what) {
  if (f.wire != 2) return Status::Corruption(std::string(what) + " is not length-delimited");
  return Status::Ok();
}

Result<std::vector<int64_t>> ReadDims(std::string_view value_info_type) {
  std::vector<int64_t> dims;
  Status s = ForEachField(value_info_type, [&](const Field& type) -> Status {
    if (type.number != kTypeTensor) return Status::Ok();
    WL_RETURN_IF_ERROR(NeedBytes(type, "TypeProto.tensor_type"));
    return ForEachField(type.bytes, [&](const Field& tt) -> Status {
      if (tt.number != kTensorTypeShape) return Status::Ok();
      WL_RETURN_IF_ERROR(NeedBytes(tt, "TypeProto.Tensor.shape"));
      return ForEachField(tt.bytes, [&](const Field& dim) -> Status {
        if (dim.number != kShapeDim) return Status::Ok();
        WL_RETURN_IF_ERROR(NeedBytes(dim, "TensorShapeProto.dim"));
        int64_t value = -1;
        WL_RETURN_IF_ERROR(ForEachField(dim.bytes, [&](const Field& d) -> Status {
          if (d.number == kDimValue && d.wire == 0) value = static_cast<int64_t>(d.varint);
          return Status::Ok();
        }));
        dims.push_back(value > 0 ? value : -1);
        return Status::Ok();
      });
    });
  });
  if (!s.ok()) return s;
  return dims;
}

}  // namespace

Result<OnnxModelInfo> ReadOnnxModelInfo(std::string_view bytes) {
  if (bytes.empty()) return Status::Corruption("empty file");
  OnnxModelInfo info;
  std::string_view graph;
  bool have_graph = false;
  Status s = ForEachField(bytes, [&](const Field& f) -> Status {
    if (f.number == kModelIrVersion && f.wire == 0) {
      info.ir_version = static_cast<int64_t>(f.varint);
    } else if (f.number == kModelGraph) {
      WL_RETURN_IF_ERROR(NeedBytes(f, "ModelProto.graph"));
      graph = f.bytes;
      have_graph = true;
    } else if (f.number == kModelOpsetImport) {
      WL_RETURN_IF_ERROR(NeedBytes(f, "ModelProto.opset_import"));
      std::string_view domain;
      int64_t version = 0;
      WL_RETURN_IF_ERROR(ForEachField(f.bytes, [&](const Field& o) -> Status {
        if (o.number == kOpsetDomain && o.wire == 2) domain = o.bytes;
        if (o.number == kOpsetVersion && o.wire == 0) version = static_cast<int64_t>(o.varint);
        return Status::Ok();
      }));
      if (domain.empty() || domain == "ai.onnx") info.opset = version;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s.WithContext("not an ONNX model");
  if (info.ir_version <= 0 || !have_graph) {
    return Status::Corruption("not an ONNX model: no ir_version or no graph");
  }

  std::set<std::string, std::less<>> initializers;
  struct Input {
    std::string name;
    std::string_view type;
  };
  std::vector<Input> inputs;
  s = ForEachField(graph, [&](const Field& f) -> Status {
    if (f.number == kGraphNode) {
      ++info.num_nodes;
    } else if (f.number == kGraphInitializer) {
      WL_RETURN_IF_ERROR(NeedBytes(f, "GraphProto.initializer"));
      return ForEachField(f.bytes, [&](const Field& t) -> Status {
        if (t.number == kTensorName && t.wire == 2) initializers.emplace(t.bytes);
        return Status::Ok();
      });
    } else if (f.number == kGraphInput) {
      WL_RETURN_IF_ERROR(NeedBytes(f, "GraphProto.input"));
      Input in;
      WL_RETURN_IF_ERROR(ForEachField(f.bytes, [&](const Field& v) -> Status {
        if (v.number == kValueInfoName && v.wire == 2) in.name = std::string(v.bytes);
        if (v.number == kValueInfoType && v.wire == 2) in.type = v.bytes;
        return Status::Ok();
      }));
      inputs.push_back(in);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s.WithContext("not an ONNX model (graph)");
  if (info.num_nodes == 0) return Status::Corruption("not an ONNX model: the graph has no nodes");

  // Before IR version 4 initializers were also listed as graph inputs.
  for (const Input& in : inputs) {
    if (initializers.count(in.name) != 0) continue;
    info.input_name = in.name;
    WL_ASSIGN_OR_RETURN(info.input_dims, ReadDims(in.type));
    return info;
  }
  return Status::Corruption("not an ONNX model: the graph has no input");
}

}  // namespace watchline::detect
