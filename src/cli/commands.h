// The watchline command-line tool: one function per subcommand. Each returns
// the process exit code: 0 ok, 2 bad input (with a message naming it), 1 other.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "base/status.h"
#include "config/config.h"

namespace watchline::engine {
class Engine;
}
namespace watchline::server {
class Server;
}
namespace watchline::store {
class Store;
}

namespace watchline::cli {

// Each Register* adds a subcommand to `app`; the callback runs it and stores
// the exit code in *exit_code.
void RegisterAnalyze(CLI::App& app, int* exit_code);
void RegisterCheckConfig(CLI::App& app, int* exit_code);
void RegisterSim(CLI::App& app, int* exit_code);
void RegisterDemo(CLI::App& app, int* exit_code);
void RegisterEval(CLI::App& app, int* exit_code);
void RegisterBench(CLI::App& app, int* exit_code);
void RegisterCoverage(CLI::App& app, int* exit_code);
void RegisterPlan(CLI::App& app, int* exit_code);
void RegisterHealth(CLI::App& app, int* exit_code);
// `watchline eval health` (health_eval.cc), added under the eval subcommand.
void RegisterEvalHealth(CLI::App* eval, int* exit_code);
void RegisterServe(CLI::App& app, int* exit_code);   // cmd_serve.cc
void RegisterUser(CLI::App& app, int* exit_code);    // cmd_user.cc
void RegisterAudit(CLI::App& app, int* exit_code);   // cmd_audit.cc
void RegisterReport(CLI::App& app, int* exit_code);  // cmd_report.cc: report and replay

// Shared by serve and demo (cmd_serve.cc): starts the operator server on a
// started engine and records the config in the audit log. On failure prints
// the error, sets *exit_code and returns null.
std::unique_ptr<server::Server> StartServer(engine::Engine* eng, config::ServerConfig http,
                                            const std::string& config_text, int* exit_code);
// Blocks SIGINT/SIGTERM in the calling thread (and the threads it starts).
void BlockStopSignals();
// Waits for SIGINT/SIGTERM or `duration` seconds (0 = forever). REQUIRES: BlockStopSignals.
int WaitForStop(double duration);

// The store of a site, from --config FILE or --data-dir DIR (cmd_user.cc).
Result<std::unique_ptr<store::Store>> OpenSiteStore(const std::string& config_path,
                                                    const std::string& data_dir);
void AddStoreOptions(CLI::App* cmd, std::string* config_path, std::string* data_dir);

// Prints "watchline: <message>" to stderr.
void PrintError(const std::string& message);

}  // namespace watchline::cli
