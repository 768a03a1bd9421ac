// Printing at the counter: the receipt right after intake (a setting), reprints, the control slip, a
// preview. The dossier is already saved when any of this runs: a printer failure only shows the
// printer's reason in words, keeps the saved PDF at hand ("Mở PDF") and offers to print again.
import { api as defaultApi, type Api, type FormTarget } from './api';
import type { AppError } from './bindings/AppError';
import type { FormKind } from './bindings/FormKind';
import type { PrintOutcome } from './bindings/PrintOutcome';
import { FORM_LABELS } from './bindings/facts';
import { html, setHtml } from './html';

/** One line for the clerk about a print's outcome. */
export function describeOutcome(o: PrintOutcome): { ok: boolean; text: string } {
  const what = `${FORM_LABELS[o.form]}${o.reprint ? ' (bản in lại)' : ''}`;
  if (o.printed) return { ok: true, text: `Đã gửi ${what} (${o.pages} trang) tới máy in ${o.printer ?? ''}.` };
  if (o.error) {
    // no printer chosen, or the chosen one is gone: the settings screen is where that is fixed
    const hint = o.error.reason === 'no_printer' || o.error.reason === 'printer_not_found' ? ' Chọn máy in ở Thiết lập (F4).' : '';
    return { ok: false, text: `Chưa in được ${what}: ${o.error.message}${hint} Hồ sơ đã được lưu; PDF đã lưu tại ${o.pdf_path} (bấm "Mở PDF" để in từ trình xem).` };
  }
  return { ok: true, text: `Đã lưu PDF ${what} tại ${o.pdf_path}.` };
}

/**
 * The print buttons and status line of one dossier (intake result, dossier detail): its receipt and
 * control slip; or, given `slip`, of a contact record (guidance or refusal at intake), which has
 * only that slip to print again.
 */
export class PrintActions {
  readonly el: HTMLElement;
  private lastPdf: string | null = null;
  private busy = false;
  /** What Ctrl+P prints: the receipt, or the contact's slip. */
  private readonly main: FormKind;

