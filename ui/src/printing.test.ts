import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CounterSettings } from './bindings/CounterSettings';
import type { DossierView } from './bindings/DossierView';
import type { IntakeRequest } from './bindings/IntakeRequest';
import type { PrintOutcome } from './bindings/PrintOutcome';
import { procedureView, view } from './test-data';

const { fake } = vi.hoisted(() => ({
  fake: {
    appStatus: vi.fn(), catalogSearch: vi.fn(), intakePreview: vi.fn(), intakeSubmit: vi.fn(), dossierSearch: vi.fn(), dossierGet: vi.fn(),
    formPrint: vi.fn(), formPreview: vi.fn(), printersList: vi.fn(), printsOf: vi.fn(), settingsGet: vi.fn(), settingsSave: vi.fn(), pdfOpen: vi.fn(),
  },
}));
vi.mock('./api', () => ({ api: fake, toAppError: (e: unknown) => e }));

import { IntakeScreen } from './intake';
import { DEFAULT_SETTINGS, FORM_LABELS, LIMITS, PAPER_SIZES } from './bindings/facts';
import { describeOutcome, PrintActions } from './printing';
import { SettingsScreen } from './settings';

const CODE = '000.00.31.H26-261123-0001';
const settings: CounterSettings = {
  receipt_paper: 'A5', receipt_copies: 2, print_on_intake: true, printer: 'MotCua-PDF', lookup_url: 'https://x/?ma={code}', unit_code: '', scanner_port: '',
  unit_name: 'Trung tâm Phục vụ hành chính công', parent_agency: 'UBND THÀNH PHỐ HÀ NỘI', place_name: 'Ba Đình', head_title: 'CHỦ TỊCH',
  head_name: '', counter_phone: '', supplement_clock: 'resume', max_delays: 1, apology_days_before_due: 1, departments: 'Phòng Kinh tế',
  lock_after_minutes: 5, code_template: '{agency}-{yyMMdd}-{seq}', documents_keep_days: 0,
};
const outcome = (o: Partial<PrintOutcome> = {}): PrintOutcome => ({
  form: 'receipt', dossier_code: CODE, pdf_path: '/data/prints/x.pdf', pages: 2, reprint: false, printed: true,
  printer: 'MotCua-PDF', job_id: 'MotCua-PDF-7', error: null, log_id: 1, ...o,
});
const birth = procedureView({
  code: '1.001193', name: 'Đăng ký khai sinh', field: 'Hộ tịch', level: 'commune', time_limit: { kind: 'same_day', cutoff: '15:00' },
  fee: { kind: 'exempt', amount: 0 }, result: '', postal_return: true, legal_basis: '', source: '', confidence: 'S',
  documents: [{ id: 'to-khai', name: 'Tờ khai', form: 'original', count: 1, mandatory: true }],
}, 'Trong ngày');
const tick = () => new Promise((r) => setTimeout(r, 0));
const $ = (root: { el: HTMLElement }, id: string) => root.el.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;

