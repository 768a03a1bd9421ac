import { describe, expect, it, vi } from 'vitest';
import { SetupScreen } from './setup';
import type { Api } from './api';
import type { SetupState } from './bindings/SetupState';
import type { SetupStep } from './bindings/SetupStep';

const tick = () => new Promise((r) => setTimeout(r, 0));
const key = (el: Element, k: string, o: KeyboardEventInit = {}) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...o }));
const ORDER: SetupStep[] = ['unit', 'centre', 'counter', 'printer', 'connection', 'admin'];
const LABELS = ['Phường, xã', 'Trung tâm và mã đơn vị', 'Quầy', 'Máy in', 'Kết nối', 'Tài khoản quản trị'];

function stateAt(step: SetupStep, stage: SetupState['stage'] = 'draft', draft: Partial<SetupState['draft']> = {}): SetupState {
  const at = ORDER.indexOf(step);
  return {
    stage,
    step,
    steps: ORDER.map((s, i) => ({ step: s, label: LABELS[i], done: i < at })),
    draft: {
      unit_code: '', agency_name: '', centre_name: '', parent_line: '', place_name: '', agency_code: '', address: '', counter_id: '', counter_name: '',
      printer: '', connection: 'portal', portal_url: '', block_first: 0, block_last: 0, admin_id: '', admin_name: '', saved: ORDER.slice(0, at), ...draft,
    },
    connections: [['portal', 'Cổng dịch vụ công'], ['offline', 'Chưa kết nối']],
  };
}

function make(start: SetupState) {
  document.body.innerHTML = '';
  const next = (s: SetupStep) => ORDER[Math.min(ORDER.indexOf(s) + 1, ORDER.length - 1)];
  const api = {
    setupState: vi.fn().mockResolvedValue(start),
    setupSave: vi.fn(async (step: SetupStep, d: SetupState['draft']) => stateAt(next(step), 'draft', d)),
    setupFinish: vi.fn().mockResolvedValue(stateAt('admin', 'done')),
    setupEnrol: vi.fn().mockResolvedValue(stateAt('admin', 'done')),
    setupOffline: vi.fn().mockResolvedValue(stateAt('admin', 'done')),
    setupTestPrint: vi.fn().mockResolvedValue({ printer: 'Quay02', job_id: 'Quay02-7' }),
    setupTestPortal: vi.fn().mockResolvedValue('portal-1'),
    unitsSearch: vi.fn().mockResolvedValue([
      { code: '00004', name: 'Phường Ba Đình', province_code: '01', province_name: 'Thành phố Hà Nội' },
      { code: '16171', name: 'Xã Ba Đình', province_code: '38', province_name: 'Tỉnh Thanh Hóa' },
    ]),
    printersList: vi.fn().mockResolvedValue([{ name: 'Quay02', is_default: true, state: 'idle', ready: true }]),
    authState: vi.fn().mockResolvedValue({ accounts_enabled: true, lock_after_minutes: 5 }),
    authLogin: vi.fn().mockResolvedValue({ clerk_id: 'qt', clerk_name: 'Quản', role: 'admin', locked: false }),
  };
  const done = vi.fn();
  const s = new SetupScreen(api as unknown as Api, done);
  document.body.appendChild(s.el);
  return { s, api, done };
}

const input = (s: SetupScreen, f: string) => s.el.querySelector<HTMLInputElement>(`[data-field="${f}"]`)!;
const type = (s: SetupScreen, f: string, v: string) => {
  const el = input(s, f);
  el.value = v;
  el.dispatchEvent(new Event('input', { bubbles: true }));
};

