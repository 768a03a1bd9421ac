// End-to-end (issue 15): the citizen's card fills the applicant in the real window at 1366×768.
// A scanner in USB COM mode is a real pseudo-terminal pair (socat): the test writes the card's QR
// string at the scanner's end, the app reads the other end (settings scanner_port). A keyboard-wedge
// scanner is keystrokes sent into whatever field has focus. A birth registration is then confirmed
// and its receipt printed to the cups-pdf queue. The test counts the keys a clerk presses from F2 to
// the printed receipt, with the card and by hand, and writes them for docs/BENCHMARKS.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, byTestId, shot } from './helpers.mjs';

const CLI = process.env.MOTCUA_CLI;
const PRINTER = process.env.MOTCUA_TEST_PRINTER;
const PRINTER_OUT = process.env.MOTCUA_TEST_PRINTER_OUT;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-card-'));
const pty = mkdtempSync(join(tmpdir(), 'motcua-e2e-pty-'));
const appEnd = join(pty, 'app');
const scannerEnd = join(pty, 'scanner');
const CARD = '001090012345|012345678|ĐẶNG HỮU PHƯỚC|05031990|Nam|Số 5 ngõ 12 phố Quán Thánh, Phường Quán Thánh, Quận Ba Đình, Hà Nội|10082021';
// what a wedge scanner types for a second citizen (another person, same shape)
const CARD2 = '001185001234||PHẠM THỊ THU HÀ|12051985|Nữ|Số 7 phố Đội Cấn, Phường Đội Cấn, Quận Ba Đình, Hà Nội|01072022';
let browser;
let socat;

/** Keys the clerk pressed (a chord such as Ctrl+Enter counts as its two keys). */
const count = { n: 0 };
/** Types into the field with the cursor (element send-keys: WebKitWebDriver drops a repeated
 * character sent as separate key actions). */
async function type(text) {
  count.n += [...text].length;
  await sendToActive(text);
}
async function sendToActive(text) {
  const id = await browser.execute(() => document.activeElement?.getAttribute('data-testid'));
  assert.ok(id, 'a field has the cursor');
  await (await byTestId(id)).addValue(text);
}
async function press(...keys) {
  count.n += keys.length;
  await browser.keys(keys);
}
const value = (id) => browser.execute((i) => document.querySelector(`[data-testid="${i}"]`)?.value ?? null, id);
const active = () => browser.execute(() => document.activeElement?.getAttribute('data-testid'));

