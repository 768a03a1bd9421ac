// Boots the counter window: header with agency, counter and clerk; the screens of `screens` below
// (intake F2, search F3, settings F4, hand-over F5, return F6, work lists and the logbook F8: F7
// toggles caret browsing in WebKitGTK, portal sync F9; on the intake screen F10 guides and F11
// refuses, see intake.ts, and Alt+S scans the current checklist item, Alt+T picks files for it, see
// intake-scan.ts); the work-list counts under the header; Ctrl+P reprints the receipt (or a
// contact's slip) on screen, Ctrl+L locks; a status bar with the sync badge and the database in
// use, and the document files waiting to go to the portal. Header, counts, badge and status bar are
// drawn from the dashboard the core pushes whenever it changes (the upload queue is read again on
// each push): nothing here polls.
import './styles.css';
import { api, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { Dashboard } from './bindings/Dashboard';
import { WORK_LISTS } from './bindings/facts';
import { html, setHtml } from './html';
import { IntakeScreen } from './intake';
import { SearchScreen } from './search';
import { SettingsScreen } from './settings';
import { HandoverScreen } from './handover';
import { ReturnScreen } from './returns';
import { WorkBar, WorkScreen } from './worklists';
import { SyncBadge, SyncScreen } from './sync';
import { LockScreen, whoText } from './lock';
import { SetupScreen } from './setup';
import { Screens } from './screens';
import { WedgeDetector, looksLikeCard } from './card';
import { closeViewers } from './printing';
import { formatSize } from './format';
import type { UploadSummary } from './bindings/UploadSummary';

/** The document files not yet stored by the portal, in a few words (empty when there are none). */
export function uploadsText(u: UploadSummary): string {
  const parts = [
    u.waiting + u.sending > 0 ? `${u.waiting + u.sending} chờ gửi` : '',
    u.parked > 0 ? `${u.parked} tạm dừng` : '',
    u.refused > 0 ? `${u.refused} bị cổng từ chối` : '',
  ].filter((p) => p);
  return parts.length ? `Tài liệu: ${parts.join(', ')}` : '';
}

export function mount(root: HTMLElement, backend: Api = api) {
  setHtml(root, html`
    <header><div class="agency" data-testid="agency">Một Cửa</div>
      <nav></nav>
      <div class="who" data-testid="who"></div></header>
    <main></main>
    <footer data-testid="status-bar"><span data-testid="status-pending"></span><span class="uploads" data-testid="status-uploads" hidden><span data-testid="status-uploads-text"></span><progress class="thin" data-testid="status-uploads-progress" hidden></progress></span><span data-testid="status-catalog"></span><button type="button" class="link" data-testid="status-setup" hidden>Chưa có tài khoản: tạo tài khoản quản trị</button><span class="db" data-testid="status-db"></span></footer>`);
  const main = root.querySelector('main')!;
  const text = (id: string, t: string) => (root.querySelector(`[data-testid="${id}"]`)!.textContent = t);

  const intake = new IntakeScreen(backend);
  const search = new SearchScreen(backend);
  const settings = new SettingsScreen(backend);
  const handover = new HandoverScreen(backend);
  const returns = new ReturnScreen(backend);
  const work = new WorkScreen(backend, (code) => {
    screens.show('search');
    void search.open(code);
  });
  const sync = new SyncScreen(backend);

  // one entry per screen, in the order of the tabs
  const screens = new Screens(
    [
      { id: 'intake', label: 'Tiếp nhận', key: 'F2', screen: intake },
      { id: 'search', label: 'Tra cứu', key: 'F3', screen: search },
      { id: 'handover', label: 'Bàn giao', key: 'F5', screen: handover },
      { id: 'returns', label: 'Trả kết quả', key: 'F6', screen: returns },
      { id: 'work', label: 'Việc cần làm', key: 'F8', screen: work, enter: () => work.show(WORK_LISTS[0]) },
      { id: 'sync', label: 'Đồng bộ', key: 'F9', screen: sync, enter: () => sync.load().then(() => sync.focusFirst()) },
      { id: 'settings', label: 'Thiết lập', key: 'F4', screen: settings, enter: () => settings.load().then(() => settings.focusFirst()) },
    ],
    root.querySelector('nav')!,
    main,
  );

  const bar = new WorkBar((l) => {
    screens.show('work');
    void work.show(l);
  });
  root.querySelector('header')!.after(bar.el);
  const syncBadge = new SyncBadge(() => screens.open('sync'));
  root.querySelector('footer')!.prepend(syncBadge.el);

  // once accounts exist: nothing personal on screen until someone logs in, and while locked
  const lockScreen = new LockScreen(
    backend,
    (on) => {
      main.hidden = on;
      bar.el.hidden = on;
      // a document or a page shown over the window goes too
      if (on) closeViewers();
    },
    () => screens.shown.screen.focusFirst(),
  );
  root.append(lockScreen.el);
  root.querySelector('[data-testid="status-setup"]')!.addEventListener('click', () => lockScreen.setup());

  /** The upload queue of document files (read again whenever the dashboard changes). */
  const uploads = root.querySelector<HTMLElement>('[data-testid="status-uploads"]')!;
  let uploadsSeq = 0;
  const showUploads = async () => {
    const seq = ++uploadsSeq;
    try {
      const u = await backend.uploadsSummary();
      if (seq !== uploadsSeq) return;
      const words = uploadsText(u);
      uploads.hidden = !words;
      text('status-uploads-text', words);
      const bar = root.querySelector<HTMLProgressElement>('[data-testid="status-uploads-progress"]')!;
      bar.hidden = u.bytes_pending <= 0;
      bar.max = Math.max(u.bytes_pending, 1);
      bar.value = Math.min(u.bytes_sent, u.bytes_pending);
      bar.title = `Đã gửi ${formatSize(u.bytes_sent)} / ${formatSize(u.bytes_pending)}`;
    } catch {
      // not readable now (locked, logged out): nothing shown
      if (seq === uploadsSeq) uploads.hidden = true;
    }
  };

  /** Draws everything the dashboard carries. */
  const render = (d: Dashboard) => {
    const c = d.status.context;
    text('agency', c.agency_name);
    text('who', whoText(c.counter_name, d.auth.session, c.clerk_name));
    root.querySelector<HTMLElement>('[data-testid="status-setup"]')!.hidden = d.auth.accounts_enabled;
    text('status-pending', `Chưa đồng bộ: ${d.status.pending_events}`);
    text('status-catalog', `Danh mục: ${d.status.procedures} thủ tục`);
    text('status-db', d.status.db_path);
    bar.render(d.counts);
    work.setCounts(d.counts);
    work.setToday(d.today);
    syncBadge.render(d.sync);
    sync.showStatus(d.sync);
    lockScreen.follow(d.auth);
    void showUploads();
  };
  // the core pushes the dashboard when it changes (after a command, a sync round, as the clock moves);
  // it is read once at start, and a push that comes first wins over that read
  let pushed = false;
  const listening = backend.onDashboard((d) => {
    pushed = true;
    render(d);
  }).catch(() => () => {});
  void backend.dashboard().then(
    (d) => pushed || render(d),
    (e) => text('status-pending', (e as AppError).message),
  );

  // a scanner in serial (USB COM) mode: a card goes to the screen that takes one (the applicant or
  // the representative at intake, the collector at the return desk); any other code is typed into
  // the field with the cursor, as a keyboard-mode scanner would
  const scanning = backend.onScan((s) => {
    if (s.error !== undefined || s.text === undefined) {
      text('status-pending', s.error ?? '');
      return;
    }
    const t = s.text;
    if (screens.shown.id === 'intake') void intake.scanned(t);
    else if (screens.shown.id === 'returns' && looksLikeCard(t)) collectorCard(t);
    else {
      const el = document.activeElement;
      if (el instanceof HTMLInputElement) {
        el.value = t;
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      }
    }
  }).catch(() => () => {});

  // the return desk: the collector's card scanned in keyboard mode, wherever the cursor is
  const collectorCard = (t: string) =>
    void backend.cardRead(t).then(
      (r) => returns.fillFromCard({ full_name: r.card.full_name, id_number: r.card.id_number }),
      (e) => text('status-pending', (e as AppError).message),
    );
  new WedgeDetector(returns.el, collectorCard);

  const onKey = (ev: KeyboardEvent) => {
    // F2 on the intake screen: a new citizen, from a clean form
    if (ev.key === 'F2' && screens.shown.id === 'intake' && !ev.ctrlKey && !ev.altKey) {
      ev.preventDefault();
      intake.newCitizen();
      return;
    }
    if (screens.key(ev)) return;
    if ((ev.ctrlKey || ev.metaKey) && (ev.key === 'l' || ev.key === 'L')) {
      // lock the counter now (leaving the desk)
      ev.preventDefault();
      void lockScreen.lock();
    } else if ((ev.ctrlKey || ev.metaKey) && (ev.key === 'p' || ev.key === 'P')) {
      // never the webview's print dialog: reprint the receipt of the dossier on screen, from Rust
      ev.preventDefault();
      void screens.shown.screen.printActions?.print();
    }
  };
  document.addEventListener('keydown', onKey);
  // a file dropped anywhere but on a checklist row (which takes it) never opens in the window
  const noDrop = (ev: DragEvent) => {
    if (ev.defaultPrevented || !Array.from(ev.dataTransfer?.types ?? []).includes('Files')) return;
    ev.preventDefault();
    if (ev.dataTransfer) ev.dataTransfer.dropEffect = 'none';
  };
  document.addEventListener('dragover', noDrop);
  document.addEventListener('drop', noDrop);
  screens.open('intake');
  void lockScreen.load();
  const stop = () => {
    document.removeEventListener('keydown', onKey);
    document.removeEventListener('dragover', noDrop);
    document.removeEventListener('drop', noDrop);
    void listening.then((unlisten) => unlisten());
    void scanning.then((unlisten) => unlisten());
  };
  return { intake, search, settings, handover, returns, work, bar, sync, syncBadge, lockScreen, screens, stop };
}

/**
 * Starts the window: a counter not set up yet opens the first-run set-up (setup.ts), which mounts the
 * counter screens in its place once it is done; a counter already set up opens them at once.
 */
export async function boot(root: HTMLElement, backend: Api = api): Promise<SetupScreen | ReturnType<typeof mount>> {
  const st = await backend.setupState().catch(() => null);
  if (st && st.stage !== 'done') {
    const setup = new SetupScreen(backend, () => {
      setup.el.remove();
      mount(root, backend);
    });
    root.replaceChildren(setup.el);
    await setup.load(st);
    return setup;
  }
  return mount(root, backend);
}

const root = document.getElementById('app');
if (root && !import.meta.env?.VITEST) void boot(root, api);
