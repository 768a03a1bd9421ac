// Pages waiting in the shell's staging before they are saved as a dossier's PDF (issue 16): what the
// intake checklist and the dossier view share. The scanner settings the clerk chose (remembered on
// this machine), a staged item's pages as small thumbnails, the keys on a page (Delete removes it,
// Alt+←/→ moves it, ←/→ go to the next, Enter shows it larger), and a citizen's files read for the
// shell. What the pages become (one PDF per item) and whether a file will do are the core's.
import type { Api } from './api';
import type { AppError } from './bindings/AppError';
import type { ScanMode } from './bindings/ScanMode';
import type { ScanSettings } from './bindings/ScanSettings';
import type { ScanSource } from './bindings/ScanSource';
import type { StagedItem } from './bindings/StagedItem';
import type { StagingView } from './bindings/StagingView';
import { html, setHtml, type SafeHtml } from './html';

/** The resolutions offered (dpi). */
export const SCAN_DPIS: readonly number[] = [150, 200, 300, 600];
export const SCAN_MODES: readonly ScanMode[] = ['gray', 'color', 'lineart'];
export const SCAN_SOURCES: readonly ScanSource[] = ['flatbed', 'feeder'];

/** A colour mode in words (exhaustive: a new mode in the core fails to compile here). */
export function scanModeText(m: ScanMode): string {
  switch (m) {
    case 'gray':
      return 'Xám';
    case 'color':
      return 'Màu';
    case 'lineart':
      return 'Đen trắng';
  }
}

/** Where the paper is, in words (exhaustive). */
export function scanSourceText(s: ScanSource): string {
  switch (s) {
    case 'flatbed':
      return 'Mặt kính';
    case 'feeder':
      return 'Khay nạp giấy';
  }
}

/** What the clerk chose on this machine (a preference, not a record). */
type ScanChoice = Pick<ScanSettings, 'dpi' | 'mode' | 'source'>;
const STORE_KEY = 'motcua.scan';
/** The shell's own defaults: 200 dpi, gray, the flatbed; at most 50 pages from the feeder. */
const DEFAULT_CHOICE: ScanChoice = { dpi: 200, mode: 'gray', source: 'flatbed' };
const MAX_PAGES = 50;

export function scanChoice(): ScanChoice {
  try {
    const c = JSON.parse(globalThis.localStorage?.getItem(STORE_KEY) ?? 'null') as Partial<ScanChoice> | null;
    return {
      dpi: SCAN_DPIS.includes(Number(c?.dpi)) ? Number(c?.dpi) : DEFAULT_CHOICE.dpi,
      mode: SCAN_MODES.find((m) => m === c?.mode) ?? DEFAULT_CHOICE.mode,
      source: SCAN_SOURCES.find((s) => s === c?.source) ?? DEFAULT_CHOICE.source,
    };
  } catch {
    return { ...DEFAULT_CHOICE };
  }
}

export function saveScanChoice(c: ScanChoice) {
  try {
    globalThis.localStorage?.setItem(STORE_KEY, JSON.stringify(c));
  } catch {
    // not remembered: the next scan uses the defaults again
  }
}

/** The settings a scan is sent with. */
export function scanSettings(): ScanSettings {
  return { ...scanChoice(), max_pages: MAX_PAGES };
}

/** The three small selects of the scanner settings (wired by `wireScanChoice`). */
export function scanChoiceMarkup(): SafeHtml {
  const c = scanChoice();
  const sel = (v: string | number, now: string | number) => (String(v) === String(now) ? html` selected` : '');
  return html`<select data-scan-choice="dpi" data-testid="scan-dpi" title="Độ phân giải">${SCAN_DPIS.map((d) => html`<option value="${d}"${sel(d, c.dpi)}>${d} dpi</option>`)}</select>
    <select data-scan-choice="mode" data-testid="scan-mode" title="Chế độ màu">${SCAN_MODES.map((m) => html`<option value="${m}"${sel(m, c.mode)}>${scanModeText(m)}</option>`)}</select>
    <select data-scan-choice="source" data-testid="scan-source" title="Nguồn giấy">${SCAN_SOURCES.map((s) => html`<option value="${s}"${sel(s, c.source)}>${scanSourceText(s)}</option>`)}</select>`;
}

