import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Dashboard } from './bindings/Dashboard';
import { STATUS_LABELS } from './bindings/facts';
import { cardReading, cardText } from './test-data';

// the backend, and the event the shell pushes: `onDashboard` keeps the callback so a test can push
const { fake, push, scan } = vi.hoisted(() => {
  const push: { cb: ((d: unknown) => void) | null; unlisten: ReturnType<typeof vi.fn> } = { cb: null, unlisten: vi.fn() };
  // a scanner in serial mode: `onScan` keeps the callback so a test can scan
  const scan: { cb: ((s: { text?: string; error?: string }) => void) | null; unlisten: ReturnType<typeof vi.fn> } = { cb: null, unlisten: vi.fn() };
  const fake = {
    appStatus: vi.fn(), dashboard: vi.fn(), catalogSearch: vi.fn(), intakePreview: vi.fn(), intakeSubmit: vi.fn(),
    dossierSearch: vi.fn(), dossierGet: vi.fn(), workCounts: vi.fn(), workList: vi.fn(), settingsGet: vi.fn(), formPrint: vi.fn(),
    printersList: vi.fn(), syncStatus: vi.fn(), syncParked: vi.fn(), syncConflicts: vi.fn(), authState: vi.fn(), authLock: vi.fn(),
    onDashboard: vi.fn(async (cb: (d: unknown) => void) => {
      push.cb = cb;
      return push.unlisten;
    }),
    onScan: vi.fn(async (cb: (s: { text?: string; error?: string }) => void) => {
      scan.cb = cb;
      return scan.unlisten;
    }),
    cardRead: vi.fn(), applicantReturning: vi.fn(), uploadsSummary: vi.fn(),
  };
  return { fake, push, scan };
});
vi.mock('./api', () => ({ api: fake, toAppError: (e: unknown) => e }));

import { mount } from './main';

const tick = () => new Promise((r) => setTimeout(r, 0));
const key = (k: string) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));

const board = (o: Partial<Dashboard> = {}): Dashboard => ({
  status: {
    context: {
      agency_code: '000.00.31.H26', agency_name: 'UBND phường Ba Đình', agency_address: 'Hà Nội', counter_id: 'Q01',
      counter_name: 'Quầy số 1', clerk_id: 'c1', clerk_name: 'Lê Thị Hoa',
    },
    db_path: '/data/motcua.sqlite3', pending_events: 3, procedures: 33, version: '0.1.0',
  },
  auth: { accounts_enabled: true, lock_after_minutes: 5, session: { clerk_id: 'hoa', clerk_name: 'Lê Thị Hoa', role: 'clerk', locked: false } },
  counts: { guided_today: 2, not_accepted_today: 1, due_today: 0, overdue: 1, due_soon: 2, waiting_supplement: 0, ready_to_collect: 0 },
  sync: {
    enrolled: true, portal_url: 'http://p', online: false, waiting: 3, parked: 0, conflicts: 0, failed_changes: 0,
    last_error: 'Không kết nối được Cổng dịch vụ công', numbers_left_today: 5, clock_offset_minutes: 0, clock_warning: false, approval_pending: false,
    badge: { online: false, text: '● Mất kết nối — 3 chờ gửi', title: 'Không kết nối được Cổng dịch vụ công' },
  },
  today: '23/11/2026',
  ...o,
});

