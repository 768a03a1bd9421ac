// The intake screen (tiếp nhận hồ sơ): pick a procedure by typing, fill the applicant by keyboard,
// tick the documents received, see fee and appointment, confirm with Enter. The request carries a
// request_id made once per form, so a double Enter or a retry creates one dossier. A procedure with
// cases (trường hợp) asks which one: its checklist, fee and time limit are the case's. When the
// dossier cannot be taken in, F10 gives a guidance slip (Mẫu 02, what is missing) and F11 a refusal
// slip (Mẫu 03, why): recorded under a slip number, without a dossier code, from the same request.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { ContactKind } from './bindings/ContactKind';
import type { ContactOutcome } from './bindings/ContactOutcome';
import type { ContactRequest } from './bindings/ContactRequest';
import type { DossierView } from './bindings/DossierView';
import type { IntakeRequest } from './bindings/IntakeRequest';
import type { ProcedureView } from './bindings/ProcedureView';
import type { IdType } from './bindings/IdType';
import type { Delivery } from './bindings/Delivery';
import type { Terms } from './bindings/Terms';
import {
  CONTACT_FIELDS, CONTACT_FORMS, CONTACT_KINDS, CONTACT_KIND_LABELS, DELIVERY_KINDS, DELIVERY_LABELS, DOCUMENT_FORM_LABELS, FORM_LABELS,
  GENDERS, GENDER_LABELS, ID_TYPES, ID_TYPE_LABELS, LIMITS,
} from './bindings/facts';
import { formatDateTime } from './format';
import { html, setHtml } from './html';
import { handleEnter } from './keyboard';
import { PrintActions, showPreview } from './printing';
import { CardPanel } from './intake-card';
import { ScanPanel } from './intake-scan';
import type { Gender } from './bindings/Gender';

/** The applicant's fields: name, label, input type, and the core's length limit (LIMITS key). */
const FIELDS: Record<string, [string, string, string, string]> = {
  name: ['applicant.full_name', 'Họ và tên người nộp', 'text', 'name'],
  id: ['applicant.id_number', 'Số giấy tờ', 'text', 'id_number'],
  dob: ['applicant.date_of_birth', 'Ngày sinh (ngày/tháng/năm)', 'text', 'date_input'],
  oldId: ['applicant.identity.old_id_number', 'Số CMND cũ', 'text', 'id_number'],
  issued: ['applicant.identity.id_issued_on', 'Ngày cấp', 'text', 'date_input'],
  phone: ['applicant.phone', 'Điện thoại', 'tel', 'phone'],
  address: ['applicant.address', 'Địa chỉ', 'text', 'address'],
  email: ['applicant.email', 'Email (không bắt buộc)', 'email', 'email'],
  subject: ['subject', 'Nội dung yêu cầu (khi hồ sơ về người khác)', 'text', 'subject'],
};

/** The person filing on the applicant's behalf (ủy quyền): sent only when filled. */
const REPRESENTATIVE_FIELDS: Array<[string, string, string, string]> = [
  ['representative.full_name', 'Người nộp thay (ủy quyền)', 'text', 'name'],
  ['representative.id_number', 'Số giấy tờ người nộp thay', 'text', 'id_number'],
  ['representative.relation', 'Quan hệ với người nộp', 'text', 'relation'],
  ['representative.authorisation', 'Giấy ủy quyền (số, ngày)', 'text', 'authorisation'],
];

const tid = (field: string) => field.replace('applicant.identity.', 'applicant-').replace('.', '-');

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

/**
 * How the form offers each contact: its function key (F7 toggles caret browsing in WebKitGTK, F8
 * opens the work lists), its button, and what its dialog asks besides the missing items (exhaustive:
 * a new kind in the core fails to compile here).
 */
export function contactTraits(kind: ContactKind): { key: string; testid: string; reason: string; reasonRequired: boolean; reasonMax: number; listsMissing: boolean; missingLabel: string; missingMax: number } {
  // what the dialog asks for is the core's (CONTACT_FIELDS); only the key and the test id are the screen's
  const fields = CONTACT_FIELDS[kind];
  const reason = fields.find((f) => f.name === 'reason');
  const missing = fields.find((f) => f.name === 'missing');
  const asked = {
    reason: reason?.label ?? '', reasonRequired: reason?.required ?? false, reasonMax: reason?.max ?? LIMITS.reason,
    listsMissing: missing !== undefined, missingLabel: missing?.label ?? '', missingMax: missing?.max ?? LIMITS.missing_list,
  };
  switch (kind) {
    case 'guidance':
      return { key: 'F10', testid: 'intake-guidance', ...asked };
    case 'refusal':
      return { key: 'F11', testid: 'intake-refuse', ...asked };
  }
}