/** Remembers what is chosen in the selects under `root`. */
export function wireScanChoice(root: HTMLElement) {
  const pick = (name: string) => root.querySelector<HTMLSelectElement>(`[data-scan-choice="${name}"]`)?.value ?? '';
  root.querySelectorAll<HTMLSelectElement>('[data-scan-choice]').forEach((s) =>
    s.addEventListener('change', () => saveScanChoice({ dpi: Number(pick('dpi')), mode: pick('mode') as ScanMode, source: pick('source') as ScanSource })),
  );
}

/** The item waiting under `key`, if any. */
export function stagedItem(v: StagingView, key: string): StagedItem | undefined {
  return v.items.find((i) => i.key === key);
}

/** The words for an item's pages: a citizen's PDF by its name, else the count. */
export function pagesText(item: StagedItem): string {
  return item.pdf_name !== undefined ? `PDF ${item.pdf_name} (${item.pages} trang)` : `${item.pages} trang`;
}

/**
 * An item's pages: the count and one small thumbnail per page (a citizen's PDF is one piece). Each
 * page is a button carrying its index; only the first is in the Tab order (←/→ go through the rest).
 * The strip carries the item's key (`data-key`).
 */
export function pagesMarkup(item: StagedItem): SafeHtml {
  if (item.pdf_name !== undefined) {
    return html`<button type="button" class="page pdf" data-page="0" data-testid="staged-page" title="Delete: bỏ tệp này">${pagesText(item)}</button>`;
  }
  return html`<span class="pages-count" data-testid="staged-count">${pagesText(item)}</span>${item.thumbnails.map(
    (src, i) => html`<button type="button" class="page" data-page="${i}" data-testid="staged-page" tabindex="${i === 0 ? '0' : '-1'}" title="Trang ${i + 1}: Enter xem lớn · Delete bỏ trang · Alt+←/→ đổi chỗ"><img src="${src}" alt="Trang ${i + 1}" /></button>`,
  )}`;
}

/** The words shown while a page has the cursor. */
export const PAGE_KEYS_HINT = 'Trang: Enter xem lớn · Delete bỏ · Alt+←/→ đổi chỗ · ←/→ trang khác';

/** The strip of `key` under `root` (keys are compared as values, never put in a selector). */
export function stripOf(root: ParentNode, key: string): HTMLElement | undefined {
  return Array.from(root.querySelectorAll<HTMLElement>('[data-key]')).find((e) => e.dataset.key === key);
}

/** What the keys on the pages need from their screen. */
export interface PageHost {
  readonly api: Api;
  /** Where the strips are. */
  readonly root: HTMLElement;
  /** Draws the staging again after a change. */
  redraw(v: StagingView): void;
  /** Shows a refusal beside the item. */
  fail(key: string, message: string): void;
  /** Where the cursor goes when an item's last page is gone. */
  fallback(key: string): HTMLElement | null;
}

/**
 * The keys on a page (the target of `ev`, inside a strip): true when the key was one of them. Delete
 * removes the page, Alt+←/→ move it, ←/→ go to the neighbour, Enter shows it larger.
 */
export function pageKey(host: PageHost, ev: KeyboardEvent): boolean {
  const page = (ev.target as HTMLElement | null)?.closest<HTMLElement>('[data-page]');
  const strip = page?.closest<HTMLElement>('[data-key]');
  if (!page || !strip) return false;
  const key = strip.dataset.key!;
  const index = Number(page.dataset.page);
  const count = strip.querySelectorAll('[data-page]').length;
  const arrow = ev.key === 'ArrowLeft' ? -1 : ev.key === 'ArrowRight' ? 1 : 0;
  if (ev.key === 'Delete' || ev.key === 'Backspace') {
    void change(host, key, () => host.api.stagingPageRemove(key, index), Math.min(index, count - 2));
  } else if (arrow && ev.altKey) {
    const to = index + arrow;
    if (to >= 0 && to < count) void change(host, key, () => host.api.stagingPageMove(key, index, to), to);
  } else if (arrow && !ev.ctrlKey && !ev.metaKey) {
    focusPage(strip, index + arrow);
  } else if (ev.key === 'Enter' && !ev.ctrlKey && !ev.metaKey && !page.classList.contains('pdf')) {
    void showPage(host.api, key, index, page);
  } else {
    return false;
  }
  ev.preventDefault();
  ev.stopPropagation();
  return true;
}

