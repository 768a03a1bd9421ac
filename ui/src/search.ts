// The search screen (tra cứu): one box for a code (or the day's short number, "0003" or
// "261130-0003": the core matches it), a name (diacritics optional), an ID or phone number; rows name
// the procedure; newest first, "Xem thêm" for the next page, Enter on a row opens the dossier. The dossier
// shows the core's warnings on top; a guidance or refusal at intake (a contact: a slip number, no
// dossier code) offers only its slip to print again.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { DossierView } from './bindings/DossierView';
import type { SearchHit } from './bindings/SearchHit';
import type { ReturnTo } from './bindings/ReturnTo';
import { CHANNEL_LABELS, DOCUMENT_FORM_LABELS, ID_TYPE_LABELS, LIMITS, RETURN_TO_LABELS, STATUS_LABELS, TIMELINESS_LABELS } from './bindings/facts';
import { PrintActions, showPreview } from './printing';
import { DossierActions, type StepReport } from './actions';
import { DossierDocuments } from './documents';
import { deliveryText, formatDate, formatDateTime } from './format';
import { html, setHtml, type SafeHtml } from './html';
import { dossierSyncLine } from './sync';

/** Who took the result, or how it was sent (exhaustive: a new kind in the core fails to compile here). */
/** A hit as the core sends it; `procedure_name` once the core adds it to `SearchHit` (the code until then). */
type Hit = SearchHit & { procedure_name?: string };

/** The search box's hint (screen chrome; the matching is the core's). */
export const SEARCH_PLACEHOLDER = 'Mã hồ sơ hoặc số trong ngày (0003, 261130-0003), họ tên (không cần dấu), số CCCD hoặc điện thoại';

function returnedToText(r: ReturnTo): string {
  switch (r.kind) {
    case 'applicant':
    case 'authorised':
      return `${r.name} (${RETURN_TO_LABELS[r.kind].toLowerCase()}, giấy tờ ${r.id_number})`;
    case 'post':
      return `${RETURN_TO_LABELS[r.kind]}, số hiệu ${r.tracking}`;
  }
}

/** What happened after intake, as definition-list rows (empty for a dossier just received). */
export function progressRows(d: DossierView): SafeHtml {
  const p = d.progress ?? {};
  const rows: SafeHtml[] = [];
  if (p.department) rows.push(html`<dt>Đang ở</dt><dd>${p.department}</dd>`);
  if (p.movements?.length) {
    rows.push(html`<dt>Luân chuyển</dt><dd><ol class="moves">${p.movements
      .map((m) => html`<li>${formatDateTime(m.at)}: ${m.from} → ${m.to}${m.batch ? html` (${m.batch})` : ''}</li>`)}</ol></dd>`);
  }
  if (p.missing?.length) rows.push(html`<dt>Cần bổ sung</dt><dd><ul>${p.missing.map((m) => html`<li>${m}</li>`)}</ul></dd>`);
  if (p.original_due_at) rows.push(html`<dt>Hẹn ban đầu</dt><dd>${formatDateTime(p.original_due_at)}</dd>`);
  if (p.delays) rows.push(html`<dt>Đã hẹn lại</dt><dd>${p.delays} lần${p.delay_reason ? `: ${p.delay_reason}` : ''}</dd>`);
  if (p.reason) rows.push(html`<dt>Lý do</dt><dd>${p.reason}</dd>`);
  if (p.result_at) rows.push(html`<dt>Có kết quả</dt><dd>${formatDateTime(p.result_at)}</dd>`);
  if (p.returned_to) {
    const r = p.returned_to;
    const who = returnedToText(r);
    const when = p.closed_at ? `${formatDateTime(p.closed_at)} — ` : '';
    rows.push(html`<dt>Đã trả</dt><dd>${when}${who}${p.timeliness ? `, ${TIMELINESS_LABELS[p.timeliness].toLowerCase()}` : ''}</dd>`);
  }
  return html`${rows}`;
}

export class SearchScreen {
  /** Print buttons of the dossier shown in the detail (Ctrl+P reprints its receipt). */
  printActions: PrintActions | null = null;
  readonly el: HTMLElement;
  private cursor: number | undefined;
  private query = '';

