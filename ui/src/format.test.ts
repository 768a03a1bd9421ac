import { describe, expect, it } from 'vitest';
import { WEEKDAYS_FROM_MONDAY } from './bindings/facts';
import { deliveryText, formatDate, formatDateTime, formatMoney, formatSize, weekday } from './format';

describe('format', () => {
  it('formats appointments in Vietnamese from the string itself', () => {
    expect(formatDateTime('2026-02-12T17:00:00+07:00')).toBe('17:00 thứ Năm, 12/02/2026');
    expect(formatDateTime('2026-02-22T07:05:00+07:00')).toBe('07:05 Chủ nhật, 22/02/2026');
    expect(formatDateTime('2026-11-23T09:32:00+07:00')).toBe('09:32 thứ Hai, 23/11/2026');
    expect(formatDate('2024-05-04T10:00:00+07:00')).toBe('04/05/2024');
  });
  it('names every weekday, thứ Hai to Chủ nhật (9–15 Feb 2026 is Monday to Sunday)', () => {
    const names = [9, 10, 11, 12, 13, 14, 15].map((d) => formatDateTime(`2026-02-${String(d).padStart(2, "0")}T08:00:00+07:00`).replace(/^08:00 (.*), .*$/, '$1'));
    expect(names).toEqual(['thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy', 'Chủ nhật']);
    // the names are the core's (Monday first), mapped from weekday()'s Sunday-first count
    expect(names).toEqual([...WEEKDAYS_FROM_MONDAY]);
  });
  it('reads the string\'s own fields, whatever the machine\'s time zone', () => {
    // 23:30 in Vietnam is already the next day in UTC, and still the day before in the Americas
    expect(formatDateTime('2026-02-12T23:30:00+07:00')).toBe('23:30 thứ Năm, 12/02/2026');
    expect(formatDateTime('2026-02-13T00:15:00+07:00')).toBe('00:15 thứ Sáu, 13/02/2026');
    expect(formatDate('2026-01-01T00:00:00+07:00')).toBe('01/01/2026');
    expect(formatDateTime('không phải ngày')).toBe('không phải ngày');
  });
  it('knows weekdays', () => {
    expect(weekday(2024, 5, 4)).toBe(6); // Saturday (a swapped working day)
    expect(weekday(2000, 1, 1)).toBe(6);
  });
  it('formats money with dots', () => {
    expect(formatMoney(0)).toBe('0 đ');
    expect(formatMoney(2000)).toBe('2.000 đ');
    expect(formatMoney(1000000)).toBe('1.000.000 đ');
  });
  it('shows a stored YYYY-MM-DD date as dd/mm/yyyy (typed dates are read by the core)', () => {
    expect(formatDate('1990-03-05')).toBe('05/03/1990');
    expect(formatDate('05/03/1990')).toBe('05/03/1990');
    // a date alone has no time to show
    expect(formatDateTime('1990-03-05')).toBe('1990-03-05');
  });
  it('names the delivery with the core\'s label, and the address when sent by post', () => {
    expect(deliveryText({ kind: 'counter' })).toBe('Tại quầy');
    expect(deliveryText({ kind: 'post', address: 'Số 2 Tràng Tiền' })).toBe('Qua bưu chính: Số 2 Tràng Tiền');
  });
  it('formats file sizes in kB and MB with the decimal comma', () => {
    expect(formatSize(0)).toBe('0 kB');
    expect(formatSize(300)).toBe('1 kB');
    expect(formatSize(870_400)).toBe('850 kB');
    expect(formatSize(1_258_291)).toBe('1,2 MB');
    expect(formatSize(40 * 1024 * 1024)).toBe('40,0 MB');
  });
});
