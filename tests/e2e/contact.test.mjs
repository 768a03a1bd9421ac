// Issue 14 in the real window: an incomplete dossier gets the guidance slip (Mẫu 02) and a refused one
// the refusal slip (Mẫu 03) from the intake screen, with their own numbers and no dossier code; a
// withdrawal prints the stop notice (Mẫu 05) on the citizen's request; an apology that is already
// late is warned in the dossier view. Each PDF the app saved is read back with pdftotext.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, byTestId, typeInto, shot } from './helpers.mjs';

const CLI = process.env.MOTCUA_CLI;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-contact-'));
const db = join(dataDir, 'motcua.sqlite3');
let browser;
let withdrawn;
let late;

const sql = (q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
const pdfText = (path) => execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' }).split(/\s+/).join(' ');

function cliIntake(name, procedure, now) {
  const req = JSON.stringify({
    procedure_code: procedure, fee: 0,
    applicant: { full_name: name, id_type: 'cccd', id_number: '038085001234', date_of_birth: '12/05/1985', phone: '0912345678', address: 'Thôn 3, xã Quảng Phú' },
  });
  return JSON.parse(execFileSync(CLI, ['--data-dir', dataDir, 'intake', '--json', '-'], { input: req, encoding: 'utf8', env: { ...process.env, MOTCUA_NOW: now } })).code;
}

before(async () => {
  execFileSync(CLI, ['--data-dir', dataDir, 'init', '--agency-code', '000.00.06.H56', '--agency-name', 'UBND xã Quảng Phú', '--counter', 'Q01', '--code-block', '1-4999'],
    { env: { ...process.env, MOTCUA_NOW: '2026-03-02T08:00' } });
  execFileSync(CLI, ['--data-dir', dataDir, 'settings', 'set', 'print_on_intake', 'false']);
  if (process.env.MOTCUA_TEST_PRINTER) execFileSync(CLI, ['--data-dir', dataDir, 'settings', 'set', 'printer', process.env.MOTCUA_TEST_PRINTER]);
  // due Thu 05/03 09:00 (3 working days from Mon 02/03): on Thu 05/03 an apology is already late
  withdrawn = cliIntake('Lê Thị Rút', '1.001193', '2026-03-02T09:00');
  late = cliIntake('Đỗ Văn Muộn', '1.004873', '2026-03-02T09:00');
  browser = await startApp(['--data-dir', dataDir, '--now', '2026-03-05T08:00']);
});

async function fillApplicant(name) {
  const proc = await byTestId('procedure-input');
  await proc.waitForDisplayed({ timeout: 30000 });
  await proc.click();
  await proc.addValue('1.001193');
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('[data-testid="procedure-option"]').length)) > 0, { timeout: 10000 });
  await browser.keys(['Enter']);
  await (await byTestId('doc-giay-chung-sinh')).waitForDisplayed({ timeout: 10000 });
  await typeInto('applicant-full_name', name);
  await typeInto('applicant-id_number', '001185001234');
  await typeInto('applicant-date_of_birth', '12/05/1985');
  await typeInto('applicant-phone', '0987654321');
  await typeInto('applicant-address', 'Số 3 phố Đội Cấn, Ba Đình, Hà Nội');
  await typeInto('applicant-email', 'huong@example.vn');
}

async function slipOf(number) {
  const path = sql(`SELECT pdf_path FROM print_log WHERE dossier_code = '${number}' ORDER BY id DESC LIMIT 1`);
  assert.ok(path, `no saved PDF for ${number}`);
  return pdfText(path);
}

