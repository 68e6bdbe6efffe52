#!/usr/bin/env bash
# Server load benchmark: `watchline demo` (20 simulated cameras, analysis at
# 5 fps each) serving, on loopback, 100 live-feed (SSE) clients and a wrk load
# on the events API at the same time. Prints requests/s and latency
# percentiles from wrk, the SSE messages the clients received, and the
# analysed frame rate of the demo cameras before and during the load (from
# /metrics), so the ratio shows whether serving takes frames from analysis.
#
# Usage: bench/server_load.sh [BUILD_DIR]   env: SSE_CLIENTS=100 DURATION=20
#        WRK_THREADS=2 WRK_CONNECTIONS=50
set -euo pipefail
BUILD="$(cd "${1:-build}" && pwd)"
BIN="$BUILD/watchline"
SSE_CLIENTS=${SSE_CLIENTS:-100}
DURATION=${DURATION:-20}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-50}
command -v wrk >/dev/null || { echo "server_load: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "server_load: $BIN not built" >&2; exit 1; }

DATA="$(mktemp -d /tmp/wl-server-load.XXXXXX)"
DEMO_PID=""
SSE_PIDS=()
cleanup() {
  for p in "${SSE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$DEMO_PID" ]; then kill "$DEMO_PID" 2>/dev/null || true; wait "$DEMO_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

echo "bench-admin-pw-1" | "$BIN" user add bench --role admin --password-stdin --data-dir "$DATA" 2>/dev/null
PORT="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
"$BIN" --log-level warn demo --port "$PORT" --data-dir "$DATA" > "$DATA/demo.log" 2>&1 &
DEMO_PID=$!
for _ in $(seq 1 100); do curl -fsS "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

curl -fsS -c "$DATA/cookies" -H 'Content-Type: application/json' \
  -d '{"user":"bench","password":"bench-admin-pw-1"}' "$URL/api/login" >/dev/null
TOKEN="$(curl -fsS -b "$DATA/cookies" -H 'Content-Type: application/json' -H 'X-Requested-With: watchline' \
  -d '{"label":"bench"}' "$URL/api/tokens" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')"
AUTH="Authorization: Bearer $TOKEN"

# Sum of frames analysed over every camera, from /metrics.
analysed() {
  curl -fsS -H "$AUTH" "$URL/metrics" |
    awk '/^watchline_camera_frames_analysed_total/ {s += $2} END {printf "%d", s}'
}
cameras() { curl -fsS -H "$AUTH" "$URL/metrics" | grep -c '^watchline_camera_fps{' ; }
# Mean analysed fps per camera over $1 seconds.
fps_over() {
  local a b n
  a=$(analysed); sleep "$1"; b=$(analysed); n=$(cameras)
  awk -v a="$a" -v b="$b" -v s="$1" -v n="$n" 'BEGIN {printf "%.2f", (b - a) / s / n}'
}

echo "== server load: watchline demo ($(cameras) cameras) on $URL"
sleep 5  # warm-up: models learn their background, the store gets events
FPS_BEFORE=$(fps_over 10)
echo "analysed fps per camera, idle server:        $FPS_BEFORE"

for i in $(seq 1 "$SSE_CLIENTS"); do
  curl -sN -H "$AUTH" "$URL/api/stream" > "$DATA/sse.$i" 2>/dev/null &
  SSE_PIDS+=($!)
done
sleep 2
CONNECTED=$(curl -fsS -H "$AUTH" "$URL/metrics" | awk '/^watchline_sse_clients / {print $2}')
echo "SSE clients connected:                        $CONNECTED"

# The events API under wrk while the SSE clients listen; fps sampled meanwhile.
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${DURATION}s" --latency -H "$AUTH" \
  "$URL/api/events?limit=50&order=desc" > "$DATA/wrk.txt" 2>&1 &
WRK_PID=$!
sleep 2
FPS_DURING=$(fps_over $((DURATION - 5)))
wait "$WRK_PID"
SSE_MSGS=$(cat "$DATA"/sse.* | grep -c '^id: ' || true)
# Per client: the fewest and most messages (clients connect over about a second).
SSE_RANGE=$(for f in "$DATA"/sse.*; do grep -c '^id: ' "$f" || true; done | sort -n | awk 'NR==1{min=$1} {max=$1} END {print min " / " max}')
DROPS=$(curl -fsS -H "$AUTH" "$URL/metrics" | awk '/^watchline_camera_frames_dropped_total/ {s += $2} END {print s}')

RPS=$(awk '/^Requests\/sec/ {print $2}' "$DATA/wrk.txt")
P50=$(awk '$1 == "50%" {print $2}' "$DATA/wrk.txt")
P99=$(awk '$1 == "99%" {print $2}' "$DATA/wrk.txt")
ERRS=$(grep -E 'Non-2xx|Socket errors' "$DATA/wrk.txt" || echo "none")
echo "wrk $WRK_THREADS threads, $WRK_CONNECTIONS connections, ${DURATION}s, GET /api/events?limit=50&order=desc:"
echo "  requests/s:                                 $RPS"
echo "  latency p50 / p99:                          $P50 / $P99"
echo "  errors:                                     $ERRS"
echo "SSE messages received by $SSE_CLIENTS clients:        $SSE_MSGS (per client min / max: $SSE_RANGE)"
echo "analysed fps per camera, under load:          $FPS_DURING"
awk -v a="$FPS_BEFORE" -v b="$FPS_DURING" 'BEGIN {printf "fps under load / idle:                        %.3f\n", b / a}'
echo "frames dropped by the rings (all cameras):    $DROPS"
