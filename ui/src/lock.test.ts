import { describe, expect, it, vi } from 'vitest';
import { LockScreen, NO_ACCOUNT_TO_LOCK, whoText } from './lock';
import { ROLE_LABELS } from './bindings/facts';
import type { Api } from './api';

const tick = () => new Promise((r) => setTimeout(r, 0));
const key = (el: Element, k: string, o: KeyboardEventInit = {}) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...o }));
const active = () => document.activeElement?.getAttribute('data-testid');
const lan = { clerk_id: 'lan', clerk_name: 'Nguyễn Thị Lan', role: 'clerk' as const, locked: false };

function make(state: unknown) {
  document.body.innerHTML = '';
  const api = {
    authState: vi.fn().mockResolvedValue(state),
    authLogin: vi.fn().mockResolvedValue(lan),
    authLock: vi.fn().mockResolvedValue({ accounts_enabled: true, session: { ...lan, locked: true } }),
    authUnlockPin: vi.fn(),
    authUnlockPassword: vi.fn().mockResolvedValue(lan),
    authSetupAdmin: vi.fn().mockResolvedValue({ ...lan, clerk_id: 'admin', role: 'admin' }),
  };
  const cover = vi.fn();
  const onSession = vi.fn();
  const l = new LockScreen(api as unknown as Api, cover, onSession);
  document.body.appendChild(l.el);
  return { api, cover, onSession, l };
}

