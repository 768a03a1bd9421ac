// Work lists: the counts that matter at the counter (overdue, due today, due within a working day,
// waiting for a supplement, results waiting to be collected), always visible under the header, and
// the dossiers behind each count (F8), whose header also says how many citizens were guided or not
// accepted at intake today (slips without a dossier code).
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { WorkCounts } from './bindings/WorkCounts';
import type { WorkList } from './bindings/WorkList';
import { ALERT_WORK_LISTS, STATUS_LABELS, WORK_LISTS, WORK_LIST_LABELS } from './bindings/facts';
import { formatDateTime } from './format';
import { html, setHtml } from './html';
import { LogbookPanel } from './logbook';
import { showPreview } from './printing';

/** The work lists in the core's order, each with its count's key and its name (bindings/facts). */
export const LISTS: Array<[WorkList, keyof WorkCounts, string]> = WORK_LISTS.map((l) => [l, l as keyof WorkCounts, WORK_LIST_LABELS[l]]);

/** The strip of counts (drawn from the dashboard); `open(list)` is called when one is clicked. */
export class WorkBar {
  readonly el: HTMLElement;

  constructor(private open: (l: WorkList) => void = () => {}) {
    this.el = document.createElement('div');
    this.el.className = 'workbar';
    this.el.dataset.testid = 'workbar';
    setHtml(this.el, html`${LISTS.map(([l, , label]) =>
      html`<button type="button" data-list="${l}" data-testid="count-${l}"><span class="n">–</span> ${label}</button>`)}`);
    this.el.querySelectorAll<HTMLButtonElement>('button').forEach((b) => b.addEventListener('click', () => this.open(b.dataset.list as WorkList)));
  }

  /** The counts, or none (–) while nobody may read them (logged out, locked). */
  render(c: WorkCounts | null) {
    for (const [l, key] of LISTS) {
      const b = this.el.querySelector<HTMLElement>(`[data-list="${l}"]`)!;
      b.querySelector('.n')!.textContent = c ? String(c[key]) : '–';
      b.classList.toggle('alert', !!c && ALERT_WORK_LISTS.includes(l) && c[key] > 0);
    }
  }
}

export class WorkScreen {
  readonly el: HTMLElement;

  constructor(private api: Api = defaultApi, private onOpen: (code: string) => void = () => {}) {
    this.el = document.createElement('section');
    this.el.className = 'screen work';
    setHtml(this.el, html`<h2 data-testid="work-title">Việc cần làm</h2>
      <p class="muted" data-testid="contacts-today">Hôm nay: ${STATUS_LABELS.guided} <b data-testid="guided-today">–</b> · ${STATUS_LABELS.not_accepted} <b data-testid="not-accepted-today">–</b></p>
      <div class="banner error" data-testid="work-error" hidden></div>
      <table class="results"><thead><tr><th>Mã hồ sơ</th><th>Người nộp</th><th>Thủ tục</th><th>Trạng thái</th><th>Hẹn trả</th></tr></thead>
      <tbody data-testid="work-rows"></tbody></table>
      <p class="muted" data-testid="work-empty" hidden>Không có hồ sơ nào.</p>`);
    this.logbook = new LogbookPanel(api, (t) => showPreview(api, t));
    this.el.appendChild(this.logbook.el);
  }

  readonly logbook: LogbookPanel;

  /** Today's guidance and refusal slips at intake (from each dashboard), or none (–) while locked. */
  setCounts(c: WorkCounts | null) {
    this.el.querySelector('[data-testid="guided-today"]')!.textContent = c ? String(c.guided_today) : '–';
    this.el.querySelector('[data-testid="not-accepted-today"]')!.textContent = c ? String(c.not_accepted_today) : '–';
  }

  /** Today by the counter's clock (from each dashboard): the logbook's default range. */
  setToday(today: string) {
    this.logbook.setToday(today);
  }

  focusFirst() {
    this.el.querySelector<HTMLElement>('tbody tr')?.focus();
  }

  async show(list: WorkList) {
    const label = LISTS.find(([l]) => l === list)?.[2] ?? '';
    this.el.querySelector('[data-testid="work-title"]')!.textContent = `Việc cần làm: ${label}`;
    try {
      const items = await this.api.workList(list);
      setHtml(this.el.querySelector('[data-testid="work-rows"]')!, html`${items
        .map((w) => html`<tr tabindex="0" data-testid="work-row" data-code="${w.code}"><td><code>${w.code}</code></td><td>${w.applicant_name}</td>
          <td>${w.procedure_code}</td><td>${STATUS_LABELS[w.status]}</td><td>${formatDateTime(w.due_at)}</td></tr>`)}`);
      this.el.querySelector<HTMLElement>('[data-testid="work-empty"]')!.hidden = items.length > 0;
      this.el.querySelectorAll<HTMLElement>('[data-testid="work-row"]').forEach((tr) => {
        tr.addEventListener('click', () => this.onOpen(tr.dataset.code!));
        tr.addEventListener('keydown', (ev) => {
          if (ev.key === 'Enter') this.onOpen(tr.dataset.code!);
          if (ev.key === 'ArrowDown') (tr.nextElementSibling as HTMLElement | null)?.focus();
          if (ev.key === 'ArrowUp') (tr.previousElementSibling as HTMLElement | null)?.focus();
        });
      });
      this.focusFirst();
    } catch (e) {
      const err = this.el.querySelector<HTMLElement>('[data-testid="work-error"]')!;
      err.textContent = (e as AppError).message;
      err.hidden = false;
    }
  }
}