before(async () => {
  assert.ok(PRINTER && PRINTER_OUT, 'MOTCUA_TEST_PRINTER and MOTCUA_TEST_PRINTER_OUT must be set (scripts/test.sh sets them)');
  socat = spawn('socat', [`pty,raw,echo=0,link=${appEnd}`, `pty,raw,echo=0,link=${scannerEnd}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(existsSync(appEnd) && existsSync(scannerEnd)); i++) execFileSync('sleep', ['0.05']);
  assert.ok(existsSync(appEnd), 'socat made the pty pair');
  execFileSync(CLI, ['--data-dir', dataDir, 'settings', 'set', 'printer', PRINTER]);
  execFileSync(CLI, ['--data-dir', dataDir, 'settings', 'set', 'print_on_intake', 'true']);
  execFileSync(CLI, ['--data-dir', dataDir, 'settings', 'set', 'scanner_port', appEnd]);
  execFileSync(CLI, ['--data-dir', dataDir, 'settings', 'set', 'unit_code', '00004']);
  browser = await startApp(['--data-dir', dataDir, '--now', '2026-11-30T09:15']);
});

after(() => socat?.kill());

async function pickBirthRegistration() {
  await press('F2');
  await type('đkks');
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelector('[data-testid="procedure-option"]')?.textContent || '')).includes('khai sinh'), { timeout: 10000 });
  await press('Enter');
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('.doc-list input').length)) > 0, { timeout: 10000 });
}

async function confirmAndAwaitReceipt() {
  const before = readdirSync(PRINTER_OUT).length;
  await press('Control', 'Enter');
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelector('[data-testid="result-code"]')?.textContent || '')) !== '', { timeout: 15000 });
  const code = await browser.execute(() => document.querySelector('[data-testid="result-code"]').textContent);
  await browser.waitUntil(() => readdirSync(PRINTER_OUT).length > before, { timeout: 30000, timeoutMsg: 'no receipt printed' });
  return code;
}

test('a card scanned in serial (COM) mode fills the applicant; a birth registration is confirmed and printed', async () => {
  await (await byTestId('procedure-input')).waitForDisplayed({ timeout: 30000 });
  const t0 = Date.now();
  count.n = 0;
  await pickBirthRegistration();
  // the scanner's end of the pty: the card string, UTF-8, with its CR suffix
  writeFileSync(scannerEnd, `${CARD}\r`);
  await browser.waitUntil(async () => (await value('applicant-full_name')) === 'Đặng Hữu Phước', { timeout: 15000, timeoutMsg: 'the card did not fill the name' });
  assert.equal(await value('applicant-id_number'), '001090012345');
  assert.equal(await value('applicant-date_of_birth'), '05/03/1990');
  assert.equal(await value('applicant-old_id_number'), '012345678');
  assert.equal(await value('applicant-id_issued_on'), '10/08/2021');
  assert.equal(await value('applicant-gender'), 'male');
  // the address in its current form (Quán Thánh → Ba Đình), the card's beside it
  assert.equal(await value('applicant-address'), 'Số 5 ngõ 12 phố Quán Thánh, Phường Ba Đình, Thành phố Hà Nội');
  const map = await browser.execute(() => document.querySelector('[data-testid="address-map"]').textContent);
  assert.match(map, /Phường Quán Thánh, Quận Ba Đình/);
  // the fields the card gave are marked; the identity paper needs no photocopy
  const marked = await browser.execute(() => document.querySelectorAll('.applicant .field.from-card').length);
  assert.ok(marked >= 6, `${marked} fields marked as from the card`);
  assert.equal(await browser.execute(() => document.querySelector('[data-testid="doc-giay-to-tuy-than"]').checked), true);
  // conditional items are not ticked
  assert.equal(await browser.execute(() => document.querySelector('[data-testid="doc-bien-ban-tre-bo-roi"]').checked), false);
  // the cursor waits in the first field the card could not give: the phone
  assert.equal(await active(), 'applicant-phone');
  await shot('card-serial-filled.png');
  await type('0912345678');
  const code = await confirmAndAwaitReceipt();
  const withCard = count.n;
  const seconds = (Date.now() - t0) / 1000;
  // the dossier records that the identity was read from the card
  const shown = JSON.parse(execFileSync(CLI, ['--data-dir', dataDir, 'show', code, '--json'], { encoding: 'utf8' }));
  assert.ok(shown.applicant.identity.card_read_at, 'card_read_at recorded');
  assert.ok(shown.applicant.identity.from_card.includes('full_name'));
  assert.equal(shown.applicant.identity.unit_code, '00004');
  assert.ok(shown.documents.some((d) => d.read_from_card), 'the identity item was read from the card');
  await shot('card-serial-confirmed.png');
  // the whole window fits 1366×768: nothing scrolls, the status bar is on screen
  const fit = await browser.execute(() => ({ h: window.innerHeight, body: document.documentElement.scrollHeight, footer: document.querySelector('footer').getBoundingClientRect().bottom, submit: document.querySelector('[data-testid="submit"]').getBoundingClientRect().bottom, tabs: document.querySelector('header nav').getBoundingClientRect().height }));
  assert.ok(fit.body <= fit.h + 1, `the page scrolls: ${JSON.stringify(fit)}`);
  assert.ok(fit.footer <= fit.h + 1 && fit.submit <= fit.h, `below the fold: ${JSON.stringify(fit)}`);
  assert.ok(fit.tabs < 40, `the tabs wrap: ${JSON.stringify(fit)}`);

  // the same intake by hand, keyboard only
  const t1 = Date.now();
  count.n = 0;
  await pickBirthRegistration();
  await browser.execute(() => document.querySelector('[data-testid="applicant-full_name"]').focus());
  count.n += 1; // the clerk's Tab/click into the name
  await type('Đặng Hữu Phước');
  await press('Enter'); // → gender
  await press('Enter'); // → ID type
  await press('Enter'); // → ID number
  await type('001090012345');
  await press('Enter');
  await type('05/03/1990');
  await press('Enter'); // → old ID
  await press('Enter'); // → date of issue
  await press('Enter'); // → phone
  await type('0912345678');
  await press('Enter');
  await type('Số 5 ngõ 12 phố Quán Thánh, Phường Ba Đình, Hà Nội');
  await confirmAndAwaitReceipt();
  const byHand = count.n;
  const secondsByHand = (Date.now() - t1) / 1000;
  writeFileSync(join(process.env.E2E_RESULTS_DIR || tmpdir(), 'motcua-keystrokes.json'), JSON.stringify({ withCard, byHand, seconds, secondsByHand }));
  console.log(`# keystrokes F2 → printed receipt: with the card ${withCard}, by hand ${byHand} (${seconds.toFixed(1)} s vs ${secondsByHand.toFixed(1)} s)`);
  assert.ok(withCard * 3 <= byHand, `with the card ${withCard} keys, by hand ${byHand}: not a third`);
});

test('a keyboard-wedge scan typed into the name field fills the form and leaves no card string behind', async () => {
  await press('F2');
  const name = await byTestId('applicant-full_name');
  await name.click();
  await name.addValue('Trần ');
  // the scanner types the whole string fast, then Enter (U+E007)
  await name.addValue(`${CARD2}\uE007`);
  await browser.waitUntil(async () => (await value('applicant-full_name')) === 'Phạm Thị Thu Hà', { timeout: 15000, timeoutMsg: 'the wedge scan did not fill the name' });
  assert.equal(await value('applicant-id_number'), '001185001234');
  assert.equal(await value('applicant-gender'), 'female');
  assert.ok(!(await value('applicant-full_name')).includes('|'));
  // a scan whose Vietnamese letters were lost (HID on a US layout) is said in words; name and address stay empty
  await press('F2');
  const name2 = await byTestId('applicant-full_name');
  await name2.click();
  await name2.addValue('001090012345|012345678|NGUYN VN AN|05031990|Nam|S 1, Phng in Bin, Qun Ba nh, H Ni|10082021\uE007');
  await browser.waitUntil(async () => (await value('applicant-id_number')) === '001090012345', { timeout: 15000 });
  assert.equal(await value('applicant-full_name'), '');
  const warn = await browser.execute(() => document.querySelector('[data-testid="card-warnings"]').textContent);
  assert.match(warn, /cổng COM/);
  await shot('card-wedge-letters-lost.png');
  // Esc: a new citizen from a clean form
  await browser.keys(['Escape']);
  assert.equal(await value('applicant-id_number'), '');
  assert.equal(await active(), 'procedure-input');
});