describe('login and lock screen', () => {
  it('asks for the first admin at every start in set-up mode; "Để sau" closes it', async () => {
    const { l, cover, api, onSession } = make({ accounts_enabled: false });
    await l.load();
    expect(l.el.hidden).toBe(false);
    expect(l.el.querySelector('[data-testid="lock-title"]')!.textContent).toBe('Tạo tài khoản quản trị');
    expect(cover).not.toHaveBeenCalledWith(true);
    l.el.querySelector<HTMLElement>('[data-testid="lock-cancel"]')!.click();
    expect(l.el.hidden).toBe(true);
    expect(onSession).toHaveBeenCalledWith(null);
    // or it is created: the admin is logged in
    l.setup();
    for (const [id, v] of [['id', 'admin'], ['name', 'Lê Quản Trị'], ['password', 'mat-khau-rat-dai'], ['pin', '2468']]) {
      l.el.querySelector<HTMLInputElement>(`[data-testid="lock-${id}"]`)!.value = v;
    }
    l.el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(api.authSetupAdmin).toHaveBeenCalledWith('admin', 'Lê Quản Trị', 'mat-khau-rat-dai', '2468');
    expect(l.el.hidden).toBe(true);
  });

  it('covers the window until a clerk logs in', async () => {
    const { l, cover, api, onSession } = make({ accounts_enabled: true });
    await l.load();
    expect(l.el.hidden).toBe(false);
    expect(cover).toHaveBeenLastCalledWith(true);
    expect(l.el.querySelector('[data-testid="lock-title"]')!.textContent).toBe('Đăng nhập');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('lock-id');
    l.el.querySelector<HTMLInputElement>('[data-testid="lock-id"]')!.value = 'lan';
    l.el.querySelector<HTMLInputElement>('[data-testid="lock-password"]')!.value = 'mat-khau-cua-lan';
    l.el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(api.authLogin).toHaveBeenCalledWith('lan', 'mat-khau-cua-lan');
    expect(l.el.hidden).toBe(true);
    expect(cover).toHaveBeenLastCalledWith(false);
    expect(onSession).toHaveBeenCalledWith(lan);
  });

  it('locks on demand, asks for the PIN, and falls back to the password after three wrong PINs', async () => {
    const { l, api } = make({ accounts_enabled: true, session: lan });
    await l.load();
    expect(l.el.hidden).toBe(true);
    await l.lock();
    expect(l.el.hidden).toBe(false);
    expect(l.el.querySelector('[data-testid="lock-title"]')!.textContent).toBe('Màn hình đã khóa');
    expect(l.el.querySelector('[data-testid="lock-who"]')!.textContent).toContain('nhập mã PIN');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('lock-pin');
    // a wrong PIN, even worded with "mật khẩu": still the PIN (the UI reads the reason, not the words)
    api.authUnlockPin.mockRejectedValueOnce({ code: 'forbidden', reason: 'bad_credentials', message: 'Mã PIN không đúng (không phải mật khẩu), còn 2 lần' });
    l.el.querySelector<HTMLInputElement>('[data-testid="lock-pin"]')!.value = '0000';
    l.el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(document.activeElement?.getAttribute('data-testid')).toBe('lock-pin');
    expect(l.el.querySelector<HTMLElement>('[data-field="password"]')!.hidden).toBe(true);
    expect(l.el.querySelector('[data-testid="lock-error"]')!.textContent).toContain('còn 2 lần');
    // the third: the core says pin_locked, in words that do not mention the password
    api.authUnlockPin.mockRejectedValueOnce({ code: 'forbidden', reason: 'pin_locked', message: 'Đã sai 3 lần.' });
    l.el.querySelector<HTMLInputElement>('[data-testid="lock-pin"]')!.value = '0000';
    l.el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(document.activeElement?.getAttribute('data-testid')).toBe('lock-password');
    expect(l.el.querySelector<HTMLElement>('[data-field="pin"]')!.hidden).toBe(true);
    expect(l.el.querySelector('[data-testid="lock-error"]')!.textContent).toBe('Đã sai 3 lần.');
    expect(l.el.querySelector<HTMLElement>('[data-testid="lock-error"]')!.hidden).toBe(false);
    l.el.querySelector<HTMLInputElement>('[data-testid="lock-password"]')!.value = 'mat-khau-cua-lan';
    l.el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(api.authUnlockPassword).toHaveBeenCalledWith('mat-khau-cua-lan');
    expect(l.el.hidden).toBe(true);
  });

  it('a clerk without a PIN (reason no_pin) is sent to the password field', async () => {
    const { l, api } = make({ accounts_enabled: true, session: lan });
    await l.load();
    await l.lock();
    api.authUnlockPin.mockRejectedValueOnce({ code: 'forbidden', reason: 'no_pin', message: 'x' });
    l.el.querySelector<HTMLInputElement>('[data-testid="lock-pin"]')!.value = '1234';
    l.el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(document.activeElement?.getAttribute('data-testid')).toBe('lock-password');
  });

  it('role names are the core\'s', () => {
    expect(whoText('Quầy số 1', lan, 'x')).toBe(`Quầy số 1 · Nguyễn Thị Lan (${ROLE_LABELS.clerk})`);
    expect(whoText('Quầy số 1', null, 'Lê Thị Hoa')).toBe('Quầy số 1 · Lê Thị Hoa');
  });
});

