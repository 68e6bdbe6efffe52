// The SQLite backend: the shared Store suite, plus what only a file-backed
// store has (WAL, corrupt files, disk full, locks held by other processes).
#include "store/sqlite_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "store/sqlite_test_util.h"
#include "store/store_test.h"

namespace watchline::store {
namespace {

StoreBackend SqliteBackend() {
  return StoreBackend{"Sqlite",
                      [](const std::string& dir) { return OpenSqliteStore(dir + "/events.db"); }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest, ::testing::Values(SqliteBackend()), BackendName);
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreCrashTest, ::testing::Values(SqliteBackend()), BackendName);

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return dir_.path() + "/events.db"; }
  ScopedTempDir dir_;
};

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

TEST_F(SqliteStoreTest, CreatesParentDirectoriesAndUsesWal) {
  const std::string path = dir_.path() + "/var/site/events.db";
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  events::Event e = MakeEvent(1);
  ASSERT_TRUE((*store)->Append(&e).ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  RawDb raw(path);
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM events"), 1);
}

TEST_F(SqliteStoreTest, GarbageFileIsCorruptionNamingThePath) {
  std::mt19937 rng(7);
  std::string garbage(64 * 1024, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  WriteFile(DbPath(), garbage);
  auto store = OpenSqliteStore(DbPath());
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().IsCorruption()) << store.status().ToString();
  EXPECT_NE(store.status().message().find(DbPath()), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find("not a database"), std::string::npos)
      << store.status().message();
}

TEST_F(SqliteStoreTest, TextFileIsCorruption) {
  WriteFile(DbPath(), "site: {name: demo}\n# this is a YAML file, not a database\n");
  auto store = OpenSqliteStore(DbPath());
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().IsCorruption()) << store.status().ToString();
}

// A valid header over damaged pages: SQLite only notices when it reads them.
// Whichever call does must report Corruption with the path, never crash.
TEST_F(SqliteStoreTest, DamagedPagesAreCorruptionNotACrash) {
  {
    auto store = OpenSqliteStore(DbPath());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 0; i < 300; ++i) {
      events::Event e = MakeEvent(i);
      ASSERT_TRUE((*store)->Append(&e).ok());
    }
  }  // closing checkpoints the WAL into the main file
  const auto size = std::filesystem::file_size(DbPath());
  ASSERT_GT(size, 8 * 4096u);
  {
    std::fstream f(DbPath(), std::ios::binary | std::ios::in | std::ios::out);
    std::mt19937 rng(11);
    std::string garbage(size - 4096, '\0');
    for (char& c : garbage) c = static_cast<char>(rng());
    f.seekp(4096);  // keep page 1 (header and schema), trash the rest
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    ASSERT_TRUE(f.good());
  }
  auto store = OpenSqliteStore(DbPath());
  Status s = store.status();
  if (store.ok()) {
    EventFilter all;
    all.limit = kMaxQueryLimit;
    s = (*store)->Query(all).status();
  }
  ASSERT_FALSE(s.ok()) << "reading trashed pages succeeded";
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(DbPath()), std::string::npos) << s.message();
}

TEST_F(SqliteStoreTest, DiskFullIsIOErrorNamingThePathAndKeepsEarlierEvents) {
  SqliteStoreOptions opts;
  // Room for the schema's pages (every migration) plus some events.
  opts.max_db_bytes = 128 * 1024;
  auto store = OpenSqliteStore(DbPath(), opts);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<events::Event> stored;
  Status failure;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    events::Event e = MakeEvent(i);
    e.detail = std::string(500, 'x');
    failure = (*store)->Append(&e);
    if (failure.ok()) {
      stored.push_back(e);
    } else {
      EXPECT_EQ(e.id, 0) << "a failed Append must not assign an id";
    }
  }
  ASSERT_FALSE(failure.ok()) << "64 KiB cap never reached";
  EXPECT_EQ(failure.code(), Status::Code::kIOError) << failure.ToString();
  EXPECT_NE(failure.message().find(DbPath() + ": database or disk is full"), std::string::npos)
      << failure.message();
  ASSERT_FALSE(stored.empty());
  // The store stays usable, and what was committed reads back whole.
  auto n = (*store)->Count();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, static_cast<int64_t>(stored.size()));
  for (const auto& e : stored) EXPECT_TRUE(SameEvent(e, *(*store)->Get(e.id)));
}

TEST_F(SqliteStoreTest, WriteLockHeldByAnotherProcessGivesUnavailableAfterTimeout) {
  SqliteStoreOptions opts;
  opts.busy_timeout_s = 0.05;
  auto store = OpenSqliteStore(DbPath(), opts);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  RawDb other(DbPath());
  ASSERT_EQ(other.Exec("BEGIN IMMEDIATE"), SQLITE_OK);
  events::Event e = MakeEvent(3);
  Status s = (*store)->Append(&e);
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_NE(s.message().find(DbPath()), std::string::npos) << s.message();
  // Reads still work under WAL while the other writer holds the lock.
  EXPECT_TRUE((*store)->Count().ok());
  ASSERT_EQ(other.Exec("COMMIT"), SQLITE_OK);
  EXPECT_TRUE((*store)->Append(&e).ok());
}

TEST_F(SqliteStoreTest, ForeignDatabaseIsRefusedAndLeftAlone) {
  {
    RawDb other(DbPath());
    ASSERT_EQ(other.Exec("CREATE TABLE recipes (name TEXT)"), SQLITE_OK);
  }
  auto store = OpenSqliteStore(DbPath());
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().IsInvalidArgument()) << store.status().ToString();
  EXPECT_NE(store.status().message().find("not a watchline event store"), std::string::npos);
  RawDb check(DbPath());
  EXPECT_EQ(check.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'events'"), 0);
}

TEST_F(SqliteStoreTest, PathsThatAreNotFilesAreRejected) {
  EXPECT_TRUE(OpenSqliteStore(":memory:").status().IsInvalidArgument());
  EXPECT_TRUE(OpenSqliteStore("").status().IsInvalidArgument());
  // The parent "directory" is a regular file.
  const std::string blocker = dir_.path() + "/blocker";
  WriteFile(blocker, "x");
  auto store = OpenSqliteStore(blocker + "/events.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kIOError) << store.status().ToString();
  EXPECT_NE(store.status().message().find(blocker), std::string::npos);
  // The path is a directory.
  store = OpenSqliteStore(dir_.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kIOError) << store.status().ToString();
}

}  // namespace
}  // namespace watchline::store
