import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DocumentView } from './bindings/DocumentView';
import type { DossierView } from './bindings/DossierView';
import type { StagingView } from './bindings/StagingView';
import { view } from './test-data';

const fake = vi.hoisted(() => ({
  dossierSearch: vi.fn(), dossierGet: vi.fn(), dossierSync: vi.fn(), formPrint: vi.fn(), printsOf: vi.fn(),
  documentsOf: vi.fn(), documentsSave: vi.fn(), documentBytes: vi.fn(), stagingView: vi.fn(), stagingScan: vi.fn(),
  stagingImport: vi.fn(), stagingPageRemove: vi.fn(), stagingPageImage: vi.fn(),
}));
vi.mock('./api', () => ({ api: fake, toAppError: (e: unknown) => e }));

import { SearchScreen } from './search';

const CODE = '000.00.31.H26-260212-0001';
const dossier: DossierView = view({
  uid: 'u', code: CODE, provisional: false, agency_code: 'A', procedure_code: '1.001193', procedure_name: 'Đăng ký khai sinh',
  applicant: { full_name: 'Nguyễn Văn An', id_type: 'cccd', id_number: '001090012345', date_of_birth: '1990-03-05', phone: '0912345678', address: 'Hà Nội' },
  documents: [
    { id: 'to-khai', name: 'Tờ khai đăng ký khai sinh', form: 'original', count: 1 },
    { id: 'chung-sinh', name: 'Giấy chứng sinh', form: 'original', count: 1 },
  ],
  fee: 0, channel: 'counter', delivery: { kind: 'counter' }, received_at: '2026-02-12T10:30:00+07:00', due_at: '2026-02-12T17:00:00+07:00',
  time_limit: { kind: 'same_day', cutoff: '15:00' }, clerk_id: 'c', clerk_name: 'Lê Thị Hoa', counter_id: 'Q01', status: 'received',
});
const SHA1 = 'a'.repeat(64);
const SHA2 = 'b'.repeat(64);
const declaration: DocumentView = {
  held: true, slot_label: 'Thành phần 1', attached_at: '2026-02-12T10:30:00+07:00', slot: { kind: 'item', id: 'to-khai' },
  name: 'Tờ khai đăng ký khai sinh', sha256: SHA1, size: 870_400, pages: 2, media_type: 'application/pdf', source: 'scanner', by: 'Lê Thị Hoa',
  upload: { sha256: SHA1, size: 870_400, state: 'sending', sent: 348_160, attempts: 1, label: 'Đang gửi lên Cổng (40%)' },
};
const result: DocumentView = {
  held: false, slot_label: 'Kết quả', attached_at: '2026-02-13T09:00:00+07:00', slot: { kind: 'result' },
  name: 'Giấy khai sinh', sha256: SHA2, size: 1_258_291, pages: 1, media_type: 'application/pdf', source: 'scanner', by: 'Lê Thị Hoa',
  upload: { sha256: SHA2, size: 1_258_291, state: 'stored', sent: 1_258_291, attempts: 1, label: 'Cổng đã lưu' },
};

const tick = () => new Promise((r) => setTimeout(r, 0));
const settle = async () => {
  for (let i = 0; i < 6; i++) await tick();
};

