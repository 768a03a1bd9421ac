// Run by tests/package/deb-install.sh against the app installed from the .deb (MOTCUA_APP is
// /usr/bin/motcua-app): with no --data-dir, a fresh install opens the first-run set-up on the OS data
// directory. Named .check.mjs so the normal end-to-end run (./*.test.mjs) leaves it out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, byTestId, shot } from './helpers.mjs';

test('the installed app opens the set-up on the OS data directory', async () => {
  assert.equal(process.env.MOTCUA_APP, '/usr/bin/motcua-app');
  const browser = await startApp([], { demo: false });
  const setup = await byTestId('setup-screen');
  await setup.waitForDisplayed({ timeout: 30000 });
  assert.equal(await (await byTestId('setup-step-title')).getText(), 'Phường, xã');
  const dir = process.env.MOTCUA_EXPECT_DATA_DIR;
  assert.ok(existsSync(join(dir, 'motcua.sqlite3')), `no database in ${dir}`);
  const shown = await browser.execute(() => document.querySelector('[data-testid="status-db"]')?.textContent ?? '');
  assert.equal(shown, '', 'the counter screens are not shown before the set-up');
  await shot('installed-first-start.png');
});