describe('the first-admin form (set-up mode)', () => {
  const field = (l: LockScreen, id: string) => l.el.querySelector<HTMLInputElement>(`[data-testid="lock-${id}"]`)!;
  const error = (l: LockScreen) => l.el.querySelector<HTMLElement>('[data-testid="lock-error"]')!;

  it('opens on the first field; Enter on an empty field goes to the next empty one and never submits with blanks', async () => {
    const { l, api } = make({ accounts_enabled: false });
    await l.load();
    expect(active()).toBe('lock-id');
    key(field(l, 'id'), 'Enter');
    expect(active()).toBe('lock-name');
    expect(api.authSetupAdmin).not.toHaveBeenCalled();
    // typed the name and the PIN, skipped the rest: Enter on the PIN names every missing field at once
    field(l, 'name').value = 'Lê Quản Trị';
    field(l, 'pin').value = '2468';
    key(field(l, 'name'), 'Enter');
    expect(active()).toBe('lock-password');
    field(l, 'pin').focus();
    key(field(l, 'pin'), 'Enter');
    await tick();
    expect(api.authSetupAdmin).not.toHaveBeenCalled();
    expect(error(l).hidden).toBe(false);
    expect(error(l).textContent).toBe('Chưa nhập: Tên đăng nhập, Mật khẩu.');
    expect(active()).toBe('lock-id');
    expect(field(l, 'id').getAttribute('aria-invalid')).toBe('true');
    expect(field(l, 'password').getAttribute('aria-invalid')).toBe('true');
    expect(field(l, 'name').hasAttribute('aria-invalid')).toBe(false);
    // what was typed stays
    expect([field(l, 'name').value, field(l, 'pin').value]).toEqual(['Lê Quản Trị', '2468']);
    // the submit button too refuses blanks
    l.el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(api.authSetupAdmin).not.toHaveBeenCalled();
  });

  it('the PIN is optional: Enter on an empty PIN with the rest filled creates the admin', async () => {
    const { l, api } = make({ accounts_enabled: false });
    await l.load();
    expect(l.el.querySelector<HTMLElement>('[data-testid="lock-pin-optional"]')!.hidden).toBe(false);
    field(l, 'id').value = 'admin';
    field(l, 'name').value = 'Lê Quản Trị';
    field(l, 'password').value = 'mat-khau-rat-dai';
    field(l, 'password').focus();
    key(field(l, 'password'), 'Enter');
    expect(active()).toBe('lock-pin');
    expect(api.authSetupAdmin).not.toHaveBeenCalled();
    key(field(l, 'pin'), 'Enter');
    await tick();
    expect(api.authSetupAdmin).toHaveBeenCalledWith('admin', 'Lê Quản Trị', 'mat-khau-rat-dai', null);
    expect(l.el.hidden).toBe(true);
  });

  it('a refused PIN keeps the good password: only the PIN is marked and selected', async () => {
    const { l, api, onSession } = make({ accounts_enabled: false });
    await l.load();
    api.authSetupAdmin.mockRejectedValueOnce({ code: 'validation', reason: 'invalid', message: 'Mã PIN phải gồm 4–8 chữ số', field: 'pin' });
    field(l, 'id').value = 'admin';
    field(l, 'name').value = 'Lê Quản Trị';
    field(l, 'password').value = 'mat-khau-rat-dai';
    field(l, 'pin').value = '12';
    field(l, 'pin').focus();
    key(field(l, 'pin'), 'Enter');
    await tick();
    expect(api.authSetupAdmin).toHaveBeenCalledWith('admin', 'Lê Quản Trị', 'mat-khau-rat-dai', '12');
    expect(error(l).textContent).toBe('Mã PIN phải gồm 4–8 chữ số');
    expect(field(l, 'password').value).toBe('mat-khau-rat-dai');
    expect(field(l, 'pin').value).toBe('12');
    expect(active()).toBe('lock-pin');
    expect([field(l, 'pin').selectionStart, field(l, 'pin').selectionEnd]).toEqual([0, 2]);
    expect(field(l, 'pin').getAttribute('aria-invalid')).toBe('true');
    expect(field(l, 'password').hasAttribute('aria-invalid')).toBe(false);
    // a password the core refuses: the password is the one focused, the PIN stays
    api.authSetupAdmin.mockRejectedValueOnce({ code: 'validation', reason: 'invalid', message: 'Mật khẩu quá ngắn', field: 'password' });
    field(l, 'pin').value = '2468';
    key(field(l, 'pin'), 'Enter', { ctrlKey: true });
    await tick();
    expect(active()).toBe('lock-password');
    expect(field(l, 'pin').value).toBe('2468');
    expect(field(l, 'pin').hasAttribute('aria-invalid')).toBe(false);
    expect(onSession).not.toHaveBeenCalled();
  });

  it('Esc closes it like "Để sau"; on a login screen Esc does nothing', async () => {
    const { l, onSession } = make({ accounts_enabled: false });
    await l.load();
    expect(l.el.querySelector('[data-testid="lock-cancel"]')!.textContent).toContain('Để sau');
    key(field(l, 'name'), 'Escape');
    expect(l.el.hidden).toBe(true);
    expect(onSession).toHaveBeenCalledWith(null);
    const other = make({ accounts_enabled: true });
    await other.l.load();
    key(other.l.el.querySelector('[data-testid="lock-id"]')!, 'Escape');
    expect(other.l.el.hidden).toBe(false);
    expect(other.onSession).not.toHaveBeenCalled();
  });

  it('keeps focus on the form while it is up, even when a screen behind it grabs it', async () => {
    const { l } = make({ accounts_enabled: false });
    const behind = document.createElement('input');
    document.body.append(behind);
    await l.load();
    field(l, 'name').focus();
    behind.focus();
    expect(active()).toBe('lock-name');
    l.el.querySelector<HTMLElement>('[data-testid="lock-cancel"]')!.click();
    behind.focus();
    expect(document.activeElement).toBe(behind);
  });

  it('Ctrl+L with no account says why and offers the first admin; Esc puts it off again', async () => {
    const { l, api, cover, onSession } = make({ accounts_enabled: false });
    await l.load();
    key(field(l, 'id'), 'Escape');
    expect(l.el.hidden).toBe(true);
    await l.lock();
    expect(api.authLock).not.toHaveBeenCalled();
    expect(l.el.hidden).toBe(false);
    expect(l.el.querySelector('[data-testid="lock-title"]')!.textContent).toBe('Tạo tài khoản quản trị');
    const note = l.el.querySelector<HTMLElement>('[data-testid="lock-note"]')!;
    expect(note.hidden).toBe(false);
    expect(note.textContent).toBe(NO_ACCOUNT_TO_LOCK);
    expect(cover).not.toHaveBeenCalledWith(true);
    expect(active()).toBe('lock-id');
    key(field(l, 'id'), 'Escape');
    expect(l.el.hidden).toBe(true);
    expect(onSession).toHaveBeenLastCalledWith(null);
  });

  it('Ctrl+L after accounts were made elsewhere reads the state again and locks', async () => {
    const { l, api } = make({ accounts_enabled: false });
    await l.load();
    key(field(l, 'id'), 'Escape');
    api.authState.mockResolvedValue({ accounts_enabled: true, session: lan });
    await l.lock();
    expect(api.authLock).toHaveBeenCalled();
    expect(l.el.querySelector('[data-testid="lock-title"]')!.textContent).toBe('Màn hình đã khóa');
    expect(l.el.querySelector<HTMLElement>('[data-testid="lock-note"]')!.hidden).toBe(true);
  });
});

