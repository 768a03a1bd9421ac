// The return desk (F6): scan or type a code, see the dossier and who may collect it, record the
// collector (the applicant or an authorised person) or the postal tracking number; the dossier
// closes, classified early / on time / late. Nothing is printed unless asked.
// The collector's ID number starts empty: the clerk scans the card (`fillFromCard`) or types the
// number from the paper shown, with the applicant's beside it to compare; whether it will do is the
// core's decision, not this screen's.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { Delivery } from './bindings/Delivery';
import type { DossierView } from './bindings/DossierView';
import type { ReturnTo } from './bindings/ReturnTo';
import { ID_TYPE_LABELS, LIMITS, RETURN_TO_KINDS, RETURN_TO_LABELS, TIMELINESS_LABELS } from './bindings/facts';
import { deliveryText, formatDateTime } from './format';
import { html, setHtml } from './html';

/** What a card reader gives: the holder's name and ID number, as read. */
export interface CardRead {
  full_name: string;
  id_number: string;
}

/**
 * What the form asks for each way of returning: the collector's name (prefilled with the
 * applicant's when `self`) and ID number (never prefilled), or else the tracking number. Exhaustive: a new kind in the core fails to
 * compile here.
 */
function formFor(kind: ReturnTo['kind']): { person: boolean; self: boolean } {
  switch (kind) {
    case 'applicant':
      return { person: true, self: true };
    case 'authorised':
      return { person: true, self: false };
    case 'post':
      return { person: false, self: false };
  }
}

/** The way of returning first offered for how the applicant asked to get the result (exhaustive). */
function returnFor(d: Delivery): ReturnTo['kind'] {
  switch (d.kind) {
    case 'counter':
      return 'applicant';
    case 'post':
      return 'post';
  }
}

export class ReturnScreen {
  readonly el: HTMLElement;
  private dossier: DossierView | null = null;

