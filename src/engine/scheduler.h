// Scheduler: owns every long-running thread of the engine and its stop token,
// so that shutdown has one order and one place: RequestStop() asks all threads
// to stop, Join() waits for them. Threads must watch their stop_token and wake
// from every wait when it fires (std::stop_callback, condition_variable_any).
// Thread safe.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace watchline::engine {

class Scheduler {
 public:
  Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  ~Scheduler() { StopAndJoin(); }

  // Starts `body` on a new thread named `name` (shown in logs and in `top -H`).
  void Spawn(const std::string& name, std::function<void(std::stop_token)> body);

  void RequestStop();
  void StopAndJoin();
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::jthread> threads_;  // GUARDED_BY(mu_)
};

}  // namespace watchline::engine
