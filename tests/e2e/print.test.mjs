// End-to-end printing in the real window: the counter's printer is the cups-pdf queue set up by
// scripts/cups-pdf-queue.sh. A confirmed intake prints its receipt at once (the setting); the printed
// PDF appears in cups-pdf's output with the dossier's barcode and QR code; the preview draws the same
// PDF; Ctrl+P reprints, marked as a reprint; the settings screen shows the queue.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, byTestId, typeInto, shot } from './helpers.mjs';

const CLI = process.env.MOTCUA_CLI;
const PRINTER = process.env.MOTCUA_TEST_PRINTER;
const PRINTER_OUT = process.env.MOTCUA_TEST_PRINTER_OUT;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-print-'));
const work = mkdtempSync(join(tmpdir(), 'motcua-e2e-scan-'));
let browser;

before(async () => {
  assert.ok(PRINTER && PRINTER_OUT, 'MOTCUA_TEST_PRINTER and MOTCUA_TEST_PRINTER_OUT must be set (scripts/test.sh sets them)');
  // The counter's settings, as an admin would set them, before the app starts.
  execFileSync(CLI, ['--data-dir', dataDir, 'settings', 'set', 'printer', PRINTER]);
  execFileSync(CLI, ['--data-dir', dataDir, 'settings', 'set', 'print_on_intake', 'true']);
  browser = await startApp(['--data-dir', dataDir, '--now', '2026-11-23T09:15']);
});

function printedFile(code, jobNo) {
  const deadline = Date.now() + 60000;
  for (;;) {
    const hit = readdirSync(PRINTER_OUT).find((f) => f.endsWith('.pdf') && f.includes(code) && f.includes(`job_${jobNo}`));
    if (hit) {
      const path = join(PRINTER_OUT, hit);
      const size = statSync(path).size;
      execFileSync('sleep', ['0.3']);
      if (size > 0 && statSync(path).size === size) return path;
    }
    if (Date.now() > deadline) throw new Error(`no printed PDF for ${code} job ${jobNo} in ${PRINTER_OUT}`);
    execFileSync('sleep', ['0.2']);
  }
}

function symbolsOf(pdf) {
  const prefix = join(work, `scan-${Date.now()}`);
  execFileSync('pdftoppm', ['-r', '300', '-gray', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, prefix], { stdio: 'ignore' });
  return execFileSync('zbarimg', ['-q', `${prefix}.png`], { encoding: 'utf8' });
}

let code;

test('a confirmed intake prints its receipt on the counter printer', async () => {
  const proc = await byTestId('procedure-input');
  await proc.waitForDisplayed({ timeout: 30000 });
  await proc.click();
  await proc.addValue('1.001193');
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('[data-testid="procedure-option"]').length)) > 0, { timeout: 10000 });
  await browser.keys(['Enter']);
  await typeInto('applicant-full_name', 'Lưu Thị Ỷ Ngọc Hưởng');
  await typeInto('applicant-id_number', '001185001234');
  await typeInto('applicant-date_of_birth', '12/05/1985');
  await typeInto('applicant-phone', '0987654321');
  await typeInto('applicant-address', 'Xóm Ỷ La, phường Thượng Đình, Hà Nội');
  const started = Date.now();
  await browser.keys(['Control', 'Enter']);
  const status = await byTestId('print-status');
  await browser.waitUntil(async () => /Đã gửi|Chưa in/.test(await status.getText()), { timeout: 20000 });
  const elapsed = Date.now() - started;
  const text = await status.getText();
  assert.match(text, new RegExp(`Đã gửi Giấy tiếp nhận hồ sơ và hẹn trả kết quả \\(\\d+ trang\\) tới máy in ${PRINTER}`));
  console.log(`# Ctrl+Enter to "sent to printer" shown in the window: ${elapsed} ms (through WebDriver)`);
  code = await (await byTestId('result-code')).getText();
  assert.equal(code, '000.00.31.H26-261123-0001');

  // the print log, through the CLI on the same SQLite file, names the job
  const log = execFileSync('sqlite3', [join(dataDir, 'motcua.sqlite3'), "SELECT outcome, detail FROM print_log WHERE form = 'receipt'"], { encoding: 'utf8' }).trim();
  assert.match(log, new RegExp(`^printed\\|${PRINTER} ${PRINTER}-(\\d+)$`));
  const jobNo = log.match(/-(\d+)$/)[1];
  const printed = printedFile(code, jobNo);
  const symbols = symbolsOf(printed);
  assert.match(symbols, new RegExp(`CODE-128:${code.replace(/\./g, '\\.')}`));
  assert.match(symbols, new RegExp(`QR-Code:.*ma=${code.replace(/\./g, '\\.')}`));
});

test('the preview draws the receipt, Esc closes it, Ctrl+P reprints marked as a reprint', async () => {
  await (await byTestId('preview-receipt')).click();
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('[data-testid="preview-page"]').length)) > 0, { timeout: 20000 });
  // the canvas is really painted: some dark pixels in the top of page 1
  // the canvas is appended before pdf.js finishes painting it: wait for the paint
  const darkPixels = () => browser.execute(() => {
    const c = document.querySelector('[data-testid="preview-page"]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, Math.floor(c.height / 3)).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 100) n++;
    return n;
  });
  let dark = 0;
  await browser.waitUntil(async () => (dark = await darkPixels()) > 500, { timeout: 20000, timeoutMsg: 'preview never painted' }).catch(() => {});
  assert.ok(dark > 500, `preview canvas looks blank (${dark} dark pixels)`);
  await shot('print-preview.png');
  await browser.keys(['Escape']);
  await browser.waitUntil(async () => (await browser.execute(() => document.querySelectorAll('[data-testid="preview"]').length)) === 0, { timeout: 5000 });

  await browser.keys(['Control', 'p']);
  const status = await byTestId('print-status');
  await browser.waitUntil(async () => /bản in lại/.test(await status.getText()), { timeout: 20000 });
  const log = execFileSync('sqlite3', [join(dataDir, 'motcua.sqlite3'), "SELECT group_concat(reprint) FROM print_log WHERE form = 'receipt'"], { encoding: 'utf8' }).trim();
  assert.equal(log, '0,1');
});

test('the settings screen lists the queue and keeps the choice', async () => {
  await browser.keys(['F4']);
  const select = await byTestId('settings-printer');
  await select.waitForDisplayed({ timeout: 10000 });
  await browser.waitUntil(async () => (await select.getValue()) === PRINTER, { timeout: 10000 });
  const options = await browser.execute(() => Array.from(document.querySelectorAll('[name="printer"] option')).map((o) => o.value));
  assert.ok(options.includes(PRINTER), options.join(','));
  await shot('settings.png');
});
