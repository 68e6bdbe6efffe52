#include "ingest/ffmpeg_source.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "base/log.h"

extern "C" {
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
}

namespace watchline::ingest {
namespace {

// Image sequences: indices probed for the first file when the pattern's
// start is unknown (CDnet starts at 1, FFmpeg's own output at 1, others at 0).
constexpr int kMaxSequenceStartIndex = 9;
// Slack when comparing a frame time with the next analysis slot, seconds:
// absorbs rounding in pts * time_base so that 25 -> 10 fps does not skip a slot.
constexpr double kDecimationSlackS = 1e-3;
// Live sources: media analysed by avformat_find_stream_info, seconds. The
// default (5 s) would hold a camera's start for that long; parameters of an
// H.264/H.265 camera are known after its first keyframe.
constexpr double kLiveAnalyzeDurationS = 1.0;
// Realtime files: if reading falls this far behind the Clock, stop trying to
// catch up (no burst of frames) and re-anchor, seconds.
constexpr double kMaxPaceLagS = 1.0;
// Longest single wait while pacing, so that a ManualClock that moves is noticed.
constexpr double kPacePollS = 0.05;
// Bytes read from a file that FFmpeg could not open, to tell an unknown format
// from a damaged known one.
constexpr size_t kProbeBytes = 1 << 20;
// Consecutive avcodec_receive_frame errors after which a stream is given up.
constexpr int kMaxConsecutiveReceiveErrors = 1000;
// A demuxer answering EAGAIN is retried after this pause, seconds.
constexpr double kAgainPauseS = 0.002;

bool HasScheme(const std::string& s) { return s.find("://") != std::string::npos; }

std::string Scheme(const std::string& s) {
  auto p = s.find("://");
  if (p == std::string::npos) return "";
  std::string scheme = s.substr(0, p);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return scheme;
}

// FFmpeg's file names for index `i` of an image-sequence pattern, or "" when
// the pattern has no %d conversion.
std::string SequenceFileName(const std::string& pattern, int i) {
  std::vector<char> buf(pattern.size() + 64);
  if (av_get_frame_filename2(buf.data(), static_cast<int>(buf.size()), pattern.c_str(), i, 0) < 0)
    return "";
  return buf.data();
}

bool IsImageSequencePattern(const std::string& source) {
  if (HasScheme(source) || source.find('%') == std::string::npos) return false;
  std::error_code ec;
  if (std::filesystem::exists(source, ec)) return false;  // a file with '%' in its name
  return !SequenceFileName(source, 0).empty();
}

bool IsFileSource(const std::string& source) {
  return !HasScheme(source) || Scheme(source) == "file";
}

std::string LocalPath(const std::string& source) {
  if (Scheme(source) == "file") return source.substr(std::string("file://").size());
  return source;
}

void FfmpegLogCallback(void* avcl, int level, const char* fmt, va_list vl) {
  if (level > AV_LOG_WARNING || GetLogLevel() > LogLevel::kDebug) return;
  thread_local int print_prefix = 1;
  char line[1024];
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return;
  LogLine(LogLevel::kDebug, "ffmpeg: " + RedactUrl(text));
}

// Pixel formats whose first plane is 8-bit luma, one byte per pixel: the grey
// picture is a copy (or resize) of that plane.
bool HasPlanarLuma8(AVPixelFormat format) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(format);
  if (d == nullptr || d->nb_components < 1) return false;
  if (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL |
                  AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_BE)) {
    return false;
  }
  const AVComponentDescriptor& y = d->comp[0];
  return y.plane == 0 && y.step == 1 && y.depth == 8 && y.shift == 0 && y.offset == 0;
}

// AVDictionary options for one avformat_open_input call.
class Options {
 public:
  ~Options() { av_dict_free(&dict_); }
  void Set(const char* key, const std::string& value) {
    av_dict_set(&dict_, key, value.c_str(), 0);
  }
  AVDictionary** get() { return &dict_; }

 private:
  AVDictionary* dict_ = nullptr;
};

std::string Micros(double seconds) {
  return std::to_string(static_cast<int64_t>(std::max(0.0, seconds) * 1e6));
}

}  // namespace

