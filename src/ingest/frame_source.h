// FrameSource: where frames come from. One implementation reads anything
// FFmpeg opens (files, image sequences, RTSP); the simulator provides another
// for sim:// sources. A source yields frames already scaled to the analysis
// width and decimated to the analysis fps.
//
// Thread safety: one thread calls Open/Next; Interrupt() may be called from any
// thread and makes a blocked Open/Next return Status::Unavailable promptly.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "ingest/frame.h"

namespace watchline::ingest {

// Counters a source keeps; readable from any thread.
struct SourceStats {
  std::atomic<uint64_t> frames_decoded{0};   // frames out of the decoder
  std::atomic<uint64_t> frames_emitted{0};   // frames passed on after decimation
  std::atomic<uint64_t> decode_errors{0};    // packets the decoder rejected
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;

  // Opens the stream. Bad input (missing file, unknown format) is InvalidArgument
  // or NotFound; a peer that does not answer in time is Unavailable.
  virtual Status Open() = 0;

  // The next analysis frame. A null FramePtr (with ok status) means the end of the
  // stream. A non-ok status means the stream broke (timeout, corrupt data that
  // cannot be skipped); the caller may Open() again to reconnect.
  virtual Result<FramePtr> Next() = 0;

  // Closes the stream; Open() may be called again.
  virtual void Close() = 0;

  // Makes a blocked Open()/Next() return promptly. Thread safe.
  virtual void Interrupt() = 0;

  // Whether the source is live (a camera or a simulated camera), as opposed to a file.
  virtual bool IsLive() const = 0;

  virtual const SourceStats& stats() const = 0;
};

}  // namespace watchline::ingest
