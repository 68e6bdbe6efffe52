#include "sim/encoder.h"

#include <cmath>

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
}

namespace watchline::sim {

namespace {
Status AvError(const std::string& path, const std::string& what, int err) {
  return Status::IOError("writing " + path + ": " + what + ": " + av::ErrorText(err));
}
}  // namespace

Result<std::unique_ptr<Mp4Encoder>> Mp4Encoder::Open(const std::string& path, int width, int height,
                                                     double fps, const EncoderOptions& opts) {
  if (width <= 0 || height <= 0 || width % 2 || height % 2)
    return Status::InvalidArgument("writing " + path + ": yuv420p needs an even frame size, got " +
                                   std::to_string(width) + "x" + std::to_string(height));
  if (!(fps > 0)) return Status::InvalidArgument("writing " + path + ": fps must be > 0");
  std::unique_ptr<Mp4Encoder> e(new Mp4Encoder());
  e->path_ = path;
  e->width_ = width;
  e->height_ = height;

  AVFormatContext* raw_fmt = nullptr;
  int err = avformat_alloc_output_context2(&raw_fmt, nullptr, "mp4", path.c_str());
  if (err < 0 || !raw_fmt) return AvError(path, "creating the mp4 muxer", err);
  e->fmt_.reset(raw_fmt);

  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) return Status::Internal("writing " + path + ": this FFmpeg has no libx264 encoder");
  e->enc_.reset(avcodec_alloc_context3(codec));
  if (!e->enc_) return Status::Internal("writing " + path + ": out of memory for the encoder");
  AVCodecContext* c = e->enc_.get();
  const AVRational rate = av_d2q(fps, 100000);
  c->width = width;
  c->height = height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->time_base = av_inv_q(rate);
  c->framerate = rate;
  c->gop_size = std::max(1, static_cast<int>(std::lround(opts.gop_s * fps)));
  c->thread_count = opts.threads;
  if (e->fmt_->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  c->color_range = AVCOL_RANGE_MPEG;  // what sws_scale produces by default (BT.601, limited range)
  c->colorspace = AVCOL_SPC_SMPTE170M;

  av::Dict dict;
  av_dict_set(&dict.d, "preset", opts.preset.c_str(), 0);
  av_dict_set(&dict.d, "crf", std::to_string(opts.crf).c_str(), 0);
  // x264 prints its settings and statistics at info level; keep warnings only.
  av_dict_set(&dict.d, "x264-params", "log=1", 0);
  err = avcodec_open2(c, codec, &dict.d);
  if (err < 0) return AvError(path, "opening libx264", err);

  e->stream_ = avformat_new_stream(e->fmt_.get(), nullptr);
  if (!e->stream_) return Status::Internal("writing " + path + ": cannot add a stream");
  e->stream_->time_base = c->time_base;
  e->stream_->avg_frame_rate = rate;
  err = avcodec_parameters_from_context(e->stream_->codecpar, c);
  if (err < 0) return AvError(path, "copying codec parameters", err);

  err = avio_open(&e->fmt_->pb, path.c_str(), AVIO_FLAG_WRITE);
  if (err < 0) return AvError(path, "opening the file", err);
  err = avformat_write_header(e->fmt_.get(), nullptr);
  if (err < 0) return AvError(path, "writing the mp4 header", err);

  e->frame_.reset(av_frame_alloc());
  e->pkt_.reset(av_packet_alloc());
  if (!e->frame_ || !e->pkt_) return Status::Internal("writing " + path + ": out of memory");
  e->frame_->format = AV_PIX_FMT_YUV420P;
  e->frame_->width = width;
  e->frame_->height = height;
  err = av_frame_get_buffer(e->frame_.get(), 0);
  if (err < 0) return AvError(path, "allocating a frame", err);
  e->sws_.reset(sws_getContext(width, height, AV_PIX_FMT_BGR24, width, height, AV_PIX_FMT_YUV420P,
                               SWS_BILINEAR, nullptr, nullptr, nullptr));
  if (!e->sws_) return Status::Internal("writing " + path + ": cannot create the BGR->YUV converter");
  return e;
}

Status Mp4Encoder::Write(const cv::Mat& bgr) {
  if (finished_) return Status::Internal("writing " + path_ + ": Write after Finish");
  if (bgr.type() != CV_8UC3 || bgr.cols != width_ || bgr.rows != height_)
    return Status::InvalidArgument("writing " + path_ + ": frame must be " + std::to_string(width_) + "x" +
                                   std::to_string(height_) + " BGR");
  // The encoder may still reference the previous buffer.
  int err = av_frame_make_writable(frame_.get());
  if (err < 0) return AvError(path_, "making the frame writable", err);
  const uint8_t* src[1] = {bgr.data};
  const int src_stride[1] = {static_cast<int>(bgr.step[0])};
  sws_scale(sws_.get(), src, src_stride, 0, height_, frame_->data, frame_->linesize);
  frame_->pts = next_pts_++;
  return Encode(frame_.get());
}

Status Mp4Encoder::Encode(AVFrame* frame) {
  int err = avcodec_send_frame(enc_.get(), frame);
  if (err < 0) return AvError(path_, "sending a frame to libx264", err);
  for (;;) {
    err = avcodec_receive_packet(enc_.get(), pkt_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::Ok();
    if (err < 0) return AvError(path_, "encoding", err);
    av_packet_rescale_ts(pkt_.get(), enc_->time_base, stream_->time_base);
    pkt_->stream_index = stream_->index;
    // Takes the packet's reference (and leaves pkt_ blank) on success and failure.
    err = av_interleaved_write_frame(fmt_.get(), pkt_.get());
    if (err < 0) return AvError(path_, "writing a packet", err);
  }
}

Status Mp4Encoder::Finish() {
  if (finished_) return Status::Ok();
  finished_ = true;
  WL_RETURN_IF_ERROR(Encode(nullptr));
  int err = av_write_trailer(fmt_.get());
  if (err < 0) return AvError(path_, "writing the mp4 trailer", err);
  err = avio_closep(&fmt_->pb);
  if (err < 0) return AvError(path_, "closing the file", err);
  return Status::Ok();
}

}  // namespace watchline::sim
