#!/usr/bin/env bash
# Starts Xvfb and tauri-driver (which starts WebKitWebDriver), then runs the end-to-end tests against
# the debug build of the app (target/debug/motcua-app). Everything listens on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(cd ../.. && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
export MOTCUA_APP="${MOTCUA_APP:-$ROOT/target/debug/motcua-app}"
export MOTCUA_CLI="$ROOT/target/debug/motcua"
export MOTCUA_PORTAL="$ROOT/target/debug/motcua-portal"
# the app's background sync: quick rounds and a short backoff cap, so recovery is seen within seconds
export MOTCUA_SYNC_INTERVAL_MS=1000
export MOTCUA_SYNC_BACKOFF_CAP_MS=1000
export MOTCUA_SYNC_FIRST_DELAY_MS=500
# SANE's own test scanner (a real backend scanning a generated page) stands for the document scanner
export MOTCUA_SANE_CONFIG="${MOTCUA_SANE_CONFIG:-$(mktemp -d /tmp/motcua-e2e-sane-XXXXXX)}"
printf 'test\n' > "$MOTCUA_SANE_CONFIG/dll.conf"
printf 'number_of_devices 1\nmode Gray\nresolution 200.0\ntest-picture "Color pattern"\nread-status-code "Default"\ngeometry_max 200.0\nbr_x 200.0\nbr_y 200.0\n' > "$MOTCUA_SANE_CONFIG/test.conf"
export NO_AT_BRIDGE=1
export WEBKIT_DISABLE_COMPOSITING_MODE=1
export LANG=C.UTF-8

PORT=${TAURI_DRIVER_PORT:-4444}
export TAURI_DRIVER_PORT=$PORT
pids=()
cleanup() {
  for p in "${pids[@]}"; do pkill -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  pkill -f "tauri-driver --port $PORT" 2>/dev/null || true
  pkill -f "WebKitWebDriver --port=$((PORT + 1))" 2>/dev/null || true
}
trap cleanup EXIT

if [ -z "${E2E_DISPLAY:-}" ]; then
  DISPLAY_NUM=:$((90 + RANDOM % 9))
  Xvfb "$DISPLAY_NUM" -screen 0 1366x768x24 -nolisten tcp >/tmp/motcua-xvfb.log 2>&1 &
  pids+=($!)
  export DISPLAY="$DISPLAY_NUM"
else
  export DISPLAY="$E2E_DISPLAY"
fi
sleep 1

dbus-run-session -- tauri-driver --port "$PORT" --native-port $((PORT + 1)) >/tmp/motcua-tauri-driver.log 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then break; fi
  sleep 0.2
done

# the given test files (e.g. ./run.sh enrol.test.mjs), else all of them
if [ "$#" -gt 0 ]; then
  node --test --test-concurrency=1 "$@"
else
  node --test --test-concurrency=1 ./*.test.mjs
fi
