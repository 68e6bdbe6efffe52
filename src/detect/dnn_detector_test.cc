#include "detect/dnn_detector.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <opencv2/dnn.hpp>

#include "detect/tiny_onnx_test_util.h"

namespace watchline::detect {
namespace {

using testing::TinyModelSpec;
using testing::TinyRow;

// Three model classes: 0 person, 1 vehicle, 2 dropped.
std::vector<std::string> TinyClassMap() { return {"person", "vehicle", ""}; }

class DnnDetectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("wl_detect_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    EXPECT_TRUE(testing::WriteFile(path, bytes));
    return path;
  }
  std::string WriteModel(const std::string& name, const TinyModelSpec& spec) {
    return Write(name, testing::TinyYoloModel(spec));
  }
  DnnOptions Options(const std::string& path) {
    DnnOptions o;
    o.model_path = path;
    o.class_map = TinyClassMap();
    return o;
  }

  std::filesystem::path dir_;
};

// 64x64 network input. A 640x360 frame letterboxes to 64x36 at scale 0.1
// with 14 px of padding above and below, so a network box (cx, cy, w, h)
// maps to frame box ((cx - w/2) * 10, (cy - h/2 - 14) * 10, w * 10, h * 10).
constexpr int kInput = 64;
constexpr int kRowInputDependent = 6;

std::vector<TinyRow> LandscapeRows() {
  return {
      // 0: vehicle 0.9 x 0.8 = 0.72 -> frame [220, 130, 200, 100]
      {32, 32, 20, 10, 0.9f, {0.1f, 0.8f, 0.05f}},
      // 1: person 0.95 x 0.9 = 0.855 -> frame [60, 80, 80, 160]
      {10, 30, 8, 16, 0.95f, {0.9f, 0.05f, 0.0f}},
      // 2: person 0.5 x 0.7 = 0.35, under the 0.4 threshold
      {50, 40, 6, 6, 0.5f, {0.7f, 0.0f, 0.0f}},
      // 3: the same person one pixel right, weaker (0.68): removed by NMS
      {11, 30, 8, 16, 0.8f, {0.85f, 0.0f, 0.0f}},
      // 4: model class 2, which the class map drops
      {40, 25, 10, 10, 0.99f, {0.0f, 0.0f, 0.99f}},
      // 5: a vehicle on top of the person (0.6): other class, kept
      {10, 30, 8, 16, 0.75f, {0.0f, 0.8f, 0.0f}},
      // 6: person whose objectness is the mean red of the network input
      {56, 20, 4, 4, 0.0f, {1.0f, 0.0f, 0.0f}},
      // 7, 8: empty rows. Nine rows keep both layouts' shapes unambiguous
      // ([1 x 9 x 8] is no yolov8 [1 x 7 x N], [1 x 7 x 9] no yolov5).
      {0, 0, 0, 0, 0.0f, {0.0f, 0.0f, 0.0f}},
      {0, 0, 0, 0, 0.0f, {0.0f, 0.0f, 0.0f}},
  };
}

TinyModelSpec LandscapeSpec(bool yolov8) {
  TinyModelSpec spec;
  spec.input_size = kInput;
  spec.yolov8_layout = yolov8;
  spec.num_classes = 3;
  spec.rows = LandscapeRows();
  // Column 4 is objectness in yolov5 and the person score in yolov8: either
  // way row 6's confidence is the picture's mean red.
  spec.input_dependent_cells = {{kRowInputDependent, 4}};
  if (yolov8) spec.rows[kRowInputDependent].class_scores = {0.0f, 0.0f, 0.0f};
  return spec;
}

void ExpectBox(const Detection& d, const std::string& cls, double conf, cv::Rect2d box,
               int model_class) {
  EXPECT_EQ(d.cls, cls);
  EXPECT_NEAR(d.confidence, conf, 1e-5);
  EXPECT_NEAR(d.box.x, box.x, 1e-3);
  EXPECT_NEAR(d.box.y, box.y, 1e-3);
  EXPECT_NEAR(d.box.width, box.width, 1e-3);
  EXPECT_NEAR(d.box.height, box.height, 1e-3);
  EXPECT_EQ(d.model_class, model_class);
}

TEST_F(DnnDetectorTest, OpenCvLoadsTheHandWrittenModel) {
  const std::string path = WriteModel("tiny.onnx", LandscapeSpec(false));
  cv::dnn::Net net = cv::dnn::readNetFromONNX(path);
  ASSERT_FALSE(net.empty());
  net.setInput(cv::Mat(std::vector<int>{1, 3, kInput, kInput}, CV_32F, cv::Scalar(0.5)));
  cv::Mat out = net.forward();
  ASSERT_EQ(out.dims, 3);
  EXPECT_EQ(out.size[1], 9);                       // N rows
  EXPECT_EQ(out.size[2], 8);                       // 5 + C
  EXPECT_FLOAT_EQ(out.at<float>(0, 0, 0), 32.0f);  // row 0 cx
  EXPECT_FLOAT_EQ(out.at<float>(0, kRowInputDependent, 4),
                  0.5f);  // = mean of channel 0
}

TEST_F(DnnDetectorTest, DecodesYoloV5BoxesBackToANonSquareFrame) {
  Result<std::unique_ptr<DnnDetector>> d =
      DnnDetector::Load(Options(WriteModel("v5.onnx", LandscapeSpec(false))));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->layout(), YoloLayout::kYoloV5);
  EXPECT_EQ((*d)->input_size(), cv::Size(kInput, kInput));  // from the model
  EXPECT_EQ((*d)->num_classes(), 3);
  EXPECT_EQ((*d)->num_candidates(), 9);

