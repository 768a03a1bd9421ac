import { beforeEach, describe, expect, it, vi } from 'vitest';
import { WedgeDetector, looksLikeCard } from './card';
import { cardText } from './test-data';

/**
 * Types `text` then Enter into the focused element as a keyboard does: each keydown first, then (unless
 * a handler prevented it) what the browser would do, a character added to a text field or Space
 * toggling a checkbox. The clock moves `gapMs` before each key. Returns whether Enter was prevented.
 */
function typeKeys(clock: { t: number }, text: string, gapMs: number, enter = true): boolean {
  for (const ch of text) {
    clock.t += gapMs;
    const el = document.activeElement as HTMLElement;
    const ev = new KeyboardEvent('keydown', { key: ch, bubbles: true, cancelable: true });
    if (!el.dispatchEvent(ev)) continue;
    // the browser's default action, on the element that has focus now
    const now = document.activeElement;
    if (now instanceof HTMLInputElement && now.type === 'checkbox') {
      if (ch === ' ') now.checked = !now.checked;
    } else if (now instanceof HTMLInputElement || now instanceof HTMLTextAreaElement) {
      now.value += ch;
      now.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }
  if (!enter) return false;
  clock.t += gapMs;
  const ev = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
  return !(document.activeElement as HTMLElement).dispatchEvent(ev);
}

describe('looksLikeCard', () => {
  it('tells a card\'s QR string (12 digits then |) from anything else a scanner or a person types', () => {
    expect(looksLikeCard(cardText())).toBe(true);
    expect(looksLikeCard(`\uFEFF${cardText()}`)).toBe(true);
    expect(looksLikeCard(`  ${cardText()}`)).toBe(true);
    // the start is enough: 12 digits and the bar
    expect(looksLikeCard('001090012345|')).toBe(true);
    expect(looksLikeCard('001090012345')).toBe(false);
    expect(looksLikeCard('001090012345 |')).toBe(false);
    expect(looksLikeCard('000.00.31.H26-260212-0001')).toBe(false);
    expect(looksLikeCard('001090012345')).toBe(false);
    expect(looksLikeCard('00109001234|5|NGUYỄN')).toBe(false); // 11 digits
    expect(looksLikeCard('0010900123a5|123|X')).toBe(false);
    expect(looksLikeCard('Nguyễn Văn An')).toBe(false);
  });
});

describe('WedgeDetector', () => {
  let root: HTMLElement;
  let name: HTMLInputElement;
  let box: HTMLInputElement;
  let clock: { t: number };
  let scans: string[];
  /** Keys that reached the form's own handlers (Enter would move on or submit there). */
  let reached: string[];

  beforeEach(() => {
    document.body.innerHTML = '';
    root = document.createElement('section');
    root.innerHTML = '<form><input name="full_name" /><input type="checkbox" name="doc" /></form>';
    document.body.append(root);
    name = root.querySelector('[name="full_name"]')!;
    box = root.querySelector('[name="doc"]')!;
    clock = { t: 1000 };
    scans = [];
    reached = [];
    new WedgeDetector(root, (t) => scans.push(t), () => clock.t);
    root.querySelector('form')!.addEventListener('keydown', (ev) => reached.push(ev.key));
  });

  it('a burst of fast keys ending in Enter typed into the name field is a scan: the field gets back what it held, the Enter is swallowed', () => {
    name.value = 'Trần';
    name.focus();
    const inputs = vi.fn();
    name.addEventListener('input', inputs);
    const text = cardText();
    typeKeys(clock, text, 8, false);
    // once the keys are clearly a card's, they go nowhere: the name field never holds the string
    expect(name.value).toBe('Trần');
    inputs.mockClear();
    const swallowed = typeKeys(clock, '', 8);
    expect(swallowed).toBe(true);
    expect(scans).toEqual([text]);
    expect(name.value).toBe('Trần');
    // the field says it changed back (listeners see the restored value)
    expect(inputs).toHaveBeenCalledTimes(1);
    // the form never saw that Enter (it would have moved on or submitted)
    expect(reached).not.toContain('Enter');
  });

  it('a person typing, however fast, is not a scan; nor is a card string typed slowly', () => {
    name.focus();
    expect(typeKeys(clock, 'Nguyễn Văn An', 20)).toBe(false);
    expect(name.value).toBe('Nguyễn Văn An');
    expect(reached).toContain('Enter');
    name.value = '';
    reached.length = 0;
    // 300 ms a key: every key is a burst of its own
    expect(typeKeys(clock, '001090012345|123456789|NGUYEN', 300)).toBe(false);
    expect(name.value).toBe('001090012345|123456789|NGUYEN');
    expect(reached).toContain('Enter');
    expect(scans).toEqual([]);
  });

  it('an Enter that comes long after the burst is the clerk\'s own: not taken as a scan', () => {
    name.focus();
    typeKeys(clock, cardText(), 8, false);
    clock.t += 2000;
    const ev = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    expect(name.dispatchEvent(ev)).toBe(true);
    expect(scans).toEqual([]);
    expect(reached).toContain('Enter');
  });

  it('a burst on a checkbox: the scan is taken, the box is not toggled by the name\'s spaces, the Enter is swallowed', () => {
    box.focus();
    const text = cardText();
    expect(text.includes(' ')).toBe(true);
    expect(typeKeys(clock, text, 8)).toBe(true);
    expect(scans).toEqual([text]);
    expect(box.checked).toBe(false);
    expect(name.value).toBe('');
    expect(reached).not.toContain('Enter');
  });

  it('a card that comes right after the clerk\'s own keys: only the card string is the scan, the clerk\'s keys stay', () => {
    name.value = 'Tr';
    name.focus();
    typeKeys(clock, 'ần', 30, false);
    expect(name.value).toBe('Trần');
    const text = cardText();
    expect(typeKeys(clock, text, 8)).toBe(true);
    expect(scans).toEqual([text]);
    expect(name.value).toBe('Trần');
  });

  it('two scans in a row are two scans; a modifier chord in the middle is not part of the string', () => {
    name.focus();
    typeKeys(clock, cardText('001090012345'), 5);
    clock.t += 1000;
    name.dispatchEvent(new KeyboardEvent('keydown', { key: 'Shift', bubbles: true }));
    typeKeys(clock, cardText('079085000123', 'TRẦN THỊ BÍCH'), 5);
    expect(scans).toEqual([cardText('001090012345'), cardText('079085000123', 'TRẦN THỊ BÍCH')]);
    expect(name.value).toBe('');
  });
});
