#include "store/migrations.h"

#include <sqlite3.h>

#include <array>
#include <memory>

#include "store/sqlite_error.h"

namespace watchline::store {

namespace {

// Column notes: "end" is an SQL keyword, hence end_t. Text fields that the
// Event keeps as "" when unset are stored as '' (not NULL) so that they
// round-trip exactly. box_* and lat/lon are all NULL when the event has no
// box / position. AUTOINCREMENT keeps ids from ever being reused: the
// notifier outbox and API clients refer to events by id.
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  type       TEXT    NOT NULL,
  camera     TEXT    NOT NULL,
  t          REAL    NOT NULL,
  end_t      REAL,
  track      INTEGER NOT NULL DEFAULT -1,
  cls        TEXT    NOT NULL DEFAULT '',
  direction  TEXT    NOT NULL DEFAULT '',
  rule       TEXT    NOT NULL DEFAULT '',
  confidence REAL    NOT NULL DEFAULT 0,
  box_x REAL, box_y REAL, box_w REAL, box_h REAL,
  lat REAL, lon REAL,
  wall       REAL    NOT NULL DEFAULT 0,
  detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_camera_t ON events(camera, t);
CREATE INDEX events_type ON events(type);
CREATE INDEX events_wall ON events(wall);
CREATE TABLE camera_state (
  camera       TEXT PRIMARY KEY,
  state        TEXT NOT NULL,
  cause        TEXT NOT NULL DEFAULT '',
  since_wall   REAL NOT NULL,
  updated_wall REAL NOT NULL
);
)sql";

// The server's tables. changes is the live feed's journal (store.h Change);
// audit is append-only and hash-chained (store.h AuditEntry).
constexpr std::string_view kMigration2 = R"sql(
CREATE TABLE changes (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  kind     TEXT    NOT NULL,
  event_id INTEGER NOT NULL,
  wall     REAL    NOT NULL
);
CREATE TABLE event_acks (
  event_id       INTEGER PRIMARY KEY,
  state          TEXT NOT NULL,
  classification TEXT NOT NULL DEFAULT '',
  comment        TEXT NOT NULL DEFAULT '',
  user           TEXT NOT NULL DEFAULT '',
  wall           REAL NOT NULL
);
CREATE TABLE users (
  name         TEXT PRIMARY KEY,
  role         TEXT NOT NULL,
  pw_hash      TEXT NOT NULL,
  created_wall REAL NOT NULL
);
CREATE TABLE credentials (
  token_hash   TEXT PRIMARY KEY,
  user         TEXT NOT NULL,
  kind         TEXT NOT NULL,
  label        TEXT NOT NULL DEFAULT '',
  created_wall REAL NOT NULL,
  expires_wall REAL NOT NULL DEFAULT 0,
  revoked      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX credentials_user ON credentials(user);
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  wall      REAL NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  target    TEXT NOT NULL DEFAULT '',
  detail    TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
)sql";

constexpr std::array<Migration, 2> kSqliteMigrations = {{
    {1, "events and camera_state tables", kMigration1},
    {2, "change journal, acknowledgements, users, credentials, audit log", kMigration2},
}};

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

Status Exec(sqlite3* db, const std::string& path, const std::string& sql, std::string_view op) {
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db, path, op);
  return Status::Ok();
}

// Runs a query that yields one integer (0 when it yields no row or NULL).
Result<int64_t> QueryInt(sqlite3* db, const std::string& path, const char* sql,
                         std::string_view op) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db, path, op);
  rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return int64_t{0};
  if (rc != SQLITE_ROW) return SqliteStatus(rc, db, path, op);
  return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
}

Status NewerVersionError(const std::string& path, int found, int latest) {
  return Status::InvalidArgument(
      path + ": database schema version " + std::to_string(found) +
      " is newer than this watchline knows (" + std::to_string(latest) +
      "); it was written by a newer release: upgrade watchline or use another data_dir");
}

