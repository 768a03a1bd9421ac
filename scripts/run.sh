#!/usr/bin/env bash
# Starts the Một Cửa counter app. On a fresh machine it installs what is missing, builds the UI and the
# app, and opens the window on a demo agency with the shipped catalog (data in the OS data directory,
# or --data-dir DIR / $MOTCUA_DATA_DIR). Extra arguments go to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
./scripts/setup.sh
(cd ui && npm run build --silent)
cargo build -p motcua-app -p motcua-cli
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting the app under Xvfb (:77)" >&2
  Xvfb :77 -screen 0 1366x900x24 >/dev/null 2>&1 &
  export DISPLAY=:77
  sleep 1
fi
exec ./target/debug/motcua-app --demo "$@"
