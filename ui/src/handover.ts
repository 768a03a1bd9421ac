// The hand-over desk (F5): dossiers leave for a department, or results come back, by scanning their
// barcodes one after another (a USB scanner types the code and Enter) or typing codes. Each scan is
// checked at once (known dossier, right state, not scanned twice); Ctrl+Enter confirms the whole batch,
// all or nothing. A handover prints its list (signed by both sides) and a control slip per dossier,
// unless the clerk unticks it; either can be printed again from the buttons.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { DossierView } from './bindings/DossierView';
import type { Step } from './bindings/Step';
import { LIMITS, STEPS } from './bindings/facts';
import { formatDateTime } from './format';
import { html, setHtml } from './html';
import { describeOutcome } from './printing';

export type DeskMode = 'handover' | 'receive';

/** The step each mode of the desk takes on the whole batch. */
const STEP_OF: Record<DeskMode, Step> = { handover: 'hand_over', receive: 'receive_result' };

export class HandoverScreen {
  readonly el: HTMLElement;
  private batch: DossierView[] = [];
  /** The last confirmed handover: its batch id and codes, for printing again. */
  private last: { batch: string; codes: string[] } | null = null;

  constructor(private api: Api = defaultApi, private onDone: () => void = () => {}) {
    this.el = document.createElement('section');
    this.el.className = 'screen handover';
    setHtml(this.el, html`
      <h2>Bàn giao hồ sơ / nhận kết quả</h2>
      <div class="row">
        <label class="field narrow"><span>Việc</span>
          <select data-testid="desk-mode"><option value="handover">Bàn giao cho phòng chuyên môn</option><option value="receive">Nhận kết quả từ phòng</option></select></label>
        <label class="field"><span>Phòng nhận hồ sơ</span>
          <input data-testid="desk-department" list="desk-departments" maxlength="${LIMITS.department}" placeholder="Chọn hoặc gõ tên phòng"><datalist id="desk-departments"></datalist></label>
        <label class="field"><span>Quét mã vạch hoặc gõ mã hồ sơ rồi Enter</span>
          <input data-testid="desk-scan" autocomplete="off" maxlength="${LIMITS.code}"></label>
      </div>
      <div class="banner error" data-testid="desk-error" role="alert" hidden></div>
      <div class="banner ok" data-testid="desk-done" role="status" hidden></div>
      <table class="results"><thead><tr><th>#</th><th>Mã hồ sơ</th><th>Người nộp</th><th>Thủ tục</th><th>Trạng thái</th><th>Hẹn trả</th><th></th></tr></thead>
        <tbody data-testid="desk-list"></tbody></table>
      <p class="muted" data-testid="desk-count">Chưa quét hồ sơ nào.</p>
      <label class="field check print-opt"><input type="checkbox" data-testid="desk-print" checked> In danh sách bàn giao và phiếu kiểm soát khi xác nhận</label>
      <button type="button" class="primary" data-testid="desk-confirm">Xác nhận <span class="key">(Ctrl+Enter)</span></button>
      <div class="print-actions" data-testid="desk-prints" hidden>
        <div class="print-status" data-testid="desk-print-status" role="status"></div>
        <div class="buttons"><button type="button" data-testid="desk-print-list">In danh sách bàn giao</button>
          <button type="button" data-testid="desk-print-controls">In phiếu kiểm soát</button></div>
      </div>`);
    const scan = this.q<HTMLInputElement>('[data-testid="desk-scan"]');
    scan.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        void this.confirm();
      } else if (ev.key === 'Enter') {
        ev.preventDefault();
        const code = scan.value.trim();
        scan.value = '';
        if (code) void this.add(code);
      }
    });
    this.el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && ev.target !== scan) {
        ev.preventDefault();
        void this.confirm();
      }
    });
    this.q<HTMLSelectElement>('[data-testid="desk-mode"]').addEventListener('change', () => this.modeChanged());
    this.q('[data-testid="desk-confirm"]').addEventListener('click', () => void this.confirm());
    this.q('[data-testid="desk-print-list"]').addEventListener('click', () => void this.printList());
    this.q('[data-testid="desk-print-controls"]').addEventListener('click', () => void this.printControls());
  }

  /** Offers the counter's departments (settings) in the department field. */
  async loadDepartments() {
    try {
      const s = await this.api.settingsGet();
      const names = s.departments.split(';').map((d) => d.trim()).filter(Boolean);
      setHtml(this.q('#desk-departments'), html`${names.map((d) => html`<option value="${d}">`)}`);
    } catch {
      // the field still takes typed names
    }
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  get mode(): DeskMode {
    return this.q<HTMLSelectElement>('[data-testid="desk-mode"]').value as DeskMode;
  }

  focusFirst() {
    void this.loadDepartments();
    const dep = this.q<HTMLInputElement>('[data-testid="desk-department"]');
    (this.mode === 'handover' && !dep.value ? dep : this.q<HTMLInputElement>('[data-testid="desk-scan"]')).focus();
  }

  private modeChanged() {
    this.q('[data-testid="desk-department"]').closest('label')!.hidden = this.mode !== 'handover';
    this.q('[data-testid="desk-print"]').closest('label')!.hidden = this.mode !== 'handover';
    this.batch = [];
    this.render();
    this.focusFirst();
  }

  private message(kind: 'error' | 'done', text: string) {
    const e = this.q('[data-testid="desk-error"]');
    const d = this.q('[data-testid="desk-done"]');
    e.hidden = kind !== 'error';
    d.hidden = kind !== 'done';
    (kind === 'error' ? e : d).textContent = text;
  }

  /** Adds a scanned code after checking it can take part in this batch. */
  async add(code: string): Promise<boolean> {
    try {
      const d = await this.api.dossierGet(code);
      if (this.batch.some((x) => x.code === d.code)) {
        this.message('error', `Hồ sơ ${d.code} đã có trong danh sách.`);
        return false;
      }
      // the core says which steps the dossier allows now
      const step = STEP_OF[this.mode];
      if (!d.allowed_steps.some((s) => s.step === step)) {
        this.message('error', `Hồ sơ ${d.code} đang ở trạng thái "${d.status_label}": không ${STEPS[step].label.toLowerCase()} được.`);
        return false;
      }
      this.batch.push(d);
      this.q('[data-testid="desk-error"]').hidden = true;
      this.render();
      return true;
    } catch (e) {
      this.message('error', (e as AppError).message);
      return false;
    }
  }

  private render() {
    const body = this.q('[data-testid="desk-list"]');
    setHtml(body, html`${this.batch
      .map((d, i) => html`<tr data-testid="desk-row"><td>${i + 1}</td><td><code>${d.code}</code></td><td>${d.applicant.full_name}</td>
        <td>${d.procedure_name}</td><td>${d.status_label}</td><td>${formatDateTime(d.due_at)}</td>
        <td><button type="button" data-remove="${i}" title="Bỏ khỏi danh sách">Bỏ</button></td></tr>`)}`);
    body.querySelectorAll<HTMLButtonElement>('[data-remove]').forEach((b) =>
      b.addEventListener('click', () => {
        this.batch.splice(Number(b.dataset.remove), 1);
        this.render();
      }));
    this.q('[data-testid="desk-count"]').textContent = this.batch.length ? `${this.batch.length} hồ sơ trong danh sách.` : 'Chưa quét hồ sơ nào.';
  }

  private printStatus(ok: boolean, text: string) {
    const s = this.q('[data-testid="desk-print-status"]');
    s.className = `print-status ${ok ? 'ok' : 'error'}`;
    s.textContent = text;
  }

  /** Prints the last batch's handover list; the outcome is shown, never thrown. */
  async printList(): Promise<boolean> {
    if (!this.last) return false;
    try {
      const o = await this.api.formPrint({ form: 'handover', input: { batch: this.last.batch } }, true);
      const d = describeOutcome(o);
      this.printStatus(d.ok, `Đợt ${this.last.batch}: ${d.text}`);
      return d.ok;
    } catch (e) {
      this.printStatus(false, `Chưa in được danh sách bàn giao: ${(e as AppError).message}`);
      return false;
    }
  }

  /** Prints the control slip of each dossier of the last batch; stops at the first printer failure. */
  async printControls(): Promise<number> {
    if (!this.last) return 0;
    let n = 0;
    for (const code of this.last.codes) {
      try {
        const o = await this.api.formPrint({ form: 'control', code }, true);
        if (o.error) {
          this.printStatus(false, `Đã in ${n}/${this.last.codes.length} phiếu kiểm soát. ${describeOutcome(o).text}`);
          return n;
        }
        n++;
      } catch (e) {
        this.printStatus(false, `Đã in ${n}/${this.last.codes.length} phiếu kiểm soát. Hồ sơ ${code}: ${(e as AppError).message}`);
        return n;
      }
    }
    const s = this.q('[data-testid="desk-print-status"]');
    this.printStatus(!s.classList.contains('error'), `${s.textContent} Đã in ${n} phiếu kiểm soát.`);
    return n;
  }

  async confirm(): Promise<DossierView[] | null> {
    if (!this.batch.length) {
      this.message('error', 'Chưa có hồ sơ nào trong danh sách.');
      return null;
    }
    const codes = this.batch.map((d) => d.code);
    const department = this.q<HTMLInputElement>('[data-testid="desk-department"]').value.trim();
    try {
      const done = await this.api.lifecycleApply(codes, this.mode === 'handover' ? { kind: 'hand_over', department } : { kind: 'receive_result' });
      this.message('done', this.mode === 'handover'
        ? `Đã bàn giao ${done.length} hồ sơ cho ${department}.`
        : `Đã nhận kết quả của ${done.length} hồ sơ; hồ sơ chờ trả cho công dân.`);
      this.batch = [];
      this.render();
      this.onDone();
      this.q<HTMLInputElement>('[data-testid="desk-scan"]').focus();
      const batch = done[0]?.progress?.movements?.at(-1)?.batch;
      if (this.mode === 'handover' && batch) {
        this.last = { batch, codes };
        this.q('[data-testid="desk-prints"]').hidden = false;
        this.printStatus(true, `Đợt bàn giao ${batch}.`);
        if (this.q<HTMLInputElement>('[data-testid="desk-print"]').checked) {
          await this.printList();
          await this.printControls();
        }
      }
      return done;
    } catch (e) {
      const err = e as AppError;
      this.message('error', err.message);
      if (err.field === 'department') this.q<HTMLInputElement>('[data-testid="desk-department"]').focus();
      return null;
    }
  }
}
