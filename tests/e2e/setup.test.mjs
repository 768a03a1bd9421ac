// End-to-end: the first run of a counter on an empty data directory, keyboard only at 1366×768 (issue
// 17). The set-up opens instead of the counter screens (no demo data); two steps are saved, the app
// is closed and opened again and resumes at the third; the printer's test page comes out of the real
// cups-pdf queue with its Vietnamese text and both codes readable; the portal (a real motcua-portal
// on 127.0.0.1) is tested live, then the counter enrols at the end with a one-time code and opens on
// its own agency, ready to take a dossier in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, byTestId, typeInto, shot, startPortal, session } from './helpers.mjs';

const PORTAL = process.env.MOTCUA_PORTAL;
const PRINTER = process.env.MOTCUA_TEST_PRINTER;
const PRINTER_OUT = process.env.MOTCUA_TEST_PRINTER_OUT;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-setup-'));
const portalDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-setup-portal-'));
const work = mkdtempSync(join(tmpdir(), 'motcua-e2e-setup-work-'));
const PW = 'Hq5!tW9z-quan-tri-quay-02';
let browser;
let portal;
let url;

const portalCli = (args) => execFileSync(PORTAL, [...args, '--data-dir', portalDir], { encoding: 'utf8' });
const stepTitle = async () => (await byTestId('setup-step-title')).getText();
const waitStep = (title) => browser.waitUntil(async () => (await stepTitle()) === title, { timeout: 15000, timeoutMsg: `step "${title}" not shown` });

before(async () => {
  assert.ok(PRINTER && PRINTER_OUT, 'MOTCUA_TEST_PRINTER and MOTCUA_TEST_PRINTER_OUT must be set (scripts/test.sh sets them)');
  ({ proc: portal, url } = await startPortal(portalDir, []));
  browser = await startApp(['--data-dir', dataDir], { demo: false });
});

after(() => {
  if (portal) portal.kill('SIGKILL');
});

function printedFile(jobNo) {
  const deadline = Date.now() + 60000;
  for (;;) {
    const hit = readdirSync(PRINTER_OUT).find((f) => f.endsWith('.pdf') && f.includes(`job_${jobNo}`));
    if (hit) {
      const path = join(PRINTER_OUT, hit);
      const size = statSync(path).size;
      execFileSync('sleep', ['0.3']);
      if (size > 0 && statSync(path).size === size) return path;
    }
    if (Date.now() > deadline) throw new Error(`no printed test page for job ${jobNo} in ${PRINTER_OUT}`);
    execFileSync('sleep', ['0.2']);
  }
}

test('a fresh counter opens the set-up, not demo data; two steps saved survive a restart', async () => {
  assert.equal(await (await byTestId('setup-screen')).isDisplayed(), true);
  assert.equal(await stepTitle(), 'Phường, xã');
  // nothing of the counter screens behind it
  assert.equal(await browser.execute(() => !!document.querySelector('[data-testid="procedure-input"]')), false);
  // the ward, typed without diacritics, chosen with Enter
  await typeInto('setup-unit_query', 'phuong ba dinh');
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('[data-testid="setup-unit-option"]').length)) > 0, { timeout: 10000 });
  assert.match(await (await byTestId('setup-unit-option')).getText(), /Phường Ba Đình — Thành phố Hà Nội/);
  await browser.keys(['Enter']);
  await waitStep('Trung tâm và mã đơn vị');
  // the names of the forms follow from the ward; only the code and address are left to type
  assert.equal(await (await byTestId('setup-agency_name')).getValue(), 'UBND phường Ba Đình');
  assert.equal(await (await byTestId('setup-parent_line')).getValue(), 'UBND THÀNH PHỐ HÀ NỘI');
  // a code of the wrong shape is refused with its field named
  await typeInto('setup-agency_code', '31.H26');
  // Enter goes on to the next empty field (the address), then saves the step
  await browser.keys(['Enter']);
  assert.equal(await browser.execute(() => document.activeElement?.dataset.field), 'address');
  await typeInto('setup-address', 'Số 25 phố Liễu Giai');
  await browser.keys(['Enter']);
  const err = await byTestId('setup-error');
  await err.waitForDisplayed({ timeout: 10000 });
  assert.match(await err.getText(), /000\.00\.00\.H26/);
  assert.equal(await (await byTestId('setup-agency_code')).getAttribute('aria-invalid'), 'true');
  await shot('setup-agency-code-refused.png');
  const code = await byTestId('setup-agency_code');
  await code.clearValue();
  await code.addValue('000.00.31.H26');
  await browser.keys(['Enter']);
  await waitStep('Quầy');

  // closed midway: the next start resumes at the counter
  await browser.deleteSession();
  browser = await startApp(['--data-dir', dataDir], { demo: false });
  await waitStep('Quầy');
  const done = await browser.execute(() => Array.from(document.querySelectorAll('[data-testid="setup-steps"] li.done')).map((l) => l.textContent));
  assert.deepEqual(done, ['✓ Phường, xã', '✓ Trung tâm và mã đơn vị']);
});

