import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IntakeRequest } from './bindings/IntakeRequest';
import type { StagedItem } from './bindings/StagedItem';
import type { StagingView } from './bindings/StagingView';
import { procedureView } from './test-data';

// the backend; the staging is kept here as the shell keeps it (pages per key)
const { fake, staged } = vi.hoisted(() => {
  const staged = new Map<string, { thumbnails: string[]; pdf_name?: string; pages?: number }>();
  const fake = {
    catalogSearch: vi.fn(), intakePreview: vi.fn(), intakeSubmit: vi.fn(), settingsGet: vi.fn(), applicantReturning: vi.fn(),
    stagingView: vi.fn(), stagingScan: vi.fn(), stagingImport: vi.fn(), stagingPageRemove: vi.fn(), stagingPageMove: vi.fn(),
    stagingClear: vi.fn(), stagingPageImage: vi.fn(),
  };
  return { fake, staged };
});
vi.mock('./api', () => ({ api: fake, toAppError: (e: unknown) => e }));

import { IntakeScreen } from './intake';

const birth = procedureView({
  code: '1.001193', name: 'Đăng ký khai sinh', field: 'Hộ tịch', level: 'commune',
  time_limit: { kind: 'same_day', cutoff: '15:00' }, fee: { kind: 'exempt', amount: 0 }, result: 'Giấy khai sinh', postal_return: true,
  legal_basis: '', source: 'x', confidence: 'S',
  documents: [
    { id: 'to-khai', name: 'Tờ khai đăng ký khai sinh', form: 'original', count: 1, mandatory: true },
    { id: 'uy-quyen', name: 'Văn bản ủy quyền', form: 'certified_copy', count: 1, mandatory: false },
    { id: 'chung-sinh', name: 'Giấy chứng sinh', form: 'original', count: 1, mandatory: true },
  ],
}, 'Trong ngày');

