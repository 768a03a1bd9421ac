import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContactRequest } from './bindings/ContactRequest';
import type { DossierView } from './bindings/DossierView';
import type { IntakeRequest } from './bindings/IntakeRequest';
import type { PrintOutcome } from './bindings/PrintOutcome';
import type { ProcedureView } from './bindings/ProcedureView';
import {
  CONTACT_KIND_LABELS, DELIVERY_KINDS, FEE_KIND_LABELS, FORM_LABELS, ID_TYPES, LIMIT_BASIS_LABELS, LIMITS, STATUS_LABELS,
} from './bindings/facts';
import { procedureView, view } from './test-data';

// src/api.ts is the only module that calls the backend: replace it wholesale.
const { fake, submitted, contacts } = vi.hoisted(() => {
  const submitted: unknown[] = [];
  const contacts: unknown[] = [];
  const fake = {
    appStatus: vi.fn(),
    catalogSearch: vi.fn(),
    intakePreview: vi.fn(),
    intakeSubmit: vi.fn(),
    intakeMissing: vi.fn(),
    intakeContact: vi.fn(),
    dossierSearch: vi.fn(),
    dossierGet: vi.fn(),
    formPrint: vi.fn(),
  };
  return { fake, submitted, contacts };
});
vi.mock('./api', () => ({ api: fake, toAppError: (e: unknown) => e }));

import { IntakeScreen } from './intake';

const birth = procedureView({
  code: '1.001193', name: 'Đăng ký khai sinh', field: 'Hộ tịch', level: 'commune',
  time_limit: { kind: 'same_day', cutoff: '15:00' }, fee: { kind: 'exempt', amount: 0 }, result: 'Giấy khai sinh', postal_return: true,
  legal_basis: '', source: 'x', confidence: 'S',
  documents: [
    { id: 'to-khai', name: 'Tờ khai', form: 'original', count: 1, mandatory: true },
    { id: 'uy-quyen', name: 'Văn bản ủy quyền', form: 'certified_copy', count: 2, mandatory: false },
  ],
}, 'Trong ngày (nhận trước 15:00)');
const copy = procedureView({
  ...birth, code: '2.000815', name: 'Chứng thực bản sao từ bản chính', field: 'Chứng thực',
  time_limit: { kind: 'working_days', days: 1 }, fee: { kind: 'amount', amount: 2000, note: 'mỗi trang' },
}, '01 ngày làm việc');
/** Two cases, each with its checklist; the province's time limit unless the case sets its own. */
const pause = procedureView({
  code: '1.001570', name: 'Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn', field: 'Hộ kinh doanh', level: 'commune',
  time_limit: { kind: 'working_days', days: 5 }, time_limit_source: 'Điều 91 Nghị định 168/2025/NĐ-CP',
  province_time_limit: { time_limit: { kind: 'working_days', days: 3 }, source: 'Quyết định 2637/QĐ-UBND' },
  fee: { kind: 'not_collected', amount: 0 }, result: 'Giấy xác nhận', postal_return: false, legal_basis: '', source: 'x', confidence: 'L',
  documents: [{ id: 'thong-bao', name: 'Thông báo', form: 'original', count: 1, mandatory: true }],
  cases: [
    { id: 'tam-ngung', name: 'Tạm ngừng kinh doanh' },
    {
      id: 'tiep-tuc', name: 'Tiếp tục kinh doanh trước thời hạn', time_limit: { kind: 'working_days', days: 2 }, time_limit_source: 'Điều 92 Nghị định 168/2025/NĐ-CP',
      documents: [{ id: 'thong-bao-tiep-tuc', name: 'Thông báo tiếp tục kinh doanh', form: 'original', count: 1, mandatory: true }],
    },
  ],
}, '03 ngày làm việc', ['03 ngày làm việc', '02 ngày làm việc']);
/** The province has not published its fee: the clerk types it. */
const single = procedureView({
  ...birth, code: '1.004873', name: 'Cấp Giấy xác nhận tình trạng hôn nhân', time_limit: { kind: 'working_days', days: 3 },
  fee: { kind: 'unknown', amount: 0 }, documents: [{ id: 'to-khai', name: 'Tờ khai', form: 'original', count: 1, mandatory: true }],
}, '03 ngày làm việc');
const CATALOG: ProcedureView[] = [birth, copy, pause, single];

const printed = (o: Partial<PrintOutcome> = {}): PrintOutcome => ({
  form: 'supplement', dossier_code: null, pdf_path: '/data/prints/hd.pdf', pages: 1, reprint: false, printed: true, printer: 'MotCua-PDF',
  job_id: 'j', error: null, log_id: 1, ...o,
});

