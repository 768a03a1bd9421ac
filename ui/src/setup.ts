// The first-run set-up (issue 17): a fresh counter opens here instead of the counter screens. One
// step at a time, keyboard-first: Enter goes to the next empty field and saves the step when none is
// left, Alt+← goes back a step, the list on the left shows what is done (the core says which steps
// there are, their names and which one comes next). Every step is checked by the core when it is
// saved, and kept, so a set-up closed midway resumes at the same step. Secrets (password, PIN, the
// enrolment code) stay in this page and go to the core once, at the end. While the counter waits for
// its enrolment (after a restart too) only the connection is left: log in as the admin, then enrol
// or choose offline numbering.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { SetupState } from './bindings/SetupState';
import type { SetupDraft } from './bindings/SetupDraft';
import type { SetupStep } from './bindings/SetupStep';
import type { UnitView } from './bindings/UnitView';
import type { PrinterInfo } from './bindings/PrinterInfo';
import { LIMITS } from './bindings/facts';
import { html, setHtml, type SafeHtml } from './html';

type Secrets = { password: string; password2: string; pin: string; code: string };

export class SetupScreen {
  readonly el: HTMLElement;
  private state!: SetupState;
  /** The step on screen (the core's next step, or an earlier one the clerk went back to). */
  private step: SetupStep = 'unit';
  private secrets: Secrets = { password: '', password2: '', pin: '', code: '' };
  private units: UnitView[] = [];
  private printers: PrinterInfo[] = [];
  private loggedIn = false;

