// End-to-end: clerk accounts in the real window. With an admin and a clerk created by the CLI, the
// window shows nothing until a clerk logs in; Ctrl+L locks it and hides every personal detail; a wrong
// PIN is refused with the tries left, the right one unlocks; "Đổi người dùng" lets the next clerk in.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, byTestId, typeInto, shot } from './helpers.mjs';

const CLI = process.env.MOTCUA_CLI;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-accounts-'));
const NOW = '2026-11-23T09:15';
let browser;

const cli = (args, env = {}, input) =>
  execFileSync(CLI, ['--data-dir', dataDir, ...args], { encoding: 'utf8', input, env: { ...process.env, MOTCUA_NOW: NOW, ...env } });
const asAdmin = { MOTCUA_USER: 'admin', MOTCUA_PASSWORD: 'mat-khau-quan-tri' };

before(async () => {
  cli(['init', '--agency-code', '000.00.31.H26', '--agency-name', 'UBND phường Ba Đình', '--counter', 'Q01', '--code-block', '1-999']);
  cli(['account', 'create-admin', '--id', 'admin', '--name', 'Lê Quản Trị', '--password', 'mat-khau-quan-tri', '--pin', '2468']);
  cli(['account', 'add', '--id', 'lan', '--name', 'Nguyễn Thị Lan', '--role', 'clerk', '--password', 'mat-khau-cua-lan', '--pin', '1357'], asAdmin);
  cli(['settings', 'set', 'print_on_intake', 'false'], asAdmin);
  const req = JSON.stringify({
    procedure_code: '1.004873', fee: 0,
    applicant: { full_name: 'Phạm Văn Bảo Mật', id_type: 'cccd', id_number: '001090099999', date_of_birth: '01/01/1990', phone: '0900000001', address: 'Hà Nội' },
  });
  cli(['intake', '--json', '-'], { MOTCUA_USER: 'lan', MOTCUA_PASSWORD: 'mat-khau-cua-lan' }, req);
  browser = await startApp(['--data-dir', dataDir, '--now', NOW]);
});

const visibleText = () => browser.execute(() => document.body.innerText);

test('log in, lock with Ctrl+L (nothing personal shown), unlock with the PIN, switch clerk', async () => {
  const title = await byTestId('lock-title');
  await title.waitForDisplayed({ timeout: 30000 });
  assert.equal(await title.getText(), 'Đăng nhập');
  assert.equal(await browser.execute(() => document.querySelector('main').hidden), true, 'nothing behind the login');

  await typeInto('lock-id', 'lan');
  await typeInto('lock-password', 'mat-khau-cua-lan');
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => (await (await byTestId('who')).getText()).includes('Nguyễn Thị Lan (Cán bộ tiếp nhận)'), { timeout: 10000 });

  await browser.keys(['F3']);
  await typeInto('search-input', 'pham van bao mat');
  await browser.keys(['Enter']);
  await (await byTestId('search-row')).waitForDisplayed({ timeout: 10000 });
  assert.match(await visibleText(), /Phạm Văn Bảo Mật/);

  // leaving the desk
  await browser.keys(['Control', 'l']);
  await browser.waitUntil(async () => (await (await byTestId('lock-title')).getText()) === 'Màn hình đã khóa', { timeout: 10000 });
  assert.doesNotMatch(await visibleText(), /Phạm Văn Bảo Mật|001090099999/, 'a locked screen shows nothing personal');
  await shot('accounts-locked.png');

  await typeInto('lock-pin', '0000');
  await browser.keys(['Enter']);
  const err = await byTestId('lock-error');
  await err.waitForDisplayed({ timeout: 10000 });
  assert.match(await err.getText(), /còn 2 lần/);
  await typeInto('lock-pin', '1357');
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => !(await (await byTestId('lock-screen')).isDisplayed()), { timeout: 10000 });
  assert.match(await visibleText(), /Phạm Văn Bảo Mật/);

  // the next clerk at a shared counter
  await browser.keys(['Control', 'l']);
  await (await byTestId('lock-switch')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId('lock-switch')).click();
  await typeInto('lock-id', 'admin');
  await typeInto('lock-password', 'mat-khau-quan-tri');
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => (await (await byTestId('who')).getText()).includes('Lê Quản Trị (Quản trị)'), { timeout: 10000 });

  const audit = cli(['audit', 'list', '--limit', '50'], asAdmin);
  for (const a of ['login', 'lock', 'unlock_failed', 'unlock']) assert.match(audit, new RegExp(` ${a} `));
  cli(['audit', 'verify'], asAdmin);
});
