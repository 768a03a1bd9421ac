import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DossierView } from './bindings/DossierView';
import type { SearchHit } from './bindings/SearchHit';
import { FORM_LABELS } from './bindings/facts';
import { view } from './test-data';

const fake = vi.hoisted(() => ({
  appStatus: vi.fn(), catalogSearch: vi.fn(), intakePreview: vi.fn(), intakeSubmit: vi.fn(),
  dossierSearch: vi.fn(), dossierGet: vi.fn(), dossierSync: vi.fn(), lifecycleStep: vi.fn(), formPrint: vi.fn(), printsOf: vi.fn(),
}));
vi.mock('./api', () => ({ api: fake, toAppError: (e: unknown) => e }));

import { SEARCH_PLACEHOLDER, SearchScreen } from './search';

const hit = (n: number): SearchHit => ({
  code: `000.00.31.H26-260212-000${n}`, provisional: false, applicant_name: `Nguyễn Văn ${n}`, id_number: '001090012345',
  phone: '0912345678', procedure_code: '1.001193', procedure_name: 'Đăng ký khai sinh', received_at: '2026-02-12T10:30:00+07:00',
  due_at: '2026-02-12T17:00:00+07:00', status: 'received',
});
const dossier: DossierView = view({
  uid: 'u', code: '000.00.31.H26-260212-0001', provisional: false, agency_code: 'A', procedure_code: '1.001193',
  procedure_name: 'Đăng ký khai sinh',
  applicant: { full_name: 'Nguyễn Văn 1', id_type: 'cccd', id_number: '001090012345', date_of_birth: '1990-03-05', phone: '0912345678', address: 'Hà Nội' },
  documents: [{ id: 'to-khai', name: 'Tờ khai đăng ký khai sinh', form: 'original', count: 1 }], fee: 8000, channel: 'counter',
  delivery: { kind: 'post', address: 'Số 2 Tràng Tiền' }, received_at: '2026-02-12T10:30:00+07:00', due_at: '2026-02-12T17:00:00+07:00',
  time_limit: { kind: 'same_day', cutoff: '15:00' }, clerk_id: 'c', clerk_name: 'Lê Thị Hoa', counter_id: 'Q01', status: 'received',
}, ['hand_over', 'request_supplement', 'delay', 'refuse', 'stop', 'withdraw']);

const tick = () => new Promise((r) => setTimeout(r, 0));
const key = (el: Element, k: string) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));

