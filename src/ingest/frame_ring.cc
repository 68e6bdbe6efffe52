#include "ingest/frame_ring.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace watchline::ingest {

FrameRing::FrameRing(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

void FrameRing::Push(FramePtr frame) {
  FramePtr evicted;  // released outside the lock: a frame may be the last owner of big buffers
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    if (frames_.size() >= capacity_) {
      evicted = std::move(frames_.front());
      frames_.pop_front();
      ++dropped_;
    }
    frames_.push_back(std::move(frame));
  }
  not_empty_.notify_one();
}

bool FrameRing::PushWait(FramePtr frame, std::stop_token st) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, st, [this] { return closed_ || frames_.size() < capacity_; });
    if (closed_ || st.stop_requested()) return false;
    frames_.push_back(std::move(frame));
  }
  not_empty_.notify_one();
  return true;
}

bool FrameRing::Pop(FramePtr* out, double timeout_s) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto ready = [this] { return !frames_.empty() || closed_; };
  if (timeout_s > 0) {
    not_empty_.wait_for(lock, std::chrono::duration<double>(timeout_s), ready);
  }
  if (frames_.empty()) return false;
  *out = std::move(frames_.front());
  frames_.pop_front();
  lock.unlock();
  not_full_.notify_one();
  return true;
}

void FrameRing::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
}

bool FrameRing::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

uint64_t FrameRing::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

size_t FrameRing::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return frames_.size();
}

}  // namespace watchline::ingest