/** The items of a list typed one per line (blank lines dropped). */
const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);

export function newRequestId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `r-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export class IntakeScreen {
  readonly el: HTMLElement;
  private procedure: ProcedureView | null = null;
  /** The case chosen (procedures with cases), else undefined. */
  private caseId: string | undefined;
  /** The fee the terms put in the box: replaced by the next terms unless the clerk typed another. */
  private feePrefill = '';
  /** The contact whose dialog is open, and where the focus was before it opened. */
  private contactKind: ContactKind | null = null;
  private returnFocus: HTMLElement | null = null;
  private options: ProcedureView[] = [];
  private active = 0;
  private requestId = newRequestId();
  private inFlight = false;
  private searchSeq = 0;
  /** The card: scans, what the core read, the address chosen, a returning citizen's details. */
  private readonly person: CardPanel;
  /** The papers digitised for each checklist item (Alt+S scans, Alt+T picks files, files dropped on a row). */
  private readonly papers: ScanPanel;
  /** Print buttons of the dossier just saved (Ctrl+P reprints its receipt). */
  printActions: PrintActions | null = null;

  constructor(private api: Api = defaultApi, private onSaved: (d: DossierView) => void = () => {}) {
    this.el = document.createElement('section');
    this.el.className = 'screen intake';
    this.person = new CardPanel({ el: this.el, api: this.api, checklist: () => (this.procedure ? this.termsOf(this.procedure, this.caseId)?.documents ?? [] : []) });
    this.papers = new ScanPanel({ el: this.el, api: this.api });
    setHtml(this.el, html`
      <div class="result" data-testid="result" hidden></div>
      <div class="result contact-result" data-testid="contact-result" hidden></div>
      <div class="banner error" data-testid="form-error" role="alert" hidden></div>
      <form novalidate autocomplete="off">
        <div class="col">
          <label class="field procedure">
            <span>Thủ tục hành chính</span>
            <input data-nav data-testid="procedure-input" name="procedure_code" maxlength="${LIMITS.search_query}" placeholder="Gõ vài chữ: khai sinh, chung thuc… hoặc mã 1.001193" />
            <ul class="options" data-testid="procedure-options" role="listbox" hidden></ul>
            <small class="error" data-testid="error-procedure_code" hidden></small>
          </label>
          <label class="field case-field" hidden><span>Trường hợp</span>
            <select data-nav data-testid="case" name="case_id"></select>
            <small class="error" data-testid="error-case_id" hidden></small></label>
          <div class="procedure-info" data-testid="procedure-info" hidden></div>
          <fieldset class="docs" hidden>
            <legend>Thành phần hồ sơ đã nhận</legend>
            <div class="doc-list"></div>
            <small class="error" data-testid="error-documents" hidden></small>
            <div class="scan-bar" data-testid="scan-bar"></div>
          </fieldset>
        </div>
        <div class="col applicant">
          <div class="card-bar" data-testid="card-bar">
            <span data-testid="card-status" class="muted">Quét mã QR trên thẻ căn cước để điền người nộp (máy quét, hoặc ảnh thẻ: Ctrl+V)</span>
            <label class="file-button">Ảnh thẻ…<input type="file" accept="image/png,image/jpeg" data-testid="card-image" hidden /></label>
          </div>
          <ul class="warnings card-warnings" data-testid="card-warnings" hidden></ul>
          <div class="returning" data-testid="returning" hidden></div>
          <div class="row">${applicantField(FIELDS.name)}
            <label class="field narrow gender"><span>Giới tính</span>
              <select data-nav data-testid="applicant-gender" name="applicant.identity.gender">
                <option value=""></option>${GENDERS.map((g) => html`<option value="${g}">${GENDER_LABELS[g]}</option>`)}
              </select></label></div>
          <div class="row">
            <label class="field narrow"><span>Loại giấy tờ</span>
              <select data-nav data-testid="applicant-id_type" name="applicant.id_type">
                ${ID_TYPES.map((k) => html`<option value="${k}">${ID_TYPE_LABELS[k]}</option>`)}
              </select></label>
            ${applicantField(FIELDS.id)}${applicantField(FIELDS.dob)}
          </div>
          <div class="row">${applicantField(FIELDS.oldId)}${applicantField(FIELDS.issued)}${applicantField(FIELDS.phone)}</div>
          ${applicantField(FIELDS.address)}
          <div class="address-map" data-testid="address-map" hidden></div>
          <div class="row">${applicantField(FIELDS.email)}${applicantField(FIELDS.subject)}</div>
          <div class="representative" data-testid="representative" hidden>
            <div class="row">${REPRESENTATIVE_FIELDS.slice(0, 2).map(applicantField)}</div>
            <div class="row">${REPRESENTATIVE_FIELDS.slice(2).map(applicantField)}</div>
          </div>
          <div class="row">
            <label class="field narrow"><span>Nhận kết quả</span>
              <select data-nav data-testid="delivery-kind" name="delivery.kind">
                ${DELIVERY_KINDS.map((k) => html`<option value="${k}">${DELIVERY_LABELS[k]}</option>`)}
              </select></label>
            <label class="field delivery-address" hidden><span>Địa chỉ nhận qua bưu chính</span>
              <input data-nav data-testid="delivery-address" name="delivery.address" maxlength="${LIMITS.address}" />
              <small class="error" data-testid="error-delivery.address" hidden></small></label>
            <label class="field narrow"><span>Lệ phí thu (đ)<b class="req" data-testid="fee-required" title="Bắt buộc" hidden> *</b></span>
              <input data-nav data-testid="fee" name="fee" inputmode="numeric" />
              <small class="muted" data-testid="fee-kind" hidden></small>
              <small class="error" data-testid="error-fee" hidden></small></label>
            <label class="field narrow fee-units" hidden><span data-testid="fee-units-label"></span>
              <input data-nav data-testid="fee-count" name="fee_units.count" inputmode="numeric" maxlength="5" />
              <small class="error" data-testid="error-fee_units.count" hidden></small></label>
            <label class="field narrow fee-copies" hidden><span>Số bản</span>
              <input data-nav data-testid="fee-copies" name="fee_units.copies" inputmode="numeric" maxlength="5" />
              <small class="error" data-testid="error-fee_units.copies" hidden></small></label>
          </div>
          <div class="form-actions">
            <button type="button" class="primary" data-testid="submit">Tiếp nhận <span class="key">(Enter)</span></button>
            <button type="button" data-testid="representative-toggle">Người nộp thay <span class="key">(Alt+U)</span></button>
            <button type="button" data-testid="new-citizen">Người mới <span class="key">(F2/Esc)</span></button>
            ${CONTACT_KINDS.map((k) => html`<button type="button" data-contact="${k}" data-testid="${contactTraits(k).testid}">${CONTACT_KIND_LABELS[k]} <span class="key">(${contactTraits(k).key})</span></button>`)}
          </div>
        </div>
      </form>
      <div class="contact-dialog" data-testid="contact-dialog" role="dialog" aria-modal="true" hidden></div>`);
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
    this.q<HTMLSelectElement>('[data-testid="case"]').addEventListener('change', () => void this.caseChanged());
    // guidance and refusal: their buttons, and their keys from anywhere in the screen
    this.el.querySelectorAll<HTMLElement>('[data-contact]').forEach((b) =>
      b.addEventListener('click', () => void this.openContact(b.dataset.contact as ContactKind)),
    );
    this.el.addEventListener('keydown', (ev) => {
      if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
      const kind = CONTACT_KINDS.find((k) => contactTraits(k).key === ev.key);
      if (!kind) return;
      ev.preventDefault();
      void this.openContact(kind);
    });
    const dialog = this.q('[data-testid="contact-dialog"]');
    dialog.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        ev.stopPropagation();
        this.closeContact(true);
      } else if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        void this.confirmContact();
      }
    });
    dialog.addEventListener('click', (ev) => {
      const id = (ev.target as HTMLElement).closest<HTMLElement>('button[data-testid]')?.dataset.testid;
      if (id === 'contact-confirm') void this.confirmContact();
      else if (id === 'contact-cancel') this.closeContact(true);
    });
    this.wireCard();
  }

  /** Scanners (keyboard wedge, pictures), the card's panels, and the keys of a new citizen. */
  private wireCard() {
    this.person.wire();
    this.papers.wire();
    this.q('[data-testid="new-citizen"]').addEventListener('click', () => this.newCitizen());
    // pages, copies or cases counted: the core computes the fee again
    for (const n of ['fee_units.count', 'fee_units.copies']) {
      const el = this.input(n);
      el.addEventListener('input', () => {
        el.value = el.value.replace(/\D/g, '');
        if (this.procedure) void this.preview(this.procedure, this.caseId);
      });
    }
    this.q('[data-testid="representative-toggle"]').addEventListener('click', () => this.toggleRepresentative());
    this.el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && !ev.defaultPrevented && this.q('[data-testid="procedure-options"]').hidden && !this.contactKind) {
        ev.preventDefault();
        this.newCitizen();
      } else if (ev.altKey && (ev.key === 'u' || ev.key === 'U')) {
        ev.preventDefault();
        this.toggleRepresentative();
      } else if (this.person.altKey(ev) || this.papers.altKey(ev)) {
        ev.preventDefault();
      }
    });
    // text typed while a checkbox has focus goes to the next field instead of being lost
    this.q('.doc-list').addEventListener('keydown', (ev) => {
      const k = ev as KeyboardEvent;
      if (k.key.length !== 1 || k.key === ' ' || k.ctrlKey || k.altKey || k.metaKey) return;
      const next = this.person.firstEmpty();
      if (!next) return;
      k.preventDefault();
      next.focus();
      next.value += k.key;
      next.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  /** A scan from any scanner (the serial one through the window): see `CardPanel.scanned`. */
  scanned(text: string) {
    return this.person.scanned(text);
  }

  private toggleRepresentative(show?: boolean) {
    const box = this.q('[data-testid="representative"]');
    box.hidden = show === undefined ? !box.hidden : !show;
    if (!box.hidden) this.q<HTMLInputElement>('[name="representative.full_name"]').focus();
  }

  /** A new citizen: everything cleared, the cursor on the procedure, in one key (F2 or Esc). */
  newCitizen() {
    if (this.contactKind) return;
    this.q('[data-testid="result"]').hidden = true;
    this.q('[data-testid="contact-result"]').hidden = true;
    this.q('[data-testid="form-error"]').hidden = true;
    this.clearErrors();
    this.reset();
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
    // a new intake starts: the previous citizen's result makes room
    this.q('[data-testid="result"]').hidden = true;
    this.q('[data-testid="contact-result"]').hidden = true;
    const proc = this.q('[data-testid="procedure-input"]');
    proc.value = `${p.code} — ${p.name}`;
    this.q('[data-testid="procedure-options"]').hidden = true;
    this.clearErrors();
    // a procedure with cases: the clerk chooses one on purpose (time limit, fee and checklist
    // differ); nothing is preselected, and there is no checklist nor appointment until then
    const cases = p.cases ?? [];
    const select = this.q<HTMLSelectElement>('[data-testid="case"]');
    setHtml(select, html`<option value="">— Chọn trường hợp —</option>${cases.map((c) => html`<option value="${c.id}">${c.name}</option>`)}`);
    this.q('.case-field').hidden = cases.length === 0;
    this.caseId = undefined;
    select.value = '';
    this.showTerms(p, cases.length === 0 ? this.termsOf(p, undefined) : undefined, true);
    this.focusAfterProcedure();
    if (cases.length === 0) await this.preview(p, undefined);
  }

  /** The terms of a case (of the procedure, when it has no cases), as the catalog search sent them. */
  private termsOf(p: ProcedureView, caseId: string | undefined): Terms | undefined {
    return p.terms.find((t) => t.case_id === caseId) ?? p.terms[0];
  }

  private async caseChanged() {
    const p = this.procedure;
    if (!p) return;
    this.caseId = this.q<HTMLSelectElement>('[data-testid="case"]').value || undefined;
    if (!this.caseId) {
      this.showTerms(p, undefined, true);
      return;
    }
    this.showTerms(p, this.termsOf(p, this.caseId), true);
    await this.preview(p, this.caseId);
  }

  /** The checklist, fee and time limit of the case: the checklist ticked afresh, the fee unless typed. */
  private showTerms(p: ProcedureView, t: Terms | undefined, fresh: boolean) {
    const docs = this.q('.docs');
    docs.hidden = !t;
    setHtml(this.q('.doc-list'), html`${(t?.documents ?? [])
      .map((d) => html`<div class="doc${d.identity && this.person.card ? ' from-card' : ''}" data-item="${d.id}"><label><input type="checkbox" data-nav data-testid="doc-${d.id}" value="${d.id}"${this.ticked(d) ? html` checked` : ''} />
        <span>${d.name}${d.mandatory ? html` <b class="req" title="Bắt buộc">*</b>` : ''}</span></label>
        <small>${DOCUMENT_FORM_LABELS[d.form]} × ${d.count}</small>
        <div class="doc-scan" data-testid="doc-pages-${d.id}" hidden></div></div>`)}`);
    void this.papers.checklistShown();
    if (t) this.showFee(t, fresh);
    this.showInfo(p, t, null);
  }

  /**
   * Whether a checklist item starts ticked: a mandatory paper (the clerk unticks what is missing),
   * never a conditional one (ticked only when the clerk sees it); the identity paper when the card
   * was read.
   */
  private ticked(d: { mandatory: boolean; identity?: boolean }): boolean {
    return d.identity ? !!this.person.card || d.mandatory : d.mandatory;
  }

  /** The procedure, fee, time limit (with its basis and source) and the appointment when known. */
  private showInfo(p: ProcedureView, t: Terms | undefined, dueAt: string | null) {
    const info = this.q('[data-testid="procedure-info"]');
    info.hidden = false;
    setHtml(info, html`<div><b>${p.name}</b> <span class="muted">(${p.field})</span></div>
      ${t?.case_name ? html`<div>Trường hợp: <span data-testid="preview-case">${t.case_name}</span></div>` : ''}
      <div>Lệ phí: <b data-testid="preview-fee">${t?.fee_label ?? '…'}</b>${t?.fee.note ? html` <span class="muted">${t.fee.note}</span>` : ''}</div>
      <div>Thời hạn giải quyết: <span data-testid="preview-time-limit">${t?.time_limit_label ?? p.time_limit_label}</span></div>
      ${t ? html`<small class="muted" data-testid="preview-basis">${t.basis_label}${t.time_limit_source ? `: ${t.time_limit_source}` : ''}</small>` : ''}
      <div>Hẹn trả nếu nhận bây giờ: <b data-testid="preview-due">${dueAt ? formatDateTime(dueAt) : '…'}</b></div>`);
  }

  /**
   * The fee box for the terms (exhaustive: a new fee kind in the core fails to compile here): an
   * amount is put in the box; exempt and not collected leave it empty with the core's label beside
   * it (a fee is sent only when typed); an unknown one must be typed.
   */
  private showFee(t: Terms, fresh: boolean) {
    // the core says what the box starts with and whether it must be typed; the label is its words
    const value = t.fee_prefill === undefined ? '' : String(t.fee_prefill);
    const required = t.fee_required;
    const hint: string | null = value === '' ? t.fee_label : null;
    const fee = this.input('fee');
    if (fresh || fee.value === this.feePrefill) fee.value = value;
    this.feePrefill = value;
    const kind = this.q('[data-testid="fee-kind"]');
    kind.textContent = hint ?? '';
    kind.hidden = hint === null;
    this.q('[data-testid="fee-required"]').hidden = !required;
    const units = this.q('.fee-units');
    units.hidden = !t.fee_units_label;
    this.q('[data-testid="fee-units-label"]').textContent = t.fee_units_label ?? '';
    this.q('.fee-copies').hidden = !t.fee_asks_copies;
    if (required) fee.setAttribute('aria-required', 'true');
    else fee.removeAttribute('aria-required');
  }

  /** Fee, time limit and appointment as the core computes them for the case, received now. */
  private async preview(p: ProcedureView, caseId: string | undefined) {
    try {
      const pv = await this.api.intakePreview(p.code, caseId ?? null, this.feeUnits());
      if (this.procedure !== p || this.caseId !== caseId) return; // another procedure or case since
      if (this.q('.docs').hidden) this.showTerms(p, pv.terms, true);
      else this.showFee(pv.terms, false);
      this.showInfo(p, pv.terms, pv.due_at);
    } catch (e) {
      this.showErrors(e as AppError);
    }
  }

  /** After the procedure: its case when it has cases, the checklist (Space unticks what is missing, Enter moves on), else the name. */
  private focusAfterProcedure() {
    const select = this.q<HTMLSelectElement>('[data-testid="case"]');
    const next = this.q('.case-field').hidden ? this.el.querySelector<HTMLElement>('.doc-list input') : select;
    (next ?? this.input('applicant.full_name')).focus();
  }

  /** The pages/copies (or cases) counted for a fee by the page or the case, as typed (the core checks them). */
  private feeUnits(): { count: number; copies?: number } | null {
    if (this.q('.fee-units').hidden) return null;
    const n = (name: string) => this.input(name).value.replace(/\D/g, '');
    const count = n('fee_units.count');
    if (!count) return null;
    const copies = this.q('.fee-copies').hidden ? '' : n('fee_units.copies');
    return { count: Number(count), ...(copies ? { copies: Number(copies) } : {}) };
  }

  /** The request the form describes now. */
  buildRequest(): IntakeRequest {
    const v = (n: string) => this.input(n)?.value ?? '';
    const email = v('applicant.email').trim();
    const fee = v('fee').replace(/\D/g, '');
    const docs = Array.from(this.el.querySelectorAll<HTMLInputElement>('.doc-list input[type=checkbox]'))
      .filter((c) => c.checked)
      .map((c) => c.value);
    // sent when any box is filled, as typed: the core names what is missing or wrong
    const rep = {
      full_name: v('representative.full_name'), id_number: v('representative.id_number'),
      relation: v('representative.relation'), authorisation: v('representative.authorisation'),
    };
    const gender = this.q<HTMLSelectElement>('[data-testid="applicant-gender"]').value as Gender | '';
    const repShown = !this.q('[data-testid="representative"]').hidden;
    const fromCard = this.person.requestPart(repShown);
    const identity = {
      ...(gender ? { gender } : {}),
      ...(v('applicant.identity.old_id_number').trim() ? { old_id_number: v('applicant.identity.old_id_number') } : {}),
      ...(v('applicant.identity.id_issued_on').trim() ? { id_issued_on: v('applicant.identity.id_issued_on') } : {}),
      ...fromCard.identity,
    };
    const units = this.feeUnits();
    // counted: the amount the core put in the box is not the clerk's (it may be an answer behind the
    // count); the count goes and the core computes the fee again; a fee the clerk typed wins
    const typedFee = units && fee === this.feePrefill ? '' : fee;
    const subject = v('subject').trim();
    return {
      procedure_code: this.procedure?.code ?? '',
      ...(this.procedure && this.caseId ? { case_id: this.caseId } : {}),
      applicant: {
        full_name: v('applicant.full_name'),
        id_type: this.q<HTMLSelectElement>('[data-testid="applicant-id_type"]').value as IdType,
        id_number: v('applicant.id_number'),
        // as typed: the core reads every way a clerk writes a date, and names a bad one
        date_of_birth: v('applicant.date_of_birth'),
        phone: v('applicant.phone'),
        address: v('applicant.address'),
        ...(email ? { email } : {}),
        ...(Object.keys(identity).length ? { identity } : {}),
      },
      // the section closed (Alt+U) means nobody files on the applicant's behalf: nothing of it is sent
      ...(repShown && Object.values(rep).some((x) => x.trim()) ? { representative: rep } : {}),
      ...(fromCard.card ? { card: fromCard.card } : {}),
      ...(fromCard.representative_card ? { representative_card: fromCard.representative_card } : {}),
      ...(subject ? { subject } : {}),
      ...(units && !typedFee ? { fee_units: units } : {}),
      documents: docs,
      delivery: deliveryOf(this.deliveryKind(), v('delivery.address')),
      ...(typedFee ? { fee: Number(typedFee) } : {}),
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
    this.q('[data-testid="contact-result"]').hidden = true;
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
    this.q('.case-field').hidden = true;
    this.q('[data-testid="case"]').replaceChildren();
    this.caseId = undefined;
    this.feePrefill = '';
    this.q('[data-testid="fee-kind"]').hidden = true;
    this.q('[data-testid="fee-required"]').hidden = true;
    this.input('fee').removeAttribute('aria-required');
    this.procedure = null;
    this.requestId = newRequestId();
    this.person.reset();
    void this.papers.reset();
    this.q<HTMLSelectElement>('[data-testid="applicant-gender"]').value = '';
    this.q('[data-testid="representative"]').hidden = true;
    this.q('.fee-units').hidden = true;
    this.q('.fee-copies').hidden = true;
    this.focusFirst();
  }

  clearErrors() {
    this.el.querySelectorAll<HTMLElement>('.error').forEach((e) => {
      e.hidden = true;
      e.textContent = '';
    });
    this.el.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  }

  /** The form's slot for the error's field and the control it is about, if the form has one. */
  private fieldOf(err: AppError): { slot: HTMLElement; target: HTMLElement | null } | null {
    const slot = err.field ? this.q('form').querySelector<HTMLElement>(`[data-testid="error-${err.field}"]`) : null;
    if (!slot) return null;
    const target =
      err.field === 'procedure_code'
        ? this.q('[data-testid="procedure-input"]')
        : err.field === 'documents'
          ? this.el.querySelector<HTMLElement>('.doc-list input')
          : this.q('form').querySelector<HTMLElement>(`[name="${err.field}"]`);
    slot.textContent = err.message;
    slot.hidden = false;
    target?.setAttribute('aria-invalid', 'true');
    return { slot, target };
  }

  showErrors(err: AppError) {
    // the core refused the form's request id: it already stands for another record (a slip given on
    // these papers); the next confirmation is a new request
    if (err.field === 'request_id') this.requestId = newRequestId();
    // every field's problem beside its field; the ones without a place in the form in the banner
    const all = err.errors?.length ? err.errors.map((e) => ({ ...err, field: e.field, message: e.message })) : [err];
    // a problem in the representative's section opens it, so it is seen
    if (all.some((e) => e.field?.startsWith('representative'))) this.q('[data-testid="representative"]').hidden = false;
    const unplaced: string[] = [];
    let first: HTMLElement | null = null;
    for (const e of all) {
      const at = this.fieldOf(e);
      if (at) first ??= at.target;
      else unplaced.push(e.message);
    }
    if (first) first.focus();
    if (unplaced.length) {
      const banner = this.q('[data-testid="form-error"]');
      banner.textContent = unplaced.join(' · ');
      banner.hidden = false;
    }
  }

  /**
   * Opens the guidance or refusal dialog for the form as it stands. Guidance lists the mandatory
   * items left unticked (the core's list, editable); when the core refuses the form itself (no
   * procedure, a bad ID number), that is shown beside its field and no dialog opens.
   */
  async openContact(kind: ContactKind) {
    if (this.inFlight || this.contactKind) return;
    this.clearErrors();
    const from = document.activeElement instanceof HTMLElement && this.el.contains(document.activeElement) ? document.activeElement : null;
    let missing: string[] = [];
    if (contactTraits(kind).listsMissing) {
      this.inFlight = true;
      try {
        missing = await this.api.intakeMissing(this.buildRequest());
      } catch (e) {
        this.showErrors(e as AppError);
        return;
      } finally {
        this.inFlight = false;
      }
    }
    this.returnFocus = from;
    this.contactKind = kind;
    const t = contactTraits(kind);
    const dialog = this.q('[data-testid="contact-dialog"]');
    setHtml(dialog, html`<div class="contact-box">
      <h3 data-testid="contact-title">${CONTACT_KIND_LABELS[kind]}</h3>
      <p class="muted">Không tiếp nhận, không cấp mã hồ sơ: ghi nhận và in ${FORM_LABELS[CONTACT_FORMS[kind]].toLowerCase()} cho người nộp.</p>
      <div class="banner error" data-testid="contact-error" role="alert" hidden></div>
      ${t.listsMissing ? html`<label class="field wide"><span>${t.missingLabel}</span>
        <textarea name="missing" data-testid="contact-missing" rows="6" maxlength="${t.missingMax}"></textarea>
        <small class="error" data-testid="contact-error-missing" hidden></small></label>` : ''}
      <label class="field wide"><span>${t.reason}${t.reasonRequired ? html`<b class="req" title="Bắt buộc"> *</b>` : ''}</span>
        <textarea name="reason" data-testid="contact-reason" rows="3" maxlength="${t.reasonMax}"${t.reasonRequired ? html` aria-required="true"` : ''}></textarea>
        <small class="error" data-testid="contact-error-reason" hidden></small></label>
      <div class="form-actions">
        <button type="button" class="primary" data-testid="contact-confirm">Ghi nhận và in phiếu <span class="key">(Ctrl+Enter)</span></button>
        <button type="button" data-testid="contact-cancel">Hủy <span class="key">(Esc)</span></button>
      </div></div>`);
    const list = dialog.querySelector<HTMLTextAreaElement>('[data-testid="contact-missing"]');
    if (list) list.value = missing.join('\n');
    dialog.hidden = false;
    dialog.querySelector<HTMLElement>('textarea')?.focus();
  }

  /** Closes the dialog; `refocus` returns to where the clerk was (a cancel), not after a contact. */
  closeContact(refocus: boolean) {
    const dialog = this.q('[data-testid="contact-dialog"]');
    dialog.hidden = true;
    dialog.replaceChildren();
    this.contactKind = null;
    if (refocus) (this.returnFocus?.isConnected ? this.returnFocus : this.q('[data-testid="procedure-input"]')).focus();
    this.returnFocus = null;
  }

  /** Records the contact of the open dialog and prints its slip; the form is then cleared for the next citizen. */
  async confirmContact(): Promise<ContactOutcome | null> {
    const kind = this.contactKind;
    if (!kind || this.inFlight) return null;
    const dialog = this.q('[data-testid="contact-dialog"]');
    dialog.querySelectorAll<HTMLElement>('.error').forEach((e) => {
      e.hidden = true;
      e.textContent = '';
    });
    dialog.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
    this.clearErrors();
    const text = (name: string) => dialog.querySelector<HTMLTextAreaElement>(`[name="${name}"]`)?.value ?? '';
    const reason = text('reason');
    const t = contactTraits(kind);
    const contact: ContactRequest = {
      kind,
      // the very request a confirmed intake would send
      request: this.buildRequest(),
      ...(t.listsMissing ? { missing: lines(text('missing')) } : {}),
      ...(t.reasonRequired || reason.trim() ? { reason } : {}),
    };
    this.inFlight = true;
    const btn = dialog.querySelector<HTMLButtonElement>('[data-testid="contact-confirm"]');
    if (btn) btn.disabled = true;
    try {
      const out = await this.api.intakeContact(contact);
      this.closeContact(false);
      this.showContactResult(out);
      this.reset();
      return out;
    } catch (e) {
      const err = e as AppError;
      if (err.field === 'request_id') this.requestId = newRequestId();
      this.showContactError(err);
      return null;
    } finally {
      this.inFlight = false;
      if (btn) btn.disabled = false;
    }
  }

  /** An error on the dialog's own fields is shown beside them; any other in the dialog (and beside its field in the form). */
  private showContactError(err: AppError) {
    const dialog = this.q('[data-testid="contact-dialog"]');
    const slot = err.field ? dialog.querySelector<HTMLElement>(`[data-testid="contact-error-${err.field}"]`) : null;
    if (slot) {
      slot.textContent = err.message;
      slot.hidden = false;
      const target = dialog.querySelector<HTMLElement>(`[name="${err.field}"]`);
      target?.setAttribute('aria-invalid', 'true');
      target?.focus();
      return;
    }
    const banner = dialog.querySelector<HTMLElement>('[data-testid="contact-error"]');
    if (banner) {
      banner.textContent = err.message;
      banner.hidden = false;
    }
    this.fieldOf(err);
  }

  /** The contact recorded: its status, its slip number, and what became of the slip the core printed. */
  private showContactResult(out: ContactOutcome) {
    this.q('[data-testid="result"]').hidden = true;
    const d = out.record;
    const r = this.q('[data-testid="contact-result"]');
    r.hidden = false;
    setHtml(r, html`<div><b data-testid="contact-status">${d.status_label}</b>: ${d.applicant.full_name} — ${d.procedure_name}</div>
      <div class="code">Số phiếu: <span data-testid="contact-number">${d.code}</span> <em>(không cấp mã hồ sơ)</em></div>
      ${d.warnings.length ? html`<ul class="warnings" data-testid="contact-warnings">${d.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}`);
    this.printActions = new PrintActions(d.code, this.api, (t) => showPreview(this.api, t), out.print.form);
    this.printActions.show(out.print);
    r.appendChild(this.printActions.el);
  }
}
