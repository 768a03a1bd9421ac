import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command } from './bindings/Command';
import type { Dossier } from './bindings/Dossier';
import type { DossierView } from './bindings/DossierView';
import type { PrintOutcome } from './bindings/PrintOutcome';
import type { Step } from './bindings/Step';
import { RETURN_TO_KINDS, STEPS } from './bindings/facts';
import { view } from './test-data';

const { fake } = vi.hoisted(() => ({
  fake: {
    appStatus: vi.fn(), catalogSearch: vi.fn(), intakePreview: vi.fn(), intakeSubmit: vi.fn(), dossierSearch: vi.fn(), dossierGet: vi.fn(),
    formPrint: vi.fn(), formPreview: vi.fn(), printersList: vi.fn(), printsOf: vi.fn(), settingsGet: vi.fn(), settingsSave: vi.fn(), pdfOpen: vi.fn(),
    lifecycleApply: vi.fn(), lifecycleStep: vi.fn(), workCounts: vi.fn(), workList: vi.fn(),
  },
}));
vi.mock('./api', () => ({ api: fake, toAppError: (e: unknown) => e }));

import { HandoverScreen } from './handover';
import { ReturnScreen } from './returns';
import { WorkBar } from './worklists';
import { DossierActions } from './actions';
import { LogbookPanel } from './logbook';

/** A dossier as the core sends it, allowing exactly `steps` (the core's decision, not the UI's). */
const dossier = (code: string, o: Partial<Dossier> = {}, steps: Step[] = []): DossierView => view({
  uid: 'u', code, provisional: false, agency_code: 'A', procedure_code: '1.004873', procedure_name: 'Cấp Giấy xác nhận tình trạng hôn nhân',
  applicant: { full_name: 'Hoàng Thị Thu Hường', id_type: 'cccd', id_number: '001185001234', date_of_birth: '1985-05-12', phone: '0987654321', address: 'Hà Nội' },
  documents: [], fee: 0, channel: 'counter', delivery: { kind: 'counter' }, received_at: '2026-11-23T09:15:00+07:00',
  due_at: '2026-11-26T09:15:00+07:00', time_limit: { kind: 'working_days', days: 3 }, clerk_id: 'c', clerk_name: 'n', counter_id: 'Q01',
  status: 'received', ...o,
}, steps);
const printed = (o: Partial<PrintOutcome> = {}): PrintOutcome => ({
  form: 'control', dossier_code: null, pdf_path: '/p.pdf', pages: 1, reprint: false, printed: true, printer: 'MotCua-PDF', job_id: 'j', error: null, log_id: 1, ...o,
});
const tick = () => new Promise((r) => setTimeout(r, 0));
const $ = (root: { el: HTMLElement }, id: string) => root.el.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;

beforeEach(() => {
  document.body.innerHTML = '';
  Object.values(fake).forEach((f) => f.mockReset());
  fake.settingsGet.mockResolvedValue({ departments: 'Phòng Kinh tế; Phòng Văn hóa - Xã hội' });
  fake.formPrint.mockResolvedValue(printed());
});

