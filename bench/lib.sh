# Shared set-up of the simulated-scene benches (sourced, not run):
# sim_crossings.sh, sim_nuisance.sh, sim_classes.sh.
#
#   bench_setup NAME   checks that $BIN (WATCHLINE_BIN, default
#                      build/watchline) is built, and sets $work: $KEEP if
#                      given (clips and results stay there and are reused),
#                      else a temporary folder removed on exit.
#   render URL DIR     renders a sim:// URL into DIR (clip.mp4, config.yaml,
#                      gt.txt, events.jsonl) with `watchline sim --url`.
BIN=${WATCHLINE_BIN:-${BIN:-build/watchline}}

bench_setup() {
  [ -x "$BIN" ] || { echo "$1: $BIN not built (make build)" >&2; exit 1; }
  if [ -n "${KEEP:-}" ]; then
    work=$KEEP
    mkdir -p "$work"
  else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
  fi
}

render() { "$BIN" sim --url "$1" --out "$2" -q; }
