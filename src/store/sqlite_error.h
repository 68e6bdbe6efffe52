// Translation of SQLite result codes into Status, at the boundary between the
// SQLite library and the rest of watchline. Internal to the store module.
// Thread safety: stateless; the caller must hold whatever serialises use of db
// so that sqlite3_errmsg(db) still describes rc.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

struct sqlite3;

namespace watchline::store {

// "<path>: <SQLite message> (<op>)", e.g.
// "var/events.db: database or disk is full (append camera_offline event, camera c3)".
// Codes: FULL, IOERR*, CANTOPEN, READONLY, PERM, NOLFS -> IOError; CORRUPT,
// NOTADB -> Corruption; BUSY, LOCKED -> Unavailable; CONSTRAINT, MISMATCH,
// TOOBIG, RANGE -> InvalidArgument; everything else -> Internal.
// db may be null (then the generic text for rc is used).
Status SqliteStatus(int rc, sqlite3* db, const std::string& path, std::string_view op);

}  // namespace watchline::store
