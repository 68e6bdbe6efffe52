#include "detect/onnx_info.h"

#include <gtest/gtest.h>

#include "detect/tiny_onnx_test_util.h"

namespace watchline::detect {
namespace {

using testing::TinyModelSpec;
using testing::TinyYoloModel;

TinyModelSpec OneRowSpec() {
  TinyModelSpec spec;
  spec.input_size = 48;
  spec.rows = {{10, 10, 4, 4, 0.9f, {1, 0, 0}}};
  return spec;
}

TEST(OnnxInfoTest, ReadsInputNameAndStaticShape) {
  Result<OnnxModelInfo> info = ReadOnnxModelInfo(TinyYoloModel(OneRowSpec()));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->ir_version, 7);
  EXPECT_EQ(info->opset, 12);
  EXPECT_EQ(info->input_name, "images");  // not the initializers W, B, shape
  EXPECT_EQ(info->input_dims, (std::vector<int64_t>{1, 3, 48, 48}));
  EXPECT_EQ(info->num_nodes, 4);
}

TEST(OnnxInfoTest, SymbolicDimensionsAreMinusOne) {
  TinyModelSpec spec = OneRowSpec();
  spec.dynamic_input = true;
  Result<OnnxModelInfo> info = ReadOnnxModelInfo(TinyYoloModel(spec));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->input_dims, (std::vector<int64_t>{1, 3, -1, -1}));
}

TEST(OnnxInfoTest, RejectsTextTruncationAndEmpty) {
  Result<OnnxModelInfo> text = ReadOnnxModelInfo("this is not a model\n");
  ASSERT_FALSE(text.ok());
  EXPECT_TRUE(text.status().IsCorruption());
  EXPECT_NE(text.status().message().find("not an ONNX model"), std::string::npos)
      << text.status().message();

  const std::string bytes = TinyYoloModel(OneRowSpec());
  Result<OnnxModelInfo> cut =
      ReadOnnxModelInfo(std::string_view(bytes).substr(0, bytes.size() / 2));
  ASSERT_FALSE(cut.ok());
  EXPECT_TRUE(cut.status().IsCorruption());

  EXPECT_FALSE(ReadOnnxModelInfo("").ok());
}

TEST(OnnxInfoTest, RejectsWellFormedProtobufWithoutGraph) {
  // ir_version only: valid protobuf, not a model.
  const std::string bytes = testing::Pb().Varint(1, 7).str();
  Result<OnnxModelInfo> info = ReadOnnxModelInfo(bytes);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("no graph"), std::string::npos) << info.status().message();
}

}  // namespace
}  // namespace watchline::detect