describe('printing', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
    Object.values(fake).forEach((f) => f.mockReset());
    fake.settingsGet.mockResolvedValue(settings);
    fake.intakePreview.mockResolvedValue({ procedure_code: birth.code, procedure_name: birth.name, fee: 0, time_limit: birth.time_limit,
      time_limit_label: 'Trong ngày', received_at: '2026-11-23T09:15:00+07:00', due_at: '2026-11-23T17:00:00+07:00', terms: birth.terms[0] });
    fake.intakeSubmit.mockImplementation(async (r: IntakeRequest): Promise<DossierView> => view({
      uid: 'u', code: CODE, provisional: false, agency_code: 'A', procedure_code: r.procedure_code, procedure_name: birth.name,
      applicant: r.applicant, documents: [], fee: 0, channel: 'counter', delivery: { kind: 'counter' }, received_at: '2026-11-23T09:15:00+07:00',
      due_at: '2026-11-23T17:00:00+07:00', time_limit: birth.time_limit, clerk_id: 'c', clerk_name: 'n', counter_id: 'Q01', status: 'received',
    }, ['hand_over']));
  });

  async function intake(): Promise<IntakeScreen> {
    const s = new IntakeScreen();
    document.body.append(s.el);
    await s.pick(birth);
    $(s, 'applicant-full_name').value = 'Nguyễn Văn A';
    $(s, 'applicant-id_number').value = '001090012345';
    $(s, 'applicant-date_of_birth').value = '05/03/1990';
    $(s, 'applicant-phone').value = '0912345678';
    $(s, 'applicant-address').value = 'Hà Nội';
    await s.submit();
    for (let i = 0; i < 5; i++) await tick();
    return s;
  }

  it('prints the receipt right after a confirmed intake when the setting says so', async () => {
    fake.formPrint.mockResolvedValue(outcome());
    const s = await intake();
    expect(fake.formPrint).toHaveBeenCalledWith({ form: 'receipt', code: CODE }, true);
    expect($(s, 'print-status').textContent).toContain('Đã gửi Giấy tiếp nhận hồ sơ và hẹn trả kết quả (2 trang) tới máy in MotCua-PDF');
    expect($(s, 'result-code').textContent).toBe(CODE);
  });

  it('does not print on intake when the setting is off', async () => {
    fake.settingsGet.mockResolvedValue({ ...settings, print_on_intake: false });
    const s = await intake();
    expect(fake.formPrint).not.toHaveBeenCalled();
    expect($(s, 'print-receipt')).toBeTruthy();
  });

  it('a printer failure keeps the saved dossier, says why and offers the PDF and a reprint', async () => {
    fake.formPrint.mockResolvedValue(outcome({ printed: false, job_id: null, error: { code: 'printer', reason: 'printer_stopped', message: 'Máy in "MotCua-PDF" không in được: máy in hết giấy.' } }));
    const s = await intake();
    expect($(s, 'result-code').textContent).toBe(CODE);
    const status = $(s, 'print-status');
    expect(status.className).toContain('error');
    expect(status.textContent).toContain('máy in hết giấy');
    expect(status.textContent).toContain('Hồ sơ đã được lưu');
    const open = $(s, 'open-pdf');
    expect(open.hidden).toBe(false);
    open.click();
    await tick();
    expect(fake.pdfOpen).toHaveBeenCalledWith('/data/prints/x.pdf');
    fake.formPrint.mockResolvedValue(outcome({ reprint: true }));
    $(s, 'print-receipt').click();
    await tick();
    await tick();
    expect(fake.formPrint).toHaveBeenCalledTimes(2);
    expect($(s, 'print-status').textContent).toContain('(bản in lại)');
  });

  it('a rejected print call (backend down) never throws out of the actions', async () => {
    fake.formPrint.mockRejectedValue({ code: 'internal', message: 'Không đọc được cơ sở dữ liệu' });
    const a = new PrintActions(CODE);
    await expect(a.print('control')).resolves.toBeNull();
    expect($(a, 'print-status').textContent).toContain('Không đọc được cơ sở dữ liệu');
  });

  it('describes saved-only outcomes', () => {
    expect(describeOutcome(outcome({ printed: false, error: null, printer: null })).text).toContain('Đã lưu PDF');
  });

  it('names forms as the core does, and points at the settings when no printer is chosen (by reason)', () => {
    expect(describeOutcome(outcome({ form: 'apology' })).text).toContain(FORM_LABELS.apology);
    const none = describeOutcome(outcome({ printed: false, error: { code: 'printer', reason: 'no_printer', message: 'Chưa chọn máy in.' } }));
    expect(none).toMatchObject({ ok: false });
    expect(none.text).toContain('Thiết lập (F4)');
    const stopped = describeOutcome(outcome({ printed: false, error: { code: 'printer', reason: 'printer_stopped', message: 'Máy in chưa chọn, đã dừng.' } }));
    expect(stopped.text).not.toContain('Thiết lập (F4)');
  });
});

