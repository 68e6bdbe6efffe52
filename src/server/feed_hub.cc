#include "server/feed_hub.h"

#include <chrono>

#include "base/log.h"

namespace watchline::server {

FeedHub::FeedHub(store::Store* store) : store_(store) {}

FeedHub::~FeedHub() { Stop(); }

Status FeedHub::Start() {
  WL_ASSIGN_OR_RETURN(int64_t last, store_->LastChangeSeq());
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_seq_ = last;
  }
  pump_ = std::thread([this] { PumpLoop(); });
  return Status::Ok();
}

void FeedHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !pump_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  pump_cv_.notify_all();
  if (pump_.joinable()) pump_.join();
}

bool FeedHub::stopped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

void FeedHub::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  pump_cv_.notify_one();
}

int64_t FeedHub::last_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_seq_;
}

void FeedHub::PumpLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    pump_cv_.wait_for(lock, std::chrono::duration<double>(kPollS),
                      [this] { return notified_ || stopping_; });
    if (stopping_) break;
    notified_ = false;
    lock.unlock();
    if (Status s = PumpOnce(); !s.ok()) WL_LOG(Warn) << "live feed: " << s.ToString();
    lock.lock();
  }
}

Status FeedHub::PumpOnce() {
  while (true) {
    int64_t after;
    {
      std::lock_guard<std::mutex> lock(mu_);
      after = last_seq_;
    }
    WL_ASSIGN_OR_RETURN(std::vector<store::Change> got, store_->ListChanges(after, 1000));
    if (got.empty()) return Status::Ok();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& c : got) {
        recent_.push_back(std::move(c));
        if (recent_.size() > kRecent) recent_.pop_front();
      }
      last_seq_ = recent_.back().seq;
    }
    cv_.notify_all();
  }
}

Result<std::vector<store::Change>> FeedHub::Wait(int64_t after, double timeout_s) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
               [&] { return stopping_ || last_seq_ > after; });
  std::vector<store::Change> out;
  if (stopping_ || last_seq_ <= after) return out;
  if (!recent_.empty() && recent_.front().seq <= after + 1) {
    // Binary search would do; the deque is short and seqs ascend.
    auto it = recent_.begin();
    while (it != recent_.end() && it->seq <= after) ++it;
    for (; it != recent_.end() && out.size() < static_cast<size_t>(kBatch); ++it) out.push_back(*it);
    return out;
  }
  // Further behind than memory reaches: read the store (without holding mu_).
  const int64_t upto = last_seq_;
  lock.unlock();
  WL_ASSIGN_OR_RETURN(out, store_->ListChanges(after, kBatch));
  while (!out.empty() && out.back().seq > upto) out.pop_back();
  return out;
}

}  // namespace watchline::server
