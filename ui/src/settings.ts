// The settings screen (F4): receipt paper and copies, print on intake, the counter's printer, the QR
// lookup address, the names on the documents (the receiving unit's among them) and how early an
// apology is due. Saved as a whole; a bad value is shown beside its field and nothing is changed.
import { api as defaultApi, type Api } from './api';
import type { AppError } from './bindings/AppError';
import type { CounterSettings } from './bindings/CounterSettings';
import { DEFAULT_SETTINGS, LIMITS, PAPER_SIZES } from './bindings/facts';
import { appendHtml, html, setHtml } from './html';
import { handleEnter } from './keyboard';

/** The text settings: key, label, and the core's length limit. */
const TEXT_FIELDS: Array<[keyof CounterSettings, string, number]> = [
  ['lookup_url', 'Địa chỉ tra cứu hồ sơ trong mã QR ({code} được thay bằng mã của từng hồ sơ)', LIMITS.lookup_url],
  ['unit_name', 'Tên đơn vị tiếp nhận hồ sơ (in ở tiêu đề và nội dung các mẫu)', LIMITS.setting],
  ['parent_agency', 'Cơ quan chủ quản (dòng đầu tiêu đề)', LIMITS.setting],
  ['place_name', 'Địa danh ghi ngày tháng', LIMITS.setting],
  ['head_title', 'Chức danh người đứng đầu (ký văn bản xin lỗi, thông báo dừng)', LIMITS.setting],
  ['head_name', 'Họ tên người đứng đầu', LIMITS.setting],
  ['counter_phone', 'Số điện thoại hướng dẫn (in trên phiếu bổ sung)', LIMITS.setting],
  ['departments', 'Phòng ban nhận hồ sơ khi bàn giao (cách nhau bằng dấu ;)', LIMITS.departments],
  ['unit_code', 'Mã xã/phường của trung tâm theo danh mục 2025 (gõ tên để tìm mã; dùng để nhận biết hồ sơ phi địa giới)', LIMITS.code],
  ['scanner_port', 'Cổng máy quét ở chế độ USB COM (ví dụ /dev/ttyACM0 hoặc COM3); để trống nếu máy quét gõ như bàn phím', LIMITS.setting],
];

/** Number settings: only digits can be typed (an empty box goes as 0); the core checks the range and says what fits. */
const NUMBER_FIELDS = ['receipt_copies', 'lock_after_minutes', 'apology_days_before_due', 'documents_keep_days'] as const;

export class SettingsScreen {
  readonly el: HTMLElement;
  /** The settings as loaded: fields this screen does not show are saved back unchanged. */
  private loaded: CounterSettings | null = null;

