// Store: where events and camera health states are kept. Start here.
//
// One interface, several backends. SQLite in WAL mode (sqlite_store.h) is the
// embedded default; a PostgreSQL backend for central deployments implements the
// same interface and must pass the same behavioural suite (store_test.cc,
// instantiated per backend).
//
// Durability: a write method that returns ok has COMMITTED its change durably
// (it survives the process being killed and, as far as the OS keeps its fsync
// promise, power loss). The engine announces an event (SSE, notifier) only
// after Append returns, so an announced event is never lost.
//
// Thread safety: every method of a Store may be called from any number of
// threads at once. Several processes may open the same SQLite file; writers
// then wait for each other up to a busy timeout, and fail with Unavailable
// after it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "events/event.h"

namespace watchline::store {

// The most rows one Query may return; page with EventFilter::after_id.
inline constexpr int kMaxQueryLimit = 10000;

// Which events Query returns. Unset fields do not filter.
struct EventFilter {
  std::optional<double> from_wall;  // wall >= from_wall (seconds since the epoch)
  std::optional<double> to_wall;    // wall < to_wall: the range is half-open
  std::optional<std::string> camera;
  std::optional<std::string> type;
  // true: only events whose end is null (open conditions, and point events such
  // as crossings, which never get an end); false: only events with an end.
  std::optional<bool> open_only;
  int64_t after_id = 0;  // id > after_id: pass the last id seen to get the next page
  int limit = 100;       // 1..kMaxQueryLimit rows
};

// The latest health state of one camera (one row per camera).
struct CameraState {
  std::string camera;       // camera id from the config
  std::string state;        // ok, offline, frozen, blackout, glare, defocused, occluded, moved
  std::string cause;        // free text: why (e.g. "no frame for 12.0 s"); may be empty
  double since_wall = 0;    // wall seconds since the epoch when this state began
  double updated_wall = 0;  // wall seconds since the epoch of the last upsert

  bool operator==(const CameraState&) const = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores *e and sets e->id to its new row id, which is unique and larger
  // than every id before it (ids are never reused, even after deletes or a
  // crash). Durable when it returns ok. On failure *e is unchanged.
  // REQUIRES: e->id == 0, e->type and e->camera non-empty, all numbers finite.
  virtual Status Append(events::Event* e) = 0;

  // Sets the end (seconds of stream time) of a condition event, e.g. when a
  // health state ends. Durable when it returns ok. May be called again to
  // move the end. NotFound when no event has this id; InvalidArgument when
  // end is not finite or is before the event's t.
  virtual Status SetEnd(int64_t id, double end) = 0;

  // Events matching the filter, ordered by id ascending, at most f.limit.
  virtual Result<std::vector<events::Event>> Query(const EventFilter& f) = 0;

  // The event with this id; NotFound when absent.
  virtual Result<events::Event> Get(int64_t id) = 0;

  // The number of stored events.
  virtual Result<int64_t> Count() = 0;

  // Inserts or replaces the state row of s.camera. Durable when it returns ok.
  // REQUIRES: s.camera and s.state non-empty, times finite.
  virtual Status UpsertCameraState(const CameraState& s) = 0;

  // Every camera's state row, ordered by camera id.
  virtual Result<std::vector<CameraState>> ListCameraStates() = 0;
};

// Checks what every backend requires of an event before Append. Shared so
// that all backends reject the same inputs with the same messages.
Status ValidateForAppend(const events::Event& e);
Status ValidateFilter(const EventFilter& f);
Status ValidateCameraState(const CameraState& s);

}  // namespace watchline::store
