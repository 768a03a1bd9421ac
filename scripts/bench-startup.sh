#!/usr/bin/env bash
# Start-up and memory of the counter app against a bare Tauri 2 window built with the same versions
# (benches/bare-tauri), in one run, under Xvfb (issue 17): for each, N starts (default 5), the time
# from spawning the process to its window being mapped (xwininfo), and the resident memory of the
# whole process tree (the app and its WebKit web and network processes) once it has settled; the
# medians and the ratios app / bare are printed as a Markdown table for docs/BENCHMARKS.md.
# The app starts on an existing demo counter (the screens a clerk sees), not the first-run set-up.
#
#   scripts/bench-startup.sh              release builds, 5 starts each
#   scripts/bench-startup.sh --smoke      the debug builds the tests made, 1 start each (CI: the
#                                         script works and both windows appear; ratios mean nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
profile=release
runs=${BENCH_STARTS:-5}
if [ "${1:-}" = "--smoke" ]; then profile=debug; runs=1; fi
if [ "$profile" = release ]; then
  (cd ui && npm run build --silent)
  # the same package set as scripts/package.sh (another set resolves features differently and rebuilds)
  cargo build --release -p motcua-app -p motcua-cli -p motcua-portal -p bare-tauri
fi
app="target/$profile/motcua-app"
bare="target/$profile/bare-tauri"
test -x "$app" && test -x "$bare"

work=$(mktemp -d /tmp/motcua-bench-startup-XXXXXX)
disp=":$((60 + RANDOM % 20))"
Xvfb "$disp" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
export DISPLAY="$disp" NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 LANG=C.UTF-8
sleep 1

# the resident memory (kB) of a process and all its descendants
tree_rss() {
  local pids=("$1") i=0
  while [ $i -lt ${#pids[@]} ]; do
    for c in $(pgrep -P "${pids[$i]}" || true); do pids+=("$c"); done
    i=$((i + 1))
  done
  local total=0
  for p in "${pids[@]}"; do
    r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${r:-0}))
  done
  echo "$total"
}

# one start: prints "seconds_to_mapped rss_kB"
one() {
  local title="$1"; shift
  local t0 t1 pid
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    if xwininfo -root -tree 2>/dev/null | grep -q "\"$title"; then break; fi
    sleep 0.01
  done
  t1=$(date +%s.%N)
  xwininfo -root -tree 2>/dev/null | grep -q "\"$title" || { kill "$pid"; echo "window \"$title\" never appeared" >&2; exit 1; }
  sleep 4
  local rss
  rss=$(tree_rss "$pid")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$(echo "$t1 - $t0" | bc -l) $rss"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# a demo counter to open (made once, not measured)
"$app" --demo --data-dir "$work/data" >/dev/null 2>&1 &
p=$!
for _ in $(seq 1 600); do [ -f "$work/data/motcua.sqlite3" ] && xwininfo -root -tree | grep -q '"Một Cửa' && break; sleep 0.05; done
sleep 2; kill $p; wait $p 2>/dev/null || true

: >"$work/app" ; : >"$work/bare"
for i in $(seq 1 "$runs"); do
  # alternate, so that a slow moment of the machine hits both
  one "bare-tauri baseline" "$bare" >>"$work/bare"
  one "Một Cửa" "$app" --data-dir "$work/data" >>"$work/app"
done
at=$(cut -d' ' -f1 "$work/app" | median); am=$(cut -d' ' -f2 "$work/app" | median)
bt=$(cut -d' ' -f1 "$work/bare" | median); bm=$(cut -d' ' -f2 "$work/bare" | median)
printf '| build | starts | window mapped (median) | process tree RSS (median) |\n|---|---|---|---|\n'
printf '| motcua-app (%s) | %s | %.3f s | %d MB |\n' "$profile" "$runs" "$at" "$((am / 1024))"
printf '| bare Tauri 2 window (%s) | %s | %.3f s | %d MB |\n' "$profile" "$runs" "$bt" "$((bm / 1024))"
printf '| **app / bare** | | **%.2f×** (goal ≤ 1.5×) | **%.2f×** (goal ≤ 1.3×) |\n' "$(echo "$at / $bt" | bc -l)" "$(echo "$am / $bm" | bc -l)"
echo "raw (seconds, kB): app: $(tr '\n' ';' <"$work/app") bare: $(tr '\n' ';' <"$work/bare")"
