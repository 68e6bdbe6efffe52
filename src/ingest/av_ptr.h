// Owning smart pointers for FFmpeg contexts, and FFmpeg error text.
//
// FFmpeg's free functions take `T**` and null the pointer; these deleters wrap
// them once so that no other file calls *_free by hand. An input
// AVFormatContext is closed with avformat_close_input (never
// avformat_free_context): that also closes its AVIOContext.
//
// Note on avformat_open_input: on failure it frees the context it was given
// and nulls the pointer, so open with a raw pointer and wrap it only after
// success (see FfmpegSource::Open).
//
// Thread safety: the pointers are plain unique_ptrs; FFmpeg contexts must not
// be used from two threads at once.
#pragma once

#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

namespace watchline::ingest {

struct AvInputFormatContextDeleter {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct AvCodecContextDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct AvFrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct AvPacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsContextDeleter {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};

// An AVFormatContext opened with avformat_open_input.
using AvInputFormatContextPtr = std::unique_ptr<AVFormatContext, AvInputFormatContextDeleter>;
using AvCodecContextPtr = std::unique_ptr<AVCodecContext, AvCodecContextDeleter>;
using AvFramePtr = std::unique_ptr<AVFrame, AvFrameDeleter>;
using AvPacketPtr = std::unique_ptr<AVPacket, AvPacketDeleter>;
using SwsContextPtr = std::unique_ptr<SwsContext, SwsContextDeleter>;

// FFmpeg's text for an AVERROR code ("Invalid data found when processing input").
inline std::string AvErrorText(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  if (av_strerror(err, buf, sizeof buf) < 0) return "FFmpeg error " + std::to_string(err);
  return buf;
}

}  // namespace watchline::ingest
