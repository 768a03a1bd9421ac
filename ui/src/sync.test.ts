import { describe, expect, it, vi } from 'vitest';
import { NOT_ENROLLED, SyncBadge, SyncScreen, dossierSyncLine } from './sync';
import type { SyncStatus } from './bindings/SyncStatus';
import type { Api } from './api';

const base: SyncStatus = {
  enrolled: true, portal_url: 'http://127.0.0.1:8787', online: true, waiting: 0, parked: 0, conflicts: 0, failed_changes: 0,
  last_success_at: '2026-11-23T09:15:00+07:00', last_attempt_at: '2026-11-23T09:15:00+07:00', numbers_left_today: 87, clock_offset_minutes: 0, clock_warning: false, approval_pending: false,
  badge: { online: true, text: '● Trực tuyến — đã đồng bộ', title: 'Đồng bộ với http://127.0.0.1:8787, lần cuối 09:15 thứ Hai, 23/11/2026.' },
};
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('sync badge', () => {
  it('shows the badge the core decided: its words, tooltip and state, whatever the rest of the status says', () => {
    const b = new SyncBadge();
    const net = b.el.querySelector<HTMLElement>('[data-testid="status-network"]')!;
    // words no UI code could have made, and a state that contradicts `online`: the badge is drawn as sent
    b.render({ ...base, online: true, waiting: 4, badge: { online: false, text: '◆ lõi nói: 42 việc <i>lạ</i>', title: 'chú thích từ lõi' } });
    expect(net.textContent).toBe('◆ lõi nói: 42 việc <i>lạ</i>');
    expect(net.querySelector('i')).toBeNull();
    expect(net.title).toBe('chú thích từ lõi');
    expect(net.classList.contains('offline')).toBe(true);
    expect(net.classList.contains('online')).toBe(false);
    b.render({ ...base, online: false, enrolled: false, badge: { online: true, text: 'X', title: 'Y' } });
    expect(net.className).toBe('link online');
    expect(net.textContent).toBe('X');
  });

  it('shows refused events, conflicts and numbers left as chips; a click opens the sync screen', () => {
    const open = vi.fn();
    const b = new SyncBadge(open);
    b.render({ ...base, parked: 2, conflicts: 1 });
    const parked = b.el.querySelector<HTMLElement>('[data-testid="status-parked"]')!;
    expect(parked.hidden).toBe(false);
    expect(parked.textContent).toBe('Cổng từ chối: 2');
    expect(b.el.querySelector<HTMLElement>('[data-testid="status-conflicts"]')!.textContent).toBe('Cần xử lý: 1');
    expect(b.el.querySelector('[data-testid="status-numbers"]')!.textContent).toBe('Số hồ sơ còn hôm nay: 87');
    b.el.querySelector<HTMLElement>('[data-testid="status-network"]')!.click();
    expect(open).toHaveBeenCalled();
  });

  it('a dossier line keeps the portal reason when refused', () => {
    const html = String(dossierSyncLine({ state: 'rejected', label: 'Cổng từ chối', reason: 'Thủ tục 9.9 không có <b>' }));
    expect(html).toContain('data-state="rejected"');
    expect(html).toContain('Thủ tục 9.9 không có &#60;b&#62;');
  });
});