  Result<std::vector<Detection>> dets =
      (*d)->Detect(cv::Mat(360, 640, CV_8UC3, cv::Scalar::all(0)));
  ASSERT_TRUE(dets.ok()) << dets.status().ToString();
  ASSERT_EQ(dets->size(), 3u);
  ExpectBox((*dets)[0], "person", 0.855, {60, 80, 80, 160}, 0);
  ExpectBox((*dets)[1], "vehicle", 0.72, {220, 130, 200, 100}, 1);
  ExpectBox((*dets)[2], "vehicle", 0.6, {60, 80, 80, 160}, 1);
}

TEST_F(DnnDetectorTest, DecodesYoloV8TransposedLayout) {
  Result<std::unique_ptr<DnnDetector>> d =
      DnnDetector::Load(Options(WriteModel("v8.onnx", LandscapeSpec(true))));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->layout(), YoloLayout::kYoloV8);
  EXPECT_EQ((*d)->num_candidates(), 9);
  Result<std::vector<Detection>> dets =
      (*d)->Detect(cv::Mat(360, 640, CV_8UC3, cv::Scalar::all(0)));
  ASSERT_TRUE(dets.ok()) << dets.status().ToString();
  // Row 2 is a 0.7 person without objectness: above the threshold now.
  ASSERT_EQ(dets->size(), 4u);
  ExpectBox((*dets)[0], "person", 0.9, {60, 80, 80, 160}, 0);
  int vehicles = 0;
  bool row2 = false;
  for (const Detection& det : *dets) {
    vehicles += det.cls == "vehicle";
    if (det.cls == "person" && std::abs(det.confidence - 0.7) < 1e-5) {
      row2 = true;
      ExpectBox(det, "person", 0.7, {470, 230, 60, 60}, 0);
    }
  }
  EXPECT_EQ(vehicles, 2);
  EXPECT_TRUE(row2);
}

TEST_F(DnnDetectorTest, PortraitFrameIsPaddedLeftAndRight) {
  // 360x640 portrait: scale 0.1, resized 36x64, 14 px padding left and right.
  TinyModelSpec spec = LandscapeSpec(false);
  spec.rows = {{32, 32, 20, 10, 0.9f, {0.1f, 0.8f, 0.05f}}};
  spec.input_dependent_cells.clear();
  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(Options(WriteModel("p.onnx", spec)));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  Result<std::vector<Detection>> dets = (*d)->Detect(cv::Mat(640, 360, CV_8UC1, cv::Scalar(0)));
  ASSERT_TRUE(dets.ok()) << dets.status().ToString();
  ASSERT_EQ(dets->size(), 1u);
  ExpectBox((*dets)[0], "vehicle", 0.72, {(32 - 10 - 14) * 10.0, (32 - 5) * 10.0, 200, 100}, 1);
}

