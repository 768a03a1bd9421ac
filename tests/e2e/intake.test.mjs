// End-to-end: the real Một Cửa window (debug build) under Xvfb, driven through tauri-driver and
// WebKitWebDriver. A clerk picks a procedure by typing, fills the applicant by keyboard, confirms
// with Enter, and sees the official code and appointment; the dossier is then in the SQLite file
// (checked with the CLI) and found by the search screen without diacritics.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, byTestId, typeInto, shot } from './helpers.mjs';

const CLI = process.env.MOTCUA_CLI;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-'));
let browser;

before(async () => {
  browser = await startApp(['--data-dir', dataDir, '--now', '2026-02-12T10:30']);
});

test('intake by keyboard gives the official code and appointment', async () => {
  const proc = await byTestId('procedure-input');
  await proc.waitForDisplayed({ timeout: 30000 });
  await proc.click();
  await proc.addValue('khai sinh');
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('[data-testid="procedure-option"]').length)) > 0, { timeout: 10000 });
  const texts = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="procedure-option"]')).map((o) => o.textContent || ''));
  assert.ok(texts.some((t) => t.includes('1.001193')), `options: ${texts.join(' | ')}`);
  // move down to the birth registration with the arrow keys, pick it with Enter
  const idx = texts.findIndex((t) => t.includes('1.001193'));
  for (let i = 0; i < idx; i++) await browser.keys(['ArrowDown']);
  await browser.keys(['Enter']);
  const due = await byTestId('preview-due');
  await browser.waitUntil(async () => (await due.getText()).includes('12/02/2026'), { timeout: 10000 });

  await typeInto('applicant-full_name', 'Nguyễn Văn A');
  await typeInto('applicant-id_number', '001090012345');
  await typeInto('applicant-date_of_birth', '05/03/1990');
  await typeInto('applicant-phone', '0912345678');
  await typeInto('applicant-address', 'Số 1 phố Điện Biên Phủ, Ba Đình, Hà Nội');
  await browser.keys(['Control', 'Enter']);

  const code = await byTestId('result-code');
  await code.waitForDisplayed({ timeout: 10000 });
  assert.equal(await code.getText(), '000.00.31.H26-260212-0001');
  const resultDue = await (await byTestId('result-due')).getText();
  assert.match(resultDue, /17:00/);
  assert.match(resultDue, /12\/02\/2026/);
  // focus is back on the procedure field for the next citizen
  const active = await browser.execute(() => document.activeElement?.getAttribute('data-testid'));
  assert.equal(active, 'procedure-input');
  await shot('intake-done.png');

  // it is in the real SQLite file
  const shown = JSON.parse(execFileSync(CLI, ['--data-dir', dataDir, 'show', '000.00.31.H26-260212-0001', '--json'], { encoding: 'utf8' }));
  assert.equal(shown.applicant.full_name, 'Nguyễn Văn A');
  assert.equal(shown.due_at, '2026-02-12T17:00:00+07:00');
});

test('an invalid ID number is shown beside its field and nothing is stored', async () => {
  const proc = await byTestId('procedure-input');
  await proc.click();
  await proc.addValue('1.001193');
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('[data-testid="procedure-option"]').length)) > 0, { timeout: 10000 });
  await browser.keys(['Enter']);
  await typeInto('applicant-full_name', 'Trần Thị Bích');
  await typeInto('applicant-id_number', '12345');
  await typeInto('applicant-date_of_birth', '01/01/1980');
  await typeInto('applicant-phone', '0987654321');
  await typeInto('applicant-address', 'Hà Nội');
  await browser.keys(['Control', 'Enter']);
  const err = await byTestId('error-applicant.id_number');
  await err.waitForDisplayed({ timeout: 10000 });
  assert.match(await err.getText(), /12 chữ số/);
  const active = await browser.execute(() => document.activeElement?.getAttribute('data-testid'));
  assert.equal(active, 'applicant-id_number');
  const out = JSON.parse(execFileSync(CLI, ['--data-dir', dataDir, 'search', 'tran thi bich', '--json'], { encoding: 'utf8' }));
  assert.equal(out.hits.length, 0);
});

test('search finds the dossier without diacritics', async () => {
  await browser.keys(['F3']);
  const input = await byTestId('search-input');
  await input.waitForDisplayed({ timeout: 10000 });
  await input.click();
  await input.addValue('nguyen van a');
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('[data-testid="search-row"]').length)) > 0, { timeout: 10000 });
  const rows = await browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="search-row"]')).map((r) => r.textContent || ''));
  assert.equal(rows.length, 1);
  assert.match(rows[0], /000\.00\.31\.H26-260212-0001/);
  assert.match(rows[0], /Nguyễn Văn A/);
  await shot('search.png');
});
