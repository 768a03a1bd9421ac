// The lifecycle steps a clerk takes from the dossier view. The core decides which steps the dossier's
// status allows (`DossierView.allowed_steps`), names them, says what each asks for and which form it
// prints; this draws the buttons and the small forms from that, sends the values as typed
// (`lifecycle_step`: the core makes the command and refuses what makes no sense, with a message) and
// prints the step's form.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { DossierView } from './bindings/DossierView';
import type { Step } from './bindings/Step';
import type { StepField } from './bindings/StepField';
import type { StepOffer } from './bindings/StepOffer';
import { html, setHtml } from './html';
import { describeOutcome } from './printing';

/** What became of a step: shown under the buttons (of this view, or of the one that replaces it). */
export type StepReport = { ok: boolean; text: string };

/** The data-testid suffix of a step's button: the step's name, except two older ids the end-to-end tests use. */
const TEST_IDS: Partial<Record<Step, string>> = { request_supplement: 'supplement', receive_result: 'result' };
export const stepTestId = (s: Step) => `step-${TEST_IDS[s] ?? s}`;

function fieldMarkup(f: StepField) {
  const multi = f.kind === 'text' || f.kind === 'lines';
  // `max` is the whole value's limit (for a list, the core checks each item too)
  const max = f.max;
  const control = multi
    ? html`<textarea name="${f.name}" data-testid="step-${f.name}" rows="3" aria-required="${String(f.required)}"${max ? html` maxlength="${max}"` : ''}></textarea>`
    : html`<input name="${f.name}" data-testid="step-${f.name}" autocomplete="off" aria-required="${String(f.required)}"${max ? html` maxlength="${max}"` : ''}>`;
  return html`<label class="field wide"><span>${f.label}</span>${control}</label>`;
}

/** The step buttons of one dossier, and the small form of the step being taken. */
export class DossierActions {
  readonly el: HTMLElement;
  private offer: StepOffer | null = null;

  /**
   * `onChange(after, report)` is called once a step is recorded (and its form printed); an owner that
   * redraws the dossier passes `report` to the new DossierActions, which shows it.
   */
  constructor(
    private dossier: DossierView,
    private api: Api = defaultApi,
    private onChange: (d: DossierView, report: StepReport) => void = () => {},
    report?: StepReport,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'dossier-actions';
    this.el.dataset.testid = 'dossier-actions';
    setHtml(this.el, html`<div class="buttons"></div>
      <form class="step-form" data-testid="step-form" novalidate hidden></form>
      <div class="banner error" data-testid="step-error" role="alert" hidden></div>
      <div class="banner ok" data-testid="step-done" role="status" hidden></div>`);
    this.drawButtons();
    if (report) this.report(report);
  }

  /** One button per step the dossier allows now and the dossier view offers (not hand-over, return). */
  private drawButtons() {
    const buttons = this.q('.buttons');
    const offers = this.dossier.allowed_steps.filter((s) => s.in_detail);
    setHtml(buttons, html`${offers.map((s) => html`<button type="button" data-step="${s.step}" data-testid="${stepTestId(s.step)}">${s.label}</button>`)}`);
    buttons.querySelectorAll<HTMLButtonElement>('[data-step]').forEach((b) => b.addEventListener('click', () => this.open(b.dataset.step as Step)));
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  /** Shows what became of a step. */
  report(r: StepReport) {
    const slot = this.q(r.ok ? '[data-testid="step-done"]' : '[data-testid="step-error"]');
    slot.textContent = r.text;
    slot.hidden = false;
  }

  /** Opens the form of a step the dossier allows (or takes it at once when it needs nothing). */
  open(step: Step) {
    const offer = this.dossier.allowed_steps.find((s) => s.step === step && s.in_detail);
    if (!offer) return;
    this.offer = offer;
    const form = this.q<HTMLFormElement>('[data-testid="step-form"]');
    if (!offer.fields.length) {
      form.hidden = true;
      void this.confirm({});
      return;
    }
    setHtml(form, html`<h4>${offer.label}</h4>${offer.fields.map(fieldMarkup)}
      <button type="submit" class="primary" data-testid="step-confirm">Xác nhận <span class="key">(Ctrl+Enter)</span></button>
      <button type="button" data-testid="step-cancel">Hủy (Esc)</button>`);
    form.hidden = false;
    form.onsubmit = (ev) => {
      ev.preventDefault();
      void this.confirm(this.values());
    };
    form.onkeydown = (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        void this.confirm(this.values());
      } else if (ev.key === 'Escape') {
        ev.preventDefault();
        ev.stopPropagation();
        form.hidden = true;
      }
    };
    form.querySelector('[data-testid="step-cancel"]')!.addEventListener('click', () => (form.hidden = true));
    form.querySelector<HTMLElement>('input, textarea')!.focus();
  }

  private fields(): Array<HTMLInputElement | HTMLTextAreaElement> {
    return Array.from(this.el.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('[data-testid="step-form"] [name]'));
  }

  private values(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const i of this.fields()) out[i.name] = i.value;
    return out;
  }

  /** Records the open step; prints its form; returns the dossier after it, or null when refused. */
  async confirm(values: Record<string, string>): Promise<DossierView | null> {
    const offer = this.offer;
    if (!offer) return null;
    this.q('[data-testid="step-error"]').hidden = true;
    this.q('[data-testid="step-done"]').hidden = true;
    let after: DossierView;
    try {
      after = await this.api.lifecycleStep(this.dossier.code, offer.step, values);
    } catch (e) {
      const a = e as AppError;
      this.report({ ok: false, text: a.message });
      this.fields().find((i) => i.name === a.field)?.focus();
      return null;
    }
    const report: StepReport = { ok: true, text: `Đã ghi nhận: ${offer.label.toLowerCase()}.` };
    if (offer.prints) {
      try {
        const d = describeOutcome(await this.api.formPrint({ form: offer.prints, code: after.code }, true));
        report.ok = d.ok;
        report.text += ` ${d.text}`;
      } catch (e) {
        report.ok = false;
        report.text += ` Chưa in được: ${(e as AppError).message}`;
      }
    }
    this.dossier = after;
    this.offer = null;
    this.q<HTMLFormElement>('[data-testid="step-form"]').hidden = true;
    this.drawButtons();
    this.report(report);
    this.onChange(after, report);
    return after;
  }
}
