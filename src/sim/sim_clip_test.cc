#include "sim/sim_clip.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <sstream>

#include "events/event.h"
#include "sim/av_write.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace watchline::sim {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Lines(const fs::path& p) {
  std::ifstream f(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(f, line);) out.push_back(line);
  return out;
}

struct Decoded {
  std::string codec;
  int width = 0, height = 0;
  AVPixelFormat pix_fmt = AV_PIX_FMT_NONE;
  int frames = 0;
  int keyframes = 0;
  cv::Mat first_bgr;
};

// Decodes a whole file with libavformat/libavcodec (a reader independent of the writer).
Decoded Decode(const std::string& path) {
  Decoded d;
  AVFormatContext* fmt = nullptr;
  if (avformat_open_input(&fmt, path.c_str(), nullptr, nullptr) < 0) return d;
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> fmt_guard(
      fmt, [](AVFormatContext* c) { avformat_close_input(&c); });
  if (avformat_find_stream_info(fmt, nullptr) < 0) return d;
  int vs = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (vs < 0) return d;
  const AVCodecParameters* par = fmt->streams[vs]->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  d.codec = avcodec_get_name(par->codec_id);
  d.width = par->width;
  d.height = par->height;
  d.pix_fmt = static_cast<AVPixelFormat>(par->format);
  av::CodecContextPtr dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), par);
  if (avcodec_open2(dec.get(), codec, nullptr) < 0) return d;
  av::PacketPtr pkt(av_packet_alloc());
  av::FramePtr frame(av_frame_alloc());
  auto drain = [&]() {
    while (avcodec_receive_frame(dec.get(), frame.get()) == 0) {
      if (d.frames == 0) {
        d.first_bgr.create(frame->height, frame->width, CV_8UC3);
        av::SwsPtr sws(sws_getContext(frame->width, frame->height, static_cast<AVPixelFormat>(frame->format),
                                      frame->width, frame->height, AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr,
                                      nullptr, nullptr));
        uint8_t* dst[1] = {d.first_bgr.data};
        int stride[1] = {static_cast<int>(d.first_bgr.step[0])};
        sws_scale(sws.get(), frame->data, frame->linesize, 0, frame->height, dst, stride);
      }
      ++d.frames;
    }
  };
  while (av_read_frame(fmt, pkt.get()) >= 0) {
    if (pkt->stream_index == vs) {
      d.keyframes += (pkt->flags & AV_PKT_FLAG_KEY) != 0;
      avcodec_send_packet(dec.get(), pkt.get());
      drain();
    }
    av_packet_unref(pkt.get());
  }
  avcodec_send_packet(dec.get(), nullptr);
  drain();
  return d;
}

class SimClipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) / ("sim_clip_" + std::to_string(::getpid()) + "_" +
                                           testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(SimClipTest, WritesDecodableClipAndGroundTruth) {
  SimOptions o;
  o.seed = 11;
  o.duration_s = 8;
  o.width = 320;
  o.height = 180;
  o.people = 2;
  o.vehicles = 0;
  std::vector<double> progress;
  ASSERT_TRUE(WriteSimClip(o, dir_.string(), [&](double f) { progress.push_back(f); }).ok());

  // The video: H.264, yuv420p, every frame there, keyframes about every 2 s.
  Decoded d = Decode((dir_ / "clip.mp4").string());
  EXPECT_EQ(d.codec, "h264");
  EXPECT_EQ(d.pix_fmt, AV_PIX_FMT_YUV420P);
  EXPECT_EQ(d.width, 320);
  EXPECT_EQ(d.height, 180);
  EXPECT_EQ(d.frames, 200);
  EXPECT_GE(d.keyframes, 4);
  EXPECT_LE(d.keyframes, 5);
  // What was decoded is what was rendered (lossy, but close).
  Scene scene = Scene::Generate(o);
  cv::Mat rendered;
  scene.Render(0, &rendered);
  ASSERT_FALSE(d.first_bgr.empty());
  EXPECT_GT(cv::PSNR(rendered, d.first_bgr), 30.0);

  // gt.txt: one MOT row per visible object per frame.
  size_t expected_rows = 0;
  for (int64_t k = 0; k < scene.FrameCount(); ++k) expected_rows += scene.BoxesAt(k / o.fps).size();
  auto gt = Lines(dir_ / "gt.txt");
  EXPECT_GT(expected_rows, 0u);
  EXPECT_EQ(gt.size(), expected_rows);
  ASSERT_FALSE(gt.empty());
  int frame = 0, id = 0;
  double x, y, w, h;
  ASSERT_EQ(std::sscanf(gt[0].c_str(), "%d,%d,%lf,%lf,%lf,%lf,1,-1,-1,-1", &frame, &id, &x, &y, &w, &h), 6)
      << gt[0];
  auto first_boxes = scene.BoxesAt((frame - 1) / o.fps);
  ASSERT_FALSE(first_boxes.empty());
  EXPECT_EQ(id, first_boxes[0].id);
  EXPECT_NEAR(x, first_boxes[0].x, 0.006);
  EXPECT_NEAR(h, first_boxes[0].h, 0.006);

  // events.jsonl: the contract JSON, sorted by t.
  auto ev = Lines(dir_ / "events.jsonl");
  auto truth = scene.GroundTruthEvents();
  ASSERT_EQ(ev.size(), truth.size());
  ASSERT_GE(ev.size(), 2u) << "two people cross";
  double last_t = -1;
  for (size_t i = 0; i < ev.size(); ++i) {
    auto e = events::FromJson(nlohmann::json::parse(ev[i]));
    ASSERT_TRUE(e.ok()) << ev[i];
    EXPECT_EQ(e->type, truth[i].type);
    EXPECT_EQ(e->camera, "c1");
    EXPECT_GE(e->t, last_t);
    last_t = e->t;
  }

  // config.yaml: the schema's keys, with this clip's camera, line and zone.
  YAML::Node cfg = YAML::LoadFile((dir_ / "config.yaml").string());
  EXPECT_EQ(cfg["site"]["name"].as<std::string>(), "sim");
  EXPECT_EQ(cfg["site"]["data_dir"].as<std::string>(), "./var");
  ASSERT_EQ(cfg["cameras"].size(), 1u);
  YAML::Node cam = cfg["cameras"][0];
  EXPECT_EQ(cam["id"].as<std::string>(), "c1");
  EXPECT_EQ(cam["source"].as<std::string>(), "clip.mp4");
  EXPECT_EQ(cam["analysis"]["width"].as<int>(), 320);
  EXPECT_EQ(cam["analysis"]["fps"].as<double>(), 10);
  EXPECT_EQ(cam["lines"][0]["id"].as<std::string>(), "border");
  EXPECT_DOUBLE_EQ(cam["lines"][0]["points"][1][1].as<double>(), 0.55);
  EXPECT_EQ(cam["lines"][0]["classes"][0].as<std::string>(), "person");
  EXPECT_EQ(cam["zones"][0]["id"].as<std::string>(), "yard");
  EXPECT_EQ(cam["zones"][0]["polygon"].size(), 4u);
  for (const auto& kv : cam) {
    std::string key = kv.first.as<std::string>();
    EXPECT_TRUE(key == "id" || key == "source" || key == "analysis" || key == "lines" || key == "zones")
        << key;
  }

  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
}

TEST_F(SimClipTest, OddSizeIsBadInput) {
  SimOptions o;
  o.width = 321;
  o.duration_s = 1;
  Status s = WriteSimClip(o, dir_.string());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("clip.mp4"), std::string::npos) << s.message();
}

TEST_F(SimClipTest, UnwritableFolderNamesThePath) {
  SimOptions o;
  o.duration_s = 1;
  Status s = WriteSimClip(o, "/proc/watchline_sim_cannot_be_here");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/proc/watchline_sim_cannot_be_here"), std::string::npos) << s.message();
}

TEST(SimConfigYaml, QuotesOddStrings) {
  SimOptions o;
  o.camera_id = "cam 1: east";
  o.zone.polygon.clear();
  YAML::Node cfg = YAML::Load(SimConfigYaml(o, "my clip.mp4", 640));
  EXPECT_EQ(cfg["cameras"][0]["id"].as<std::string>(), "cam 1: east");
  EXPECT_EQ(cfg["cameras"][0]["source"].as<std::string>(), "my clip.mp4");
  EXPECT_FALSE(cfg["cameras"][0]["zones"]);
}

}  // namespace
}  // namespace watchline::sim
