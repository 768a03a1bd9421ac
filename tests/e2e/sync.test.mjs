// End-to-end: the portal sync as a clerk sees it, in the real window with the reference portal as a
// real process on 127.0.0.1. The counter starts unconnected ("Chưa kết nối cổng"), is enrolled from
// the sync screen (F9) with a code the portal's admin issued, waits for the admin's approval
// ("chờ phê duyệt"), sends a dossier, shows the portal's own reason when the portal answers 503,
// and comes back online by itself when the portal recovers; the dossier view says it was sent.
// The app runs on the real clock here: a pinned clock far behind the portal's would be refused (HLC).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, byTestId, typeInto, shot, startPortal } from './helpers.mjs';

const CLI = process.env.MOTCUA_CLI;
const PORTAL = process.env.MOTCUA_PORTAL;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-sync-'));
const portalDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-portal-'));
let browser;
let portal;
let url;


const faults = (f) => writeFileSync(join(portalDir, 'faults.json'), JSON.stringify(f));
const stats = () => JSON.parse(execFileSync(PORTAL, ['stats', '--json', '--data-dir', portalDir], { encoding: 'utf8' }));
const badge = async () => (await byTestId('status-network')).getText();
// the portal's admin: a single-use code for this counter, and the approval of the enrolled machine
const issueCode = () => execFileSync(PORTAL, ['enrolment-code', 'issue', '--agency', '000.00.31.H26', '--counter', 'Q01', '--data-dir', portalDir], { encoding: 'utf8' }).trim();
const approve = () => execFileSync(PORTAL, ['device', 'approve', '--agency', '000.00.31.H26', '--counter', 'Q01', '--data-dir', portalDir], { encoding: 'utf8' });

before(async () => {
  ({ proc: portal, url } = await startPortal(portalDir, ['--faults']));
  browser = await startApp(['--data-dir', dataDir]);
});

after(() => {
  if (portal) portal.kill('SIGKILL');
});

test('enrol from F9, send, show the portal reason when it fails, recover by itself', async () => {
  const net = await byTestId('status-network');
  await net.waitForDisplayed({ timeout: 30000 });
  await browser.waitUntil(async () => (await badge()).includes('Chưa kết nối cổng'), { timeout: 15000 });

  await browser.keys(['F9']);
  const form = await byTestId('enrol-form');
  await form.waitForDisplayed({ timeout: 10000 });
  await typeInto('enrol-portal', url);
  await typeInto('enrol-code', issueCode());
  await (await byTestId('enrol-submit')).click();
  // enrolled, and waiting for the portal's admin to approve this machine
  await browser.waitUntil(async () => (await badge()).includes('Trực tuyến — chờ phê duyệt'), { timeout: 20000, timeoutMsg: 'pending after enrolment' });
  assert.equal(stats().counters[0].counter_id, 'Q01');
  approve();

  // a dossier taken in on this counter goes up by itself
  const req = JSON.stringify({
    procedure_code: '1.004873', fee: 0,
    applicant: { full_name: 'Võ Thị Thu', id_type: 'cccd', id_number: '079190001234', date_of_birth: '02/09/1990', phone: '0903123456', address: 'Ba Đình, Hà Nội' },
  });
  const env = { ...process.env };
  delete env.MOTCUA_NOW;
  const code = JSON.parse(execFileSync(CLI, ['--data-dir', dataDir, 'intake', '--json', '-'], { input: req, encoding: 'utf8', env })).code;
  assert.doesNotMatch(code, /^TAM-/, 'an official number from the portal lease');
  await (await byTestId('sync-now')).click();
  await browser.waitUntil(() => stats().events === 1, { timeout: 20000, timeoutMsg: 'the event reached the portal' });
  await browser.waitUntil(async () => (await badge()).includes('đã đồng bộ'), { timeout: 20000 });

  // the portal fails: the clerk sees its status and reason, and that work is kept
  faults({ status_5xx: true });
  execFileSync(CLI, ['--data-dir', dataDir, 'intake', '--json', '-'], { input: req.replace('Võ Thị Thu', 'Đỗ Văn Hùng'), encoding: 'utf8', env });
  await (await byTestId('sync-now')).click();
  await browser.waitUntil(async () => (await badge()).includes('Mất kết nối — 1 chờ gửi'), { timeout: 20000 });
  const lastError = await byTestId('sync-last-error');
  await browser.waitUntil(async () => (await lastError.getText()).includes('HTTP 503'), { timeout: 15000 });
  assert.match(await lastError.getText(), /Cổng dịch vụ công/);
  await shot('sync-portal-503.png');

  // the portal recovers; nobody presses anything: the badge comes back by itself
  faults({});
  await browser.waitUntil(async () => (await badge()).includes('đã đồng bộ'), { timeout: 30000, timeoutMsg: 'sync resumed by itself' });
  assert.equal(stats().events, 2);
  await shot('sync-online.png');

  // the dossier view tells where the dossier stands with the portal
  await browser.keys(['F3']);
  await typeInto('search-input', code);
  await browser.keys(['Enter']);
  await (await byTestId('search-row')).waitForDisplayed({ timeout: 10000 });
  await browser.keys(['ArrowDown']);
  await browser.keys(['Enter']);
  const line = await byTestId('detail-sync');
  await line.waitForDisplayed({ timeout: 10000 });
  assert.equal(await line.getAttribute('data-state'), 'sent');
  assert.match(await line.getText(), /Đã gửi lên cổng/);
});
