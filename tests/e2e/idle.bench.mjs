// The idle-CPU benchmark of issue 13 (docs/BENCHMARKS.md): CPU time used by the whole process tree of
// the app (the Rust process and its WebKit web and network processes) per minute while nobody touches
// it, read from /proc (utime + stime), after a settle. Three cases, in one run:
//   app      the counter window on its intake screen (as it starts: the procedure field focused)
//   floor    the same window and WebKit showing a bare page with one focused text input (idle-floor.html)
//   blurred  that bare page with nothing focused (no caret blinking)
// Run: IDLE_APPS="after=target/release/motcua-app,before=/tmp/old-app" ./tests/e2e/run.sh idle.bench.mjs
// (IDLE_SETTLE_S, default 10; IDLE_SECONDS, default 60). Not part of the test suite: it measures.
import { test } from 'node:test';
import { readFileSync, readdirSync, readlinkSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { remote } from 'webdriverio';

const SETTLE = Number(process.env.IDLE_SETTLE_S || 10) * 1000;
const SECONDS = Number(process.env.IDLE_SECONDS || 60);
const TICK = 100; // USER_HZ on Linux
const apps = (process.env.IDLE_APPS || `after=${process.env.MOTCUA_APP}`).split(',').map((s) => {
  const [label, path] = s.split('=');
  return { label, path: resolve(path) };
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function procs() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      let exe = '';
      try { exe = readlinkSync(`/proc/${d}/exe`); } catch { /* another user's */ }
      out.push({ pid: +d, ppid: +rest[1], ticks: +rest[11] + +rest[12], exe });
    } catch { /* gone */ }
  }
  return out;
}

/** CPU ticks of the app process with `exe` and all its descendants. */
function treeTicks(exe) {
  const all = procs();
  const roots = all.filter((p) => p.exe === exe).map((p) => p.pid);
  if (!roots.length) throw new Error(`no process runs ${exe}`);
  const tree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) if (!tree.has(p.pid) && tree.has(p.ppid)) { tree.add(p.pid); grew = true; }
  }
  return { ticks: all.filter((p) => tree.has(p.pid)).reduce((s, p) => s + p.ticks, 0), processes: tree.size };
}

async function measure(exe) {
  await sleep(SETTLE);
  const a = treeTicks(exe);
  await sleep(SECONDS * 1000);
  const b = treeTicks(exe);
  return { cpuSecondsPerMinute: ((b.ticks - a.ticks) / TICK) * (60 / SECONDS), processes: b.processes };
}

const results = [];

for (const app of apps) {
  test(`idle CPU: ${app.label}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-idle-'));
    const b = await remote({
      hostname: '127.0.0.1',
      port: Number(process.env.TAURI_DRIVER_PORT || 4444),
      logLevel: 'warn',
      capabilities: { 'tauri:options': { application: app.path, args: ['--data-dir', dir] } },
    });
    try {
      await b.waitUntil(() => b.execute(() => document.querySelector('[data-testid="lock-screen"]')?.dataset.ready === '1'), { timeout: 30000 });
      const later = await b.$('[data-testid="lock-cancel"]');
      if (await later.isDisplayed()) await later.click();
      await b.keys(['F2']);
      const focused = await b.execute(() => document.activeElement?.tagName);
      const appCase = await measure(app.path);
      results.push({ app: app.label, case: 'app (intake screen)', focused, ...appCase });
      await b.execute(() => { location.href = 'idle-floor.html'; });
      await b.waitUntil(() => b.execute(() => !!document.querySelector('[data-testid="floor-input"]')), { timeout: 10000 });
      await b.execute(() => document.querySelector('[data-testid="floor-input"]').focus());
      const floor = await measure(app.path);
      results.push({ app: app.label, case: 'floor (bare page, input focused)', focused: 'INPUT', ...floor });
      await b.execute(() => document.activeElement?.blur());
      const blurred = await measure(app.path);
      results.push({ app: app.label, case: 'bare page, nothing focused', focused: 'BODY', ...blurred });
    } finally {
      await b.deleteSession();
    }
    for (const r of results.filter((x) => x.app === app.label)) {
      console.log(`# ${r.app.padEnd(8)} ${r.case.padEnd(34)} ${r.cpuSecondsPerMinute.toFixed(2)} s CPU/min (${r.processes} processes, focus ${r.focused})`);
    }
    const [appCase, floor] = results.filter((x) => x.app === app.label);
    console.log(`# ${app.label}: app / floor = ${(appCase.cpuSecondsPerMinute / floor.cpuSecondsPerMinute).toFixed(2)}`);
  });
}
