// Who is at the counter: the login and lock screen. Once accounts exist, the window shows nothing
// personal until a clerk logs in; Ctrl+L or a few idle minutes lock it; a short PIN unlocks (after
// three wrong PINs only the password does); "Đổi người dùng" lets the next clerk log in at a shared
// counter. In set-up mode (no admin yet: a fresh install, the demo data) every start opens the
// form that creates the admin; "Để sau" (or Esc) closes it for this time, and a link in the status
// bar (or Ctrl+L, which has nothing to lock yet and says so) opens it again. Enter moves to the next
// empty field and submits only when nothing required is empty; a refused field is selected for
// retyping, the others keep what was typed. While the screen is up, focus stays on it.
// The rights themselves are enforced in Rust (the core refuses); this only asks and covers.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { AuthState } from './bindings/AuthState';
import type { Session } from './bindings/Session';
import { DEFAULT_LOCK_AFTER_MINUTES, LIMITS, ROLE_LABELS } from './bindings/facts';
import { html, setHtml } from './html';

type Mode = 'login' | 'unlock' | 'setup';

/** The form's fields, in order (their labels are the form's own). */
const FIELDS = ['id', 'name', 'password', 'pin'] as const;
type Field = (typeof FIELDS)[number];

/** What Ctrl+L says when there is no account yet (set-up mode). */
export const NO_ACCOUNT_TO_LOCK = 'Chưa có tài khoản nên chưa khóa được màn hình: tạo tài khoản quản trị trước (hoặc Esc để làm sau).';

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
        <p class="muted" data-testid="lock-note" role="status" hidden></p>
        <label data-field="id">Tên đăng nhập <input data-testid="lock-id" autocomplete="off" maxlength="${LIMITS.code}"></label>
        <label data-field="name">Họ và tên <input data-testid="lock-name" maxlength="${LIMITS.name}"></label>
        <label data-field="password">Mật khẩu <input type="password" data-testid="lock-password"></label>
        <label data-field="pin">Mã PIN<span class="muted" data-testid="lock-pin-optional"> (không bắt buộc, để mở khóa nhanh)</span> <input type="password" inputmode="numeric" data-testid="lock-pin"></label>
        <p class="error" data-testid="lock-error" role="alert" hidden></p>
        <p><button type="submit" class="primary" data-testid="lock-submit"></button>
           <button type="button" data-testid="lock-switch">Đổi người dùng</button>
           <button type="button" data-testid="lock-use-password">Dùng mật khẩu</button>
           <button type="button" data-testid="lock-cancel">Để sau <span class="key">(Esc)</span></button></p>
      </form>`);
    const form = this.q('[data-testid="lock-form"]');
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.submit();
    });
    form.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter') return;
      if (ev.ctrlKey || ev.metaKey) {
        ev.preventDefault();
        void this.submit();
        return;
      }
      // a button does what it says; in a field, Enter goes on to the next empty field, or submits
      if (!(ev.target instanceof HTMLInputElement)) return;
      ev.preventDefault();
      this.enter(ev.target);
    });
    this.el.addEventListener('keydown', (ev) => {
      // Esc is "Để sau" on the set-up form (a login or lock screen cannot be put aside)
      if (ev.key === 'Escape' && this.mode === 'setup' && !this.el.hidden) {
        ev.preventDefault();
        ev.stopPropagation();
        this.later();
      }
    });
    for (const id of FIELDS) this.input(id).addEventListener('input', () => this.input(id).removeAttribute('aria-invalid'));
    // the screen covers the window: focus that wanders behind it (a screen loading late) comes back
    this.el.addEventListener('focusin', (ev) => (this.lastFocus = ev.target as HTMLElement));
    document.addEventListener('focusin', (ev) => {
      if (this.el.hidden || !this.el.isConnected || this.el.contains(ev.target as Node)) return;
      const back = this.lastFocus && this.el.contains(this.lastFocus) && !this.lastFocus.closest('[hidden]') ? this.lastFocus : this.shownFields()[0];
      back?.focus();
    });
    this.q('[data-testid="lock-switch"]').addEventListener('click', () => this.show('login'));
    this.q('[data-testid="lock-use-password"]').addEventListener('click', () => {
      this.usePassword = true;
      this.show('unlock');
    });
    this.q('[data-testid="lock-cancel"]').addEventListener('click', () => this.later());
    for (const ev of ['keydown', 'mousedown']) document.addEventListener(ev, () => this.resetIdle(), true);
  }

  private mode: Mode = 'login';
  private usePassword = false;
  private lastFocus: HTMLElement | undefined;

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  private input(id: string): HTMLInputElement {
    return this.q<HTMLInputElement>(`[data-testid="lock-${id}"]`);
  }

  /** The fields this mode shows, in order. */
  private shownFields(): HTMLInputElement[] {
    return FIELDS.filter((f) => !this.q(`[data-field="${f}"]`).hidden).map((f) => this.input(f));
  }

  /** The shown fields that must not be empty (the PIN of a new admin may be). */
  private missing(): Field[] {
    return FIELDS.filter((f) => !this.q(`[data-field="${f}"]`).hidden && !(this.mode === 'setup' && f === 'pin') && this.input(f).value === '');
  }

  /** The field's label as the form shows it. */
  private labelOf(f: Field): string {
    return (this.q(`[data-field="${f}"]`).firstChild?.textContent ?? f).trim();
  }

  /** Enter in a field: on to the next empty field after it; with none, submit (which names what is missing). */
  private enter(field: HTMLInputElement) {
    const shown = this.shownFields();
    const next = shown.slice(shown.indexOf(field) + 1).find((f) => f.value === '');
    if (next) next.focus();
    else void this.submit();
  }

  /** "Để sau": the set-up form closes for this time. */
  private later() {
    this.hide();
    this.onSession(null);
  }

  private showError(text: string) {
    const err = this.q('[data-testid="lock-error"]');
    err.textContent = text;
    err.hidden = false;
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

  /** Ctrl+L, or idle. With no account yet there is nothing to lock: says so and offers the first admin. */
  async lock() {
    if (!this.state.accounts_enabled) {
      // accounts may have been made since the window read the state (the CLI)
      try {
        this.state = await this.api.authState();
      } catch {
        /* as it was */
      }
    }
    if (!this.state.accounts_enabled) {
      if (this.el.hidden || this.mode !== 'setup') this.show('setup');
      const note = this.q('[data-testid="lock-note"]');
      note.textContent = NO_ACCOUNT_TO_LOCK;
      note.hidden = false;
      return;
    }
    if (!this.state.session) {
      // nobody logged in: the login screen (already up, unless the state was just read)
      if (this.el.hidden) this.show('login');
      return;
    }
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
    this.q('[data-testid="lock-pin-optional"]').hidden = mode !== 'setup';
    for (const id of FIELDS) {
      this.input(id).value = '';
      this.input(id).removeAttribute('aria-invalid');
    }
    this.q('[data-testid="lock-error"]').hidden = true;
    this.q('[data-testid="lock-note"]').hidden = true;
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
    for (const id of FIELDS) this.input(id).removeAttribute('aria-invalid');
    // every empty field at once, the first focused; the core is not asked with blanks
    const missing = this.missing();
    if (missing.length) {
      for (const f of missing) this.input(f).setAttribute('aria-invalid', 'true');
      this.input(missing[0]).focus();
      this.showError(`Chưa nhập: ${missing.map((f) => this.labelOf(f)).join(', ')}.`);
      return;
    }
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
      if (this.mode === 'setup') {
        // the new admin: only the field the core refused is marked and selected for retyping; what
        // was typed elsewhere (a good password beside a bad PIN) stays
        const named = FIELDS.find((f) => f === a.field);
        const bad = named && this.shownFields().includes(this.input(named)) ? this.input(named) : undefined;
        const target = bad ?? this.shownFields()[0];
        if (bad) bad.setAttribute('aria-invalid', 'true');
        target.focus();
        target.select();
        this.showError(a.message);
        return;
      }
      // a wrong secret is cleared for the next try (the name typed stays)
      for (const id of ['pin', 'password']) this.input(id).value = '';
      // the PIN no longer opens (three wrong PINs), or this clerk has none: the password field
      if (this.mode === 'unlock' && !this.usePassword && (a.reason === 'pin_locked' || a.reason === 'no_pin')) {
        this.usePassword = true;
        this.show('unlock');
      } else {
        this.input(this.mode === 'unlock' && !this.usePassword ? 'pin' : 'password').focus();
      }
      this.showError(a.message);
    }
  }
}

/** The header's "who" text for a session. */
export function whoText(counter: string, s: Session | null | undefined, fallbackClerk: string): string {
  return s ? `${counter} · ${s.clerk_name} (${ROLE_LABELS[s.role] ?? s.role})` : `${counter} · ${fallbackClerk}`;
}
