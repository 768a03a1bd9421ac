import { describe, expect, it, vi } from 'vitest';
import { handleEnter, navFields } from './keyboard';

function form() {
  document.body.innerHTML = `<form><input data-nav id="a"/><div hidden><input data-nav id="h"/></div>
    <input data-nav id="b" disabled/><select data-nav id="c"></select><input data-nav id="d"/></form>`;
  return document.querySelector('form')!;
}
const enter = (target: HTMLElement, ctrl = false) => {
  const ev = new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: ctrl, bubbles: true, cancelable: true });
  Object.defineProperty(ev, 'target', { value: target });
  return ev;
};

describe('Enter moves on, and submits on the last field', () => {
  it('skips hidden and disabled fields', () => {
    expect(navFields(form()).map((e) => e.id)).toEqual(['a', 'c', 'd']);
  });
  it('moves focus and submits at the end', () => {
    const f = form();
    const submit = vi.fn();
    const a = f.querySelector<HTMLElement>('#a')!;
    expect(handleEnter(f, enter(a), submit)).toBe(true);
    expect(document.activeElement?.id).toBe('c');
    expect(submit).not.toHaveBeenCalled();
    handleEnter(f, enter(f.querySelector<HTMLElement>('#d')!), submit);
    expect(submit).toHaveBeenCalledTimes(1);
  });
  it('Ctrl+Enter submits from anywhere', () => {
    const f = form();
    const submit = vi.fn();
    handleEnter(f, enter(f.querySelector<HTMLElement>('#a')!, true), submit);
    expect(submit).toHaveBeenCalledTimes(1);
  });
});