describe('the dossier\'s electronic documents', () => {
  let s: SearchScreen;
  const $ = (id: string) => s.el.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
  const rows = () => [...s.el.querySelectorAll<HTMLElement>('[data-testid="document-row"]')];
  let staging: StagingView;
  beforeEach(() => {
    document.body.innerHTML = '';
    localStorage.clear();
    vi.resetAllMocks();
    staging = { items: [], bytes: 0 };
    fake.dossierGet.mockResolvedValue(dossier);
    fake.dossierSync.mockResolvedValue({ state: 'local', label: 'Chưa gửi' });
    fake.documentsOf.mockResolvedValue([declaration, result]);
    fake.stagingView.mockImplementation(async () => staging);
    s = new SearchScreen();
    document.body.append(s.el);
  });

  it('lists each document: its item, name, pages, size, the upload in the core\'s words, a bar while it is sent', async () => {
    await s.open(CODE);
    await settle();
    expect(fake.documentsOf).toHaveBeenCalledWith(CODE);
    expect($('dossier-documents').querySelector('h4')!.textContent).toBe('Tài liệu điện tử');
    expect(rows()).toHaveLength(2);
    const [first, second] = rows();
    for (const part of ['Thành phần 1', 'Tờ khai đăng ký khai sinh', '2 trang', '850 kB', 'Đang gửi lên Cổng (40%)']) expect(first.textContent).toContain(part);
    const bar = first.querySelector<HTMLProgressElement>('[data-testid="document-progress"]')!;
    expect([bar.max, bar.value]).toEqual([870_400, 348_160]);
    expect(first.querySelector('[data-testid="document-remote"]')).toBeNull();
    for (const part of ['Kết quả', 'Giấy khai sinh', '1 trang', '1,2 MB', 'Cổng đã lưu', '(chưa có trên máy này)']) expect(second.textContent).toContain(part);
    expect(second.querySelector('[data-testid="document-progress"]')).toBeNull();
    expect($('documents-empty').hidden).toBe(true);
  });

  it('"Xem" opens the document\'s PDF in the viewer (the bytes from the core)', async () => {
    fake.documentBytes.mockRejectedValue({ code: 'offline', reason: 'portal_unreachable', message: 'Không kết nối được Cổng dịch vụ công' });
    await s.open(CODE);
    await settle();
    rows()[1].querySelector<HTMLElement>('[data-testid="document-open"]')!.click();
    await settle();
    expect(fake.documentBytes).toHaveBeenCalledWith(CODE, SHA2);
    const viewer = document.querySelector<HTMLElement>('[data-testid="preview"]')!;
    expect(viewer.querySelector('h3')!.textContent).toContain('Kết quả: Giấy khai sinh');
    expect(viewer.querySelector('[data-testid="preview-error"]')!.textContent).toBe('Không mở được tài liệu: Không kết nối được Cổng dịch vụ công');
  });

  it('a dossier without documents says so; a contact has no such section', async () => {
    fake.documentsOf.mockResolvedValue([]);
    await s.open(CODE);
    await settle();
    expect(rows()).toHaveLength(0);
    expect($('documents-empty').textContent).toBe('Chưa có tài liệu điện tử.');
    fake.dossierGet.mockResolvedValue({ ...dossier, is_contact: true, code: 'HD-Q01-260212-0001' });
    await s.open('HD-Q01-260212-0001');
    await settle();
    expect(s.el.querySelector('[data-testid="dossier-documents"]')).toBeNull();
  });

  it('the result scanned and saved to the dossier; a scanner\'s problem shown in its words', async () => {
    fake.documentsOf.mockResolvedValue([declaration]);
    await s.open(CODE);
    await settle();
    const slot = $('attach-slot') as HTMLSelectElement;
    expect([...slot.options].map((o) => o.value)).toEqual(['result', 'to-khai', 'chung-sinh']);
    expect(($('attach-save') as HTMLButtonElement).disabled).toBe(true);
    fake.stagingScan.mockRejectedValueOnce({ code: 'scanner', reason: 'no_scanner', message: 'Không thấy máy quét nào: kiểm tra cáp và nguồn' });
    $('attach-scan').click();
    await settle();
    expect($('attach-error').textContent).toBe('Không thấy máy quét nào: kiểm tra cáp và nguồn');
    fake.stagingScan.mockImplementation(async (key: string) => {
      staging = { items: [{ key, source: 'scanner', thumbnails: ['data:image/jpeg;base64,R1'], pages: 1, bytes: 900 }], bytes: 900 };
      return staging;
    });
    $('attach-scan').click();
    await settle();
    expect(fake.stagingScan).toHaveBeenLastCalledWith(`${CODE}/result`, null, { dpi: 200, mode: 'gray', source: 'flatbed', max_pages: 50 });
    expect($('attach-error').hidden).toBe(true);
    expect($('attach-pages').querySelectorAll('img')).toHaveLength(1);
    (($('attach-name')) as HTMLInputElement).value = 'Giấy khai sinh (bản chính)';
    fake.documentsSave.mockResolvedValue([declaration, result]);
    expect(($('attach-save') as HTMLButtonElement).disabled).toBe(false);
    $('attach-save').click();
    await settle();
    expect(fake.documentsSave).toHaveBeenCalledWith(CODE, `${CODE}/result`, 'Giấy khai sinh (bản chính)');
    expect(rows()).toHaveLength(2);
    expect($('attach-pages').hidden).toBe(true);
    expect($('attach-note').textContent).toBe('Đã lưu vào hồ sơ.');
  });

  it('a missing item added later from a file: its key is the dossier\'s, no name is sent', async () => {
    await s.open(CODE);
    await settle();
    const slot = $('attach-slot') as HTMLSelectElement;
    slot.value = 'chung-sinh';
    slot.dispatchEvent(new Event('change'));
    expect($('attach-name').hidden).toBe(true);
    fake.stagingImport.mockImplementation(async (key: string, name: string) => {
      staging = { items: [{ key, source: 'file', thumbnails: [], pdf_name: name, pages: 1, bytes: 900 }], bytes: 900 };
      return staging;
    });
    const bytes = new Uint8Array([0x25, 0x50]);
    const picker = $('attach-file-input') as HTMLInputElement;
    Object.defineProperty(picker, 'files', { value: [{ name: 'chung sinh.pdf', arrayBuffer: async () => bytes.buffer }], configurable: true });
    picker.dispatchEvent(new Event('change'));
    await settle();
    expect(fake.stagingImport).toHaveBeenCalledWith(`${CODE}/chung-sinh`, 'chung sinh.pdf', bytes);
    expect($('attach-pages').textContent).toContain('PDF chung sinh.pdf (1 trang)');
    fake.documentsSave.mockResolvedValue([declaration]);
    $('attach-save').click();
    await settle();
    expect(fake.documentsSave).toHaveBeenCalledWith(CODE, `${CODE}/chung-sinh`, null);
  });
});
