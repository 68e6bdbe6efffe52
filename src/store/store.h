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
  // Newest first (id descending) instead of oldest first; page with before_id.
  bool newest_first = false;
  int64_t before_id = 0;  // when > 0: id < before_id
  // true: only camera health events (type camera_*); false: only detections.
  std::optional<bool> health;
  // Operator handling: "new" (never acknowledged), "acknowledged" or "resolved".
  std::optional<std::string> ack_state;
};

// An operator's handling of one event (at most one row per event; a later
// acknowledgement replaces the earlier one).
struct EventAck {
  int64_t event_id = 0;
  std::string state;           // "acknowledged" or "resolved"
  std::string classification;  // "", "true_alarm", "false_alarm" or "nuisance"
  std::string comment;
  std::string user;
  double wall = 0;             // seconds since the epoch

  bool operator==(const EventAck&) const = default;
};

// One entry of the change journal: every Append, SetEnd and SetAck writes one,
// in the same transaction, with a sequence number that only grows. The live
// feed (SSE) numbers its messages with seq, so a client that reconnects with
// the last seq it saw gets exactly what it missed, even across a restart.
struct Change {
  int64_t seq = 0;
  std::string kind;  // "event" (new), "update" (end set), "ack"
  int64_t event_id = 0;
  double wall = 0;
};

struct User {
  std::string name;     // 1..64 of [A-Za-z0-9_.-]
  std::string role;     // "viewer", "operator" or "admin"
  std::string pw_hash;  // an encoded password hash (argon2id string); never a password
  double created_wall = 0;

  bool operator==(const User&) const = default;
};

// A login session (cookie) or an API token. Only a hash of the secret is kept.
struct Credential {
  std::string token_hash;  // hex SHA-256 of the secret
  std::string user;
  std::string kind;        // "session" or "token"
  std::string label;       // free text for tokens
  double created_wall = 0;
  double expires_wall = 0;  // 0 = never
  bool revoked = false;

  bool operator==(const Credential&) const = default;
};

// One row of the append-only audit log. The store chains rows with SHA-256:
// hash = AuditHash(prev_hash, row), so editing or deleting a row breaks the
// chain at that row (see VerifyAuditChain).
struct AuditEntry {
  int64_t id = 0;        // set by AppendAudit
  double wall = 0;
  std::string actor;     // user name, or "cli" / "system"
  std::string action;    // login, login_failed, ack, user_add, ...
  std::string target;    // event id, user name, ...
  std::string detail;    // JSON text
  std::string prev_hash; // set by AppendAudit: hex
  std::string hash;      // set by AppendAudit: hex

  bool operator==(const AuditEntry&) const = default;
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

  // --- operator handling -------------------------------------------------
  // Stores (replaces) the handling of a.event_id and journals an "ack"
  // change, in one transaction. NotFound when the event does not exist.
  virtual Status SetAck(const EventAck& a) = 0;
  // The handling of each of ids that has one (absent ids are skipped).
  virtual Result<std::vector<EventAck>> GetAcks(const std::vector<int64_t>& ids) = 0;

  // --- change journal (live feed) -----------------------------------------
  // Changes with seq > after_seq in seq order, at most limit (1..kMaxQueryLimit).
  virtual Result<std::vector<Change>> ListChanges(int64_t after_seq, int limit) = 0;
  // The largest seq written so far (0 when none).
  virtual Result<int64_t> LastChangeSeq() = 0;

  // --- users and credentials ---------------------------------------------
  // InvalidArgument when the name is taken or a field is invalid.
  virtual Status CreateUser(const User& u) = 0;
  virtual Result<User> GetUser(const std::string& name) = 0;  // NotFound when absent
  virtual Result<std::vector<User>> ListUsers() = 0;           // ordered by name
  virtual Status UpdateUser(const User& u) = 0;                // role and pw_hash; NotFound
  // Deletes the user and revokes every credential of it. NotFound when absent.
  virtual Status DeleteUser(const std::string& name) = 0;
  virtual Status CreateCredential(const Credential& c) = 0;
  virtual Result<Credential> GetCredential(const std::string& token_hash) = 0;  // NotFound
  // Marks one credential revoked (NotFound when absent) / every one of a user.
  virtual Status RevokeCredential(const std::string& token_hash) = 0;
  virtual Status RevokeUserCredentials(const std::string& user) = 0;
  // The credentials of one user ("" = all users), newest first.
  virtual Result<std::vector<Credential>> ListCredentials(const std::string& user) = 0;

  // --- audit log ------------------------------------------------------------
  // Appends a row, chaining it to the last one: sets a->id, a->prev_hash and
  // a->hash. Durable when it returns ok. REQUIRES: a->id == 0, action non-empty.
  virtual Status AppendAudit(AuditEntry* a) = 0;
  // Rows with id > after_id in id order, at most limit (1..kMaxQueryLimit).
  virtual Result<std::vector<AuditEntry>> ListAudit(int64_t after_id, int limit) = 0;
  // The largest audit id ever assigned (survives deleting the last row), 0 if none.
  virtual Result<int64_t> LastAuditId() = 0;
};

// The hex SHA-256 chaining one audit row to the previous row's hash: over
// prev_hash, id, wall (as %.6f), actor, action, target and detail, each
// length-prefixed so that no two different rows hash the same text.
std::string AuditHash(const std::string& prev_hash, const AuditEntry& a);

// Hex SHA-256 of arbitrary bytes.
std::string Sha256Hex(const std::string& bytes);

// One problem found by VerifyAuditChain.
struct AuditProblem {
  int64_t id = 0;        // the row (or the first missing id)
  std::string what;      // "edited", "deleted", "chain broken"
};

// Walks the whole audit log and recomputes the chain. Empty when intact.
Result<std::vector<AuditProblem>> VerifyAuditChain(Store* store);

// Checks what every backend requires of an event before Append. Shared so
// that all backends reject the same inputs with the same messages.
Status ValidateForAppend(const events::Event& e);
Status ValidateFilter(const EventFilter& f);
Status ValidateCameraState(const CameraState& s);

}  // namespace watchline::store