test('an incomplete dossier gets the guidance slip with its own number and no dossier code', async () => {
  await fillApplicant('Hoàng Thị Thu Hường');
  // the birth certificate is missing: untick it, then F10
  await (await byTestId('doc-giay-chung-sinh')).click();
  await browser.keys(['F10']);
  const missing = await byTestId('contact-missing');
  await missing.waitForDisplayed({ timeout: 10000 });
  await browser.waitUntil(async () => /Giấy chứng sinh/.test(await missing.getValue()), { timeout: 10000 });
  await shot('contact-guidance-dialog.png');
  await browser.keys(['Control', 'Enter']);
  const result = await byTestId('contact-result');
  await result.waitForDisplayed({ timeout: 20000 });
  const number = await (await byTestId('contact-number')).getText();
  assert.match(number, /^HD-/);
  assert.equal(sql(`SELECT status FROM dossiers WHERE code = '${number}'`), 'guided');
  assert.equal(sql("SELECT COUNT(*) FROM codes_issued WHERE series LIKE 'O:260305'"), '0', 'no dossier number consumed');
  assert.equal(sql(`SELECT form FROM print_log WHERE dossier_code = '${number}'`), 'supplement');
  const text = await slipOf(number);
  for (const w of ['PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ', 'Mã hồ sơ (nếu có):', 'Hồ sơ của: Hoàng Thị Thu Hường', 'Giấy chứng sinh', number]) {
    assert.ok(text.includes(w), `${w} not in ${text}`);
  }
  await shot('contact-guidance-done.png');
});

test('a refused dossier gets the refusal slip signed by both', async () => {
  await fillApplicant('Phạm Văn Từ');
  await browser.keys(['F11']);
  const reason = await byTestId('contact-reason');
  await reason.waitForDisplayed({ timeout: 10000 });
  // an empty reason is refused by the core, named at the field
  await browser.keys(['Control', 'Enter']);
  await browser.waitUntil(async () => (await browser.execute(() => !!document.querySelector('[data-testid="contact-error-reason"]:not([hidden])'))), { timeout: 10000 });
  await reason.addValue('Yêu cầu không thuộc thẩm quyền giải quyết của UBND cấp xã');
  await browser.keys(['Control', 'Enter']);
  const result = await byTestId('contact-result');
  await browser.waitUntil(async () => /^TC-/.test(await (await byTestId('contact-number')).getText()), { timeout: 20000 });
  const number = await (await byTestId('contact-number')).getText();
  assert.equal(sql(`SELECT status FROM dossiers WHERE code = '${number}'`), 'not_accepted');
  const text = await slipOf(number);
  for (const w of ['PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ', 'không thuộc thẩm quyền', 'NGƯỜI NỘP HỒ SƠ', 'NGƯỜI TIẾP NHẬN HỒ SƠ', 'huong@example.vn', '001185001234']) {
    assert.ok(text.includes(w), `${w} not in ${text}`);
  }
  assert.ok(await result.isDisplayed());
  // both contacts are found by search without diacritics
  const found = execFileSync(CLI, ['--data-dir', dataDir, 'search', 'pham van tu', '--json'], { encoding: 'utf8' });
  assert.ok(found.includes(number), found);
});

async function open(query) {
  await browser.keys(['F3']);
  const input = await byTestId('search-input');
  await input.waitForDisplayed({ timeout: 10000 });
  await input.clearValue();
  await input.addValue(query);
  await browser.keys(['Enter']);
  await (await byTestId('search-row')).waitForDisplayed({ timeout: 10000 });
  await browser.keys(['ArrowDown']);
  await browser.keys(['Enter']);
}

test('a withdrawal prints the stop notice on the citizen\'s request', async () => {
  await open('le thi rut');
  const step = await byTestId('step-withdraw');
  await step.waitForDisplayed({ timeout: 10000 });
  await step.click();
  await browser.keys(['Control', 'Enter']);
  const done = await byTestId('step-done');
  await done.waitForDisplayed({ timeout: 20000 });
  await browser.waitUntil(async () => sql(`SELECT COUNT(*) FROM print_log WHERE dossier_code = '${withdrawn}' AND form = 'stop'`) === '1', { timeout: 20000 });
  const text = await slipOf(withdrawn);
  assert.ok(text.includes('THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ') && text.includes('Theo đề nghị dừng giải quyết hồ sơ của Ông/Bà'), text);
  await shot('contact-withdrawn.png');
});

test('a late apology is warned in the dossier view', async () => {
  await open('do van muon');
  const warnings = await byTestId('dossier-warnings');
  await warnings.waitForDisplayed({ timeout: 10000 });
  assert.match(await warnings.getText(), /Mẫu 04/);
  await shot('contact-apology-warning.png');
  assert.ok(late);
});
