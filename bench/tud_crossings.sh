#!/usr/bin/env bash
# Crossings on real footage: MOT15 TUD-Stadtmitte and TUD-Campus. A vertical
# line is drawn across each walkway; the true crossings are those of the
# ground-truth boxes' foot points (bottom-centre), from gt/gt.txt. Prints
# precision and recall of `watchline analyze` against them.
# Needs $WATCHLINE_DATA (default ../shared/data); skips when it is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/watchline}
DATA=${WATCHLINE_DATA:-../shared/data}
TOL=${TOL:-0.5}
if [ ! -d "$DATA/mot15" ]; then
  echo "tud_crossings: $DATA/mot15 not found (set WATCHLINE_DATA); skipped"
  exit 0
fi
DATA=$(cd "$DATA" && pwd)   # the config below lives elsewhere: make it absolute
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {  # name line(x1,y1,x2,y2) size
  local name=$1 line=$2 size=$3
  local seq="$DATA/mot15/$name"
  IFS=, read -r x1 y1 x2 y2 <<<"$line"
  cat >"$work/$name.yaml" <<YAML
site: {name: tud, data_dir: $work/var}
cameras:
  - id: tud
    source: $seq/$name.mp4
    analysis: {width: 640, fps: 0}
    lines: [{id: line, points: [[$x1, $y1], [$x2, $y2]]}]
YAML
  "$BIN" analyze --config "$work/$name.yaml" --camera tud --no-store -q >"$work/$name.jsonl" || return 1
  echo "-- $name, line $line"
  "$BIN" eval events --found "$work/$name.jsonl" --mot-gt "$seq/gt/gt.txt" --line "$line" \
    --size "$size" --fps 25 --tolerance "$TOL"
}

run TUD-Stadtmitte 0.75,0.4,0.75,1.0 640x480
run TUD-Stadtmitte 0.65,0.4,0.65,1.0 640x480
run TUD-Campus 0.5,0.3,0.5,1.0 640x480
