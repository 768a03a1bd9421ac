// The dossier logbook (sổ theo dõi hồ sơ, Mẫu số 07) for any date range, from the work screen (F8):
// a preview or a print, the outcome shown in words. Dates are typed dd/mm/yyyy; the core checks them.
// Both dates start as today by the counter's clock, which the dashboard brings (`setToday`).
import { api as defaultApi, type Api, type FormTarget } from './api';
import type { AppError } from './bindings/AppError';
import { LIMITS } from './bindings/facts';
import { html, setHtml } from './html';
import { describeOutcome } from './printing';

export class LogbookPanel {
  readonly el: HTMLElement;
  /** The last today the dashboard brought (what untouched dates hold). */
  private today = '';

  constructor(private api: Api = defaultApi, private preview: (t: FormTarget) => Promise<void> = async () => {}) {
    this.el = document.createElement('div');
    this.el.className = 'logbook';
    setHtml(this.el, html`<h3>Sổ theo dõi hồ sơ</h3>
      <div class="row">
        <label class="field narrow"><span>Từ ngày</span><input data-testid="logbook-from" placeholder="dd/mm/yyyy" maxlength="${LIMITS.date_input}"></label>
        <label class="field narrow"><span>Đến ngày</span><input data-testid="logbook-to" placeholder="dd/mm/yyyy" maxlength="${LIMITS.date_input}"></label>
        <div class="buttons"><button type="button" data-testid="logbook-preview">Xem trước</button>
          <button type="button" data-testid="logbook-print">In sổ</button></div>
      </div>
      <div class="print-status" data-testid="logbook-status" role="status" hidden></div>`);
    this.el.querySelector('[data-testid="logbook-preview"]')!.addEventListener('click', () => void this.preview(this.target()));
    this.el.querySelector('[data-testid="logbook-print"]')!.addEventListener('click', () => void this.print());
  }

  /**
   * Today by the counter's clock (dd/mm/yyyy, from each dashboard): fills the dates that are empty or
   * still hold the previous today, and leaves a date the clerk typed alone.
   */
  setToday(today: string) {
    for (const which of ['from', 'to'] as const) {
      const i = this.input(which);
      if (i.value === '' || i.value === this.today) i.value = today;
    }
    this.today = today;
  }

  private input(which: 'from' | 'to') {
    return this.el.querySelector<HTMLInputElement>(`[data-testid="logbook-${which}"]`)!;
  }

  target(): FormTarget {
    return { form: 'logbook', from: this.input('from').value.trim(), to: this.input('to').value.trim() };
  }

  /** Prints the logbook of the range; a bad date or a printer failure is shown, never thrown. */
  async print(): Promise<boolean> {
    const s = this.el.querySelector<HTMLElement>('[data-testid="logbook-status"]')!;
    s.hidden = false;
    try {
      const o = await this.api.formPrint(this.target(), true);
      const d = describeOutcome(o);
      s.className = `print-status ${d.ok ? 'ok' : 'error'}`;
      s.textContent = `${d.text} (${o.pages} trang)`;
      return d.ok;
    } catch (e) {
      const err = e as AppError;
      s.className = 'print-status error';
      s.textContent = err.message;
      if (err.field === 'from' || err.field === 'to') this.input(err.field).focus();
      return false;
    }
  }
}
