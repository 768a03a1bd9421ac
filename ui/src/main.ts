// Boots the counter window: header with agency, counter and clerk; the intake (F2) and search (F3)
// screens, hand-over (F5) and return (F6) desks, work lists and the logbook (F8: F7 toggles caret browsing
// in WebKitGTK), the portal sync (F9), settings (F4), the work-list counts under the header; Ctrl+P reprints the receipt on
// screen; a status bar with the sync badge (online or not, waiting, refused, conflicts, numbers left) and the database in use.
import './styles.css';
import { api, type Api } from './api';
import type { AppError } from './bindings/AppError';
import { IntakeScreen } from './intake';
import { SearchScreen } from './search';
import { SettingsScreen } from './settings';
import { HandoverScreen } from './handover';
import { ReturnScreen } from './returns';
import { WorkBar, WorkScreen } from './worklists';
import { SyncBadge, SyncScreen } from './sync';
import { LockScreen, whoText } from './lock';

export function mount(root: HTMLElement, backend: Api = api) {
  root.innerHTML = `
    <header><div class="agency" data-testid="agency">Một Cửa</div>
      <nav><button type="button" data-screen="intake" data-testid="tab-intake">Tiếp nhận <span class="key">(F2)</span></button>
           <button type="button" data-screen="search" data-testid="tab-search">Tra cứu <span class="key">(F3)</span></button>
           <button type="button" data-screen="handover" data-testid="tab-handover">Bàn giao <span class="key">(F5)</span></button>
           <button type="button" data-screen="returns" data-testid="tab-returns">Trả kết quả <span class="key">(F6)</span></button>
           <button type="button" data-screen="work" data-testid="tab-work">Việc cần làm <span class="key">(F8)</span></button>
           <button type="button" data-screen="sync" data-testid="tab-sync">Đồng bộ <span class="key">(F9)</span></button>
           <button type="button" data-screen="settings" data-testid="tab-settings">Thiết lập <span class="key">(F4)</span></button></nav>
      <div class="who" data-testid="who"></div></header>
    <main></main>
    <footer data-testid="status-bar"><span data-testid="status-pending"></span><span data-testid="status-catalog"></span><button type="button" class="link" data-testid="status-setup" hidden>Chưa có tài khoản: tạo tài khoản quản trị</button><span class="db" data-testid="status-db"></span></footer>`;
  const main = root.querySelector('main')!;
  const refresh = async () => {
    try {
      const s = await backend.appStatus();
      root.querySelector('[data-testid="agency"]')!.textContent = s.context.agency_name;
      root.querySelector('[data-testid="who"]')!.textContent = whoText(s.context.counter_name, lockScreen.state.session, s.context.clerk_name);
      root.querySelector<HTMLElement>('[data-testid="status-setup"]')!.hidden = lockScreen.state.accounts_enabled;
      root.querySelector('[data-testid="status-pending"]')!.textContent = `Chưa đồng bộ: ${s.pending_events}`;
      root.querySelector('[data-testid="status-catalog"]')!.textContent = `Danh mục: ${s.procedures} thủ tục`;
      root.querySelector('footer .db')!.textContent = s.db_path;
      void bar.refresh();
      void syncBadge.refresh();
    } catch (e) {
      root.querySelector('[data-testid="status-pending"]')!.textContent = (e as AppError).message;
    }
  };
  const intake = new IntakeScreen(backend, () => void refresh());
  const work = new WorkScreen(backend, (code) => {
    show('search');
    void search.open(code);
  });
  const search = new SearchScreen(backend, () => void refresh());
  const settings = new SettingsScreen(backend);
  const handover = new HandoverScreen(backend, () => void refresh());
  const returns = new ReturnScreen(backend, () => void refresh());
  const bar = new WorkBar(backend, (l) => {
    show('work');
    void work.show(l);
  });
  const sync = new SyncScreen(backend, () => void refresh());
  // once accounts exist: nothing personal on screen until someone logs in, and while locked
  const lockScreen = new LockScreen(
    backend,
    (on) => {
      main.hidden = on;
      bar.el.hidden = on;
    },
    () => {
      void refresh();
      screens[current].focusFirst();
    },
  );
  root.append(lockScreen.el);
  root.querySelector('[data-testid="status-setup"]')!.addEventListener('click', () => lockScreen.setup());
  const syncBadge = new SyncBadge(backend, () => show('sync'));
  root.querySelector('footer')!.prepend(syncBadge.el);
  root.querySelector('header')!.after(bar.el);
  main.append(intake.el, search.el, settings.el, handover.el, returns.el, work.el, sync.el);
  type Screen = 'intake' | 'search' | 'settings' | 'handover' | 'returns' | 'work' | 'sync';
  const screens: Record<Screen, { el: HTMLElement; focusFirst(): void }> = { intake, search, settings, handover, returns, work, sync };
  let current: Screen = 'intake';
  const show = (which: Screen) => {
    current = which;
    for (const [name, sc] of Object.entries(screens)) sc.el.hidden = name !== which;
    root.querySelectorAll<HTMLElement>('nav button').forEach((b) => b.classList.toggle('active', b.dataset.screen === which));
    if (which === 'settings') void settings.load().then(() => settings.focusFirst());
    else if (which === 'sync') void sync.load().then(() => sync.focusFirst());
    else screens[which].focusFirst();
  };
  root.querySelectorAll<HTMLElement>('nav button').forEach((b) => b.addEventListener('click', () => {
    show(b.dataset.screen as Screen);
    if (b.dataset.screen === 'work') void work.show('overdue');
  }));
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'F2') {
      ev.preventDefault();
      show('intake');
    } else if (ev.key === 'F3') {
      ev.preventDefault();
      show('search');
    } else if (ev.key === 'F4') {
      ev.preventDefault();
      show('settings');
    } else if (ev.key === 'F5') {
      ev.preventDefault();
      show('handover');
    } else if (ev.key === 'F6') {
      ev.preventDefault();
      show('returns');
    } else if (ev.key === 'F9') {
      ev.preventDefault();
      show('sync');
    } else if (ev.key === 'F8') {
      ev.preventDefault();
      show('work');
      void work.show('overdue');
    } else if ((ev.ctrlKey || ev.metaKey) && (ev.key === 'l' || ev.key === 'L')) {
      // lock the counter now (leaving the desk)
      ev.preventDefault();
      void lockScreen.lock();
    } else if ((ev.ctrlKey || ev.metaKey) && (ev.key === 'p' || ev.key === 'P')) {
      // never the webview's print dialog: reprint the receipt of the dossier on screen, from Rust
      ev.preventDefault();
      const actions = current === 'intake' ? intake.printActions : current === 'search' ? search.printActions : null;
      void actions?.print('receipt');
    }
  });
  show('intake');
  void lockScreen.load().then(() => refresh());
  // the sync runs by itself in the background: keep its badge (and the counts it may change) current
  const timer = setInterval(() => void refresh(), 5000);
  return { intake, search, settings, handover, returns, work, bar, sync, syncBadge, lockScreen, show, stop: () => clearInterval(timer) };
}

const root = document.getElementById('app');
if (root && !import.meta.env?.VITEST) mount(root, api);
