// Authentication and authorisation of the operator server: argon2id password
// hashes (libsodium crypto_pwhash_str), login sessions and API tokens (random
// secrets of which only a SHA-256 is stored, so a stolen database cannot log
// in), roles, and login rate limiting.
//
// Thread safety: Auth is safe to call from any number of threads (the store
// serialises itself; the rate limiter has its own mutex).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "store/store.h"

namespace watchline::server {

enum class Role { kViewer = 0, kOperator = 1, kAdmin = 2 };

// "viewer" / "operator" / "admin" <-> Role. nullopt for anything else.
std::optional<Role> ParseRole(const std::string& s);
const char* RoleName(Role r);

// Passwords: at least this many characters, at most kMaxPasswordLen bytes.
inline constexpr size_t kMinPasswordLen = 8;
inline constexpr size_t kMaxPasswordLen = 1024;

// Hashes with argon2id (libsodium's interactive limits). InvalidArgument for
// a password that is too short or too long.
Result<std::string> HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);

// A fresh random secret: prefix + 64 hex characters (256 bits).
std::string NewSecret(const std::string& prefix);

// Who made a request.
struct Principal {
  std::string user;
  Role role = Role::kViewer;
  std::string kind;        // "session" or "token"
  std::string token_hash;  // identifies the credential (for logout/revocation)
};

// Counts failed logins per key (user name, client address) in a sliding
// window; past max_failures the key is blocked until the window has passed.
class LoginRateLimiter {
 public:
  LoginRateLimiter(int max_failures, double window_s, Clock* clock)
      : max_failures_(max_failures), window_s_(window_s), clock_(clock) {}
  // Seconds until key may try again; 0 when it may try now.
  double RetryAfter(const std::string& key);
  void RecordFailure(const std::string& key);
  void Reset(const std::string& key);

 private:
  struct Entry {
    double window_start = 0;
    int failures = 0;
  };
  const int max_failures_;
  const double window_s_;
  Clock* clock_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
};

class Auth {
 public:
  Auth(store::Store* store, double session_ttl_s, Clock* clock)
      : store_(store), session_ttl_s_(session_ttl_s), clock_(clock) {}

  // Checks user and password. On success creates a session and returns its
  // secret (for the cookie). InvalidArgument (same message whether the user
  // or the password is wrong) on failure.
  Result<std::string> Login(const std::string& user, const std::string& password);
  // Creates an API token for user; returns its secret. ttl_s 0 = no expiry.
  Result<std::string> CreateToken(const std::string& user, const std::string& label, double ttl_s);
  // Resolves a session or token secret. NotFound when unknown, revoked,
  // expired, or its user no longer exists.
  Result<Principal> Authenticate(const std::string& secret);

 private:
  store::Store* store_;
  double session_ttl_s_;
  Clock* clock_;
};

}  // namespace watchline::server