describe('sync screen (F9)', () => {
  const api = () => ({
    syncStatus: vi.fn().mockResolvedValue({ ...base, online: false, waiting: 3, parked: 1, conflicts: 1, last_error: 'Cổng dịch vụ công báo lỗi (HTTP 503, unavailable): bảo trì' }),
    syncParked: vi.fn().mockResolvedValue([{ dossier_code: 'A-1', kind: 'received', kind_label: 'Tiếp nhận', at: '2026-11-23T09:00:00+07:00', code: 'unknown_procedure', reason: 'Thủ tục 9.999999 không có trong danh mục', parked_at: '2026-11-23T09:01:00+07:00', attempts: 1 }]),
    syncConflicts: vi.fn().mockResolvedValue([{ event_uid: 'u-1', dossier_code: 'B-2', kind: 'returned', kind_label: 'Trả kết quả', counter_id: 'Q02', by_label: 'Quầy Q02', at: '2026-11-23T09:00:00+07:00', status_label: 'Đã từ chối', noted_at: '2026-11-23T09:02:00+07:00' }]),
    syncNow: vi.fn().mockResolvedValue(base),
    syncRetryParked: vi.fn().mockResolvedValue(1),
    syncSettle: vi.fn().mockResolvedValue(undefined),
    syncEnrol: vi.fn().mockResolvedValue(base),
  });

  it('lists the last error, refused steps with the portal reason, and conflicts; retry and settle call the core', async () => {
    const a = api();
    const s = new SyncScreen(a as unknown as Api);
    await s.load();
    expect(s.el.querySelector('[data-testid="sync-last-error"]')!.textContent).toContain('HTTP 503');
    expect(s.el.querySelector('[data-testid="sync-waiting"]')!.textContent).toBe('3');
    const row = s.el.querySelector('[data-testid="parked-row"]')!;
    expect(row.textContent).toContain('Tiếp nhận');
    expect(row.textContent).toContain('Thủ tục 9.999999 không có trong danh mục');
    const conflict = s.el.querySelector('[data-testid="conflict-row"]')!.textContent;
    expect(conflict).toContain('Trả kết quả');
    expect(conflict).toContain('Quầy Q02');
    s.el.querySelector<HTMLElement>('[data-testid="parked-retry"]')!.click();
    await tick();
    expect(a.syncRetryParked).toHaveBeenCalled();
    s.el.querySelector<HTMLElement>('[data-testid="conflict-row"] button')!.click();
    await tick();
    expect(a.syncSettle).toHaveBeenCalledWith('u-1');
    expect(s.el.querySelector<HTMLElement>('[data-testid="enrol-form"]')!.hidden).toBe(true);
  });

  it('offers enrolment when the counter has no portal, and shows a refusal in words', async () => {
    const a = api();
    a.syncStatus.mockResolvedValue({ ...base, enrolled: false, portal_url: undefined, online: false });
    a.syncParked.mockResolvedValue([]);
    a.syncConflicts.mockResolvedValue([]);
    a.syncEnrol.mockRejectedValue({ code: 'conflict', message: 'Cổng dịch vụ công báo lỗi (HTTP 403, enrolment_refused): Mã đăng ký không đúng' });
    const s = new SyncScreen(a as unknown as Api);
    await s.load();
    const form = s.el.querySelector<HTMLFormElement>('[data-testid="enrol-form"]')!;
    expect(form.hidden).toBe(false);
    s.el.querySelector<HTMLInputElement>('[data-testid="enrol-portal"]')!.value = 'http://127.0.0.1:1';
    s.el.querySelector<HTMLInputElement>('[data-testid="enrol-code"]')!.value = 'SAI';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(a.syncEnrol).toHaveBeenCalledWith('http://127.0.0.1:1', 'SAI');
    const err = s.el.querySelector<HTMLElement>('[data-testid="sync-error"]')!;
    expect(err.hidden).toBe(false);
    expect(err.textContent).toContain('Mã đăng ký không đúng');
  });
});