describe('handover desk', () => {
  it('adds scanned dossiers, refuses a second scan and the wrong status, confirms all or nothing, prints list and slips', async () => {
    const db: Record<string, DossierView> = { A1: dossier('A1', {}, ['hand_over']), B2: dossier('B2', {}, ['hand_over']), C3: dossier('C3', { status: 'returned' }) };
    fake.dossierGet.mockImplementation(async (c: string) => {
      const d = db[c.toUpperCase()];
      if (!d) throw { code: 'not_found', message: `Không tìm thấy hồ sơ có mã ${c}` };
      return d;
    });
    fake.lifecycleApply.mockImplementation(async (codes: string[], cmd: Command) => {
      expect(cmd).toEqual({ kind: 'hand_over', department: 'Phòng Kinh tế' });
      return codes.map((c) => dossier(c, { status: 'in_process', progress: { department: 'Phòng Kinh tế', movements: [{ at: 'x', from: 'Bộ phận Một cửa', to: 'Phòng Kinh tế', batch: 'BG-1' }] } }));
    });
    const done = vi.fn();
    const s = new HandoverScreen(undefined, done);
    document.body.append(s.el);
    s.focusFirst();
    await tick();
    expect(s.el.querySelectorAll('#desk-departments option')).toHaveLength(2);
    $(s, 'desk-department').value = 'Phòng Kinh tế';
    expect(await s.add('a1')).toBe(true);
    expect(await s.add('A1')).toBe(false);
    expect($(s, 'desk-error').textContent).toMatch(/đã có trong danh sách/);
    expect(await s.add('C3')).toBe(false);
    expect($(s, 'desk-error').textContent).toBe('Hồ sơ C3 đang ở trạng thái "Đã trả kết quả": không bàn giao được.');
    expect(await s.add('ZZ')).toBe(false);
    expect($(s, 'desk-error').textContent).toMatch(/Không tìm thấy/);
    // a USB scanner types the code and Enter
    $(s, 'desk-scan').value = 'B2';
    $(s, 'desk-scan').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await tick();
    expect(s.el.querySelectorAll('[data-testid="desk-row"]')).toHaveLength(2);

    const out = await s.confirm();
    expect(out).toHaveLength(2);
    expect(fake.lifecycleApply).toHaveBeenCalledWith(['A1', 'B2'], { kind: 'hand_over', department: 'Phòng Kinh tế' });
    expect($(s, 'desk-done').textContent).toMatch(/Đã bàn giao 2 hồ sơ cho Phòng Kinh tế/);
    expect(done).toHaveBeenCalled();
    expect(fake.formPrint.mock.calls.map((c) => [c[0].form, c[0].code ?? c[0].input?.batch])).toEqual([['handover', 'BG-1'], ['control', 'A1'], ['control', 'B2']]);
    expect($(s, 'desk-print-status').textContent).toMatch(/Đã in 2 phiếu kiểm soát/);
    expect(s.el.querySelectorAll('[data-testid="desk-row"]')).toHaveLength(0);
  });

  it('keeps the list when the core refuses the batch, and points at the department', async () => {
    fake.dossierGet.mockResolvedValue(dossier('A1', {}, ['hand_over']));
    fake.lifecycleApply.mockRejectedValue({ code: 'validation', reason: 'invalid', message: 'Cần nhập phòng ban nhận hồ sơ', field: 'department' });
    const s = new HandoverScreen();
    document.body.append(s.el);
    await s.add('A1');
    expect(await s.confirm()).toBeNull();
    expect($(s, 'desk-error').textContent).toBe('Cần nhập phòng ban nhận hồ sơ');
    expect(document.activeElement).toBe($(s, 'desk-department'));
    expect(s.el.querySelectorAll('[data-testid="desk-row"]')).toHaveLength(1);
    expect(fake.formPrint).not.toHaveBeenCalled();
  });

  it('in receive mode takes only dossiers being processed and sends receive_result', async () => {
    fake.dossierGet.mockImplementation(async (c: string) =>
      c === 'A1' ? dossier(c, { status: 'in_process' }, ['transfer', 'receive_result', 'delay']) : dossier(c, {}, ['hand_over', 'delay']));
    fake.lifecycleApply.mockResolvedValue([dossier('A1', { status: 'result_ready' })]);
    const s = new HandoverScreen();
    document.body.append(s.el);
    const mode = s.el.querySelector<HTMLSelectElement>('[data-testid="desk-mode"]')!;
    mode.value = 'receive';
    mode.dispatchEvent(new Event('change'));
    expect(await s.add('B2')).toBe(false);
    expect($(s, 'desk-error').textContent).toBe('Hồ sơ B2 đang ở trạng thái "Đã tiếp nhận": không nhận kết quả được.');
    expect(await s.add('A1')).toBe(true);
    await s.confirm();
    expect(fake.lifecycleApply).toHaveBeenCalledWith(['A1'], { kind: 'receive_result' });
    expect(fake.formPrint).not.toHaveBeenCalled();
  });
});

describe('handover desk follows the core, not the status', () => {
  it('refuses a received dossier the core offers no hand-over for', async () => {
    fake.dossierGet.mockResolvedValue(dossier('A1', { status: 'received' }, []));
    const s = new HandoverScreen();
    document.body.append(s.el);
    expect(await s.add('A1')).toBe(false);
    expect(s.el.querySelectorAll('[data-testid="desk-row"]')).toHaveLength(0);
  });
});

