#include <cstdio>

#include "cli/commands.h"
#include "config/config.h"

namespace watchline::cli {

void RegisterCheckConfig(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("check-config", "Validate a config file without running it");
  auto file = std::make_shared<std::string>();
  cmd->add_option("file", *file, "YAML config file")->required();
  cmd->callback([file, exit_code] {
    auto cfg = config::LoadConfig(*file);
    if (!cfg.ok()) {
      PrintError(cfg.status().message());
      *exit_code = cfg.status().ExitCode();
      return;
    }
    int rules = 0;
    for (const auto& c : cfg->cameras) rules += static_cast<int>(c.lines.size() + c.zones.size());
    std::printf("%s: ok (site '%s', %zu camera%s, %d rule%s)\n", file->c_str(),
                cfg->site.name.c_str(), cfg->cameras.size(), cfg->cameras.size() == 1 ? "" : "s",
                rules, rules == 1 ? "" : "s");
    *exit_code = 0;
  });
}

}  // namespace watchline::cli
