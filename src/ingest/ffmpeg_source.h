// FfmpegSource: the FrameSource for everything FFmpeg opens — files, image
// sequences ("in%06d.jpg"), rtsp:// cameras and other URLs (http, udp, ...).
//
// It decodes the best video stream with one decoder thread (a node runs many
// cameras per core), makes a grey picture at the analysis width (copying the
// Y plane and resizing with cv::resize INTER_AREA; sws_scale only for non-YUV
// input and for the optional BGR picture), and keeps the analysis frame rate
// by timestamp.
//
// Every blocking FFmpeg call (open, stream probing, read) runs under an
// AVIOInterruptCB that fires when Interrupt() was called or when the current
// operation's deadline (ingest.open_timeout_s / ingest.read_timeout_s,
// measured on the Clock) has passed: a camera that stops sending never hangs
// the ingest thread.
//
// Frame times: files and image sequences give seconds of media time from the
// first frame; live sources (any URL but file:) give seconds on the Clock since
// this object was constructed, continuous across Close()/Open().
//
// Thread safety: one thread calls Open/Next/Close. Interrupt() and stats() may
// be called from any thread. Interrupt() stays in force until Close(): the
// caller decides what to do after an interrupted call (stop, or Close() and
// Open() again).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "config/config.h"
#include "ingest/av_ptr.h"
#include "ingest/frame_source.h"

namespace watchline::ingest {

class FfmpegSource : public FrameSource {
 public:
  // `camera` is copied. `clock` is not owned and must outlive this object.
  // `want_color` also fills Frame::bgr at the analysis size.
  FfmpegSource(const config::CameraConfig& camera, Clock* clock, bool want_color);
  ~FfmpegSource() override;

  FfmpegSource(const FfmpegSource&) = delete;
  FfmpegSource& operator=(const FfmpegSource&) = delete;

  // NotFound "no such file: PATH" for a missing file or image sequence;
  // InvalidArgument for an unknown format, protocol or a file without video;
  // Corruption (naming the file and FFmpeg's error text) for an unreadable
  // container; Unavailable for a peer that refuses, times out or is interrupted.
  Status Open() override;

  // The next analysis frame; null at the end of a file (and when a live source
  // ends its stream: reconnect). Packets the decoder rejects are counted in
  // stats().decode_errors and skipped; frames it decoded with concealed damage
  // are counted there too, and passed on. Corruption when a file yields no
  // decodable frame at all or cannot be read to its end (after the frames that
  // could be decoded); Unavailable on a read timeout, interrupt or lost stream.
  Result<FramePtr> Next() override;

  void Close() override;
  void Interrupt() override;
  bool IsLive() const override { return kind_ == Kind::kLive; }
  const SourceStats& stats() const override { return stats_; }

 private:
  enum class Kind { kFile, kImageSequence, kLive };

  static int InterruptCallback(void* opaque);

  // Closes the FFmpeg contexts without clearing the interrupt flag.
  void CloseStream();
  Status OpenError(int err, const std::string& what) const;
  Status FileOpenError(int err) const;
  // The failure of a blocking call, as a Status: interrupted, timed out, or `fallback`.
  std::optional<Status> InterruptStatus(const std::string& what) const;
  // Reads one packet and feeds it to the decoder (or starts draining at EOF).
  // Returns a non-ok Status only when Next() must fail now.
  Status FeedDecoder();
  // The decoder is drained: end of stream, loop, or a deferred error.
  // Sets *again when Next() should continue reading (after a loop seek).
  Result<FramePtr> AtEndOfStream(bool* again);
  // Times, decimates and converts the frame in frame_; null when decimated away.
  FramePtr TakeDecodedFrame();
  bool DueForAnalysis(double t);
  Status ConvertPicture(const AVFrame& src, Frame* out);
  // Realtime files: waits until the Clock reaches the frame's media time.
  Status PaceTo(double t);
  void SetDeadline(double seconds_from_now);
  void ClearDeadline();

  // Configuration (immutable after construction).
  const std::string camera_id_;
  const std::string source_;
  const std::string source_for_log_;  // RedactUrl(source_)
  const Kind kind_;
  const double sequence_fps_;
  const int analysis_width_;
  const double analysis_fps_;
  const config::IngestConfig ingest_;
  Clock* const clock_;
  const bool want_color_;
  const double origin_;  // Clock time at construction: zero of live frame times

  SourceStats stats_;

  // Interrupt state: interrupted_ and the pace condition variable are shared
  // with Interrupt(); everything below them belongs to the Open/Next thread.
  std::atomic<bool> interrupted_{false};
  std::mutex pace_mu_;  // pairs with pace_cv_; guards no data (the flag is atomic)
  std::condition_variable pace_cv_;

  // The deadline of the blocking call in progress (Clock seconds). Read by
  // InterruptCallback, which FFmpeg runs on the Open/Next thread.
  double deadline_ = 0;
  bool deadline_set_ = false;
  bool timed_out_ = false;
  double current_timeout_s_ = 0;

  AvInputFormatContextPtr format_;
  AvCodecContextPtr decoder_;
  AvPacketPtr packet_;
  AvFramePtr frame_;
  SwsContextPtr gray_sws_;
  SwsContextPtr bgr_sws_;
  int stream_index_ = -1;
  AVRational time_base_{0, 1};
  double frame_duration_s_ = 0.04;  // the stream's nominal frame interval

  // Per-Open stream state.
  bool draining_ = false;      // end of input reached, decoder flushed
  bool ended_ = false;         // Next() returned the end of the stream
  std::optional<Status> deferred_error_;  // a file read error reported after draining
  int last_decode_error_ = 0;
  uint64_t decode_errors_this_open_ = 0;
  uint64_t frames_this_pass_ = 0;  // frames decoded since Open or the last loop

  // Timing state. For files it restarts at Open; for live sources it persists.
  int64_t decoded_index_ = 0;      // 1-based index of the last decoded frame
  int64_t loop_index_base_ = 0;    // frames before the current loop pass (image sequences)
  int64_t first_pts_ = AV_NOPTS_VALUE;
  double loop_offset_s_ = 0;       // media time added after each loop
  double last_t_ = -1;
  bool have_due_ = false;
  double next_due_ = 0;            // media time of the next analysis slot
  double last_emit_t_ = 0;
  bool have_pace_origin_ = false;
  double pace_origin_ = 0;         // Clock time of media time 0 (realtime files)
};

// Routes FFmpeg's own log lines into watchline's log at debug level, with
// credentials in URLs redacted. Idempotent; FfmpegSource calls it. Process-wide.
void RouteFfmpegLogs();

}  // namespace watchline::ingest