void RouteFfmpegLogs() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(&FfmpegLogCallback); });
}

FfmpegSource::FfmpegSource(const config::CameraConfig& camera, Clock* clock, bool want_color)
    : camera_id_(camera.id),
      source_(camera.source),
      source_for_log_(RedactUrl(camera.source)),
      kind_(IsImageSequencePattern(camera.source) ? Kind::kImageSequence
            : IsFileSource(camera.source)         ? Kind::kFile
                                                  : Kind::kLive),
      sequence_fps_(camera.fps),
      analysis_width_(camera.analysis.width),
      analysis_fps_(camera.analysis.fps),
      ingest_(camera.ingest),
      clock_(clock),
      want_color_(want_color),
      origin_(clock->Now()) {
  RouteFfmpegLogs();
}

FfmpegSource::~FfmpegSource() { CloseStream(); }

int FfmpegSource::InterruptCallback(void* opaque) {
  auto* self = static_cast<FfmpegSource*>(opaque);
  if (self->interrupted_.load(std::memory_order_relaxed)) return 1;
  if (self->deadline_set_ && self->clock_->Now() > self->deadline_) {
    self->timed_out_ = true;
    return 1;
  }
  return 0;
}

void FfmpegSource::SetDeadline(double seconds_from_now) {
  current_timeout_s_ = seconds_from_now;
  deadline_ = clock_->Now() + seconds_from_now;
  deadline_set_ = true;
  timed_out_ = false;
}

void FfmpegSource::ClearDeadline() { deadline_set_ = false; }

void FfmpegSource::Interrupt() {
  interrupted_.store(true);
  // Taking the lock orders the flag before a pacing waiter's next check.
  { std::lock_guard<std::mutex> lock(pace_mu_); }
  pace_cv_.notify_all();
}

void FfmpegSource::CloseStream() {
  // A live stream's close sends RTSP TEARDOWN; a passed deadline makes the
  // interrupt callback cut it short instead of waiting on a dead peer.
  SetDeadline(0);
  decoder_.reset();
  format_.reset();
  ClearDeadline();
  gray_sws_.reset();
  bgr_sws_.reset();
  stream_index_ = -1;
}

void FfmpegSource::Close() {
  CloseStream();
  interrupted_.store(false);
}

std::optional<Status> FfmpegSource::InterruptStatus(const std::string& what) const {
  if (interrupted_.load())
    return Status::Unavailable(what + " " + source_for_log_ + ": interrupted");
  if (timed_out_) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", current_timeout_s_);
    return Status::Unavailable(what + " " + source_for_log_ + ": timed out after " + buf + " s");
  }
  return std::nullopt;
}

Status FfmpegSource::FileOpenError(int err) const {
  const std::string path = LocalPath(source_);
  if (err == AVERROR(ENOENT)) return Status::NotFound("no such file: " + path);
  if (err == AVERROR(EACCES)) return Status::IOError(path + ": " + AvErrorText(err));
  if (err == AVERROR_INVALIDDATA && kind_ == Kind::kFile) {
    // FFmpeg says the same for "no demuxer knows this" and "the demuxer
    // could not parse it": probe the first bytes to tell them apart.
    std::vector<uint8_t> buf(kProbeBytes + AVPROBE_PADDING_SIZE, 0);
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(buf.data()), kProbeBytes);
    AVProbeData probe{};
    probe.filename = path.c_str();
    probe.buf = buf.data();
    probe.buf_size = static_cast<int>(in.gcount());
    int score = 0;
    const AVInputFormat* format = av_probe_input_format3(&probe, 1, &score);
    if (format == nullptr || score < AVPROBE_SCORE_RETRY) {
      return Status::InvalidArgument(path + ": unknown format, not a video FFmpeg can read (" +
                                     AvErrorText(err) + ")");
    }
    return Status::Corruption(path + ": unreadable " + format->name +
                              " container: " + AvErrorText(err));
  }
  return Status::Corruption(path + ": " + AvErrorText(err));
}

