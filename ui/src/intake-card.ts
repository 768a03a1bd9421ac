// The applicant's card on the intake screen: a scan from any scanner (keyboard wedge caught by
// `WedgeDetector`, the serial one pushed by the shell, a picture pasted or picked) is read by the
// core (`card_read`), and this panel fills the applicant (or the representative, when the cursor is
// in their section), marks the fields the card gave, shows the core's warnings, the card's address
// beside its current form (Alt+1… picks, Alt+0 keeps the card's), "phi địa giới", and a returning
// citizen's earlier details (Alt+1… takes one). What goes back with the request is `requestPart`.
import type { Api } from './api';
import type { AddressCandidate } from './bindings/AddressCandidate';
import type { AppError } from './bindings/AppError';
import type { CardReading } from './bindings/CardReading';
import type { CardScan } from './bindings/CardScan';
import type { RequiredDocument } from './bindings/RequiredDocument';
import type { ReturningCitizen } from './bindings/ReturningCitizen';
import { WedgeDetector, imageBytes, looksLikeCard } from './card';
import { formatDateTime } from './format';
import { html, setHtml } from './html';

/** What the panel needs from the intake screen. */
export interface CardHost {
  readonly el: HTMLElement;
  readonly api: Api;
  /** The checklist of the procedure and case picked (its identity items are ticked when the card is read). */
  checklist(): RequiredDocument[];
}

export class CardPanel {
  /** The applicant's card as scanned (sent with the request: the core checks it), and what the core read. */
  card: CardScan | null = null;
  private reading: CardReading | null = null;
  /** The representative's card, scanned while the cursor was in their section. */
  private repCard: CardScan | null = null;
  /** The current unit the clerk took for the address (2025 map), and the card's own address then. */
  private unitCode: string | undefined;
  private cardAddress: string | undefined;
  /** The earlier details offered for a returning citizen (Alt+1…9 takes one). */
  private offered: ReturningCitizen | null = null;
  private offeredFor = '';

  constructor(private host: CardHost) {}

  private q<T extends HTMLElement = HTMLInputElement>(sel: string): T {
    return this.host.el.querySelector(sel) as T;
  }

  private input(name: string): HTMLInputElement {
    return this.q(`[name="${name}"]`);
  }

  /** Scanners (keyboard wedge, pictures), the returning-citizen look-up, the card marks. */
  wire() {
    const el = this.host.el;
    new WedgeDetector(el, (text) => void this.scanned(text));
    el.addEventListener('paste', (ev) => {
      const item = Array.from(ev.clipboardData?.items ?? []).find((i) => i.type.startsWith('image/'));
      const file = item?.getAsFile();
      if (!file) return;
      ev.preventDefault();
      void this.fromImage(file);
    });
    const picker = this.q('[data-testid="card-image"]');
    picker.addEventListener('change', () => {
      const f = picker.files?.[0];
      picker.value = '';
      if (f) void this.fromImage(f);
    });
    const id = this.input('applicant.id_number');
    id.addEventListener('blur', () => void this.offerReturning(id.value));
    // typing over a field the card filled: it is no longer the card's
    el.querySelectorAll<HTMLInputElement>('.applicant input, .applicant select').forEach((f) =>
      f.addEventListener('input', (ev) => {
        if (ev.isTrusted) f.closest('.field')?.classList.remove('from-card');
      }),
    );
  }

  /** Alt+0…9 for the address choice and the earlier details; true when the key was the panel's. */
  altKey(ev: KeyboardEvent): boolean {
    if (!ev.altKey) return false;
    if (/^[1-9]$/.test(ev.key) && this.addressKeys()) {
      const c = this.reading?.address.candidates[Number(ev.key) - 1];
      if (c) this.chooseAddress(c);
      return true;
    }
    if (/^[1-9]$/.test(ev.key) && this.offered) {
      this.takeOffered(Number(ev.key) - 1);
      return true;
    }
    if (ev.key === '0' && !this.q('[data-testid="address-map"]').hidden) {
      this.chooseAddress(null);
      return true;
    }
    return false;
  }

  /** What the request carries from the card: the scans, and the unit and card address chosen. */
  requestPart(representativeShown: boolean): { identity: { unit_code?: string; card_address?: string }; card?: CardScan; representative_card?: CardScan } {
    return {
      identity: { ...(this.unitCode ? { unit_code: this.unitCode } : {}), ...(this.cardAddress ? { card_address: this.cardAddress } : {}) },
      ...(this.card ? { card: this.card } : {}),
      ...(this.repCard && representativeShown ? { representative_card: this.repCard } : {}),
    };
  }

  /** A new citizen: nothing of the last card stays. */
  reset() {
    this.card = null;
    this.reading = null;
    this.repCard = null;
    this.unitCode = undefined;
    this.cardAddress = undefined;
    this.offered = null;
    this.offeredFor = '';
    this.host.el.querySelectorAll('.from-card').forEach((e) => e.classList.remove('from-card'));
    for (const id of ['address-map', 'returning', 'card-warnings']) this.q(`[data-testid="${id}"]`).hidden = true;
    this.cardStatus('Quét mã QR trên thẻ căn cước để điền người nộp (máy quét, hoặc ảnh thẻ: Ctrl+V)', false);
    this.q('[data-testid="card-status"]').className = 'muted';
  }

