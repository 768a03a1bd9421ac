// The papers digitised at intake (issue 16): each checklist row shows the pages waiting for it (a
// count, a citizen's PDF by its name, small thumbnails). Alt+S scans into the current item — the row
// with the cursor, else the one marked — and then marks the next item received that has no pages
// yet; Alt+T picks files for it; files dropped on a row go to that row. A scanner's problem is shown
// beside the item in the core's words, and the pages read before it stay. The pages wait in the
// shell under `intake/<item id>`; the shell attaches them itself when the dossier is taken in (the
// request carries nothing of them), and they are forgotten when the form is cleared.
import type { Api } from './api';
import type { AppError } from './bindings/AppError';
import type { StagingView } from './bindings/StagingView';
import { html, setHtml } from './html';
import {
  FILE_ACCEPT, PAGE_KEYS_HINT, dragsFiles, dropItem, droppedFiles, importFiles, pageKey, pagesMarkup, scanChoiceMarkup, scanSettings,
  showPage, stagedItem, wireScanChoice, type PageHost,
} from './staging';

/** The staging prefix of the form's items. */
export const INTAKE_PREFIX = 'intake/';
const keyOf = (id: string) => `${INTAKE_PREFIX}${id}`;
const DROP_HINT = 'Kéo thả tệp vào đúng dòng thành phần';

/** What the panel needs from the intake screen. */
export interface ScanHost {
  readonly el: HTMLElement;
  readonly api: Api;
}

export class ScanPanel {
  private view: StagingView = { items: [], bytes: 0 };
  /** The checklist item scans and files go to (its id). */
  private current: string | null = null;
  /** The item being scanned or read now, and what is said meanwhile. */
  private busy: string | null = null;
  private busyText = '';
  /** A refusal beside each item (the core's words), until its next scan or file. */
  private readonly errors = new Map<string, string>();
  /** Bumped when the form is cleared: a scan that ends after it belongs to nobody. */
  private generation = 0;
  private pickFor: string | null = null;
  private readonly pages: PageHost;

  constructor(private host: ScanHost) {
    this.pages = {
      api: host.api,
      root: host.el,
      redraw: (v) => this.show(v),
      fail: (key, message) => this.fail(key.slice(INTAKE_PREFIX.length), message),
      fallback: (key) => this.row(key.slice(INTAKE_PREFIX.length))?.querySelector<HTMLElement>('input[type=checkbox]') ?? null,
    };
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.host.el.querySelector(sel) as T;
  }

  private list(): HTMLElement {
    return this.q('.doc-list');
  }

  /** The checklist rows in order, by item id. */
  private rows(): HTMLElement[] {
    return Array.from(this.list()?.querySelectorAll<HTMLElement>('.doc[data-item]') ?? []);
  }

  private row(id: string): HTMLElement | undefined {
    return this.rows().find((r) => r.dataset.item === id);
  }

  private pagesOf(id: string): number {
    return stagedItem(this.view, keyOf(id))?.pages ?? 0;
  }

  private received(id: string): boolean {
    return !!this.row(id)?.querySelector<HTMLInputElement>('input[type=checkbox]')?.checked;
  }

