#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <system_error>
#include <utility>

#include "store/migrations.h"
#include "store/sqlite_error.h"

namespace watchline::store {

namespace {

struct DbCloser {
  // close_v2 defers the close until every statement is finalized, so the
  // order in which members are destroyed cannot leak the connection.
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// Resets a cached statement when leaving scope. An un-reset statement keeps
// its read transaction open, which would stop WAL checkpoints.
class ScopedReset {
 public:
  explicit ScopedReset(sqlite3_stmt* s) : s_(s) {}
  ~ScopedReset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  sqlite3_stmt* s_;
};

// The column list every event read uses; RowToEvent follows this order.
constexpr std::string_view kEventColumns =
    "id, type, camera, t, end_t, track, cls, direction, rule, confidence, "
    "box_x, box_y, box_w, box_h, lat, lon, wall, detail";

std::string ColumnText(sqlite3_stmt* s, int col) {
  const unsigned char* p = sqlite3_column_text(s, col);
  if (p == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(s, col)));
}

bool IsNull(sqlite3_stmt* s, int col) { return sqlite3_column_type(s, col) == SQLITE_NULL; }

events::Event RowToEvent(sqlite3_stmt* s) {
  events::Event e;
  e.id = sqlite3_column_int64(s, 0);
  e.type = ColumnText(s, 1);
  e.camera = ColumnText(s, 2);
  e.t = sqlite3_column_double(s, 3);
  if (!IsNull(s, 4)) e.end = sqlite3_column_double(s, 4);
  e.track = sqlite3_column_int64(s, 5);
  e.cls = ColumnText(s, 6);
  e.direction = ColumnText(s, 7);
  e.rule = ColumnText(s, 8);
  e.confidence = sqlite3_column_double(s, 9);
  if (!IsNull(s, 10)) {
    e.box = events::Box{sqlite3_column_double(s, 10), sqlite3_column_double(s, 11),
                        sqlite3_column_double(s, 12), sqlite3_column_double(s, 13)};
  }
  if (!IsNull(s, 14)) {
    e.position = events::LatLon{sqlite3_column_double(s, 14), sqlite3_column_double(s, 15)};
  }
  e.wall = sqlite3_column_double(s, 16);
  e.detail = ColumnText(s, 17);
  return e;
}

void BindText(sqlite3_stmt* s, int idx, const std::string& v) {
  sqlite3_bind_text(s, idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void BindOptDouble(sqlite3_stmt* s, int idx, bool present, double v) {
  if (present) {
    sqlite3_bind_double(s, idx, v);
  } else {
    sqlite3_bind_null(s, idx);
  }
}

std::string EventOp(std::string_view verb, const events::Event& e) {
  return std::string(verb) + " " + e.type + " event, camera " + e.camera;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, DbPtr db) : path_(std::move(path)), db_(std::move(db)) {}

  // Prepares the statements every call reuses. Called once by OpenSqliteStore.
  Status Init() {
    const std::string cols(kEventColumns);
    WL_RETURN_IF_ERROR(Prepare(
        "INSERT INTO events (type, camera, t, end_t, track, cls, direction, rule, confidence, "
        "box_x, box_y, box_w, box_h, lat, lon, wall, detail) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        &insert_));
    WL_RETURN_IF_ERROR(Prepare("SELECT " + cols + " FROM events WHERE id = ?1", &get_));
    WL_RETURN_IF_ERROR(Prepare("SELECT t FROM events WHERE id = ?1", &get_t_));
    WL_RETURN_IF_ERROR(Prepare("UPDATE events SET end_t = ?2 WHERE id = ?1", &set_end_));
    WL_RETURN_IF_ERROR(Prepare("SELECT count(*) FROM events", &count_));
    WL_RETURN_IF_ERROR(
        Prepare("INSERT INTO camera_state (camera, state, cause, since_wall, updated_wall) "
                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (camera) DO UPDATE SET "
                "state = excluded.state, cause = excluded.cause, since_wall = excluded.since_wall, "
                "updated_wall = excluded.updated_wall",
                &upsert_state_));
    WL_RETURN_IF_ERROR(Prepare(
        "SELECT camera, state, cause, since_wall, updated_wall FROM camera_state ORDER BY camera",
        &list_states_));
    WL_RETURN_IF_ERROR(
        Prepare("INSERT INTO changes (kind, event_id, wall) VALUES (?1, ?2, ?3)", &journal_));
    return Status::Ok();
  }

  Status Append(events::Event* e) override {
    WL_RETURN_IF_ERROR(ValidateForAppend(*e));
    std::lock_guard<std::mutex> lock(mu_);
    sqlite3_stmt* s = insert_.get();
    ScopedReset reset(s);
    BindText(s, 1, e->type);
    BindText(s, 2, e->camera);
    sqlite3_bind_double(s, 3, e->t);
    BindOptDouble(s, 4, e->end.has_value(), e->end.value_or(0));
    sqlite3_bind_int64(s, 5, e->track);
    BindText(s, 6, e->cls);
    BindText(s, 7, e->direction);
    BindText(s, 8, e->rule);
    sqlite3_bind_double(s, 9, e->confidence);
    const events::Box box = e->box.value_or(events::Box{});
    BindOptDouble(s, 10, e->box.has_value(), box.x);
    BindOptDouble(s, 11, e->box.has_value(), box.y);
    BindOptDouble(s, 12, e->box.has_value(), box.w);
    BindOptDouble(s, 13, e->box.has_value(), box.h);
    const events::LatLon pos = e->position.value_or(events::LatLon{});
    BindOptDouble(s, 14, e->position.has_value(), pos.lat);
    BindOptDouble(s, 15, e->position.has_value(), pos.lon);
    sqlite3_bind_double(s, 16, e->wall);
    BindText(s, 17, e->detail);
    // One transaction for the event and its journal row, committed (WAL
    // fsynced, synchronous=FULL) at COMMIT.
    const std::string op = EventOp("append", *e);
    WL_RETURN_IF_ERROR(ExecLocked("BEGIN IMMEDIATE", op));
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Fail(rc, op);
    const int64_t id = sqlite3_last_insert_rowid(db_.get());
    WL_RETURN_IF_ERROR(JournalLocked("event", id, e->wall, op));
    WL_RETURN_IF_ERROR(ExecLocked("COMMIT", op));
    e->id = id;
    return Status::Ok();
  }

  Status SetEnd(int64_t id, double end) override {
    const std::string op = "set end of event " + std::to_string(id);
    if (!std::isfinite(end)) {
      return Status::InvalidArgument(path_ + ": " + op + ": end is not finite");
    }
    std::lock_guard<std::mutex> lock(mu_);
    double t = 0;
    {
      sqlite3_stmt* s = get_t_.get();
      ScopedReset reset(s);
      sqlite3_bind_int64(s, 1, id);
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE)
        return Status::NotFound(path_ + ": no event with id " + std::to_string(id));
      if (rc != SQLITE_ROW) return Fail(rc, op);
      t = sqlite3_column_double(s, 0);
    }
    if (end < t) {
      return Status::InvalidArgument(path_ + ": " + op + ": end " + std::to_string(end) +
                                     " s is before its start " + std::to_string(t) + " s");
    }
    sqlite3_stmt* s = set_end_.get();
    ScopedReset reset(s);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_double(s, 2, end);
    WL_RETURN_IF_ERROR(ExecLocked("BEGIN IMMEDIATE", op));
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Fail(rc, op);
    WL_RETURN_IF_ERROR(JournalLocked("update", id, NowWall(), op));
    return ExecLocked("COMMIT", op);
  }

  Result<std::vector<events::Event>> Query(const EventFilter& f) override {
    WL_RETURN_IF_ERROR(ValidateFilter(f));
    // The WHERE clause is built from the filters present so that SQLite can
    // pick the matching index; the values themselves are always bound.
    std::string sql = "SELECT " + std::string(kEventColumns) + " FROM events WHERE id > ?1";
    if (f.from_wall) sql += " AND wall >= ?2";
    if (f.to_wall) sql += " AND wall < ?3";
    if (f.camera) sql += " AND camera = ?4";
    if (f.type) sql += " AND type = ?5";
    if (f.open_only) sql += *f.open_only ? " AND end_t IS NULL" : " AND end_t IS NOT NULL";
    if (f.health) {
      sql += *f.health ? " AND type >= 'camera_' AND type < 'camera`'"
                       : " AND (type < 'camera_' OR type >= 'camera`')";
    }
    if (f.ack_state) {
      sql += *f.ack_state == "new" ? " AND id NOT IN (SELECT event_id FROM event_acks)"
                                   : " AND id IN (SELECT event_id FROM event_acks WHERE state = ?7)";
    }
    if (f.before_id > 0) sql += " AND id < ?8";
    sql += f.newest_first ? " ORDER BY id DESC LIMIT ?6" : " ORDER BY id LIMIT ?6";

    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare(sql, &stmt));
    sqlite3_stmt* s = stmt.get();
    sqlite3_bind_int64(s, 1, f.after_id);
    if (f.from_wall) sqlite3_bind_double(s, 2, *f.from_wall);
    if (f.to_wall) sqlite3_bind_double(s, 3, *f.to_wall);
    if (f.camera) BindText(s, 4, *f.camera);
    if (f.type) BindText(s, 5, *f.type);
    sqlite3_bind_int(s, 6, f.limit);
    if (f.ack_state && *f.ack_state != "new") BindText(s, 7, *f.ack_state);
    if (f.before_id > 0) sqlite3_bind_int64(s, 8, f.before_id);
    std::vector<events::Event> out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(RowToEvent(s));
    if (rc != SQLITE_DONE) return Fail(rc, "query events");
    return out;
  }

  Result<events::Event> Get(int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite3_stmt* s = get_.get();
    ScopedReset reset(s);
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
      return Status::NotFound(path_ + ": no event with id " + std::to_string(id));
    if (rc != SQLITE_ROW) return Fail(rc, "get event " + std::to_string(id));
    return RowToEvent(s);
  }

  Result<int64_t> Count() override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite3_stmt* s = count_.get();
    ScopedReset reset(s);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) return Fail(rc, "count events");
    return static_cast<int64_t>(sqlite3_column_int64(s, 0));
  }

