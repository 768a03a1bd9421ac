import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  appStatus: vi.fn(), catalogSearch: vi.fn(), intakePreview: vi.fn(), intakeSubmit: vi.fn(),
  dossierSearch: vi.fn(), dossierGet: vi.fn(), workCounts: vi.fn(), workList: vi.fn(), settingsGet: vi.fn(), formPrint: vi.fn(),
  syncStatus: vi.fn(), syncParked: vi.fn(), syncConflicts: vi.fn(), authState: vi.fn(), authLock: vi.fn(),
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
    fake.syncStatus.mockResolvedValue({ enrolled: true, portal_url: 'http://p', online: false, waiting: 3, parked: 0, conflicts: 0, failed_changes: 0,
      last_error: 'Không kết nối được Cổng dịch vụ công', numbers_left_today: 5, clock_offset_minutes: 0, approval_pending: false });
    fake.syncParked.mockResolvedValue([]);
    fake.authState.mockResolvedValue({ accounts_enabled: true, lock_after_minutes: 5,
      session: { clerk_id: 'hoa', clerk_name: 'Lê Thị Hoa', role: 'clerk', locked: false } });
    fake.syncConflicts.mockResolvedValue([]);
  });

  it('shows agency, counter, clerk and the status bar; F2/F3 switch screens', async () => {
    const root = document.getElementById('root')!;
    const { intake, search } = mount(root);
    await tick();
    expect(root.querySelector('header')!.textContent).toContain('UBND phường Ba Đình');
    expect(root.querySelector('[data-testid="who"]')!.textContent).toBe('Quầy số 1 · Lê Thị Hoa (Cán bộ tiếp nhận)');
    expect(root.querySelector('[data-testid="status-pending"]')!.textContent).toBe('Chưa đồng bộ: 3');
    expect(root.querySelector('[data-testid="status-catalog"]')!.textContent).toContain('33');
    expect(root.querySelector('[data-testid="status-db"]')!.textContent).toBe('/data/motcua.sqlite3');
    await tick();
    expect(root.querySelector('[data-testid="status-network"]')!.textContent).toBe('● Mất kết nối — 3 chờ gửi');
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

  it('F9 opens the sync screen with "sync now" focused', async () => {
    const root = document.getElementById('root')!;
    const { sync, stop } = mount(root);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'F9', bubbles: true, cancelable: true }));
    await tick();
    await tick();
    expect(sync.el.hidden).toBe(false);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('sync-now');
    stop();
  });

  it('F8 opens the work lists (overdue first) with the logbook panel', async () => {
    fake.workCounts.mockResolvedValue({ due_today: 0, overdue: 1, due_soon: 0, waiting_supplement: 0, ready_to_collect: 0 });
    fake.workList.mockResolvedValue([{ code: 'A1', applicant_name: 'Lê Văn Tám', procedure_code: '1.004873', status: 'in_process', due_at: '2026-11-20T17:00:00+07:00' }]);
    const root = document.getElementById('root')!;
    const { work } = mount(root);
    await tick();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'F8', bubbles: true, cancelable: true }));
    await tick();
    await tick();
    expect(work.el.hidden).toBe(false);
    expect(fake.workList).toHaveBeenCalledWith('overdue');
    expect(work.el.querySelectorAll('[data-testid="work-row"]')).toHaveLength(1);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('work-row');
    expect(work.el.querySelector('[data-testid="logbook-print"]')).not.toBeNull();
  });
});
