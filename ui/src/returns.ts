// The return desk (F6): scan or type a code, see the dossier and who may collect it, record the
// collector (the applicant or an authorised person, ID checked) or the postal tracking number; the
// dossier closes, classified early / on time / late. Nothing is printed unless asked.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { DossierView } from './bindings/DossierView';
import { DELIVERY_LABELS, LIMITS, RETURN_TO_LABELS, TIMELINESS_LABELS } from './bindings/facts';
import { formatDateTime } from './format';
import { html, setHtml } from './html';

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
          ${(['applicant', 'authorised', 'post'] as const).map((k) => html`<option value="${k}">${RETURN_TO_LABELS[k]}</option>`)}</select></label>
        <label class="field person"><span>Họ tên người nhận</span><input name="to.name" data-testid="return-name" maxlength="${LIMITS.name}"></label>
        <label class="field person"><span>Số giấy tờ người nhận (đã kiểm tra)</span><input name="to.id_number" data-testid="return-id" maxlength="${LIMITS.id_number}"></label>
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

  private howChanged() {
    const how = this.q<HTMLSelectElement>('[data-testid="return-how"]').value;
    this.el.querySelectorAll<HTMLElement>('.person').forEach((e) => (e.hidden = how === 'post'));
    this.q('.post').hidden = how !== 'post';
    const a = this.dossier?.applicant;
    this.q<HTMLInputElement>('[data-testid="return-name"]').value = how === 'applicant' && a ? a.full_name : '';
    this.q<HTMLInputElement>('[data-testid="return-id"]').value = how === 'applicant' && a ? a.id_number : '';
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
        <dl><dt>Người nộp</dt><dd>${d.applicant.full_name} — ${d.applicant.id_number}</dd>
        <dt>Thủ tục</dt><dd>${d.procedure_name}</dd><dt>Hẹn trả</dt><dd>${formatDateTime(d.due_at)}</dd>
        <dt>Nhận kết quả</dt><dd>${DELIVERY_LABELS[d.delivery.kind]}${d.delivery.kind === 'post' ? `: ${d.delivery.address}` : ''}</dd></dl>`);
      // the core says whether the result can be returned now
      const ready = d.allowed_steps.some((s) => s.step === 'return');
      this.q('[data-testid="return-form"]').hidden = !ready;
      if (!ready) {
        this.message('error', `Hồ sơ ${d.code} không trả kết quả được: hồ sơ ${d.status_label.toLowerCase()}.`);
        return;
      }
      this.q<HTMLSelectElement>('[data-testid="return-how"]').value = d.delivery.kind === 'post' ? 'post' : 'applicant';
      this.howChanged();
      this.q<HTMLInputElement>(d.delivery.kind === 'post' ? '[data-testid="return-tracking"]' : '[data-testid="return-id"]').focus();
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