describe('settings screen', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
    Object.values(fake).forEach((f) => f.mockReset());
    fake.settingsGet.mockResolvedValue(settings);
    fake.printersList.mockResolvedValue([{ name: 'MotCua-PDF', is_default: false, state: 'idle', ready: true }, { name: 'HP-Quay-2', is_default: true, state: 'idle', ready: true }]);
  });

  it('loads printers and settings, saves the whole form', async () => {
    const s = new SettingsScreen();
    document.body.append(s.el);
    await s.load();
    const printer = s.el.querySelector<HTMLSelectElement>('[name="printer"]')!;
    expect(Array.from(printer.options).map((o) => o.value)).toEqual(['', 'MotCua-PDF', 'HP-Quay-2']);
    expect(printer.value).toBe('MotCua-PDF');
    expect($(s, 'settings-unit_name').value).toBe('Trung tâm Phục vụ hành chính công');
    expect($(s, 'settings-unit_name').maxLength).toBe(LIMITS.setting);
    expect($(s, 'settings-apology_days_before_due').value).toBe('1');
    printer.value = 'HP-Quay-2';
    s.el.querySelector<HTMLSelectElement>('[name="receipt_paper"]')!.value = 'A4';
    fake.settingsSave.mockImplementation(async (x: CounterSettings) => x);
    await s.save();
    expect(fake.settingsSave).toHaveBeenCalledWith({ ...settings, printer: 'HP-Quay-2', receipt_paper: 'A4' });
    expect($(s, 'settings-saved').hidden).toBe(false);
  });

  it('shows a refused value beside its field', async () => {
    const s = new SettingsScreen();
    document.body.append(s.el);
    await s.load();
    fake.settingsSave.mockRejectedValue({ code: 'validation', message: 'Địa chỉ tra cứu phải bắt đầu bằng http(s)://', field: 'lookup_url' });
    await s.save();
    expect($(s, 'error-lookup_url').textContent).toContain('http(s)://');
    expect(document.activeElement?.getAttribute('name')).toBe('lookup_url');
  });

  it('number boxes take digits only; an empty one goes to the core, whose refusal shows beside it', async () => {
    const s = new SettingsScreen();
    document.body.append(s.el);
    await s.load();
    const copies = $(s, 'settings-receipt_copies');
    copies.value = 'ba';
    copies.dispatchEvent(new Event('input'));
    expect(copies.value).toBe('');
    fake.settingsSave.mockRejectedValue({ code: 'validation', reason: 'invalid', message: 'Số liên phải là số từ 1 đến 5', field: 'receipt_copies' });
    expect(await s.save()).toBeNull();
    expect(fake.settingsSave).toHaveBeenCalledWith(expect.objectContaining({ receipt_copies: 0 }));
    expect($(s, 'error-receipt_copies').textContent).toBe('Số liên phải là số từ 1 đến 5');
    expect(document.activeElement).toBe(copies);
    expect($(s, 'settings-lookup_url').maxLength).toBe(LIMITS.lookup_url);
  });

  it('offers the core\'s paper sizes and limits; settings it does not show keep the core\'s defaults before a load', () => {
    const s = new SettingsScreen();
    const paper = s.el.querySelector<HTMLSelectElement>('[name="receipt_paper"]')!;
    expect([...paper.options].map((o) => o.value)).toEqual([...PAPER_SIZES]);
    expect($(s, 'settings-departments').maxLength).toBe(LIMITS.departments);
    expect(s.read()).toMatchObject({ supplement_clock: DEFAULT_SETTINGS.supplement_clock, max_delays: DEFAULT_SETTINGS.max_delays });
    // the apology's lead: digits only; the core checks its range and says what fits
    const lead = $(s, 'settings-apology_days_before_due');
    lead.value = '2 ngày';
    lead.dispatchEvent(new Event('input'));
    expect(lead.value).toBe('2');
    expect(s.read().apology_days_before_due).toBe(2);
    // the retention of synced documents' local copies: digits only, the core checks 0–3650
    const keep = $(s, 'settings-documents_keep_days');
    keep.value = '30 ngày';
    keep.dispatchEvent(new Event('input'));
    expect(s.read().documents_keep_days).toBe(30);
  });
});
