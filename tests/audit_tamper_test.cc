// Audit tampering: rows are written by the real binary (`watchline user
// add|passwd|del`), then edited or deleted directly in SQLite, and
// `watchline audit verify` must fail naming the row.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

struct RunResult {
  int code = -1;
  std::string out;
};

RunResult Sh(const std::string& cmd) {
  RunResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class AuditTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("audit_tamper_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    bin_ = std::string(WL_BINARY_DIR) + "/watchline";
    const std::string d = " --data-dir " + dir_.string();
    ASSERT_EQ(Sh("echo first-admin-pw | " + bin_ + " user add root --role admin --password-stdin" + d).code, 0);
    ASSERT_EQ(Sh("echo operator-pw-1 | " + bin_ + " user add alice --role operator --password-stdin" + d).code, 0);
    ASSERT_EQ(Sh("echo operator-pw-2 | " + bin_ + " user passwd alice --password-stdin" + d).code, 0);
    ASSERT_EQ(Sh(bin_ + " user del alice" + d).code, 0);
    verify_ = bin_ + " audit verify" + d;
    RunResult ok = Sh(verify_);
    ASSERT_EQ(ok.code, 0) << ok.out;
    ASSERT_NE(ok.out.find("intact: 4 rows"), std::string::npos) << ok.out;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "watchline.db").string().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::string bin_, verify_;
};

TEST_F(AuditTamperTest, EditedRowIsReported) {
  Exec("UPDATE audit SET actor = 'someone-else' WHERE id = 2");
  RunResult r = Sh(verify_);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("audit row 2: edited"), std::string::npos) << r.out;
}

TEST_F(AuditTamperTest, EditedRowWithRecomputedHashBreaksTheChainAtTheNextRow) {
  // A forger who rewrites a row and its own hash still breaks the link from the next row.
  Exec("UPDATE audit SET action = 'noop', hash = 'feedface' WHERE id = 2");
  RunResult r = Sh(verify_);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("audit row 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("audit row 3: chain broken"), std::string::npos) << r.out;
}

TEST_F(AuditTamperTest, DeletedMiddleAndLastRowsAreReported) {
  Exec("DELETE FROM audit WHERE id = 3");
  RunResult r = Sh(verify_);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("audit row 3: deleted"), std::string::npos) << r.out;
  Exec("DELETE FROM audit WHERE id = 4");
  r = Sh(verify_);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("missing at the end"), std::string::npos) << r.out;
}

}  // namespace
