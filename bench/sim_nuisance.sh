#!/usr/bin/env bash
# One hour of simulated nuisance with no intruder: rippling river water with
# reflections, the bottom-of-view water band, swaying trees, rain, snow, cloud
# shadows, the day <-> IR-night switch and headlights, over several seeded
# scenes (different backgrounds), analysed at 10 fps with the default line and
# zone. Every intrusion-type event (line_crossing, zone_intrusion, loitering)
# is a false alarm; the target is at most 1 in the hour. Health events are
# counted separately (weather must not raise tamper alarms either).
#
#   bench/sim_nuisance.sh                 # build/watchline
#   WATCHLINE_BIN=build-x/watchline KEEP=/tmp/nuis bench/sim_nuisance.sh
#
# Environment: WATCHLINE_BIN, KEEP, JOBS (as in sim_crossings.sh),
# MINUTES (per scene, default 10; 6 scenes = 1 hour), FPS (camera rate of the
# rendered clips, default 10).
set -uo pipefail
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-10}
FPS=${FPS:-10}
JOBS=${JOBS:-2}
source bench/lib.sh
bench_setup sim_nuisance

D=$((MINUTES * 60))
# name | sim keys (no people, no vehicles)
SCENES=(
  "river_clouds|seed=11&river=1&trees=1&clouds=1"
  "river_rain|seed=12&river=1&trees=1&rain=1&clouds=1"
  "water_ir_headlights|seed=13&water=1&trees=1&ir_switch=120&headlights=1"
  "river_snow|seed=14&river=1&trees=1&snow=1&clouds=1"
  "night_river_headlights|seed=15&night=1&river=1&trees=1&headlights=1&ir_switch=150"
  "everything|seed=16&river=1&water=1&trees=1&rain=1&clouds=1&headlights=1&ir_switch=100"
)
# Beyond the issue's hour, reported apart: a spider web across a corner of the
# lens, lit by the IR illuminator at night, swaying, its spider walking out
# along a strand every ~30 s (seed 2 puts it over the zone, seed 1 over the
# line). A known weakness, measured so that it stays visible.
EXTRA=(
  "night_web_zone|seed=2&night=1&trees=1&web=1"
  "night_web_line|seed=1&night=1&trees=1&web=1"
)

one() {  # name keys
  local name=$1 keys=$2
  local dir="$work/$name"
  local url="sim://nuisance?people=0&vehicles=0&duration=$D&fps=$FPS&$keys"
  [ -s "$dir/clip.mp4" ] || render "$url" "$dir" || { echo "sim_nuisance: rendering $url failed" >&2; return 1; }
  "$BIN" analyze --config "$dir/config.yaml" --camera c1 --source "$dir/clip.mp4" --analysis-fps 10 \
    --no-store -q >"$dir/found.jsonl" 2>"$dir/analyze.err" || { echo "sim_nuisance: analyze failed on $url" >&2; return 1; }
  echo "$url" >"$dir/url"
}

running=0
for s in "${SCENES[@]}" "${EXTRA[@]}"; do
  IFS='|' read -r name keys <<<"$s"
  one "$name" "$keys" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

python3 - "$work" "$D" "${SCENES[@]}" -- "${EXTRA[@]}" <<'PY'
import json, os, sys
work, dur = sys.argv[1], int(sys.argv[2])
args = sys.argv[3:]
scenes, extra = args[:args.index("--")], args[args.index("--") + 1:]
intrusion = {"line_crossing", "zone_intrusion", "loitering"}
tot_i = tot_h = 0; secs = 0
print(f"nuisance without intruders, {dur} s per scene, analysed at 10 fps")
print(f"{'scene':<24} {'minutes':>7} {'intrusion events':>16} {'health events':>13}  types")
def row(s):
    name = s.split('|')[0]
    f = os.path.join(work, name, "found.jsonl")
    if not os.path.exists(f):
        print(f"{name:<24} (not run)"); return 0, 0, 0
    ev = [json.loads(l) for l in open(f) if l.strip()]
    i = [e for e in ev if e["type"] in intrusion]
    h = [e for e in ev if e["type"] not in intrusion]
    types = {}
    for e in ev: types[e["type"]] = types.get(e["type"], 0) + 1
    print(f"{name:<24} {dur/60:>7.0f} {len(i):>16} {len(h):>13}  {json.dumps(types) if types else ''}")
    return len(i), len(h), dur
for s in scenes:
    i, h, d = row(s)
    tot_i += i; tot_h += h; secs += d
print(f"{'total':<24} {secs/60:>7.0f} {tot_i:>16} {tot_h:>13}   (target: at most 1 intrusion event per hour)")
if extra:
    print("beyond the hour (known weakness, not in the total):")
    for s in extra: row(s)
PY
