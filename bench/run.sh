#!/usr/bin/env bash
# Runs watchline's benchmarks and prints what they measure. Each one reports a
# ratio against a baseline measured in the same run. `make bench` calls this.
# Benchmarks that need the real footage read $WATCHLINE_DATA (default
# ../shared/data) and skip when it is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/watchline}
[ -x "$BIN" ] || { echo "bench: $BIN not built (make build)" >&2; exit 1; }

echo "== pipeline: one camera against FFmpeg decode alone and OpenCV MOG2"
"$BIN" bench --repeat 3

echo
echo "== real crossings: MOT15 TUD (lines drawn across the walkway)"
bash bench/tud_crossings.sh

echo
echo "== foreground: watchline against MOG2, KNN and CNT, CDnet protocol (real footage)"
WATCHLINE_BIN="$BIN" bash bench/foreground_eval.sh

echo
echo "== nuisance on real footage: WavingTrees 0-241, UCSD ocean, surf, rain with the object masked"
if cmake --build "$(dirname "$BIN")" --target analysis_trace >/dev/null; then
  ANALYSIS_TRACE="$(dirname "$BIN")/src/analysis/analysis_trace" bash bench/real_nuisance.sh
else
  echo "bench: building analysis_trace failed" >&2
fi

echo
echo "== tracks: MOTA and IDF1 on MOT15 TUD"
WATCHLINE_BIN="$BIN" bash bench/tracks_eval.sh

echo
echo "== simulated crossings (372, nine conditions) and one hour of simulated nuisance"
WATCHLINE_BIN="$BIN" bash bench/sim_crossings.sh
WATCHLINE_BIN="$BIN" bash bench/sim_nuisance.sh

echo
echo "== classes: confusion on simulated walkers, runners, crawlers, vehicles and boats"
WATCHLINE_BIN="$BIN" bash bench/sim_classes.sh

echo
echo "== coverage: 1,400 km perimeter, 7,000 cameras, live updates; planner on 100 km"
COVERAGE_BENCH=${COVERAGE_BENCH:-$(dirname "$BIN")/bench/coverage_bench}
if [ -x "$COVERAGE_BENCH" ]; then "$COVERAGE_BENCH"; else echo "bench: $COVERAGE_BENCH not built" >&2; fi