  constructor(private api: Api = defaultApi) {
    this.el = document.createElement('section');
    this.el.className = 'screen settings';
    setHtml(this.el, html`
      <h2>Thiết lập quầy</h2>
      <div class="banner" data-testid="settings-saved" role="status" hidden></div>
      <div class="banner error" data-testid="settings-error" role="alert" hidden></div>
      <form novalidate autocomplete="off">
        <label class="field"><span>Máy in</span>
          <select name="printer" data-testid="settings-printer" data-nav><option value="">(máy in mặc định của hệ thống)</option></select>
          <small class="muted" data-testid="printer-state"></small>
          <div class="error" data-testid="error-printer" hidden></div></label>
        <label class="field"><span>Khổ giấy tiếp nhận</span>
          <select name="receipt_paper" data-testid="settings-receipt_paper" data-nav>${PAPER_SIZES.map((p) => html`<option value="${p}">${p}</option>`)}</select>
          <div class="error" data-testid="error-receipt_paper" hidden></div></label>
        <label class="field"><span>Số liên giấy tiếp nhận</span>
          <input name="receipt_copies" data-testid="settings-receipt_copies" data-nav inputmode="numeric">
          <div class="error" data-testid="error-receipt_copies" hidden></div></label>
        <label class="field"><span>Tự khóa màn hình sau (phút không thao tác)</span>
          <input name="lock_after_minutes" data-testid="settings-lock_after_minutes" data-nav inputmode="numeric">
          <div class="error" data-testid="error-lock_after_minutes" hidden></div></label>
        <label class="field"><span>Gửi văn bản xin lỗi trước ngày hẹn ít nhất (ngày làm việc, 0–10)</span>
          <input name="apology_days_before_due" data-testid="settings-apology_days_before_due" data-nav inputmode="numeric">
          <div class="error" data-testid="error-apology_days_before_due" hidden></div></label>
        <label class="field"><span>Xóa bản lưu trên máy của tài liệu điện tử đã gửi lên Cổng sau (ngày, 0 = giữ mãi; khi cần sẽ tải lại từ Cổng)</span>
          <input name="documents_keep_days" data-testid="settings-documents_keep_days" data-nav inputmode="numeric">
          <div class="error" data-testid="error-documents_keep_days" hidden></div></label>
        <label class="field check"><input type="checkbox" name="print_on_intake" data-testid="settings-print_on_intake" data-nav> In giấy tiếp nhận ngay khi tiếp nhận xong</label>
        ${TEXT_FIELDS.map(([k, label, max]) => html`<label class="field wide"><span>${label}</span>
          <input name="${k}" data-testid="settings-${k}" data-nav maxlength="${max}"><div class="error" data-testid="error-${k}" hidden></div></label>`)}
        <button type="button" class="primary" data-testid="settings-save">Lưu thiết lập <span class="key">(Ctrl+Enter)</span></button>
      </form>
      <p class="diagnostics"><button type="button" data-testid="diagnostics-send">Gửi chẩn đoán</button>
        <span class="muted">Gửi nhật ký gần đây của máy này (không có dữ liệu cá nhân) lên Cổng cho cán bộ kỹ thuật.</span>
        <span data-testid="diagnostics-result" role="status"></span></p>`);
    const form = this.el.querySelector('form')!;
    form.addEventListener('keydown', (ev) => handleEnter(form, ev, () => void this.save()));
    form.addEventListener('submit', (ev) => ev.preventDefault());
    this.q('[data-testid="settings-save"]').addEventListener('click', () => void this.save());
    this.q('[data-testid="diagnostics-send"]').addEventListener('click', () => void this.sendDiagnostics());
    // the centre's unit: typing a name lists the matching units of the 2025 map with their codes
    const unit = this.input('unit_code');
    const hint = document.createElement('small');
    hint.className = 'muted';
    hint.dataset.testid = 'unit-hint';
    unit.after(hint);
    unit.addEventListener('input', () => {
      const q = unit.value.trim();
      if (!q) return void (hint.textContent = '');
      void this.api.unitsSearch(q).then(
        (us) => (hint.textContent = us.slice(0, 5).map((u) => `${u.code} ${u.name} (${u.province_name})`).join(' · ') || 'Không có đơn vị nào khớp'),
        () => (hint.textContent = ''),
      );
    });
    for (const k of NUMBER_FIELDS) {
      const input = this.input(k);
      input.addEventListener('input', () => {
        const digits = input.value.replace(/\D/g, '');
        if (digits !== input.value) input.value = digits;
      });
    }
  }

  private q<T extends HTMLElement = HTMLElement>(sel: string): T {
    return this.el.querySelector<T>(sel)!;
  }

  private input<T extends HTMLInputElement | HTMLSelectElement = HTMLInputElement>(name: string): T {
    return this.q<T>(`[name="${name}"]`);
  }

  focusFirst() {
    this.input<HTMLSelectElement>('printer').focus();
  }