  /** The first empty applicant field, in form order (where typed text goes). */
  firstEmpty(): HTMLInputElement | null {
    return Array.from(this.host.el.querySelectorAll<HTMLInputElement>('.applicant input[data-nav]')).find((i) => !i.value && !i.closest('[hidden]')) ?? null;
  }

  /** A scan from any scanner: a card string fills the person whose section has the cursor. */
  async scanned(text: string) {
    if (!looksLikeCard(text)) {
      // a barcode (a dossier code) on the intake screen: nothing to fill here
      this.cardStatus('Mã vừa quét không phải mã QR của thẻ căn cước', true);
      return;
    }
    const forRep = !!document.activeElement?.closest('[data-testid="representative"]');
    try {
      const r = await this.host.api.cardRead(text);
      const scan: CardScan = { text: r.text, read_at: r.read_at };
      if (forRep) this.fillRepresentative(r, scan);
      else this.fillApplicant(r, scan);
    } catch (e) {
      this.cardStatus((e as AppError).message, true);
    }
  }

  private async fromImage(blob: Blob) {
    try {
      const r = await this.host.api.cardFromImage(await imageBytes(blob));
      // the picture's string goes with the request like a scan's: the core reads it again
      this.fillApplicant(r, { text: r.text, read_at: r.read_at });
    } catch (e) {
      this.cardStatus((e as AppError).message, true);
    }
  }

  private cardStatus(text: string, bad: boolean) {
    const st = this.q('[data-testid="card-status"]');
    st.textContent = text;
    st.className = bad ? 'error' : 'ok';
  }

  private setField(name: string, value: string, fromCard: boolean) {
    const el = this.q<HTMLInputElement>(`[name="${name}"]`);
    if (!el) return;
    el.value = value;
    el.closest('.field')?.classList.toggle('from-card', fromCard);
  }

  /** Fills the applicant from the card: each field the card gave is marked; the core's warnings shown. */
  fillApplicant(r: CardReading, scan: CardScan) {
    const c = r.card;
    this.card = scan;
    this.reading = r;
    this.q<HTMLSelectElement>('[data-testid="applicant-id_type"]').value = 'cccd';
    this.setField('applicant.id_number', c.id_number, true);
    this.setField('applicant.date_of_birth', c.date_of_birth_shown, true);
    this.setField('applicant.identity.old_id_number', c.old_id_number ?? '', !!c.old_id_number);
    this.setField('applicant.identity.id_issued_on', c.date_of_issue_shown ?? '', !!c.date_of_issue);
    this.setField('applicant.identity.gender', c.gender ?? '', !!c.gender);
    if (!c.letters_lost) {
      this.setField('applicant.full_name', c.full_name, true);
      this.showAddress(r);
    } else {
      this.setField('applicant.full_name', '', false);
      this.setField('applicant.address', '', false);
      // nothing of an earlier card's address stays (its unit would go with this applicant)
      this.unitCode = undefined;
      this.cardAddress = undefined;
      this.q('[data-testid="address-map"]').hidden = true;
    }
    const bad = c.warnings.length > 0;
    this.cardStatus(`Đã đọc thẻ lúc ${formatDateTime(r.read_at)}: ${c.checks.filter((x) => x.ok).length}/${c.checks.length} kiểm tra khớp`, bad);
    const w = this.q('[data-testid="card-warnings"]');
    setHtml(w, html`${c.warnings.map((x) => html`<li>${x}</li>`)}`);
    w.hidden = !bad;
    this.markIdentityItems();
    void this.offerReturning(c.id_number);
    this.firstEmpty()?.focus();
  }

  private fillRepresentative(r: CardReading, scan: CardScan) {
    this.repCard = scan;
    if (!r.card.letters_lost) this.setField('representative.full_name', r.card.full_name, true);
    this.setField('representative.id_number', r.card.id_number, true);
    this.cardStatus(r.card.letters_lost ? r.card.warnings[0] : 'Đã đọc thẻ người nộp thay', r.card.letters_lost);
    this.q<HTMLInputElement>('[name="representative.relation"]').focus();
  }