  constructor(private api: Api = defaultApi, private onDone: () => void = () => {}) {
    this.el = document.createElement('section');
    this.el.className = 'screen returns';
    setHtml(this.el, html`
      <h2>Trả kết quả</h2>
      <label class="field"><span>Quét mã vạch hoặc gõ mã hồ sơ rồi Enter</span><input data-testid="return-scan" autocomplete="off" maxlength="${LIMITS.code}"></label>
      <div class="banner error" data-testid="return-error" role="alert" hidden></div>
      <div class="banner ok" data-testid="return-done" role="status" hidden></div>
      <div class="detail" data-testid="return-dossier" hidden></div>
      <form novalidate autocomplete="off" data-testid="return-form" hidden>
        <label class="field"><span>Hình thức</span><select name="to.kind" data-testid="return-how">
          ${RETURN_TO_KINDS.map((k) => html`<option value="${k}">${RETURN_TO_LABELS[k]}</option>`)}</select></label>
        <label class="field person"><span>Họ tên người nhận <small class="muted" data-testid="return-name-card" hidden>(từ thẻ)</small></span><input name="to.name" data-testid="return-name" maxlength="${LIMITS.name}"></label>
        <label class="field person"><span>Số giấy tờ người nhận (quét thẻ hoặc gõ) <small class="muted" data-testid="return-id-card" hidden>(từ thẻ)</small></span><input name="to.id_number" data-testid="return-id" maxlength="${LIMITS.id_number}">
          <small class="muted" data-testid="return-compare"></small></label>
        <label class="field post" hidden><span>Số hiệu bưu gửi</span><input name="to.tracking" data-testid="return-tracking" maxlength="${LIMITS.tracking}"></label>
        <button type="button" class="primary" data-testid="return-confirm">Trả kết quả <span class="key">(Ctrl+Enter)</span></button>
      </form>`);
    const scan = this.q<HTMLInputElement>('[data-testid="return-scan"]');
    scan.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        const code = scan.value.trim();
        if (code) void this.open(code);
      }
    });
    const form = this.q('[data-testid="return-form"]');
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey || (ev.target as HTMLElement).tagName === 'INPUT')) {
        ev.preventDefault();
        void this.confirm();
      }
    });
    this.q<HTMLSelectElement>('[data-testid="return-how"]').addEventListener('change', () => this.howChanged());
    // a number typed over what the card gave is no longer the card's
    for (const f of ['name', 'id']) {
      this.q(`[data-testid="return-${f}"]`).addEventListener('input', () => (this.q(`[data-testid="return-${f}-card"]`).hidden = true));
    }
    this.q('[data-testid="return-confirm"]').addEventListener('click', () => void this.confirm());
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  focusFirst() {
    this.q<HTMLInputElement>('[data-testid="return-scan"]').focus();
  }

  private message(kind: 'error' | 'done', text: string) {
    const e = this.q('[data-testid="return-error"]');
    const d = this.q('[data-testid="return-done"]');
    e.hidden = kind !== 'error';
    d.hidden = kind !== 'done';
    (kind === 'error' ? e : d).textContent = text;
  }

  private howChanged(): { person: boolean; self: boolean } {
    const how = formFor(this.q<HTMLSelectElement>('[data-testid="return-how"]').value as ReturnTo['kind']);
    this.el.querySelectorAll<HTMLElement>('.person').forEach((e) => (e.hidden = !how.person));
    this.q('.post').hidden = how.person;
    const a = how.self ? this.dossier?.applicant : undefined;
    this.q<HTMLInputElement>('[data-testid="return-name"]').value = a ? a.full_name : '';
    // the ID number is read from the paper the collector shows, never copied from the dossier
    this.q<HTMLInputElement>('[data-testid="return-id"]').value = '';
    this.q('[data-testid="return-name-card"]').hidden = true;
    this.q('[data-testid="return-id-card"]').hidden = true;
    // what to compare it with: the applicant's, and the representative named at intake if any
    const d = this.dossier;
    const rep = !how.self ? d?.representative : undefined;
    this.q('[data-testid="return-compare"]').textContent = d
      ? `Người nộp: ${d.applicant.full_name} — ${ID_TYPE_LABELS[d.applicant.id_type]} ${d.applicant.id_number}` +
        (rep ? `; người được ủy quyền khi nộp: ${rep.full_name} — ${rep.id_number}` : '')
      : '';
    return how;
  }

  /**
   * The collector's name and ID number as a card reader read them, marked "(từ thẻ)". For a return
   * in person only (false otherwise, nothing filled); the core still decides whether they will do.
   */
  fillFromCard(card: CardRead): boolean {
    const form = this.q('[data-testid="return-form"]');
    const how = formFor(this.q<HTMLSelectElement>('[data-testid="return-how"]').value as ReturnTo['kind']);
    if (!this.dossier || form.hidden || !how.person) return false;
    const id = this.q<HTMLInputElement>('[data-testid="return-id"]');
    this.q<HTMLInputElement>('[data-testid="return-name"]').value = card.full_name.trim();
    id.value = card.id_number.trim();
    this.q('[data-testid="return-name-card"]').hidden = false;
    this.q('[data-testid="return-id-card"]').hidden = false;
    // Enter confirms from here
    id.focus();
    return true;
  }

  async open(code: string) {
    this.q('[data-testid="return-error"]').hidden = true;
    this.q('[data-testid="return-done"]').hidden = true;
    try {
      const d = await this.api.dossierGet(code);
      this.dossier = d;
      const box = this.q('[data-testid="return-dossier"]');
      box.hidden = false;
      setHtml(box, html`<h3>Hồ sơ <code>${d.code}</code> — ${d.status_label}</h3>
        ${d.warnings.length ? html`<ul class="banner warn warnings" data-testid="dossier-warnings" role="alert">${d.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
        <dl><dt>Người nộp</dt><dd>${d.applicant.full_name} — ${d.applicant.id_number}</dd>
        <dt>Thủ tục</dt><dd>${d.procedure_name}</dd><dt>Hẹn trả</dt><dd>${formatDateTime(d.due_at)}</dd>
        <dt>Nhận kết quả</dt><dd>${deliveryText(d.delivery)}</dd>${resultCopy(d)}</dl>`);
      // the core says whether the result can be returned now
      const ready = d.allowed_steps.some((s) => s.step === 'return');
      this.q('[data-testid="return-form"]').hidden = !ready;
      if (!ready) {
        this.message('error', `Hồ sơ ${d.code} không trả kết quả được: hồ sơ ${d.status_label.toLowerCase()}.`);
        return;
      }
      this.q<HTMLSelectElement>('[data-testid="return-how"]').value = returnFor(d.delivery);
      const how = this.howChanged();
      this.q<HTMLInputElement>(how.person ? '[data-testid="return-id"]' : '[data-testid="return-tracking"]').focus();
    } catch (e) {
      this.message('error', (e as AppError).message);
    }
  }

  /** The form's values by the return step's field names (`to.kind`, `to.name`, ...); the core makes the command. */
  private values(): Record<string, string> {
    const out: Record<string, string> = {};
    this.q('[data-testid="return-form"]').querySelectorAll<HTMLInputElement | HTMLSelectElement>('[name]').forEach((i) => {
      if (!i.closest('[hidden]')) out[i.name] = i.value.trim();
    });
    return out;
  }

  async confirm(): Promise<DossierView | null> {
    const d = this.dossier;
    if (!d) return null;
    try {
      const done = await this.api.lifecycleStep(d.code, 'return', this.values());
      const t = done.progress?.timeliness;
      this.message('done', `Đã trả kết quả hồ sơ ${done.code}${t ? ` (${TIMELINESS_LABELS[t].toLowerCase()})` : ''}.`);
      this.q('[data-testid="return-form"]').hidden = true;
      this.q('[data-testid="return-dossier"]').hidden = true;
      this.dossier = null;
      const scan = this.q<HTMLInputElement>('[data-testid="return-scan"]');
      scan.value = '';
      scan.focus();
      this.onDone();
      return done;
    } catch (e) {
      const err = e as AppError;
      this.message('error', err.message);
      this.q('[data-testid="return-form"]').querySelectorAll<HTMLElement & { name: string }>('[name]').forEach((i) => {
        if (i.name === err.field) i.focus();
      });
      return null;
    }
  }
}

/** The result's electronic copy, when one was attached (issue 16): the citizen can be told it exists. */
function resultCopy(d: DossierView) {
  const copy = d.progress?.documents?.find((x) => x.slot.kind === 'result');
  return copy ? html`<dt>Bản điện tử</dt><dd data-testid="return-result-copy">Kết quả đã được số hóa: ${copy.name} (${copy.pages} trang)</dd>` : '';
}
