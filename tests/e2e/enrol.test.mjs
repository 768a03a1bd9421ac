// End-to-end: enrolling from the sync screen (F9) is an admin's step, checked in the core on the
// connection the enrolment runs on, which gets the app's session (issue 12, finding 6). A clerk
// logged in at the window is refused in Vietnamese and the portal hears nothing (its code stays
// unspent); the admin, logged in at the same window, enrols with the same code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, byTestId, typeInto, shot, startPortal } from './helpers.mjs';

const CLI = process.env.MOTCUA_CLI;
const PORTAL = process.env.MOTCUA_PORTAL;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-enrol-'));
const portalDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-enrol-portal-'));
const ADMIN_PW = 'Kx7#mQ2v-quan-tri-Ba-Dinh';
const CLERK_PW = 'Lp4!zR8w-can-bo-quay-01';
let browser;
let portal;
let url;

const env = () => {
  const e = { ...process.env };
  delete e.MOTCUA_NOW;
  return e;
};
const cli = (args, extra = {}) => execFileSync(CLI, ['--data-dir', dataDir, ...args], { encoding: 'utf8', env: { ...env(), ...extra } });
const portalCli = (args) => execFileSync(PORTAL, [...args, '--data-dir', portalDir], { encoding: 'utf8' });

async function login(id, password) {
  await typeInto('lock-id', id);
  await typeInto('lock-password', password);
  await browser.keys(['Enter']);
}

before(async () => {
  cli(['init', '--agency-code', '000.00.31.H26', '--agency-name', 'UBND phường Ba Đình', '--counter', 'Q01', '--code-block', '1-999']);
  cli(['account', 'create-admin', '--id', 'quantri', '--name', 'Lê Quản Trị', '--password', ADMIN_PW]);
  cli(['account', 'add', '--id', 'lan', '--name', 'Nguyễn Thị Lan', '--role', 'clerk', '--password', CLERK_PW], { MOTCUA_USER: 'quantri', MOTCUA_PASSWORD: ADMIN_PW });
  ({ proc: portal, url } = await startPortal(portalDir, []));
  browser = await startApp(['--data-dir', dataDir]);
});

after(() => {
  if (portal) portal.kill('SIGKILL');
});

test('enrol from F9: a clerk is refused before the portal hears anything, the admin enrols', async () => {
  const code = portalCli(['enrolment-code', 'issue', '--agency', '000.00.31.H26', '--counter', 'Q01']).trim();
  await (await byTestId('lock-title')).waitForDisplayed({ timeout: 30000 });
  await login('lan', CLERK_PW);
  await browser.waitUntil(async () => (await (await byTestId('who')).getText()).includes('Nguyễn Thị Lan'), { timeout: 10000 });

  await browser.keys(['F9']);
  await (await byTestId('enrol-form')).waitForDisplayed({ timeout: 10000 });
  await typeInto('enrol-portal', url);
  await typeInto('enrol-code', code);
  await (await byTestId('enrol-submit')).click();
  const err = await byTestId('sync-error');
  await err.waitForDisplayed({ timeout: 15000 });
  assert.match(await err.getText(), /Tài khoản lan \(Cán bộ tiếp nhận\) không có quyền đăng ký máy với Cổng dịch vụ công/);
  await shot('enrol-clerk-refused.png');
  const codes = JSON.parse(portalCli(['enrolment-code', 'list']));
  assert.equal(codes[0].state, 'valid', 'the portal never saw the code');
  assert.equal(JSON.parse(portalCli(['stats', '--json'])).counters.length, 0);

  // the admin at the same window
  await browser.keys(['Control', 'l']);
  await (await byTestId('lock-switch')).waitForDisplayed({ timeout: 10000 });
  await (await byTestId('lock-switch')).click();
  await login('quantri', ADMIN_PW);
  await browser.waitUntil(async () => (await (await byTestId('who')).getText()).includes('Lê Quản Trị (Quản trị)'), { timeout: 10000 });
  await browser.keys(['F9']);
  await (await byTestId('enrol-form')).waitForDisplayed({ timeout: 10000 });
  const portalInput = await byTestId('enrol-portal');
  await portalInput.clearValue();
  await typeInto('enrol-portal', url);
  const codeInput = await byTestId('enrol-code');
  await codeInput.clearValue();
  await typeInto('enrol-code', code);
  await (await byTestId('enrol-submit')).click();
  const badge = async () => (await byTestId('status-network')).getText();
  await browser.waitUntil(async () => (await badge()).includes('chờ phê duyệt'), { timeout: 20000, timeoutMsg: 'enrolled, waiting for approval' });
  assert.equal(JSON.parse(portalCli(['stats', '--json'])).counters[0].counter_id, 'Q01');
  const audit = cli(['audit', 'list', '--limit', '50'], { MOTCUA_USER: 'quantri', MOTCUA_PASSWORD: ADMIN_PW });
  assert.match(audit, /quantri\s+sync\.enrol/);
  portalCli(['device', 'approve', '--agency', '000.00.31.H26', '--counter', 'Q01']);
  await browser.waitUntil(async () => (await badge()).includes('đã đồng bộ'), { timeout: 20000, timeoutMsg: 'approved, synced' });
  await shot('enrol-admin-approved.png');
});
