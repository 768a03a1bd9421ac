// Vietnamese display of times, dates, money and deliveries (display only: every date a clerk types is
// read by the core). Times are RFC 3339 strings in Vietnam time ("2026-02-12T17:00:00+07:00"): their
// own fields are used, never the machine's time zone. Weekday names and labels come from the core.
import type { Delivery } from './bindings/Delivery';
import { DELIVERY_LABELS, WEEKDAYS_FROM_MONDAY } from './bindings/facts';

/** The fields of a date the core sent; the time is null for a date alone ("1985-05-12"). */
interface Parts { y: number; m: number; d: number; hh: number | null; mm: number | null }

/** The one date pattern of the UI (html.test.ts allows exactly this one): reads what the core wrote. */
export function parts(rfc3339: string): Parts | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(rfc3339);
  if (!m) return null;
  return { y: +m[1], m: +m[2], d: +m[3], hh: m[4] ? +m[4] : null, mm: m[5] ? +m[5] : null };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Weekday of a calendar date, 0 = Sunday (Sakamoto's method: independent of time zones). */
export function weekday(y: number, m: number, d: number): number {
  const t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
  if (m < 3) y -= 1;
  return (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + t[m - 1] + d) % 7;
}

/** "17:00 thứ Năm, 12/02/2026" */
export function formatDateTime(rfc3339: string): string {
  const p = parts(rfc3339);
  if (!p || p.hh === null || p.mm === null) return rfc3339;
  // WEEKDAYS_FROM_MONDAY[0] is Monday; weekday() counts from Sunday
  const name = WEEKDAYS_FROM_MONDAY[(weekday(p.y, p.m, p.d) + 6) % 7];
  return `${pad(p.hh)}:${pad(p.mm)} ${name}, ${pad(p.d)}/${pad(p.m)}/${p.y}`;
}

/** "12/02/2026", from a time or a stored date ("2026-02-12"); anything else is shown as it is. */
export function formatDate(rfc3339: string): string {
  const p = parts(rfc3339);
  return p ? `${pad(p.d)}/${pad(p.m)}/${p.y}` : rfc3339;
}

/** "1.000.000 đ" */
export function formatMoney(amount: number): string {
  const s = Math.round(amount).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${s} đ`;
}

/** A file's size: "850 kB", "1,2 MB" (1 kB = 1024 bytes; the decimal comma). */
export function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(bytes > 0 ? 1 : 0, Math.round(bytes / 1024))} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace('.', ',')} MB`;
}

/** "Tại quầy", "Qua bưu chính: <address>" (exhaustive: a new kind in the core fails to compile here). */
export function deliveryText(d: Delivery): string {
  switch (d.kind) {
    case 'counter':
      return DELIVERY_LABELS[d.kind];
    case 'post':
      return `${DELIVERY_LABELS[d.kind]}: ${d.address}`;
  }
}
