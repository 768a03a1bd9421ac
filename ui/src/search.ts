// The search screen (tra cứu): one box for a code, a name (diacritics optional), an ID or phone
// number; newest first, "Xem thêm" for the next page, Enter on a row opens the dossier.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { Dossier } from './bindings/Dossier';
import type { SearchHit } from './bindings/SearchHit';
import type { DossierStatus } from './bindings/DossierStatus';
import type { Timeliness } from './bindings/Timeliness';
import { PrintActions, showPreview } from './printing';
import { DossierActions } from './actions';
import { esc, formatDate, formatDateTime, formatMoney, isoToDmy } from './format';
import { FORM_LABELS } from './intake';
import { dossierSyncLine } from './sync';

// Mirrors DossierStatus::label in the core; typed by the generated DossierStatus so a new status in Rust
// fails the UI build until it has a label here.
export const STATUS_LABELS: Record<DossierStatus, string> = {
  received: 'Đã tiếp nhận',
  in_process: 'Đang giải quyết',
  waiting_supplement: 'Chờ bổ sung hồ sơ',
  result_ready: 'Có kết quả, chờ trả',
  returned: 'Đã trả kết quả',
  refused: 'Đã từ chối',
  stopped: 'Đã dừng giải quyết',
  withdrawn: 'Công dân đã rút hồ sơ',
};
export const TIMELINESS_LABELS: Record<Timeliness, string> = { early: 'trước hạn', on_time: 'đúng hạn', late: 'quá hạn' };

/** What happened after intake, as definition-list rows (empty for a dossier just received). */
export function progressRows(d: Dossier): string {
  const p = d.progress ?? {};
  const rows: string[] = [];
  if (p.department) rows.push(`<dt>Đang ở</dt><dd>${esc(p.department)}</dd>`);
  if (p.movements?.length) {
    rows.push(`<dt>Luân chuyển</dt><dd><ol class="moves">${p.movements
      .map((m) => `<li>${formatDateTime(m.at)}: ${esc(m.from)} → ${esc(m.to)}${m.batch ? ` (${esc(m.batch)})` : ''}</li>`).join('')}</ol></dd>`);
  }
  if (p.missing?.length) rows.push(`<dt>Cần bổ sung</dt><dd><ul>${p.missing.map((m) => `<li>${esc(m)}</li>`).join('')}</ul></dd>`);
  if (p.original_due_at) rows.push(`<dt>Hẹn ban đầu</dt><dd>${formatDateTime(p.original_due_at)}</dd>`);
  if (p.delays) rows.push(`<dt>Đã hẹn lại</dt><dd>${p.delays} lần${p.delay_reason ? `: ${esc(p.delay_reason)}` : ''}</dd>`);
  if (p.reason) rows.push(`<dt>Lý do</dt><dd>${esc(p.reason)}</dd>`);
  if (p.result_at) rows.push(`<dt>Có kết quả</dt><dd>${formatDateTime(p.result_at)}</dd>`);
  if (p.returned_to) {
    const r = p.returned_to;
    const who = r.kind === 'post' ? `Qua bưu chính, số hiệu ${esc(r.tracking)}` : `${esc(r.name)} (${r.kind === 'authorised' ? 'người được ủy quyền, ' : ''}giấy tờ ${esc(r.id_number)})`;
    rows.push(`<dt>Đã trả</dt><dd>${p.closed_at ? formatDateTime(p.closed_at) + ' — ' : ''}${who}${p.timeliness ? `, ${TIMELINESS_LABELS[p.timeliness]}` : ''}</dd>`);
  }
  return rows.join('');
}

const CHANNEL_LABELS: Record<string, string> = { counter: 'Trực tiếp tại quầy', postal: 'Qua bưu chính', online: 'Trực tuyến' };

export class SearchScreen {
  /** Print buttons of the dossier shown in the detail (Ctrl+P reprints its receipt). */
  printActions: PrintActions | null = null;
  readonly el: HTMLElement;
  private cursor: number | undefined;
  private query = '';

