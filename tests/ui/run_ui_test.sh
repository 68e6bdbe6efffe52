#!/usr/bin/env bash
# Runs the browser test (ui_test.mjs) against a fresh `watchline demo`:
# users are made with `watchline user add`, the demo listens on a free
# loopback port, screenshots go to <build>/test-artifacts/.
# Usage: run_ui_test.sh BUILD_DIR
set -euo pipefail
BUILD="$(cd "$1" && pwd)"
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="$BUILD/watchline"
ART="$BUILD/test-artifacts"
DATA="$(mktemp -d /tmp/wl-ui-test.XXXXXX)"
DEMO_PID=""
cleanup() {
  if [ -n "$DEMO_PID" ]; then kill "$DEMO_PID" 2>/dev/null || true; wait "$DEMO_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

command -v node >/dev/null || { echo "node is not installed" >&2; exit 1; }
[ -x "${WL_CHROMIUM:-/usr/bin/chromium}" ] || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 1; }

echo "ui-admin-pw-1" | "$BIN" user add uiadmin --role admin --password-stdin --data-dir "$DATA"
echo "ui-operator-pw-1" | "$BIN" user add uioperator --role operator --password-stdin --data-dir "$DATA"

PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})')"
"$BIN" demo --port "$PORT" --data-dir "$DATA" > "$DATA/demo.log" 2>&1 &
DEMO_PID=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "demo did not start:"; cat "$DATA/demo.log"; exit 1; }

mkdir -p "$ART"
# ESM imports resolve from the script's folder: run it beside the build's node_modules.
cp "$HERE/ui_test.mjs" "$BUILD/web-npm/ui_test.mjs"
set +e
NODE_PATH="$BUILD/web-npm/node_modules" \
WL_URL="http://127.0.0.1:$PORT" WL_ARTIFACTS="$ART" \
WL_OPERATOR=uioperator WL_OPERATOR_PW=ui-operator-pw-1 WL_ADMIN=uiadmin WL_ADMIN_PW=ui-admin-pw-1 \
  node "$BUILD/web-npm/ui_test.mjs"
rc=$?
set -e
if [ $rc -ne 0 ]; then echo "--- demo log (tail) ---"; tail -40 "$DATA/demo.log"; fi
exit $rc