Status FfmpegSource::OpenError(int err, const std::string& what) const {
  if (auto s = InterruptStatus(what)) return *s;
  if (err == AVERROR_PROTOCOL_NOT_FOUND)
    return Status::InvalidArgument("unsupported protocol: " + source_for_log_);
  if (kind_ == Kind::kLive)
    return Status::Unavailable(what + " " + source_for_log_ + ": " + AvErrorText(err));
  return FileOpenError(err);
}

Status FfmpegSource::Open() {
  CloseStream();
  const AVInputFormat* input_format = nullptr;
  Options options;
  std::string url = source_;

  switch (kind_) {
    case Kind::kFile: {
      std::error_code ec;
      if (!std::filesystem::exists(LocalPath(source_), ec))
        return Status::NotFound("no such file: " + LocalPath(source_));
      break;
    }
    case Kind::kImageSequence: {
      int start = -1;
      std::error_code ec;
      for (int i = 0; i <= kMaxSequenceStartIndex && start < 0; ++i)
        if (std::filesystem::exists(SequenceFileName(source_, i), ec)) start = i;
      if (start < 0) {
        return Status::NotFound("no such file: " + source_ + " (no image for indices 0-" +
                                std::to_string(kMaxSequenceStartIndex) + ")");
      }
      if (!(sequence_fps_ > 0))
        return Status::InvalidArgument(source_ + ": image sequence needs fps > 0");
      input_format = av_find_input_format("image2");
      AVRational rate = av_d2q(sequence_fps_, 1000000);
      options.Set("framerate", std::to_string(rate.num) + "/" + std::to_string(rate.den));
      options.Set("start_number", std::to_string(start));
      break;
    }
    case Kind::kLive: {
      const std::string scheme = Scheme(source_);
      if (scheme == "rtsp" || scheme == "rtsps") {
        options.Set("rtsp_transport", ingest_.rtsp_transport);
        // Socket I/O timeout, microseconds: "timeout" since FFmpeg 5,
        // "stimeout" before it. The interrupt callback enforces it anyway.
#if LIBAVFORMAT_VERSION_MAJOR >= 59
        options.Set("timeout", Micros(ingest_.read_timeout_s));
#else
        options.Set("stimeout", Micros(ingest_.read_timeout_s));
#endif
      } else {
        options.Set("rw_timeout", Micros(ingest_.read_timeout_s));
      }
      break;
    }
  }

  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return Status::Internal("out of memory opening " + source_for_log_);
  raw->interrupt_callback.callback = &FfmpegSource::InterruptCallback;
  raw->interrupt_callback.opaque = this;
  if (kind_ == Kind::kLive)
    raw->max_analyze_duration = static_cast<int64_t>(kLiveAnalyzeDurationS * AV_TIME_BASE);

  SetDeadline(ingest_.open_timeout_s);
  int err = avformat_open_input(&raw, url.c_str(), input_format, options.get());
  if (err < 0) {  // raw was freed by FFmpeg
    ClearDeadline();
    return OpenError(err, "cannot open");
  }
  format_.reset(raw);
  err = avformat_find_stream_info(format_.get(), nullptr);
  ClearDeadline();
  if (err < 0) {
    Status s = OpenError(err, "cannot read stream info from");
    CloseStream();
    return s;
  }

  const AVCodec* codec = nullptr;
  int index = av_find_best_stream(format_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (index == AVERROR_STREAM_NOT_FOUND) {
    CloseStream();
    return Status::InvalidArgument(source_for_log_ + ": no video stream");
  }
  if (index < 0 || codec == nullptr) {
    CloseStream();
    return Status::InvalidArgument(source_for_log_ + ": no decoder for its video codec");
  }
  AVStream* stream = format_->streams[index];
  decoder_.reset(avcodec_alloc_context3(codec));
  if (!decoder_) return Status::Internal("out of memory opening " + source_for_log_);
  err = avcodec_parameters_to_context(decoder_.get(), stream->codecpar);
  if (err >= 0) {
    decoder_->thread_count = 1;  // many cameras per core: parallelism is across cameras
    decoder_->pkt_timebase = stream->time_base;
    // Idle cameras: decode keyframes only (health checks stay alive at a
    // fraction of the decode cost; see ingest.keyframes_only).
    if (ingest_.keyframes_only) decoder_->skip_frame = AVDISCARD_NONKEY;
    err = avcodec_open2(decoder_.get(), codec, nullptr);
  }
  if (err < 0) {
    Status s = Status::Corruption(source_for_log_ + ": cannot open " + codec->name +
                                  " decoder: " + AvErrorText(err));
    CloseStream();
    return s;
  }
  if (!packet_) packet_.reset(av_packet_alloc());
  if (!frame_) frame_.reset(av_frame_alloc());
  if (!packet_ || !frame_) return Status::Internal("out of memory opening " + source_for_log_);

  stream_index_ = index;
  time_base_ = stream->time_base;
  AVRational rate = kind_ == Kind::kImageSequence
                        ? av_d2q(sequence_fps_, 1000000)
                        : av_guess_frame_rate(format_.get(), stream, nullptr);
  if (rate.num > 0 && rate.den > 0) {
    frame_duration_s_ = av_q2d(av_inv_q(rate));
  } else if (sequence_fps_ > 0) {
    frame_duration_s_ = 1.0 / sequence_fps_;
  }

  draining_ = false;
  ended_ = false;
  deferred_error_.reset();
  last_decode_error_ = 0;
  decode_errors_this_open_ = 0;
  frames_this_pass_ = 0;
  if (kind_ != Kind::kLive) {
    // A file opened again starts again: same indices, same media times.
    decoded_index_ = 0;
    loop_index_base_ = 0;
    first_pts_ = AV_NOPTS_VALUE;
    loop_offset_s_ = 0;
    last_t_ = -1;
    last_emit_t_ = 0;
    have_due_ = false;
    have_pace_origin_ = false;
  }
  return Status::Ok();
}

Result<FramePtr> FfmpegSource::Next() {
  if (!format_ || !decoder_)
    return Status::Internal("Next() on a closed source " + source_for_log_);
  if (ended_) return FramePtr();
  int receive_errors = 0;
  while (true) {
    if (interrupted_.load())
      return Status::Unavailable("reading " + source_for_log_ + ": interrupted");
    int err = avcodec_receive_frame(decoder_.get(), frame_.get());
    if (err == 0) {
      receive_errors = 0;
      FramePtr out = TakeDecodedFrame();
      av_frame_unref(frame_.get());
      if (!out) continue;  // decimated away
      if (ingest_.realtime && kind_ != Kind::kLive) WL_RETURN_IF_ERROR(PaceTo(out->t));
      stats_.frames_emitted.fetch_add(1, std::memory_order_relaxed);
      return out;
    }
    if (err == AVERROR_EOF) {
      bool again = false;
      Result<FramePtr> end = AtEndOfStream(&again);
      if (again) continue;
      return end;
    }
    if (err != AVERROR(EAGAIN)) {
      // A picture the decoder could not reconstruct: count it, carry on.
      stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
      ++decode_errors_this_open_;
      last_decode_error_ = err;
      if (++receive_errors > kMaxConsecutiveReceiveErrors) {
        return Status::Corruption(source_for_log_ + ": decoder keeps failing: " + AvErrorText(err));
      }
      if (draining_) continue;
    }
    if (draining_) {
      // EAGAIN after a flush should not happen; treat it as the end.
      bool again = false;
      Result<FramePtr> end = AtEndOfStream(&again);
      if (again) continue;
      return end;
    }
    WL_RETURN_IF_ERROR(FeedDecoder());
  }
}

Status FfmpegSource::FeedDecoder() {
  SetDeadline(ingest_.read_timeout_s);
  int err = av_read_frame(format_.get(), packet_.get());
  ClearDeadline();
  if (err == AVERROR(EAGAIN)) {
    std::this_thread::sleep_for(std::chrono::duration<double>(kAgainPauseS));
    return Status::Ok();
  }
  if (err < 0) {
    if (auto s = InterruptStatus("reading")) return *s;
    if (err != AVERROR_EOF) {
      if (kind_ == Kind::kLive)
        return Status::Unavailable("lost " + source_for_log_ + ": " + AvErrorText(err));
      // A damaged or truncated file: hand out what the decoder still holds,
      // then report the damage.
      deferred_error_ =
          Status::Corruption(LocalPath(source_) + ": read error after " +
                             std::to_string(decoded_index_) + " frames: " + AvErrorText(err));
    }
    avcodec_send_packet(decoder_.get(), nullptr);  // enter draining mode
    draining_ = true;
    return Status::Ok();
  }
  if (packet_->stream_index == stream_index_) {
    err = avcodec_send_packet(decoder_.get(), packet_.get());
    // EAGAIN cannot happen: Next() drains every frame before feeding.
    if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_EOF) {
      stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
      ++decode_errors_this_open_;
      last_decode_error_ = err;
    }
  }
  av_packet_unref(packet_.get());
  return Status::Ok();
}