TEST_F(DnnDetectorTest, OutputDependsOnThePictureInRgbOrder) {
  Result<std::unique_ptr<DnnDetector>> d =
      DnnDetector::Load(Options(WriteModel("v5.onnx", LandscapeSpec(false))));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  // Row 6's objectness is the mean of the network's first channel. YOLO takes
  // RGB, so a red frame raises it and a blue one does not. Padding is 114
  // grey on 28 of 64 rows: 114/255 * 28/64 = 0.1956 from the padding.
  const double pad = 114.0 / 255.0 * 28.0 / 64.0;
  Result<std::vector<Detection>> blue =
      (*d)->Detect(cv::Mat(360, 640, CV_8UC3, cv::Scalar(255, 0, 0)));
  ASSERT_TRUE(blue.ok());
  EXPECT_EQ(blue->size(), 3u);
  Result<std::vector<Detection>> red =
      (*d)->Detect(cv::Mat(360, 640, CV_8UC3, cv::Scalar(0, 0, 255)));
  ASSERT_TRUE(red.ok());
  ASSERT_EQ(red->size(), 4u);
  const Detection& lit = (*red)[1];  // 0.758 ranks after the 0.855 person
  ExpectBox(lit, "person", 36.0 / 64.0 + pad, {540, 40, 40, 40}, 0);
}

TEST_F(DnnDetectorTest, GreyFrameGivesTheSameAsBgr) {
  Result<std::unique_ptr<DnnDetector>> d =
      DnnDetector::Load(Options(WriteModel("v5.onnx", LandscapeSpec(false))));
  ASSERT_TRUE(d.ok());
  Result<std::vector<Detection>> grey = (*d)->Detect(cv::Mat(360, 640, CV_8UC1, cv::Scalar(200)));
  Result<std::vector<Detection>> bgr =
      (*d)->Detect(cv::Mat(360, 640, CV_8UC3, cv::Scalar::all(200)));
  ASSERT_TRUE(grey.ok() && bgr.ok());
  ASSERT_EQ(grey->size(), bgr->size());
  ASSERT_EQ(grey->size(),
            4u);  // row 6 lit: (200 * 36 + 114 * 28) / 64 / 255 = 0.637
  for (size_t i = 0; i < grey->size(); ++i) {
    EXPECT_EQ((*grey)[i].cls, (*bgr)[i].cls);
    EXPECT_NEAR((*grey)[i].confidence, (*bgr)[i].confidence, 1e-6);
  }
}

TEST_F(DnnDetectorTest, BoxesAreClippedToTheFrame) {
  TinyModelSpec spec = LandscapeSpec(false);
  // Centre near the top-left corner of the picture; half of it is in the
  // padding.
  spec.rows = {{2, 16, 8, 8, 0.9f, {0.9f, 0.0f, 0.0f}}};
  spec.input_dependent_cells.clear();
  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(Options(WriteModel("c.onnx", spec)));
  ASSERT_TRUE(d.ok());
  Result<std::vector<Detection>> dets =
      (*d)->Detect(cv::Mat(360, 640, CV_8UC3, cv::Scalar::all(0)));
  ASSERT_TRUE(dets.ok());
  ASSERT_EQ(dets->size(), 1u);
  // Unclipped: x -20..60, y -20..60.
  ExpectBox((*dets)[0], "person", 0.81, {0, 0, 60, 60}, 0);
}

TEST_F(DnnDetectorTest, ThresholdAndNmsAreOptions) {
  DnnOptions o = Options(WriteModel("v5.onnx", LandscapeSpec(false)));
  o.conf_threshold = 0.3;  // admits row 2 (0.35)
  o.nms_iou = 0.99;        // keeps row 3 (IoU with row 1 is 0.78)
  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(o);
  ASSERT_TRUE(d.ok());
  Result<std::vector<Detection>> dets =
      (*d)->Detect(cv::Mat(360, 640, CV_8UC3, cv::Scalar::all(0)));
  ASSERT_TRUE(dets.ok());
  EXPECT_EQ(dets->size(), 5u);
}