  Status UpsertCameraState(const CameraState& cs) override {
    WL_RETURN_IF_ERROR(ValidateCameraState(cs));
    std::lock_guard<std::mutex> lock(mu_);
    sqlite3_stmt* s = upsert_state_.get();
    ScopedReset reset(s);
    BindText(s, 1, cs.camera);
    BindText(s, 2, cs.state);
    BindText(s, 3, cs.cause);
    sqlite3_bind_double(s, 4, cs.since_wall);
    sqlite3_bind_double(s, 5, cs.updated_wall);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Fail(rc, "store state of camera " + cs.camera);
    return Status::Ok();
  }

  Result<std::vector<CameraState>> ListCameraStates() override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite3_stmt* s = list_states_.get();
    ScopedReset reset(s);
    std::vector<CameraState> out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      out.push_back(CameraState{ColumnText(s, 0), ColumnText(s, 1), ColumnText(s, 2),
                                sqlite3_column_double(s, 3), sqlite3_column_double(s, 4)});
    }
    if (rc != SQLITE_DONE) return Fail(rc, "list camera states");
    return out;
  }

  Status SetAck(const EventAck& a) override {
    const std::string op = "acknowledge event " + std::to_string(a.event_id);
    if (a.state != "acknowledged" && a.state != "resolved") {
      return Status::InvalidArgument(op + ": state '" + a.state +
                                     "' is not acknowledged or resolved");
    }
    if (!a.classification.empty() && a.classification != "true_alarm" &&
        a.classification != "false_alarm" && a.classification != "nuisance") {
      return Status::InvalidArgument(op + ": classification '" + a.classification +
                                     "' is not true_alarm, false_alarm or nuisance");
    }
    if (!std::isfinite(a.wall)) return Status::InvalidArgument(op + ": wall is not finite");
    std::lock_guard<std::mutex> lock(mu_);
    {
      sqlite3_stmt* s = get_t_.get();
      ScopedReset reset(s);
      sqlite3_bind_int64(s, 1, a.event_id);
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE)
        return Status::NotFound(path_ + ": no event with id " + std::to_string(a.event_id));
      if (rc != SQLITE_ROW) return Fail(rc, op);
    }
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare(
        "INSERT OR REPLACE INTO event_acks (event_id, state, classification, comment, user, wall) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &stmt));
    sqlite3_stmt* s = stmt.get();
    sqlite3_bind_int64(s, 1, a.event_id);
    BindText(s, 2, a.state);
    BindText(s, 3, a.classification);
    BindText(s, 4, a.comment);
    BindText(s, 5, a.user);
    sqlite3_bind_double(s, 6, a.wall);
    WL_RETURN_IF_ERROR(ExecLocked("BEGIN IMMEDIATE", op));
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Fail(rc, op);
    WL_RETURN_IF_ERROR(JournalLocked("ack", a.event_id, a.wall, op));
    return ExecLocked("COMMIT", op);
  }

  Result<std::vector<EventAck>> GetAcks(const std::vector<int64_t>& ids) override {
    std::vector<EventAck> out;
    if (ids.empty()) return out;
    std::string sql =
        "SELECT event_id, state, classification, comment, user, wall FROM event_acks WHERE "
        "event_id IN (";
    for (size_t i = 0; i < ids.size(); ++i) sql += (i ? ",?" : "?");
    sql += ") ORDER BY event_id";
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare(sql, &stmt));
    for (size_t i = 0; i < ids.size(); ++i)
      sqlite3_bind_int64(stmt.get(), static_cast<int>(i + 1), ids[i]);
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      sqlite3_stmt* s = stmt.get();
      out.push_back(EventAck{sqlite3_column_int64(s, 0), ColumnText(s, 1), ColumnText(s, 2),
                             ColumnText(s, 3), ColumnText(s, 4), sqlite3_column_double(s, 5)});
    }
    if (rc != SQLITE_DONE) return Fail(rc, "read acknowledgements");
    return out;
  }

  Result<std::vector<Change>> ListChanges(int64_t after_seq, int limit) override {
    if (limit < 1 || limit > kMaxQueryLimit)
      return Status::InvalidArgument("change list limit " + std::to_string(limit) +
                                     " is outside 1.." + std::to_string(kMaxQueryLimit));
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare(
        "SELECT seq, kind, event_id, wall FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        &stmt));
    sqlite3_bind_int64(stmt.get(), 1, after_seq);
    sqlite3_bind_int(stmt.get(), 2, limit);
    std::vector<Change> out;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      sqlite3_stmt* s = stmt.get();
      out.push_back(Change{sqlite3_column_int64(s, 0), ColumnText(s, 1),
                           sqlite3_column_int64(s, 2), sqlite3_column_double(s, 3)});
    }
    if (rc != SQLITE_DONE) return Fail(rc, "list changes");
    return out;
  }

  Result<int64_t> LastChangeSeq() override {
    std::lock_guard<std::mutex> lock(mu_);
    return QueryIntLocked("SELECT coalesce(max(seq), 0) FROM changes", "last change seq");
  }

  Status CreateUser(const User& u) override {
    WL_RETURN_IF_ERROR(ValidateUser(u));
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare(
        "INSERT INTO users (name, role, pw_hash, created_wall) VALUES (?1, ?2, ?3, ?4)", &stmt));
    BindText(stmt.get(), 1, u.name);
    BindText(stmt.get(), 2, u.role);
    BindText(stmt.get(), 3, u.pw_hash);
    sqlite3_bind_double(stmt.get(), 4, u.created_wall);
    int rc = sqlite3_step(stmt.get());
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
      return Status::InvalidArgument("user '" + u.name + "' already exists");
    if (rc != SQLITE_DONE) return Fail(rc, "create user " + u.name);
    return Status::Ok();
  }

  Result<User> GetUser(const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(
        Prepare("SELECT name, role, pw_hash, created_wall FROM users WHERE name = ?1", &stmt));
    BindText(stmt.get(), 1, name);
    int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) return Status::NotFound("no user '" + name + "'");
    if (rc != SQLITE_ROW) return Fail(rc, "get user " + name);
    sqlite3_stmt* s = stmt.get();
    return User{ColumnText(s, 0), ColumnText(s, 1), ColumnText(s, 2), sqlite3_column_double(s, 3)};
  }

  Result<std::vector<User>> ListUsers() override {
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(
        Prepare("SELECT name, role, pw_hash, created_wall FROM users ORDER BY name", &stmt));
    std::vector<User> out;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      sqlite3_stmt* s = stmt.get();
      out.push_back(
          User{ColumnText(s, 0), ColumnText(s, 1), ColumnText(s, 2), sqlite3_column_double(s, 3)});
    }
    if (rc != SQLITE_DONE) return Fail(rc, "list users");
    return out;
  }

  Status UpdateUser(const User& u) override {
    WL_RETURN_IF_ERROR(ValidateUser(u));
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare("UPDATE users SET role = ?2, pw_hash = ?3 WHERE name = ?1", &stmt));
    BindText(stmt.get(), 1, u.name);
    BindText(stmt.get(), 2, u.role);
    BindText(stmt.get(), 3, u.pw_hash);
    int rc = sqlite3_step(stmt.get());
    if (rc != SQLITE_DONE) return Fail(rc, "update user " + u.name);
    if (sqlite3_changes(db_.get()) == 0) return Status::NotFound("no user '" + u.name + "'");
    return Status::Ok();
  }

  Status DeleteUser(const std::string& name) override {
    const std::string op = "delete user " + name;
    std::lock_guard<std::mutex> lock(mu_);
    WL_RETURN_IF_ERROR(ExecLocked("BEGIN IMMEDIATE", op));
    StmtPtr del, rev;
    WL_RETURN_IF_ERROR(Prepare("DELETE FROM users WHERE name = ?1", &del));
    BindText(del.get(), 1, name);
    int rc = sqlite3_step(del.get());
    if (rc != SQLITE_DONE) return Fail(rc, op);
    if (sqlite3_changes(db_.get()) == 0) {
      ExecLocked("ROLLBACK", op);
      return Status::NotFound("no user '" + name + "'");
    }
    WL_RETURN_IF_ERROR(Prepare("UPDATE credentials SET revoked = 1 WHERE user = ?1", &rev));
    BindText(rev.get(), 1, name);
    rc = sqlite3_step(rev.get());
    if (rc != SQLITE_DONE) return Fail(rc, op);
    return ExecLocked("COMMIT", op);
  }

  Status CreateCredential(const Credential& c) override {
    if (c.token_hash.empty() || c.user.empty() || (c.kind != "session" && c.kind != "token"))
      return Status::InvalidArgument("credential needs a hash, a user and kind session|token");
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare(
        "INSERT INTO credentials (token_hash, user, kind, label, created_wall, expires_wall, "
        "revoked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &stmt));
    sqlite3_stmt* s = stmt.get();
    BindText(s, 1, c.token_hash);
    BindText(s, 2, c.user);
    BindText(s, 3, c.kind);
    BindText(s, 4, c.label);
    sqlite3_bind_double(s, 5, c.created_wall);
    sqlite3_bind_double(s, 6, c.expires_wall);
    sqlite3_bind_int(s, 7, c.revoked ? 1 : 0);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Fail(rc, "create credential of user " + c.user);
    return Status::Ok();
  }

  Result<Credential> GetCredential(const std::string& token_hash) override {
    WL_ASSIGN_OR_RETURN(std::vector<Credential> v,
                        ReadCredentials("token_hash = ?1", token_hash));
    if (v.empty()) return Status::NotFound("no such credential");
    return v.front();
  }

  Status RevokeCredential(const std::string& token_hash) override {
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare("UPDATE credentials SET revoked = 1 WHERE token_hash = ?1", &stmt));
    BindText(stmt.get(), 1, token_hash);
    int rc = sqlite3_step(stmt.get());
    if (rc != SQLITE_DONE) return Fail(rc, "revoke credential");
    if (sqlite3_changes(db_.get()) == 0) return Status::NotFound("no such credential");
    return Status::Ok();
  }

  Status RevokeUserCredentials(const std::string& user) override {
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare("UPDATE credentials SET revoked = 1 WHERE user = ?1", &stmt));
    BindText(stmt.get(), 1, user);
    int rc = sqlite3_step(stmt.get());
    if (rc != SQLITE_DONE) return Fail(rc, "revoke credentials of user " + user);
    return Status::Ok();
  }

  Result<std::vector<Credential>> ListCredentials(const std::string& user) override {
    if (user.empty()) return ReadCredentials("1 = 1", "");
    return ReadCredentials("user = ?1", user);
  }

  Status AppendAudit(AuditEntry* a) override {
    if (a->id != 0) return Status::InvalidArgument("audit entry already has an id");
    if (a->action.empty()) return Status::InvalidArgument("audit entry has no action");
    if (!std::isfinite(a->wall)) return Status::InvalidArgument("audit entry wall is not finite");
    const std::string op = "append audit " + a->action;
    std::lock_guard<std::mutex> lock(mu_);
    WL_RETURN_IF_ERROR(ExecLocked("BEGIN IMMEDIATE", op));
    // The next id: AUTOINCREMENT never reuses one, so take it from sqlite_sequence.
    auto last = QueryIntLocked("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = "
                               "'audit'), 0)",
                               op);
    if (!last.ok()) {
      ExecLocked("ROLLBACK", op);
      return last.status();
    }
    StmtPtr prev;
    WL_RETURN_IF_ERROR(Prepare("SELECT hash FROM audit ORDER BY id DESC LIMIT 1", &prev));
    int rc = sqlite3_step(prev.get());
    std::string prev_hash = rc == SQLITE_ROW ? ColumnText(prev.get(), 0) : std::string();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Fail(rc, op);
    prev.reset();
    AuditEntry row = *a;
    row.id = *last + 1;
    row.prev_hash = prev_hash;
    row.hash = AuditHash(prev_hash, row);
    StmtPtr ins;
    WL_RETURN_IF_ERROR(Prepare(
        "INSERT INTO audit (id, wall, actor, action, target, detail, prev_hash, hash) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &ins));
    sqlite3_stmt* s = ins.get();
    sqlite3_bind_int64(s, 1, row.id);
    sqlite3_bind_double(s, 2, row.wall);
    BindText(s, 3, row.actor);
    BindText(s, 4, row.action);
    BindText(s, 5, row.target);
    BindText(s, 6, row.detail);
    BindText(s, 7, row.prev_hash);
    BindText(s, 8, row.hash);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Fail(rc, op);
    WL_RETURN_IF_ERROR(ExecLocked("COMMIT", op));
    *a = row;
    return Status::Ok();
  }

  Result<std::vector<AuditEntry>> ListAudit(int64_t after_id, int limit) override {
    if (limit < 1 || limit > kMaxQueryLimit)
      return Status::InvalidArgument("audit list limit " + std::to_string(limit) +
                                     " is outside 1.." + std::to_string(kMaxQueryLimit));
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare(
        "SELECT id, wall, actor, action, target, detail, prev_hash, hash FROM audit WHERE id > ?1 "
        "ORDER BY id LIMIT ?2",
        &stmt));
    sqlite3_bind_int64(stmt.get(), 1, after_id);
    sqlite3_bind_int(stmt.get(), 2, limit);
    std::vector<AuditEntry> out;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      sqlite3_stmt* s = stmt.get();
      out.push_back(AuditEntry{sqlite3_column_int64(s, 0), sqlite3_column_double(s, 1),
                               ColumnText(s, 2), ColumnText(s, 3), ColumnText(s, 4),
                               ColumnText(s, 5), ColumnText(s, 6), ColumnText(s, 7)});
    }
    if (rc != SQLITE_DONE) return Fail(rc, "list audit");
    return out;
  }

  Result<int64_t> LastAuditId() override {
    std::lock_guard<std::mutex> lock(mu_);
    return QueryIntLocked(
        "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0)",
        "last audit id");
  }

 private:
  static Status ValidateUser(const User& u) {
    if (u.name.empty() || u.name.size() > 64 ||
        u.name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
            std::string::npos) {
      return Status::InvalidArgument("user name '" + u.name +
                                     "' must be 1..64 letters, digits, '_', '.' or '-'");
    }
    if (u.role != "viewer" && u.role != "operator" && u.role != "admin") {
      return Status::InvalidArgument("role '" + u.role + "' of user " + u.name +
                                     " is not viewer, operator or admin");
    }
    if (u.pw_hash.empty()) return Status::InvalidArgument("user " + u.name + " has no password hash");
    return Status::Ok();
  }

  Result<std::vector<Credential>> ReadCredentials(const std::string& where,
                                                  const std::string& arg) {
    std::lock_guard<std::mutex> lock(mu_);
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare(
        "SELECT token_hash, user, kind, label, created_wall, expires_wall, revoked FROM "
        "credentials WHERE " + where + " ORDER BY created_wall DESC",
        &stmt));
    if (!arg.empty()) BindText(stmt.get(), 1, arg);
    std::vector<Credential> out;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      sqlite3_stmt* s = stmt.get();
      out.push_back(Credential{ColumnText(s, 0), ColumnText(s, 1), ColumnText(s, 2),
                               ColumnText(s, 3), sqlite3_column_double(s, 4),
                               sqlite3_column_double(s, 5), sqlite3_column_int(s, 6) != 0});
    }
    if (rc != SQLITE_DONE) return Fail(rc, "read credentials");
    return out;
  }

  static double NowWall() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // REQUIRES: mu_ held.
  Status ExecLocked(const char* sql, const std::string& op) {
    int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Fail(rc, op);
    return Status::Ok();
  }

  // REQUIRES: mu_ held.
  Result<int64_t> QueryIntLocked(const char* sql, const std::string& op) {
    StmtPtr stmt;
    WL_RETURN_IF_ERROR(Prepare(sql, &stmt));
    int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) return int64_t{0};
    if (rc != SQLITE_ROW) return Fail(rc, op);
    return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
  }

  // Writes one change row inside the caller's transaction.
  // REQUIRES: mu_ held, a transaction open.
  Status JournalLocked(const char* kind, int64_t event_id, double wall, const std::string& op) {
    sqlite3_stmt* s = journal_.get();
    ScopedReset reset(s);
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, event_id);
    sqlite3_bind_double(s, 3, std::isfinite(wall) ? wall : 0);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Fail(rc, op);
    return Status::Ok();
  }

  // REQUIRES: mu_ held, or the store not yet shared (Init).
  Status Prepare(const std::string& sql, StmtPtr* out) {
    sqlite3_stmt* raw = nullptr;
    int rc =
        sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
    out->reset(raw);
    if (rc != SQLITE_OK) return SqliteStatus(rc, db_.get(), path_, "prepare statement");
    return Status::Ok();
  }

  // Translates a failed step. A failure inside an autocommit statement rolls
  // back by itself in most cases; for the rest (e.g. some disk-full and I/O
  // errors) roll back here so the connection does not stay stuck in a
  // half-done transaction.
  // REQUIRES: mu_ held.
  Status Fail(int rc, const std::string& op) {
    Status s = SqliteStatus(rc, db_.get(), path_, op);
    if (sqlite3_get_autocommit(db_.get()) == 0) {
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    return s;
  }

  const std::string path_;
  std::mutex mu_;
  // The connection and its statements: all GUARDED_BY(mu_). db_ is declared
  // first so that the statements are finalized before it closes.
  DbPtr db_;
  StmtPtr insert_, get_, get_t_, set_end_, count_, upsert_state_, list_states_, journal_;
};

