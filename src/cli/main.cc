// watchline: perimeter video surveillance. Entry point of the command-line tool.
#include <cstdio>
#include <string>

#include <opencv2/core.hpp>

#include "base/log.h"
#include "cli/commands.h"

extern "C" {
#include <libavutil/log.h>
}

namespace watchline::cli {

void PrintError(const std::string& message) {
  std::fprintf(stderr, "watchline: %s\n", message.c_str());
}

}  // namespace watchline::cli

int main(int argc, char** argv) {
  using namespace watchline::cli;
  CLI::App app{
      "watchline: perimeter video surveillance.\n"
      "Detects people, vehicles and boats crossing the line, checks that every camera is\n"
      "watching, and tells which metres of the perimeter are covered."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("watchline 0.1.0"));
  int exit_code = 0;
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug, info, warn or error (stderr)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  // Runs before any subcommand's callback.
  app.parse_complete_callback([&log_level] {
    using watchline::LogLevel;
    LogLevel l = log_level == "debug"  ? LogLevel::kDebug
                 : log_level == "warn" ? LogLevel::kWarn
                 : log_level == "error" ? LogLevel::kError
                                        : LogLevel::kInfo;
    watchline::SetLogLevel(l);
    // FFmpeg's own lines (x264 settings, per-macroblock decode errors) are noise
    // for an operator: watchline reports what matters in its own words.
    av_log_set_level(l == LogLevel::kDebug ? AV_LOG_WARNING : AV_LOG_FATAL);
    // One analysis thread per camera is the unit of parallelism; OpenCV's own
    // thread pool inside each would only fight it for cores.
    cv::setNumThreads(1);
  });
  RegisterAnalyze(app, &exit_code);
  RegisterCheckConfig(app, &exit_code);
  RegisterSim(app, &exit_code);
  RegisterDemo(app, &exit_code);
  RegisterEval(app, &exit_code);
  RegisterBench(app, &exit_code);
  RegisterCoverage(app, &exit_code);
  RegisterPlan(app, &exit_code);
  RegisterHealth(app, &exit_code);
  RegisterServe(app, &exit_code);
  RegisterUser(app, &exit_code);
  RegisterAudit(app, &exit_code);
  RegisterReport(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A bad command line is bad input: exit 2, whatever CLI11's own code is.
    app.exit(e);
    return 2;
  }
  return exit_code;
}