TEST_F(DnnDetectorTest, ExplicitInputSizeOverridesTheModel) {
  DnnOptions o = Options(WriteModel("v5.onnx", LandscapeSpec(false)));
  o.input_size = cv::Size(32, 32);  // this net pools globally, so any size runs
  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(o);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->input_size(), cv::Size(32, 32));
  Result<std::vector<Detection>> dets =
      (*d)->Detect(cv::Mat(360, 640, CV_8UC3, cv::Scalar::all(0)));
  ASSERT_TRUE(dets.ok());
  // Scale 0.05, resized 32x18, pad_y 7: row 1 -> [120, 300, 160, 320],
  // clipped at the frame's bottom to a height of 60.
  ASSERT_FALSE(dets->empty());
  ExpectBox((*dets)[0], "person", 0.855, {120, 300, 160, 60}, 0);
}

TEST_F(DnnDetectorTest, DynamicInputFallsBackTo640) {
  TinyModelSpec spec = LandscapeSpec(false);
  spec.dynamic_input = true;
  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(Options(WriteModel("dyn.onnx", spec)));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->input_size(), cv::Size(kDefaultInputSidePx, kDefaultInputSidePx));
}

TEST_F(DnnDetectorTest, MissingFileIsNotFoundNamingThePath) {
  const std::string path = (dir_ / "nope.onnx").string();
  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(Options(path));
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.status().IsNotFound());
  EXPECT_NE(d.status().message().find(path), std::string::npos) << d.status().message();
}

TEST_F(DnnDetectorTest, CorruptFilesAreCorruptionNamingThePath) {
  const std::string text = Write("text.onnx", "<html>404 not found</html>\n");
  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(Options(text));
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.status().IsCorruption()) << d.status().ToString();
  EXPECT_NE(d.status().message().find(text), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find("not an ONNX model"), std::string::npos);

  const std::string bytes = testing::TinyYoloModel(LandscapeSpec(false));
  const std::string cut = Write("cut.onnx", bytes.substr(0, bytes.size() - 40));
  d = DnnDetector::Load(Options(cut));
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.status().IsCorruption()) << d.status().ToString();
  EXPECT_NE(d.status().message().find(cut), std::string::npos);

  // Well-formed ONNX that OpenCV cannot import: an operator it does not know.
  testing::Pb graph;
  graph.Msg(1, testing::Node("NoSuchOperator", {"images"}, "output0"));
  graph.Msg(11, testing::ValueInfo("images", {1, 3, 8, 8}));
  graph.Msg(12, testing::ValueInfo("output0", {1, 3, 8, 8}));
  testing::Pb model;
  model.Varint(1, 7).Msg(7, graph).Msg(8, testing::Pb().Bytes(1, "").Varint(2, 12));
  const std::string unknown_op = Write("op.onnx", model.str());
  d = DnnDetector::Load(Options(unknown_op));
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.status().IsCorruption()) << d.status().ToString();
  EXPECT_NE(d.status().message().find("OpenCV cannot import it"), std::string::npos)
      << d.status().message();
}

TEST_F(DnnDetectorTest, UndecodableOutputShapeNamesFileAndShape) {
  TinyModelSpec spec = LandscapeSpec(false);
  spec.reshape_to = {1, 72};  // 9 rows x 8 values, flattened
  const std::string flat = WriteModel("flat.onnx", spec);
  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(Options(flat));
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.status().IsInvalidArgument());
  EXPECT_NE(d.status().message().find(flat), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find("[1 x 72]"), std::string::npos) << d.status().message();

  // Right rank, but the COCO map's 80 classes do not fit a 3-class output.
  DnnOptions coco = Options(WriteModel("v5.onnx", LandscapeSpec(false)));
  coco.class_map = CocoClassMap();
  d = DnnDetector::Load(coco);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("[1 x 9 x 8]"), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find("80-class"), std::string::npos) << d.status().message();

  // A forced layout that does not fit.
  DnnOptions forced = Options(WriteModel("v5b.onnx", LandscapeSpec(false)));
  forced.layout = YoloLayout::kYoloV8;
  d = DnnDetector::Load(forced);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("as yolov8"), std::string::npos) << d.status().message();
}

