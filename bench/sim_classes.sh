#!/usr/bin/env bash
# Classifier confusion on simulated scenes with exact ground truth.
#
# Seeded scenes of walkers, runners, crawlers, vehicles and boats are rendered
# (`watchline sim --url`) and analysed (`watchline analyze`) with the line's
# class filter removed, so every crossing fires whatever its class. Each
# ground-truth line crossing is matched to a detected one (same direction,
# within TOL s, nearest first) and the detected event's class is tallied
# against the true kind. Walkers are in every scene except the runners' (an
# uncalibrated camera learns its perspective from the people it sees: without
# them it stays on the image-relative rules); crawlers are told from walkers in
# the same scene by their ground-truth box (wider than tall). The boats run
# twice: as rendered, and with the river band configured as water (a zone
# whose classes are just [boat]). The *_cal scenes give the camera a
# calibration (image <-> lat/lon points of a level pinhole that matches the
# simulator's perspective: horizon at y = -0.35, a 1.7 m person 65 px tall at
# y = 0.6 in 360 rows, focal length 0.95 frame heights), so sizes and speeds
# are in metres from the first frame. Nothing here is timed.
#
#   bench/sim_classes.sh                          # build/watchline
#   WATCHLINE_BIN=build-x/watchline SEEDS="1 2" bench/sim_classes.sh
#   KEEP=/tmp/simcls bench/sim_classes.sh         # keep clips and results there
#
# Environment: WATCHLINE_BIN (default build/watchline), SEEDS (default
# "1 2 3"), DURATION (s, default 60), TOL (s, default 0.5), FPS (analysis fps,
# default 10), JOBS (parallel scenes, default 2), ONLY (scene names matching),
# WARMUP (s, default 30: a second table counts only crossings after this, when
# an uncalibrated camera has usually learned its perspective from 2 people).
set -uo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-"1 2 3"}
DURATION=${DURATION:-60}
TOL=${TOL:-0.5}
FPS=${FPS:-10}
WARMUP=${WARMUP:-30}
JOBS=${JOBS:-2}
ONLY=${ONLY:-}
source bench/lib.sh
bench_setup sim_classes

# name | sim keys (besides seed, duration) | water zone (1 = the river band is
# configured as water) | calibrated (1 = calibration points in the config)
SCENES=(
  "walkers|people=12&vehicles=0|0|0"
  "runners|people=0&runners=10&vehicles=0|0|0"
  "crawlers|people=5&crawlers=8&vehicles=0|0|0"
  "vehicles|people=5&vehicles=10|0|0"
  "boats|people=0&vehicles=0&boats=10|0|0"
  "boats_people|people=5&vehicles=0&boats=10|0|0"
  "boats_water|people=5&vehicles=0&boats=10|1|0"
  "walkers_cal|people=12&vehicles=0|0|1"
  "runners_cal|people=0&runners=10&vehicles=0|0|1"
  "crawlers_cal|people=5&crawlers=8&vehicles=0|0|1"
  "vehicles_cal|people=5&vehicles=10|0|1"
  "boats_cal|people=0&vehicles=0&boats=10|0|1"
  "boats_water_cal|people=0&vehicles=0&boats=10|1|1"
)

one() {  # name keys water calib seed
  local name=$1 keys=$2 water=$3 calib=$4 seed=$5
  local url="sim://classes?seed=$seed&duration=$DURATION&$keys"
  local dir="$work/clips/$(echo "$keys-$seed-$DURATION" | md5sum | cut -c1-12)"
  mkdir -p "$work/clips"
  ( flock 9; [ -s "$dir/clip.mp4" ] || render "$url" "$dir" ) 9>"$dir.lock" || {
    echo "sim_classes: rendering $url failed" >&2; return 1; }
  local out="$work/$name-$seed"
  # Every class crosses: drop the class filters. Optionally add the river
  # band (the simulator's: the line's extent grown by 0.15, clamped) as water.
  python3 - "$dir/config.yaml" "$out.yaml" "$water" "$dir/clip.mp4" "$calib" <<'PY'
import math, re, sys
src, dst, water, clip, calib = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4], sys.argv[5] == "1"
text = open(src).read()
text = re.sub(r"(?m)^\s+classes:.*\n", "", text)
text = text.replace("clip.mp4", clip)
if water:
    m = re.search(r"(?m)^\s+points: (\[.*\])\s*$", text)
    pts = eval(m.group(1))
    ys = [p[1] for p in pts]
    top, bottom = max(0.2, min(ys) - 0.15), min(0.97, max(ys) + 0.15)
    if bottom - top > 0.5:
        mid = (top + bottom) / 2; top, bottom = mid - 0.25, mid + 0.25
    zone = (f"      - id: water\n        polygon: [[0, {top:.3f}], [1, {top:.3f}], [1, {bottom:.3f}], [0, {bottom:.3f}]]\n"
            f"        classes: [boat]\n")
    if re.search(r"(?m)^    zones:\s*$", text):
        text = re.sub(r"(?m)^    zones:\s*\n", "    zones:\n" + zone, text, count=1)
    else:
        text += "    zones:\n" + zone
