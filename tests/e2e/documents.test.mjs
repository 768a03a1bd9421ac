// End-to-end (issue 16): the electronic dossier in the real window at 1366×768. SANE's own test
// scanner (a real backend; tests/e2e/run.sh configures it) scans two pages for the first checklist
// item (Alt+S, twice), a phone photo is dropped on the second item, the dossier is confirmed; the
// background sync sends the events and then both files to the reference portal, which holds them under
// their hashes; a second counter of the agency fetches one by hash and checks it. The dossier view
// shows the documents and their upload state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp, byTestId, shot, startPortal } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = process.env.MOTCUA_CLI;
const PORTAL = process.env.MOTCUA_PORTAL;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-docs-'));
const portalDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-docs-portal-'));
const q2Dir = mkdtempSync(join(tmpdir(), 'motcua-e2e-docs-q2-'));
const PHOTO = join(here, '../fixtures/documents/phone-photo.jpg');
let browser;
let portal;
let url;

const portalCli = (...args) => execFileSync(PORTAL, [...args, '--data-dir', portalDir], { encoding: 'utf8' });
const stats = () => JSON.parse(portalCli('stats', '--json'));
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const enrol = (dir, counter) => {
  const code = portalCli('enrolment-code', 'issue', '--agency', '000.00.31.H26', '--counter', counter).trim();
  execFileSync(CLI, ['--data-dir', dir, 'enrol', '--portal', url, '--code', code]);
  portalCli('device', 'approve', '--agency', '000.00.31.H26', '--counter', counter);
};
const staged = (item) => browser.execute((i) => document.querySelectorAll(`[data-item="${i}"] [data-testid="staged-page"]`).length, item);

before(async () => {
  ({ proc: portal, url } = await startPortal(portalDir, []));
  browser = await startApp(['--data-dir', dataDir]);
});

after(() => {
  if (portal) portal.kill('SIGKILL');
});