  /** Loads the settings and the printers this machine has. */
  async load() {
    try {
      const s = await this.api.settingsGet();
      this.loaded = s;
      const select = this.input<HTMLSelectElement>('printer');
      let printers: Awaited<ReturnType<Api['printersList']>> = [];
      try {
        printers = await this.api.printersList();
      } catch (e) {
        this.q('[data-testid="printer-state"]').textContent = (e as AppError).message;
      }
      setHtml(select, html`<option value="">(máy in mặc định của hệ thống)</option>${
        printers.map((p) => html`<option value="${p.name}">${p.name}${p.is_default ? ' (mặc định)' : ''}${p.ready ? '' : ' — không sẵn sàng'}</option>`)}`);
      if (s.printer && !printers.some((p) => p.name === s.printer)) {
        appendHtml(select, html`<option value="${s.printer}">${s.printer} (không thấy trên máy này)</option>`);
      }
      select.value = s.printer;
      this.input<HTMLSelectElement>('receipt_paper').value = s.receipt_paper;
      this.input('receipt_copies').value = String(s.receipt_copies);
      this.input('print_on_intake').checked = s.print_on_intake;
      this.input('lock_after_minutes').value = String(s.lock_after_minutes);
      this.input('apology_days_before_due').value = String(s.apology_days_before_due);
      this.input('documents_keep_days').value = String(s.documents_keep_days);
      for (const [k] of TEXT_FIELDS) this.input(k).value = String(s[k] ?? '');
    } catch (e) {
      this.showError(e as AppError);
    }
  }

  read(): CounterSettings {
    const v = (k: string) => this.input(k).value.trim();
    // what this screen does not show goes back as loaded (the core's defaults before a load)
    const kept = this.loaded ?? DEFAULT_SETTINGS;
    return {
      supplement_clock: kept.supplement_clock,
      max_delays: kept.max_delays,
      code_template: kept.code_template,
      printer: this.input<HTMLSelectElement>('printer').value,
      receipt_paper: this.input<HTMLSelectElement>('receipt_paper').value as CounterSettings['receipt_paper'],
      receipt_copies: Number(v('receipt_copies').replace(/\D/g, '')),
      print_on_intake: this.input('print_on_intake').checked,
      lookup_url: v('lookup_url'),
      unit_name: v('unit_name'),
      parent_agency: v('parent_agency'),
      place_name: v('place_name'),
      head_title: v('head_title'),
      head_name: v('head_name'),
      counter_phone: v('counter_phone'),
      departments: v('departments'),
      unit_code: v('unit_code'),
      scanner_port: v('scanner_port'),
      lock_after_minutes: Number(v('lock_after_minutes').replace(/\D/g, '')),
      apology_days_before_due: Number(v('apology_days_before_due').replace(/\D/g, '')),
      documents_keep_days: Number(v('documents_keep_days').replace(/\D/g, '')),
    };
  }

  async save(): Promise<CounterSettings | null> {
    this.el.querySelectorAll<HTMLElement>('.error, [data-testid="settings-saved"]').forEach((e) => (e.hidden = true));
    const s = this.read();
    try {
      const saved = await this.api.settingsSave(s);
      const ok = this.q('[data-testid="settings-saved"]');
      ok.textContent = 'Đã lưu thiết lập.';
      ok.hidden = false;
      return saved;
    } catch (e) {
      this.showError(e as AppError);
      return null;
    }
  }

  private showError(err: AppError) {
    const slot = err.field ? this.el.querySelector<HTMLElement>(`[data-testid="error-${err.field}"]`) : null;
    const target = slot ?? this.q('[data-testid="settings-error"]');
    target.textContent = err.message;
    target.hidden = false;
    if (err.field) this.el.querySelector<HTMLElement>(`[name="${err.field}"]`)?.focus();
  }

  /** "Gửi chẩn đoán": the recent log and crash records to the portal, for the IT officer. */
  async sendDiagnostics() {
    const out = this.q('[data-testid="diagnostics-result"]');
    out.textContent = 'Đang gửi…';
    try {
      const id = await this.api.diagnosticsSend();
      out.textContent = `Đã gửi (số ${id} trên Cổng).`;
    } catch (e) {
      out.textContent = (e as AppError).message;
    }
  }
}
