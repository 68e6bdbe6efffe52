// Status and Result<T>: the error values every watchline module returns.
//
// A Status is either ok or carries a Code and a message that names what is
// wrong (camera, file, line, key). Code::kInvalidArgument means "bad input"
// and maps to process exit code 2; every other failure maps to 1.
// Thread safety: value types, safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace watchline {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad input: config, CLI flag, API request, media file
    kNotFound,         // a named file, camera or row does not exist
    kCorruption,       // data that exists but cannot be parsed or decoded
    kIOError,          // the OS or a library failed (disk full, permission)
    kUnavailable,      // a peer is down or timed out (camera, broker)
    kInternal,         // a bug
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }

  // "invalid argument: <message>", or "ok".
  std::string ToString() const;

  // The process exit code for this status: 0 ok, 2 bad input, 1 otherwise.
  // Bad input is kInvalidArgument, kNotFound and kCorruption: each is a
  // problem with what the user handed us, not with watchline.
  int ExitCode() const;

  // Returns a copy whose message is "<prefix>: <message>".
  Status WithContext(const std::string& prefix) const {
    if (ok()) return *this;
    return Status(code_, prefix + ": " + message_);
  }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace watchline

// Propagates a non-ok Status from an expression returning Status.
#define WL_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::watchline::Status _wl_s = (expr);       \
    if (!_wl_s.ok()) return _wl_s;            \
  } while (0)

#define WL_CONCAT_INNER(a, b) a##b
#define WL_CONCAT(a, b) WL_CONCAT_INNER(a, b)
// WL_ASSIGN_OR_RETURN(auto x, Foo()); assigns the value or returns the Status.
#define WL_ASSIGN_OR_RETURN(lhs, expr) \
  WL_ASSIGN_OR_RETURN_IMPL(WL_CONCAT(_wl_r_, __LINE__), lhs, expr)
#define WL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