  /** Draws the bar (buttons, scanner settings) and listens on the checklist. */
  wire() {
    const bar = this.q('[data-testid="scan-bar"]');
    setHtml(bar, html`<button type="button" data-testid="scan-item">Số hóa <span class="key">(Alt+S)</span></button>
      <button type="button" data-testid="scan-file">Chọn tệp <span class="key">(Alt+T)</span></button>
      <input type="file" data-testid="scan-file-input" accept="${FILE_ACCEPT}" multiple hidden />
      ${scanChoiceMarkup()}
      <span class="muted scan-note" data-testid="scan-note" role="status">${DROP_HINT}</span>
      <div class="warn-line" data-testid="scan-orphans" hidden></div>`);
    wireScanChoice(bar);
    this.q('[data-testid="scan-item"]').addEventListener('click', () => void this.scan());
    this.q('[data-testid="scan-file"]').addEventListener('click', () => this.pick());
    const picker = this.q<HTMLInputElement>('[data-testid="scan-file-input"]');
    picker.addEventListener('change', () => {
      const files = Array.from(picker.files ?? []);
      const id = this.pickFor;
      picker.value = '';
      this.pickFor = null;
      if (id && files.length) void this.addFiles(id, files);
    });
    const list = this.list();
    list.addEventListener('focusin', (ev) => {
      const id = (ev.target as HTMLElement).closest<HTMLElement>('.doc[data-item]')?.dataset.item;
      if (id) this.mark(id);
      this.note((ev.target as HTMLElement).closest('[data-page]') ? PAGE_KEYS_HINT : DROP_HINT);
    });
    list.addEventListener('keydown', (ev) => pageKey(this.pages, ev));
    list.addEventListener('click', (ev) => {
      // a page clicked: shown larger, as Enter does
      const page = (ev.target as HTMLElement).closest<HTMLElement>('.page[data-page]:not(.pdf)');
      const key = page?.closest<HTMLElement>('[data-key]')?.dataset.key;
      if (!page || !key) return;
      ev.preventDefault();
      void showPage(this.host.api, key, Number(page.dataset.page), page);
    });
    // files dropped on a row go to its item
    list.addEventListener('dragover', (ev) => {
      const r = (ev.target as HTMLElement).closest<HTMLElement>('.doc[data-item]');
      if (!r || !dragsFiles(ev)) return;
      ev.preventDefault();
      if (ev.dataTransfer) ev.dataTransfer.dropEffect = 'copy';
      this.rows().forEach((x) => x.classList.toggle('drop-target', x === r));
    });
    list.addEventListener('dragleave', (ev) => {
      if (!list.contains(ev.relatedTarget as Node | null)) this.rows().forEach((x) => x.classList.remove('drop-target'));
    });
    list.addEventListener('drop', (ev) => {
      const id = (ev.target as HTMLElement).closest<HTMLElement>('.doc[data-item]')?.dataset.item;
      this.rows().forEach((x) => x.classList.remove('drop-target'));
      const files = droppedFiles(ev);
      if (!id || !files.length) return;
      ev.preventDefault();
      this.mark(id);
      void this.addFiles(id, files);
    });
  }

  /** Alt+S and Alt+T; true when the key was the panel's. */
  altKey(ev: KeyboardEvent): boolean {
    if (!ev.altKey || ev.ctrlKey || ev.metaKey || !this.rows().length) return false;
    const k = ev.key.toLowerCase();
    if (k === 's' || ev.code === 'KeyS') {
      void this.scan();
      return true;
    }
    if (k === 't' || ev.code === 'KeyT') {
      this.pick();
      return true;
    }
    return false;
  }

  /** The checklist was drawn (a procedure or case picked): its rows show what waits for them. */
  async checklistShown() {
    this.current = null;
    this.draw();
    await this.refresh();
    this.current = this.wanted(null) ?? this.rows()[0]?.dataset.item ?? null;
    this.draw();
  }

  /** A new citizen (F2/Esc, a contact recorded, a dossier taken in): nothing of the last one's papers stays. */
  async reset() {
    this.generation++;
    this.view = { items: [], bytes: 0 };
    this.errors.clear();
    this.current = null;
    this.pickFor = null;
    try {
      await this.host.api.stagingClear(INTAKE_PREFIX);
    } catch {
      // the shell forgets them anyway when the window closes; nothing to show on an empty form
    }
  }

  /** Reads the staging again (after a scanner's error: the pages read before it are kept). */
  private async refresh() {
    const gen = this.generation;
    try {
      const v = await this.host.api.stagingView();
      if (gen === this.generation) this.show(v);
    } catch {
      // the rows show what was last known
    }
  }

  private show(v: StagingView) {
    this.view = v;
    this.draw();
  }

  private mark(id: string) {
    if (this.current === id) return;
    this.current = id;
    this.rows().forEach((r) => r.classList.toggle('current', r.dataset.item === id));
  }

  private note(text: string) {
    const n = this.q('[data-testid="scan-note"]');
    if (n) n.textContent = text;
  }

  /** The first item after `after` (in checklist order, coming round) that is received and has no pages yet. */
  private wanted(after: string | null): string | null {
    const ids = this.rows().map((r) => r.dataset.item!);
    const start = after === null ? 0 : ids.indexOf(after) + 1;
    const order = [...ids.slice(start), ...ids.slice(0, start)];
    return order.find((id) => id !== after && this.received(id) && this.pagesOf(id) === 0) ?? null;
  }

  /** The item Alt+S and Alt+T act on: the marked one, else the first one still wanted. */
  private target(): string | null {
    const ids = this.rows().map((r) => r.dataset.item!);
    if (this.current && ids.includes(this.current)) return this.current;
    return this.wanted(null) ?? ids[0] ?? null;
  }

