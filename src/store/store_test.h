// The behavioural test suite that every Store backend must pass, and its
// helpers. The suites (StoreTest, StoreCrashTest in store_test.cc) are
// parameterised over a StoreBackend; each backend instantiates them in its own
// test file, e.g. sqlite_store_test.cc:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest, ::testing::Values(SqliteBackend()),
//                            BackendName);
// Test-only code. Thread safety: helpers are stateless or per-test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "base/status.h"
#include "events/event.h"
#include "store/store.h"

namespace watchline::store {

struct StoreBackend {
  std::string name;  // letters, digits and '_' only: it becomes part of test names
  // Opens the store kept under dir, creating it on first use. dir is a fresh,
  // empty directory per test; opening again with the same dir must reach the
  // same data (the suite closes and reopens stores). Must be callable in a
  // child process after fork() (the crash test does so).
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir)> open;
};

inline void PrintTo(const StoreBackend& b, std::ostream* os) { *os << b.name; }

inline std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

// A fresh directory under the test temp dir, removed with its contents.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Event number i of a deterministic sequence that exercises every field:
// with and without end, box, position, track, class and detail, non-round
// doubles and text that needs quoting in SQL.
events::Event MakeEvent(int64_t i);

// Success when every field of got equals want (doubles exactly: a store must
// give back the bits it was given); otherwise a message naming the fields.
::testing::AssertionResult SameEvent(const events::Event& want, const events::Event& got);

class StoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  Result<std::unique_ptr<Store>> Open() { return GetParam().open(dir_.path()); }
  ScopedTempDir dir_;
};

class StoreCrashTest : public StoreTest {};

}  // namespace watchline::store
