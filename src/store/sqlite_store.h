// The SQLite backend of Store: the embedded default, one file per node
// (<data_dir>/events.db by convention).
//
// The file is in WAL mode with synchronous=FULL: each write method commits
// (and fsyncs the WAL) before it returns, so a committed event survives the
// process being killed. Readers never block the writer.
//
// Thread safety: the returned Store is safe to use from many threads; it owns
// one connection and serialises calls on it with a mutex (SQLite allows one
// writer at a time anyway, and reads here are short). Other processes may
// open the same file; a writer waits for them up to busy_timeout_s.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "store/store.h"

namespace watchline::store {

// How long a write waits for another process's write lock before failing
// with Unavailable, in seconds.
inline constexpr double kDefaultBusyTimeoutS = 5.0;

struct SqliteStoreOptions {
  double busy_timeout_s = kDefaultBusyTimeoutS;
  // A cap on the database file size in bytes; 0 = none. Past it, writes fail
  // with IOError "database or disk is full", exactly as when the disk is
  // full: sites may use it as a budget, and tests use it to reach that path.
  int64_t max_db_bytes = 0;
};

// Opens (creating if missing, with its parent directories) the store at path
// and applies pending migrations (migrations.h). Errors name path:
// Corruption for a file that is not an SQLite database or is damaged;
// InvalidArgument for a database written by a newer schema version or by
// another application; IOError when the file or its directory cannot be
// created or opened.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const SqliteStoreOptions& options = {});

}  // namespace watchline::store