  /** The card's address beside its current form(s); the first current one is taken unless the clerk picks another (Alt+1…, Alt+0 keeps the card's). */
  private showAddress(r: CardReading) {
    const m = r.address;
    const box = this.q('[data-testid="address-map"]');
    this.cardAddress = undefined;
    this.unitCode = undefined;
    this.setField('applicant.address', m.original, true);
    if (m.candidates.length === 0) {
      setHtml(box, html`<span class="muted">Địa chỉ trên thẻ: không nhận ra đơn vị hành chính trong danh mục 2025 — giữ như trên thẻ.</span>`);
      box.hidden = !m.original;
      return;
    }
    if (m.already_current) {
      this.unitCode = m.candidates[0].unit.code;
      setHtml(box, html`<span class="muted">Địa chỉ đã theo đơn vị hành chính hiện nay (${m.candidates[0].unit.name}).</span>`);
    } else {
      setHtml(box, html`<div><span class="muted">Trên thẻ:</span> <span data-testid="address-card">${m.original}</span></div>
        ${m.candidates.map((c, i) => html`<button type="button" class="link" data-candidate="${i}" data-testid="address-candidate">Hiện nay${m.candidates.length > 1 ? ` (${i + 1})` : ''}: ${c.address} <span class="key">(Alt+${i + 1})</span></button>`)}
        <button type="button" class="link" data-testid="address-keep">Giữ địa chỉ trên thẻ <span class="key">(Alt+0)</span></button>`);
      box.querySelectorAll<HTMLElement>('[data-candidate]').forEach((b) => b.addEventListener('click', () => this.chooseAddress(m.candidates[Number(b.dataset.candidate)])));
      box.querySelector('[data-testid="address-keep"]')?.addEventListener('click', () => this.chooseAddress(null));
      // a merge has one current form: taken (the clerk can go back with Alt+0); a split asks
      if (m.candidates.length === 1) this.chooseAddress(m.candidates[0]);
    }
    box.hidden = false;
    this.showOutsideArea();
  }

  /**
   * Whether Alt+1…9 picks an address rather than an earlier detail: while a split waits for the
   * clerk's choice, and whenever the cursor is in the address field.
   */
  private addressKeys(): boolean {
    const box = this.q('[data-testid="address-map"]');
    if (box.hidden || !box.querySelector('[data-candidate]')) return false;
    return !box.querySelector('button.chosen') || document.activeElement === this.input('applicant.address');
  }

  /** The clerk's choice of address: a current form, or (null) the card's as written. */
  private chooseAddress(c: AddressCandidate | null) {
    const m = this.reading?.address;
    if (!m) return;
    this.setField('applicant.address', c ? c.address : m.original, true);
    this.unitCode = c?.unit.code;
    this.cardAddress = c ? m.original : undefined;
    this.q('[data-testid="address-map"]').querySelectorAll<HTMLElement>('button').forEach((b) =>
      b.classList.toggle('chosen', c ? b.dataset.candidate === String(m.candidates.indexOf(c)) : b.dataset.testid === 'address-keep'),
    );
    this.showOutsideArea();
  }

  /** "Phi địa giới": the applicant lives in another unit than the centre's. */
  private showOutsideArea() {
    const agency = this.reading?.agency_unit;
    const box = this.q('[data-testid="address-map"]');
    box.querySelector('[data-testid="outside-area"]')?.remove();
    if (!agency || !this.unitCode || this.unitCode === agency.code) return;
    const unit = this.reading?.address.candidates.find((c) => c.unit.code === this.unitCode)?.unit;
    const note = document.createElement('div');
    note.dataset.testid = 'outside-area';
    note.className = 'warn-line';
    note.textContent = `Hồ sơ phi địa giới: người nộp cư trú tại ${unit?.name ?? this.unitCode}, ${unit?.province_name ?? ''} (đơn vị tiếp nhận: ${agency.name}).`;
    box.append(note);
  }

  /** The checklist items that are the applicant's own identity paper: ticked, no photocopy (read from the card). */
  private markIdentityItems() {
    const docs = this.host.checklist();
    for (const d of docs.filter((x) => x.identity)) {
      const box = this.host.el.querySelector<HTMLInputElement>(`[data-testid="doc-${d.id}"]`);
      if (!box) continue;
      box.checked = !!this.card;
      const label = box.closest('.doc');
      label?.classList.toggle('from-card', !!this.card);
    }
  }

  /** Earlier details of this ID number at this office, offered with their dates (never filled silently). */
  private async offerReturning(idNumber: string) {
    const id = idNumber.trim();
    if (id.length < 9 || id === this.offeredFor) return;
    this.offeredFor = id;
    try {
      const r = await this.host.api.applicantReturning(id);
      this.offered = r;
      const box = this.q('[data-testid="returning"]');
      box.hidden = !r;
      if (!r) return;
      setHtml(box, html`<div><b>Người nộp đã có ${r.dossiers} hồ sơ tại đây.</b> Thông tin đã khai (chọn để dùng):</div>
        ${r.details.slice(0, 9).map((d, i) => html`<button type="button" class="link" data-offer="${i}" data-testid="returning-detail">${d.label}: ${d.value} <span class="muted">(${formatDateTime(d.given_at)})</span> <span class="key">(Alt+${i + 1})</span></button>`)}`);
      box.querySelectorAll<HTMLElement>('[data-offer]').forEach((b) => b.addEventListener('click', () => this.takeOffered(Number(b.dataset.offer))));
    } catch {
      // nothing offered: the clerk types as usual
    }
  }

  private takeOffered(i: number) {
    const d = this.offered?.details[i];
    if (!d) return;
    this.setField(d.field, d.value, false);
    this.q(`[data-offer="${i}"]`)?.classList.add('chosen');
  }
}
