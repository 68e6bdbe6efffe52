#include "store/sqlite_error.h"

#include <sqlite3.h>

#include <utility>

namespace watchline::store {

Status SqliteStatus(int rc, sqlite3* db, const std::string& path, std::string_view op) {
  // sqlite3_errmsg describes the most recent failure on db; fall back to the
  // generic text when there is no connection or it has moved on.
  std::string text = sqlite3_errstr(rc);
  if (db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == (rc & 0xff))
    text = sqlite3_errmsg(db);
  std::string msg = path + ": " + text + " (" + std::string(op) + ")";
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return Status::IOError(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return Status::InvalidArgument(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

}  // namespace watchline::store