  /** Draws every row's pages, busy mark and refusal, and the marked row. */
  private draw() {
    for (const r of this.rows()) {
      const id = r.dataset.item!;
      r.classList.toggle('current', id === this.current);
      const slot = r.querySelector<HTMLElement>('.doc-scan');
      if (!slot) continue;
      const item = stagedItem(this.view, keyOf(id));
      const err = this.errors.get(id);
      const busy = this.busy === id;
      slot.dataset.key = keyOf(id);
      slot.hidden = !item && !err && !busy;
      setHtml(slot, html`${item ? pagesMarkup(item) : ''}${busy ? html`<small class="busy" data-testid="scan-busy" role="status">${this.busyText}</small>` : ''}${err ? html`<small class="scan-error" data-testid="scan-error" role="alert">${err}</small>` : ''}`);
    }
    const orphans = this.orphans();
    const box = this.q('[data-testid="scan-orphans"]');
    if (box) {
      box.hidden = orphans.length === 0;
      setHtml(box, orphans.length ? html`Có trang đã số hóa cho ${orphans.length} thành phần không thuộc danh sách này. <button type="button" class="link" data-testid="scan-orphans-drop">Bỏ các trang đó</button>` : html``);
      box.querySelector('button')?.addEventListener('click', () => void this.dropOrphans());
    }
    const scanBtn = this.q<HTMLButtonElement>('[data-testid="scan-item"]');
    if (scanBtn) scanBtn.disabled = this.busy !== null;
  }

  /** Items waiting under `intake/` whose item is not in the checklist shown (another procedure was picked). */
  private orphans() {
    if (!this.rows().length) return [];
    const ids = new Set(this.rows().map((r) => keyOf(r.dataset.item!)));
    return this.view.items.filter((i) => i.key.startsWith(INTAKE_PREFIX) && !ids.has(i.key));
  }

  private async dropOrphans() {
    try {
      for (const i of this.orphans()) this.view = (await dropItem(this.host.api, i)) ?? this.view;
    } catch (e) {
      this.note((e as AppError).message);
    }
    await this.refresh();
  }

  private fail(id: string, message: string) {
    this.errors.set(id, message);
    this.draw();
  }

  /** Scans into the current item; then the next item still wanted is marked (and has the cursor, if its row had it). */
  async scan(): Promise<void> {
    const id = this.target();
    if (!id || this.busy) return;
    const gen = this.generation;
    this.busy = id;
    this.busyText = 'Đang quét…';
    this.mark(id);
    this.errors.delete(id);
    this.draw();
    let failed: string | null = null;
    let view: StagingView | null = null;
    try {
      view = await this.host.api.stagingScan(keyOf(id), null, scanSettings());
    } catch (e) {
      failed = (e as AppError).message;
    }
    this.busy = null;
    if (gen !== this.generation) {
      // the form was cleared meanwhile: the pages of this scan are nobody's
      await this.forget(id);
      this.draw();
      return;
    }
    if (failed !== null) {
      this.errors.set(id, failed);
      // the pages read before the problem are kept: read them again
      await this.refresh();
      this.draw();
      return;
    }
    this.show(view!);
    const next = this.wanted(id);
    if (!next) return;
    const hadCursor = !!document.activeElement && !!this.row(id)?.contains(document.activeElement);
    this.mark(next);
    if (hadCursor) this.row(next)?.querySelector<HTMLElement>('input[type=checkbox]')?.focus();
  }

  private async forget(id: string) {
    try {
      const v = await this.host.api.stagingView();
      const item = stagedItem(v, keyOf(id));
      this.view = item ? ((await dropItem(this.host.api, item)) ?? v) : v;
    } catch {
      // left for the next clear
    }
  }

  /** Opens the file picker for the current item. */
  pick() {
    const id = this.target();
    if (!id) return;
    this.mark(id);
    this.pickFor = id;
    this.q<HTMLInputElement>('[data-testid="scan-file-input"]').click();
  }

  /** A citizen's files into an item: a refused file adds nothing, its reason is shown beside the item. */
  async addFiles(id: string, files: readonly File[]) {
    if (this.busy) return;
    const gen = this.generation;
    this.busy = id;
    this.busyText = 'Đang đọc tệp…';
    this.errors.delete(id);
    this.draw();
    const { view, refused } = await importFiles(this.host.api, keyOf(id), files);
    this.busy = null;
    if (gen !== this.generation) {
      await this.forget(id);
      this.draw();
      return;
    }
    if (refused.length) this.errors.set(id, refused.join(' · '));
    if (view) this.show(view);
    else this.draw();
  }
}
