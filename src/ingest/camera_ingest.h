// CameraIngest: the body of one camera's ingest thread. It opens the camera's
// FrameSource, pushes every frame into the camera's FrameRing (never waiting
// for analysis), and when the stream breaks it closes and reconnects —
// forever, with exponential backoff and jitter — until its stop token is
// requested. A file source ends the thread at its end (unless it loops).
//
// The caller (the Scheduler) owns the std::jthread:
//   std::jthread t([&](std::stop_token st) { ingest.Run(st); });
// A stop request interrupts a blocked Open()/Next() through
// FrameSource::Interrupt() and wakes a backoff wait, so Run returns promptly.
//
// The engine's watchdog reads last_frame_time() to decide camera_offline;
// CameraIngest itself emits no events.
//
// Thread safety: Run() runs on one thread at a time; every accessor is thread
// safe and lock-free except last_error().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "config/config.h"
#include "ingest/frame_ring.h"
#include "ingest/frame_source.h"

namespace watchline::ingest {

// Reconnect delays: min_s, doubling up to max_s, each multiplied by a random
// factor in [1 - jitter, 1 + jitter] so that cameras that fell together do not
// reconnect together. Deterministic for a given seed. Not thread safe.
class Backoff {
 public:
  Backoff(double min_s, double max_s, double jitter, uint64_t seed);
  // The delay before the next attempt, seconds; doubles the base delay.
  double Next();
  // Back to min_s (after a successful read).
  void Reset() { base_s_ = min_s_; }

 private:
  const double min_s_;
  const double max_s_;
  const double jitter_;
  double base_s_;
  std::mt19937_64 rng_;
};

struct CameraIngestOptions {
  std::string camera_id;
  std::string source;         // for log lines only; always redacted before use
  double backoff_min_s = 0.5;
  double backoff_max_s = 30;
  double jitter = 0.2;        // fraction of the delay, either way
  uint64_t seed = 0;          // jitter seed; 0 = derived from camera_id
  bool close_ring_on_exit = true;  // Run() closes the ring when it returns

  // Backoff and names from a camera's config.
  static CameraIngestOptions FromConfig(const config::CameraConfig& camera);
};

class CameraIngest {
 public:
  using SourceFactory = std::function<std::unique_ptr<FrameSource>()>;

  // `factory` is called once, by the first Run(); the source it makes is kept
  // (Close()/Open() on reconnect) so that live frame times stay continuous.
  // `ring` and `clock` are not owned and must outlive this object.
  CameraIngest(CameraIngestOptions options, SourceFactory factory, FrameRing* ring, Clock* clock);
  ~CameraIngest();

  CameraIngest(const CameraIngest&) = delete;
  CameraIngest& operator=(const CameraIngest&) = delete;

  // The ingest thread's body; returns when `st` is stopped, when a file
  // source ends, or when a file cannot be read (see last_error()).
  void Run(std::stop_token st);

  // Clock time of the last frame pushed, or -1 before the first.
  double last_frame_time() const { return last_frame_time_.load(); }
  bool connected() const { return connected_.load(); }
  // Open() attempts after the first one.
  uint64_t reconnects() const { return reconnects_.load(); }
  // Run() returned because the input ended (a file's end or a permanent error).
  bool finished() const { return finished_.load(); }
  uint64_t frames_decoded() const;
  uint64_t frames_emitted() const;
  uint64_t decode_errors() const;
  uint64_t ring_dropped() const { return ring_->dropped(); }
  // The last connection or read error, with credentials redacted; "" if none.
  std::string last_error() const;

 private:
  // Waits `seconds` or until `st` is stopped; false when stopped.
  bool SleepFor(double seconds, const std::stop_token& st);
  void SetError(const Status& s);

  const CameraIngestOptions options_;
  const std::string source_for_log_;
  SourceFactory factory_;
  FrameRing* const ring_;
  Clock* const clock_;
  Backoff backoff_;  // used by Run()'s thread only

  std::unique_ptr<FrameSource> source_;       // created and used by Run()'s thread
  std::atomic<const FrameSource*> stats_source_{nullptr};  // source_, for the accessors

  std::atomic<double> last_frame_time_{-1};
  std::atomic<bool> connected_{false};
  std::atomic<bool> finished_{false};
  std::atomic<uint64_t> reconnects_{0};

  mutable std::mutex mu_;
  std::condition_variable_any wake_;  // backoff waits; woken by a stop request
  std::string last_error_;            // GUARDED_BY(mu_)
};

}  // namespace watchline::ingest