Result<FramePtr> FfmpegSource::AtEndOfStream(bool* again) {
  *again = false;
  if (frames_this_pass_ == 0 && kind_ != Kind::kLive) {
    ended_ = true;
    std::string why = deferred_error_ ? deferred_error_->message() : LocalPath(source_);
    if (decode_errors_this_open_ > 0) {
      return Status::Corruption(why + ": no decodable video frame (" +
                                std::to_string(decode_errors_this_open_) +
                                " packets rejected: " + AvErrorText(last_decode_error_) + ")");
    }
    return Status::Corruption(why + ": no decodable video frame");
  }
  if (deferred_error_) {
    ended_ = true;
    return *deferred_error_;
  }
  if (ingest_.loop && kind_ != Kind::kLive) {
    AVStream* stream = format_->streams[stream_index_];
    int64_t start = stream->start_time != AV_NOPTS_VALUE ? stream->start_time : 0;
    SetDeadline(ingest_.read_timeout_s);
    int err = av_seek_frame(format_.get(), stream_index_, start, AVSEEK_FLAG_BACKWARD);
    ClearDeadline();
    if (err < 0) {
      ended_ = true;
      return Status::Corruption(LocalPath(source_) + ": cannot seek to loop: " + AvErrorText(err));
    }
    avcodec_flush_buffers(decoder_.get());
    draining_ = false;
    frames_this_pass_ = 0;
    first_pts_ = AV_NOPTS_VALUE;
    loop_offset_s_ = last_t_ + frame_duration_s_;
    loop_index_base_ = decoded_index_;
    *again = true;
    return FramePtr();
  }
  ended_ = true;
  return FramePtr();
}

