import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Dossier } from './bindings/Dossier';
import type { DossierView } from './bindings/DossierView';
import type { Step } from './bindings/Step';
import { ID_TYPE_LABELS } from './bindings/facts';
import type { Api } from './api';
import { ReturnScreen } from './returns';
import { view } from './test-data';

const dossier = (o: Partial<Dossier> = {}, steps: Step[] = ['return']): DossierView => view({
  uid: 'u', code: 'A1', provisional: false, agency_code: 'A', procedure_code: '1.004873', procedure_name: 'Cấp Giấy xác nhận tình trạng hôn nhân',
  applicant: { full_name: 'Nguyễn Văn An', id_type: 'cccd', id_number: '001090012345', date_of_birth: '1990-01-01', phone: '0912345678', address: 'Hà Nội' },
  documents: [], fee: 0, channel: 'counter', delivery: { kind: 'counter' }, received_at: '2026-11-23T09:15:00+07:00',
  due_at: '2026-11-26T09:15:00+07:00', time_limit: { kind: 'working_days', days: 3 }, clerk_id: 'c', clerk_name: 'n', counter_id: 'Q01',
  status: 'result_ready', ...o,
}, steps);

const tick = () => new Promise((r) => setTimeout(r, 0));
const key = (el: Element, k: string, o: KeyboardEventInit = {}) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...o }));

