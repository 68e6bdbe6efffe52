#include "ingest/camera_ingest.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

#include "base/log.h"

namespace watchline::ingest {
namespace {

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

}  // namespace

Backoff::Backoff(double min_s, double max_s, double jitter, uint64_t seed)
    : min_s_(std::max(min_s, 0.0)),
      max_s_(std::max(max_s, std::max(min_s, 0.0))),
      jitter_(std::clamp(jitter, 0.0, 1.0)),
      base_s_(min_s_),
      rng_(seed) {}

double Backoff::Next() {
  std::uniform_real_distribution<double> factor(1.0 - jitter_, 1.0 + jitter_);
  const double delay = base_s_ * factor(rng_);
  base_s_ = std::min(base_s_ * 2, max_s_);
  return delay;
}

CameraIngestOptions CameraIngestOptions::FromConfig(const config::CameraConfig& camera) {
  CameraIngestOptions o;
  o.camera_id = camera.id;
  o.source = camera.source;
  o.backoff_min_s = camera.ingest.backoff_min_s;
  o.backoff_max_s = camera.ingest.backoff_max_s;
  return o;
}

CameraIngest::CameraIngest(CameraIngestOptions options, SourceFactory factory, FrameRing* ring,
                           Clock* clock)
    : options_(std::move(options)),
      source_for_log_(RedactUrl(options_.source)),
      factory_(std::move(factory)),
      ring_(ring),
      clock_(clock),
      backoff_(options_.backoff_min_s, options_.backoff_max_s, options_.jitter,
               options_.seed != 0 ? options_.seed : std::hash<std::string>{}(options_.camera_id)) {}

CameraIngest::~CameraIngest() = default;

uint64_t CameraIngest::frames_decoded() const {
  const FrameSource* s = stats_source_.load();
  return s ? s->stats().frames_decoded.load() : 0;
}

uint64_t CameraIngest::frames_emitted() const {
  const FrameSource* s = stats_source_.load();
  return s ? s->stats().frames_emitted.load() : 0;
}

uint64_t CameraIngest::decode_errors() const {
  const FrameSource* s = stats_source_.load();
  return s ? s->stats().decode_errors.load() : 0;
}

std::string CameraIngest::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void CameraIngest::SetError(const Status& s) {
  std::lock_guard<std::mutex> lock(mu_);
  // Source messages are already redacted; this catches a URL at their start.
  last_error_ = RedactUrl(s.ToString());
}

bool CameraIngest::SleepFor(double seconds, const std::stop_token& st) {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, st, std::chrono::duration<double>(seconds), [] { return false; });
  return !st.stop_requested();
}

void CameraIngest::Run(std::stop_token st) {
  const std::string& id = options_.camera_id;
  if (!source_) {
    source_ = factory_ ? factory_() : nullptr;
    if (!source_) {
      SetError(Status::Internal("camera " + id + ": no frame source"));
      WL_LOG(Error) << "camera " << id << ": no frame source for " << source_for_log_;
      finished_.store(true);
      if (options_.close_ring_on_exit) ring_->Close();
      return;
    }
    stats_source_.store(source_.get());
  }
  FrameSource* source = source_.get();
  const bool live = source->IsLive();
  // Runs on the stopping thread: makes a blocked Open()/Next() return.
  std::stop_callback on_stop(st, [source] { source->Interrupt(); });

  bool first_attempt = true;
  std::string last_logged_error;
  while (!st.stop_requested()) {
    if (!first_attempt) reconnects_.fetch_add(1);
    first_attempt = false;

    Status opened = source->Open();
    if (st.stop_requested()) break;
    if (!opened.ok()) {
      SetError(opened);
      if (!live) {
        WL_LOG(Error) << "camera " << id << ": " << RedactUrl(opened.ToString());
        finished_.store(true);
        break;
      }
      const double delay = backoff_.Next();
      // One warning per distinct failure; a camera down for hours would
      // otherwise log every few seconds.
      if (opened.message() != last_logged_error) {
        WL_LOG(Warn) << "camera " << id << ": cannot connect: " << RedactUrl(opened.ToString())
                     << "; retrying in " << Seconds(delay);
        last_logged_error = opened.message();
      } else {
        WL_LOG(Debug) << "camera " << id << ": still cannot connect; retrying in "
                      << Seconds(delay);
      }
      source->Close();
      if (!SleepFor(delay, st)) break;
      continue;
    }

    connected_.store(true);
    WL_LOG(Info) << "camera " << id << ": connected to " << source_for_log_;
    bool got_frame = false;
    Status broke = Status::Ok();
    bool ended = false;
    while (!st.stop_requested()) {
      Result<FramePtr> next = source->Next();
      if (!next.ok()) {
        broke = next.status();
        break;
      }
      if (!*next) {
        ended = true;
        break;
      }
      // A live camera never waits for analysis (the ring drops the oldest
      // frame); a recorded file does, so that every frame is analysed.
      if (live) {
        ring_->Push(std::move(*next));
      } else if (!ring_->PushWait(std::move(*next), st)) {
        break;
      }
      last_frame_time_.store(clock_->Now());
      if (!got_frame) {
        got_frame = true;
        backoff_.Reset();
        last_logged_error.clear();
      }
    }
    source->Close();
    connected_.store(false);
    if (st.stop_requested()) break;

    if (!broke.ok()) SetError(broke);
    if (!live) {
      if (broke.ok()) {
        WL_LOG(Info) << "camera " << id << ": end of " << source_for_log_;
      } else {
        WL_LOG(Error) << "camera " << id << ": " << RedactUrl(broke.ToString());
      }
      finished_.store(true);
      break;
    }
    if (ended) SetError(Status::Unavailable(source_for_log_ + ": stream ended"));
    const double delay = backoff_.Next();
    WL_LOG(Warn) << "camera " << id << ": disconnected ("
                 << (ended ? std::string("stream ended") : RedactUrl(broke.ToString()))
                 << "); reconnecting in " << Seconds(delay);
    if (!SleepFor(delay, st)) break;
  }
  source->Close();
  connected_.store(false);
  if (options_.close_ring_on_exit) ring_->Close();
}

}  // namespace watchline::ingest
