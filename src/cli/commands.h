// The watchline command-line tool: one function per subcommand. Each returns
// the process exit code: 0 ok, 2 bad input (with a message naming it), 1 other.
#pragma once

#include <CLI/CLI.hpp>

namespace watchline::cli {

// Each Register* adds a subcommand to `app`; the callback runs it and stores
// the exit code in *exit_code.
void RegisterAnalyze(CLI::App& app, int* exit_code);
void RegisterCheckConfig(CLI::App& app, int* exit_code);
void RegisterSim(CLI::App& app, int* exit_code);
void RegisterDemo(CLI::App& app, int* exit_code);
void RegisterEval(CLI::App& app, int* exit_code);
void RegisterBench(CLI::App& app, int* exit_code);

// Prints "watchline: <message>" to stderr.
void PrintError(const std::string& message);

}  // namespace watchline::cli
