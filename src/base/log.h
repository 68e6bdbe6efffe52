// Logging to stderr, one line per message, with a level and a wall timestamp.
// Thread safe: lines from different threads never interleave.
//
// RedactUrl() strips credentials from URLs (rtsp://user:pass@host -> rtsp://***@host);
// everything that logs a camera source must pass it through RedactUrl first.
#pragma once

#include <sstream>
#include <string>

namespace watchline {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void LogLine(LogLevel level, const std::string& msg);

// Replaces "user:pass@" by "***@" in every URL of `url` (a URL, or a message
// that contains URLs). Leaves other text untouched.
std::string RedactUrl(const std::string& url);

namespace internal {
class LogMessage {
 public:
  explicit LogMessage(LogLevel l) : level_(l) {}
  ~LogMessage() { LogLine(level_, os_.str()); }
  std::ostream& stream() { return os_; }

 private:
  LogLevel level_;
  std::ostringstream os_;
};
}  // namespace internal

}  // namespace watchline

#define WL_LOG(level)                                                   \
  if (::watchline::LogLevel::k##level < ::watchline::GetLogLevel()) {   \
  } else                                                                \
    ::watchline::internal::LogMessage(::watchline::LogLevel::k##level).stream()
