// The electronic dossier in the dossier view (issue 16): the documents the dossier holds — which item
// (or the result), its name, pages, size, where its upload to the portal stands (the core's words, a
// thin bar while it is being sent), "Xem" opens it in the viewer (the core audits the opening). A
// compact control adds a document later: the result, or an item received on paper only, scanned or
// picked from files into the staging (`<code>/result`, `<code>/<item id>`), then saved to the dossier.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { BlobUpload } from './bindings/BlobUpload';
import type { DocumentView } from './bindings/DocumentView';
import type { DossierView } from './bindings/DossierView';
import type { StagingView } from './bindings/StagingView';
import { formatDateTime, formatSize } from './format';
import { html, setHtml, type SafeHtml } from './html';
import { showPdf } from './printing';
import {
  FILE_ACCEPT, PAGE_KEYS_HINT, dropItem, importFiles, pageKey, pagesMarkup, scanSettings, showPage, stagedItem, type PageHost,
} from './staging';

/** The slot value of the result in the control's list (item ids are the checklist's). */
const RESULT = 'result';

/** Where a document's upload stands: the core's words, and how far a file being sent has got. */
export function uploadMarkup(u: BlobUpload | undefined): SafeHtml {
  if (!u) return html``;
  const sending = u.state === 'sending';
  return html`<span class="upload ${u.state}" data-testid="document-upload" data-state="${u.state}" title="${u.reason ?? ''}">${u.label}</span>${sending
    ? html` <progress class="thin" data-testid="document-progress" max="${u.size}" value="${u.sent}" title="${formatSize(u.sent)} / ${formatSize(u.size)}"></progress>`
    : ''}${u.reason ? html` <small class="muted">${u.reason}</small>` : ''}`;
}

export class DossierDocuments {
  readonly el: HTMLElement;
  private readonly code: string;
  private docs: DocumentView[] = [];
  private staging: StagingView = { items: [], bytes: 0 };
  private busy = false;
  private readonly pages: PageHost;

