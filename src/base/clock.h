// Clock: the time source behind every timeout, backoff and live timestamp,
// so that tests can drive time by hand. Thread safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace watchline {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic seconds since an arbitrary origin.
  virtual double Now() const = 0;
  // Wall-clock seconds since the Unix epoch.
  virtual double WallNow() const = 0;
  // The process-wide real clock.
  static Clock* Real();
};

// A clock that only moves when told to. For tests.
class ManualClock : public Clock {
 public:
  explicit ManualClock(double start = 0) : now_(start) {}
  double Now() const override { return now_.load(); }
  double WallNow() const override { return 1.7e9 + now_.load(); }
  void Advance(double s) { now_.store(now_.load() + s); }
  void Set(double s) { now_.store(s); }

 private:
  std::atomic<double> now_;
};

}  // namespace watchline
