#!/usr/bin/env bash
# Runs every test of Một Cửa on a fresh Debian 12 machine (installs what is missing first):
# Rust unit and integration tests (core, forms, sync, portal, CLI, app shell; printing to a real cups-pdf queue;
# the sync proofs with the real motcua and motcua-portal processes on loopback, faults, kill -9, soak), the generated-types freshness check, the UI
# tests (Vitest), the benchmark at smoke size, and the end-to-end test of the real window under Xvfb
# through tauri-driver + WebKitWebDriver, the .deb installed, started and removed (tests/package), and every cargo-fuzz target for a short bounded time. Exits
# non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

step() { printf '\n=== %s === (%s)\n' "$*" "$(date +%T)"; }

step "setup"
./scripts/setup.sh --with-e2e

step "UI: unit tests (Vitest) and build"
(cd ui && npm test --silent && npm run build --silent)

step "printer: CUPS with a cups-pdf queue for the printing tests"
eval "$(./scripts/cups-pdf-queue.sh)"
export MOTCUA_TEST_PRINTER MOTCUA_TEST_PRINTER_OUT MOTCUA_TEST_STOPPED_PRINTER
lpstat -p "$MOTCUA_TEST_PRINTER"

step "Rust: tests (core, forms, sync, portal, CLI, app shell, system) and the benchmarks at smoke size"
# One cargo invocation for every target: separate -p runs resolve features differently and rebuild
# half the dependency tree. It also builds target/debug/motcua-app (src-tauri/tests), motcua and
# motcua-portal, which tests/system and the e2e step drive as real processes.
export BENCH_DOSSIERS=3000 BENCH_INTAKES=50 BENCH_RECEIPTS=20 BENCH_LOGBOOK=100 BENCH_PRINTS=5 BENCH_PRINTER="$MOTCUA_TEST_PRINTER"
export BENCH_BACKLOG=1000 BENCH_PAGES=5 BENCH_DOC_DOSSIERS=5
cargo test --workspace --all-targets

step "generated TypeScript types are up to date"
if ! git diff --quiet -- ui/src/bindings || [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  echo "ui/src/bindings is stale: run 'cargo test -p motcua-core' and commit the result" >&2
  git status --short -- ui/src/bindings >&2
  exit 1
fi

step "end-to-end: the real window under Xvfb"
test -x target/debug/motcua-app && test -x target/debug/motcua && test -x target/debug/motcua-portal
./tests/e2e/run.sh

step "start-up: the app and the bare Tauri window both appear (benchmark at smoke size, debug builds)"
./scripts/bench-startup.sh --smoke

step "package: the .deb built from the debug build, installed with apt, started into the set-up, removed"
./tests/package/deb-install.sh

step "fuzzing: every cargo-fuzz target for 10 s (unoptimised sanitizer build, about 7 minutes)"
FUZZ_SECONDS=10 FUZZ_DEV=1 ./scripts/fuzz.sh

echo
echo "all tests passed"
