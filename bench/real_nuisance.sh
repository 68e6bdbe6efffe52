#!/usr/bin/env bash
# Nuisance on real footage with no intruder: WavingTrees frames 0-241 (a tree
# moving in the wind; the person enters at 242) and the UCSD ocean, surf and
# rain sequences with their object masked out (a `masks:` rectangle over the
# union of the object's ground-truth boxes, grown by a tenth of the frame).
# Each is analysed frame by frame (25 fps assumed) with the default detection
# settings, a line across the middle and a zone over the whole view, and the
# confirmed tracks and events are counted. The target is none at all. The
# UCSD clips (0.6-3.5 s) are also played forward and back for PINGPONG_S
# seconds (default 20; 0 = not), so that the model is tested after learning.
#
# Uses $ANALYSIS_TRACE (default build/src/analysis/analysis_trace; built by
# `make build`). Needs $WATCHLINE_DATA (default ../shared/data); skips when it
# is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
TRACE=${ANALYSIS_TRACE:-build/src/analysis/analysis_trace}
PINGPONG_S=${PINGPONG_S:-20}
DATA=${WATCHLINE_DATA:-../shared/data}
if [ ! -d "$DATA" ]; then
  echo "real_nuisance: $DATA not found (set WATCHLINE_DATA); skipped"
  exit 0
fi
[ -x "$TRACE" ] || { echo "real_nuisance: $TRACE not built (make build)" >&2; exit 1; }
work=$(mktemp -d)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
status=0

# config NAME SOURCE MASK_POLYGON_OR_EMPTY
config() {
  local masks=""
  [ -n "$3" ] && masks="    masks: [$3]"
  cat >"$work/$1.yaml" <<YAML
site: {name: nuisance, data_dir: $work/var}
cameras:
  - id: c1
    source: "$2"
    analysis: {fps: 25}
$masks
    lines:
      - id: middle
        points: [[0.0, 0.5], [1.0, 0.5]]
    zones:
      - id: all
        polygon: [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
YAML
}

# run NAME: prints "name frames confirmed_tracks events"
run() {
  if ! "$TRACE" "$work/$1.yaml" c1 0 >"$work/$1.trace" 2>"$work/$1.err"; then
    echo "real_nuisance: $1 failed: $(tail -1 "$work/$1.err")" >&2
    status=1
    return
  fi
  awk -v name="$1" '/^F /{f++} /^  T / && $3 ~ /^c/ {c[$2]=1} /^E /{e++}
    END {n=0; for (k in c) n++; printf "%-22s %7d %17d %7d\n", name, f, n, e+0}' "$work/$1.trace"
}

printf "%-22s %7s %17s %7s\n" sequence frames "confirmed tracks" events
wt="$DATA/wavingtrees/WavingTrees"
if [ -d "$wt" ]; then
  mkdir -p "$work/wt"
  for i in $(seq 0 241); do ln -s "$(realpath "$wt")/$(printf 'b%05d.bmp' "$i")" "$work/wt/"; done
  config wavingtrees-0-241 "$work/wt/b%05d.bmp" ""
  run wavingtrees-0-241
fi
for s in ocean surf rain; do
  d="$DATA/ucsd/$s"
  [ -d "$d/in" ] || continue
  # Frames and masks renumbered from 1 (rain starts at 75), in frame order.
  mkdir -p "$work/$s/in" "$work/$s/gt"
  i=0
  frames=()  # the real path of frame i at index i-1
  for f in $(ls "$d/in" | sed -n 's/^frame_\([0-9]*\)\.jpg$/\1/p' | sort -n); do
    i=$((i + 1))
    frames+=("$(realpath "$d/in/frame_$f.jpg")")
    ln -s "${frames[-1]}" "$work/$s/in/$(printf '%04d' "$i").jpg"
    g=$(printf '%s/groundtruth/gt%04d.png' "$d" "$f")
    [ -f "$g" ] && ln -s "$(realpath "$g")" "$work/$s/gt/$(printf '%04d' "$i").png"
  done
  IFS=x read -r w h < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
    -of csv=p=0:s=x "$work/$s/in/0001.jpg")
  # The union of the object's boxes over every mask, grown by a tenth of the frame.
  box=$(ffmpeg -nostdin -loglevel info -i "$work/$s/gt/%04d.png" -vf bbox=min_val=128 \
    -f null - 2>&1 | grep -o 'x1:[0-9]* x2:[0-9]* y1:[0-9]* y2:[0-9]*' |
    awk -v w="$w" -v h="$h" -F'[: ]' '
      NR==1 {x1=$2; x2=$4; y1=$6; y2=$8}
      {if ($2<x1) x1=$2; if ($4>x2) x2=$4; if ($6<y1) y1=$6; if ($8>y2) y2=$8}
      END { if (NR==0) exit 1
        a=x1/w-0.1; b=x2/w+0.1; c=y1/h-0.1; d=y2/h+0.1
        if (a<0) a=0; if (c<0) c=0; if (b>1) b=1; if (d>1) d=1
        printf "[[%.3f, %.3f], [%.3f, %.3f], [%.3f, %.3f], [%.3f, %.3f]]", a,c, b,c, b,d, a,d }') || {
    echo "real_nuisance: no object box in $d/groundtruth" >&2; status=1; continue; }
  echo "ucsd-$s: object masked by $box ($w x $h)" >&2
  config "ucsd-$s-masked" "$work/$s/in/%04d.jpg" "$box"
  run "ucsd-$s-masked"
  # The same frames played forward and back (1..n, n-1..2, 1..) for PINGPONG_S
  # seconds, so the model is tested well past its 2 s learning period.
  n=${#frames[@]}
  if [ "$n" -ge 2 ] && [ "$PINGPONG_S" -gt 0 ]; then
    mkdir -p "$work/$s/pp"
    k=0 j=1 step=1
    while [ "$k" -lt $((PINGPONG_S * 25)) ]; do
      k=$((k + 1))
      ln -s "${frames[j - 1]}" "$work/$s/pp/$(printf '%05d' "$k").jpg"
      if [ "$j" -ge "$n" ]; then step=-1; elif [ "$j" -le 1 ]; then step=1; fi
      j=$((j + step))
    done
    config "ucsd-$s-masked-pp${PINGPONG_S}s" "$work/$s/pp/%05d.jpg" "$box"
    run "ucsd-$s-masked-pp${PINGPONG_S}s"
  fi
done
exit $status
