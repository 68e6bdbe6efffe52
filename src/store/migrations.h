// Numbered schema migrations of the SQLite store.
//
// The table schema_migrations(version, applied_at, description) records each
// migration applied to a database file. Migration N runs exactly once per
// file, in its own transaction, after migrations 1..N-1; a file that records
// a version newer than this code knows is refused rather than guessed at.
// To change the schema, append a migration; never edit a released one.
//
// Thread safety: the functions take a connection the caller uses from one
// thread at a time. Several processes may migrate the same file at once: each
// migration re-checks the version under an IMMEDIATE (write-locked) transaction.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

struct sqlite3;

namespace watchline::store {

struct Migration {
  int version;                   // 1, 2, 3, ... with no gaps
  std::string_view description;  // one line, kept in schema_migrations
  std::string_view sql;          // one or more statements
};

// The SQLite store's migrations, in version order.
std::span<const Migration> SqliteMigrations();

// The newest schema version this code knows: SqliteMigrations().back().version.
int LatestSqliteSchemaVersion();

// The schema version recorded in db: 0 for a new, empty file.
// InvalidArgument when the file holds tables but no schema_migrations (some
// other application's database). path only names the file in messages.
Result<int> ReadSchemaVersion(sqlite3* db, const std::string& path);

// Brings db up to the last of migrations. InvalidArgument when db records a
// version newer than the last migration; Internal when the versions are not
// 1..N; SQLite errors are translated (sqlite_error.h) and name the migration.
// A failing migration is rolled back whole and leaves the version as it was.
Status ApplyMigrations(sqlite3* db, const std::string& path, std::span<const Migration> migrations);

}  // namespace watchline::store
