import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContactRequest } from './bindings/ContactRequest';
import type { DossierView } from './bindings/DossierView';
import type { IntakeRequest } from './bindings/IntakeRequest';
import type { PrintOutcome } from './bindings/PrintOutcome';
import type { ProcedureView } from './bindings/ProcedureView';
import {
  CONTACT_KIND_LABELS, DELIVERY_KINDS, FEE_KIND_LABELS, FORM_LABELS, ID_TYPES, LIMIT_BASIS_LABELS, LIMITS, STATUS_LABELS,
} from './bindings/facts';
import type { CardReading } from './bindings/CardReading';
import type { FeeUnits } from './bindings/FeeUnits';
import { cardReading, cardText, procedureView, unit, view } from './test-data';
import { formatMoney } from './format';

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
    settingsGet: vi.fn(),
    cardRead: vi.fn(),
    cardFromImage: vi.fn(),
    applicantReturning: vi.fn(),
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
/** A fee by the page: the clerk counts pages and copies, the core computes the fee. */
const pages: ProcedureView = (() => {
  const p = procedureView({ ...copy, code: '2.000908', name: 'Chứng thực chữ ký', fee: { kind: 'amount', amount: 2000, note: 'mỗi trang' } }, '01 ngày làm việc');
  return { ...p, terms: [{ ...p.terms[0], fee_units_label: 'Số trang bản chính', fee_asks_copies: true }] };
})();
/** A checklist whose identity paper the card stands for (no photocopy once it is read). */
const residence = procedureView({
  ...birth, code: '1.004194', name: 'Đăng ký thường trú',
  documents: [
    { id: 'to-khai', name: 'Tờ khai thay đổi thông tin cư trú', form: 'original', count: 1, mandatory: true },
    { id: 'cccd', name: 'Thẻ căn cước', form: 'copy', count: 1, mandatory: false, identity: true },
    { id: 'nha-o', name: 'Giấy tờ chứng minh chỗ ở', form: 'copy', count: 1, mandatory: false },
  ],
}, 'Trong ngày (nhận trước 15:00)');
const CATALOG: ProcedureView[] = [birth, copy, pause, single, pages, residence];

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
    fake.intakePreview.mockImplementation(async (code: string, caseId?: string | null, units?: FeeUnits | null) => {
      const p = CATALOG.find((x) => x.code === code)!;
      // the core: a procedure with cases needs one, and the terms are that case's
      const found = p.terms.find((t) => (t.case_id ?? null) === (caseId ?? null));
      if (!found) throw { code: 'validation', reason: 'invalid', message: 'Chọn trường hợp', field: 'case_id' };
      // a fee by the page: computed from what was counted
      const counted = units && found.fee_units_label ? found.fee.amount * units.count * (units.copies ?? 1) : null;
      const terms = counted === null ? found : { ...found, fee_prefill: counted, fee_label: formatMoney(counted) };
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
    fake.applicantReturning.mockResolvedValue(null);
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
    expect(fake.intakePreview).toHaveBeenCalledWith('2.000815', null, null);
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

  it('lists the checklist: mandatory items ticked, conditional ones not, mandatory marked, form and count shown', async () => {
    await screen.pick(birth);
    expect($(screen, 'doc-to-khai').checked).toBe(true);
    // a conditional paper is ticked only when the clerk sees it
    expect($(screen, 'doc-uy-quyen').checked).toBe(false);
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
    // the representative's section is hidden until asked for (Alt+U), so not in the order
    expect(order).toEqual([
      'doc-to-khai', 'doc-uy-quyen', 'applicant-full_name', 'applicant-gender', 'applicant-id_type', 'applicant-id_number',
      'applicant-date_of_birth', 'applicant-old_id_number', 'applicant-id_issued_on', 'applicant-phone', 'applicant-address',
      'applicant-email', 'subject', 'delivery-kind', 'fee',
    ]);
    expect(sent().length).toBe(1);
    // Enter did not toggle: the mandatory item is still ticked, the conditional one still not
    expect(sent()[0].documents).toEqual(['to-khai']);
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
    $(screen, 'doc-to-khai').click(); // untick the mandatory one
    $(screen, 'doc-uy-quyen').click(); // tick the conditional one
    $(screen, 'applicant-email').value = ' a@b.vn ';
    const r1 = screen.buildRequest();
    expect(r1.documents).toEqual(['uy-quyen']);
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
    // nothing scanned, nothing about another person, nothing counted
    for (const absent of ['card', 'representative_card', 'subject', 'fee_units']) expect(r1).not.toHaveProperty(absent);
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
    expect(fake.intakePreview).toHaveBeenLastCalledWith('1.001570', 'tam-ngung', null);
    expect(screen.el.querySelectorAll('.doc-list input').length).toBe(1);
    expect($(screen, 'doc-thong-bao')).toBeTruthy();
    // the province's time limit, with where it comes from
    expect($(screen, 'preview-time-limit').textContent).toBe('03 ngày làm việc');
    expect($(screen, 'preview-basis').textContent).toBe(`${LIMIT_BASIS_LABELS.province}: Quyết định 2637/QĐ-UBND`);
    expect(screen.buildRequest().case_id).toBe('tam-ngung');

    select.value = 'tiep-tuc';
    select.dispatchEvent(new Event('change'));
    await tick();
    expect(fake.intakePreview).toHaveBeenLastCalledWith('1.001570', 'tiep-tuc', null);
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
    expect(fake.intakePreview).toHaveBeenLastCalledWith('1.001193', null, null);
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
    const section = $(screen, 'representative');
    const name = $(screen, 'representative-full_name');
    const id = $(screen, 'representative-id_number');
    // hidden until asked for: Alt+U (or the button) shows it with the cursor on the name
    expect(section.hidden).toBe(true);
    key($(screen, 'applicant-phone'), 'u', { altKey: true });
    expect(section.hidden).toBe(false);
    expect(active()).toBe('representative-full_name');
    $(screen, 'representative-toggle').click();
    expect(section.hidden).toBe(true);
    $(screen, 'representative-toggle').click();
    expect(section.hidden).toBe(false);
    expect(name.maxLength).toBe(LIMITS.name);
    expect(id.maxLength).toBe(LIMITS.id_number);
    expect($(screen, 'representative-relation').maxLength).toBe(LIMITS.relation);
    expect($(screen, 'representative-authorisation').maxLength).toBe(LIMITS.authorisation);
    expect(name.closest('label')!.textContent).toContain('Người nộp thay (ủy quyền)');
    expect(screen.buildRequest()).not.toHaveProperty('representative');
    name.value = '  ';
    expect(screen.buildRequest()).not.toHaveProperty('representative');
    name.value = 'Trần Văn B';
    id.value = 'bad';
    // as typed, every box: the core names what is missing or wrong
    const typed = { full_name: 'Trần Văn B', id_number: 'bad', relation: '', authorisation: '' };
    expect(screen.buildRequest().representative).toEqual(typed);
    // the section closed means nobody files on the applicant's behalf: nothing of it goes
    $(screen, 'representative-toggle').click();
    expect(screen.buildRequest()).not.toHaveProperty('representative');
    $(screen, 'representative-toggle').click();
    expect(screen.buildRequest().representative).toEqual(typed);
    await screen.submit();
    expect(sent()[0].representative).toEqual(typed);
    expect($(screen, 'error-representative.id_number').hidden).toBe(false);
    expect($(screen, 'error-representative.id_number').textContent).toBe('Số giấy tờ của người được ủy quyền không hợp lệ');
    expect(active()).toBe('representative-id_number');
    id.value = '001090099999';
    $(screen, 'representative-relation').value = 'con';
    await screen.submit();
    expect(sent()[1].representative).toEqual({ ...typed, id_number: '001090099999', relation: 'con' });
    expect(name.value).toBe('');
    // the next citizen starts without the section
    expect(section.hidden).toBe(true);
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

  // ——— the card fills the applicant (issue 15) ———

  /** The core reads `r` for whatever is scanned; the screen is told of a scan. */
  async function scan(r: CardReading = cardReading()) {
    fake.cardRead.mockResolvedValueOnce(r);
    await screen.scanned(r.text);
    await tick();
  }
  const fromCard = (id: string) => $(screen, id).closest('.field')!.classList.contains('from-card');
  const shown = (id: string) => !$(screen, id).hidden;
  /** Keys as a keyboard wedge (or a person) types them into the focused element, then Enter; true when Enter was swallowed. */
  function typeKeys(text: string, enter = true): boolean {
    for (const ch of text) {
      const ev = new KeyboardEvent('keydown', { key: ch, bubbles: true, cancelable: true });
      if (!document.activeElement!.dispatchEvent(ev)) continue;
      const now = document.activeElement;
      if (now instanceof HTMLInputElement && now.type !== 'checkbox') {
        now.value += ch;
        now.dispatchEvent(new Event('input', { bubbles: true }));
      } else if (now instanceof HTMLInputElement && ch === ' ') now.checked = !now.checked;
    }
    return enter && !document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
  }

  it('a keyboard-wedge scan in the name field: the core reads the string, the name is the card\'s, the Enter submits nothing', async () => {
    await screen.pick(birth);
    const name = $(screen, 'applicant-full_name');
    name.value = 'Ngu';
    name.focus();
    fake.cardRead.mockResolvedValueOnce(cardReading());
    expect(typeKeys(cardText())).toBe(true);
    await tick();
    expect(fake.cardRead).toHaveBeenCalledWith(cardText());
    expect(fake.intakeSubmit).not.toHaveBeenCalled();
    expect(name.value).toBe('Nguyễn Văn An');
    expect(fromCard('applicant-full_name')).toBe(true);
  });

  it('a scan fills the applicant and marks what came from the card; the core\'s checks and warnings are shown', async () => {
    await screen.pick(birth);
    await scan(cardReading({ card: { warnings: ['Năm sinh trên thẻ không khớp với số CCCD'], checks: [{ ok: true, message: 'Mã tỉnh 001 (Hà Nội)' }, { ok: false, message: 'Năm sinh 1991 không khớp' }] } }));
    const values = Object.fromEntries(['applicant-full_name', 'applicant-id_number', 'applicant-date_of_birth', 'applicant-old_id_number', 'applicant-id_issued_on', 'applicant-gender', 'applicant-id_type']
      .map((id) => [id, $(screen, id).value]));
    expect(values).toEqual({
      'applicant-full_name': 'Nguyễn Văn An', 'applicant-id_number': '001090012345', 'applicant-date_of_birth': '05/03/1990',
      'applicant-old_id_number': '123456789', 'applicant-id_issued_on': '01/01/2021', 'applicant-gender': 'male', 'applicant-id_type': 'cccd',
    });
    for (const id of ['applicant-full_name', 'applicant-id_number', 'applicant-date_of_birth', 'applicant-old_id_number', 'applicant-id_issued_on', 'applicant-gender', 'applicant-address']) {
      expect(fromCard(id), id).toBe(true);
    }
    expect(fromCard('applicant-phone')).toBe(false);
    expect($(screen, 'card-status').textContent).toContain('1/2 kiểm tra khớp');
    expect($(screen, 'card-status').textContent).toContain('10:29');
    expect(shown('card-warnings')).toBe(true);
    expect([...$(screen, 'card-warnings').querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Năm sinh trên thẻ không khớp với số CCCD']);
    // the cursor goes where the card said nothing
    expect(active()).toBe('applicant-phone');
    // a clean card: no warnings box
    await scan();
    expect(shown('card-warnings')).toBe(false);
    expect($(screen, 'card-status').className).toBe('ok');
  });

  it('a card whose letters were lost (keyboard mode) leaves name and address to the clerk, and says why', async () => {
    const lost = 'Máy quét đang ở chế độ bàn phím nên mất dấu tiếng Việt: gõ họ tên và địa chỉ, hoặc chuyển máy quét sang chế độ cổng COM';
    await scan(cardReading({ card: { letters_lost: true, full_name: '', address: '', warnings: [lost] } }));
    expect($(screen, 'applicant-full_name').value).toBe('');
    expect($(screen, 'applicant-address').value).toBe('');
    expect(fromCard('applicant-full_name')).toBe(false);
    expect(fromCard('applicant-address')).toBe(false);
    expect($(screen, 'applicant-id_number').value).toBe('001090012345');
    expect(fromCard('applicant-id_number')).toBe(true);
    expect($(screen, 'card-warnings').textContent).toContain(lost);
    expect(shown('address-map')).toBe(false);
    expect(active()).toBe('applicant-full_name');
    expect(screen.buildRequest().applicant.identity).not.toHaveProperty('unit_code');
  });

  it('a second card that lost its letters keeps nothing of the first card\'s address', async () => {
    await scan();
    expect(screen.buildRequest().applicant.identity).toHaveProperty('unit_code', '00004');
    await scan(cardReading({ text: cardText('079085000123', 'TRN TH BCH'), card: { id_number: '079085000123', letters_lost: true, full_name: '', address: '', warnings: ['mất dấu'] } }));
    expect($(screen, 'applicant-address').value).toBe('');
    expect(shown('address-map')).toBe(false);
    const identity = screen.buildRequest().applicant.identity!;
    expect(identity).not.toHaveProperty('unit_code');
    expect(identity).not.toHaveProperty('card_address');
  });

  it('a merged unit: its current address is taken, the card\'s beside it; Alt+0 goes back to the card\'s', async () => {
    const r = cardReading();
    await scan(r);
    const address = $(screen, 'applicant-address');
    expect(address.value).toBe('Số 1 phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội');
    expect(shown('address-map')).toBe(true);
    expect($(screen, 'address-card').textContent).toBe(r.address.original);
    expect(screen.el.querySelectorAll('[data-testid="address-candidate"]')).toHaveLength(1);
    expect(screen.buildRequest().applicant.identity).toMatchObject({ unit_code: '00004', card_address: r.address.original });
    key($(screen, 'applicant-phone'), '0', { altKey: true });
    expect(address.value).toBe(r.address.original);
    expect(fromCard('applicant-address')).toBe(true);
    const identity = screen.buildRequest().applicant.identity!;
    expect(identity).not.toHaveProperty('unit_code');
    expect(identity).not.toHaveProperty('card_address');
    expect($(screen, 'address-keep').classList.contains('chosen')).toBe(true);
  });

  it('a split unit: every current form is offered, none taken until the clerk picks; Alt+2 takes the second', async () => {
    const r = cardReading({
      address: {
        candidates: [
          { unit: unit('00008', 'Phường Ngọc Hà'), address: 'Số 1 phố Điện Biên Phủ, Phường Ngọc Hà, Thành phố Hà Nội' },
          { unit: unit('00004', 'Phường Ba Đình'), address: 'Số 1 phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội' },
        ],
      },
    });
    await scan(r);
    const address = $(screen, 'applicant-address');
    expect(address.value).toBe(r.address.original);
    const offered = [...screen.el.querySelectorAll<HTMLElement>('[data-testid="address-candidate"]')];
    expect(offered.map((b) => b.textContent)).toEqual([
      'Hiện nay (1): Số 1 phố Điện Biên Phủ, Phường Ngọc Hà, Thành phố Hà Nội (Alt+1)',
      'Hiện nay (2): Số 1 phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội (Alt+2)',
    ]);
    expect(screen.buildRequest().applicant.identity).not.toHaveProperty('unit_code');
    key(document.activeElement as HTMLElement, '2', { altKey: true });
    expect(address.value).toBe('Số 1 phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội');
    expect(offered[1].classList.contains('chosen')).toBe(true);
    expect(screen.buildRequest().applicant.identity).toMatchObject({ unit_code: '00004', card_address: r.address.original });
    // a click picks too
    offered[0].click();
    expect(screen.buildRequest().applicant.identity).toMatchObject({ unit_code: '00008' });
  });

  it('phi địa giới: an applicant living in another unit than the centre\'s is said so; none for the centre\'s own', async () => {
    await scan(cardReading({ agency_unit: unit('00091', 'Phường Hoàn Kiếm') }));
    const note = $(screen, 'outside-area');
    expect(note).not.toBeNull();
    expect(note.textContent).toContain('phi địa giới');
    expect(note.textContent).toContain('Phường Ba Đình');
    expect(note.textContent).toContain('Phường Hoàn Kiếm');
    // the card's address kept: no unit, no note
    key($(screen, 'applicant-phone'), '0', { altKey: true });
    expect($(screen, 'outside-area')).toBeNull();
    screen.newCitizen();
    await scan(cardReading({ agency_unit: unit('00004', 'Phường Ba Đình') }));
    expect($(screen, 'outside-area')).toBeNull();
  });

  it('the request carries the card as scanned and the identity the card gave; typed fields stay as typed', async () => {
    await fill(screen);
    const r = cardReading();
    await scan(r);
    $(screen, 'applicant-phone').value = '0912345678';
    $(screen, 'subject').value = '  Nguyễn Văn Bé (con)  ';
    const req = screen.buildRequest();
    expect(req.card).toEqual({ text: r.text, read_at: r.read_at });
    expect(req).not.toHaveProperty('representative_card');
    expect(req.applicant).toEqual({
      full_name: 'Nguyễn Văn An', id_type: 'cccd', id_number: '001090012345', date_of_birth: '05/03/1990', phone: '0912345678',
      address: 'Số 1 phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội',
      identity: { gender: 'male', old_id_number: '123456789', id_issued_on: '01/01/2021', unit_code: '00004', card_address: r.address.original },
    });
    expect(req.subject).toBe('Nguyễn Văn Bé (con)');
    await screen.submit();
    expect(sent()[0].card).toEqual({ text: r.text, read_at: r.read_at });
    // the next citizen: no card any more
    expect(screen.buildRequest()).not.toHaveProperty('card');
    expect(screen.buildRequest().applicant).not.toHaveProperty('identity');
    expect(screen.el.querySelectorAll('.from-card')).toHaveLength(0);
  });

  it('identity typed by hand goes as typed; a hand-typed ID number is looked up when the clerk leaves it', async () => {
    await fill(screen);
    ($(screen, 'applicant-gender') as unknown as HTMLSelectElement).value = 'female';
    $(screen, 'applicant-id_issued_on').value = '1/1/21';
    expect(screen.buildRequest().applicant.identity).toEqual({ gender: 'female', id_issued_on: '1/1/21' });
    expect(screen.buildRequest()).not.toHaveProperty('card');
    const id = $(screen, 'applicant-id_number');
    id.focus();
    id.blur();
    await tick();
    expect(fake.applicantReturning).toHaveBeenCalledWith('001090012345');
  });

  it('a scan while the cursor is in the representative\'s section fills the representative, and sends their card', async () => {
    await fill(screen);
    key($(screen, 'applicant-address'), 'U', { altKey: true });
    expect(active()).toBe('representative-full_name');
    const r = cardReading({ text: cardText('079085000123', 'TRẦN THỊ BÍCH'), card: { id_number: '079085000123', full_name: 'Trần Thị Bích' } });
    await scan(r);
    expect($(screen, 'representative-full_name').value).toBe('Trần Thị Bích');
    expect($(screen, 'representative-id_number').value).toBe('079085000123');
    expect($(screen, 'applicant-full_name').value).toBe('Nguyễn Văn A');
    expect(active()).toBe('representative-relation');
    const req = screen.buildRequest();
    expect(req.representative_card).toEqual({ text: r.text, read_at: r.read_at });
    expect(req).not.toHaveProperty('card');
  });

  it('a code that is not a card\'s says so and fills nothing; a card the core cannot read says why', async () => {
    await screen.scanned('000.00.31.H26-260212-0001');
    expect(fake.cardRead).not.toHaveBeenCalled();
    expect($(screen, 'card-status').className).toBe('error');
    expect($(screen, 'applicant-id_number').value).toBe('');
    fake.cardRead.mockRejectedValueOnce({ code: 'validation', reason: 'invalid', message: 'Chuỗi trên thẻ có 5 trường, cần 7' });
    await screen.scanned(cardText());
    expect($(screen, 'card-status').textContent).toBe('Chuỗi trên thẻ có 5 trường, cần 7');
    expect(screen.buildRequest()).not.toHaveProperty('card');
  });

  it('the identity paper on the checklist is ticked and marked once the card is read; conditional papers stay unticked', async () => {
    await screen.pick(residence);
    expect($(screen, 'doc-to-khai').checked).toBe(true);
    expect($(screen, 'doc-cccd').checked).toBe(false);
    expect($(screen, 'doc-nha-o').checked).toBe(false);
    await scan();
    expect($(screen, 'doc-cccd').checked).toBe(true);
    expect($(screen, 'doc-cccd').closest('.doc')!.classList.contains('from-card')).toBe(true);
    expect($(screen, 'doc-nha-o').checked).toBe(false);
    expect(screen.buildRequest().documents).toEqual(['to-khai', 'cccd']);
    // read before the procedure is picked: the checklist comes ticked
    screen.newCitizen();
    await scan();
    await screen.pick(residence);
    expect($(screen, 'doc-cccd').checked).toBe(true);
    expect($(screen, 'doc-nha-o').checked).toBe(false);
  });

  it('a returning citizen: earlier details offered with their dates, never filled silently; Alt+1 takes the phone', async () => {
    fake.applicantReturning.mockResolvedValue({
      full_name: 'Nguyễn Văn An', dossiers: 2,
      details: [
        { field: 'applicant.phone', label: 'Điện thoại', value: '0987654321', given_at: '2026-01-05T09:00:00+07:00', dossier_code: 'X1' },
        { field: 'applicant.email', label: 'Email', value: 'an@example.vn', given_at: '2025-12-01T14:30:00+07:00', dossier_code: 'X2' },
      ],
    });
    await scan();
    expect(fake.applicantReturning).toHaveBeenCalledWith('001090012345');
    const box = $(screen, 'returning');
    expect(box.hidden).toBe(false);
    expect(box.textContent).toContain('2 hồ sơ');
    const offers = [...box.querySelectorAll<HTMLElement>('[data-testid="returning-detail"]')];
    expect(offers[0].textContent).toContain('0987654321');
    expect(offers[0].textContent).toContain('09:00 thứ Hai, 05/01/2026');
    expect(offers[0].textContent).toContain('(Alt+1)');
    expect($(screen, 'applicant-phone').value).toBe('');
    key($(screen, 'applicant-phone'), '1', { altKey: true });
    expect($(screen, 'applicant-phone').value).toBe('0987654321');
    expect(offers[0].classList.contains('chosen')).toBe(true);
    expect($(screen, 'applicant-email').value).toBe('');
    offers[1].click();
    expect($(screen, 'applicant-email').value).toBe('an@example.vn');
    // asked once per ID number
    await scan();
    expect(fake.applicantReturning).toHaveBeenCalledTimes(1);
  });

  it('every wrong field is named at once, beside its field; the first gets the cursor; the rest in the banner', async () => {
    await fill(screen);
    fake.intakeSubmit.mockRejectedValueOnce({
      code: 'validation', reason: 'invalid', field: 'applicant.id_number',
      message: 'Số CCCD phải gồm đúng 12 chữ số; Ngày sinh không đọc được; Ngày cấp sau ngày hôm nay; Thẻ đã quét không khớp với số đã gõ',
      errors: [
        { field: 'applicant.id_number', message: 'Số CCCD phải gồm đúng 12 chữ số' },
        { field: 'applicant.date_of_birth', message: 'Ngày sinh không đọc được' },
        { field: 'applicant.identity.id_issued_on', message: 'Ngày cấp sau ngày hôm nay' },
        { message: 'Thẻ đã quét không khớp với số đã gõ' },
      ],
    });
    await screen.submit();
    const slot = (f: string) => $(screen, `error-${f}`);
    expect(slot('applicant.id_number').textContent).toBe('Số CCCD phải gồm đúng 12 chữ số');
    expect(slot('applicant.date_of_birth').textContent).toBe('Ngày sinh không đọc được');
    expect(slot('applicant.identity.id_issued_on').textContent).toBe('Ngày cấp sau ngày hôm nay');
    for (const f of ['applicant.id_number', 'applicant.date_of_birth', 'applicant.identity.id_issued_on']) expect(slot(f).hidden, f).toBe(false);
    expect($(screen, 'applicant-date_of_birth').getAttribute('aria-invalid')).toBe('true');
    expect($(screen, 'applicant-id_issued_on').getAttribute('aria-invalid')).toBe('true');
    expect(active()).toBe('applicant-id_number');
    expect($(screen, 'form-error').hidden).toBe(false);
    expect($(screen, 'form-error').textContent).toBe('Thẻ đã quét không khớp với số đã gõ');
    expect($(screen, 'applicant-full_name').value).toBe('Nguyễn Văn A');
  });

  it('Esc (nothing open) is a new citizen: everything cleared, the results too, the cursor on the procedure; Esc in the list only closes it', async () => {
    await fill(screen);
    await scan();
    await screen.submit();
    expect($(screen, 'result').hidden).toBe(false);
    await fill(screen);
    key($(screen, 'applicant-phone'), 'u', { altKey: true });
    $(screen, 'representative-full_name').value = 'Trần Văn B';
    $(screen, 'fee').value = '5000';
    // picking a procedure made room: the previous result is gone
    expect($(screen, 'result').hidden).toBe(true);
    await screen.submit();
    // the next citizen's card is read while the last result is still on screen
    expect($(screen, 'result').hidden).toBe(false);
    await scan();
    $(screen, 'fee').value = '5000';
    $(screen, 'applicant-phone').focus();
    key($(screen, 'applicant-phone'), 'Escape');
    for (const id of ['applicant-full_name', 'applicant-id_number', 'applicant-date_of_birth', 'applicant-address', 'applicant-old_id_number', 'procedure-input', 'fee']) {
      expect($(screen, id).value, id).toBe('');
    }
    expect(($(screen, 'applicant-gender') as unknown as HTMLSelectElement).value).toBe('');
    for (const id of ['result', 'contact-result', 'card-warnings', 'address-map', 'returning', 'representative']) expect($(screen, id).hidden, id).toBe(true);
    expect(screen.el.querySelectorAll('.from-card, .doc-list input')).toHaveLength(0);
    expect(screen.buildRequest()).not.toHaveProperty('card');
    expect(active()).toBe('procedure-input');
    // Esc with the type-ahead list open closes the list and clears nothing
    const input = await typeProcedure(screen, 'khai');
    $(screen, 'applicant-full_name').value = 'Lê Thị C';
    key(input, 'Escape');
    expect($(screen, 'procedure-options').hidden).toBe(true);
    expect($(screen, 'applicant-full_name').value).toBe('Lê Thị C');
    expect(input.value).toBe('khai');
  });

  it('a letter typed while a checkbox has focus lands in the first empty applicant field, not lost', async () => {
    await screen.pick(birth);
    const box = $(screen, 'doc-to-khai');
    box.focus();
    typeKeys('Ng', false);
    expect(active()).toBe('applicant-full_name');
    expect($(screen, 'applicant-full_name').value).toBe('Ng');
    expect(box.checked).toBe(true);
    // Space still ticks and unticks
    box.focus();
    typeKeys(' ', false);
    expect(box.checked).toBe(false);
    expect(active()).toBe('doc-to-khai');
    // the name is there: the next empty one
    $(screen, 'doc-uy-quyen').focus();
    typeKeys('0', false);
    expect(active()).toBe('applicant-id_number');
    expect($(screen, 'applicant-id_number').value).toBe('0');
    expect($(screen, 'applicant-full_name').value).toBe('Ng');
  });

  it('a card scanned while a checkbox has focus: the checklist is untouched and no field keeps a piece of the string', async () => {
    await screen.pick(birth);
    // the clerk typed the applicant by hand before the card came out
    for (const [id, v] of [['applicant-full_name', 'Nguyễn Văn An'], ['applicant-id_number', '001090012345'], ['applicant-date_of_birth', '05/03/1990'],
      ['applicant-old_id_number', '123456789'], ['applicant-id_issued_on', '01/01/2021']]) $(screen, id).value = v;
    const box = $(screen, 'doc-uy-quyen');
    box.focus();
    fake.cardRead.mockResolvedValueOnce(cardReading());
    expect(typeKeys(cardText())).toBe(true);
    await tick();
    expect(fake.cardRead).toHaveBeenCalledWith(cardText());
    expect(box.checked).toBe(false);
    expect($(screen, 'doc-to-khai').checked).toBe(true);
    expect(fake.intakeSubmit).not.toHaveBeenCalled();
    expect($(screen, 'applicant-phone').value).toBe('');
    expect($(screen, 'applicant-full_name').value).toBe('Nguyễn Văn An');
  });

  it('a fee by the page: pages and copies counted, the core computes the fee; the count goes with the request unless a fee is typed', async () => {
    await screen.pick(pages);
    expect(fake.intakePreview).toHaveBeenLastCalledWith(pages.code, null, null);
    expect($(screen, 'fee-count').closest<HTMLElement>('label')!.hidden).toBe(false);
    expect($(screen, 'fee-units-label').textContent).toBe('Số trang bản chính');
    expect($(screen, 'fee-copies').closest<HTMLElement>('label')!.hidden).toBe(false);
    const count = $(screen, 'fee-count');
    count.value = '3 trang';
    count.dispatchEvent(new Event('input', { bubbles: true }));
    await tick();
    expect(count.value).toBe('3');
    expect(fake.intakePreview).toHaveBeenLastCalledWith(pages.code, null, { count: 3 });
    const copies = $(screen, 'fee-copies');
    copies.value = '2';
    copies.dispatchEvent(new Event('input', { bubbles: true }));
    await tick();
    expect(fake.intakePreview).toHaveBeenLastCalledWith(pages.code, null, { count: 3, copies: 2 });
    expect($(screen, 'preview-fee').textContent).toBe('12.000 đ');
    // the box shows the core's amount; the request says what was counted, and the core computes it again
    expect($(screen, 'fee').value).toBe('12000');
    const req = screen.buildRequest();
    expect(req.fee_units).toEqual({ count: 3, copies: 2 });
    expect(req).not.toHaveProperty('fee');
    // a fee the clerk typed wins over the count
    $(screen, 'fee').value = '10000';
    expect(screen.buildRequest().fee).toBe(10000);
    expect(screen.buildRequest()).not.toHaveProperty('fee_units');
    // the box emptied: the count decides
    $(screen, 'fee').value = '';
    expect(screen.buildRequest().fee_units).toEqual({ count: 3, copies: 2 });
    // a procedure without a schedule asks nothing
    await screen.pick(copy);
    expect($(screen, 'fee-count').closest<HTMLElement>('label')!.hidden).toBe(true);
    expect(screen.buildRequest()).not.toHaveProperty('fee_units');
  });

  it('pages counted but confirmed before the core answers: the count goes, not the per-page amount still in the box', async () => {
    await screen.pick(pages);
    expect($(screen, 'fee').value).toBe('2000');
    fake.intakePreview.mockReturnValueOnce(new Promise(() => {})); // the preview never answers
    const count = $(screen, 'fee-count');
    count.value = '5';
    count.dispatchEvent(new Event('input', { bubbles: true }));
    await screen.submit();
    expect(sent()[0].fee_units).toEqual({ count: 5 });
    expect(sent()[0]).not.toHaveProperty('fee');
  });
});