describe('return desk', () => {
  it('fills in the applicant, records the ID checked, and says early / on time / late', async () => {
    fake.dossierGet.mockResolvedValue(dossier('A1', { status: 'result_ready' }, ['return']));
    fake.lifecycleStep.mockResolvedValue(dossier('A1', { status: 'returned', progress: { timeliness: 'on_time' } }));
    const s = new ReturnScreen();
    document.body.append(s.el);
    await s.open('A1');
    expect($(s, 'return-name').value).toBe('Hoàng Thị Thu Hường');
    expect(document.activeElement).toBe($(s, 'return-id'));
    $(s, 'return-id').value = ' 001185001234 ';
    await s.confirm();
    // the return step's own field names; the core makes the command
    expect(fake.lifecycleStep).toHaveBeenCalledWith('A1', 'return', { 'to.kind': 'applicant', 'to.name': 'Hoàng Thị Thu Hường', 'to.id_number': '001185001234' });
    expect($(s, 'return-done').textContent).toBe('Đã trả kết quả hồ sơ A1 (đúng hạn).');
    expect(fake.formPrint).not.toHaveBeenCalled();
  });

  it('offers the core\'s ways of returning; an authorised collector starts blank, by post asks for the tracking number', async () => {
    fake.dossierGet.mockResolvedValue(dossier('A1', { status: 'result_ready' }, ['return']));
    const s = new ReturnScreen();
    document.body.append(s.el);
    await s.open('A1');
    const how = $(s, 'return-how') as unknown as HTMLSelectElement;
    expect([...how.options].map((o) => o.value)).toEqual([...RETURN_TO_KINDS]);
    expect(how.value).toBe('applicant');
    expect($(s, 'return-name').value).toBe('Hoàng Thị Thu Hường');
    how.value = 'authorised';
    how.dispatchEvent(new Event('change'));
    expect([$(s, 'return-name').value, $(s, 'return-id').value]).toEqual(['', '']);
    expect($(s, 'return-name').closest<HTMLElement>('label')!.hidden).toBe(false);
    expect($(s, 'return-tracking').closest<HTMLElement>('label')!.hidden).toBe(true);
    how.value = 'post';
    how.dispatchEvent(new Event('change'));
    expect($(s, 'return-name').closest<HTMLElement>('label')!.hidden).toBe(true);
    expect($(s, 'return-tracking').closest<HTMLElement>('label')!.hidden).toBe(false);
  });

  it('by post sends the tracking number; a refusal focuses the field the core names', async () => {
    fake.dossierGet.mockResolvedValue(dossier('A1', { status: 'result_ready', delivery: { kind: 'post', address: 'Hà Nội' } }, ['return']));
    fake.lifecycleStep.mockRejectedValue({ code: 'validation', reason: 'invalid', message: 'Cần nhập số hiệu bưu gửi', field: 'to.tracking' });
    const s = new ReturnScreen();
    document.body.append(s.el);
    await s.open('A1');
    $(s, 'return-name').focus();
    expect(await s.confirm()).toBeNull();
    expect(fake.lifecycleStep).toHaveBeenCalledWith('A1', 'return', { 'to.kind': 'post', 'to.tracking': '' });
    expect($(s, 'return-error').textContent).toBe('Cần nhập số hiệu bưu gửi');
    expect(document.activeElement).toBe($(s, 'return-tracking'));
  });

  it('shows no form when the core offers no return, whatever the status says', async () => {
    fake.dossierGet.mockResolvedValue(dossier('A1', { status: 'result_ready' }, []));
    const s = new ReturnScreen();
    document.body.append(s.el);
    await s.open('A1');
    expect(s.el.querySelector<HTMLElement>('[data-testid="return-form"]')!.hidden).toBe(true);
    expect($(s, 'return-error').hidden).toBe(false);
  });

  it('says why a dossier cannot be returned and shows no form', async () => {
    fake.dossierGet.mockResolvedValue(dossier('A1', { status: 'returned' }));
    const s = new ReturnScreen();
    document.body.append(s.el);
    await s.open('A1');
    expect($(s, 'return-error').textContent).toMatch(/đã trả kết quả/);
    expect(s.el.querySelector<HTMLElement>('[data-testid="return-form"]')!.hidden).toBe(true);
  });
});

describe('work bar', () => {
  it('shows each count and flags overdue work; no counts (locked) shows dashes', () => {
    const open = vi.fn();
    const b = new WorkBar(open);
    b.render({ guided_today: 0, not_accepted_today: 0, due_today: 0, overdue: 3, due_soon: 5, waiting_supplement: 1, ready_to_collect: 2 });
    expect($(b, 'count-overdue').textContent).toMatch(/^3 Quá hạn/);
    expect($(b, 'count-overdue').classList.contains('alert')).toBe(true);
    expect($(b, 'count-due_today').classList.contains('alert')).toBe(false);
    $(b, 'count-ready_to_collect').click();
    expect(open).toHaveBeenCalledWith('ready_to_collect');
    b.render(null);
    expect($(b, 'count-overdue').textContent).toMatch(/^– Quá hạn/);
    expect($(b, 'count-overdue').classList.contains('alert')).toBe(false);
    expect(fake.workCounts).not.toHaveBeenCalled();
  });
});

