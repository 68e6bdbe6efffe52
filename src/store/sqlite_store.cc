#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
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
    // Autocommit: this one statement is its own transaction, committed (WAL
    // fsynced, synchronous=FULL) when step returns DONE.
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Fail(rc, EventOp("append", *e));
    e->id = sqlite3_last_insert_rowid(db_.get());
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
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Fail(rc, op);
    return Status::Ok();
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
    sql += " ORDER BY id LIMIT ?6";

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

 private:
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
  StmtPtr insert_, get_, get_t_, set_end_, count_, upsert_state_, list_states_;
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
