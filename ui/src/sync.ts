// Portal sync at the counter: the badge in the status bar (its state, words and tooltip as the core
// decides them; chips for events the portal refused, conflicts and official numbers left today), and
// the sync screen (F9): "Đồng bộ ngay", the refused events with the portal's own reasons and "Gửi lại",
// the conflicts a person must settle, and enrolment when the counter has no portal.
// The sync itself runs in Rust on its own thread; this module only shows and asks.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { DossierSync } from './bindings/DossierSync';
import type { SyncStatus } from './bindings/SyncStatus';
import { LIMITS } from './bindings/facts';
import { formatDateTime } from './format';
import { html, join, setHtml, type SafeHtml } from './html';

/** What "Đồng bộ ngay" says on a counter not enrolled yet (the core answers with its status, not an error). */
export const NOT_ENROLLED = 'Máy này chưa đăng ký với Cổng dịch vụ công nên chưa đồng bộ được. Quản trị viên nhập địa chỉ cổng và mã đăng ký ở mục «Đăng ký máy với cổng» bên dưới (F9), rồi bấm «Đăng ký».';

/** The badge and chips in the status bar (drawn from the dashboard); clicking opens the sync screen. */
export class SyncBadge {
  readonly el: HTMLElement;

  constructor(private open: () => void = () => {}) {
    this.el = document.createElement('span');
    this.el.className = 'syncbar';
    setHtml(this.el, html`<button type="button" class="link offline" data-testid="status-network">● …</button>
      <span class="chip alert" data-testid="status-parked" hidden></span>
      <span class="chip alert" data-testid="status-conflicts" hidden></span>
      <span data-testid="status-numbers"></span>`);
    this.el.querySelector('button')!.addEventListener('click', () => this.open());
  }

  /** Draws the badge from the sync status (the dashboard brings it). */
  render(s: SyncStatus) {
    const b = s.badge;
    const net = this.el.querySelector<HTMLElement>('[data-testid="status-network"]')!;
    net.className = `link ${b.online ? 'online' : 'offline'}`;
    net.textContent = b.text;
    net.title = b.title;
    const parked = this.el.querySelector<HTMLElement>('[data-testid="status-parked"]')!;
    parked.hidden = s.parked === 0;
    parked.textContent = `Cổng từ chối: ${s.parked}`;
    const conflicts = this.el.querySelector<HTMLElement>('[data-testid="status-conflicts"]')!;
    conflicts.hidden = s.conflicts === 0;
    conflicts.textContent = `Cần xử lý: ${s.conflicts}`;
    const reprints = s.reprints?.length ?? 0;
    if (reprints > 0) {
      conflicts.hidden = false;
      conflicts.textContent = s.conflicts > 0 ? `Cần xử lý: ${s.conflicts} · In lại giấy tiếp nhận: ${reprints}` : `In lại giấy tiếp nhận: ${reprints}`;
    }
    this.el.querySelector('[data-testid="status-numbers"]')!.textContent = s.enrolled ? `Số hồ sơ còn hôm nay: ${s.numbers_left_today}` : '';
  }
}

/** One line for the dossier view: where the dossier stands with the portal. */
export function dossierSyncLine(s: DossierSync): SafeHtml {
  const cls = s.state === 'rejected' ? 'error' : s.state === 'waiting' || s.state === 'local' ? 'muted' : 'ok';
  return html`<span class="${cls}" data-testid="detail-sync" data-state="${s.state}">${s.label}${s.reason ? `: ${s.reason}` : ''}</span>`;
}

/** The sync screen (F9). */
export class SyncScreen {
  readonly el: HTMLElement;

