#include "store/migrations.h"

#include <gtest/gtest.h>

#include <vector>

#include "store/sqlite_store.h"
#include "store/sqlite_test_util.h"
#include "store/store_test.h"

namespace watchline::store {
namespace {

class MigrationsTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return dir_.path() + "/events.db"; }
  ScopedTempDir dir_;
};

TEST_F(MigrationsTest, SqliteMigrationsAreNumberedFromOneWithoutGaps) {
  auto ms = SqliteMigrations();
  ASSERT_FALSE(ms.empty());
  for (size_t i = 0; i < ms.size(); ++i) {
    EXPECT_EQ(ms[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(ms[i].description.empty());
    EXPECT_FALSE(ms[i].sql.empty());
  }
  EXPECT_EQ(LatestSqliteSchemaVersion(), static_cast<int>(ms.size()));
}

TEST_F(MigrationsTest, NewStoreRecordsEveryVersionOnceWithApplyTime) {
  {
    auto store = OpenSqliteStore(DbPath());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  RawDb raw(DbPath());
  const int latest = LatestSqliteSchemaVersion();
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM schema_migrations"), latest);
  EXPECT_EQ(raw.QueryInt("SELECT max(version) FROM schema_migrations"), latest);
  EXPECT_EQ(raw.QueryInt("SELECT min(version) FROM schema_migrations"), 1);
  // applied_at is wall time in seconds since the epoch (after 2023, before 2100).
  const double applied =
      raw.QueryDouble("SELECT applied_at FROM schema_migrations WHERE version = 1");
  EXPECT_GT(applied, 1.67e9);
  EXPECT_LT(applied, 4.1e9);
  // Migration 1 made the tables and indexes the store relies on.
  for (const char* name :
       {"events", "camera_state", "events_camera_t", "events_type", "events_wall"}) {
    EXPECT_EQ(
        raw.QueryInt(std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + name + "'"),
        1)
        << name;
  }
}

TEST_F(MigrationsTest, ReopenDoesNotRerunMigrations) {
  {
    auto store = OpenSqliteStore(DbPath());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  double applied_first = 0;
  {
    RawDb raw(DbPath());
    applied_first = raw.QueryDouble("SELECT applied_at FROM schema_migrations WHERE version = 1");
    // Mark the row: a re-run would fail on CREATE TABLE or add rows.
    ASSERT_EQ(raw.Exec("UPDATE schema_migrations SET description = 'marked' WHERE version = 1"),
              SQLITE_OK);
  }
  for (int i = 0; i < 2; ++i) {
    auto store = OpenSqliteStore(DbPath());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM schema_migrations"), LatestSqliteSchemaVersion());
  EXPECT_EQ(raw.QueryText("SELECT description FROM schema_migrations WHERE version = 1"), "marked");
  EXPECT_EQ(raw.QueryDouble("SELECT applied_at FROM schema_migrations WHERE version = 1"),
            applied_first);
}

TEST_F(MigrationsTest, DatabaseFromANewerVersionIsRefusedWithBothVersions) {
  {
    auto store = OpenSqliteStore(DbPath());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  const int future = LatestSqliteSchemaVersion() + 1;
  {
    RawDb raw(DbPath());
    ASSERT_EQ(raw.Exec("INSERT INTO schema_migrations (version, applied_at, description) "
                       "VALUES (" +
                       std::to_string(future) + ", 2e9, 'from the future')"),
              SQLITE_OK);
  }
  auto store = OpenSqliteStore(DbPath());
  ASSERT_FALSE(store.ok());
  const Status& s = store.status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find(DbPath()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("version " + std::to_string(future)), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("newer"), std::string::npos) << s.message();
}

// The runner itself, with made-up migrations: a later release adds one.
constexpr Migration kV1{1, "things", "CREATE TABLE things (a INTEGER)"};
constexpr Migration kV2{2, "things.b", "ALTER TABLE things ADD COLUMN b TEXT"};
constexpr Migration kBadV2{2, "half done",
                           "CREATE TABLE half (x); INSERT INTO things VALUES (1); NO SUCH SQL"};

TEST_F(MigrationsTest, LaterMigrationRunsOnceOnTopOfEarlierOnes) {
  RawDb raw(DbPath());
  const std::vector<Migration> v1 = {kV1};
  const std::vector<Migration> v2 = {kV1, kV2};
  ASSERT_TRUE(ApplyMigrations(raw.get(), DbPath(), v1).ok());
  EXPECT_EQ(*ReadSchemaVersion(raw.get(), DbPath()), 1);
  Status s = ApplyMigrations(raw.get(), DbPath(), v2);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*ReadSchemaVersion(raw.get(), DbPath()), 2);
  // Neither migration can run twice (ADD COLUMN b would fail): this must be a no-op.
  s = ApplyMigrations(raw.get(), DbPath(), v2);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(raw.Exec("INSERT INTO things (a, b) VALUES (1, 'x')"), SQLITE_OK);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM schema_migrations"), 2);
  // Old code on the new file refuses it.
  s = ApplyMigrations(raw.get(), DbPath(), v1);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

TEST_F(MigrationsTest, FailingMigrationRollsBackWholeAndNamesItself) {
  RawDb raw(DbPath());
  const std::vector<Migration> bad = {kV1, kBadV2};
  Status s = ApplyMigrations(raw.get(), DbPath(), bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(DbPath()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("migration 2 (half done)"), std::string::npos) << s.message();
  EXPECT_EQ(*ReadSchemaVersion(raw.get(), DbPath()), 1);  // 1 committed, 2 not
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'half'"), 0);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM things"), 0);
  // The connection is usable and the fixed migration then applies.
  const std::vector<Migration> fixed = {kV1, kV2};
  s = ApplyMigrations(raw.get(), DbPath(), fixed);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*ReadSchemaVersion(raw.get(), DbPath()), 2);
}

TEST_F(MigrationsTest, MisnumberedMigrationListIsAnInternalError) {
  RawDb raw(DbPath());
  const std::vector<Migration> gap = {kV1, Migration{3, "gap", "SELECT 1"}};
  Status s = ApplyMigrations(raw.get(), DbPath(), gap);
  EXPECT_EQ(s.code(), Status::Code::kInternal) << s.ToString();
  EXPECT_EQ(*ReadSchemaVersion(raw.get(), DbPath()), 0);  // nothing ran
}

}  // namespace
}  // namespace watchline::store