  constructor(private api: Api = defaultApi, private done: () => void = () => location.reload()) {
    this.el = document.createElement('div');
    this.el.className = 'setup';
    this.el.dataset.testid = 'setup-screen';
    this.el.addEventListener('keydown', (ev) => this.key(ev));
    this.el.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.next();
    });
  }

  /** Reads where the set-up stands and draws it. */
  async load(state?: SetupState) {
    this.state = state ?? (await this.api.setupState());
    this.step = this.state.step;
    if (this.state.stage === 'enrolling') {
      const auth = await this.api.authState().catch(() => null);
      this.loggedIn = !!auth?.session && !auth.session.locked;
    }
    if (this.step === 'printer') await this.loadPrinters();
    this.draw();
    this.el.dataset.ready = '1';
  }

  private q<T extends HTMLElement = HTMLInputElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  private value(field: string): string {
    return this.el.querySelector<HTMLInputElement>(`[data-field="${field}"]`)?.value ?? '';
  }

  /** The secrets' fields are drawn empty and filled after (`restoreSecrets`): never in the markup. */
  private static SECRET = new Set(['password', 'password2', 'pin', 'code', 'login_password']);

  private field(name: string, label: string, value: string | number, opts: { type?: string; max?: number; hint?: string } = {}): SafeHtml {
    if (SetupScreen.SECRET.has(name)) value = '';
    return html`<label class="field"><span>${label}</span>
      <input data-field="${name}" data-testid="setup-${name}" type="${opts.type ?? 'text'}" value="${String(value)}" maxlength="${opts.max ?? LIMITS.agency_name}" autocomplete="off">
      ${opts.hint ? html`<small class="muted">${opts.hint}</small>` : ''}</label>`;
  }

  private body(): SafeHtml {
    const d = this.state.draft;
    const enrolling = this.state.stage === 'enrolling';
    switch (this.step) {
      case 'unit':
        return html`<p class="muted">Gõ tên phường, xã (không cần dấu), chọn bằng ↑ ↓ và Enter.</p>
          ${this.field('unit_query', 'Phường, xã', this.state.unit ? this.state.unit.name : '', { max: LIMITS.catalog_text })}
          <ol class="setup-units" data-testid="setup-units">${this.units.map(
            (u, i) => html`<li data-index="${i}" class="${i === 0 ? 'chosen' : ''}" data-testid="setup-unit-option">${u.name} — ${u.province_name} <span class="muted">(${u.code})</span></li>`,
          )}</ol>
          ${this.state.unit ? html`<p data-testid="setup-unit-chosen">Đã chọn: <strong>${this.state.unit.name}</strong>, ${this.state.unit.province_name}</p>` : ''}`;
      case 'centre':
        return html`${this.field('agency_name', 'Tên đơn vị (in trên biểu mẫu)', d.agency_name)}
          ${this.field('centre_name', 'Tên trung tâm / bộ phận tiếp nhận', d.centre_name)}
          ${this.field('parent_line', 'Cơ quan chủ quản (dòng đầu biểu mẫu)', d.parent_line)}
          ${this.field('place_name', 'Địa danh ghi ở dòng ngày tháng', d.place_name)}
          ${this.field('agency_code', 'Mã định danh đơn vị', d.agency_code, { max: 13, hint: 'Dạng 000.00.00.H26' })}
          ${this.field('address', 'Địa chỉ trụ sở', d.address, { max: LIMITS.address })}`;
      case 'counter':
        return html`${this.field('counter_id', 'Mã quầy', d.counter_id, { max: 16, hint: 'Ví dụ Q01; mỗi quầy một mã' })}
          ${this.field('counter_name', 'Tên quầy', d.counter_name)}`;
      case 'printer':
        return html`<label class="field"><span>Máy in của quầy</span>
            <select data-field="printer" data-testid="setup-printer">
              <option value="">Máy in mặc định của hệ thống</option>
              ${this.printers.map((p) => html`<option value="${p.name}" ${p.name === d.printer ? 'selected' : ''}>${p.name}${p.ready ? '' : ` (${p.state})`}</option>`)}
            </select></label>
          <p><button type="button" data-testid="setup-test-print">In trang thử <span class="key">(Alt+I)</span></button></p>
          <p class="muted" data-testid="setup-print-result" role="status"></p>`;
      case 'connection':
        return html`${enrolling ? html`<p data-testid="setup-enrolling">Đã ghi đơn vị, quầy và tài khoản quản trị. Còn kết nối với cổng: nhập mã đăng ký (hoặc dùng dải số khi chưa có mạng).</p>` : ''}
          ${enrolling && !this.loggedIn ? html`${this.field('login_id', 'Tên đăng nhập quản trị', d.admin_id, { max: LIMITS.code })}${this.field('login_password', 'Mật khẩu', '', { type: 'password', max: 128 })}` : ''}
          <fieldset class="setup-choice">${this.state.connections.map(
            ([k, label]) => html`<label><input type="radio" name="connection" data-testid="setup-connection-${k}" value="${k}" ${k === d.connection ? 'checked' : ''}> ${label}</label>`,
          )}</fieldset>
          <div data-testid="setup-portal" ${d.connection === 'portal' ? '' : 'hidden'}>
            ${this.field('portal_url', 'Địa chỉ cổng hoặc máy chủ của trung tâm', d.portal_url, { max: 300, hint: 'Ví dụ https://dichvucong.hanoi.gov.vn hoặc http://192.168.1.10:8080' })}
            ${this.field('code', 'Mã đăng ký một lần (do cổng cấp cho quầy này)', this.secrets.code, { max: 64 })}
            <p><button type="button" data-testid="setup-test-portal">Kiểm tra kết nối <span class="key">(Alt+K)</span></button></p>
            <p class="muted" data-testid="setup-portal-result" role="status"></p>
          </div>
          <div data-testid="setup-offline" ${d.connection === 'offline' ? '' : 'hidden'}>
            <div class="row">${this.field('block_first', 'Dải số mã hồ sơ: từ', d.block_first || '', { max: 4 })}${this.field('block_last', 'đến', d.block_last || '', { max: 4 })}</div>
            <p class="muted">Dải số do đơn vị phân cho quầy này (các quầy không trùng nhau).</p>
          </div>`;
      case 'admin':
        return html`${this.field('admin_id', 'Tên đăng nhập', d.admin_id, { max: LIMITS.code })}
          ${this.field('admin_name', 'Họ và tên', d.admin_name, { max: LIMITS.name })}
          ${this.field('password', 'Mật khẩu', this.secrets.password, { type: 'password', max: 128 })}
          ${this.field('password2', 'Nhập lại mật khẩu', this.secrets.password2, { type: 'password', max: 128 })}
          ${this.field('pin', 'Mã PIN (4–8 chữ số, để mở khóa nhanh)', this.secrets.pin, { type: 'password', max: 8 })}`;
    }
  }

  private submitLabel(): string {
    if (this.state.stage === 'enrolling') return this.state.draft.connection === 'offline' ? 'Dùng dải số này' : 'Đăng ký với cổng';
    return this.step === 'admin' ? 'Hoàn tất thiết lập' : 'Tiếp tục';
  }

  private draw() {
    const current = this.state.steps.find((s) => s.step === this.step);
    setHtml(this.el, html`<form class="setup-box" data-testid="setup-form" autocomplete="off">
      <h1>Thiết lập quầy lần đầu</h1>
      <div class="setup-cols">
        <ol class="setup-steps" data-testid="setup-steps">${this.state.steps.map(
          (s) => html`<li class="${s.step === this.step ? 'current' : s.done ? 'done' : ''}" data-step="${s.step}">${s.done ? '✓ ' : ''}${s.label}</li>`,
        )}</ol>
        <div class="setup-step" data-testid="setup-step-${this.step}">
          <h2 data-testid="setup-step-title">${current?.label ?? ''}</h2>
          ${this.body()}
          <p class="error" data-testid="setup-error" role="alert" hidden></p>
          <p><button type="submit" class="primary" data-testid="setup-next">${this.submitLabel()} <span class="key">(Enter)</span></button>
            ${this.canGoBack() ? html`<button type="button" data-testid="setup-back">Quay lại <span class="key">(Alt+←)</span></button>` : ''}</p>
        </div>
      </div></form>`);
    this.wire();
    this.restoreSecrets();
    const first = Array.from(this.el.querySelectorAll<HTMLInputElement>('.setup-step input:not([type=radio]), .setup-step select')).find((i) => i.value === '') ?? this.el.querySelector<HTMLElement>('.setup-step input, .setup-step select');
    first?.focus();
  }

  private restoreSecrets() {
    for (const k of ['password', 'password2', 'pin', 'code'] as const) {
      const el = this.el.querySelector<HTMLInputElement>(`[data-field="${k}"]`);
      if (el) el.value = this.secrets[k];
    }
  }

  private canGoBack() {
    return this.state.stage === 'draft' && this.step !== 'unit';
  }

  private wire() {
    this.el.querySelector('[data-testid="setup-back"]')?.addEventListener('click', () => this.back());
    this.el.querySelector('[data-testid="setup-test-print"]')?.addEventListener('click', () => void this.testPrint());
    this.el.querySelector('[data-testid="setup-test-portal"]')?.addEventListener('click', () => void this.testPortal());
    for (const r of this.el.querySelectorAll<HTMLInputElement>('input[name="connection"]')) {
      r.addEventListener('change', () => {
        this.keepTyped();
        this.state.draft.connection = r.value as SetupDraft['connection'];
        this.draw();
        this.el.querySelector<HTMLInputElement>(`input[name="connection"][value="${r.value}"]`)?.focus();
      });
    }
    const query = this.el.querySelector<HTMLInputElement>('[data-field="unit_query"]');
    let seq = 0;
    query?.addEventListener('input', async () => {
      const mine = ++seq;
      const found = query.value.trim() ? await this.api.unitsSearch(query.value).catch(() => []) : [];
      if (mine !== seq) return;
      this.units = found;
      this.redrawUnits();
    });
    for (const i of this.el.querySelectorAll('input')) i.addEventListener('input', () => i.removeAttribute('aria-invalid'));
  }

  private redrawUnits() {
    const list = this.q<HTMLElement>('[data-testid="setup-units"]');
    setHtml(list, html`${this.units.map((u, i) => html`<li data-index="${i}" class="${i === 0 ? 'chosen' : ''}" data-testid="setup-unit-option">${u.name} — ${u.province_name} <span class="muted">(${u.code})</span></li>`)}`);
    for (const li of list.querySelectorAll<HTMLElement>('li')) li.addEventListener('click', () => void this.chooseUnit(Number(li.dataset.index)));
  }

  private moveUnit(by: number) {
    const items = Array.from(this.el.querySelectorAll<HTMLElement>('[data-testid="setup-unit-option"]'));
    if (!items.length) return;
    const at = items.findIndex((li) => li.classList.contains('chosen'));
    const next = Math.max(0, Math.min(items.length - 1, at + by));
    items.forEach((li, i) => li.classList.toggle('chosen', i === next));
    items[next].scrollIntoView?.({ block: 'nearest' });
  }

  private async chooseUnit(index: number) {
    const u = this.units[index];
    if (!u) return;
    await this.save('unit', { ...this.state.draft, unit_code: u.code });
  }

  private key(ev: KeyboardEvent) {
    if (ev.altKey && ev.key === 'ArrowLeft' && this.canGoBack()) {
      ev.preventDefault();
      this.back();
    } else if (ev.altKey && (ev.key === 'i' || ev.key === 'I') && this.step === 'printer') {
      ev.preventDefault();
      void this.testPrint();
    } else if (ev.altKey && (ev.key === 'k' || ev.key === 'K') && this.step === 'connection') {
      ev.preventDefault();
      void this.testPortal();
    } else if (this.step === 'unit' && (ev.key === 'ArrowDown' || ev.key === 'ArrowUp')) {
      ev.preventDefault();
      this.moveUnit(ev.key === 'ArrowDown' ? 1 : -1);
    } else if (ev.key === 'Enter' && ev.target instanceof HTMLSelectElement) {
      ev.preventDefault();
      void this.next();
    } else if (ev.key === 'Enter' && ev.target instanceof HTMLInputElement && ev.target.type !== 'radio' && !ev.ctrlKey) {
      // on to the next empty field; with none left, the step is saved
      ev.preventDefault();
      const fields = Array.from(this.el.querySelectorAll<HTMLInputElement>('.setup-step input:not([type=radio])')).filter((i) => !i.closest('[hidden]'));
      const next = fields.slice(fields.indexOf(ev.target) + 1).find((i) => i.value === '');
      if (next && this.step !== 'unit') next.focus();
      else void this.next();
    }
  }

  private back() {
    this.keepTyped();
    const order = this.state.steps.map((s) => s.step);
    this.step = order[Math.max(0, order.indexOf(this.step) - 1)];
    void (this.step === 'printer' ? this.loadPrinters() : Promise.resolve()).then(() => this.draw());
  }

  /** What was typed on this step, kept in the draft on screen (and the secrets in memory). */
  private keepTyped() {
    const d = this.state.draft;
    const text = (k: keyof SetupDraft) => {
      const el = this.el.querySelector<HTMLInputElement>(`[data-field="${k}"]`);
      if (el) (d as Record<string, unknown>)[k] = el.value;
    };
    for (const k of ['agency_name', 'centre_name', 'parent_line', 'place_name', 'agency_code', 'address', 'counter_id', 'counter_name', 'printer', 'portal_url', 'admin_id', 'admin_name'] as const) text(k);
    for (const k of ['block_first', 'block_last'] as const) {
      const el = this.el.querySelector<HTMLInputElement>(`[data-field="${k}"]`);
      // a whole number from 1 to 9999 or nothing (0, which the core refuses with its words)
      if (el) d[k] = /^\d{1,4}$/.test(el.value.trim()) ? Number(el.value.trim()) : 0;
    }
    for (const k of ['password', 'password2', 'pin', 'code'] as const) {
      const el = this.el.querySelector<HTMLInputElement>(`[data-field="${k}"]`);
      if (el) this.secrets[k] = el.value;
    }
  }

  private async loadPrinters() {
    this.printers = await this.api.printersList().catch(() => []);
  }

  private async testPrint() {
    const out = this.q<HTMLElement>('[data-testid="setup-print-result"]');
    out.textContent = 'Đang gửi trang in thử…';
    try {
      const t = await this.api.setupTestPrint(this.value('printer'));
      out.textContent = `Đã gửi trang in thử tới máy in ${t.printer} (lệnh in ${t.job_id}). Kiểm tra trang in rồi tiếp tục.`;
    } catch (e) {
      out.textContent = (e as AppError).message;
    }
  }

  private async testPortal() {
    const out = this.q<HTMLElement>('[data-testid="setup-portal-result"]');
    out.textContent = 'Đang kiểm tra…';
    try {
      const id = await this.api.setupTestPortal(this.value('portal_url'));
      out.textContent = `Cổng trả lời (mã cổng ${id}).`;
      out.dataset.ok = '1';
    } catch (e) {
      out.textContent = (e as AppError).message;
      out.dataset.ok = '0';
    }
  }

  private showError(e: AppError) {
    const err = this.q<HTMLElement>('[data-testid="setup-error"]');
    const fields = e.errors?.length ? e.errors : [{ field: e.field, message: e.message }];
    err.textContent = fields.map((f) => f.message).join('; ');
    err.hidden = false;
    let first: HTMLElement | null = null;
    for (const f of fields) {
      const names = f.field === 'block' ? ['block_first', 'block_last'] : f.field ? [f.field] : [];
      for (const n of names) {
        const el = this.el.querySelector<HTMLElement>(`[data-field="${n}"]`);
        el?.setAttribute('aria-invalid', 'true');
        first ??= el;
      }
    }
    (first ?? this.q<HTMLElement>('[data-testid="setup-next"]')).focus();
  }

  private async save(step: SetupStep, draft: SetupDraft) {
    try {
      const st = await this.api.setupSave(step, draft);
      this.state = st;
      this.step = st.step;
      this.units = [];
      if (this.step === 'printer') await this.loadPrinters();
      this.draw();
    } catch (e) {
      this.showError(e as AppError);
    }
  }

  private busy = false;

  /** Saves the step on screen (or, at the end, finishes; while enrolling, enrols). One at a time: a
   * second Enter while the portal answers does nothing. */
  private async next() {
    if (this.busy) return;
    this.busy = true;
    const button = this.el.querySelector<HTMLButtonElement>('[data-testid="setup-next"]');
    if (button) button.disabled = true;
    try {
      await this.nextStep();
    } finally {
      this.busy = false;
      const b = this.el.querySelector<HTMLButtonElement>('[data-testid="setup-next"]');
      if (b) b.disabled = false;
    }
  }

  private async nextStep() {
    this.keepTyped();
    const d = this.state.draft;
    try {
      if (this.state.stage === 'enrolling') return await this.enrol();
      if (this.step === 'unit') {
        const chosen = this.el.querySelector<HTMLElement>('[data-testid="setup-unit-option"].chosen');
        if (chosen) return await this.chooseUnit(Number(chosen.dataset.index));
        if (this.state.unit) return await this.save('unit', d);
        return this.showError({ code: 'validation', reason: 'invalid', message: 'Gõ tên phường, xã rồi chọn trong danh sách', field: 'unit_query' } as AppError);
      }
      if (this.step !== 'admin') return await this.save(this.step, d);
      if (this.secrets.password !== this.secrets.password2) {
        return this.showError({ code: 'validation', reason: 'invalid', message: 'Hai lần nhập mật khẩu không giống nhau', field: 'password2' } as AppError);
      }
      // the admin's names are checked and kept first; the secrets go only with the finish
      const st = await this.api.setupSave('admin', d);
      this.state = st;
      const code = d.connection === 'portal' ? this.secrets.code : null;
      const after = await this.api.setupFinish(this.secrets.password, this.secrets.pin, code);
      this.finished(after);
    } catch (e) {
      const a = e as AppError;
      // the finish wrote everything but the enrolment failed: the connection is what is left
      const now = await this.api.setupState().catch(() => this.state);
      if (now.stage !== this.state.stage) {
        this.state = now;
        this.step = now.step;
        this.loggedIn = true;
        this.draw();
      }
      this.showError(a);
    }
  }

  private async enrol() {
    const d = this.state.draft;
    if (!this.loggedIn) {
      await this.api.authLogin(this.value('login_id'), this.value('login_password'));
      this.loggedIn = true;
    }
    const st = d.connection === 'offline' ? await this.api.setupOffline(d.block_first, d.block_last) : await this.api.setupEnrol(this.secrets.code, this.value('portal_url'));
    this.finished(st);
  }

  private finished(st: SetupState) {
    this.state = st;
    if (st.stage === 'done') {
      this.secrets = { password: '', password2: '', pin: '', code: '' };
      this.el.dataset.done = '1';
      this.done();
      return;
    }
    this.step = st.step;
    this.loggedIn = true;
    this.draw();
  }
}