  constructor(private api: Api = defaultApi, private onChanged: () => void = () => {}) {
    this.el = document.createElement('section');
    this.el.className = 'screen sync';
    setHtml(this.el, html`<h2>Đồng bộ với Cổng dịch vụ công</h2>
      <div class="banner error" data-testid="sync-error" hidden></div>
      <dl class="sync-status" data-testid="sync-status"></dl>
      <p><button type="button" class="primary" data-testid="sync-now">Đồng bộ ngay</button>
         <span class="muted">Máy tự đồng bộ khi có mạng; nút này chỉ để gửi ngay.</span></p>
      <form data-testid="enrol-form" hidden>
        <h3>Đăng ký máy với cổng</h3>
        <label>Địa chỉ cổng <input data-testid="enrol-portal" placeholder="https://dichvucong…" maxlength="${LIMITS.lookup_url}" required></label>
        <label>Mã đăng ký <input data-testid="enrol-code" maxlength="${LIMITS.code}" required></label>
        <button type="submit" data-testid="enrol-submit">Đăng ký</button>
      </form>
      <h3>Cổng từ chối <span class="muted">(các bước khác vẫn được gửi bình thường)</span></h3>
      <table class="results"><thead><tr><th>Mã hồ sơ</th><th>Bước</th><th>Lúc</th><th>Lý do của cổng</th></tr></thead>
        <tbody data-testid="parked-rows"></tbody></table>
      <p class="muted" data-testid="parked-empty">Không có bước nào bị từ chối.</p>
      <p><button type="button" data-testid="parked-retry" hidden>Gửi lại các bước bị từ chối (sau khi cổng đã sửa)</button></p>
      <h3>Cần xử lý <span class="muted">(hai nơi cùng thao tác trên một hồ sơ khi mất kết nối)</span></h3>
      <table class="results"><thead><tr><th>Mã hồ sơ</th><th>Bước không được áp dụng</th><th>Nơi làm</th><th>Lúc</th><th>Trạng thái theo cổng</th><th></th></tr></thead>
        <tbody data-testid="conflict-rows"></tbody></table>
      <p class="muted" data-testid="conflict-empty">Không có xung đột.</p>`);
    this.q('[data-testid="sync-now"]').addEventListener('click', () => void this.syncNow());
    this.q('[data-testid="parked-retry"]').addEventListener('click', () => void this.retry());
    this.q('[data-testid="enrol-form"]').addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.enrol();
    });
  }

  private q(sel: string): HTMLElement {
    return this.el.querySelector<HTMLElement>(sel)!;
  }

  /** "Đồng bộ ngay"; on a counter not enrolled yet, the enrolment form's first field. */
  focusFirst() {
    const enrol = this.q('[data-testid="enrol-form"]');
    this.q(enrol.hidden ? '[data-testid="sync-now"]' : '[data-testid="enrol-portal"]').focus();
  }

  private fail(e: unknown) {
    const err = this.q('[data-testid="sync-error"]');
    err.textContent = (e as AppError).message;
    err.hidden = false;
  }

  /** Not enrolled: says so and puts the cursor on the enrolment form. */
  private notEnrolled() {
    this.fail({ message: NOT_ENROLLED });
    this.q('[data-testid="enrol-portal"]').focus();
  }

  /** The status block (also redrawn from every pushed dashboard). */
  showStatus(s: SyncStatus) {
    const b = s.badge;
    const row = (k: string, v: SafeHtml | string, id = '') => html`<dt>${k}</dt><dd${id ? html` data-testid="${id}"` : ''}>${v}</dd>`;
    const warn = (text: string) => html`<span class="error">${text}</span>`;
    setHtml(this.q('[data-testid="sync-status"]'), html`${[
      row('Tình trạng', html`<span class="${b.online ? 'online' : 'offline'}" title="${b.title}">${b.text}</span>`, 'sync-state'),
      row('Cổng', s.portal_url ?? 'chưa đăng ký'),
      row('Chờ gửi', String(s.waiting), 'sync-waiting'),
      row('Đồng bộ thành công lần cuối', s.last_success_at ? formatDateTime(s.last_success_at) : '—'),
      row('Thử lần cuối', s.last_attempt_at ? formatDateTime(s.last_attempt_at) : '—'),
      row('Lỗi gần nhất', s.last_error ?? '—', 'sync-last-error'),
      s.approval_pending
        && row('Phê duyệt', warn('Máy đang chờ quản trị Cổng dịch vụ công phê duyệt: hồ sơ của quầy vẫn được gửi lên, nhưng chưa nhận hồ sơ của quầy khác'), 'sync-approval'),
      row('Số hồ sơ chính thức còn hôm nay', String(s.numbers_left_today), 'sync-numbers'),
      (s.reprints?.length ?? 0) > 0
        && row('In lại giấy tiếp nhận', join((s.reprints ?? []).map((r) => warn(r.reason)), html`<br>`), 'sync-reprints'),
      s.failed_changes > 0
        && row('Thay đổi từ cổng chưa áp dụng được', warn(`${s.failed_changes} (máy tự thử lại mỗi lần đồng bộ; quản trị viên xem chi tiết bằng lệnh motcua sync failed)`), 'sync-failed'),
      s.audit_anchor_refused
        && row('Nhật ký kiểm tra', warn(`Cổng không nhận nhật ký của máy này: ${s.audit_anchor_refused} (báo quản trị viên kiểm tra bằng lệnh motcua audit verify --portal)`), 'sync-audit-anchor'),
      s.clock_warning
        && row('Đồng hồ máy', warn(`lệch ${s.clock_offset_minutes} phút so với giờ của cổng: hãy chỉnh lại`)),
    ]}`);
    this.q('[data-testid="enrol-form"]').hidden = s.enrolled;
  }

  async load() {
    this.q('[data-testid="sync-error"]').hidden = true;
    try {
      const [s, parked, conflicts] = await Promise.all([this.api.syncStatus(), this.api.syncParked(), this.api.syncConflicts()]);
      this.showStatus(s);
      setHtml(this.q('[data-testid="parked-rows"]'), html`${parked
        .map((p) => html`<tr data-testid="parked-row"><td><code>${p.dossier_code}</code></td><td>${p.kind_label}</td>
          <td>${formatDateTime(p.at)}</td><td>${p.reason} <span class="muted">(${p.code})</span></td></tr>`)}`);
      this.q('[data-testid="parked-empty"]').hidden = parked.length > 0;
      this.q('[data-testid="parked-retry"]').hidden = parked.length === 0;
      const body = this.q('[data-testid="conflict-rows"]');
      setHtml(body, html`${conflicts
        .map((c) => html`<tr data-testid="conflict-row"><td><code>${c.dossier_code}</code></td><td>${c.kind_label}</td>
          <td>${c.by_label}</td><td>${formatDateTime(c.at)}</td>
          <td>${c.status_label}</td><td><button type="button" data-uid="${c.event_uid}">Đã xử lý</button></td></tr>`)}`);
      body.querySelectorAll<HTMLButtonElement>('button[data-uid]').forEach((btn) =>
        btn.addEventListener('click', () => void this.settle(btn.dataset.uid!)));
      this.q('[data-testid="conflict-empty"]').hidden = conflicts.length > 0;
    } catch (e) {
      this.fail(e);
    }
  }

  async syncNow() {
    this.q('[data-testid="sync-error"]').hidden = true;
    try {
      const s = await this.api.syncNow();
      // nothing to send to: the core wakes no round, its status says not enrolled
      if (!s.enrolled) {
        this.showStatus(s);
        this.notEnrolled();
        return;
      }
      // the round runs in the background; show its outcome when it is in
      await new Promise((r) => setTimeout(r, 800));
      await this.load();
      this.onChanged();
    } catch (e) {
      // the core's own words; when it says not enrolled, the cursor goes to the enrolment form
      this.fail(e);
      if ((e as AppError).reason === 'not_enrolled') this.q('[data-testid="enrol-portal"]').focus();
    }
  }

  private async retry() {
    try {
      await this.api.syncRetryParked();
      await this.load();
      this.onChanged();
    } catch (e) {
      this.fail(e);
    }
  }

  private async settle(uid: string) {
    try {
      await this.api.syncSettle(uid);
      await this.load();
      this.onChanged();
    } catch (e) {
      this.fail(e);
    }
  }

  private async enrol() {
    const portal = (this.q('[data-testid="enrol-portal"]') as HTMLInputElement).value.trim();
    const code = (this.q('[data-testid="enrol-code"]') as HTMLInputElement).value.trim();
    try {
      await this.api.syncEnrol(portal, code);
      await this.load();
      // the form is gone: the cursor on "Đồng bộ ngay"
      this.focusFirst();
      this.onChanged();
    } catch (e) {
      this.fail(e);
    }
  }
}