test('two scanned pages and a dropped photo reach the portal with their hashes; a second counter fetches one', async () => {
  await (await byTestId('procedure-input')).waitForDisplayed({ timeout: 30000 });
  // the demo counter (made by the app on first start) is enrolled by its admin
  enrol(dataDir, 'Q01');
  await browser.keys(['F2']);
  await (await byTestId('procedure-input')).addValue('đkks');
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelector('[data-testid="procedure-option"]')?.textContent || '')).includes('khai sinh'), { timeout: 10000 });
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('.doc-list [data-item]').length)) > 1, { timeout: 10000 });
  const items = await browser.execute(() => [...document.querySelectorAll('.doc-list [data-item]')].map((r) => r.dataset.item));
  const [first, second] = items;
  // the applicant
  for (const [id, text] of [['applicant-full_name', 'Đặng Hữu Phước'], ['applicant-id_number', '001090012345'], ['applicant-date_of_birth', '05/03/1990'], ['applicant-phone', '0912345678'], ['applicant-address', 'Số 5 phố Quán Thánh, Phường Ba Đình, Hà Nội']]) {
    await (await byTestId(id)).addValue(text);
  }
  // Alt+S on the first item: one page; the next item needing papers becomes current
  await browser.execute((i) => document.querySelector(`[data-item="${i}"] input[type=checkbox]`).focus(), first);
  await browser.keys(['Alt', 's']);
  await browser.waitUntil(async () => (await staged(first)) === 1, { timeout: 30000, timeoutMsg: 'the first scan did not arrive' });
  const current = await browser.execute(() => document.querySelector('.doc-list .current')?.dataset.item);
  assert.equal(current, second, 'after a scan the next item without pages is current');
  // back to the first item for its second page
  await browser.execute((i) => document.querySelector(`[data-item="${i}"] input[type=checkbox]`).focus(), first);
  await browser.keys(['Alt', 's']);
  await browser.waitUntil(async () => (await staged(first)) === 2, { timeout: 30000, timeoutMsg: 'the second scan did not arrive' });
  // a phone photo dropped on the second item (an HTML5 drop with the file's bytes)
  const photo = readFileSync(PHOTO).toString('base64');
  await browser.execute((item, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'IMG_2024.jpg', { type: 'image/jpeg' }));
    const row = document.querySelector(`[data-item="${item}"]`);
    row.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
    row.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, second, photo);
  const took = await browser.waitUntil(async () => (await staged(second)) === 1, { timeout: 30000 }).catch(() => false);
  if (!took) {
    const why = await browser.execute((item) => ({ row: document.querySelector(`[data-item="${item}"]`)?.textContent, note: document.querySelector('[data-testid="scan-note"]')?.textContent, dt: typeof DataTransfer, err: window.__lastError }), second);
    assert.fail(`the dropped photo was not taken: ${JSON.stringify(why)}`);
  }
  await shot('documents-intake-staged.png');
  // the window still fits 1366×768
  const fit = await browser.execute(() => ({ h: window.innerHeight, body: document.documentElement.scrollHeight, submit: document.querySelector('[data-testid="submit"]').getBoundingClientRect().bottom }));
  assert.ok(fit.body <= fit.h + 1 && fit.submit <= fit.h, `the page scrolls: ${JSON.stringify(fit)}`);
  // confirm
  await browser.keys(['Control', 'Enter']);
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelector('[data-testid="result-code"]')?.textContent || '')) !== '', { timeout: 20000 });
  const code = await browser.execute(() => document.querySelector('[data-testid="result-code"]').textContent.trim());
  const listed = JSON.parse(execFileSync(CLI, ['--data-dir', dataDir, 'documents', 'list', code, '--json'], { encoding: 'utf8' }));
  assert.equal(listed.length, 2);
  assert.equal(listed.find((d) => d.slot.id === first).pages, 2);
  assert.equal(listed.find((d) => d.slot.id === second).source, 'photo');
  // the background sync sends the events, then the files
  await browser.waitUntil(() => stats().blobs === 2, { timeout: 60000, interval: 1000, timeoutMsg: 'the portal did not get both files' });
  for (const d of listed) {
    const held = readFileSync(join(portalDir, 'blobs', d.sha256.slice(0, 2), d.sha256));
    assert.equal(sha256(held), d.sha256, 'the portal holds the same bytes');
  }
  // the dossier view shows them, stored at the portal
  await browser.keys(['F3']);
  const search = await byTestId('search-input');
  await search.waitForDisplayed({ timeout: 10000 });
  await search.addValue(code);
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('table.results tbody tr').length)) > 0, { timeout: 10000 });
  await browser.keys(['ArrowDown']);
  await browser.keys(['Enter']);
  const shown = await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('[data-testid="document-upload"][data-state="stored"]').length)) === 2, { timeout: 30000 }).catch(() => false);
  if (!shown) {
    const why = await browser.execute(() => ({ detail: document.querySelector('[data-testid="dossier-detail"]')?.hidden, states: [...document.querySelectorAll('[data-testid="document-upload"]')].map((e) => e.dataset.state), docs: document.querySelector('[data-testid="documents-rows"]')?.textContent, err: document.querySelector('[data-testid="documents-error"]')?.textContent, empty: document.querySelector('[data-testid="documents-empty"]')?.textContent }));
    await shot('documents-dossier-view-failed.png');
    assert.fail(`the dossier view does not show both documents stored: ${JSON.stringify(why)}`);
  }
  await shot('documents-dossier-view.png');
  // the return desk's machine: another counter of the agency, which fetches one by its hash
  execFileSync(CLI, ['--data-dir', q2Dir, 'init', '--agency-code', '000.00.31.H26', '--agency-name', 'UBND phường Ba Đình', '--counter', 'Q02', '--clerk-id', 'CB02']);
  enrol(q2Dir, 'Q02');
  execFileSync(CLI, ['--data-dir', q2Dir, 'sync']);
  const out = join(q2Dir, 'fetched.pdf');
  execFileSync(CLI, ['--data-dir', q2Dir, 'documents', 'get', listed[0].sha256, '--out', out]);
  assert.equal(sha256(readFileSync(out)), listed[0].sha256);
});
