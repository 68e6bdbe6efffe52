// FeedHub: the live feed behind /api/stream. The store's change journal
// (store.h Change) is the single source of truth: a pump thread reads new
// changes from the store when told (Notify, from the engine's listener) and at
// least every kPollS (to catch writes by other processes), and keeps the most
// recent kRecent of them in memory. Each SSE client asks for the changes after
// the last seq it sent; a client further behind than the memory is served
// from the store. So a reconnecting client with Last-Event-ID gets exactly
// what it missed, also across a server restart.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace watchline::server {

class FeedHub {
 public:
  static constexpr size_t kRecent = 4096;   // changes kept in memory
  static constexpr int kBatch = 500;        // most changes one Wait returns
  static constexpr double kPollS = 1.0;     // the pump reads the store at least this often

  explicit FeedHub(store::Store* store);
  ~FeedHub();
  FeedHub(const FeedHub&) = delete;
  FeedHub& operator=(const FeedHub&) = delete;

  // Starts the pump. Clients that connect without a Last-Event-ID start at
  // the journal's end as it is now.
  Status Start();
  // Wakes every waiting client (they return empty) and stops the pump.
  void Stop();
  // Something was committed: read the journal soon. Never blocks for long.
  void Notify();

  // The last seq the hub has read from the store.
  int64_t last_seq() const;
  // Waits up to timeout_s for changes with seq > after; returns up to kBatch
  // of them in seq order (empty on timeout or stop).
  Result<std::vector<store::Change>> Wait(int64_t after, double timeout_s);
  bool stopped() const;

 private:
  void PumpLoop();
  Status PumpOnce();

  store::Store* store_;
  mutable std::mutex mu_;
  std::condition_variable cv_;        // clients wait here for new changes
  std::condition_variable pump_cv_;   // the pump waits here for Notify
  bool notified_ = false;             // GUARDED_BY(mu_)
  bool stopping_ = false;             // GUARDED_BY(mu_)
  int64_t last_seq_ = 0;              // GUARDED_BY(mu_)
  std::deque<store::Change> recent_;  // GUARDED_BY(mu_)
  std::thread pump_;
};

}  // namespace watchline::server
