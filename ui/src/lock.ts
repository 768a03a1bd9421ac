// Who is at the counter: the login and lock screen. Once accounts exist, the window shows nothing
// personal until a clerk logs in; Ctrl+L or a few idle minutes lock it; a short PIN unlocks (after
// three wrong PINs only the password does); "Đổi người dùng" lets the next clerk log in at a shared
// counter. In set-up mode (no admin yet: a fresh install, the demo data) every start opens the
// form that creates the admin; "Để sau" closes it for this time, and a link in the status bar opens
// it again.
// The rights themselves are enforced in Rust (the core refuses); this only asks and covers.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { AuthState } from './bindings/AuthState';
import type { Session } from './bindings/Session';
import { DEFAULT_LOCK_AFTER_MINUTES, LIMITS, ROLE_LABELS } from './bindings/facts';
import { html, setHtml } from './html';

type Mode = 'login' | 'unlock' | 'setup';

export class LockScreen {
  readonly el: HTMLElement;
  state: AuthState = { accounts_enabled: false, lock_after_minutes: DEFAULT_LOCK_AFTER_MINUTES };
  private idle: ReturnType<typeof setTimeout> | undefined;

  /** `cover(true)` hides everything personal behind the screen; `onSession` refreshes the window. */
  constructor(private api: Api = defaultApi, private cover: (on: boolean) => void = () => {}, private onSession: (s: Session | null) => void = () => {}) {
    this.el = document.createElement('div');
    this.el.className = 'lock';
    this.el.dataset.testid = 'lock-screen';
    this.el.hidden = true;
    setHtml(this.el, html`<form class="lock-box" data-testid="lock-form" autocomplete="off">
        <h2 data-testid="lock-title"></h2>
        <p class="muted" data-testid="lock-who"></p>
        <label data-field="id">Tên đăng nhập <input data-testid="lock-id" autocomplete="off" maxlength="${LIMITS.code}"></label>
        <label data-field="name">Họ và tên <input data-testid="lock-name" maxlength="${LIMITS.name}"></label>
        <label data-field="password">Mật khẩu <input type="password" data-testid="lock-password"></label>
        <label data-field="pin">Mã PIN <input type="password" inputmode="numeric" data-testid="lock-pin"></label>
        <p class="error" data-testid="lock-error" hidden></p>
        <p><button type="submit" class="primary" data-testid="lock-submit"></button>
           <button type="button" data-testid="lock-switch">Đổi người dùng</button>
           <button type="button" data-testid="lock-use-password">Dùng mật khẩu</button>
           <button type="button" data-testid="lock-cancel">Để sau</button></p>
      </form>`);
    this.q('[data-testid="lock-form"]').addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.submit();
    });
    this.q('[data-testid="lock-switch"]').addEventListener('click', () => this.show('login'));
    this.q('[data-testid="lock-use-password"]').addEventListener('click', () => {
      this.usePassword = true;
      this.show('unlock');
    });
    this.q('[data-testid="lock-cancel"]').addEventListener('click', () => {
      this.hide();
      this.onSession(null);
    });
    for (const ev of ['keydown', 'mousedown']) document.addEventListener(ev, () => this.resetIdle(), true);
  }

  private mode: Mode = 'login';
  private usePassword = false;

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  private input(id: string): HTMLInputElement {
    return this.q<HTMLInputElement>(`[data-testid="lock-${id}"]`);
  }

  /** Reads who is logged in and covers the window when it must. */
  async load() {
    try {
      this.state = await this.api.authState();
    } catch {
      this.el.dataset.ready = '1';
      return;
    }
    const s = this.state.session;
    if (!this.state.accounts_enabled) this.show('setup');
    else if (!s) this.show('login');
    else if (s.locked) this.show('unlock');
    else this.hide();
    this.resetIdle();
    this.el.dataset.ready = '1';
  }

  /** Ctrl+L, or idle. */
  async lock() {
    if (!this.state.accounts_enabled || !this.state.session) return;
    try {
      this.state = await this.api.authLock();
    } catch {
      /* locked on screen anyway */
    }
    this.usePassword = false;
    this.show('unlock');
  }

  /** Follows the auth state the dashboard brings: the idle delay (a changed setting) takes effect. */
  follow(auth: AuthState) {
    if (auth.lock_after_minutes === this.state.lock_after_minutes) return;
    this.state = { ...this.state, lock_after_minutes: auth.lock_after_minutes };
    this.resetIdle();
  }

  /** Set-up mode: the first-run admin form. */
  setup() {
    this.show('setup');
  }

  private resetIdle() {
    clearTimeout(this.idle);
    if (this.state.accounts_enabled && this.state.session && !this.state.session.locked) {
      this.idle = setTimeout(() => void this.lock(), (this.state.lock_after_minutes || DEFAULT_LOCK_AFTER_MINUTES) * 60_000);
    }
  }

  private show(mode: Mode) {
    this.mode = mode;
    const s = this.state.session;
    const field = (name: string, on: boolean) => (this.q(`[data-field="${name}"]`).hidden = !on);
    const unlockWithPin = mode === 'unlock' && !this.usePassword;
    field('id', mode !== 'unlock');
    field('name', mode === 'setup');
    field('password', mode !== 'unlock' || this.usePassword);
    field('pin', mode === 'setup' || unlockWithPin);
    this.q('[data-testid="lock-title"]').textContent =
      mode === 'setup' ? 'Tạo tài khoản quản trị' : mode === 'unlock' ? 'Màn hình đã khóa' : 'Đăng nhập';
    this.q('[data-testid="lock-who"]').textContent =
      mode === 'unlock' && s ? `${s.clerk_name} (${ROLE_LABELS[s.role] ?? s.role}) — ${unlockWithPin ? 'nhập mã PIN' : 'nhập mật khẩu'}` : mode === 'setup' ? 'Tài khoản đầu tiên; từ đó mỗi thao tác cần đăng nhập.' : '';
    this.q('[data-testid="lock-submit"]').textContent = mode === 'setup' ? 'Tạo tài khoản' : mode === 'unlock' ? 'Mở khóa' : 'Đăng nhập';
    this.q('[data-testid="lock-switch"]').hidden = mode !== 'unlock';
    this.q('[data-testid="lock-use-password"]').hidden = !unlockWithPin;
    this.q('[data-testid="lock-cancel"]').hidden = mode !== 'setup';
    for (const id of ['id', 'name', 'password', 'pin']) this.input(id).value = '';
    this.q('[data-testid="lock-error"]').hidden = true;
    this.el.hidden = false;
    // nothing personal behind a login or lock screen (set-up is chosen by the clerk, nothing to hide)
    if (mode !== 'setup') this.cover(true);
    const first = mode === 'unlock' ? (unlockWithPin ? 'pin' : 'password') : 'id';
    this.input(first).focus();
  }

  private hide() {
    this.el.hidden = true;
    this.cover(false);
  }

  private async submit() {
    const v = (id: string) => this.input(id).value;
    try {
      let s: Session;
      if (this.mode === 'setup') s = await this.api.authSetupAdmin(v('id'), v('name'), v('password'), v('pin') || null);
      else if (this.mode === 'login') s = await this.api.authLogin(v('id'), v('password'));
      else if (this.usePassword) s = await this.api.authUnlockPassword(v('password'));
      else s = await this.api.authUnlockPin(v('pin'));
      this.state = { ...this.state, accounts_enabled: true, session: s };
      this.usePassword = false;
      this.hide();
      this.resetIdle();
      this.onSession(s);
    } catch (e) {
      const a = e as AppError;
      // a wrong secret is cleared for the next try (the name typed stays)
      for (const id of ['pin', 'password']) this.input(id).value = '';
      // the PIN no longer opens (three wrong PINs), or this clerk has none: the password field
      if (this.mode === 'unlock' && !this.usePassword && (a.reason === 'pin_locked' || a.reason === 'no_pin')) {
        this.usePassword = true;
        this.show('unlock');
      } else {
        this.input(this.mode === 'unlock' && !this.usePassword ? 'pin' : 'password').focus();
      }
      const err = this.q('[data-testid="lock-error"]');
      err.textContent = a.message;
      err.hidden = false;
    }
  }
}

/** The header's "who" text for a session. */
export function whoText(counter: string, s: Session | null | undefined, fallbackClerk: string): string {
  return s ? `${counter} · ${s.clerk_name} (${ROLE_LABELS[s.role] ?? s.role})` : `${counter} · ${fallbackClerk}`;
}
