import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api } from './api';
import type { Dossier } from './bindings/Dossier';
import type { IntakeRequest } from './bindings/IntakeRequest';
import type { Procedure } from './bindings/Procedure';
import { IntakeScreen } from './intake';

const birth: Procedure = {
  code: '1.001193', name: 'Đăng ký khai sinh', field: 'Hộ tịch', level: 'commune',
  time_limit: { kind: 'same_day', cutoff: '15:00' }, fee: { amount: 0 }, result: 'Giấy khai sinh', postal_return: true,
  legal_basis: '', source: 'x', confidence: 'S',
  documents: [
    { id: 'to-khai', name: 'Tờ khai', form: 'original', count: 1, mandatory: true },
    { id: 'uy-quyen', name: 'Văn bản ủy quyền', form: 'original', count: 1, mandatory: false },
  ],
};
const copy: Procedure = { ...birth, code: '2.000815', name: 'Chứng thực bản sao từ bản chính' };

function dossier(req: IntakeRequest): Dossier {
  return {
    uid: 'u', code: '000.00.31.H26-260212-0001', provisional: false, agency_code: 'A', procedure_code: req.procedure_code,
    procedure_name: 'Đăng ký khai sinh', applicant: req.applicant, documents: [], fee: 0, channel: 'counter',
    delivery: { kind: 'counter' }, received_at: '2026-02-12T10:30:00+07:00', due_at: '2026-02-12T17:00:00+07:00',
    time_limit: birth.time_limit, clerk_id: 'c', clerk_name: 'n', counter_id: 'Q01', status: 'received',
  };
}

function fakeApi(): Api & { submitted: IntakeRequest[] } {
  const submitted: IntakeRequest[] = [];
  return {
    submitted,
    appStatus: vi.fn(),
    catalogSearch: vi.fn(async (q: string) => (q.includes('khai') ? [birth] : [birth, copy])),
    intakePreview: vi.fn(async () => ({
      procedure_code: birth.code, procedure_name: birth.name, fee: 0, time_limit: birth.time_limit,
      time_limit_label: 'Trong ngày', received_at: '2026-02-12T10:30:00+07:00', due_at: '2026-02-12T17:00:00+07:00',
    })),
    intakeSubmit: vi.fn(async (r: IntakeRequest) => {
      submitted.push(r);
      if (r.applicant.id_number === 'bad') throw { code: 'validation', message: 'Số CCCD phải gồm đúng 12 chữ số', field: 'applicant.id_number' };
      return dossier(r);
    }),
    dossierSearch: vi.fn(),
    dossierGet: vi.fn(),
  } as unknown as Api & { submitted: IntakeRequest[] };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const $ = (s: IntakeScreen, id: string) => s.el.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
const key = (el: HTMLElement, k: string) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));

async function fill(s: IntakeScreen, idNumber = '001090012345') {
  await s.pick(birth);
  $(s, 'applicant-full_name').value = 'Nguyễn Văn A';
  $(s, 'applicant-id_number').value = idNumber;
  $(s, 'applicant-date_of_birth').value = '05/03/1990';
  $(s, 'applicant-phone').value = '0912345678';
  $(s, 'applicant-address').value = 'Hà Nội';
}

describe('intake screen', () => {
  let api: ReturnType<typeof fakeApi>;
  let screen: IntakeScreen;
  beforeEach(() => {
    document.body.innerHTML = '';
    api = fakeApi();
    screen = new IntakeScreen(api);
    document.body.append(screen.el);
  });

  it('type-ahead: arrows move, Enter picks, preview shows fee and appointment', async () => {
    const input = $(screen, 'procedure-input');
    input.value = 'chung';
    input.dispatchEvent(new Event('input'));
    await tick();
    expect(screen.el.querySelectorAll('[data-testid="procedure-option"]').length).toBe(2);
    key(input, 'ArrowDown');
    key(input, 'Enter');
    await tick();
    expect(input.value).toContain('2.000815');
    expect($(screen, 'preview-due').textContent).toContain('17:00 thứ Năm, 12/02/2026');
    expect($(screen, 'preview-fee').textContent).toBe('0 đ');
    expect(document.activeElement).toBe($(screen, 'applicant-full_name'));
    expect(screen.el.querySelectorAll('.doc-list input:checked').length).toBe(2);
  });

  it('builds the request from the form: ticked documents, ISO birth date, stable request id', async () => {
    await fill(screen);
    $(screen, 'doc-uy-quyen').checked = false;
    const r1 = screen.buildRequest();
    expect(r1.documents).toEqual(['to-khai']);
    expect(r1.applicant.date_of_birth).toBe('1990-03-05');
    expect(r1.procedure_code).toBe('1.001193');
    expect(screen.buildRequest().request_id).toBe(r1.request_id);
  });

  it('a double submit sends one request; success shows the code, clears the form and refocuses', async () => {
    await fill(screen);
    const a = screen.submit();
    const b = screen.submit();
    await Promise.all([a, b]);
    expect(api.submitted.length).toBe(1);
    expect($(screen, 'result-code').textContent).toBe('000.00.31.H26-260212-0001');
    expect($(screen, 'result-due').textContent).toBe('17:00 thứ Năm, 12/02/2026');
    expect($(screen, 'applicant-full_name').value).toBe('');
    expect(document.activeElement).toBe($(screen, 'procedure-input'));
    await fill(screen);
    await screen.submit();
    expect(api.submitted[1].request_id).not.toBe(api.submitted[0].request_id);
  });

  it('an error is shown beside its field, which gets focus; nothing is cleared', async () => {
    await fill(screen, 'bad');
    await screen.submit();
    const err = $(screen, 'error-applicant.id_number');
    expect(err.hidden).toBe(false);
    expect(err.textContent).toContain('12 chữ số');
    expect(document.activeElement).toBe($(screen, 'applicant-id_number'));
    expect($(screen, 'applicant-id_number').getAttribute('aria-invalid')).toBe('true');
    expect($(screen, 'applicant-full_name').value).toBe('Nguyễn Văn A');
    // the retry after fixing keeps the same request id
    $(screen, 'applicant-id_number').value = '001090012345';
    await screen.submit();
    expect(api.submitted[1].request_id).toBe(api.submitted[0].request_id);
    expect(err.hidden).toBe(true);
  });

  it('submitting without a procedure names the procedure field', async () => {
    await screen.submit();
    expect($(screen, 'error-procedure_code').textContent).toBe('Chưa chọn thủ tục');
    expect(api.submitted.length).toBe(0);
  });

  it('Enter on the last field submits', async () => {
    await fill(screen);
    key($(screen, 'fee'), 'Enter');
    await tick();
    expect(api.submitted.length).toBe(1);
  });
});