describe('"Đồng bộ ngay" before enrolment', () => {
  const notEnrolled: SyncStatus = { ...base, enrolled: false, portal_url: undefined, online: false, last_success_at: undefined, last_attempt_at: undefined };
  const api = () => ({
    syncStatus: vi.fn().mockResolvedValue(notEnrolled),
    syncParked: vi.fn().mockResolvedValue([]),
    syncConflicts: vi.fn().mockResolvedValue([]),
    syncNow: vi.fn().mockResolvedValue(notEnrolled),
    syncEnrol: vi.fn().mockResolvedValue(base),
  });

  it('says the counter is not enrolled and puts the cursor on the enrolment form', async () => {
    document.body.innerHTML = '';
    const a = api();
    const s = new SyncScreen(a as unknown as Api);
    document.body.append(s.el);
    await s.load();
    // F9 on a counter not enrolled: the enrolment form is what there is to do
    s.focusFirst();
    expect(document.activeElement?.getAttribute('data-testid')).toBe('enrol-portal');
    s.el.querySelector<HTMLElement>('[data-testid="sync-now"]')!.click();
    await tick();
    expect(a.syncNow).toHaveBeenCalled();
    const err = s.el.querySelector<HTMLElement>('[data-testid="sync-error"]')!;
    expect(err.hidden).toBe(false);
    expect(err.textContent).toBe(NOT_ENROLLED);
    expect(err.textContent).toContain('Đăng ký máy với cổng');
    expect(s.el.querySelector<HTMLElement>('[data-testid="enrol-form"]')!.hidden).toBe(false);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('enrol-portal');
    // enrolled: the form goes, the cursor is on "Đồng bộ ngay"
    a.syncStatus.mockResolvedValue(base);
    s.el.querySelector<HTMLInputElement>('[data-testid="enrol-portal"]')!.value = 'http://127.0.0.1:8787';
    s.el.querySelector<HTMLInputElement>('[data-testid="enrol-code"]')!.value = 'MA-1';
    s.el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    await tick();
    expect(s.el.querySelector<HTMLElement>('[data-testid="enrol-form"]')!.hidden).toBe(true);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('sync-now');
  });

  it('shows the core\'s own refusal when there is one', async () => {
    document.body.innerHTML = '';
    const a = api();
    a.syncNow.mockRejectedValue({ code: 'conflict', reason: 'not_enrolled', message: 'Lõi: máy chưa đăng ký <b>' });
    const s = new SyncScreen(a as unknown as Api);
    document.body.append(s.el);
    await s.load();
    await s.syncNow();
    const err = s.el.querySelector<HTMLElement>('[data-testid="sync-error"]')!;
    expect(err.hidden).toBe(false);
    expect(err.textContent).toBe('Lõi: máy chưa đăng ký <b>');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('enrol-portal');
  });

  it('an enrolled counter says nothing of enrolment and shows the round\'s outcome', async () => {
    vi.useFakeTimers();
    try {
      const a = { ...api(), syncNow: vi.fn().mockResolvedValue(base), syncStatus: vi.fn().mockResolvedValue({ ...base, waiting: 0 }) };
      const s = new SyncScreen(a as unknown as Api);
      const done = s.syncNow();
      await vi.advanceTimersByTimeAsync(1000);
      await done;
      expect(a.syncStatus).toHaveBeenCalled();
      expect(s.el.querySelector<HTMLElement>('[data-testid="sync-error"]')!.hidden).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('sync screen shows what the core says', () => {
  it('draws the state row from the core\'s badge', () => {
    const s = new SyncScreen({} as Api);
    s.showStatus({ ...base, badge: { online: false, text: '◆ từ lõi', title: 'giải thích' } });
    const state = s.el.querySelector<HTMLElement>('[data-testid="sync-state"] span')!;
    expect(state.textContent).toBe('◆ từ lõi');
    expect(state.title).toBe('giải thích');
    expect(state.className).toBe('offline');
  });

  it('warns when the portal refused the audit anchor, with the portal\'s reason', () => {
    const s = new SyncScreen({} as Api);
    s.showStatus(base);
    expect(s.el.querySelector('[data-testid="sync-audit-anchor"]')).toBeNull();
    s.showStatus({ ...base, audit_anchor_refused: 'đầu nhật ký 41 không nối tiếp 57 <b>' });
    const row = s.el.querySelector<HTMLElement>('[data-testid="sync-audit-anchor"]')!;
    expect(row.textContent).toContain('đầu nhật ký 41 không nối tiếp 57 <b>');
    expect(row.textContent).toContain('audit verify --portal');
    expect(row.querySelector('.error')).not.toBeNull();
    expect(row.querySelector('b')).toBeNull();
  });
});

describe('sync screen follows the pushed status', () => {
  it('redraws its status block from a dashboard, and names the portal as the core does', async () => {
    const a = {
      syncStatus: vi.fn().mockResolvedValue(base),
      syncParked: vi.fn().mockResolvedValue([]),
      syncConflicts: vi.fn().mockResolvedValue([{ event_uid: 'u', dossier_code: 'B', kind: 'returned', kind_label: 'Trả kết quả', counter_id: 'CONG',
        by_label: 'Cổng / phòng chuyên môn', at: '2026-11-23T09:00:00+07:00', status_label: 'Đã từ chối', noted_at: '2026-11-23T09:02:00+07:00' }]),
    };
    const s = new SyncScreen(a as unknown as Api);
    await s.load();
    expect(s.el.querySelector('[data-testid="conflict-row"]')!.textContent).toContain('Cổng / phòng chuyên môn');
    s.showStatus({ ...base, online: false, waiting: 1, last_error: 'HTTP 503 <script>' });
    expect(s.el.querySelector('[data-testid="sync-waiting"]')!.textContent).toBe('1');
    expect(s.el.querySelector('[data-testid="sync-last-error"]')!.textContent).toBe('HTTP 503 <script>');
    expect(s.el.querySelector('script')).toBeNull();
    expect(a.syncStatus).toHaveBeenCalledTimes(1);
  });
});