bool FfmpegSource::DueForAnalysis(double t) {
  if (!(analysis_fps_ > 0)) return true;
  const double period = 1.0 / analysis_fps_;
  if (!have_due_ || t + kDecimationSlackS < last_emit_t_) {
    // The first frame, or time went backwards (a damaged file): start over.
    next_due_ = t + period;
  } else if (t + kDecimationSlackS < next_due_) {
    return false;
  } else {
    next_due_ += period;
    if (next_due_ <= t) next_due_ = t + period;  // far behind: re-anchor, no burst
  }
  have_due_ = true;
  last_emit_t_ = t;
  return true;
}

FramePtr FfmpegSource::TakeDecodedFrame() {
  const AVFrame& f = *frame_;
  stats_.frames_decoded.fetch_add(1, std::memory_order_relaxed);
  ++frames_this_pass_;
  if (f.decode_error_flags != 0 || (f.flags & AV_FRAME_FLAG_CORRUPT) != 0) {
    // Damaged data the decoder concealed: the picture is still passed on
    // (health judges what it shows), but the damage is counted.
    stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
  }
  int64_t index = ++decoded_index_;
  const int64_t ts = f.best_effort_timestamp;
  if (kind_ == Kind::kImageSequence && ts != AV_NOPTS_VALUE && ts >= 0) {
    // image2 stamps each file with its position in the sequence: keep the
    // index tied to the file even when a damaged image is skipped.
    index = loop_index_base_ + ts + 1;
    decoded_index_ = index;
  }

  double t;
  if (kind_ == Kind::kLive) {
    t = clock_->Now() - origin_;
  } else if (ts != AV_NOPTS_VALUE) {
    if (first_pts_ == AV_NOPTS_VALUE) first_pts_ = ts;
    t = loop_offset_s_ + static_cast<double>(ts - first_pts_) * av_q2d(time_base_);
  } else {
    t = last_t_ < 0 ? loop_offset_s_ : last_t_ + frame_duration_s_;
  }
  last_t_ = t;
  if (!DueForAnalysis(t)) return nullptr;

  auto out = std::make_shared<Frame>();
  out->t = t;
  out->index = index;
  out->wall = clock_->WallNow();
  out->src_width = f.width;
  out->src_height = f.height;
#if LIBAVUTIL_VERSION_MAJOR >= 58
  out->keyframe = (f.flags & AV_FRAME_FLAG_KEY) != 0;
#else
  out->keyframe = f.key_frame != 0;
#endif
  Status s = ConvertPicture(f, out.get());
  if (!s.ok()) {
    stats_.decode_errors.fetch_add(1, std::memory_order_relaxed);
    WL_LOG(Debug) << "camera " << camera_id_ << ": " << s.message();
    return nullptr;
  }
  return out;
}