describe('counter window', () => {
  let stop: (() => void) | undefined;
  beforeEach(() => {
    document.body.innerHTML = '<div id="root"></div>';
    Object.values(fake).forEach((f) => f.mockClear());
    push.cb = null;
    scan.cb = null;
    fake.dashboard.mockResolvedValue(board());
    fake.authState.mockResolvedValue(board().auth);
    fake.syncStatus.mockResolvedValue(board().sync);
    fake.syncParked.mockResolvedValue([]);
    fake.syncConflicts.mockResolvedValue([]);
    fake.settingsGet.mockResolvedValue({ departments: '' });
    fake.printersList.mockResolvedValue([]);
    fake.uploadsSummary.mockResolvedValue({ waiting: 0, sending: 0, stored: 4, parked: 0, refused: 0, bytes_pending: 0, bytes_sent: 0 });
  });
  afterEach(() => {
    stop?.();
    stop = undefined;
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  const start = () => {
    const w = mount(document.getElementById('root')!);
    stop = w.stop;
    return w;
  };
  const $ = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;

  it('draws header, status bar, counts and badge from the dashboard; F2/F3 switch screens', async () => {
    const { intake, search } = start();
    await tick();
    expect(fake.dashboard).toHaveBeenCalledTimes(1);
    expect(document.querySelector('header')!.textContent).toContain('UBND phường Ba Đình');
    expect($('who').textContent).toBe('Quầy số 1 · Lê Thị Hoa (Cán bộ tiếp nhận)');
    expect($('status-pending').textContent).toBe('Chưa đồng bộ: 3');
    expect($('status-catalog').textContent).toContain('33');
    expect($('status-db').textContent).toBe('/data/motcua.sqlite3');
    expect($('status-network').textContent).toBe('● Mất kết nối — 3 chờ gửi');
    expect($('status-network').className).toBe('link offline');
    expect($('status-network').title).toBe('Không kết nối được Cổng dịch vụ công');
    expect(($('logbook-from') as HTMLInputElement).value).toBe('23/11/2026');
    expect($('count-due_soon').textContent).toMatch(/^2 /);
    // today's guidance and refusal slips, in the work lists' header, named as the core names the statuses
    expect($('contacts-today').textContent).toContain(`${STATUS_LABELS.guided} 2`);
    expect($('contacts-today').textContent).toContain(`${STATUS_LABELS.not_accepted} 1`);
    expect($('status-setup').hidden).toBe(true);
    expect($('tab-intake').textContent).toBe('Tiếp nhận (F2)');
    expect($('tab-search').textContent).toBe('Tra cứu (F3)');
    expect(intake.el.hidden).toBe(false);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('procedure-input');

    key('F3');
    expect(search.el.hidden).toBe(false);
    expect(intake.el.hidden).toBe(true);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('search-input');
    key('F2');
    expect(intake.el.hidden).toBe(false);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('procedure-input');
  });

  it('one tab per screen, in order, each opened by its key', async () => {
    const w = start();
    await tick();
    const tabs = [...document.querySelectorAll<HTMLElement>('nav button')].map((b) => [b.dataset.testid, b.textContent]);
    expect(tabs).toEqual([
      ['tab-intake', 'Tiếp nhận (F2)'], ['tab-search', 'Tra cứu (F3)'], ['tab-handover', 'Bàn giao (F5)'], ['tab-returns', 'Trả kết quả (F6)'],
      ['tab-work', 'Việc cần làm (F8)'], ['tab-sync', 'Đồng bộ (F9)'], ['tab-settings', 'Thiết lập (F4)'],
    ]);
    fake.workList.mockResolvedValue([]);
    for (const [k, screen] of [['F5', w.handover], ['F6', w.returns], ['F4', w.settings], ['F9', w.sync], ['F8', w.work], ['F3', w.search], ['F2', w.intake]] as const) {
      key(k);
      const shown = [w.intake, w.search, w.settings, w.handover, w.returns, w.work, w.sync].filter((s) => !s.el.hidden);
      expect(shown).toEqual([screen]);
      expect(document.querySelector('nav button.active')!.getAttribute('data-screen')).toBe(w.screens.shown.id);
    }
    $('tab-returns').click();
    expect(w.returns.el.hidden).toBe(false);
  });

  it('F9 opens the sync screen with "sync now" focused', async () => {
    const { sync } = start();
    key('F9');
    await tick();
    await tick();
    expect(sync.el.hidden).toBe(false);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('sync-now');
  });

  it('F8 opens the work lists (overdue first) with the logbook panel', async () => {
    fake.workList.mockResolvedValue([{ code: 'A1', applicant_name: 'Lê Văn Tám', procedure_code: '1.004873', status: 'in_process', due_at: '2026-11-20T17:00:00+07:00' }]);
    const { work } = start();
    await tick();
    key('F8');
    await tick();
    await tick();
    expect(work.el.hidden).toBe(false);
    expect(fake.workList).toHaveBeenCalledWith('overdue');
    expect(work.el.querySelectorAll('[data-testid="work-row"]')).toHaveLength(1);
    expect(work.el.querySelector('.status, td:nth-child(4)')!.textContent).toBe('Đang giải quyết');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('work-row');
    expect(work.el.querySelector('[data-testid="logbook-print"]')).not.toBeNull();
  });

  it('a count clicked opens its list without also loading the overdue one', async () => {
    fake.workList.mockResolvedValue([]);
    const { work } = start();
    await tick();
    $('count-due_soon').click();
    await tick();
    expect(work.el.hidden).toBe(false);
    expect(fake.workList.mock.calls).toEqual([['due_soon']]);
  });

  it('a pushed dashboard updates counts, badge and header; no timer polls', async () => {
    const interval = vi.spyOn(globalThis, 'setInterval');
    vi.useFakeTimers();
    start();
    await vi.advanceTimersByTimeAsync(0);
    expect(push.cb).not.toBeNull();
    expect($('count-waiting_supplement').textContent).toMatch(/^0 /);
    // a minute passes: nothing is asked of the backend
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.dashboard).toHaveBeenCalledTimes(1);
    for (const f of [fake.appStatus, fake.workCounts, fake.syncStatus]) expect(f).not.toHaveBeenCalled();
    expect(interval).not.toHaveBeenCalled();
    // the core pushes
    push.cb!(board({
      counts: { guided_today: 2, not_accepted_today: 1, due_today: 0, overdue: 1, due_soon: 2, waiting_supplement: 1, ready_to_collect: 0 },
      sync: { ...board().sync, online: true, waiting: 0, last_success_at: '2026-11-23T09:15:00+07:00', badge: { online: true, text: '● Trực tuyến — đã đồng bộ', title: '' } },
      auth: { ...board().auth, session: { clerk_id: 'lan', clerk_name: 'Nguyễn Thị Lan', role: 'head', locked: false } },
    }));
    expect($('count-waiting_supplement').textContent).toMatch(/^1 /);
    expect($('status-network').textContent).toBe('● Trực tuyến — đã đồng bộ');
    expect($('status-network').className).toBe('link online');
    expect($('who').textContent).toBe('Quầy số 1 · Nguyễn Thị Lan (Lãnh đạo bộ phận)');
    // the counter's day turns over: the logbook's dates follow the dashboard's today
    push.cb!(board({ today: '24/11/2026' }));
    expect(($('logbook-to') as HTMLInputElement).value).toBe('24/11/2026');
    // locked: no counts
    push.cb!(board({ counts: null }));
    expect($('count-overdue').textContent).toMatch(/^– /);
    expect($('guided-today').textContent).toBe('–');
    expect(interval).not.toHaveBeenCalled();
  });

  it('a push that comes before the first read wins over it; stop() stops listening', async () => {
    let answer: (d: Dashboard) => void = () => {};
    fake.dashboard.mockReturnValueOnce(new Promise((r) => (answer = r)));
    const w = start();
    await tick();
    push.cb!(board({ status: { ...board().status, pending_events: 7 } }));
    answer(board({ status: { ...board().status, pending_events: 1 } }));
    await tick();
    expect($('status-pending').textContent).toBe('Chưa đồng bộ: 7');
    w.stop();
    stop = undefined;
    await tick();
    expect(push.unlisten).toHaveBeenCalled();
    expect(scan.unlisten).toHaveBeenCalled();
  });

  it('a serial scan on the intake screen fills the applicant; a scanner\'s problem goes to the status bar; another code is typed where the cursor is', async () => {
    fake.cardRead.mockResolvedValue(cardReading());
    fake.applicantReturning.mockResolvedValue(null);
    const w = start();
    await tick();
    expect(scan.cb).not.toBeNull();
    scan.cb!({ text: cardText() });
    await tick();
    expect(fake.cardRead).toHaveBeenCalledWith(cardText());
    expect(w.intake.el.querySelector<HTMLInputElement>('[data-testid="applicant-full_name"]')!.value).toBe('Nguyễn Văn An');
    expect(w.intake.el.querySelector<HTMLInputElement>('[data-testid="applicant-id_number"]')!.value).toBe('001090012345');
    scan.cb!({ error: 'Không mở được cổng COM3' });
    expect($('status-pending').textContent).toBe('Không mở được cổng COM3');
    // any other code on another screen is typed where the cursor is, as a keyboard scanner would
    key('F3');
    scan.cb!({ text: '000.00.31.H26-260212-0001' });
    expect(($('search-input') as HTMLInputElement).value).toBe('000.00.31.H26-260212-0001');
    expect(fake.cardRead).toHaveBeenCalledTimes(1);
  });

  it('the return desk takes the collector\'s card from a serial scan and from keyboard-mode keystrokes', async () => {
    fake.cardRead.mockResolvedValue(cardReading());
    const w = start();
    await tick();
    key('F6');
    const fill = vi.spyOn(w.returns, 'fillFromCard').mockReturnValue(true);
    scan.cb!({ text: cardText() });
    await tick();
    expect(fill).toHaveBeenCalledWith({ full_name: 'Nguyễn Văn An', id_number: '001090012345' });
    // keyboard mode: the scanner's keys, then Enter, into whatever has focus on the desk
    const target = w.returns.el.querySelector<HTMLInputElement>('input')!;
    target.focus();
    for (const ch of [...cardText(), 'Enter']) target.dispatchEvent(new KeyboardEvent('keydown', { key: ch, bubbles: true, cancelable: true }));
    await tick();
    expect(fill).toHaveBeenCalledTimes(2);
    expect(fake.cardRead).toHaveBeenCalledTimes(2);
  });

  it('F2 on the intake screen is a new citizen: the form is cleared and the cursor on the procedure', async () => {
    const { intake } = start();
    await tick();
    const name = intake.el.querySelector<HTMLInputElement>('[data-testid="applicant-full_name"]')!;
    const id = intake.el.querySelector<HTMLInputElement>('[data-testid="applicant-id_number"]')!;
    name.value = 'Nguyễn Văn A';
    id.value = '001090012345';
    name.focus();
    key('F2');
    expect(intake.el.hidden).toBe(false);
    expect(name.value).toBe('');
    expect(id.value).toBe('');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('procedure-input');
  });

  it('set-up mode shows the link to create the admin', async () => {
    fake.dashboard.mockResolvedValue(board({ auth: { accounts_enabled: false, lock_after_minutes: 5 } }));
    start();
    await tick();
    expect($('status-setup').hidden).toBe(false);
    expect($('who').textContent).toBe('Quầy số 1 · Lê Thị Hoa');
  });

  it('the status bar shows the document files waiting for the portal, read again on each pushed dashboard', async () => {
    start();
    await tick();
    await tick();
    expect(fake.uploadsSummary).toHaveBeenCalledTimes(1);
    // everything stored: nothing to say
    expect($('status-uploads').hidden).toBe(true);
    fake.uploadsSummary.mockResolvedValue({ waiting: 2, sending: 1, stored: 4, parked: 1, refused: 0, bytes_pending: 4_000_000, bytes_sent: 1_000_000 });
    push.cb!(board());
    await tick();
    await tick();
    expect(fake.uploadsSummary).toHaveBeenCalledTimes(2);
    expect($('status-uploads').hidden).toBe(false);
    expect($('status-uploads-text').textContent).toBe('Tài liệu: 3 chờ gửi, 1 tạm dừng');
    const bar = $('status-uploads-progress') as HTMLProgressElement;
    expect(bar.hidden).toBe(false);
    expect([bar.max, bar.value]).toEqual([4_000_000, 1_000_000]);
    // all sent: the bar goes
    fake.uploadsSummary.mockResolvedValue({ waiting: 0, sending: 0, stored: 8, parked: 0, refused: 1, bytes_pending: 0, bytes_sent: 0 });
    push.cb!(board());
    await tick();
    await tick();
    expect($('status-uploads-text').textContent).toBe('Tài liệu: 1 bị cổng từ chối');
    expect(bar.hidden).toBe(true);
  });

  it('locking the screen closes any document or page shown over the window', async () => {
    fake.authLock.mockResolvedValue({ ...board().auth, session: { ...board().auth.session!, locked: true } });
    const w = start();
    await tick();
    await tick();
    const viewer = document.createElement('div');
    viewer.className = 'preview-overlay';
    viewer.dataset.testid = 'preview';
    document.body.append(viewer);
    await w.lockScreen.lock();
    expect(document.querySelector('.preview-overlay')).toBeNull();
    expect(document.querySelector('main')!.hidden).toBe(true);
    expect($('lock-screen').hidden).toBe(false);
  });
});