TEST_F(DnnDetectorTest, AmbiguousShapeNeedsAnExplicitLayout) {
  // yolov8 with C = 3 and N = 8 gives [1 x 7 x 8], which is also yolov5's
  // [1 x N=7 x 5+3].
  TinyModelSpec spec = LandscapeSpec(true);
  spec.rows.resize(7);
  spec.rows.push_back({20, 20, 4, 4, 0.0f, {0.0f, 0.95f, 0.0f}});
  const std::string path = WriteModel("amb.onnx", spec);
  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(Options(path));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("fits both"), std::string::npos) << d.status().message();

  DnnOptions o = Options(path);
  o.layout = YoloLayout::kYoloV8;
  d = DnnDetector::Load(o);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->num_candidates(), 8);
  Result<std::vector<Detection>> dets =
      (*d)->Detect(cv::Mat(360, 640, CV_8UC3, cv::Scalar::all(0)));
  ASSERT_TRUE(dets.ok());
  ASSERT_FALSE(dets->empty());
  ExpectBox((*dets)[0], "vehicle", 0.95, {180, 40, 40, 40}, 1);
}

TEST_F(DnnDetectorTest, BadOptionsAndFramesAreInvalidArgument) {
  const std::string path = WriteModel("v5.onnx", LandscapeSpec(false));
  DnnOptions o = Options(path);
  o.conf_threshold = 0;
  EXPECT_TRUE(DnnDetector::Load(o).status().IsInvalidArgument());
  o = Options(path);
  o.nms_iou = 1.5;
  EXPECT_TRUE(DnnDetector::Load(o).status().IsInvalidArgument());
  o = Options(path);
  o.class_map = {"person", "car", ""};
  Result<std::unique_ptr<DnnDetector>> bad_map = DnnDetector::Load(o);
  ASSERT_FALSE(bad_map.ok());
  EXPECT_NE(bad_map.status().message().find("entry 1 is 'car'"), std::string::npos)
      << bad_map.status().message();

  Result<std::unique_ptr<DnnDetector>> d = DnnDetector::Load(Options(path));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE((*d)->Detect(cv::Mat()).status().IsInvalidArgument());
  EXPECT_TRUE((*d)->Detect(cv::Mat(10, 10, CV_16UC1, cv::Scalar(0))).status().IsInvalidArgument());
  EXPECT_TRUE((*d)->Detect(cv::Mat(10, 10, CV_8UC2, cv::Scalar(0))).status().IsInvalidArgument());
}

TEST(LetterboxTest, KeepsAspectAndCentres) {
  Letterbox lb = ComputeLetterbox(cv::Size(1280, 720), cv::Size(640, 640));
  EXPECT_EQ(lb.resized, cv::Size(640, 360));
  EXPECT_EQ(lb.pad_x, 0);
  EXPECT_EQ(lb.pad_y, 140);
  EXPECT_DOUBLE_EQ(lb.scale_x, 0.5);
  EXPECT_DOUBLE_EQ(lb.scale_y, 0.5);

  lb = ComputeLetterbox(cv::Size(100, 400), cv::Size(640, 640));  // upscaled, padded sideways
  EXPECT_EQ(lb.resized, cv::Size(160, 640));
  EXPECT_EQ(lb.pad_x, 240);
  EXPECT_EQ(lb.pad_y, 0);
  EXPECT_DOUBLE_EQ(lb.scale_x, 1.6);
}

TEST(LayoutTest, NamesRoundTrip) {
  for (YoloLayout l : {YoloLayout::kAuto, YoloLayout::kYoloV5, YoloLayout::kYoloV8}) {
    Result<YoloLayout> parsed = ParseLayout(LayoutName(l));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, l);
  }
  EXPECT_TRUE(ParseLayout("yolov7").status().IsInvalidArgument());
}

TEST(ClassMapTest, CocoDefaults) {
  const std::vector<std::string> coco = CocoClassMap();
  ASSERT_EQ(coco.size(), 80u);
  EXPECT_EQ(coco[0], "person");
  for (int id : {1, 2, 3, 5, 7}) EXPECT_EQ(coco[id], "vehicle") << id;
  EXPECT_EQ(coco[4], "");  // airplane
  EXPECT_EQ(coco[6], "");  // train
  EXPECT_EQ(coco[8], "boat");
  for (int id = 14; id <= 23; ++id) EXPECT_EQ(coco[id], "animal") << id;
  EXPECT_EQ(coco[24], "");  // backpack
  EXPECT_TRUE(ValidateClassMap(coco).ok());
  EXPECT_FALSE(ValidateClassMap({}).ok());
}

}  // namespace
}  // namespace watchline::detect