  constructor(private api: Api = defaultApi, private onChanged: () => void = () => {}) {
    this.el = document.createElement('section');
    this.el.className = 'screen search';
    setHtml(this.el, html`
      <label class="field wide"><span>Tra cứu hồ sơ</span>
        <input data-testid="search-input" maxlength="${LIMITS.search_query}" placeholder="${SEARCH_PLACEHOLDER}" />
        <small class="muted" data-testid="search-hint">Gõ mã đầy đủ, hoặc chỉ số thứ tự trong ngày (0003) hay ngày và số (261130-0003), rồi Enter; ↓ để chọn hồ sơ.</small></label>
      <div class="banner error" data-testid="search-error" hidden></div>
      <table class="results" hidden><thead><tr><th>Mã hồ sơ</th><th>Người nộp</th><th>Thủ tục</th><th>Tiếp nhận</th><th>Hẹn trả</th><th>Trạng thái</th></tr></thead>
        <tbody data-testid="search-results"></tbody></table>
      <p class="muted empty" data-testid="search-empty" hidden>Không tìm thấy hồ sơ nào</p>
      <button type="button" data-testid="search-more" hidden>Xem thêm</button>
      <div class="detail" data-testid="dossier-detail" tabindex="-1" hidden></div>`);
    const input = this.q<HTMLInputElement>('[data-testid="search-input"]');
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        void this.run(input.value);
      } else if (ev.key === 'ArrowDown') {
        ev.preventDefault();
        this.el.querySelector<HTMLElement>('[data-testid="search-row"]')?.focus();
      }
    });
    this.q('[data-testid="search-more"]').addEventListener('click', () => void this.more());
    this.el.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.closeDetail();
    });
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector(sel) as T;
  }

  focusFirst() {
    this.q<HTMLInputElement>('[data-testid="search-input"]').focus();
  }

  async run(query: string) {
    this.query = query;
    this.cursor = undefined;
    this.q('[data-testid="search-results"]').replaceChildren();
    this.closeDetail(false);
    await this.more();
  }

  private async more() {
    const err = this.q('[data-testid="search-error"]');
    err.hidden = true;
    try {
      const page = await this.api.dossierSearch(this.query, this.cursor);
      this.cursor = page.next_cursor;
      this.append(page.hits);
      this.q('[data-testid="search-more"]').hidden = page.next_cursor === undefined || page.next_cursor === null;
    } catch (e) {
      err.textContent = (e as AppError).message;
      err.hidden = false;
    }
  }

  private append(hits: Hit[]) {
    const body = this.q('[data-testid="search-results"]');
    for (const h of hits) {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'search-row';
      tr.dataset.code = h.code;
      tr.tabIndex = 0;
      setHtml(tr, html`<td><code>${h.code}</code>${h.provisional ? html` <em>(tạm)</em>` : ''}</td><td>${h.applicant_name}</td>
        <td data-testid="search-procedure" title="${h.procedure_code}">${h.procedure_name || h.procedure_code}</td><td>${formatDate(h.received_at)}</td><td>${formatDateTime(h.due_at)}</td>
        <td class="status">${STATUS_LABELS[h.status] ?? h.status}</td>`);
      tr.addEventListener('click', () => void this.open(h.code));
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') void this.open(h.code);
        if (ev.key === 'ArrowDown') (tr.nextElementSibling as HTMLElement | null)?.focus();
        if (ev.key === 'ArrowUp') ((tr.previousElementSibling as HTMLElement | null) ?? this.q('[data-testid="search-input"]')).focus();
      });
      body.appendChild(tr);
    }
    const any = body.children.length > 0;
    this.q('table').hidden = !any;
    this.q('[data-testid="search-empty"]').hidden = any;
  }

  async open(code: string) {
    try {
      this.showDetail(await this.api.dossierGet(code));
      void this.showSync(code);
    } catch (e) {
      const err = this.q('[data-testid="search-error"]');
      err.textContent = (e as AppError).message;
      err.hidden = false;
    }
  }

  private showDetail(d: DossierView, report?: StepReport) {
    const el = this.q('[data-testid="dossier-detail"]');
    const a = d.applicant;
    const idType = ID_TYPE_LABELS[a.id_type];
    const rep = d.representative;
    // a contact has a slip number, no appointment, fee or delivery
    setHtml(el, html`<h3>${d.is_contact ? 'Phiếu' : 'Hồ sơ'} <code>${d.code}</code> <button type="button" class="close" title="Đóng">Esc</button></h3>
      ${d.warnings.length ? html`<ul class="banner warn warnings" data-testid="dossier-warnings" role="alert">${d.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
      <dl>
        <dt data-testid="detail-code-label">${d.is_contact ? 'Số phiếu' : 'Mã hồ sơ'}</dt><dd><code>${d.code}</code>${d.provisional ? ' (mã tạm)' : ''}${d.provisional_code && d.provisional_code !== d.code ? ` — mã tạm trước đây ${d.provisional_code}` : ''}${d.is_contact ? html` <em>(không cấp mã hồ sơ)</em>` : ''}</dd>
        <dt>Thủ tục</dt><dd>${d.procedure_code} — ${d.procedure_name}</dd>${d.case_name ? html`
        <dt>Trường hợp</dt><dd>${d.case_name}</dd>` : ''}
        <dt>Người nộp</dt><dd>${a.full_name}, sinh ${formatDate(a.date_of_birth)}</dd>
        <dt>Giấy tờ tùy thân</dt><dd>${idType} ${a.id_number}</dd>${rep ? html`
        <dt>Người được ủy quyền</dt><dd data-testid="detail-representative">${rep.full_name}, giấy tờ ${rep.id_number}${rep.phone ? `, ${rep.phone}` : ''}</dd>` : ''}
        <dt>Liên hệ</dt><dd>${a.phone}${a.email ? `, ${a.email}` : ''}</dd>
        <dt>Địa chỉ</dt><dd>${a.address}</dd>
        <dt>Tiếp nhận</dt><dd>${formatDateTime(d.received_at)} — ${d.clerk_name}, quầy ${d.counter_id}</dd>${d.is_contact ? '' : html`
        <dt>Hẹn trả</dt><dd>${formatDateTime(d.due_at)}</dd>
        <dt>Nhận kết quả</dt><dd>${deliveryText(d.delivery)}</dd>
        <dt>Lệ phí</dt><dd>${d.fee_label}</dd>`}
        <dt>Kênh nộp</dt><dd>${CHANNEL_LABELS[d.channel] ?? d.channel}</dd>
        <dt>Trạng thái</dt><dd data-testid="detail-status">${d.status_label}</dd>
        <dt>Cổng dịch vụ công</dt><dd data-testid="detail-sync-row">…</dd>${progressRows(d)}${d.note ? html`
        <dt>Ghi chú</dt><dd>${d.note}</dd>` : ''}
      </dl>
      <h4>Thành phần hồ sơ</h4>
      <ul>${d.documents.map((x) => html`<li>${x.name} — ${DOCUMENT_FORM_LABELS[x.form]} × ${x.count}</li>`)}</ul>`);
    if (!d.is_contact) {
      // the electronic dossier: its documents, their upload, adding the result or a missing item
      const docs = new DossierDocuments(d, this.api);
      el.appendChild(docs.el);
      void docs.load();
    }
    if (d.slip) {
      // a contact prints only its own slip again
      this.printActions = new PrintActions(d.code, this.api, (t) => showPreview(this.api, t), d.slip);
      el.appendChild(this.printActions.el);
    } else {
      this.printActions = new PrintActions(d.code, this.api, (t) => showPreview(this.api, t));
      el.appendChild(this.printActions.el);
    }
    el.appendChild(new DossierActions(d, this.api, (after, r) => {
      // the detail is drawn again from the dossier after the step, with what became of the step
      this.showDetail(after, r);
      void this.showSync(after.code);
      // the result row shows the new status too
      this.el.querySelectorAll<HTMLElement>('[data-testid="search-row"]').forEach((tr) => {
        if (tr.dataset.code === after.code) tr.querySelector('.status')!.textContent = after.status_label;
      });
      this.onChanged();
    }, report).el);
    el.hidden = false;
    el.querySelector('.close')?.addEventListener('click', () => this.closeDetail());
    el.focus();
  }

  /** Where the dossier stands with the portal (waiting, sent, refused with the portal's reason). */
  private async showSync(code: string) {
    const dd = this.el.querySelector<HTMLElement>('[data-testid="detail-sync-row"]');
    if (!dd) return;
    try {
      setHtml(dd, dossierSyncLine(await this.api.dossierSync(code)));
    } catch (e) {
      dd.textContent = (e as AppError).message;
    }
  }

  closeDetail(refocus = true) {
    this.q('[data-testid="dossier-detail"]').hidden = true;
    if (refocus) this.focusFirst();
  }
}
