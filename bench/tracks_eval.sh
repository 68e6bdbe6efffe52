#!/usr/bin/env bash
# Tracking on real footage: CLEAR MOT (MOTA) and IDF1 of watchline's tracker
# (CameraAnalyzer, every frame, confirmed tracks' boxes in input pixels) on
# MOT15 TUD-Campus and TUD-Stadtmitte, via `watchline eval tracks --input`.
# The ground truth boxes every pedestrian, including people who stand still
# or are occluded; a motion-based tracker cannot box those, so recall is
# bounded well below 1. Matching: IoU >= 0.5.
#
# Builds nothing: uses $WATCHLINE_BIN (default build/watchline).
# Needs $WATCHLINE_DATA (default ../shared/data); skips when it is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${WATCHLINE_BIN:-build/watchline}
DATA=${WATCHLINE_DATA:-../shared/data}
if [ ! -d "$DATA/mot15" ]; then
  echo "tracks_eval: $DATA/mot15 not found (set WATCHLINE_DATA); skipped"
  exit 0
fi
if [ ! -x "$BIN" ]; then
  echo "tracks_eval: $BIN not found: build it first (make build) or set WATCHLINE_BIN" >&2
  exit 1
fi
status=0
for name in TUD-Campus TUD-Stadtmitte; do
  seq="$DATA/mot15/$name"
  [ -f "$seq/$name.mp4" ] || continue
  for mode in seen coast; do
    flag=()
    [ "$mode" = coast ] && flag=(--coast)
    echo "-- $name ($mode: $([ "$mode" = coast ] && echo 'confirmed tracks, predictions included' || echo 'confirmed tracks seen on the frame'))"
    "$BIN" eval tracks --input "$seq/$name.mp4" --gt "$seq/gt/gt.txt" "${flag[@]}" || status=1
  done
done
exit $status
