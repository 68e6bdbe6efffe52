#include "server/auth.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace watchline::server {
namespace {

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("auth_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto s = store::OpenSqliteStore((dir_ / "w.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    auto h = HashPassword("correct horse");
    ASSERT_TRUE(h.ok());
    ASSERT_TRUE(store_->CreateUser({"alice", "operator", *h, 1}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  ManualClock clock_{100};
};

TEST(PasswordTest, HashIsArgon2idAndVerifiesOnlyTheRightPassword) {
  auto h = HashPassword("s3cret-pass");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_EQ(h->find("s3cret-pass"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*h, "s3cret-pass"));
  EXPECT_FALSE(VerifyPassword(*h, "s3cret-pasS"));
  EXPECT_FALSE(VerifyPassword(*h, ""));
  auto h2 = HashPassword("s3cret-pass");
  EXPECT_NE(*h, *h2) << "salted: two hashes of one password differ";
}

TEST(PasswordTest, TooShortOrTooLongIsRejected) {
  EXPECT_TRUE(HashPassword("short").status().IsInvalidArgument());
  EXPECT_TRUE(HashPassword(std::string(kMaxPasswordLen + 1, 'x')).status().IsInvalidArgument());
}

TEST(SecretTest, SecretsAreLongRandomAndPrefixed) {
  const std::string a = NewSecret("wlt_"), b = NewSecret("wlt_");
  EXPECT_EQ(a.size(), 4u + 64u);
  EXPECT_EQ(a.rfind("wlt_", 0), 0u);
  EXPECT_NE(a, b);
}

TEST_F(AuthTest, LoginGivesASessionThatAuthenticatesUntilItExpires) {
  Auth auth(store_.get(), 60, &clock_);
  auto secret = auth.Login("alice", "correct horse");
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  auto who = auth.Authenticate(*secret);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->user, "alice");
  EXPECT_EQ(who->role, Role::kOperator);
  EXPECT_EQ(who->kind, "session");
  // Only the hash is stored.
  auto creds = store_->ListCredentials("alice");
  ASSERT_TRUE(creds.ok());
  ASSERT_EQ(creds->size(), 1u);
  EXPECT_NE(creds->front().token_hash, *secret);
  clock_.Advance(61);
  EXPECT_TRUE(auth.Authenticate(*secret).status().IsNotFound());
}

TEST_F(AuthTest, WrongPasswordAndUnknownUserFailAlike) {
  Auth auth(store_.get(), 60, &clock_);
  auto a = auth.Login("alice", "wrong horse");
  auto b = auth.Login("mallory", "correct horse");
  ASSERT_FALSE(a.ok());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(a.status().message(), b.status().message());
}

TEST_F(AuthTest, RevokedTokenAndDeletedUserNoLongerAuthenticate) {
  Auth auth(store_.get(), 60, &clock_);
  auto token = auth.CreateToken("alice", "ci", 0);
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(auth.Authenticate(*token).ok());
  ASSERT_TRUE(store_->RevokeCredential(store::Sha256Hex(*token)).ok());
  EXPECT_FALSE(auth.Authenticate(*token).ok());

  auto session = auth.Login("alice", "correct horse");
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(store_->DeleteUser("alice").ok());
  EXPECT_FALSE(auth.Authenticate(*session).ok());
}

TEST(LoginRateLimiterTest, BlocksAfterMaxFailuresUntilTheWindowPasses) {
  ManualClock clock(0);
  LoginRateLimiter lim(3, 60, &clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(lim.RetryAfter("u"), 0) << i;
    lim.RecordFailure("u");
  }
  EXPECT_GT(lim.RetryAfter("u"), 59);
  EXPECT_EQ(lim.RetryAfter("other"), 0);
  clock.Advance(30);
  EXPECT_NEAR(lim.RetryAfter("u"), 30, 1e-9);
  clock.Advance(31);
  EXPECT_EQ(lim.RetryAfter("u"), 0);
  lim.RecordFailure("u");
  EXPECT_EQ(lim.RetryAfter("u"), 0);
  lim.Reset("u");
}

}  // namespace
}  // namespace watchline::server
