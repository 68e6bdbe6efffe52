#!/usr/bin/env bash
# Foreground F-measure by the CDnet protocol on every sequence of the data
# folder that has masks: watchline (its whole analysis chain's foreground)
# against OpenCV MOG2, KNN and CNT with OpenCV's default parameters, all run in
# one process on the same decoded grey frames (`watchline eval foreground`).
# ms/frame is each method's own per-frame call, single thread.
#
# Builds nothing: uses $WATCHLINE_BIN (default build/watchline).
# Needs $WATCHLINE_DATA (default ../shared/data); skips when it is absent.
#
# Scoring, the same for every method:
#  - highway: ROI.bmp and temporalROI.txt (frames 470-1700), as CDnet.
#  - CAVIAR2, IBMtest2 (SBI2015) and UCSD: every frame that has a mask, from
#    the first frame (their temporalROI.txt spans the whole sequence). A model
#    must report from the first frames. During watchline's learning period
#    (detection.learn_s, 2 s = 50 frames at the assumed 25 fps) its mask is
#    provisional (from the second frame on, against the background still being
#    built; the analyzer never tracks it) and is scored as it is; the column
#    "scored while learning" counts those frames. The UCSD sequences (14-87
#    frames) are also scored a second time from t >= learn_s (WARMUP_S,
#    default 2 s), for every method alike; sequences with nothing left after it
#    are left out.
#  - WavingTrees: the one hand mask, frame 247 (the person entered at 242).
# Image sequences are timed at FPS (default 25) frames per second of stream time.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${WATCHLINE_BIN:-build/watchline}
DATA=${WATCHLINE_DATA:-../shared/data}
FPS=${FPS:-25}
WARMUP_S=${WARMUP_S:-2}
METHODS=${METHODS:-watchline,mog2,knn,cnt}
if [ ! -d "$DATA" ]; then
  echo "foreground_eval: $DATA not found (set WATCHLINE_DATA); skipped"
  exit 0
fi
if [ ! -x "$BIN" ]; then
  echo "foreground_eval: $BIN not found: build it first (make build) or set WATCHLINE_BIN" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# run LABEL ARGS...: one `eval foreground --json` line into $work/results.jsonl
run() {
  local label=$1
  shift
  if ! out=$("$BIN" eval foreground --methods "$METHODS" --fps "$FPS" --json "$@"); then
    echo "foreground_eval: $label failed" >&2
    status=1
    return
  fi
  printf '%s\t%s\n' "$label" "$out" >>"$work/results.tsv"
}

hw="$DATA/cdnet-highway/highway"
if [ -d "$hw" ]; then
  run highway --input "$hw/input" --gt "$hw/groundtruth" --roi "$hw/ROI.bmp" \
    --temporal-roi "$hw/temporalROI.txt"
fi
for s in CAVIAR2 IBMtest2; do
  d="$DATA/sbi2015/$s"
  [ -d "$d" ] && run "$s" --input "$d/input" --gt "$d/groundtruth" --roi "$d/ROI.bmp"
done
for d in "$DATA"/ucsd/*/; do
  d=${d%/}
  s=$(basename "$d")
  [ -d "$d/in" ] || continue
  run "ucsd-$s" --input "$d/in" --gt "$d/groundtruth" --roi "$d/ROI.bmp"
done
for d in "$DATA"/ucsd/*/; do
  d=${d%/}
  s=$(basename "$d")
  [ -d "$d/in" ] || continue
  run "ucsd-$s@${WARMUP_S}s" --input "$d/in" --gt "$d/groundtruth" --roi "$d/ROI.bmp" \
    --warmup-s "$WARMUP_S"
done
wt="$DATA/wavingtrees/WavingTrees"
if [ -d "$wt" ]; then
  run wavingtrees-247 --input "$wt/b%05d.bmp" --gt "$wt/hand_segmented_00247.BMP"
fi

[ -s "$work/results.tsv" ] || { echo "foreground_eval: nothing scored"; exit $status; }
python3 - "$work/results.tsv" "$WARMUP_S" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    label, js = line.rstrip("\n").split("\t", 1)
    rows.append((label, json.loads(js)))
warm = "@" + sys.argv[2] + "s"
print("| sequence | frames (scored) | method | F | precision | recall | PWC | ms/frame | scored while learning |")
print("|---|---|---|---|---|---|---|---|---|")
means = {}
means_warm = {}
descr = {}
for label, r in rows:
    for m in r["methods"]:
        descr[m["method"]] = m["description"]
        if r["scored_frames"] == 0:
            continue
        print("| %s | %d (%d) | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %d |" % (
            label, r["frames"], r["scored_frames"], m["method"], m["f_measure"],
            m["precision"], m["recall"], m["pwc"], m["ms_per_frame"],
            m["scored_learning_frames"]))
        (means_warm if label.endswith(warm) else means).setdefault(m["method"], []).append(
            m["f_measure"])
print()
for name, fs in means.items():
    print("mean F %-10s %.3f over %d sequences (every sequence scored from its first masked frame)"
          % (name, sum(fs) / len(fs), len(fs)))
for name, fs in means_warm.items():
    print("mean F %-10s %.3f over %d UCSD sequences scored from t >= %s s"
          % (name, sum(fs) / len(fs), len(fs), sys.argv[2]))
print()
for name, d in descr.items():
    print("%s: %s" % (name, d))
PY
exit $status
