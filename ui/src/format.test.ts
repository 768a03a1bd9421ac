import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatMoney, isoToDmy, parseDmy, weekday } from './format';

describe('format', () => {
  it('formats appointments in Vietnamese from the string itself', () => {
    expect(formatDateTime('2026-02-12T17:00:00+07:00')).toBe('17:00 thứ Năm, 12/02/2026');
    expect(formatDateTime('2026-02-22T07:05:00+07:00')).toBe('07:05 Chủ nhật, 22/02/2026');
    expect(formatDateTime('2026-11-23T09:32:00+07:00')).toBe('09:32 thứ Hai, 23/11/2026');
    expect(formatDate('2024-05-04T10:00:00+07:00')).toBe('04/05/2024');
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
  it('parses dd/mm/yyyy and refuses impossible dates', () => {
    expect(parseDmy('05/03/1990')).toBe('1990-03-05');
    expect(parseDmy('5/3/1990')).toBe('1990-03-05');
    expect(parseDmy('05031990')).toBe('1990-03-05');
    expect(parseDmy('29/02/2024')).toBe('2024-02-29');
    expect(parseDmy('29/02/2023')).toBeNull();
    expect(parseDmy('31/02/1990')).toBeNull();
    expect(parseDmy('1990-03-05')).toBeNull();
    expect(isoToDmy('1990-03-05')).toBe('05/03/1990');
  });
});