describe('dossier actions', () => {
  const ids = (d: DossierView) => [...new DossierActions(d).el.querySelectorAll<HTMLElement>('[data-step]')].map((b) => b.dataset.step);

  it('offers the steps the core allows, in its order, except those with their own desk', () => {
    expect(ids(dossier('A1', {}, ['hand_over', 'request_supplement', 'delay', 'refuse', 'stop', 'withdraw'])))
      .toEqual(['request_supplement', 'delay', 'refuse', 'stop', 'withdraw']);
    expect(ids(dossier('A1', { status: 'waiting_supplement' }, ['supplemented', 'refuse', 'stop', 'withdraw']))).toEqual(['supplemented', 'refuse', 'stop', 'withdraw']);
    expect(ids(dossier('A1', { status: 'result_ready' }, ['return']))).toEqual([]);
  });

  it('shows no step when the core allows none, even for a received dossier', () => {
    const a = new DossierActions(dossier('A1', { status: 'received' }, []));
    expect(a.el.querySelectorAll('button')).toHaveLength(0);
  });

  it('draws buttons and fields from the offer: the core\'s labels, test ids, lengths', () => {
    const a = new DossierActions(dossier('A1', {}, ['request_supplement', 'delay', 'withdraw']));
    document.body.append(a.el);
    expect($(a, 'step-supplement').textContent).toBe(STEPS.request_supplement.label);
    $(a, 'step-delay').click();
    const labels = [...a.el.querySelectorAll('[data-testid="step-form"] label span')].map((x) => x.textContent);
    expect(labels).toEqual(STEPS.delay.fields.map((f) => f.label));
    expect($(a, 'step-new_due').tagName).toBe('INPUT');
    expect($(a, 'step-reason').tagName).toBe('TEXTAREA');
    expect($(a, 'step-reason').maxLength).toBe(STEPS.delay.fields[1].max);
    // a list's max is the whole text's (the core checks each line too)
    $(a, 'step-supplement').click();
    expect($(a, 'step-missing').tagName).toBe('TEXTAREA');
    expect($(a, 'step-missing').maxLength).toBe(STEPS.request_supplement.fields[0].max); // the whole list's limit
  });

  it('a supplement request sends the lines as typed and prints the form the offer names', async () => {
    const after = dossier('A1', { status: 'waiting_supplement' }, ['supplemented', 'refuse', 'stop', 'withdraw']);
    fake.lifecycleStep.mockResolvedValue(after);
    fake.formPrint.mockResolvedValue(printed({ form: 'supplement' }));
    const changed = vi.fn();
    const a = new DossierActions(dossier('A1', {}, ['request_supplement', 'refuse']), undefined, changed);
    document.body.append(a.el);
    $(a, 'step-supplement').click();
    expect(document.activeElement).toBe($(a, 'step-missing'));
    $(a, 'step-missing').value = 'Bản sao giấy khai sinh\n\n  Tờ khai có chữ ký ';
    await a.confirm({ missing: $(a, 'step-missing').value });
    expect(fake.lifecycleStep).toHaveBeenCalledWith('A1', 'request_supplement', { missing: 'Bản sao giấy khai sinh\n\n  Tờ khai có chữ ký ' });
    expect(fake.lifecycleApply).not.toHaveBeenCalled();
    expect(fake.formPrint).toHaveBeenCalledWith({ form: 'supplement', code: 'A1' }, true);
    const report = { ok: true, text: expect.stringMatching(/^Đã ghi nhận: yêu cầu bổ sung\. Đã gửi Phiếu yêu cầu bổ sung/) };
    expect(changed).toHaveBeenCalledWith(after, report);
    expect($(a, 'step-done').textContent).toMatch(/Đã ghi nhận: yêu cầu bổ sung\. Đã gửi Phiếu yêu cầu bổ sung/);
    // the buttons follow the dossier after the step
    expect([...a.el.querySelectorAll<HTMLElement>('[data-step]')].map((b) => b.dataset.step)).toEqual(['supplemented', 'refuse', 'stop', 'withdraw']);
  });

  it('a step that prints nothing prints nothing; a new view shows the report it is given', async () => {
    fake.lifecycleStep.mockResolvedValue(dossier('A1', { status: 'in_process' }));
    const changed = vi.fn();
    const a = new DossierActions(dossier('A1', {}, ['transfer']), undefined, changed);
    document.body.append(a.el);
    $(a, 'step-transfer').click();
    await a.confirm({ to: 'Phòng Kinh tế' });
    expect(fake.lifecycleStep).toHaveBeenCalledWith('A1', 'transfer', { to: 'Phòng Kinh tế' });
    expect(fake.formPrint).not.toHaveBeenCalled();
    const [after, report] = changed.mock.calls[0];
    const next = new DossierActions(after, undefined, undefined, report);
    expect(next.el.querySelector<HTMLElement>('[data-testid="step-done"]')!.textContent).toBe('Đã ghi nhận: chuyển phòng.');
    expect(next.el.querySelector<HTMLElement>('[data-testid="step-done"]')!.hidden).toBe(false);
  });

  it('a withdrawal prints the stop notice the core names for it (Mẫu 05, on the citizen\'s request)', async () => {
    fake.lifecycleStep.mockResolvedValue(dossier('A1', { status: 'withdrawn' }));
    const a = new DossierActions(dossier('A1', {}, ['withdraw']));
    document.body.append(a.el);
    $(a, 'step-withdraw').click();
    await a.confirm({ reason: '' });
    expect(fake.lifecycleStep).toHaveBeenCalledWith('A1', 'withdraw', { reason: '' });
    expect(fake.formPrint).toHaveBeenCalledWith({ form: STEPS.withdraw.prints, code: 'A1' }, true);
    expect($(a, 'step-done').textContent).toMatch(/^Đã ghi nhận: công dân rút hồ sơ\. Đã gửi/);
  });

  it('a refused step shows the core message beside the field and prints nothing', async () => {
    fake.lifecycleStep.mockRejectedValue({ code: 'validation', reason: 'invalid', message: 'Ngày hẹn mới phải sau ngày hẹn hiện tại', field: 'new_due' });
    const a = new DossierActions(dossier('A1', {}, ['delay']));
    document.body.append(a.el);
    $(a, 'step-delay').click();
    expect(await a.confirm({ new_due: '01/01/2020', reason: 'x' })).toBeNull();
    expect($(a, 'step-error').textContent).toBe('Ngày hẹn mới phải sau ngày hẹn hiện tại');
    expect(document.activeElement).toBe($(a, 'step-new_due'));
    expect(fake.formPrint).not.toHaveBeenCalled();
  });
});

