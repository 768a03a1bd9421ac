import { describe, expect, it, vi } from 'vitest';
import { LockScreen, whoText } from './lock';
import { ROLE_LABELS } from './bindings/facts';
import type { Api } from './api';

const tick = () => new Promise((r) => setTimeout(r, 0));
const lan = { clerk_id: 'lan', clerk_name: 'Nguyễn Thị Lan', role: 'clerk' as const, locked: false };

function make(state: unknown) {
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