const thumb = (n: number) => `data:image/jpeg;base64,PAGE${n}`;
let pageNo = 0;
/** The staging as the shell shows it. */
function stagingView(): StagingView {
  const items: StagedItem[] = [...staged].map(([key, i]) => ({
    key, source: i.pdf_name ? 'file' : 'scanner', thumbnails: i.thumbnails, ...(i.pdf_name ? { pdf_name: i.pdf_name } : {}),
    pages: i.pages ?? i.thumbnails.length, bytes: 1000,
  }));
  return { items, bytes: items.length * 1000 };
}
/** Pages a scan reads into an item. */
function addPages(key: string, n: number) {
  const item = staged.get(key) ?? { thumbnails: [] };
  for (let i = 0; i < n; i++) item.thumbnails.push(thumb(++pageNo));
  staged.set(key, item);
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const settle = async () => {
  for (let i = 0; i < 5; i++) await tick();
};
const $ = (s: IntakeScreen, id: string) => s.el.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
const key = (el: Element, k: string, init: KeyboardEventInit = {}) =>
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
const row = (s: IntakeScreen, id: string) => s.el.querySelector<HTMLElement>(`.doc[data-item="${id}"]`)!;
const thumbs = (s: IntakeScreen, id: string) => [...row(s, id).querySelectorAll<HTMLImageElement>('[data-testid="staged-page"] img')].map((i) => i.getAttribute('src'));
const pages = (s: IntakeScreen, id: string) => [...row(s, id).querySelectorAll<HTMLElement>('[data-testid="staged-page"]')];
const active = () => document.activeElement?.getAttribute('data-testid');

describe('papers digitised at intake', () => {
  let screen: IntakeScreen;
  beforeEach(() => {
    document.body.innerHTML = '';
    localStorage.clear();
    staged.clear();
    pageNo = 0;
    Object.values(fake).forEach((f) => f.mockReset());
    fake.catalogSearch.mockResolvedValue([birth]);
    fake.intakePreview.mockResolvedValue({
      procedure_code: birth.code, procedure_name: birth.name, fee: 0, time_limit: birth.time_limit, time_limit_label: 'Trong ngày',
      received_at: '2026-02-12T10:30:00+07:00', due_at: '2026-02-12T17:00:00+07:00', terms: birth.terms[0],
    });
    fake.applicantReturning.mockResolvedValue(null);
    fake.settingsGet.mockResolvedValue({ print_on_intake: false });
    fake.stagingView.mockImplementation(async () => stagingView());
    fake.stagingScan.mockImplementation(async (k: string) => {
      addPages(k, 2);
      return stagingView();
    });
    fake.stagingPageRemove.mockImplementation(async (k: string, i: number) => {
      const item = staged.get(k)!;
      if (item.pdf_name) staged.delete(k);
      else item.thumbnails.splice(i, 1);
      if (!item.pdf_name && !item.thumbnails.length) staged.delete(k);
      return stagingView();
    });
    fake.stagingPageMove.mockImplementation(async (k: string, from: number, to: number) => {
      const t = staged.get(k)!.thumbnails;
      t.splice(to, 0, ...t.splice(from, 1));
      return stagingView();
    });
    fake.stagingClear.mockImplementation(async (prefix: string) => {
      for (const k of [...staged.keys()]) if (k.startsWith(prefix)) staged.delete(k);
      return stagingView();
    });
    fake.stagingPageImage.mockImplementation(async (k: string, i: number) => `data:image/jpeg;base64,LARGE-${k}-${i}`);
    screen = new IntakeScreen();
    document.body.append(screen.el);
  });

  async function picked() {
    await screen.pick(birth);
    await settle();
  }

  it('Alt+S scans the current item: its thumbnails show, and the next item received without pages becomes current', async () => {
    await picked();
    expect(screen.el.querySelector('[data-testid="scan-item"]')!.textContent).toContain('(Alt+S)');
    expect(screen.el.querySelector('[data-testid="scan-file"]')!.textContent).toContain('(Alt+T)');
    expect(row(screen, 'to-khai').classList.contains('current')).toBe(true);
    const box = $(screen, 'doc-to-khai');
    box.focus();
    key(box, 's', { altKey: true, code: 'KeyS' });
    // while the scanner works, the item says so
    expect(row(screen, 'to-khai').querySelector('[data-testid="scan-busy"]')!.textContent).toBe('Đang quét…');
    await settle();
    // the default settings: 200 dpi, gray, the flatbed
    expect(fake.stagingScan).toHaveBeenCalledWith('intake/to-khai', null, { dpi: 200, mode: 'gray', source: 'flatbed', max_pages: 50 });
    expect(thumbs(screen, 'to-khai')).toEqual([thumb(1), thumb(2)]);
    expect(row(screen, 'to-khai').querySelector('[data-testid="staged-count"]')!.textContent).toBe('2 trang');
    expect(row(screen, 'to-khai').querySelector('[data-testid="scan-busy"]')).toBeNull();
    // the power of attorney was not received (unticked): the birth certificate is next
    expect(row(screen, 'chung-sinh').classList.contains('current')).toBe(true);
    expect(row(screen, 'to-khai').classList.contains('current')).toBe(false);
    expect(active()).toBe('doc-chung-sinh');
    key($(screen, 'doc-chung-sinh'), 'S', { altKey: true, code: 'KeyS' });
    await settle();
    expect(fake.stagingScan).toHaveBeenLastCalledWith('intake/chung-sinh', null, expect.anything());
    expect(thumbs(screen, 'chung-sinh')).toEqual([thumb(3), thumb(4)]);
    // the pages go with the dossier through the shell: the request carries none
    expect((screen.buildRequest() as IntakeRequest).attachments).toBeUndefined();
  });

  it('the scanner settings chosen are used and remembered', async () => {
    await picked();
    const dpi = screen.el.querySelector<HTMLSelectElement>('[data-testid="scan-dpi"]')!;
    const mode = screen.el.querySelector<HTMLSelectElement>('[data-testid="scan-mode"]')!;
    const source = screen.el.querySelector<HTMLSelectElement>('[data-testid="scan-source"]')!;
    expect([...mode.options].map((o) => o.text)).toEqual(['Xám', 'Màu', 'Đen trắng']);
    expect([...source.options].map((o) => o.text)).toEqual(['Mặt kính', 'Khay nạp giấy']);
    expect([...dpi.options].map((o) => o.value)).toEqual(['150', '200', '300', '600']);
    dpi.value = '300';
    dpi.dispatchEvent(new Event('change'));
    source.value = 'feeder';
    source.dispatchEvent(new Event('change'));
    screen.el.querySelector<HTMLElement>('[data-testid="scan-item"]')!.click();
    await settle();
    expect(fake.stagingScan).toHaveBeenCalledWith('intake/to-khai', null, { dpi: 300, mode: 'gray', source: 'feeder', max_pages: 50 });
    // a new screen (the next start) offers them again
    const again = new IntakeScreen();
    expect(again.el.querySelector<HTMLSelectElement>('[data-testid="scan-dpi"]')!.value).toBe('300');
    expect(again.el.querySelector<HTMLSelectElement>('[data-testid="scan-source"]')!.value).toBe('feeder');
  });

  it('a jammed scanner: its words beside the item, the pages read before it kept', async () => {
    await picked();
    key($(screen, 'doc-to-khai'), 's', { altKey: true });
    await settle();
    // back to the declaration: one more page is read, then the paper jams
    $(screen, 'doc-to-khai').focus();
    fake.stagingScan.mockImplementationOnce(async (k: string) => {
      addPages(k, 1);
      throw { code: 'scanner', reason: 'scanner_jammed', message: 'Máy quét bị kẹt giấy: mở nắp, gỡ tờ giấy bị kẹt rồi quét lại trang này (các trang đã quét vẫn giữ)' };
    });
    key($(screen, 'doc-to-khai'), 's', { altKey: true });
    await settle();
    const err = row(screen, 'to-khai').querySelector('[data-testid="scan-error"]')!;
    expect(err.textContent).toBe('Máy quét bị kẹt giấy: mở nắp, gỡ tờ giấy bị kẹt rồi quét lại trang này (các trang đã quét vẫn giữ)');
    expect(fake.stagingView).toHaveBeenCalled();
    expect(thumbs(screen, 'to-khai')).toEqual([thumb(1), thumb(2), thumb(3)]);
    // the item stays current: the clerk clears the jam and scans it again
    expect(row(screen, 'to-khai').classList.contains('current')).toBe(true);
    key($(screen, 'doc-to-khai'), 's', { altKey: true });
    await settle();
    expect(row(screen, 'to-khai').querySelector('[data-testid="scan-error"]')).toBeNull();
    expect(thumbs(screen, 'to-khai')).toHaveLength(5);
  });

  it('on a page: Delete removes it, Alt+←/→ move it, Enter shows it larger (Esc closes)', async () => {
    staged.set('intake/to-khai', { thumbnails: [thumb(1), thumb(2), thumb(3)] });
    await picked();
    expect(thumbs(screen, 'to-khai')).toHaveLength(3);
    // one Tab stop per item; arrows go through its pages
    expect(pages(screen, 'to-khai').map((p) => p.tabIndex)).toEqual([0, -1, -1]);
    pages(screen, 'to-khai')[0].focus();
    key(pages(screen, 'to-khai')[0], 'ArrowRight');
    expect(document.activeElement).toBe(pages(screen, 'to-khai')[1]);
    key(pages(screen, 'to-khai')[1], 'Delete');
    await settle();
    expect(fake.stagingPageRemove).toHaveBeenCalledWith('intake/to-khai', 1);
    expect(thumbs(screen, 'to-khai')).toEqual([thumb(1), thumb(3)]);
    expect(document.activeElement).toBe(pages(screen, 'to-khai')[1]);
    key(pages(screen, 'to-khai')[1], 'ArrowLeft', { altKey: true });
    await settle();
    expect(fake.stagingPageMove).toHaveBeenCalledWith('intake/to-khai', 1, 0);
    expect(thumbs(screen, 'to-khai')).toEqual([thumb(3), thumb(1)]);
    expect(document.activeElement).toBe(pages(screen, 'to-khai')[0]);
    // the first page cannot move further left
    key(pages(screen, 'to-khai')[0], 'ArrowLeft', { altKey: true });
    await settle();
    expect(fake.stagingPageMove).toHaveBeenCalledTimes(1);
    key(pages(screen, 'to-khai')[0], 'Enter');
    await settle();
    expect(fake.stagingPageImage).toHaveBeenCalledWith('intake/to-khai', 0);
    const overlay = document.querySelector<HTMLElement>('[data-testid="page-view"]')!;
    expect(overlay.querySelector('img')!.getAttribute('src')).toBe('data:image/jpeg;base64,LARGE-intake/to-khai-0');
    key(overlay, 'Escape');
    expect(document.querySelector('[data-testid="page-view"]')).toBeNull();
    expect(document.activeElement).toBe(pages(screen, 'to-khai')[0]);
    // the form is still there (Esc in the overlay is not "new citizen")
    expect(fake.stagingClear).not.toHaveBeenCalled();
    // the last pages removed: the cursor goes back to the item
    key(pages(screen, 'to-khai')[0], 'Delete');
    await settle();
    key(pages(screen, 'to-khai')[0], 'Delete');
    await settle();
    expect(pages(screen, 'to-khai')).toHaveLength(0);
    expect(active()).toBe('doc-to-khai');
  });

  it('files dropped on a row go to that item; a refused file shows why and adds nothing', async () => {
    await picked();
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46]);
    const file = (name: string) => ({ name, arrayBuffer: async () => bytes.buffer }) as unknown as File;
    fake.stagingImport.mockImplementation(async (k: string, name: string) => {
      if (name.endsWith('.exe')) throw { code: 'validation', reason: 'invalid', message: 'Tệp "setup.exe" là chương trình, không phải giấy tờ' };
      staged.set(k, { thumbnails: [], pdf_name: name, pages: 3 });
      return stagingView();
    });
    const drop = (target: Element, files: File[]) => {
      const ev = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(ev, 'dataTransfer', { value: { files, types: ['Files'] } });
      target.dispatchEvent(ev);
      return ev;
    };
    const ev = drop(row(screen, 'uy-quyen').querySelector('span')!, [file('uy quyen.pdf')]);
    expect(ev.defaultPrevented).toBe(true);
    await settle();
    expect(fake.stagingImport).toHaveBeenCalledWith('intake/uy-quyen', 'uy quyen.pdf', bytes);
    expect(row(screen, 'uy-quyen').querySelector('[data-testid="staged-page"]')!.textContent).toBe('PDF uy quyen.pdf (3 trang)');
    expect(row(screen, 'uy-quyen').classList.contains('current')).toBe(true);
    drop(row(screen, 'chung-sinh'), [file('setup.exe')]);
    await settle();
    expect(fake.stagingImport).toHaveBeenLastCalledWith('intake/chung-sinh', 'setup.exe', bytes);
    expect(row(screen, 'chung-sinh').querySelector('[data-testid="scan-error"]')!.textContent).toBe('Tệp "setup.exe" là chương trình, không phải giấy tờ');
    expect(pages(screen, 'chung-sinh')).toHaveLength(0);
    // Alt+T opens the file picker for the current item
    const picker = $(screen, 'scan-file-input');
    const click = vi.spyOn(picker, 'click').mockImplementation(() => {});
    key($(screen, 'applicant-full_name'), 't', { altKey: true });
    expect(click).toHaveBeenCalled();
  });

  it('a new citizen (F2/Esc) forgets the pages waiting under intake/', async () => {
    await picked();
    key($(screen, 'doc-to-khai'), 's', { altKey: true });
    await settle();
    expect(thumbs(screen, 'to-khai')).toHaveLength(2);
    key($(screen, 'applicant-phone'), 'Escape');
    await settle();
    expect(fake.stagingClear).toHaveBeenCalledWith('intake/');
    expect(staged.size).toBe(0);
    expect(screen.el.querySelectorAll('[data-testid="staged-page"]')).toHaveLength(0);
    fake.stagingClear.mockClear();
    screen.newCitizen();
    expect(fake.stagingClear).toHaveBeenCalledWith('intake/');
  });

  it('pages left for an item of another procedure are pointed out and can be dropped', async () => {
    staged.set('intake/khac', { thumbnails: [thumb(1), thumb(2)] });
    await picked();
    const note = $(screen, 'scan-orphans');
    expect(note.hidden).toBe(false);
    expect(note.textContent).toContain('1 thành phần');
    note.querySelector<HTMLElement>('button')!.click();
    await settle();
    expect(fake.stagingPageRemove.mock.calls).toEqual([['intake/khac', 1], ['intake/khac', 0]]);
    expect($(screen, 'scan-orphans').hidden).toBe(true);
  });
});
