#include "engine/scheduler.h"

#include <pthread.h>

#include "base/log.h"

namespace watchline::engine {

void Scheduler::Spawn(const std::string& name, std::function<void(std::stop_token)> body) {
  std::lock_guard<std::mutex> lock(mu_);
  threads_.emplace_back([name, body = std::move(body)](std::stop_token st) {
    // Linux limits thread names to 15 characters.
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    body(st);
  });
}

void Scheduler::RequestStop() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& t : threads_) t.request_stop();
}

void Scheduler::StopAndJoin() {
  std::vector<std::jthread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : threads_) t.request_stop();
    threads.swap(threads_);
  }
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
}

size_t Scheduler::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

}  // namespace watchline::engine