function dossier(req: IntakeRequest): DossierView {
  return view({
    uid: 'u', code: '000.00.31.H26-260212-0001', provisional: false, agency_code: 'A', procedure_code: req.procedure_code,
    procedure_name: 'Đăng ký khai sinh', applicant: req.applicant, documents: [], fee: 0, channel: 'counter',
    delivery: { kind: 'counter' }, received_at: '2026-02-12T10:30:00+07:00', due_at: '2026-02-12T17:00:00+07:00',
    time_limit: birth.time_limit, clerk_id: 'c', clerk_name: 'n', counter_id: 'Q01', status: 'received',
  });
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const $ = (s: IntakeScreen, id: string) => s.el.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
const key = (el: HTMLElement, k: string, init: KeyboardEventInit = {}) =>
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
const active = () => document.activeElement?.getAttribute('data-testid');
const sent = () => submitted as IntakeRequest[];
const contacted = () => contacts as ContactRequest[];
const ctrlEnter = (el: HTMLElement) => key(el, 'Enter', { ctrlKey: true });

async function fill(s: IntakeScreen, idNumber = '001090012345', p: ProcedureView = birth) {
  await s.pick(p);
  $(s, 'applicant-full_name').value = 'Nguyễn Văn A';
  $(s, 'applicant-id_number').value = idNumber;
  $(s, 'applicant-date_of_birth').value = '05/03/1990';
  $(s, 'applicant-phone').value = '0912345678';
  $(s, 'applicant-address').value = 'Hà Nội';
}

async function typeProcedure(s: IntakeScreen, text: string) {
  const input = $(s, 'procedure-input');
  input.focus();
  input.value = text;
  input.dispatchEvent(new Event('input'));
  await tick();
  return input;
}

describe('intake screen', () => {
  let screen: IntakeScreen;
  beforeEach(() => {
    document.body.innerHTML = '';
    submitted.length = 0;
    contacts.length = 0;
    Object.values(fake).forEach((f) => f.mockReset());
    fake.catalogSearch.mockImplementation(async (q: string) => (q.includes('khai') ? [birth] : q === '' ? [birth, copy] : [birth, copy]));
    fake.intakePreview.mockImplementation(async (code: string, caseId?: string | null) => {
      const p = CATALOG.find((x) => x.code === code)!;
      // the core: a procedure with cases needs one, and the terms are that case's
      const terms = p.terms.find((t) => (t.case_id ?? null) === (caseId ?? null));
      if (!terms) throw { code: 'validation', reason: 'invalid', message: 'Chọn trường hợp', field: 'case_id' };
      return {
        procedure_code: p.code, procedure_name: p.name, fee: terms.fee.amount, time_limit: terms.time_limit,
        time_limit_label: terms.time_limit_label, received_at: '2026-02-11T10:30:00+07:00', due_at: '2026-02-12T17:00:00+07:00', terms,
      };
    });
    fake.intakeSubmit.mockImplementation(async (r: IntakeRequest) => {
      submitted.push(r);
      // the core's refusals
      if (!r.procedure_code) throw { code: 'validation', reason: 'invalid', message: 'Chưa chọn thủ tục', field: 'procedure_code' };
      if (r.procedure_code === single.code && r.fee === undefined) {
        throw { code: 'validation', reason: 'invalid', message: 'Danh mục chưa có mức lệ phí của tỉnh cho thủ tục này: nhập số tiền lệ phí', field: 'fee' };
      }
      if (r.representative?.id_number === 'bad') {
        throw { code: 'validation', reason: 'invalid', message: 'Số giấy tờ của người được ủy quyền không hợp lệ', field: 'representative.id_number' };
      }
      if (r.applicant.id_number === 'bad') throw { code: 'validation', reason: 'invalid', message: 'Số CCCD phải gồm đúng 12 chữ số', field: 'applicant.id_number' };
      if (r.applicant.id_number === 'down') throw { code: 'internal', reason: 'storage', message: 'Không ghi được cơ sở dữ liệu' };
      return dossier(r);
    });
    // the core's unticked mandatory items; the contact as recorded, with its slip printed
    fake.intakeMissing.mockImplementation(async (r: IntakeRequest) => {
      if (!r.procedure_code) throw { code: 'validation', reason: 'invalid', message: 'Chưa chọn thủ tục', field: 'procedure_code' };
      const p = CATALOG.find((x) => x.code === r.procedure_code)!;
      const terms = p.terms.find((t) => (t.case_id ?? null) === (r.case_id ?? null))!;
      return terms.documents.filter((d) => d.mandatory && !(r.documents ?? []).includes(d.id)).map((d) => d.name);
    });
    fake.intakeContact.mockImplementation(async (c: ContactRequest) => {
      contacts.push(c);
      if (c.kind === 'refusal' && !c.reason?.trim()) {
        throw { code: 'validation', reason: 'invalid', message: 'Cần ghi lý do từ chối tiếp nhận hồ sơ', field: 'reason' };
      }
      if (c.request.applicant.id_number === 'bad') throw { code: 'validation', reason: 'invalid', message: 'Số CCCD phải gồm đúng 12 chữ số', field: 'applicant.id_number' };
      const guidance = c.kind === 'guidance';
      const record = view({
        ...dossier(c.request), code: guidance ? 'HD-Q01-260212-0001' : 'TC-Q01-260212-0001', status: guidance ? 'guided' : 'not_accepted',
        progress: guidance ? { missing: c.missing } : { reason: c.reason },
      }, [], { is_contact: true });
      return { record, print: printed({ form: guidance ? 'supplement' : 'refusal', dossier_code: record.code }) };
    });
    screen = new IntakeScreen(); // the mocked api module is the default backend
    document.body.append(screen.el);
  });

  it('type-ahead: arrows move, Enter picks, preview shows fee, time limit and appointment', async () => {
    const input = await typeProcedure(screen, 'chung thuc');
    expect(fake.catalogSearch).toHaveBeenCalledWith('chung thuc');
    const opts = screen.el.querySelectorAll('[data-testid="procedure-option"]');
    expect(opts.length).toBe(2);
    expect(opts[1].textContent).toContain('2.000815');
    expect(opts[1].textContent).toContain('Chứng thực bản sao');
    key(input, 'ArrowDown');
    expect(screen.el.querySelectorAll('[data-testid="procedure-option"]')[1].getAttribute('aria-selected')).toBe('true');
    key(input, 'Enter');
    await tick();
    expect(input.value).toContain('2.000815');
    expect(fake.intakePreview).toHaveBeenCalledWith('2.000815', null);
    expect($(screen, 'preview-due').textContent).toBe('17:00 thứ Năm, 12/02/2026');
    expect($(screen, 'preview-fee').textContent).toBe('2.000 đ');
    expect($(screen, 'preview-time-limit').textContent).toBe('01 ngày làm việc');
    expect($(screen, 'procedure-info').textContent).toContain('Chứng thực');
    expect($(screen, 'fee').value).toBe('2000');
    expect(active()).toBe('doc-to-khai'); // the checklist comes first: Space unticks, Enter moves on
  });

  it('type-ahead: ArrowUp wraps, Esc closes, ArrowDown on an empty box lists the catalog', async () => {
    const input = await typeProcedure(screen, '1.00');
    key(input, 'ArrowUp');
    expect(screen.el.querySelectorAll('[data-testid="procedure-option"]')[1].classList.contains('active')).toBe(true);
    key(input, 'Escape');
    expect($(screen, 'procedure-options').hidden).toBe(true);
    input.value = '';
    key(input, 'ArrowDown');
    await tick();
    expect(fake.catalogSearch).toHaveBeenLastCalledWith('');
    expect($(screen, 'procedure-options').hidden).toBe(false);
    expect(screen.el.querySelectorAll('[data-testid="procedure-option"]').length).toBe(2);
  });

  it('lists the checklist: all ticked, mandatory marked, form and count shown', async () => {
    await screen.pick(birth);
    expect($(screen, 'doc-to-khai').checked).toBe(true);
    expect($(screen, 'doc-uy-quyen').checked).toBe(true);
    const rows = screen.el.querySelectorAll('.doc');
    expect(rows[0].textContent).toContain('*');
    expect(rows[0].textContent).toContain('Bản chính × 1');
    expect(rows[1].textContent).not.toContain('*');
    expect(rows[1].textContent).toContain('Bản sao chứng thực × 2');
  });

  it('Enter walks the fields in order (checkboxes too, without toggling) and submits on the last', async () => {
    await fill(screen);
    const order: string[] = [];
    let el = $(screen, 'doc-to-khai');
    el.focus();
    for (let i = 0; i < 20 && sent().length === 0; i++) {
      order.push(active()!);
      key(document.activeElement as HTMLElement, 'Enter');
      await tick();
    }
    expect(order).toEqual([
      'doc-to-khai', 'doc-uy-quyen', 'applicant-full_name', 'applicant-id_type', 'applicant-id_number',
      'applicant-date_of_birth', 'applicant-phone', 'applicant-address', 'applicant-email',
      'representative-full_name', 'representative-id_number', 'delivery-kind', 'fee',
    ]);
    expect(sent().length).toBe(1);
    expect(sent()[0].documents).toEqual(['to-khai', 'uy-quyen']);
    el = $(screen, 'procedure-input');
    expect(document.activeElement).toBe(el);
  });

  it('Enter picks the procedure, then walks the checklist to the name; the post address joins the order when chosen', async () => {
    const input = await typeProcedure(screen, 'khai sinh');
    key(input, 'Enter');
    await tick();
    expect(active()).toBe('doc-to-khai');
    key($(screen, 'doc-to-khai'), 'Enter');
    key($(screen, 'doc-uy-quyen'), 'Enter');
    expect(active()).toBe('applicant-full_name');
    // Enter again in the procedure box (list closed, procedure chosen) goes on as well
    input.focus();
    key(input, 'Enter');
    expect(active()).toBe('doc-to-khai');
    const kind = $(screen, 'delivery-kind') as unknown as HTMLSelectElement;
    kind.value = 'post';
    kind.dispatchEvent(new Event('change'));
    kind.focus();
    key(kind, 'Enter');
    expect(active()).toBe('delivery-address');
    $(screen, 'delivery-address').value = 'Số 2 Tràng Tiền';
    expect(screen.buildRequest().delivery).toEqual({ kind: 'post', address: 'Số 2 Tràng Tiền' });
    // the core's kinds, first one after a reset (the address box hidden again)
    expect([...kind.options].map((o) => o.value)).toEqual([...DELIVERY_KINDS]);
    screen.reset();
    expect(kind.value).toBe(DELIVERY_KINDS[0]);
    expect(($(screen, 'applicant-id_type') as unknown as HTMLSelectElement).value).toBe(ID_TYPES[0]);
    expect($(screen, 'delivery-address').closest<HTMLElement>('label')!.hidden).toBe(true);
  });

  it('Ctrl+Enter submits from any field', async () => {
    await fill(screen);
    key($(screen, 'applicant-full_name'), 'Enter', { ctrlKey: true });
    await tick();
    expect(sent().length).toBe(1);
  });

  it('builds the request from the form: ticked documents, birth date as typed, stable request id', async () => {
    await fill(screen);
    $(screen, 'doc-uy-quyen').click(); // untick
    $(screen, 'applicant-email').value = ' a@b.vn ';
    const r1 = screen.buildRequest();
    expect(r1.documents).toEqual(['to-khai']);
    expect(r1.applicant).toEqual({
      full_name: 'Nguyễn Văn A', id_type: 'cccd', id_number: '001090012345', date_of_birth: '05/03/1990',
      phone: '0912345678', address: 'Hà Nội', email: 'a@b.vn',
    });
    expect(r1.procedure_code).toBe('1.001193');
    expect(r1.delivery).toEqual({ kind: 'counter' });
    // exempt: no fee goes unless one is typed; no case, no representative
    expect(r1.fee).toBeUndefined();
    expect(r1).not.toHaveProperty('case_id');
    expect(r1).not.toHaveProperty('representative');
    expect(r1.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(screen.buildRequest().request_id).toBe(r1.request_id);
  });

  it('sends any birth date as typed, so the core reads or names it; fee keeps digits only', async () => {
    await fill(screen);
    $(screen, 'applicant-date_of_birth').value = ' 5.3.1990 ';
    expect(screen.buildRequest().applicant.date_of_birth).toBe(' 5.3.1990 ');
    $(screen, 'applicant-date_of_birth').value = '31/02/1990';
    const fee = $(screen, 'fee');
    fee.value = '12.000đ';
    fee.dispatchEvent(new Event('input'));
    expect(fee.value).toBe('12000');
    const r = screen.buildRequest();
    expect(r.applicant.date_of_birth).toBe('31/02/1990');
    expect(r.fee).toBe(12000);
    expect(r.applicant.email).toBeUndefined();
  });

  it('a double submit sends one request; success shows the code, clears the form and refocuses', async () => {
    await fill(screen);
    const a = screen.submit();
    expect($(screen, 'submit').disabled).toBe(true);
    const b = screen.submit();
    await Promise.all([a, b]);
    expect(sent().length).toBe(1);
    expect($(screen, 'submit').disabled).toBe(false);
    expect($(screen, 'result').hidden).toBe(false);
    expect($(screen, 'result').textContent).toContain('Nguyễn Văn A');
    expect($(screen, 'result-code').textContent).toBe('000.00.31.H26-260212-0001');
    expect($(screen, 'result-due').textContent).toBe('17:00 thứ Năm, 12/02/2026');
    expect($(screen, 'applicant-full_name').value).toBe('');
    expect($(screen, 'procedure-input').value).toBe('');
    expect(screen.el.querySelectorAll('.doc-list input').length).toBe(0);
    expect(active()).toBe('procedure-input');
    await fill(screen);
    await screen.submit();
    expect(sent()[1].request_id).not.toBe(sent()[0].request_id);
  });

  it('an error is shown beside its field, which gets focus; nothing is cleared; the retry keeps the id', async () => {
    await fill(screen, 'bad');
    await screen.submit();
    const err = $(screen, 'error-applicant.id_number');
    expect(err.hidden).toBe(false);
    expect(err.textContent).toContain('12 chữ số');
    expect(active()).toBe('applicant-id_number');
    expect($(screen, 'applicant-id_number').getAttribute('aria-invalid')).toBe('true');
    expect($(screen, 'applicant-full_name').value).toBe('Nguyễn Văn A');
    expect($(screen, 'doc-to-khai').checked).toBe(true);
    $(screen, 'applicant-id_number').value = '001090012345';
    await screen.submit();
    expect(sent()[1].request_id).toBe(sent()[0].request_id);
    expect(err.hidden).toBe(true);
    expect($(screen, 'applicant-id_number').hasAttribute('aria-invalid')).toBe(false);
  });

  it('an error naming no field goes to the banner; the form stays as it was', async () => {
    await fill(screen, 'down');
    await screen.submit();
    expect($(screen, 'form-error').hidden).toBe(false);
    expect($(screen, 'form-error').textContent).toBe('Không ghi được cơ sở dữ liệu');
    expect($(screen, 'applicant-id_number').value).toBe('down');
    expect($(screen, 'result').hidden).toBe(true);
  });

  it('submitting without a procedure sends none, and the core\'s refusal names the procedure field', async () => {
    await screen.submit();
    expect(sent()[0].procedure_code).toBe('');
    expect($(screen, 'error-procedure_code').textContent).toBe('Chưa chọn thủ tục');
    expect(active()).toBe('procedure-input');
    expect($(screen, 'result').hidden).toBe(true);
  });

  it('shows the time limit in the core\'s words, and caps fields at the core\'s lengths', async () => {
    fake.intakePreview.mockReturnValueOnce(new Promise(() => {})); // the preview never answers
    void screen.pick(birth);
    expect($(screen, 'preview-time-limit').textContent).toBe('Trong ngày (nhận trước 15:00)');
    expect($(screen, 'applicant-full_name').maxLength).toBe(LIMITS.name);
    expect($(screen, 'applicant-date_of_birth').maxLength).toBe(LIMITS.date_input);
    expect($(screen, 'applicant-address').maxLength).toBe(LIMITS.address);
  });
  it('a procedure with cases asks which one: the preview and the checklist are the chosen case\'s, and the request names it', async () => {
    await screen.pick(pause);
    const select = $(screen, 'case') as unknown as HTMLSelectElement;
    expect(select.closest<HTMLElement>('label')!.hidden).toBe(false);
    expect([...select.options].map((o) => [o.value, o.text])).toEqual([['', '— Chọn trường hợp —'], ['tam-ngung', 'Tạm ngừng kinh doanh'], ['tiep-tuc', 'Tiếp tục kinh doanh trước thời hạn']]);
    // nothing preselected: no checklist, no appointment, the picker focused right after the procedure
    expect(select.value).toBe('');
    expect(active()).toBe('case');
    expect(screen.el.querySelectorAll('.doc-list input').length).toBe(0);
    expect(fake.intakePreview).not.toHaveBeenCalledWith('1.001570', expect.anything());
    expect(screen.buildRequest()).not.toHaveProperty('case_id');
    select.value = 'tam-ngung';
    select.dispatchEvent(new Event('change'));
    await tick();
    expect(fake.intakePreview).toHaveBeenLastCalledWith('1.001570', 'tam-ngung');
    expect(screen.el.querySelectorAll('.doc-list input').length).toBe(1);
    expect($(screen, 'doc-thong-bao')).toBeTruthy();
    // the province's time limit, with where it comes from
    expect($(screen, 'preview-time-limit').textContent).toBe('03 ngày làm việc');
    expect($(screen, 'preview-basis').textContent).toBe(`${LIMIT_BASIS_LABELS.province}: Quyết định 2637/QĐ-UBND`);
    expect(screen.buildRequest().case_id).toBe('tam-ngung');

    select.value = 'tiep-tuc';
    select.dispatchEvent(new Event('change'));
    await tick();
    expect(fake.intakePreview).toHaveBeenLastCalledWith('1.001570', 'tiep-tuc');
    expect($(screen, 'doc-thong-bao')).toBeNull();
    expect($(screen, 'doc-thong-bao-tiep-tuc').checked).toBe(true);
    expect($(screen, 'preview-time-limit').textContent).toBe('02 ngày làm việc');
    expect($(screen, 'preview-basis').textContent).toBe(`${LIMIT_BASIS_LABELS.law}: Điều 92 Nghị định 168/2025/NĐ-CP`);
    expect($(screen, 'preview-case').textContent).toBe('Tiếp tục kinh doanh trước thời hạn');
    expect($(screen, 'preview-due').textContent).toBe('17:00 thứ Năm, 12/02/2026');
    expect(screen.buildRequest()).toMatchObject({ procedure_code: '1.001570', case_id: 'tiep-tuc', documents: ['thong-bao-tiep-tuc'] });
    // Enter goes on from the picker to the checklist
    select.focus();
    key(select, 'Enter');
    expect(active()).toBe('doc-thong-bao-tiep-tuc');

    // a procedure without cases: no picker, no case sent
    await screen.pick(birth);
    expect(select.closest<HTMLElement>('label')!.hidden).toBe(true);
    expect(fake.intakePreview).toHaveBeenLastCalledWith('1.001193', null);
    expect(screen.buildRequest()).not.toHaveProperty('case_id');
    expect(active()).toBe('doc-to-khai');
  });

  it('the fee follows its kind: an amount is filled in, exempt and not collected are said beside an empty box, nothing is sent unless typed', async () => {
    await screen.pick(copy);
    expect($(screen, 'fee').value).toBe('2000');
    expect($(screen, 'fee-kind').hidden).toBe(true);
    expect(screen.buildRequest().fee).toBe(2000);
    await screen.pick(birth);
    expect($(screen, 'fee').value).toBe('');
    expect($(screen, 'fee-kind').hidden).toBe(false);
    expect($(screen, 'fee-kind').textContent).toBe(FEE_KIND_LABELS.exempt);
    expect($(screen, 'preview-fee').textContent).toBe(FEE_KIND_LABELS.exempt);
    expect($(screen, 'fee-required').hidden).toBe(true);
    expect(screen.buildRequest()).not.toHaveProperty('fee');
    await screen.pick(pause);
    const caseSelect = $(screen, 'case') as unknown as HTMLSelectElement;
    caseSelect.value = 'tam-ngung';
    caseSelect.dispatchEvent(new Event('change'));
    await tick();
    expect($(screen, 'fee-kind').textContent).toBe(FEE_KIND_LABELS.not_collected);
    expect(screen.buildRequest()).not.toHaveProperty('fee');
    // typed: sent as typed (the core decides what a 0 or an amount means here)
    $(screen, 'fee').value = '0';
    expect(screen.buildRequest().fee).toBe(0);
  });

  it('an unknown fee is required: empty, marked, labelled as the core says; the core\'s refusal shows under it until one is typed', async () => {
    await fill(screen, '001090012345', single);
    const fee = $(screen, 'fee');
    expect(fee.value).toBe('');
    expect($(screen, 'fee-required').hidden).toBe(false);
    expect(fee.getAttribute('aria-required')).toBe('true');
    expect($(screen, 'fee-kind').textContent).toBe(FEE_KIND_LABELS.unknown);
    expect(screen.buildRequest()).not.toHaveProperty('fee');
    await screen.submit();
    expect(sent()[0]).not.toHaveProperty('fee');
    expect($(screen, 'error-fee').hidden).toBe(false);
    expect($(screen, 'error-fee').textContent).toContain('nhập số tiền lệ phí');
    expect(active()).toBe('fee');
    expect(fee.getAttribute('aria-invalid')).toBe('true');
    fee.value = '15000';
    await screen.submit();
    expect(sent()[1].fee).toBe(15000);
    expect($(screen, 'result-code').textContent).toBe('000.00.31.H26-260212-0001');
    // the next citizen's form has no marker left
    expect($(screen, 'fee-required').hidden).toBe(true);
    expect(fee.hasAttribute('aria-required')).toBe(false);
  });

  it('a fee typed before the preview answers is kept', async () => {
    let answer: (v: unknown) => void = () => {};
    fake.intakePreview.mockReturnValueOnce(new Promise((r) => (answer = r)));
    const picking = screen.pick(copy);
    $(screen, 'fee').value = '4000';
    answer({ procedure_code: copy.code, procedure_name: copy.name, fee: 2000, time_limit: copy.time_limit, time_limit_label: '01 ngày làm việc',
      received_at: '2026-02-11T10:30:00+07:00', due_at: '2026-02-12T17:00:00+07:00', terms: copy.terms[0] });
    await picking;
    expect($(screen, 'fee').value).toBe('4000');
  });

  it('the representative (ủy quyền) is sent only when filled, capped at the core\'s lengths; its errors show under its fields', async () => {
    await fill(screen);
    const name = $(screen, 'representative-full_name');
    const id = $(screen, 'representative-id_number');
    expect(name.maxLength).toBe(LIMITS.name);
    expect(id.maxLength).toBe(LIMITS.id_number);
    expect(name.closest('label')!.textContent).toContain('Người được ủy quyền (nếu có)');
    expect(screen.buildRequest()).not.toHaveProperty('representative');
    name.value = '  ';
    expect(screen.buildRequest()).not.toHaveProperty('representative');
    name.value = 'Trần Văn B';
    id.value = 'bad';
    expect(screen.buildRequest().representative).toEqual({ full_name: 'Trần Văn B', id_number: 'bad' });
    await screen.submit();
    expect(sent()[0].representative).toEqual({ full_name: 'Trần Văn B', id_number: 'bad' });
    expect($(screen, 'error-representative.id_number').hidden).toBe(false);
    expect($(screen, 'error-representative.id_number').textContent).toBe('Số giấy tờ của người được ủy quyền không hợp lệ');
    expect(active()).toBe('representative-id_number');
    id.value = '001090099999';
    await screen.submit();
    expect(sent()[1].representative).toEqual({ full_name: 'Trần Văn B', id_number: '001090099999' });
    expect(name.value).toBe('');
  });

  it('guidance (F10): the dialog lists the core\'s unticked mandatory items, the edited list reaches the core, the slip number and its print are shown', async () => {
    const button = $(screen, 'intake-guidance');
    expect(button.textContent).toBe(`${CONTACT_KIND_LABELS.guidance} (F10)`);
    expect($(screen, 'intake-refuse').textContent).toBe(`${CONTACT_KIND_LABELS.refusal} (F11)`);
    await fill(screen);
    $(screen, 'doc-to-khai').click(); // untick the mandatory form
    const asked = screen.buildRequest();
    key($(screen, 'applicant-address'), 'F10');
    await tick();
    expect(fake.intakeMissing).toHaveBeenCalledWith(asked);
    const dialog = $(screen, 'contact-dialog');
    expect(dialog.hidden).toBe(false);
    expect($(screen, 'contact-title').textContent).toBe(CONTACT_KIND_LABELS.guidance);
    const missing = $(screen, 'contact-missing') as unknown as HTMLTextAreaElement;
    expect(missing.value).toBe('Tờ khai');
    expect(missing.maxLength).toBe(LIMITS.missing_list);
    expect(active()).toBe('contact-missing');
    // F10 again while it is open opens nothing more
    key(missing, 'F10');
    await tick();
    expect(fake.intakeMissing).toHaveBeenCalledTimes(1);
    missing.value = 'Tờ khai có chữ ký\n\n  Bản sao CCCD của người nộp  ';
    ($(screen, 'contact-reason') as unknown as HTMLTextAreaElement).value = 'Bổ sung trong giờ hành chính';
    ctrlEnter(missing);
    await tick();
    expect(contacted()).toEqual([{
      kind: 'guidance', request: asked, missing: ['Tờ khai có chữ ký', 'Bản sao CCCD của người nộp'], reason: 'Bổ sung trong giờ hành chính',
    }]);
    expect(fake.intakeSubmit).not.toHaveBeenCalled();
    // the result: the status and the slip number (no dossier code), and the slip's print as for a receipt
    const result = $(screen, 'contact-result');
    expect(result.hidden).toBe(false);
    expect($(screen, 'contact-number').textContent).toBe('HD-Q01-260212-0001');
    expect($(screen, 'contact-status').textContent).toBe(STATUS_LABELS.guided);
    expect(result.textContent).toContain('Số phiếu');
    expect(result.querySelector<HTMLElement>('[data-testid="print-status"]')!.textContent).toContain(`Đã gửi ${FORM_LABELS.supplement}`);
    expect(result.querySelector<HTMLElement>('[data-testid="print-status"]')!.className).toContain('ok');
    expect(result.querySelector('[data-testid="print-receipt"]')).toBeNull();
    expect($(screen, 'result').hidden).toBe(true);
    // Ctrl+P (main.ts) prints this slip again
    fake.formPrint.mockResolvedValue(printed({ reprint: true }));
    await screen.printActions!.print();
    expect(fake.formPrint).toHaveBeenCalledWith({ form: 'supplement', code: 'HD-Q01-260212-0001' }, true);
    // the dialog is gone, the form is clear for the next citizen, with a new request id
    expect(dialog.hidden).toBe(true);
    expect($(screen, 'applicant-full_name').value).toBe('');
    expect(screen.el.querySelectorAll('.doc-list input').length).toBe(0);
    expect(active()).toBe('procedure-input');
    expect(screen.buildRequest().request_id).not.toBe(asked.request_id);
    // a dossier taken in next shows its own result
    await fill(screen);
    await screen.submit();
    expect(result.hidden).toBe(true);
    expect($(screen, 'result').hidden).toBe(false);
  });

  it('guidance on a form the core refuses (no procedure) shows the refusal beside its field and opens no dialog', async () => {
    $(screen, 'intake-guidance').click();
    await tick();
    expect($(screen, 'error-procedure_code').textContent).toBe('Chưa chọn thủ tục');
    expect(active()).toBe('procedure-input');
    expect($(screen, 'contact-dialog').hidden).toBe(true);
  });

  it('refusal (F11) needs a reason: the core\'s refusal shows beside it; Esc cancels back where the clerk was; then the slip is recorded', async () => {
    await fill(screen);
    const phone = $(screen, 'applicant-phone');
    phone.focus();
    key(phone, 'F11');
    await tick();
    expect(fake.intakeMissing).not.toHaveBeenCalled();
    expect($(screen, 'contact-title').textContent).toBe(CONTACT_KIND_LABELS.refusal);
    expect($(screen, 'contact-missing')).toBeNull();
    const reason = $(screen, 'contact-reason') as unknown as HTMLTextAreaElement;
    expect(reason.maxLength).toBe(LIMITS.reason);
    expect(reason.getAttribute('aria-required')).toBe('true');
    expect(active()).toBe('contact-reason');
    $(screen, 'contact-confirm').click();
    await tick();
    expect(contacted()[0]).toMatchObject({ kind: 'refusal', reason: '' });
    expect(contacted()[0]).not.toHaveProperty('missing');
    const err = $(screen, 'contact-error-reason');
    expect(err.hidden).toBe(false);
    expect(err.textContent).toBe('Cần ghi lý do từ chối tiếp nhận hồ sơ');
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    expect(active()).toBe('contact-reason');
    expect($(screen, 'contact-dialog').hidden).toBe(false);
    expect($(screen, 'applicant-full_name').value).toBe('Nguyễn Văn A');
    // Esc: nothing recorded, nothing cleared, back in the phone box
    key(reason, 'Escape');
    expect($(screen, 'contact-dialog').hidden).toBe(true);
    expect(active()).toBe('applicant-phone');
    expect($(screen, 'applicant-full_name').value).toBe('Nguyễn Văn A');
    // again, with a reason
    key(phone, 'F11');
    await tick();
    const again = $(screen, 'contact-reason') as unknown as HTMLTextAreaElement;
    expect(again.value).toBe('');
    again.value = 'Thủ tục không thuộc thẩm quyền của xã';
    ctrlEnter(again);
    await tick();
    expect(contacted()[1]).toEqual({ kind: 'refusal', request: contacted()[0].request, reason: 'Thủ tục không thuộc thẩm quyền của xã' });
    expect($(screen, 'contact-number').textContent).toBe('TC-Q01-260212-0001');
    expect($(screen, 'contact-status').textContent).toBe(STATUS_LABELS.not_accepted);
    expect($(screen, 'contact-result').textContent).toContain(FORM_LABELS.refusal);
    expect(active()).toBe('procedure-input');
  });

  it('a contact refused on a field of the form says so in the dialog and beside the field; a printer failure is shown as for a receipt', async () => {
    await fill(screen, 'bad');
    key($(screen, 'applicant-address'), 'F11');
    await tick();
    ($(screen, 'contact-reason') as unknown as HTMLTextAreaElement).value = 'Không đủ điều kiện';
    $(screen, 'contact-confirm').click();
    await tick();
    expect($(screen, 'contact-error').hidden).toBe(false);
    expect($(screen, 'contact-error').textContent).toBe('Số CCCD phải gồm đúng 12 chữ số');
    expect($(screen, 'error-applicant.id_number').textContent).toBe('Số CCCD phải gồm đúng 12 chữ số');
    expect($(screen, 'contact-dialog').hidden).toBe(false);
    key($(screen, 'contact-reason'), 'Escape');
    $(screen, 'applicant-id_number').value = '001090012345';
    fake.intakeContact.mockImplementationOnce(async (c: ContactRequest) => ({
      record: view({ ...dossier(c.request), code: 'TC-Q01-260212-0002', status: 'not_accepted' }, [], { is_contact: true }),
      print: printed({ form: 'refusal', printed: false, job_id: null, error: { code: 'printer', reason: 'printer_stopped', message: 'Máy in hết giấy.' } }),
    }));
    key($(screen, 'applicant-address'), 'F11');
    await tick();
    ($(screen, 'contact-reason') as unknown as HTMLTextAreaElement).value = 'Không đủ điều kiện';
    $(screen, 'contact-confirm').click();
    await tick();
    const status = $(screen, 'contact-result').querySelector<HTMLElement>('[data-testid="print-status"]')!;
    expect(status.className).toContain('error');
    expect(status.textContent).toContain('Máy in hết giấy.');
    expect($(screen, 'contact-result').querySelector<HTMLElement>('[data-testid="open-pdf"]')!.hidden).toBe(false);
  });
});
