#include "server/auth.h"

#include <sodium.h>

#include <algorithm>

namespace watchline::server {

namespace {
bool SodiumReady() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}
}  // namespace

std::optional<Role> ParseRole(const std::string& s) {
  if (s == "viewer") return Role::kViewer;
  if (s == "operator") return Role::kOperator;
  if (s == "admin") return Role::kAdmin;
  return std::nullopt;
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kViewer: return "viewer";
    case Role::kOperator: return "operator";
    case Role::kAdmin: return "admin";
  }
  return "viewer";
}

Result<std::string> HashPassword(const std::string& password) {
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialise");
  if (password.size() < kMinPasswordLen)
    return Status::InvalidArgument("the password must have at least " +
                                   std::to_string(kMinPasswordLen) + " characters");
  if (password.size() > kMaxPasswordLen)
    return Status::InvalidArgument("the password is longer than " +
                                   std::to_string(kMaxPasswordLen) + " bytes");
  char out[crypto_pwhash_STRBYTES];
  // crypto_pwhash_str uses argon2id in libsodium >= 1.0.15.
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (!SodiumReady() || password.size() > kMaxPasswordLen) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string NewSecret(const std::string& prefix) {
  SodiumReady();
  unsigned char buf[32];
  randombytes_buf(buf, sizeof buf);
  char hex[sizeof buf * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, buf, sizeof buf);
  return prefix + hex;
}

double LoginRateLimiter::RetryAfter(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  const double now = clock_->Now();
  if (now - it->second.window_start >= window_s_) {
    entries_.erase(it);
    return 0;
  }
  if (it->second.failures < max_failures_) return 0;
  return std::max(0.0, it->second.window_start + window_s_ - now);
}

void LoginRateLimiter::RecordFailure(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  const double now = clock_->Now();
  Entry& e = entries_[key];
  if (e.failures == 0 || now - e.window_start >= window_s_) {
    e.window_start = now;
    e.failures = 0;
  }
  ++e.failures;
  // Bound the memory an attacker can make us use with random keys.
  constexpr size_t kMaxKeys = 100000;
  if (entries_.size() > kMaxKeys) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = now - it->second.window_start >= window_s_ ? entries_.erase(it) : std::next(it);
    }
  }
}

void LoginRateLimiter::Reset(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(key);
}

Result<std::string> Auth::Login(const std::string& user, const std::string& password) {
  static const std::string kBad = "wrong user name or password";
  auto u = store_->GetUser(user);
  if (!u.ok()) {
    if (!u.status().IsNotFound()) return u.status();
    // Spend the same time as a real check, so timing does not tell which users exist.
    static const std::string kDummy = HashPassword("not-a-real-password").value();
    VerifyPassword(kDummy, password);
    return Status::InvalidArgument(kBad);
  }
  if (!VerifyPassword(u->pw_hash, password)) return Status::InvalidArgument(kBad);
  const std::string secret = NewSecret("");
  store::Credential c;
  c.token_hash = store::Sha256Hex(secret);
  c.user = user;
  c.kind = "session";
  c.created_wall = clock_->WallNow();
  c.expires_wall = c.created_wall + session_ttl_s_;
  WL_RETURN_IF_ERROR(store_->CreateCredential(c));
  return secret;
}

Result<std::string> Auth::CreateToken(const std::string& user, const std::string& label,
                                      double ttl_s) {
  WL_ASSIGN_OR_RETURN(store::User u, store_->GetUser(user));
  const std::string secret = NewSecret("wlt_");
  store::Credential c;
  c.token_hash = store::Sha256Hex(secret);
  c.user = u.name;
  c.kind = "token";
  c.label = label;
  c.created_wall = clock_->WallNow();
  c.expires_wall = ttl_s > 0 ? c.created_wall + ttl_s : 0;
  WL_RETURN_IF_ERROR(store_->CreateCredential(c));
  return secret;
}

Result<Principal> Auth::Authenticate(const std::string& secret) {
  if (secret.empty() || secret.size() > 128) return Status::NotFound("no credential");
  auto c = store_->GetCredential(store::Sha256Hex(secret));
  if (!c.ok()) return c.status();
  if (c->revoked) return Status::NotFound("credential revoked");
  if (c->expires_wall > 0 && clock_->WallNow() >= c->expires_wall)
    return Status::NotFound("credential expired");
  WL_ASSIGN_OR_RETURN(store::User u, store_->GetUser(c->user));
  auto role = ParseRole(u.role);
  if (!role) return Status::NotFound("user has an unknown role");
  return Principal{u.name, *role, c->kind, c->token_hash};
}

}  // namespace watchline::server
