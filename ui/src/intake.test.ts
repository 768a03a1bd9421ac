import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DossierView } from './bindings/DossierView';
import type { IntakeRequest } from './bindings/IntakeRequest';
import { DELIVERY_KINDS, ID_TYPES, LIMITS } from './bindings/facts';
import { procedureView, view } from './test-data';

// src/api.ts is the only module that calls the backend: replace it wholesale.
const { fake, submitted } = vi.hoisted(() => {
  const submitted: unknown[] = [];
  const fake = {
    appStatus: vi.fn(),
    catalogSearch: vi.fn(),
    intakePreview: vi.fn(),
    intakeSubmit: vi.fn(),
    dossierSearch: vi.fn(),
    dossierGet: vi.fn(),
  };
  return { fake, submitted };
});
vi.mock('./api', () => ({ api: fake, toAppError: (e: unknown) => e }));

import { IntakeScreen } from './intake';

const birth = procedureView({
  code: '1.001193', name: 'Đăng ký khai sinh', field: 'Hộ tịch', level: 'commune',
  time_limit: { kind: 'same_day', cutoff: '15:00' }, fee: { amount: 0 }, result: 'Giấy khai sinh', postal_return: true,
  legal_basis: '', source: 'x', confidence: 'S',
  documents: [
    { id: 'to-khai', name: 'Tờ khai', form: 'original', count: 1, mandatory: true },
    { id: 'uy-quyen', name: 'Văn bản ủy quyền', form: 'certified_copy', count: 2, mandatory: false },
  ],
}, 'Trong ngày (nhận trước 15:00)');
const copy = {
  ...birth, code: '2.000815', name: 'Chứng thực bản sao từ bản chính', field: 'Chứng thực',
  time_limit: { kind: 'working_days' as const, days: 1 }, fee: { amount: 2000, note: 'mỗi trang' }, time_limit_label: '01 ngày làm việc',
};

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

async function fill(s: IntakeScreen, idNumber = '001090012345') {
  await s.pick(birth);
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
    fake.catalogSearch.mockImplementation(async (q: string) => (q.includes('khai') ? [birth] : q === '' ? [birth, copy] : [birth, copy]));
    fake.intakePreview.mockImplementation(async (code: string) => {
      const p = code === copy.code ? copy : birth;
      return {
        procedure_code: p.code, procedure_name: p.name, fee: p.fee.amount, time_limit: p.time_limit,
        time_limit_label: p === copy ? '01 ngày làm việc' : 'Trong ngày', received_at: '2026-02-11T10:30:00+07:00',
        due_at: '2026-02-12T17:00:00+07:00',
      };
    });
    fake.intakeSubmit.mockImplementation(async (r: IntakeRequest) => {
      submitted.push(r);
      // the core's refusals
      if (!r.procedure_code) throw { code: 'validation', reason: 'invalid', message: 'Chưa chọn thủ tục', field: 'procedure_code' };
      if (r.applicant.id_number === 'bad') throw { code: 'validation', reason: 'invalid', message: 'Số CCCD phải gồm đúng 12 chữ số', field: 'applicant.id_number' };
      if (r.applicant.id_number === 'down') throw { code: 'internal', reason: 'storage', message: 'Không ghi được cơ sở dữ liệu' };
      return dossier(r);
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
    expect(fake.intakePreview).toHaveBeenCalledWith('2.000815');
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
      'applicant-date_of_birth', 'applicant-phone', 'applicant-address', 'applicant-email', 'delivery-kind', 'fee',
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
    expect(r1.fee).toBe(0);
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
});