Status FfmpegSource::ConvertPicture(const AVFrame& src, Frame* out) {
  if (src.width <= 0 || src.height <= 0) return Status::Corruption("frame without size");
  const int width = analysis_width_ > 0 ? analysis_width_ : src.width;
  int height =
      static_cast<int>(std::lround(src.height * static_cast<double>(width) / src.width / 2.0)) * 2;
  height = std::max(height, 2);
  const cv::Size size(width, height);
  const auto format = static_cast<AVPixelFormat>(src.format);

  if (HasPlanarLuma8(format) && src.linesize[0] > 0) {
    cv::Mat luma(src.height, src.width, CV_8UC1, src.data[0], static_cast<size_t>(src.linesize[0]));
    if (luma.size() == size) {
      luma.copyTo(out->gray);
    } else {
      cv::resize(luma, out->gray, size, 0, 0, cv::INTER_AREA);
    }
  } else {
    gray_sws_.reset(sws_getCachedContext(gray_sws_.release(), src.width, src.height, format, width,
                                         height, AV_PIX_FMT_GRAY8, SWS_AREA, nullptr, nullptr,
                                         nullptr));
    if (!gray_sws_)
      return Status::Corruption(std::string("cannot convert pixel format ") +
                                (av_get_pix_fmt_name(format) ? av_get_pix_fmt_name(format) : "?"));
    out->gray.create(size, CV_8UC1);
    uint8_t* dst[4] = {out->gray.data, nullptr, nullptr, nullptr};
    int dst_stride[4] = {static_cast<int>(out->gray.step), 0, 0, 0};
    sws_scale(gray_sws_.get(), src.data, src.linesize, 0, src.height, dst, dst_stride);
  }

  if (want_color_) {
    bgr_sws_.reset(sws_getCachedContext(bgr_sws_.release(), src.width, src.height, format, width,
                                        height, AV_PIX_FMT_BGR24, SWS_AREA, nullptr, nullptr,
                                        nullptr));
    if (!bgr_sws_) return Status::Corruption("cannot convert frame to BGR");
    out->bgr.create(size, CV_8UC3);
    uint8_t* dst[4] = {out->bgr.data, nullptr, nullptr, nullptr};
    int dst_stride[4] = {static_cast<int>(out->bgr.step), 0, 0, 0};
    sws_scale(bgr_sws_.get(), src.data, src.linesize, 0, src.height, dst, dst_stride);
  }
  return Status::Ok();
}

Status FfmpegSource::PaceTo(double t) {
  const double now = clock_->Now();
  if (!have_pace_origin_ || now > pace_origin_ + t + kMaxPaceLagS) {
    pace_origin_ = now - t;
    have_pace_origin_ = true;
    return Status::Ok();
  }
  const double due = pace_origin_ + t;
  std::unique_lock<std::mutex> lock(pace_mu_);
  while (!interrupted_.load()) {
    const double remaining = due - clock_->Now();
    if (remaining <= 0) return Status::Ok();
    pace_cv_.wait_for(lock, std::chrono::duration<double>(std::min(remaining, kPacePollS)));
  }
  return Status::Unavailable("reading " + source_for_log_ + ": interrupted");
}

}  // namespace watchline::ingest
