#!/usr/bin/env bash
# Camera health and tamper: the measurements behind docs/benchmarks.md
# ("Health and tamper").
#  1. Simulated tamper: `watchline eval health` (175 cases at 5 fps, every type,
#     day/night/rain/water/busy scenes) and one hour of simulated normal
#     operation at 10 fps (day/IR switches, exposure steps, rain, clouds,
#     headlights, people passing close to the lens).
#  2. Real tamper clips (../shared/data/tamper): each must raise the right
#     camera_* type before the clip ends and nothing before the onset.
#  3. Every non-tamper sequence in ../shared/data: zero camera_* events.
#  4. Keyframe-only decoding: decode cost with and without, as a ratio.
#  5. Cost of the health checks per frame, best of 10 passes per frame, on a
#     mostly normal clip (Defocusing.mp4) and a mostly turned one
#     (Displacement.mp4, where the shift check runs on every frame).
# Real footage is read from $WATCHLINE_DATA (default ../shared/data); those
# parts are skipped when it is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/watchline}
TRACE=${TRACE:-$(dirname "$BIN")/src/health/health_trace}
DATA=${WATCHLINE_DATA:-../shared/data}
HOURS=${HOURS:-1}
[ -x "$BIN" ] || { echo "health_eval: $BIN not built (make build)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0

echo "== simulated tamper and ${HOURS} h of normal operation"
"$BIN" eval health --cases 175 --fps 5 --normal-hours "$HOURS" --normal-fps 10 -v || fail=1

# analyze CAMERA_SOURCE FPS: camera_* events of `watchline analyze` on one input.
analyze() {
  cat > "$TMP/c.yaml" <<YAML
cameras:
  - id: c1
    source: "$1"
    fps: $2
    analysis: {width: 640, fps: 10}
YAML
  "$BIN" analyze --config "$TMP/c.yaml" --camera c1 --no-store -q | grep '"camera_' || true
}

if [ -d "$DATA" ]; then
  echo
  echo "== real tamper clips (onsets from the data README)"
  # name  expected-type  onset-frame  frames  fps
  while read -r name type onset frames fps; do
    clip="$DATA/tamper/$name.mp4"
    [ -f "$clip" ] || { echo "$name: missing, skipped"; continue; }
    out=$(analyze "$(realpath "$clip")" 25)
    first=$(echo "$out" | head -1)
    onset_s=$(awk -v f="$onset" -v r="$fps" 'BEGIN{printf "%.2f", f/r}')
    end_s=$(awk -v f="$frames" -v r="$fps" 'BEGIN{printf "%.2f", f/r}')
    got=$(echo "$first" | sed -n 's/.*"type":"\([a-z_]*\)".*/\1/p')
    t=$(echo "$first" | sed -n 's/.*"t":\([0-9.]*\).*/\1/p')
    ok=PASS
    [ "$got" = "$type" ] || ok=FAIL
    [ -n "$t" ] && awk -v t="$t" -v o="$onset_s" 'BEGIN{exit !(t < o - 0.5)}' && ok=FAIL
    echo "$name: expected $type after ${onset_s} s, clip ends ${end_s} s: got ${got:-nothing} at t=${t:-} [$ok]"
    echo "$out" | sed 's/^/    /'
    [ "$ok" = PASS ] || fail=1
  done <<LIST
Defocusing camera_defocused 24 137 29.97
Occlusion camera_occluded 60 129 29.97
Displacement camera_moved 84 213 29.97
LIST

  echo
  echo "== non-tamper sequences: camera_* events (must be none)"
  total=0
  check() {  # name source fps
    local out n
    out=$(analyze "$2" "$3")
    n=$(echo -n "$out" | grep -c . || true)
    total=$((total + n))
    printf '%-28s %s events\n' "$1" "$n"
    [ "$n" = 0 ] || echo "$out" | sed 's/^/    /'
  }
  check cdnet-highway "$(realpath "$DATA")/cdnet-highway/highway/input/in%06d.jpg" 25
  check sbi2015/CAVIAR2 "$(realpath "$DATA")/sbi2015/CAVIAR2/input/in%06d.jpg" 25
  check sbi2015/IBMtest2 "$(realpath "$DATA")/sbi2015/IBMtest2/input/in%06d.png" 25
  check wavingtrees "$(realpath "$DATA")/wavingtrees/WavingTrees/b%05d.bmp" 25
  for m in "$DATA"/mot15/*/*.mp4; do check "mot15/$(basename "$m" .mp4)" "$(realpath "$m")" 25; done
  for d in "$DATA"/ucsd/*/; do
    # UCSD frames are numbered from an arbitrary start: link them from 1.
    name=$(basename "$d")
    mkdir -p "$TMP/ucsd-$name"
    i=1
    for f in $(ls "$d/in" | sort -t_ -k2 -n); do ln -s "$(realpath "$d/in/$f")" "$TMP/ucsd-$name/f$(printf %05d $i).jpg"; i=$((i+1)); done
    check "ucsd/$name" "$TMP/ucsd-$name/f%05d.jpg" 10
  done
  echo "total: $total"
  [ "$total" = 0 ] || fail=1
else
  echo "($DATA not found: real-footage checks skipped)"
fi

echo
echo "== keyframe-only decoding (FFmpeg skip_frame = AVDISCARD_NONKEY) and health cost"
if "$BIN" sim --out "$TMP/kf" --duration 60 --fps 25 --width 640 --height 360 -q; then
  if [ -x "$TRACE" ]; then "$TRACE" --bench "$TMP/kf/clip.mp4" 3; else echo "($TRACE not built)"; fi
else
  echo "(watchline sim failed: keyframe-only measurement skipped)"
fi

if [ -d "$DATA/tamper" ] && [ -x "$TRACE" ]; then
  echo
  echo "== health cost per frame: normal view (Defocusing.mp4) and turned view (Displacement.mp4)"
  for name in Defocusing Displacement; do
    echo "$name: $("$TRACE" --bench "$DATA/tamper/$name.mp4" 10 | tail -1)"
  done
fi
exit $fail
