// Test data shaped like what the core sends (used by the Vitest files only). The steps a dossier
// allows are given by each test, as the core would: the UI must not work them out.
import type { AddressMapping } from './bindings/AddressMapping';
import type { CardRead } from './bindings/CardRead';
import type { CardReading } from './bindings/CardReading';
import type { Dossier } from './bindings/Dossier';
import type { DossierView } from './bindings/DossierView';
import type { FeeKind } from './bindings/FeeKind';
import type { Procedure } from './bindings/Procedure';
import type { ProcedureCase } from './bindings/ProcedureCase';
import type { ProcedureView } from './bindings/ProcedureView';
import type { Step } from './bindings/Step';
import type { Terms } from './bindings/Terms';
import type { UnitView } from './bindings/UnitView';
import { FEE_KIND_LABELS, LIMIT_BASIS_LABELS, STATUS_LABELS, STEPS } from './bindings/facts';
import { formatMoney } from './format';

/** The dossier as the core sends it, allowing exactly `steps` (no warnings, not a contact unless given). */
export function view(d: Dossier, steps: Step[] = [], extra: Partial<Pick<DossierView, 'warnings' | 'is_contact' | 'slip'>> = {}): DossierView {
  return { ...d, status_label: STATUS_LABELS[d.status], allowed_steps: steps.map((s) => STEPS[s]), warnings: [], is_contact: false, fee_label: formatMoney(d.fee), ...extra };
}

/** The terms of one case (or of the procedure without cases), as the core makes them. */
export function termsOf(p: Procedure, time_limit_label: string, c?: ProcedureCase): Terms {
  const fee = c?.fee ?? p.fee;
  // as the core reads a catalog without fee kinds: an amount is an amount, a 0 is not known
  const fee_kind: FeeKind = fee.kind ?? (fee.amount > 0 ? 'amount' : 'unknown');
  const basis = c?.time_limit || !p.province_time_limit ? 'law' : 'province';
  return {
    ...(c ? { case_id: c.id, case_name: c.name } : {}),
    time_limit: c?.time_limit ?? p.province_time_limit?.time_limit ?? p.time_limit,
    time_limit_label,
    basis,
    basis_label: LIMIT_BASIS_LABELS[basis],
    time_limit_source: (c?.time_limit ? c.time_limit_source : p.province_time_limit?.source ?? p.time_limit_source) ?? '',
    fee,
    fee_kind,
    fee_label: fee_kind === 'amount' ? formatMoney(fee.amount) : FEE_KIND_LABELS[fee_kind],
    ...(fee_kind === 'amount' ? { fee_prefill: fee.amount } : {}),
    fee_required: fee_kind === 'unknown',
    fee_asks_copies: false,
    documents: c?.documents ?? p.documents,
  };
}

/** The procedure as the catalog search sends it: one terms per case, or one for a procedure without cases. */
export function procedureView(p: Procedure, time_limit_label: string, caseLabels: string[] = []): ProcedureView {
  const cases = p.cases ?? [];
  const terms = cases.length ? cases.map((c, i) => termsOf(p, caseLabels[i] ?? time_limit_label, c)) : [termsOf(p, time_limit_label)];
  return { ...p, time_limit_label, terms };
}

/** A current unit of the 2025 map, as the core shows it. */
export function unit(code: string, name: string): UnitView {
  return { code, name, province_code: '01', province_name: 'Thành phố Hà Nội' };
}

/** The card's QR string as a scanner delivers it (12 digits|old id|NAME|ddMMyyyy|gender|address|ddMMyyyy). */
export function cardText(id = '001090012345', name = 'NGUYỄN VĂN AN'): string {
  return `${id}|123456789|${name}|05031990|Nam|Số 1 phố Điện Biên Phủ, Phường Điện Biên, Quận Ba Đình, Hà Nội|01012021`;
}

/**
 * What the core answers for a card scan: read, checked, its address beside its current form (one
 * candidate, a merge, unless given); `card` and `address` override parts of it.
 */
export function cardReading(o: { text?: string; card?: Partial<CardRead>; address?: Partial<AddressMapping>; agency_unit?: UnitView } = {}): CardReading {
  const original = 'Số 1 phố Điện Biên Phủ, Phường Điện Biên, Quận Ba Đình, Hà Nội';
  return {
    text: o.text ?? cardText(),
    read_at: '2026-02-12T10:29:00+07:00',
    card: {
      id_number: '001090012345', old_id_number: '123456789', full_name: 'Nguyễn Văn An', name_on_card: 'NGUYỄN VĂN AN',
      date_of_birth: '1990-03-05', date_of_birth_shown: '05/03/1990', gender: 'male', address: original,
      date_of_issue: '2021-01-01', date_of_issue_shown: '01/01/2021', extra: [], field_count: 7,
      checks: [{ ok: true, message: 'Mã tỉnh 001 (Hà Nội)' }, { ok: true, message: 'Năm sinh 1990 khớp với số CCCD' }],
      letters_lost: false, warnings: [], ...o.card,
    },
    address: {
      original, street: 'Số 1 phố Điện Biên Phủ', already_current: false,
      candidates: [{ unit: unit('00004', 'Phường Ba Đình'), address: 'Số 1 phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội' }],
      ...o.address,
    },
    ...(o.agency_unit ? { agency_unit: o.agency_unit } : {}),
  };
}