  constructor(
    private code: string,
    private api: Api = defaultApi,
    private preview: (t: FormTarget) => Promise<void> = async () => {},
    private slip: FormKind | null = null,
  ) {
    this.main = slip ?? 'receipt';
    this.el = document.createElement('div');
    this.el.className = 'print-actions';
    setHtml(this.el, html`
      <div class="print-status" data-testid="print-status" role="status" hidden></div>
      <div class="buttons">${slip
        ? html`
        <button type="button" data-testid="print-slip">In lại ${FORM_LABELS[slip].toLowerCase()} <span class="key">(Ctrl+P)</span></button>
        <button type="button" data-testid="preview-slip">Xem trước</button>`
        : html`
        <button type="button" data-testid="print-receipt">In giấy tiếp nhận <span class="key">(Ctrl+P)</span></button>
        <button type="button" data-testid="preview-receipt">Xem trước</button>
        <button type="button" data-testid="print-control">In phiếu kiểm soát</button>`}
        <button type="button" data-testid="open-pdf" hidden>Mở PDF</button>
      </div>`);
    if (slip) {
      this.q('[data-testid="print-slip"]').addEventListener('click', () => void this.print(slip));
      this.q('[data-testid="preview-slip"]').addEventListener('click', () => void this.preview({ form: slip, code: this.code }));
    } else {
      this.q('[data-testid="print-receipt"]').addEventListener('click', () => void this.print('receipt'));
      this.q('[data-testid="print-control"]').addEventListener('click', () => void this.print('control'));
      this.q('[data-testid="preview-receipt"]').addEventListener('click', () => void this.preview({ form: 'receipt', code: this.code }));
    }
    this.q('[data-testid="open-pdf"]').addEventListener('click', () => void this.openPdf());
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  private status(ok: boolean, text: string) {
    const s = this.q('[data-testid="print-status"]');
    s.hidden = false;
    s.className = `print-status ${ok ? 'ok' : 'error'}`;
    s.textContent = text;
  }

  /** Shows what became of a print (made here, or by the core with the record: a contact's slip). */
  show(o: PrintOutcome) {
    const d = describeOutcome(o);
    this.status(d.ok, d.text);
    this.lastPdf = o.pdf_path;
    this.q('[data-testid="open-pdf"]').hidden = false;
    if (!this.slip) this.q('[data-testid="print-receipt"]').firstChild!.textContent = 'In lại giấy tiếp nhận ';
  }

  /** Prints a form of this dossier (its receipt, or the contact's slip, when none is named); never throws (the outcome is shown). */
  async print(form: FormKind = this.main): Promise<PrintOutcome | null> {
    if (this.busy) return null;
    this.busy = true;
    this.status(true, `Đang in ${FORM_LABELS[form].toLowerCase()}…`);
    try {
      const o = await this.api.formPrint({ form, code: this.code }, true);
      this.show(o);
      return o;
    } catch (e) {
      this.status(false, `Chưa in được: ${(e as AppError).message} Hồ sơ vẫn được lưu.`);
      return null;
    } finally {
      this.busy = false;
    }
  }

  private async openPdf() {
    if (!this.lastPdf) return;
    try {
      await this.api.pdfOpen(this.lastPdf);
    } catch (e) {
      this.status(false, (e as AppError).message);
    }
  }
}

/** The preview: the very PDF the printer would get, in the viewer. */
export function showPreview(api: Api, target: FormTarget): Promise<void> {
  return showPdf(`Xem trước: ${FORM_LABELS[target.form]}`, () => api.formPreview(target), { waiting: 'Đang tạo bản xem trước…', failed: 'Không tạo được bản xem trước' });
}

/**
 * The viewer: a PDF (a print preview, a dossier's document) drawn page by page with pdf.js over the
 * window. Esc closes it and the cursor goes back to where it was.
 */
export async function showPdf(title: string, load: () => Promise<ArrayBuffer>, words: { waiting: string; failed: string } = { waiting: 'Đang mở tài liệu…', failed: 'Không mở được tài liệu' }): Promise<void> {
  const from = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const overlay = document.createElement('div');
  overlay.className = 'preview-overlay';
  overlay.dataset.testid = 'preview';
  overlay.tabIndex = -1;
  setHtml(overlay, html`<div class="preview-box"><h3>${title} <button type="button" class="close">Đóng (Esc)</button></h3>
    <div class="pages" data-testid="preview-pages"><p class="muted">${words.waiting}</p></div></div>`);
  const close = () => {
    overlay.remove();
    if (from?.isConnected) from.focus();
  };
  overlay.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      close();
    }
  });
  overlay.querySelector('.close')!.addEventListener('click', close);
  document.body.appendChild(overlay);
  overlay.focus();
  const pages = overlay.querySelector<HTMLElement>('.pages')!;
  try {
    const bytes = await load();
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const worker = await import('pdfjs-dist/legacy/build/pdf.worker.min.mjs?url');
    pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
    const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes) }).promise;
    pages.replaceChildren();
    for (let i = 1; i <= doc.numPages; i++) {
      // closed meanwhile (Esc, the screen locked): nothing more is drawn
      if (!overlay.isConnected) return;
      const page = await doc.getPage(i);
      const viewport = page.getViewport({ scale: 1.3 });
      const canvas = document.createElement('canvas');
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      canvas.dataset.testid = 'preview-page';
      pages.appendChild(canvas);
      await page.render({ canvas, canvasContext: canvas.getContext('2d')!, viewport }).promise;
    }
  } catch (e) {
    setHtml(pages, html`<p class="error" data-testid="preview-error">${words.failed}: ${(e as AppError).message ?? String(e)}</p>`);
  }
}

/** Closes every viewer and page shown over the window (the screen locks: no document stays on it). */
export function closeViewers() {
  document.querySelectorAll('.preview-overlay').forEach((o) => o.remove());
}