function focusPage(strip: HTMLElement, index: number): boolean {
  const pages = strip.querySelectorAll<HTMLElement>('[data-page]');
  const p = pages[index];
  if (!p) return false;
  pages.forEach((x) => (x.tabIndex = x === p ? 0 : -1));
  p.focus();
  return true;
}

/** Asks the shell for a change to an item's pages, draws the staging again, and puts the cursor on page `focus`. */
async function change(host: PageHost, key: string, ask: () => Promise<StagingView>, focus: number) {
  try {
    host.redraw(await ask());
  } catch (e) {
    host.fail(key, (e as AppError).message);
    return;
  }
  const strip = stripOf(host.root, key);
  if (!strip || !focusPage(strip, focus)) host.fallback(key)?.focus();
}

/** One page larger, over the window; Esc (or a click) closes it and the cursor goes back. */
export async function showPage(api: Api, key: string, index: number, from: HTMLElement | null = null): Promise<void> {
  const overlay = document.createElement('div');
  overlay.className = 'preview-overlay page-overlay';
  overlay.dataset.testid = 'page-view';
  overlay.tabIndex = -1;
  setHtml(overlay, html`<div class="preview-box"><h3>Trang ${index + 1} <button type="button" class="close">Đóng (Esc)</button></h3>
    <div class="pages" data-testid="page-view-body"><p class="muted">Đang mở trang…</p></div></div>`);
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
  overlay.addEventListener('click', (ev) => {
    if (ev.target === overlay || (ev.target as HTMLElement).closest('.close')) close();
  });
  document.body.appendChild(overlay);
  overlay.focus();
  const body = overlay.querySelector<HTMLElement>('.pages')!;
  try {
    const src = await api.stagingPageImage(key, index);
    setHtml(body, html`<img src="${src}" alt="Trang ${index + 1}" data-testid="page-view-image" />`);
  } catch (e) {
    setHtml(body, html`<p class="error">${(e as AppError).message}</p>`);
  }
}

/**
 * Hands a citizen's files to the shell for an item, one after the other (the core checks each: a
 * refused one adds nothing). Returns the staging after the last one and the refusals, in words.
 */
export async function importFiles(api: Api, key: string, files: readonly File[]): Promise<{ view: StagingView | null; refused: string[] }> {
  let view: StagingView | null = null;
  const refused: string[] = [];
  for (const f of files) {
    try {
      view = await api.stagingImport(key, f.name, new Uint8Array(await f.arrayBuffer()));
    } catch (e) {
      refused.push((e as AppError).message);
    }
  }
  return { view, refused };
}

/** The files a drop carries (none for text or elements dragged within the page). */
export function droppedFiles(ev: DragEvent): File[] {
  return Array.from(ev.dataTransfer?.files ?? []);
}

/** Whether a drag carries files (what a row accepts). */
export function dragsFiles(ev: DragEvent): boolean {
  return Array.from(ev.dataTransfer?.types ?? []).includes('Files');
}

/** What a file picker takes: PDFs and pictures. */
export const FILE_ACCEPT = '.pdf,.jpg,.jpeg,.png,image/*,application/pdf';

/** Forgets one item exactly (a prefix clear could take a longer key with it): page by page, a PDF at once. */
export async function dropItem(api: Api, item: StagedItem): Promise<StagingView | null> {
  let v: StagingView | null = null;
  const n = item.pdf_name !== undefined ? 1 : Math.max(item.thumbnails.length, 1);
  for (let i = n - 1; i >= 0; i--) v = await api.stagingPageRemove(item.key, i);
  return v;
}
