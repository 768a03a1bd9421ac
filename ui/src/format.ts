// Vietnamese display of times, dates and money (display only: every date a clerk types is read by
// the core). Times are RFC 3339 strings in Vietnam time ("2026-02-12T17:00:00+07:00"): their own
// fields are used, never the machine's time zone. Weekday names come from the core.
import { WEEKDAYS_FROM_MONDAY } from './bindings/facts';

interface Parts { y: number; m: number; d: number; hh: number; mm: number }

export function parts(rfc3339: string): Parts | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(rfc3339);
  if (!m) return null;
  return { y: +m[1], m: +m[2], d: +m[3], hh: +m[4], mm: +m[5] };
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
  if (!p) return rfc3339;
  // WEEKDAYS_FROM_MONDAY[0] is Monday; weekday() counts from Sunday
  const name = WEEKDAYS_FROM_MONDAY[(weekday(p.y, p.m, p.d) + 6) % 7];
  return `${pad(p.hh)}:${pad(p.mm)} ${name}, ${pad(p.d)}/${pad(p.m)}/${p.y}`;
}

/** "12/02/2026" */
export function formatDate(rfc3339: string): string {
  const p = parts(rfc3339);
  return p ? `${pad(p.d)}/${pad(p.m)}/${p.y}` : rfc3339;
}

/** "1.000.000 đ" */
export function formatMoney(amount: number): string {
  const s = Math.round(amount).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${s} đ`;
}

/** A stored YYYY-MM-DD date → dd/mm/yyyy (display). */
export function isoToDmy(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}