if calib:
    # Level pinhole facing north, matching the simulator: frame heights per
    # metre at foot row y are (y - YH) / CAM_H.
    YH, F, ASPECT, LAT0, LON0 = -0.35, 0.95, 16 / 9, 40.0, 124.0
    CAM_H = 0.95 * 360 / 65 * 1.7  # metres
    phi = math.radians(LAT0)
    m_lat = 111132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    m_lon = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)
    pts = []
    for x, y in [(0.1, 0.3), (0.9, 0.3), (0.1, 0.95), (0.9, 0.95), (0.5, 0.6), (0.3, 0.45), (0.7, 0.8)]:
        z = F * CAM_H / (y - YH)
        e = (x - 0.5) * ASPECT * z / F
        pts.append(f"      - {{px: [{x}, {y}], lat: {LAT0 + z / m_lat:.9f}, lon: {LON0 + e / m_lon:.9f}}}\n")
    text = re.sub(r"(?m)^(    analysis:.*\n)", lambda m: m.group(1) + "    calibration:\n" + "".join(pts), text, count=1)
open(dst, "w").write(text)
PY
  "$BIN" analyze --config "$out.yaml" --camera c1 --source "$dir/clip.mp4" --analysis-fps "$FPS" \
    --no-store -q >"$out.found.jsonl" 2>"$out.err" || { echo "sim_classes: analyze failed on $url" >&2; return 1; }
  cp "$dir/events.jsonl" "$out.truth.jsonl"
  echo "$dir" >"$out.clipdir"
}

tasks=()
for s in "${SCENES[@]}"; do
  IFS='|' read -r name keys water calib <<<"$s"
  [ -n "$ONLY" ] && [[ "$name" != *$ONLY* ]] && continue
  for seed in $SEEDS; do tasks+=("$name|$keys|$water|$calib|$seed"); done
done
running=0
for t in "${tasks[@]}"; do
  IFS='|' read -r name keys water calib seed <<<"$t"
  one "$name" "$keys" "$water" "$calib" "$seed" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

python3 - "$work" "$TOL" "$WARMUP" "${SCENES[@]}" <<'PY'
import glob, json, os, re, sys
work, tol, warmup, scenes = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
CLASSES = ["person", "vehicle", "boat", "animal", "unknown"]

def load(path):
    out = []
    for line in open(path):
        line = line.strip()
        if line:
            e = json.loads(line)
            if e.get("type") == "line_crossing":
                out.append(e)
    return out

def size_of(clipdir):
    m = re.search(r"width:\s*(\d+)", open(os.path.join(clipdir, "config.yaml")).read())
    w = int(m.group(1)) if m else 640
    return w, w * 9 / 16  # the simulator renders 16:9 unless told otherwise

def kind(e, scene, aspect):
    cls = e.get("class") or e.get("cls")
    if cls != "person":
        return cls
    if scene.startswith("runners"):
        return "person (run)"
    b = e.get("box") or [0, 0, 1, 1]
    return "person (crawl)" if b[2] * aspect > b[3] else "person (walk)"

def tally(after):
    rows, fps, order = {}, {}, []  # (scene, kind) -> {class or "missed": n}
    for s in scenes:
        name = s.split("|")[0]
        for f in sorted(glob.glob(os.path.join(work, f"{name}-*.found.jsonl"))):
            base = f[: -len(".found.jsonl")]
            truth, found = load(base + ".truth.jsonl"), load(f)
            w, h = size_of(open(base + ".clipdir").read().strip())
            used = [False] * len(found)
            for e in sorted(truth, key=lambda e: e["t"]):
                best, bd = -1, tol
                for i, g in enumerate(found):
                    if used[i] or g.get("direction") != e.get("direction"):
                        continue
                    d = abs(g["t"] - e["t"])
                    if d <= bd:
                        best, bd = i, d
                if best >= 0:
                    used[best] = True
                if e["t"] < after:
                    continue
                k = (name, kind(e, name, w / h))
                if k not in rows:
                    rows[k] = {}
                    order.append(k)
                c = found[best].get("class", "unknown") if best >= 0 else "missed"
                rows[k][c] = rows[k].get(c, 0) + 1
            fps[name] = fps.get(name, 0) + sum(1 for i, g in enumerate(found)
                                               if not used[i] and g["t"] >= after)
    return rows, fps, order

def show(title, after):
    rows, fps, order = tally(after)
    print(title)
    print(f"{'scene':<13} {'true kind':<15} {'truth':>5} " + " ".join(f"{c:>7}" for c in CLASSES) +
          f" {'missed':>6} {'correct':>7}")
    for k in order:
        r = rows[k]
        n = sum(r.values())
        want = k[1].split(" ")[0]
        det = n - r.get("missed", 0)
        ok = r.get(want, 0) / det if det else float("nan")
        print(f"{k[0]:<13} {k[1]:<15} {n:>5} " + " ".join(f"{r.get(c, 0):>7}" for c in CLASSES) +
              f" {r.get('missed', 0):>6} {ok:>7.2f}")
    print("unmatched detections per scene: " + ", ".join(f"{n}={v}" for n, v in fps.items()))
    print()

show(f"line crossings by true kind and detected class, whole clips (matched by direction within {tol} s; "
     "class filters removed)", -1e9)
show(f"the same, crossings after t = {warmup:g} s only", warmup)
print("(correct = share of the matched crossings given the true class)")
PY
