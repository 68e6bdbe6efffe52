// wl_sim_clip: writes a sim clip folder (clip.mp4, gt.txt, events.jsonl,
// config.yaml) from a sim:// URL, so that every sim key (script=, runners=,
// boats=, far=, river=, trees=, snow=, ...) can be rendered to a file. The
// benchmarks use it when `watchline sim` has no --url option.
//
//   wl_sim_clip 'sim://river?seed=3&boats=4&river=1&duration=60' OUT_DIR
//
// Exit codes follow the CLI: 0 success, 2 bad input, 1 anything else.
#include <cstdio>
#include <string>

#include "sim/sim_clip.h"
#include "sim/sim_source.h"

int main(int argc, char** argv) {
  using namespace watchline;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SIM_URL OUT_DIR\n", argv[0]);
    return 2;
  }
  Result<sim::SimOptions> o = sim::ParseSimUrl(argv[1]);
  if (!o.ok()) {
    std::fprintf(stderr, "error: %s\n", o.status().message().c_str());
    return 2;
  }
  Status s = sim::WriteSimClip(*o, argv[2]);
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return s.ExitCode();
  }
  return 0;
}