// Runs a PRAGMA and returns the text of its first result column ("" if none).
Result<std::string> Pragma(sqlite3* db, const std::string& path, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db, path, sql);
  rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return SqliteStatus(rc, db, path, sql);
  return ColumnText(stmt.get(), 0);
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const SqliteStoreOptions& options) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) {
    return Status::InvalidArgument("event store path '" + path +
                                   "' must name a file (in-memory databases cannot use WAL)");
  }
  if (!(options.busy_timeout_s >= 0) || options.max_db_bytes < 0) {
    return Status::InvalidArgument(path + ": busy_timeout_s and max_db_bytes must be >= 0");
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Status::IOError(path + ": cannot create directory " + parent.string() + ": " +
                             ec.message());
    }
  }

  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  DbPtr db(raw);  // open_v2 allocates a handle even on failure; it must be closed
  if (rc != SQLITE_OK) return SqliteStatus(rc, db.get(), path, "open");
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), static_cast<int>(std::lround(options.busy_timeout_s * 1000.0)));

  // The first statement reads the header: a file that is not a database fails
  // here with SQLITE_NOTADB -> Corruption.
  WL_ASSIGN_OR_RETURN(std::string mode, Pragma(db.get(), path, "PRAGMA journal_mode = WAL"));
  if (mode != "wal") {
    return Status::IOError(path + ": cannot switch to WAL journal mode (got '" + mode +
                           "'); is the file system one that supports shared memory?");
  }
  // FULL: the WAL is fsynced at every commit, so a commit survives power loss
  // and not only a process crash (NORMAL would only promise the latter).
  WL_ASSIGN_OR_RETURN(std::string ignored, Pragma(db.get(), path, "PRAGMA synchronous = FULL"));
  if (options.max_db_bytes > 0) {
    WL_ASSIGN_OR_RETURN(std::string page_size, Pragma(db.get(), path, "PRAGMA page_size"));
    const int64_t pages = std::max<int64_t>(
        1,
        options.max_db_bytes / std::max<int64_t>(1, std::strtoll(page_size.c_str(), nullptr, 10)));
    WL_ASSIGN_OR_RETURN(ignored,
                        Pragma(db.get(), path, "PRAGMA max_page_count = " + std::to_string(pages)));
  }

  WL_RETURN_IF_ERROR(ApplyMigrations(db.get(), path, SqliteMigrations()));

  auto store = std::make_unique<SqliteStore>(path, std::move(db));
  WL_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace watchline::store