  constructor(
    dossier: DossierView,
    private api: Api = defaultApi,
  ) {
    this.code = dossier.code;
    this.el = document.createElement('div');
    this.el.className = 'dossier-documents';
    this.el.dataset.testid = 'dossier-documents';
    setHtml(this.el, html`<h4>Tài liệu điện tử</h4>
      <p class="error" data-testid="documents-error" role="alert" hidden></p>
      <table class="results doc-table" hidden><tbody data-testid="documents-rows"></tbody></table>
      <p class="muted" data-testid="documents-empty">Đang đọc…</p>
      <div class="doc-attach" data-testid="doc-attach">
        <label>Thêm <select data-testid="attach-slot">
          <option value="${RESULT}">Kết quả giải quyết</option>
          ${dossier.documents.map((d) => html`<option value="${d.id}">${d.name}</option>`)}
        </select></label>
        <input data-testid="attach-name" placeholder="Mô tả kết quả (không bắt buộc)" />
        <button type="button" data-testid="attach-scan">Quét</button>
        <button type="button" data-testid="attach-file">Chọn tệp…</button>
        <input type="file" data-testid="attach-file-input" accept="${FILE_ACCEPT}" multiple hidden />
        <span class="doc-scan" data-testid="attach-pages" hidden></span>
        <button type="button" data-testid="attach-save" disabled>Lưu vào hồ sơ</button>
        <button type="button" data-testid="attach-drop" hidden>Bỏ</button>
        <small class="muted" data-testid="attach-note" role="status"></small>
        <small class="scan-error" data-testid="attach-error" role="alert" hidden></small>
      </div>`);
    this.pages = {
      api,
      root: this.el,
      redraw: (v) => this.showStaged(v),
      fail: (_key, message) => this.attachError(message),
      fallback: () => this.q('[data-testid="attach-scan"]'),
    };
    this.wire();
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  private wire() {
    const slot = this.q<HTMLSelectElement>('[data-testid="attach-slot"]');
    slot.addEventListener('change', () => this.drawStaged());
    this.q('[data-testid="attach-scan"]').addEventListener('click', () => void this.scan());
    const picker = this.q<HTMLInputElement>('[data-testid="attach-file-input"]');
    this.q('[data-testid="attach-file"]').addEventListener('click', () => picker.click());
    picker.addEventListener('change', () => {
      const files = Array.from(picker.files ?? []);
      picker.value = '';
      if (files.length) void this.addFiles(files);
    });
    this.q('[data-testid="attach-save"]').addEventListener('click', () => void this.save());
    this.q('[data-testid="attach-drop"]').addEventListener('click', () => void this.dropStaged());
    const pages = this.q('[data-testid="attach-pages"]');
    pages.addEventListener('keydown', (ev) => pageKey(this.pages, ev));
    pages.addEventListener('focusin', (ev) => this.note((ev.target as HTMLElement).closest('[data-page]') ? PAGE_KEYS_HINT : ''));
    pages.addEventListener('click', (ev) => {
      const page = (ev.target as HTMLElement).closest<HTMLElement>('.page[data-page]:not(.pdf)');
      if (page) void showPage(this.api, this.key(), Number(page.dataset.page), page);
    });
    this.q('[data-testid="documents-rows"]').addEventListener('click', (ev) => {
      const b = (ev.target as HTMLElement).closest<HTMLElement>('[data-open]');
      const doc = b ? this.docs.find((d) => d.sha256 === b.dataset.open) : undefined;
      if (doc) void this.open(doc);
    });
  }

  /** The staging key of the slot chosen. */
  private key(): string {
    return `${this.code}/${this.q<HTMLSelectElement>('[data-testid="attach-slot"]').value}`;
  }

  private note(text: string) {
    this.q('[data-testid="attach-note"]').textContent = text;
  }

  private attachError(text: string | null) {
    const e = this.q('[data-testid="attach-error"]');
    e.textContent = text ?? '';
    e.hidden = text === null;
  }

  /** Reads the dossier's documents, and any pages still waiting for it (scanned, not saved yet). */
  async load() {
    try {
      this.showDocs(await this.api.documentsOf(this.code));
    } catch (e) {
      const err = this.q('[data-testid="documents-error"]');
      err.textContent = (e as AppError).message;
      err.hidden = false;
      this.q('[data-testid="documents-empty"]').hidden = true;
    }
    try {
      const v = await this.api.stagingView();
      // pages left waiting for this dossier: their slot is chosen, so they are seen
      const waiting = v.items.find((i) => i.key.startsWith(`${this.code}/`));
      if (waiting) this.q<HTMLSelectElement>('[data-testid="attach-slot"]').value = waiting.key.slice(this.code.length + 1);
      this.showStaged(v);
    } catch {
      // nothing waiting is shown
    }
  }

  private showDocs(docs: DocumentView[]) {
    this.docs = docs;
    const rows = this.q('[data-testid="documents-rows"]');
    setHtml(rows, html`${docs.map((d) => html`<tr data-testid="document-row">
      <td>${d.slot_label}</td>
      <td data-testid="document-name">${d.name}</td>
      <td>${d.pages} trang</td>
      <td data-testid="document-size">${formatSize(d.size)}</td>
      <td title="${formatDateTime(d.attached_at)} — ${d.by}">${uploadMarkup(d.upload)}${d.held ? '' : html` <small class="muted" data-testid="document-remote">(chưa có trên máy này)</small>`}</td>
      <td><button type="button" data-open="${d.sha256}" data-testid="document-open">Xem</button></td></tr>`)}`);
    this.q('table').hidden = docs.length === 0;
    const empty = this.q('[data-testid="documents-empty"]');
    empty.textContent = 'Chưa có tài liệu điện tử.';
    empty.hidden = docs.length > 0;
  }

  /** The document in the viewer (the core fetches it from the portal when this machine does not hold it). */
  private open(d: DocumentView): Promise<void> {
    return showPdf(`${d.slot_label}: ${d.name}`, () => this.api.documentBytes(this.code, d.sha256));
  }

  private showStaged(v: StagingView) {
    this.staging = v;
    this.drawStaged();
  }

  /** The pages waiting for the slot chosen, and whether there is anything to save. */
  private drawStaged() {
    const item = stagedItem(this.staging, this.key());
    const box = this.q('[data-testid="attach-pages"]');
    box.dataset.key = this.key();
    box.hidden = !item;
    setHtml(box, item ? pagesMarkup(item) : html``);
    this.q<HTMLButtonElement>('[data-testid="attach-save"]').disabled = !item || this.busy;
    this.q('[data-testid="attach-drop"]').hidden = !item;
    // a result is described; an item is named by the checklist
    this.q('[data-testid="attach-name"]').hidden = this.q<HTMLSelectElement>('[data-testid="attach-slot"]').value !== RESULT;
  }

  private setBusy(text: string | null) {
    this.busy = text !== null;
    this.note(text ?? '');
    for (const id of ['attach-scan', 'attach-file', 'attach-slot']) this.q<HTMLButtonElement>(`[data-testid="${id}"]`).disabled = this.busy;
    this.drawStaged();
  }

  /** Scans into the slot chosen; on a scanner's problem its words are shown and the pages read before it stay. */
  async scan() {
    if (this.busy) return;
    const key = this.key();
    this.attachError(null);
    this.setBusy('Đang quét…');
    try {
      this.staging = await this.api.stagingScan(key, null, scanSettings());
    } catch (e) {
      this.attachError((e as AppError).message);
      try {
        this.staging = await this.api.stagingView();
      } catch {
        // as last known
      }
    }
    this.setBusy(null);
  }

  async addFiles(files: readonly File[]) {
    if (this.busy) return;
    this.attachError(null);
    this.setBusy('Đang đọc tệp…');
    const { view, refused } = await importFiles(this.api, this.key(), files);
    if (view) this.staging = view;
    if (refused.length) this.attachError(refused.join(' · '));
    this.setBusy(null);
  }

  /** Saves the pages waiting for the slot chosen as the dossier's document (replacing an earlier one for it). */
  async save() {
    if (this.busy || !stagedItem(this.staging, this.key())) return;
    const key = this.key();
    const result = this.q<HTMLSelectElement>('[data-testid="attach-slot"]').value === RESULT;
    const name = this.q<HTMLInputElement>('[data-testid="attach-name"]').value.trim();
    this.attachError(null);
    this.setBusy('Đang lưu…');
    try {
      this.showDocs(await this.api.documentsSave(this.code, key, result && name ? name : null));
      // the shell forgot what it saved
      this.staging = { ...this.staging, items: this.staging.items.filter((i) => i.key !== key) };
      this.q<HTMLInputElement>('[data-testid="attach-name"]').value = '';
      this.setBusy(null);
      this.note('Đã lưu vào hồ sơ.');
    } catch (e) {
      this.setBusy(null);
      this.attachError((e as AppError).message);
    }
  }

  /** Forgets the pages waiting for the slot chosen. */
  private async dropStaged() {
    const item = stagedItem(this.staging, this.key());
    if (!item || this.busy) return;
    try {
      this.showStaged((await dropItem(this.api, item)) ?? this.staging);
    } catch (e) {
      this.attachError((e as AppError).message);
    }
  }
}
