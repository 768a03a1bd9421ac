// The intake screen (tiếp nhận hồ sơ): pick a procedure by typing, fill the applicant by keyboard,
// tick the documents received, see fee and appointment, confirm with Enter. The request carries a
// request_id made once per form, so a double Enter or a retry creates one dossier.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { DossierView } from './bindings/DossierView';
import type { IntakeRequest } from './bindings/IntakeRequest';
import type { ProcedureView } from './bindings/ProcedureView';
import type { IdType } from './bindings/IdType';
import type { Delivery } from './bindings/Delivery';
import { DELIVERY_KINDS, DELIVERY_LABELS, DOCUMENT_FORM_LABELS, ID_TYPES, ID_TYPE_LABELS, LIMITS } from './bindings/facts';
import { formatDateTime, formatMoney } from './format';
import { html, setHtml } from './html';
import { handleEnter } from './keyboard';
import { PrintActions, showPreview } from './printing';

/** The applicant's fields: name, label, input type, and the core's length limit (LIMITS key). */
const FIELDS: Array<[string, string, string, string]> = [
  ['applicant.full_name', 'Họ và tên người nộp', 'text', 'name'],
  ['applicant.id_number', 'Số giấy tờ', 'text', 'id_number'],
  ['applicant.date_of_birth', 'Ngày sinh (ngày/tháng/năm)', 'text', 'date_input'],
  ['applicant.phone', 'Điện thoại', 'tel', 'phone'],
  ['applicant.address', 'Địa chỉ', 'text', 'address'],
  ['applicant.email', 'Email (không bắt buộc)', 'email', 'email'],
];

const tid = (field: string) => field.replace('applicant.', 'applicant-');

function applicantField([f, l, t, limit]: [string, string, string, string]) {
  return html`<label class="field"><span>${l}</span>
    <input data-nav data-testid="${tid(f)}" name="${f}" type="${t}" maxlength="${LIMITS[limit]}" />
    <small class="error" data-testid="error-${f}" hidden></small></label>`;
}

/** The delivery a kind picked in the form means (exhaustive: a new kind in the core fails to compile here). */
export function deliveryOf(kind: Delivery['kind'], address: string): Delivery {
  switch (kind) {
    case 'counter':
      return { kind };
    case 'post':
      return { kind, address };
  }
}

