// FrameRing: the bounded queue between a camera's ingest thread and its
// analysis. Ingest never waits for analysis: Push() never blocks, and when the
// ring is full it drops the OLDEST frame (analysis wants the newest picture)
// and counts the drop.
//
// Thread safety: every method is thread safe. Typical use is one producer
// (ingest) and one consumer (analysis).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <stop_token>

#include "ingest/frame.h"

namespace watchline::ingest {

class FrameRing {
 public:
  // `capacity` frames at most; 0 is treated as 1.
  explicit FrameRing(size_t capacity);

  FrameRing(const FrameRing&) = delete;
  FrameRing& operator=(const FrameRing&) = delete;

  // Appends `frame`. When full, the oldest frame is dropped and dropped()
  // grows by one. After Close() the frame is discarded (not counted).
  void Push(FramePtr frame);
  // Appends `frame`, waiting while the ring is full (back-pressure for recorded
  // files read as fast as they decode: analysis must see every frame). Returns
  // false, discarding the frame, when the ring is closed or `st` is stopped.
  bool PushWait(FramePtr frame, std::stop_token st);

  // Takes the oldest frame into *out. Waits up to `timeout_s` seconds (0 = do
  // not wait). Returns false on timeout, or when the ring is closed and empty:
  // frames pushed before Close() are still handed out.
  bool Pop(FramePtr* out, double timeout_s);

  // Wakes every waiting Pop() and refuses further frames. Idempotent.
  void Close();

  bool closed() const;
  uint64_t dropped() const;
  size_t size() const;
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable_any not_full_;
  std::deque<FramePtr> frames_;  // GUARDED_BY(mu_)
  bool closed_ = false;          // GUARDED_BY(mu_)
  uint64_t dropped_ = 0;         // GUARDED_BY(mu_)
};

}  // namespace watchline::ingest
