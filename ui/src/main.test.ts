import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  appStatus: vi.fn(), catalogSearch: vi.fn(), intakePreview: vi.fn(), intakeSubmit: vi.fn(),
  dossierSearch: vi.fn(), dossierGet: vi.fn(),
}));
vi.mock('./api', () => ({ api: fake, toAppError: (e: unknown) => e }));

import { mount } from './main';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('counter window', () => {
  beforeEach(() => {
    document.body.innerHTML = '<div id="root"></div>';
    fake.appStatus.mockResolvedValue({
      context: {
        agency_code: '000.00.31.H26', agency_name: 'UBND phường Ba Đình', agency_address: 'Hà Nội', counter_id: 'Q01',
        counter_name: 'Quầy số 1', clerk_id: 'c1', clerk_name: 'Lê Thị Hoa',
      },
      db_path: '/data/motcua.sqlite3', pending_events: 3, procedures: 33, version: '0.1.0',
    });
  });

  it('shows agency, counter, clerk and the status bar; F2/F3 switch screens', async () => {
    const root = document.getElementById('root')!;
    const { intake, search } = mount(root);
    await tick();
    expect(root.querySelector('header')!.textContent).toContain('UBND phường Ba Đình');
    expect(root.querySelector('[data-testid="who"]')!.textContent).toBe('Quầy số 1 · Lê Thị Hoa');
    expect(root.querySelector('[data-testid="status-pending"]')!.textContent).toBe('Chưa đồng bộ: 3');
    expect(root.querySelector('[data-testid="status-catalog"]')!.textContent).toContain('33');
    expect(root.querySelector('[data-testid="status-db"]')!.textContent).toBe('/data/motcua.sqlite3');
    expect(root.querySelector('[data-testid="tab-intake"]')!.textContent).toBe('Tiếp nhận (F2)');
    expect(root.querySelector('[data-testid="tab-search"]')!.textContent).toBe('Tra cứu (F3)');
    expect(intake.el.hidden).toBe(false);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('procedure-input');

    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'F3', bubbles: true, cancelable: true }));
    expect(search.el.hidden).toBe(false);
    expect(intake.el.hidden).toBe(true);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('search-input');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'F2', bubbles: true, cancelable: true }));
    expect(intake.el.hidden).toBe(false);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('procedure-input');
  });
});
