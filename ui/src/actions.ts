// The lifecycle steps a clerk takes from the dossier view: ask for a supplement, record it, refuse,
// stop, apologise with a new date, pass to another department, take the result back, withdraw. Each
// opens a small form of what the step needs; confirming records the event in the core (which refuses
// what makes no sense, with a message) and prints the matching one-stop form. Offering only the steps
// that fit the status is a convenience: the rules live in the core.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { Command } from './bindings/Command';
import type { Dossier } from './bindings/Dossier';
import type { DossierStatus } from './bindings/DossierStatus';
import type { FormKind } from './bindings/FormKind';
import { esc } from './format';
import { describeOutcome } from './printing';

type Field = { name: string; label: string; kind?: 'textarea' | 'date' };
type Step = {
  id: string;
  label: string;
  when: DossierStatus[];
  fields: Field[];
  command: (v: Record<string, string>) => Command;
  /** The form printed once the step is recorded. */
  prints?: FormKind;
};

const OPEN: DossierStatus[] = ['received', 'in_process', 'waiting_supplement'];

export const STEPS: Step[] = [
  {
    id: 'supplement', label: 'Yêu cầu bổ sung', when: ['received', 'in_process'], prints: 'supplement',
    fields: [{ name: 'missing', label: 'Giấy tờ, nội dung cần bổ sung (mỗi dòng một mục)', kind: 'textarea' }],
    command: (v) => ({ kind: 'request_supplement', missing: v.missing.split('\n').map((s) => s.trim()).filter(Boolean) }),
  },
  { id: 'supplemented', label: 'Đã nhận bổ sung', when: ['waiting_supplement'], fields: [], command: () => ({ kind: 'supplemented' }) },
  {
    id: 'transfer', label: 'Chuyển phòng', when: ['in_process'], fields: [{ name: 'to', label: 'Phòng nhận hồ sơ' }],
    command: (v) => ({ kind: 'transfer', to: v.to }),
  },
  { id: 'result', label: 'Nhận kết quả', when: ['in_process'], fields: [], command: () => ({ kind: 'receive_result' }) },
  {
    id: 'delay', label: 'Xin lỗi, hẹn lại', when: ['received', 'in_process'], prints: 'apology',
    fields: [{ name: 'new_due', label: 'Ngày hẹn mới (ngày/tháng/năm [giờ:phút])', kind: 'date' }, { name: 'reason', label: 'Lý do chậm trả kết quả', kind: 'textarea' }],
    command: (v) => ({ kind: 'delay', new_due: v.new_due, reason: v.reason }),
  },
  {
    id: 'refuse', label: 'Từ chối', when: OPEN, prints: 'refusal',
    fields: [{ name: 'reason', label: 'Lý do từ chối', kind: 'textarea' }], command: (v) => ({ kind: 'refuse', reason: v.reason }),
  },
  {
    id: 'stop', label: 'Dừng giải quyết', when: OPEN, prints: 'stop',
    fields: [{ name: 'reason', label: 'Lý do dừng giải quyết', kind: 'textarea' }], command: (v) => ({ kind: 'stop', reason: v.reason }),
  },
  {
    id: 'withdraw', label: 'Công dân rút hồ sơ', when: OPEN,
    fields: [{ name: 'reason', label: 'Ghi chú (không bắt buộc)' }], command: (v) => ({ kind: 'withdraw', reason: v.reason }),
  },
];

/** The step buttons of one dossier, and the small form of the step being taken. */
export class DossierActions {
  readonly el: HTMLElement;
  private step: Step | null = null;

  constructor(private dossier: Dossier, private api: Api = defaultApi, private onChange: (d: Dossier) => void = () => {}) {
    this.el = document.createElement('div');
    this.el.className = 'dossier-actions';
    this.el.dataset.testid = 'dossier-actions';
    const steps = STEPS.filter((s) => s.when.includes(dossier.status));
    this.el.innerHTML = `<div class="buttons">${steps.map((s) => `<button type="button" data-step="${s.id}" data-testid="step-${s.id}">${esc(s.label)}</button>`).join('')}</div>
      <form class="step-form" data-testid="step-form" novalidate hidden></form>
      <div class="banner error" data-testid="step-error" role="alert" hidden></div>
      <div class="banner ok" data-testid="step-done" role="status" hidden></div>`;
    this.el.querySelectorAll<HTMLButtonElement>('[data-step]').forEach((b) => b.addEventListener('click', () => this.open(b.dataset.step!)));
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  /** Opens the form of a step (or takes it at once when it needs nothing). */
  open(id: string) {
    const step = STEPS.find((s) => s.id === id);
    if (!step) return;
    this.step = step;
    const form = this.q<HTMLFormElement>('[data-testid="step-form"]');
    if (!step.fields.length) {
      form.hidden = true;
      void this.confirm({});
      return;
    }
    form.innerHTML = `<h4>${esc(step.label)}</h4>${step.fields.map((f) => `<label class="field wide"><span>${esc(f.label)}</span>${
      f.kind === 'textarea' ? `<textarea name="${f.name}" data-testid="step-${f.name}" rows="3"></textarea>` : `<input name="${f.name}" data-testid="step-${f.name}" autocomplete="off">`
    }</label>`).join('')}
      <button type="submit" class="primary" data-testid="step-confirm">Xác nhận <span class="key">(Ctrl+Enter)</span></button>
      <button type="button" data-testid="step-cancel">Hủy (Esc)</button>`;
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

  private values(): Record<string, string> {
    const out: Record<string, string> = {};
    this.el.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('[data-testid="step-form"] [name]').forEach((i) => (out[i.name] = i.value));
    return out;
  }

  /** Records the open step; prints its form; returns the dossier after it, or null when refused. */
  async confirm(values: Record<string, string>): Promise<Dossier | null> {
    const step = this.step;
    if (!step) return null;
    const err = this.q('[data-testid="step-error"]');
    const done = this.q('[data-testid="step-done"]');
    err.hidden = true;
    done.hidden = true;
    let after: Dossier;
    try {
      [after] = await this.api.lifecycleApply([this.dossier.code], step.command(values));
    } catch (e) {
      const a = e as AppError;
      err.textContent = a.message;
      err.hidden = false;
      const field = a.field?.replace(/^to\./, '');
      this.el.querySelector<HTMLElement>(`[data-testid="step-form"] [name="${field}"]`)?.focus();
      return null;
    }
    let text = `Đã ghi nhận: ${step.label.toLowerCase()}.`;
    let ok = true;
    if (step.prints) {
      try {
        const o = await this.api.formPrint({ form: step.prints, code: after.code }, true);
        const d = describeOutcome(o);
        ok = d.ok;
        text += ` ${d.text}`;
      } catch (e) {
        ok = false;
        text += ` Chưa in được: ${(e as AppError).message}`;
      }
    }
    this.dossier = after;
    this.onChange(after);
    // onChange may re-render the detail with a fresh DossierActions; this one reports into whatever is shown.
    const target = document.body.contains(this.el) ? this.el : document.querySelector<HTMLElement>('[data-testid="dossier-actions"]');
    const slot = target?.querySelector<HTMLElement>(ok ? '[data-testid="step-done"]' : '[data-testid="step-error"]');
    if (slot) {
      slot.textContent = text;
      slot.hidden = false;
    }
    return after;
  }
}
