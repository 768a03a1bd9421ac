// Shared by the end-to-end tests: start the real app through tauri-driver, find elements by test id,
// type like a clerk, keep a screenshot after every test.
import { afterEach, after } from 'node:test';
import { mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

const here = dirname(fileURLToPath(import.meta.url));
export const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

/** The WebDriver session of this test file (set by `startApp`). */
export const session = { browser: null };

/**
 * Starts the app with its arguments; registers the screenshot and shutdown hooks of the file. An
 * empty data directory opens on the demo agency (`--demo`) unless `{ demo: false }`, which opens the
 * first-run set-up (then the lock screen is not waited for).
 */
export async function startApp(args, { demo = true } = {}) {
  session.browser = await remote({
    hostname: '127.0.0.1',
    port: Number(process.env.TAURI_DRIVER_PORT || 4444),
    logLevel: 'warn',
    // a stuck request is given up after a minute instead of two (see `shot`)
    connectionRetryTimeout: 60000,
    connectionRetryCount: 0,
    capabilities: { 'tauri:options': { application: process.env.MOTCUA_APP, args: demo ? ['--demo', ...args] : args } },
  });
  const b = session.browser;
  if (!demo) {
    await b.waitUntil(() => b.execute(() => document.querySelector('[data-testid="setup-screen"]')?.dataset.ready === '1' || !!document.querySelector('[data-testid="lock-screen"]')), { timeout: 30000 });
    return b;
  }
  // a counter without an admin account asks for one at every start: "Để sau" for the tests that
  // are not about accounts (accounts.test.mjs creates its accounts first)
  await b.waitUntil(() => b.execute(() => document.querySelector('[data-testid="lock-screen"]')?.dataset.ready === '1'), { timeout: 30000 });
  const later = await b.$('[data-testid="lock-cancel"]');
  if (await later.isDisplayed()) await later.click();
  return b;
}

/**
 * Saves a picture of the window, for people. WebKitWebDriver's snapshot now and then waits for a
 * frame that Xvfb never paints (seen in CI after the pdf.js preview and after a print); a picture is
 * not a test result, so after 15 s it is skipped with a note instead of failing the test.
 */
export async function shot(name) {
  const b = session.browser;
  if (!b) return;
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), 15000); });
  const r = await Promise.race([b.saveScreenshot(join(shots, name)).then(() => 'ok', (e) => `error: ${e.message}`), timeout]);
  clearTimeout(timer);
  if (r !== 'ok') console.log(`# screenshot ${name} skipped (${r})`);
}

afterEach(async (t) => {
  // a picture of the window after every test, for people (and for failures)
  await shot(`${t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}.png`);
});

after(async () => {
  if (session.browser) await session.browser.deleteSession();
});

export const byTestId = (id) => session.browser.$(`[data-testid="${id}"]`);

export async function typeInto(id, text) {
  const el = await byTestId(id);
  await el.waitForDisplayed({ timeout: 10000 });
  await el.click();
  // element send-keys: WebKitWebDriver drops repeated characters when sent as separate key actions
  await el.addValue(text);
}

/** Starts the reference portal (`MOTCUA_PORTAL`) on a free port of 127.0.0.1 with its data in `dir`;
 * resolves with the process and its address once it listens. */
export async function startPortal(dir, args = []) {
  const port = await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port: p } = s.address();
      s.close(() => resolve(p));
    });
  });
  const proc = spawn(process.env.MOTCUA_PORTAL, ['--listen', `127.0.0.1:${port}`, '--data-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => proc.stdout.once('data', resolve));
  return { proc, url: `http://127.0.0.1:${port}` };
}