describe('first-run set-up', () => {
  it('finds the ward without diacritics and takes the one chosen with the arrows', async () => {
    const { s, api } = make(stateAt('unit'));
    await s.load();
    expect(document.activeElement).toBe(input(s, 'unit_query'));
    type(s, 'unit_query', 'ba dinh');
    await tick();
    expect(api.unitsSearch).toHaveBeenCalledWith('ba dinh');
    key(input(s, 'unit_query'), 'ArrowDown');
    key(input(s, 'unit_query'), 'Enter');
    await tick();
    expect(api.setupSave.mock.calls[0][0]).toBe('unit');
    expect(api.setupSave.mock.calls[0][1].unit_code).toBe('16171');
    expect(s.el.querySelector('[data-testid="setup-step-title"]')!.textContent).toBe('Trung tâm và mã đơn vị');
  });

  it('Enter goes to the next empty field, then saves; every refused field is marked', async () => {
    const { s, api } = make(stateAt('counter'));
    api.setupSave.mockRejectedValueOnce({ code: 'validation', reason: 'invalid', message: 'a; b', errors: [{ field: 'counter_id', message: 'Mã quầy sai' }, { field: 'counter_name', message: 'Chưa nhập tên quầy' }] });
    await s.load();
    type(s, 'counter_id', 'Q 1');
    key(input(s, 'counter_id'), 'Enter');
    expect(document.activeElement).toBe(input(s, 'counter_name'));
    key(input(s, 'counter_name'), 'Enter');
    await tick();
    expect(input(s, 'counter_id').getAttribute('aria-invalid')).toBe('true');
    expect(input(s, 'counter_name').getAttribute('aria-invalid')).toBe('true');
    expect(s.el.querySelector('[data-testid="setup-error"]')!.textContent).toBe('Mã quầy sai; Chưa nhập tên quầy');
    expect(input(s, 'counter_id').value).toBe('Q 1');
  });

  it('prints the test page and tests the portal without saving', async () => {
    const { s, api } = make(stateAt('printer'));
    await s.load();
    key(s.el.querySelector('select')!, 'i', { altKey: true });
    await tick();
    expect(api.setupTestPrint).toHaveBeenCalledWith('');
    expect(s.el.querySelector('[data-testid="setup-print-result"]')!.textContent).toContain('Quay02-7');
    const c = make(stateAt('connection'));
    await c.s.load();
    type(c.s, 'portal_url', 'http://127.0.0.1:9');
    key(input(c.s, 'portal_url'), 'k', { altKey: true });
    await tick();
    expect(c.api.setupTestPortal).toHaveBeenCalledWith('http://127.0.0.1:9');
    expect(c.api.setupSave).not.toHaveBeenCalled();
  });

  it('finishes with the secrets typed on the last steps, once the two passwords match', async () => {
    const { s, api, done } = make(stateAt('connection'));
    await s.load();
    type(s, 'portal_url', 'http://127.0.0.1:9');
    type(s, 'code', 'ABC-123');
    s.el.querySelector<HTMLButtonElement>('[data-testid="setup-next"]')!.click();
    await tick();
    expect(api.setupSave.mock.calls[0][1]).not.toHaveProperty('code');
    type(s, 'admin_id', 'qt');
    type(s, 'admin_name', 'Lê Văn Quản');
    type(s, 'password', 'Cua-so-mot-2026!');
    type(s, 'password2', 'khac');
    type(s, 'pin', '2580');
    s.el.querySelector<HTMLButtonElement>('[data-testid="setup-next"]')!.click();
    await tick();
    expect(api.setupFinish).not.toHaveBeenCalled();
    expect(input(s, 'password2').getAttribute('aria-invalid')).toBe('true');
    type(s, 'password2', 'Cua-so-mot-2026!');
    s.el.querySelector<HTMLButtonElement>('[data-testid="setup-next"]')!.click();
    await tick();
    await tick();
    expect(api.setupFinish).toHaveBeenCalledWith('Cua-so-mot-2026!', '2580', 'ABC-123');
    expect(done).toHaveBeenCalled();
  });

  it('while enrolling after a restart: the admin logs in, then only the connection is left', async () => {
    const { s, api, done } = make(stateAt('connection', 'enrolling', { portal_url: 'http://127.0.0.1:9', admin_id: 'qt' }));
    await s.load();
    expect(s.el.querySelector('[data-testid="setup-enrolling"]')).not.toBeNull();
    expect(s.el.querySelector('[data-testid="setup-back"]')).toBeNull();
    type(s, 'login_password', 'Cua-so-mot-2026!');
    type(s, 'code', 'XYZ');
    s.el.querySelector<HTMLButtonElement>('[data-testid="setup-next"]')!.click();
    await tick();
    await tick();
    expect(api.authLogin).toHaveBeenCalledWith('qt', 'Cua-so-mot-2026!');
    expect(api.setupEnrol).toHaveBeenCalledWith('XYZ', 'http://127.0.0.1:9');
    expect(done).toHaveBeenCalled();
  });
});

describe('first-run set-up, attacked', () => {
  it('never writes a secret into the markup, and a second Enter while waiting sends nothing twice', async () => {
    const { s, api } = make(stateAt('admin', 'draft', { admin_id: 'qt', admin_name: 'Lê Văn Quản' }));
    let release: (v: unknown) => void = () => {};
    api.setupFinish.mockImplementation(() => new Promise((r) => (release = r)));
    await s.load();
    type(s, 'password', 'Cua-so-mot-2026!');
    type(s, 'password2', 'Cua-so-mot-2026!');
    type(s, 'pin', '2580');
    s.el.querySelector<HTMLButtonElement>('[data-testid="setup-next"]')!.click();
    s.el.querySelector<HTMLButtonElement>('[data-testid="setup-next"]')!.click();
    key(input(s, 'pin'), 'Enter');
    await tick();
    await tick();
    expect(api.setupFinish).toHaveBeenCalledTimes(1);
    expect(s.el.innerHTML).not.toContain('Cua-so-mot-2026!');
    expect(s.el.innerHTML).not.toContain('2580');
    release(stateAt('admin', 'done'));
  });

  it('an offline block that is not a whole number is sent as nothing, for the core to refuse in words', async () => {
    const { s, api } = make(stateAt('connection', 'draft', { connection: 'offline' }));
    await s.load();
    type(s, 'block_first', '-5');
    type(s, 'block_last', '1e10');
    s.el.querySelector<HTMLButtonElement>('[data-testid="setup-next"]')!.click();
    await tick();
    const sent = api.setupSave.mock.calls[0][1];
    expect([sent.block_first, sent.block_last]).toEqual([0, 0]);
  });
});