describe('logbook panel', () => {
  it('prints the logbook of the typed range and reports the pages', async () => {
    fake.formPrint.mockResolvedValue(printed({ form: 'logbook', pages: 3 }));
    const p = new LogbookPanel();
    document.body.append(p.el);
    expect($(p, 'logbook-from').value).toBe('');
    $(p, 'logbook-from').value = '01/11/2026';
    $(p, 'logbook-to').value = ' 23/11/2026 ';
    expect(await p.print()).toBe(true);
    expect(fake.formPrint).toHaveBeenCalledWith({ form: 'logbook', from: '01/11/2026', to: '23/11/2026' }, true);
    expect($(p, 'logbook-status').textContent).toMatch(/Sổ theo dõi hồ sơ.*\(3 trang\)/);
  });

  it('starts both dates at the counter\'s today from the dashboard; a typed date stays as typed', () => {
    const p = new LogbookPanel();
    p.setToday('23/11/2026');
    expect([$(p, 'logbook-from').value, $(p, 'logbook-to').value]).toEqual(['23/11/2026', '23/11/2026']);
    $(p, 'logbook-from').value = '01/11/2026';
    // the day turns over at the counter: untouched dates follow, the typed one does not
    p.setToday('24/11/2026');
    expect([$(p, 'logbook-from').value, $(p, 'logbook-to').value]).toEqual(['01/11/2026', '24/11/2026']);
    expect(p.target()).toEqual({ form: 'logbook', from: '01/11/2026', to: '24/11/2026' });
  });

  it('shows a bad date from the core beside the field', async () => {
    fake.formPrint.mockRejectedValue({ code: 'validation', message: 'Ngày "31/02/2026" không đúng dạng ngày/tháng/năm', field: 'to' });
    const p = new LogbookPanel();
    document.body.append(p.el);
    $(p, 'logbook-to').value = '31/02/2026';
    expect(await p.print()).toBe(false);
    expect($(p, 'logbook-status').textContent).toMatch(/không đúng dạng/);
    expect(document.activeElement).toBe($(p, 'logbook-to'));
  });
});
