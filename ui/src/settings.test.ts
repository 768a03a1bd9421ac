import { describe, expect, it, vi } from 'vitest';
import type { Api } from './api';
import { DEFAULT_SETTINGS } from './bindings/facts';
import { SettingsScreen } from './settings';

/** A word written twice in a row ("giấy giấy"), any case, Vietnamese letters included. */
const doubled = /(?<!\p{L})(\p{L}+) \1(?!\p{L})/iu;

describe('settings screen (F4)', () => {
  it('labels the receipt paper once, and no label repeats a word', () => {
    const s = new SettingsScreen({} as Api);
    const labels = [...s.el.querySelectorAll('label.field > span')].map((e) => e.textContent!.trim());
    expect(labels).toContain('Khổ giấy tiếp nhận');
    expect(s.el.querySelector('[data-testid="settings-receipt_paper"]')!.closest('label')!.querySelector('span')!.textContent).toBe('Khổ giấy tiếp nhận');
    for (const text of [...labels, s.el.textContent!]) expect(text).not.toMatch(doubled);
    expect('Khổ giấy giấy tiếp nhận').toMatch(doubled);
  });

  it('says what {code} in the lookup address stands for', () => {
    const s = new SettingsScreen({} as Api);
    const label = s.el.querySelector('[data-testid="settings-lookup_url"]')!.closest('label')!.querySelector('span')!.textContent;
    expect(label).toContain('{code} được thay bằng mã của từng hồ sơ');
  });

  it('shows a refused value beside its field and focuses it', async () => {
    const api = {
      settingsGet: vi.fn().mockResolvedValue(DEFAULT_SETTINGS),
      printersList: vi.fn().mockResolvedValue([]),
      settingsSave: vi.fn().mockRejectedValue({ code: 'validation', reason: 'invalid', message: 'Số liên từ 1 đến 5', field: 'receipt_copies' }),
    };
    document.body.innerHTML = '';
    const s = new SettingsScreen(api as unknown as Api);
    document.body.append(s.el);
    await s.load();
    expect(await s.save()).toBeNull();
    const err = s.el.querySelector<HTMLElement>('[data-testid="error-receipt_copies"]')!;
    expect(err.hidden).toBe(false);
    expect(err.textContent).toBe('Số liên từ 1 đến 5');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('settings-receipt_copies');
  });
});