void RollbackQuietly(sqlite3* db) {
  if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace

std::span<const Migration> SqliteMigrations() { return kSqliteMigrations; }

int LatestSqliteSchemaVersion() { return kSqliteMigrations.back().version; }

Result<int> ReadSchemaVersion(sqlite3* db, const std::string& path) {
  WL_ASSIGN_OR_RETURN(int64_t has_table,
                      QueryInt(db, path,
                               "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                               "name = 'schema_migrations'",
                               "read schema version"));
  if (has_table == 0) {
    WL_ASSIGN_OR_RETURN(int64_t tables,
                        QueryInt(db, path,
                                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                 "name NOT LIKE 'sqlite_%'",
                                 "read schema version"));
    if (tables > 0) {
      return Status::InvalidArgument(path +
                                     ": not a watchline event store (it has tables but no "
                                     "schema_migrations); refusing to change it");
    }
    return 0;
  }
  WL_ASSIGN_OR_RETURN(
      int64_t version,
      QueryInt(db, path, "SELECT max(version) FROM schema_migrations", "read schema version"));
  return static_cast<int>(version);
}

Status ApplyMigrations(sqlite3* db, const std::string& path,
                       std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Status::Internal("store migrations are not numbered 1..N: entry " + std::to_string(i) +
                              " has version " + std::to_string(migrations[i].version));
    }
  }
  const int latest = static_cast<int>(migrations.size());

  // Cheap path, without a write lock: most opens find the schema current.
  WL_ASSIGN_OR_RETURN(int current, ReadSchemaVersion(db, path));
  if (current > latest) return NewerVersionError(path, current, latest);
  if (current == latest) return Status::Ok();

  for (const Migration& m : migrations) {
    const std::string op =
        "migration " + std::to_string(m.version) + " (" + std::string(m.description) + ")";
    // IMMEDIATE takes the write lock before reading the version, so two
    // processes opening a new file do not both run the same migration.
    WL_RETURN_IF_ERROR(Exec(db, path, "BEGIN IMMEDIATE", op));
    Status s = [&]() -> Status {
      WL_RETURN_IF_ERROR(Exec(db, path,
                              "CREATE TABLE IF NOT EXISTS schema_migrations ("
                              " version INTEGER PRIMARY KEY,"
                              " applied_at REAL NOT NULL,"
                              " description TEXT NOT NULL DEFAULT '')",
                              op));
      WL_ASSIGN_OR_RETURN(int64_t have,
                          QueryInt(db, path, "SELECT max(version) FROM schema_migrations", op));
      if (have >= m.version) return Status::Ok();  // another process got here first
      WL_RETURN_IF_ERROR(Exec(db, path, std::string(m.sql), op));
      sqlite3_stmt* raw = nullptr;
      int rc = sqlite3_prepare_v2(db,
                                  "INSERT INTO schema_migrations (version, applied_at, "
                                  "description) VALUES (?1, (julianday('now') - 2440587.5) * "
                                  "86400.0, ?2)",
                                  -1, &raw, nullptr);
      StmtPtr stmt(raw);
      if (rc != SQLITE_OK) return SqliteStatus(rc, db, path, op);
      sqlite3_bind_int(stmt.get(), 1, m.version);
      sqlite3_bind_text(stmt.get(), 2, m.description.data(), static_cast<int>(m.description.size()),
                        SQLITE_TRANSIENT);
      rc = sqlite3_step(stmt.get());
      if (rc != SQLITE_DONE) return SqliteStatus(rc, db, path, op);
      return Exec(db, path, "COMMIT", op);
    }();
    if (!s.ok()) {
      RollbackQuietly(db);
      return s;
    }
    if (sqlite3_get_autocommit(db) == 0) {  // the "another process" path above
      WL_RETURN_IF_ERROR(Exec(db, path, "COMMIT", op));
    }
  }
  // A newer release may have migrated the file while we waited for the lock.
  WL_ASSIGN_OR_RETURN(int now, ReadSchemaVersion(db, path));
  if (now > latest) return NewerVersionError(path, now, latest);
  return Status::Ok();
}

}  // namespace watchline::store