export function newRequestId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `r-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export class IntakeScreen {
  readonly el: HTMLElement;
  private procedure: ProcedureView | null = null;
  private options: ProcedureView[] = [];
  private active = 0;
  private requestId = newRequestId();
  private inFlight = false;
  private searchSeq = 0;
  /** Print buttons of the dossier just saved (Ctrl+P reprints its receipt). */
  printActions: PrintActions | null = null;

  constructor(private api: Api = defaultApi, private onSaved: (d: DossierView) => void = () => {}) {
    this.el = document.createElement('section');
    this.el.className = 'screen intake';
    setHtml(this.el, html`
      <div class="result" data-testid="result" hidden></div>
      <div class="banner error" data-testid="form-error" role="alert" hidden></div>
      <form novalidate autocomplete="off">
        <div class="col">
          <label class="field procedure">
            <span>Thủ tục hành chính</span>
            <input data-nav data-testid="procedure-input" name="procedure_code" maxlength="${LIMITS.search_query}" placeholder="Gõ vài chữ: khai sinh, chung thuc… hoặc mã 1.001193" />
            <ul class="options" data-testid="procedure-options" role="listbox" hidden></ul>
            <small class="error" data-testid="error-procedure_code" hidden></small>
          </label>
          <div class="procedure-info" data-testid="procedure-info" hidden></div>
          <fieldset class="docs" hidden>
            <legend>Thành phần hồ sơ đã nhận</legend>
            <div class="doc-list"></div>
            <small class="error" data-testid="error-documents" hidden></small>
          </fieldset>
        </div>
        <div class="col">
          ${applicantField(FIELDS[0])}
          <div class="row">
            <label class="field narrow"><span>Loại giấy tờ</span>
              <select data-nav data-testid="applicant-id_type" name="applicant.id_type">
                ${ID_TYPES.map((k) => html`<option value="${k}">${ID_TYPE_LABELS[k]}</option>`)}
              </select></label>
            ${FIELDS.slice(1, 3).map(applicantField)}
          </div>
          ${FIELDS.slice(3).map(applicantField)}
          <div class="row">
            <label class="field narrow"><span>Nhận kết quả</span>
              <select data-nav data-testid="delivery-kind" name="delivery.kind">
                ${DELIVERY_KINDS.map((k) => html`<option value="${k}">${DELIVERY_LABELS[k]}</option>`)}
              </select></label>
            <label class="field delivery-address" hidden><span>Địa chỉ nhận qua bưu chính</span>
              <input data-nav data-testid="delivery-address" name="delivery.address" maxlength="${LIMITS.address}" />
              <small class="error" data-testid="error-delivery.address" hidden></small></label>
            <label class="field narrow"><span>Lệ phí thu (đ)</span>
              <input data-nav data-testid="fee" name="fee" inputmode="numeric" />
              <small class="error" data-testid="error-fee" hidden></small></label>
          </div>
          <button type="button" class="primary" data-testid="submit">Tiếp nhận <span class="key">(Enter)</span></button>
        </div>
      </form>`);
    this.wire();
  }

  private q<T extends HTMLElement = HTMLInputElement>(sel: string): T {
    return this.el.querySelector(sel) as T;
  }

  private input(name: string): HTMLInputElement {
    return this.q(`[name="${name}"]`);
  }

  focusFirst() {
    this.q('[data-testid="procedure-input"]').focus();
  }

  private wire() {
    const form = this.q<HTMLFormElement>('form');
    const proc = this.q('[data-testid="procedure-input"]');
    proc.addEventListener('input', () => {
      this.procedure = null;
      void this.lookup(proc.value);
    });
    proc.addEventListener('keydown', (ev) => this.procedureKey(ev));
    proc.addEventListener('focus', () => proc.select());
    form.addEventListener('keydown', (ev) => {
      if (ev.target === proc && !(ev.ctrlKey || ev.metaKey)) return;
      handleEnter(form, ev, () => void this.submit());
    });
    form.addEventListener('submit', (ev) => ev.preventDefault());
    this.q('[data-testid="submit"]').addEventListener('click', () => void this.submit());
    const fee = this.input('fee');
    fee.addEventListener('input', () => {
      const digits = fee.value.replace(/\D/g, '');
      if (digits !== fee.value) fee.value = digits;
    });
    this.q<HTMLSelectElement>('[data-testid="delivery-kind"]').addEventListener('change', () => this.deliveryChanged());
  }

  private deliveryKind(): Delivery['kind'] {
    return this.q<HTMLSelectElement>('[data-testid="delivery-kind"]').value as Delivery['kind'];
  }

  /** The address box is shown for a delivery that has an address. */
  private deliveryChanged() {
    this.q('.delivery-address').hidden = !('address' in deliveryOf(this.deliveryKind(), ''));
  }

  private async lookup(text: string, listAll = false) {
    const seq = ++this.searchSeq;
    const list = this.q<HTMLUListElement>('[data-testid="procedure-options"]');
    if (!text.trim() && !listAll) {
      list.hidden = true;
      this.options = [];
      return;
    }
    try {
      const found = await this.api.catalogSearch(text);
      if (seq !== this.searchSeq) return; // a newer keystroke won
      this.options = found;
      this.active = 0;
      this.renderOptions();
    } catch (e) {
      this.showErrors(e as AppError);
    }
  }

  private renderOptions() {
    const list = this.q<HTMLUListElement>('[data-testid="procedure-options"]');
    if (this.options.length === 0) {
      setHtml(list, html`<li class="empty">Không có thủ tục phù hợp</li>`);
    } else {
      setHtml(list, html`${this.options
        .map((p, i) => html`<li data-testid="procedure-option" role="option" data-i="${i}" class="${i === this.active ? 'active' : ''}" aria-selected="${String(i === this.active)}">
          <code>${p.code}</code> ${p.name}</li>`)}`);
      list.querySelectorAll('li[data-i]').forEach((li) =>
        li.addEventListener('mousedown', (ev) => {
          ev.preventDefault();
          void this.pick(this.options[Number((li as HTMLElement).dataset.i)]);
        }),
      );
    }
    list.hidden = false;
  }

  private procedureKey(ev: KeyboardEvent) {
    const list = this.q<HTMLUListElement>('[data-testid="procedure-options"]');
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (list.hidden && !this.procedure) {
        // the list is closed: open it (an empty box lists the whole catalog)
        ev.preventDefault();
        void this.lookup((ev.target as HTMLInputElement).value, true);
        return;
      }
      if (this.options.length === 0) return;
      ev.preventDefault();
      const n = this.options.length;
      this.active = (this.active + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.renderOptions();
    } else if (ev.key === 'Escape') {
      if (!list.hidden) ev.stopPropagation();
      list.hidden = true;
    } else if (ev.key === 'Enter' && !(ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      if (!list.hidden && this.options[this.active]) void this.pick(this.options[this.active]);
      else if (this.procedure) this.focusAfterProcedure();
    }
  }

  async pick(p: ProcedureView) {
    this.procedure = p;
    const proc = this.q('[data-testid="procedure-input"]');
    proc.value = `${p.code} — ${p.name}`;
    this.q('[data-testid="procedure-options"]').hidden = true;
    this.clearErrors();
    this.input('fee').value = String(p.fee.amount);
    const docs = this.q('.docs');
    docs.hidden = false;
    setHtml(this.q('.doc-list'), html`${p.documents
      .map((d) => html`<label class="doc"><input type="checkbox" data-nav data-testid="doc-${d.id}" value="${d.id}" checked />
        <span>${d.name}${d.mandatory ? html` <b class="req" title="Bắt buộc">*</b>` : ''}</span>
        <small>${DOCUMENT_FORM_LABELS[d.form]} × ${d.count}</small></label>`)}`);
    const info = this.q('[data-testid="procedure-info"]');
    info.hidden = false;
    setHtml(info, html`<div><b>${p.name}</b> <span class="muted">(${p.field})</span></div>
      <div>Lệ phí: <b data-testid="preview-fee">${formatMoney(p.fee.amount)}</b>${p.fee.note ? html` <span class="muted">${p.fee.note}</span>` : ''}</div>
      <div>Thời hạn giải quyết: <span data-testid="preview-time-limit">${p.time_limit_label}</span></div>
      <div>Hẹn trả nếu nhận bây giờ: <b data-testid="preview-due">…</b></div>`);
    this.focusAfterProcedure();
    try {
      const pv = await this.api.intakePreview(p.code);
      if (this.procedure === p) {
        this.q('[data-testid="preview-due"]').textContent = formatDateTime(pv.due_at);
        this.q('[data-testid="preview-time-limit"]').textContent = pv.time_limit_label;
        const fee = this.input('fee');
        if (fee.value === String(p.fee.amount)) fee.value = String(pv.fee);
        this.q('[data-testid="preview-fee"]').textContent = formatMoney(pv.fee);
      }
    } catch (e) {
      this.showErrors(e as AppError);
    }
  }

  /** After the procedure: the checklist (Space unticks what is missing, Enter moves on), else the name. */
  private focusAfterProcedure() {
    (this.el.querySelector<HTMLElement>('.doc-list input') ?? this.input('applicant.full_name')).focus();
  }

  /** The request the form describes now. */
  buildRequest(): IntakeRequest {
    const v = (n: string) => this.input(n)?.value ?? '';
    const email = v('applicant.email').trim();
    const fee = v('fee').replace(/\D/g, '');
    const docs = Array.from(this.el.querySelectorAll<HTMLInputElement>('.doc-list input[type=checkbox]'))
      .filter((c) => c.checked)
      .map((c) => c.value);
    return {
      procedure_code: this.procedure?.code ?? '',
      applicant: {
        full_name: v('applicant.full_name'),
        id_type: this.q<HTMLSelectElement>('[data-testid="applicant-id_type"]').value as IdType,
        id_number: v('applicant.id_number'),
        // as typed: the core reads every way a clerk writes a date, and names a bad one
        date_of_birth: v('applicant.date_of_birth'),
        phone: v('applicant.phone'),
        address: v('applicant.address'),
        ...(email ? { email } : {}),
      },
      documents: docs,
      delivery: deliveryOf(this.deliveryKind(), v('delivery.address')),
      ...(fee ? { fee: Number(fee) } : {}),
      request_id: this.requestId,
    };
  }

  async submit(): Promise<DossierView | null> {
    if (this.inFlight) return null;
    this.clearErrors();
    // no procedure picked goes as an empty code: the core says so, naming the field
    this.inFlight = true;
    const btn = this.q<HTMLButtonElement>('[data-testid="submit"]');
    btn.disabled = true;
    try {
      const d = await this.api.intakeSubmit(this.buildRequest());
      this.showResult(d);
      this.reset();
      this.onSaved(d);
      void this.printAfterSave();
      return d;
    } catch (e) {
      this.showErrors(e as AppError);
      return null;
    } finally {
      this.inFlight = false;
      btn.disabled = false;
    }
  }

  private showResult(d: DossierView) {
    const r = this.q('[data-testid="result"]');
    r.hidden = false;
    setHtml(r, html`<div>Đã tiếp nhận hồ sơ của <b>${d.applicant.full_name}</b> — ${d.procedure_name}</div>
      <div class="code">Mã hồ sơ: <span data-testid="result-code">${d.code}</span>${d.provisional ? html` <em>(mã tạm, sẽ được cấp mã chính thức khi đồng bộ)</em>` : ''}</div>
      <div>Hẹn trả kết quả: <b data-testid="result-due" data-value="${d.due_at}">${formatDateTime(d.due_at)}</b></div>`);
    this.printActions = new PrintActions(d.code, this.api, (t) => showPreview(this.api, t));
    r.appendChild(this.printActions.el);
  }

  /** The dossier is saved; print its receipt if the counter prints on intake. Never throws. */
  private async printAfterSave() {
    const actions = this.printActions;
    if (!actions) return;
    try {
      const s = await this.api.settingsGet();
      if (s.print_on_intake) await actions.print('receipt');
    } catch {
      // settings unreadable: the clerk can still press Ctrl+P
    }
  }

  reset() {
    this.el.querySelectorAll<HTMLInputElement>('form input').forEach((i) => (i.value = ''));
    this.q<HTMLSelectElement>('[data-testid="applicant-id_type"]').value = ID_TYPES[0];
    this.q<HTMLSelectElement>('[data-testid="delivery-kind"]').value = DELIVERY_KINDS[0];
    this.deliveryChanged();
    this.q('.docs').hidden = true;
    this.q('.doc-list').replaceChildren();
    this.q('[data-testid="procedure-info"]').hidden = true;
    this.procedure = null;
    this.requestId = newRequestId();
    this.focusFirst();
  }

  clearErrors() {
    this.el.querySelectorAll<HTMLElement>('.error').forEach((e) => {
      e.hidden = true;
      e.textContent = '';
    });
    this.el.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  }

  showErrors(err: AppError) {
    const slot = err.field ? this.el.querySelector<HTMLElement>(`[data-testid="error-${err.field}"]`) : null;
    if (slot) {
      slot.textContent = err.message;
      slot.hidden = false;
      const target =
        err.field === 'procedure_code'
          ? this.q('[data-testid="procedure-input"]')
          : err.field === 'documents'
            ? this.el.querySelector<HTMLElement>('.doc-list input')
            : this.el.querySelector<HTMLElement>(`[name="${err.field}"]`);
      target?.setAttribute('aria-invalid', 'true');
      target?.focus();
    } else {
      const banner = this.q('[data-testid="form-error"]');
      banner.textContent = err.message;
      banner.hidden = false;
    }
  }
}