function make(d: DossierView = dossier()) {
  const api = {
    dossierGet: vi.fn().mockResolvedValue(d),
    lifecycleStep: vi.fn().mockResolvedValue({ ...d, status: 'returned', progress: { timeliness: 'on_time' } }),
  };
  const s = new ReturnScreen(api as unknown as Api);
  document.body.append(s.el);
  const $ = (id: string) => s.el.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
  return { s, api, $ };
}

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('return desk: the collector\'s ID is checked, not copied', () => {
  it('starts the ID empty under a label that asks for it, with the applicant\'s beside it to compare', async () => {
    const { s, $ } = make();
    await s.open('A1');
    expect($('return-id').value).toBe('');
    expect($('return-id').closest('label')!.querySelector('span')!.textContent).toContain('Số giấy tờ người nhận (quét thẻ hoặc gõ)');
    expect(s.el.textContent).not.toContain('đã kiểm tra');
    expect($('return-compare').textContent).toBe(`Người nộp: Nguyễn Văn An — ${ID_TYPE_LABELS.cccd} 001090012345`);
    // the name may stay prefilled; the cursor waits in the ID field
    expect($('return-name').value).toBe('Nguyễn Văn An');
    expect(document.activeElement).toBe($('return-id'));
    expect($('return-id-card').hidden).toBe(true);
  });

  it('says when the result has an electronic copy (issue 16), and nothing when it has none', async () => {
    const doc = { slot: { kind: 'result' as const }, name: 'Giấy khai sinh', sha256: 'a'.repeat(64), size: 1000, pages: 2, media_type: 'application/pdf', source: 'scanner' as const, by: 'CB01', attached_at: '2026-11-30T10:00:00+07:00' };
    const { s, $ } = make(dossier({ progress: { documents: [doc] } }));
    await s.open('A1');
    expect($('return-result-copy').textContent).toBe('Kết quả đã được số hóa: Giấy khai sinh (2 trang)');
    const none = make();
    await none.s.open('A1');
    expect(none.s.el.querySelector('[data-testid="return-result-copy"]')).toBeNull();
  });

  it('Enter with the ID left empty sends it empty: the core refuses it and the ID field is focused again', async () => {
    const { s, api, $ } = make();
    api.lifecycleStep.mockRejectedValueOnce({ code: 'validation', reason: 'invalid', message: 'Cần nhập Số giấy tờ của người nhận', field: 'to.id_number' });
    await s.open('A1');
    $('return-name').focus();
    key($('return-name'), 'Enter');
    await tick();
    expect(api.lifecycleStep).toHaveBeenCalledWith('A1', 'return', { 'to.kind': 'applicant', 'to.name': 'Nguyễn Văn An', 'to.id_number': '' });
    expect($('return-error').textContent).toBe('Cần nhập Số giấy tờ của người nhận');
    expect(document.activeElement).toBe($('return-id'));
    // typed from the card shown: confirmed
    $('return-id').value = '001090012345';
    key($('return-id'), 'Enter');
    await tick();
    expect(api.lifecycleStep).toHaveBeenLastCalledWith('A1', 'return', { 'to.kind': 'applicant', 'to.name': 'Nguyễn Văn An', 'to.id_number': '001090012345' });
    expect($('return-done').hidden).toBe(false);
  });

  it('a different number goes to the core as typed: the core decides whether it will do', async () => {
    const { s, api, $ } = make();
    api.lifecycleStep.mockRejectedValueOnce({ code: 'validation', reason: 'invalid', message: 'Lõi: số giấy tờ khác người nộp', field: 'to.id_number' });
    await s.open('A1');
    $('return-id').value = '079999999999';
    expect(await s.confirm()).toBeNull();
    expect(api.lifecycleStep).toHaveBeenCalledWith('A1', 'return', { 'to.kind': 'applicant', 'to.name': 'Nguyễn Văn An', 'to.id_number': '079999999999' });
    expect($('return-error').textContent).toBe('Lõi: số giấy tờ khác người nộp');
  });

  it('fillFromCard fills the name and ID as read, marked "(từ thẻ)"; typing over it drops the mark', async () => {
    const { s, api, $ } = make(dossier({ representative: { full_name: 'Trần Thị Bình', id_number: '001185009999' } }));
    // nothing open: nothing filled
    expect(s.fillFromCard({ full_name: 'Trần Thị Bình', id_number: '001185009999' })).toBe(false);
    await s.open('A1');
    const how = $('return-how') as unknown as HTMLSelectElement;
    how.value = 'authorised';
    how.dispatchEvent(new Event('change'));
    expect($('return-compare').textContent).toContain('Người nộp: Nguyễn Văn An');
    expect($('return-compare').textContent).toContain('Trần Thị Bình — 001185009999');
    expect(s.fillFromCard({ full_name: ' Trần Thị Bình ', id_number: '001185009999 ' })).toBe(true);
    expect([$('return-name').value, $('return-id').value]).toEqual(['Trần Thị Bình', '001185009999']);
    expect($('return-name-card').hidden).toBe(false);
    expect($('return-id-card').hidden).toBe(false);
    expect($('return-id-card').textContent).toBe('(từ thẻ)');
    expect(document.activeElement).toBe($('return-id'));
    await s.confirm();
    expect(api.lifecycleStep).toHaveBeenCalledWith('A1', 'return', { 'to.kind': 'authorised', 'to.name': 'Trần Thị Bình', 'to.id_number': '001185009999' });
    // another dossier: the marks are gone; a typed change drops the ID's mark only
    await s.open('A1');
    expect($('return-id-card').hidden).toBe(true);
    s.fillFromCard({ full_name: 'Nguyễn Văn An', id_number: '001090012345' });
    $('return-id').value = '00109001234';
    $('return-id').dispatchEvent(new Event('input'));
    expect($('return-id-card').hidden).toBe(true);
    expect($('return-name-card').hidden).toBe(false);
    // changing the way of returning clears what the card gave
    how.value = 'authorised';
    how.dispatchEvent(new Event('change'));
    expect($('return-name-card').hidden).toBe(true);
    expect($('return-id').value).toBe('');
  });

  it('by post a card fills nothing', async () => {
    const { s, $ } = make(dossier({ delivery: { kind: 'post', address: 'Hà Nội' } }));
    await s.open('A1');
    expect(s.fillFromCard({ full_name: 'Nguyễn Văn An', id_number: '001090012345' })).toBe(false);
    expect($('return-id').value).toBe('');
    expect($('return-tracking').closest<HTMLElement>('label')!.hidden).toBe(false);
  });
});
