// watchline sim: render a simulated scene, encode it to H.264 with FFmpeg's
// libraries, and write exact ground truth beside it.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "sim/sim_clip.h"
#include "sim/sim_source.h"

namespace watchline::cli {
namespace {

struct SimArgs {
  sim::SimOptions opt;
  std::string out;
  std::string url;  // a sim:// URL: every key of the simulator, instead of the flags
  bool quiet = false;
};

int RunSim(const SimArgs& args) {
  SimArgs a = args;
  if (!a.url.empty()) {
    auto parsed = sim::ParseSimUrl(a.url);
    if (!parsed.ok()) {
      PrintError(parsed.status().message());
      return 2;
    }
    a.opt = std::move(parsed).value();
  }
  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  if (ec) {
    PrintError("cannot create " + a.out + ": " + ec.message());
    return 2;
  }
  const bool progress = !a.quiet && isatty(STDERR_FILENO);
  Status s = sim::WriteSimClip(a.opt, a.out, [progress](double f) {
    if (progress) std::fprintf(stderr, "\rsim: %3.0f%%", f * 100);
  });
  if (progress) std::fputs("\n", stderr);
  if (!s.ok()) {
    PrintError(s.message());
    return s.ExitCode();
  }
  if (!a.quiet) {
    std::fprintf(stderr,
                 "sim: wrote %s/clip.mp4 (%dx%d, %.0f fps, %.0f s), gt.txt, events.jsonl, "
                 "config.yaml\n",
                 a.out.c_str(), a.opt.width, a.opt.height, a.opt.fps, a.opt.duration_s);
  }
  return 0;
}

}  // namespace

void RegisterSim(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "sim", "Render a simulated scene to H.264 with exact ground truth (boxes and events)");
  auto a = std::make_shared<SimArgs>();
  cmd->add_option("--out", a->out, "output folder")->required();
  cmd->add_option("--seed", a->opt.seed, "random seed (same seed, same clip)")->capture_default_str();
  cmd->add_option("--duration", a->opt.duration_s, "seconds")
      ->check(CLI::Range(1.0, 36000.0))
      ->capture_default_str();
  cmd->add_option("--fps", a->opt.fps, "frames per second")
      ->check(CLI::Range(1.0, 120.0))
      ->capture_default_str();
  cmd->add_option("--width", a->opt.width, "pixels")->check(CLI::Range(64, 3840))->capture_default_str();
  cmd->add_option("--height", a->opt.height, "pixels")->check(CLI::Range(64, 2160))->capture_default_str();
  cmd->add_option("--people", a->opt.people, "people crossing during the clip")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  cmd->add_flag("--night", a->opt.night, "night scene: darker, noisier");
  cmd->add_option("--noise", a->opt.noise_sigma, "sensor noise, grey levels")->capture_default_str();
  cmd->add_option("--camera-id", a->opt.camera_id, "camera id in the written config")
      ->capture_default_str();
  cmd->add_option_function<std::string>(
         "--tamper",
         [a](const std::string& v) {
           if (!sim::ParseTamper(v, &a->opt.tamper)) throw CLI::ValidationError("--tamper", "unknown tamper " + v);
         },
         "tamper drawn into the clip: cover, spray, defocus, glare, blackout, freeze, move")
      ->check(CLI::IsMember({"none", "cover", "spray", "defocus", "glare", "blackout", "freeze", "move"}));
  cmd->add_option("--tamper-at", a->opt.tamper_at_s, "seconds into the clip the tamper begins")
      ->check(CLI::Range(0.0, 36000.0));
  cmd->add_option("--tamper-for", a->opt.tamper_for_s, "seconds the tamper lasts (0 = to the end)")
      ->check(CLI::Range(0.0, 36000.0));
  cmd->add_option("--ir-switch", a->opt.conditions.ir_switch_s, "day <-> IR night switch every N seconds");
  cmd->add_option("--ae-step", a->opt.conditions.ae_step_s, "auto-exposure step every N seconds");
  cmd->add_option("--passers", a->opt.conditions.passers_s, "a person passes close to the lens every ~N seconds");
  cmd->add_flag("--rain", a->opt.conditions.rain, "rain streaks and haze");
  cmd->add_flag("--clouds", a->opt.conditions.clouds, "cloud shadows");
  cmd->add_flag("--headlights", a->opt.conditions.headlights, "headlights sweeping through now and then");
  cmd->add_flag("--water", a->opt.conditions.water, "moving water at the bottom of the view");
  cmd->add_flag("--web", a->opt.conditions.web,
                "a spider web across a corner of the lens (lit at night), its spider walking now and then");
  cmd->add_flag("-q,--quiet", a->quiet, "no progress output");
  cmd->add_option("--url", a->url,
                  "a sim:// URL instead of the flags above, for every simulator key "
                  "(script=, runners=, boats=, far=, snow=, trees=, ...; see src/sim/README.md)");
  cmd->callback([a, exit_code] { *exit_code = RunSim(*a); });
}

}  // namespace watchline::cli
