// Mp4Encoder: writes BGR frames to an H.264 (libx264, yuv420p) MP4 file with
// FFmpeg's libavformat and libavcodec.
//
// Frames are timed by their index at a constant frame rate (pts = index in a
// 1/fps time base). Finish() drains the encoder and writes the trailer; a file
// whose encoder is destroyed without Finish() is left incomplete.
// Thread safety: not thread safe; one thread owns an encoder.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "base/status.h"
#include "sim/av_write.h"

namespace watchline::sim {

struct EncoderOptions {
  double gop_s = 2.0;               // seconds between keyframes
  int crf = 23;                     // x264 constant rate factor (quality)
  std::string preset = "veryfast";  // x264 speed/quality preset
  int threads = 0;                  // encoder threads; 0 = FFmpeg chooses
};

class Mp4Encoder {
 public:
  // Creates `path` for width x height (both even) frames at `fps`. Errors name the path.
  static Result<std::unique_ptr<Mp4Encoder>> Open(const std::string& path, int width, int height, double fps,
                                                  const EncoderOptions& opts = {});
  ~Mp4Encoder() = default;
  Mp4Encoder(const Mp4Encoder&) = delete;
  Mp4Encoder& operator=(const Mp4Encoder&) = delete;

  // Encodes the next frame (CV_8UC3 BGR, the size given to Open).
  Status Write(const cv::Mat& bgr);
  // Flushes delayed frames and writes the MP4 trailer. Call once, at the end.
  Status Finish();

  int64_t frames_written() const { return next_pts_; }

 private:
  Mp4Encoder() = default;
  // Sends `frame` (null = flush) and writes every packet the encoder has ready.
  Status Encode(AVFrame* frame);

  std::string path_;
  int width_ = 0, height_ = 0;
  av::OutputFormatPtr fmt_;
  av::CodecContextPtr enc_;
  av::FramePtr frame_;
  av::PacketPtr pkt_;
  av::SwsPtr sws_;
  AVStream* stream_ = nullptr;  // owned by fmt_
  int64_t next_pts_ = 0;
  bool finished_ = false;
};

}  // namespace watchline::sim