describe('search screen', () => {
  let s: SearchScreen;
  let input: HTMLInputElement;
  const rows = () => s.el.querySelectorAll<HTMLElement>('[data-testid="search-row"]');
  const byId = (id: string) => s.el.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
  beforeEach(() => {
    document.body.innerHTML = '';
    // reset, not clear: an answer queued by a test that failed early must not leak into the next
    vi.resetAllMocks();
    s = new SearchScreen();
    document.body.append(s.el);
    input = byId('search-input') as HTMLInputElement;
    input.focus();
  });

  it('Enter searches; rows show code, name, procedure, dates and status; Xem thêm fetches the next page', async () => {
    fake.dossierSearch.mockResolvedValueOnce({ hits: [hit(1), hit(2)], next_cursor: 42 }).mockResolvedValueOnce({ hits: [hit(3)] });
    expect(input.placeholder).toBe(SEARCH_PLACEHOLDER);
    input.value = 'nguyen van';
    key(input, 'Enter');
    await tick();
    expect(fake.dossierSearch).toHaveBeenCalledWith('nguyen van', undefined);
    expect(rows().length).toBe(2);
    const text = rows()[0].textContent!;
    for (const part of ['000.00.31.H26-260212-0001', 'Nguyễn Văn 1', 'Đăng ký khai sinh', '12/02/2026', '17:00 thứ Năm, 12/02/2026', 'Đã tiếp nhận'])
      expect(text).toContain(part);
    // the procedure by its name, its code as the tooltip
    expect(rows()[0].querySelector<HTMLElement>('[data-testid="search-procedure"]')!.title).toBe('1.001193');
    const more = byId('search-more');
    expect(more.hidden).toBe(false);
    expect(more.textContent).toBe('Xem thêm');
    more.click();
    await tick();
    expect(fake.dossierSearch).toHaveBeenLastCalledWith('nguyen van', 42);
    expect(rows().length).toBe(3);
    expect(more.hidden).toBe(true);
  });

  it('rows name the procedure when the core sends its name (the code stays as the tooltip)', async () => {
    fake.dossierSearch.mockResolvedValueOnce({ hits: [{ ...hit(1), procedure_name: 'Đăng ký khai sinh <b>' }, { ...hit(2), procedure_name: '' }] });
    input.value = 'nguyen van';
    key(input, 'Enter');
    await tick();
    const [named, bare] = [...rows()].map((r) => r.querySelector<HTMLElement>('[data-testid="search-procedure"]')!);
    expect(named.textContent).toBe('Đăng ký khai sinh <b>');
    expect(named.querySelector('b')).toBeNull();
    expect(named.title).toBe('1.001193');
    // a hit whose name is empty shows the code
    expect(bare.textContent).toBe('1.001193');
  });

  it('the box says the day\'s short number works; the query goes to the core as typed', async () => {
    expect(input.placeholder).toContain('0003');
    expect(input.placeholder).toContain('261130-0003');
    expect(input.placeholder).toContain('họ tên');
    expect(byId('search-hint').textContent).toContain('(0003)');
    fake.dossierSearch.mockResolvedValueOnce({ hits: [hit(3)] });
    input.value = '0003';
    key(input, 'Enter');
    await tick();
    expect(fake.dossierSearch).toHaveBeenCalledWith('0003', undefined);
    expect(rows().length).toBe(1);
  });

  it('says so when nothing is found', async () => {
    fake.dossierSearch.mockResolvedValueOnce({ hits: [] });
    input.value = 'khong co';
    key(input, 'Enter');
    await tick();
    expect(rows().length).toBe(0);
    expect(byId('search-empty').hidden).toBe(false);
    expect(byId('search-empty').textContent).toBe('Không tìm thấy hồ sơ nào');
  });

  it('Enter on a row opens the dossier; Esc closes it and returns to the search box', async () => {
    fake.dossierSearch.mockResolvedValueOnce({ hits: [hit(1)] });
    fake.dossierGet.mockResolvedValueOnce(dossier);
    input.value = '001090012345';
    key(input, 'Enter');
    await tick();
    key(input, 'ArrowDown');
    expect(document.activeElement).toBe(rows()[0]);
    key(rows()[0], 'Enter');
    await tick();
    expect(fake.dossierGet).toHaveBeenCalledWith('000.00.31.H26-260212-0001');
    const detail = byId('dossier-detail');
    expect(detail.hidden).toBe(false);
    for (const part of ['Đăng ký khai sinh', '05/03/1990', 'Qua bưu chính: Số 2 Tràng Tiền', '8.000 đ', 'Tờ khai đăng ký khai sinh', 'Bản chính', 'Lê Thị Hoa'])
      expect(detail.textContent).toContain(part);
    key(document.activeElement!, 'Escape');
    expect(detail.hidden).toBe(true);
    expect(document.activeElement).toBe(input);
  });

  it('a click opens the dossier too; a failure is shown, not thrown', async () => {
    fake.dossierSearch.mockResolvedValueOnce({ hits: [hit(1)] });
    fake.dossierGet.mockRejectedValueOnce({ code: 'not_found', message: 'Không có hồ sơ này' });
    await s.run('x');
    rows()[0].click();
    await tick();
    expect(byId('search-error').hidden).toBe(false);
    expect(byId('search-error').textContent).toBe('Không có hồ sơ này');
  });

  it('the detail shows the core\'s status label and steps; after a step it is drawn again with the outcome', async () => {
    const after = view({ ...dossier, status: 'waiting_supplement' }, ['supplemented', 'refuse', 'stop', 'withdraw']);
    fake.dossierSearch.mockResolvedValueOnce({ hits: [hit(1)] });
    fake.dossierGet.mockResolvedValueOnce(dossier);
    fake.dossierSync.mockResolvedValue({ state: 'local', label: 'Chưa gửi lên cổng' });
    fake.lifecycleStep.mockResolvedValueOnce(after);
    fake.formPrint.mockResolvedValueOnce({ form: 'supplement', dossier_code: dossier.code, pdf_path: '/p.pdf', pages: 1, reprint: false, printed: true,
      printer: 'MotCua-PDF', job_id: 'j', error: null, log_id: 1 });
    await s.run('x');
    await s.open(dossier.code);
    const steps = () => [...byId('dossier-detail').querySelectorAll<HTMLElement>('[data-step]')].map((b) => b.dataset.step);
    expect(byId('detail-status').textContent).toBe('Đã tiếp nhận');
    // hand-over has its own desk (in_detail false): not a button here
    expect(steps()).toEqual(['request_supplement', 'delay', 'refuse', 'stop', 'withdraw']);
    byId('step-supplement').click();
    const missing = byId('step-missing') as HTMLTextAreaElement;
    missing.value = 'Bản sao giấy khai sinh\nẢnh 3x4';
    missing.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true, cancelable: true }));
    for (let i = 0; i < 5; i++) await tick();
    // the lines go as typed: the core splits them
    expect(fake.lifecycleStep).toHaveBeenCalledWith(dossier.code, 'request_supplement', { missing: 'Bản sao giấy khai sinh\nẢnh 3x4' });
    expect(byId('detail-status').textContent).toBe('Chờ bổ sung hồ sơ');
    expect(steps()).toEqual(['supplemented', 'refuse', 'stop', 'withdraw']);
    expect(s.el.querySelectorAll('[data-testid="dossier-actions"]')).toHaveLength(1);
    expect(byId('step-done').hidden).toBe(false);
    expect(byId('step-done').textContent).toMatch(/^Đã ghi nhận: yêu cầu bổ sung\. Đã gửi Phiếu yêu cầu bổ sung/);
    expect(rows()[0].querySelector('.status')!.textContent).toBe('Chờ bổ sung hồ sơ');
  });

  it('shows hostile text as text', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    fake.dossierGet.mockResolvedValueOnce(view({ ...dossier, applicant: { ...dossier.applicant, full_name: evil }, note: '"><script>x()</script>' }));
    fake.dossierSync.mockResolvedValue({ state: 'rejected', label: 'Cổng từ chối', reason: '<b>lỗi</b>' });
    await s.open(dossier.code);
    await tick();
    const detail = byId('dossier-detail');
    expect(detail.querySelector('img, script, b')).toBeNull();
    expect(detail.textContent).toContain(evil);
    expect(detail.textContent).toContain('<b>lỗi</b>');
  });
  it('shows the core\'s warnings on top of the dossier, and nothing when there are none', async () => {
    const late = 'Văn bản xin lỗi phải gửi trước ngày hẹn ít nhất 01 ngày làm việc: đã muộn';
    fake.dossierGet.mockResolvedValueOnce(view({ ...dossier }, ['delay'], { warnings: [late] }));
    fake.dossierSync.mockResolvedValue({ state: 'local', label: 'Chưa gửi lên cổng' });
    await s.open(dossier.code);
    const warnings = byId('dossier-warnings');
    expect(warnings.hidden).toBe(false);
    expect([...warnings.querySelectorAll('li')].map((li) => li.textContent)).toEqual([late]);
    expect(warnings.getAttribute('role')).toBe('alert');
    fake.dossierGet.mockResolvedValueOnce(dossier);
    await s.open(dossier.code);
    expect(s.el.querySelector('[data-testid="dossier-warnings"]')).toBeNull();
    expect(byId('detail-code-label').textContent).toBe('Mã hồ sơ');
  });

  it('a contact (refusal at intake) shows its slip number, no appointment, and offers only the slip the core names', async () => {
    const slip = view({
      ...dossier, code: 'TC-Q01-260212-0001', status: 'not_accepted', progress: { reason: 'Không thuộc thẩm quyền' },
    }, [], { is_contact: true, slip: 'refusal' });
    fake.dossierGet.mockResolvedValueOnce(slip);
    fake.dossierSync.mockResolvedValue({ state: 'local', label: 'Chưa gửi lên cổng' });
    await s.open(slip.code);
    await tick();
    const detail = byId('dossier-detail');
    expect(byId('detail-code-label').textContent).toBe('Số phiếu');
    expect(detail.textContent).toContain('Không thuộc thẩm quyền');
    expect(detail.textContent).not.toContain('Hẹn trả');
    expect(detail.querySelector('[data-testid="print-receipt"]')).toBeNull();
    expect(detail.querySelector('[data-step]')).toBeNull();
    const again = byId('print-slip');
    expect(again.textContent).toContain(FORM_LABELS.refusal.toLowerCase());
    fake.formPrint.mockResolvedValueOnce({ form: 'refusal', dossier_code: slip.code, pdf_path: '/p.pdf', pages: 1, reprint: true, printed: true,
      printer: 'MotCua-PDF', job_id: 'j', error: null, log_id: 2 });
    again.click();
    await tick();
    expect(fake.formPrint).toHaveBeenCalledWith({ form: 'refusal', code: slip.code }, true);
    expect(s.printActions).not.toBeNull();
  });
});
