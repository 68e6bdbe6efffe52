#!/usr/bin/env bash
# Crossings on simulated scenes with exact ground truth, per condition.
#
# For every condition below, seeded scenes are rendered (`watchline sim --url`), analysed
# with `watchline analyze` at the condition's analysis rate, and scored with
# `watchline eval events --type line_crossing` (same direction, within TOL s).
# Prints true/false positives and misses, precision and recall per condition
# and overall. All scenes have swaying trees in view; the boat scenes have a
# river with ripples and reflections. Nothing here is timed.
#
#   bench/sim_crossings.sh                     # build/watchline
#   WATCHLINE_BIN=build-x/watchline SEEDS="1 2" bench/sim_crossings.sh
#   KEEP=/tmp/simx bench/sim_crossings.sh      # keep clips and results there
#
# Environment: WATCHLINE_BIN (default build/watchline), KEEP (bench/lib.sh),
# SEEDS (default "1 2 3 4"), DURATION (s, default 60), TOL (s, default 0.5), JOBS
# (parallel scenes, default 2), ONLY (run only conditions whose name matches).
set -uo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-"1 2 3 4"}
DURATION=${DURATION:-60}
TOL=${TOL:-0.5}
JOBS=${JOBS:-2}
ONLY=${ONLY:-}
source bench/lib.sh
bench_setup sim_crossings

# name | sim keys (besides seed, duration, trees=1) | analysis fps
CONDITIONS=(
  "day|people=14|10"
  "day_5fps|people=14|5"
  "night|people=14&night=1|10"
  "rain|people=14&rain=1|10"
  "snow|people=14&snow=1|10"
  "runners|people=4&runners=8|10"
  "crawlers|people=4&crawlers=6|10"
  "far_15px|people=14&far=1|10"
  "boats_river|people=0&vehicles=0&boats=10|10"
)

one() {  # name keys fps seed
  local name=$1 keys=$2 fps=$3 seed=$4
  # day and day_5fps share their clips: only the analysis rate differs.
  local clipkey=$keys
  local dir="$work/clips/$(echo "$clipkey-$seed" | md5sum | cut -c1-12)"
  local url="sim://bench?seed=$seed&duration=$DURATION&trees=1&$keys"
  mkdir -p "$work/clips"
  if [ ! -s "$dir/events.jsonl" ] || [ ! -s "$dir/clip.mp4" ]; then
    # Two conditions may want the same clip at once: render under a lock.
    ( flock 9; [ -s "$dir/clip.mp4" ] || render "$url" "$dir" ) 9>"$dir.lock" || {
      echo "sim_crossings: rendering $url failed" >&2; return 1; }
  fi
  local out="$work/$name-$seed"
  "$BIN" analyze --config "$dir/config.yaml" --camera c1 --source "$dir/clip.mp4" --analysis-fps "$fps" \
    --no-store -q >"$out.found.jsonl" 2>"$out.err" || { echo "sim_crossings: analyze failed on $url" >&2; return 1; }
  "$BIN" eval events --found "$out.found.jsonl" --truth "$dir/events.jsonl" --type line_crossing \
    --tolerance "$TOL" --json >"$out.eval.json" || return 1
  echo "$url" >"$out.url"
}

tasks=()
for c in "${CONDITIONS[@]}"; do
  IFS='|' read -r name keys fps <<<"$c"
  [ -n "$ONLY" ] && [[ "$name" != *$ONLY* ]] && continue
  for s in $SEEDS; do tasks+=("$name|$keys|$fps|$s"); done
done

# Run scenes JOBS at a time.
running=0
for t in "${tasks[@]}"; do
  IFS='|' read -r name keys fps seed <<<"$t"
  one "$name" "$keys" "$fps" "$seed" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

python3 - "$work" "$TOL" "${CONDITIONS[@]}" <<'PY'
import glob, json, os, sys
work, tol, conds = sys.argv[1], sys.argv[2], sys.argv[3:]
tot = dict(truth=0, tp=0, fp=0, fn=0)
print(f"line crossings, matched by direction within {tol} s (trees in view in every scene)")
print(f"{'condition':<13} {'fps':>3} {'scenes':>6} {'truth':>6} {'TP':>5} {'FP':>5} {'FN':>5} {'precision':>9} {'recall':>7}")
for c in conds:
    name, keys, fps = c.split('|')
    files = sorted(glob.glob(os.path.join(work, f"{name}-*.eval.json")))
    if not files:
        continue
    s = dict(truth=0, tp=0, fp=0, fn=0)
    for f in files:
        j = json.load(open(f))
        s['truth'] += j['truth']; s['tp'] += j['true_positives']
        s['fp'] += j['false_positives']; s['fn'] += j['false_negatives']
    for k in s: tot[k] += s[k]
    p = s['tp'] / (s['tp'] + s['fp']) if s['tp'] + s['fp'] else float('nan')
    r = s['tp'] / s['truth'] if s['truth'] else float('nan')
    print(f"{name:<13} {fps:>3} {len(files):>6} {s['truth']:>6} {s['tp']:>5} {s['fp']:>5} {s['fn']:>5} {p:>9.3f} {r:>7.3f}")
p = tot['tp'] / (tot['tp'] + tot['fp']) if tot['tp'] + tot['fp'] else float('nan')
r = tot['tp'] / tot['truth'] if tot['truth'] else float('nan')
print(f"{'overall':<13} {'':>3} {'':>6} {tot['truth']:>6} {tot['tp']:>5} {tot['fp']:>5} {tot['fn']:>5} {p:>9.3f} {r:>7.3f}")
PY
