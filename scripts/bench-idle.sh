#!/usr/bin/env bash
# The idle-CPU benchmark (issue 13; docs/BENCHMARKS.md "Idle CPU"): builds the UI and the release app,
# then, under Xvfb through tauri-driver, measures the CPU the whole process tree uses per minute on the
# intake screen, on a bare page with one focused input (the floor) and with nothing focused. Outside CI
# (a release build of the window takes a long while on 2 cores).
#   scripts/bench-idle.sh                      # this checkout
#   IDLE_APPS="after=target/release/motcua-app,before=/path/to/old/motcua-app" scripts/bench-idle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
(cd ui && npm run build --silent)
cargo build --release -p motcua-app
export IDLE_APPS="${IDLE_APPS:-after=$PWD/target/release/motcua-app}"
./tests/e2e/run.sh idle.bench.mjs