describe('login and unlock by keyboard', () => {
  it('Enter in the name goes to the password; an empty PIN is not sent as a wrong try', async () => {
    const { l, api } = make({ accounts_enabled: true, session: lan });
    await l.load();
    await l.lock();
    const pin = l.el.querySelector<HTMLInputElement>('[data-testid="lock-pin"]')!;
    key(pin, 'Enter');
    await tick();
    expect(api.authUnlockPin).not.toHaveBeenCalled();
    expect(l.el.querySelector('[data-testid="lock-error"]')!.textContent).toBe('Chưa nhập: Mã PIN.');
    l.el.querySelector<HTMLElement>('[data-testid="lock-switch"]')!.click();
    const id = l.el.querySelector<HTMLInputElement>('[data-testid="lock-id"]')!;
    expect(active()).toBe('lock-id');
    id.value = 'lan';
    key(id, 'Enter');
    expect(active()).toBe('lock-password');
    expect(api.authLogin).not.toHaveBeenCalled();
    l.el.querySelector<HTMLInputElement>('[data-testid="lock-password"]')!.value = 'mat-khau-cua-lan';
    key(l.el.querySelector('[data-testid="lock-password"]')!, 'Enter');
    await tick();
    expect(api.authLogin).toHaveBeenCalledWith('lan', 'mat-khau-cua-lan');
  });
});