  constructor(private api: Api = defaultApi, private onChanged: () => void = () => {}) {
    this.el = document.createElement('section');
    this.el.className = 'screen search';
    this.el.innerHTML = `
      <label class="field wide"><span>Tra cứu hồ sơ</span>
        <input data-testid="search-input" placeholder="Mã hồ sơ, họ tên (không cần dấu), số CCCD hoặc điện thoại" /></label>
      <div class="banner error" data-testid="search-error" hidden></div>
      <table class="results" hidden><thead><tr><th>Mã hồ sơ</th><th>Người nộp</th><th>Thủ tục</th><th>Tiếp nhận</th><th>Hẹn trả</th><th>Trạng thái</th></tr></thead>
        <tbody data-testid="search-results"></tbody></table>
      <p class="muted empty" data-testid="search-empty" hidden>Không tìm thấy hồ sơ nào</p>
      <button type="button" data-testid="search-more" hidden>Xem thêm</button>
      <div class="detail" data-testid="dossier-detail" tabindex="-1" hidden></div>`;
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
    this.q('[data-testid="search-results"]').innerHTML = '';
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

  private append(hits: SearchHit[]) {
    const body = this.q('[data-testid="search-results"]');
    for (const h of hits) {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'search-row';
      tr.dataset.code = h.code;
      tr.tabIndex = 0;
      tr.innerHTML = `<td><code>${esc(h.code)}</code>${h.provisional ? ' <em>(tạm)</em>' : ''}</td><td>${esc(h.applicant_name)}</td>
        <td>${esc(h.procedure_code)}</td><td>${formatDate(h.received_at)}</td><td>${formatDateTime(h.due_at)}</td>
        <td class="status">${STATUS_LABELS[h.status] ?? h.status}</td>`;
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

  private showDetail(d: Dossier) {
    const el = this.q('[data-testid="dossier-detail"]');
    const a = d.applicant;
    el.innerHTML = `<h3>Hồ sơ <code>${esc(d.code)}</code> <button type="button" class="close" title="Đóng">Esc</button></h3>
      <dl>
        <dt>Mã hồ sơ</dt><dd><code>${esc(d.code)}</code>${d.provisional ? ' (mã tạm)' : ''}${d.provisional_code && d.provisional_code !== d.code ? ` — mã tạm trước đây ${esc(d.provisional_code)}` : ''}</dd>
        <dt>Thủ tục</dt><dd>${esc(d.procedure_code)} — ${esc(d.procedure_name)}</dd>
        <dt>Người nộp</dt><dd>${esc(a.full_name)}, sinh ${isoToDmy(a.date_of_birth)}</dd>
        <dt>Giấy tờ tùy thân</dt><dd>${a.id_type === 'cccd' ? 'CCCD' : a.id_type === 'passport' ? 'Hộ chiếu' : 'Khác'} ${esc(a.id_number)}</dd>
        <dt>Liên hệ</dt><dd>${esc(a.phone)}${a.email ? `, ${esc(a.email)}` : ''}</dd>
        <dt>Địa chỉ</dt><dd>${esc(a.address)}</dd>
        <dt>Tiếp nhận</dt><dd>${formatDateTime(d.received_at)} — ${esc(d.clerk_name)}, quầy ${esc(d.counter_id)}</dd>
        <dt>Hẹn trả</dt><dd>${formatDateTime(d.due_at)}</dd>
        <dt>Nhận kết quả</dt><dd>${d.delivery.kind === 'post' ? `Qua bưu chính: ${esc(d.delivery.address)}` : 'Tại quầy'}</dd>
        <dt>Lệ phí</dt><dd>${formatMoney(d.fee)}</dd>
        <dt>Kênh nộp</dt><dd>${CHANNEL_LABELS[d.channel] ?? d.channel}</dd>
        <dt>Trạng thái</dt><dd data-testid="detail-status">${STATUS_LABELS[d.status] ?? d.status}</dd>
        <dt>Cổng dịch vụ công</dt><dd data-testid="detail-sync-row">…</dd>${progressRows(d)}${d.note ? `
        <dt>Ghi chú</dt><dd>${esc(d.note)}</dd>` : ''}
      </dl>
      <h4>Thành phần hồ sơ</h4>
      <ul>${d.documents.map((x) => `<li>${esc(x.name)} — ${FORM_LABELS[x.form]} × ${x.count}</li>`).join('')}</ul>`;
    this.printActions = new PrintActions(d.code, this.api, (t) => showPreview(this.api, t));
    el.appendChild(this.printActions.el);
    el.appendChild(new DossierActions(d, this.api, (after) => {
      this.showDetail(after);
      void this.showSync(after.code);
      // the result row shows the new status too
      this.el.querySelectorAll<HTMLElement>('[data-testid="search-row"]').forEach((tr) => {
        if (tr.dataset.code === after.code) tr.querySelector('.status')!.textContent = STATUS_LABELS[after.status];
      });
      this.onChanged();
    }).el);
    el.hidden = false;
    el.querySelector('.close')?.addEventListener('click', () => this.closeDetail());
    el.focus();
  }

  /** Where the dossier stands with the portal (waiting, sent, refused with the portal's reason). */
  private async showSync(code: string) {
    const dd = this.el.querySelector<HTMLElement>('[data-testid="detail-sync-row"]');
    if (!dd) return;
    try {
      dd.innerHTML = dossierSyncLine(await this.api.dossierSync(code));
    } catch (e) {
      dd.textContent = (e as AppError).message;
    }
  }

  closeDetail(refocus = true) {
    this.q('[data-testid="dossier-detail"]').hidden = true;
    if (refocus) this.focusFirst();
  }
}