test('the counter, the printer with its test page, the portal tested live, the admin: the counter opens enrolled', async () => {
  await typeInto('setup-counter_id', 'Q02');
  await typeInto('setup-counter_name', 'Quầy 02');
  await browser.keys(['Enter']);
  await waitStep('Máy in');
  const select = await byTestId('setup-printer');
  await select.selectByAttribute('value', PRINTER);
  await browser.keys(['Alt', 'i']);
  const result = await byTestId('setup-print-result');
  await browser.waitUntil(async () => /lệnh in/.test(await result.getText()), { timeout: 20000, timeoutMsg: 'no answer from the test print' });
  const job = (await result.getText()).match(/lệnh in [^\s]*-(\d+)\)/)[1];
  const pdf = printedFile(job);
  // the text as rendered (the cups-pdf copy is re-made by Ghostscript, whose fonts carry no text)
  const text = execFileSync('pdftotext', [join(dataDir, 'prints', 'trang-in-thu.pdf'), '-'], { encoding: 'utf8' });
  for (const want of ['TRANG IN THỬ', 'UBND PHƯỜNG BA ĐÌNH', 'Đặng Hữu Phước', 'Quầy 02', PRINTER]) assert.ok(text.includes(want), `${want} not on the test page:\n${text}`);
  const png = join(work, 'test-page');
  execFileSync('pdftoppm', ['-r', '300', '-gray', '-png', '-singlefile', pdf, png]);
  const symbols = execFileSync('zbarimg', ['-q', `${png}.png`], { encoding: 'utf8' });
  assert.match(symbols, /CODE-128:000\.00\.00\.H00-000000-0000/);
  assert.match(symbols, /QR-Code:https:/);
  await shot('setup-printer.png');
  await browser.execute(() => document.querySelector('[data-testid="setup-printer"]').focus());
  await browser.keys(['Enter']);
  await waitStep('Kết nối');

  // the portal answers before anything is spent; a wrong address says so in words
  await typeInto('setup-portal_url', 'http://127.0.0.1:9');
  await browser.keys(['Alt', 'k']);
  const answer = await byTestId('setup-portal-result');
  await browser.waitUntil(async () => (await answer.getText()).length > 0 && !(await answer.getText()).startsWith('Đang'), { timeout: 30000 });
  assert.equal(await answer.getAttribute('data-ok'), '0');
  const urlInput = await byTestId('setup-portal_url');
  await urlInput.clearValue();
  await urlInput.addValue(url);
  await browser.keys(['Alt', 'k']);
  await browser.waitUntil(async () => /Cổng trả lời/.test(await answer.getText()), { timeout: 15000 });
  const enrolCode = portalCli(['enrolment-code', 'issue', '--agency', '000.00.31.H26', '--counter', 'Q02']).trim();
  await typeInto('setup-code', enrolCode);
  await browser.keys(['Enter']);
  await waitStep('Tài khoản quản trị');
  assert.equal(JSON.parse(portalCli(['enrolment-code', 'list']))[0].state, 'valid', 'nothing spent before the end');

  await typeInto('setup-admin_id', 'quantri');
  await browser.keys(['Enter']);
  await typeInto('setup-admin_name', 'Lê Văn Quản');
  await typeInto('setup-password', PW);
  await typeInto('setup-password2', PW);
  await typeInto('setup-pin', '2580');
  await shot('setup-admin.png');
  await browser.keys(['Enter']);
  // the counter screens, on the real agency, the admin logged in
  const agency = await byTestId('agency');
  await agency.waitForDisplayed({ timeout: 30000 });
  const header = () => browser.execute(() => document.querySelector('[data-testid="agency"]').textContent);
  await browser.waitUntil(async () => (await header()) === 'UBND phường Ba Đình', { timeout: 15000 }).catch(async (e) => {
    throw new Error(`header shows ${JSON.stringify(await header())}: ${e.message}`);
  });
  await browser.waitUntil(async () => /Quầy 02 · Lê Văn Quản/.test(await (await byTestId('who')).getText()), { timeout: 15000 });
  const stats = JSON.parse(portalCli(['stats', '--json']));
  assert.equal(stats.counters.length, 1, 'enrolled with the portal');
  assert.equal(JSON.parse(portalCli(['enrolment-code', 'list']))[0].state, 'used');
  await (await byTestId('procedure-input')).waitForDisplayed({ timeout: 10000 });
  await shot('setup-done.png');
  assert.ok(session.browser);
});
