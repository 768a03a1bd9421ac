import { describe, expect, it } from 'vitest';
import { appendHtml, html, join, SafeHtml, setHtml } from './html';

const hostile = '<img src=x onerror=alert(1)>';

describe('html templates escape by construction', () => {
  it('escapes interpolated text, leaves the template\'s own markup', () => {
    const h = html`<span class="name">${hostile}</span>`;
    expect(String(h)).toBe('<span class="name">&#60;img src=x onerror=alert(1)&#62;</span>');
    const el = document.createElement('div');
    setHtml(el, h);
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('.name')!.textContent).toBe(hostile);
  });

  it('keeps quoted attributes closed whatever the value', () => {
    const value = `x" onmouseover="alert(1)' data-x='y`;
    const el = document.createElement('div');
    setHtml(el, html`<span title="${value}" data-v='${value}'>t</span>`);
    const span = el.querySelector('span')!;
    expect(span.getAttribute('title')).toBe(value);
    expect(span.getAttribute('data-v')).toBe(value);
    expect(span.hasAttribute('onmouseover')).toBe(false);
    expect(span.attributes).toHaveLength(2);
  });

  it('escapes &, so entities typed by a clerk stay text', () => {
    const el = document.createElement('p');
    setHtml(el, html`${'&lt;b&gt; & &#60;'}`);
    expect(el.textContent).toBe('&lt;b&gt; & &#60;');
  });

  it('nests SafeHtml as markup and joins arrays, escaping every text at every depth', () => {
    const rows = ['a<b', hostile].map((t, i) => html`<li data-i="${i}">${t}</li>`);
    const nested = html`<ul>${rows}${[[html`<li>${'"deep"'}</li>`, ['<i>x</i>']]]}</ul>`;
    const el = document.createElement('div');
    setHtml(el, nested);
    const items = [...el.querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual(['a<b', hostile, '"deep"']);
    expect(el.querySelector('img, i')).toBeNull();
    expect(el.querySelector('ul')!.textContent).toContain('<i>x</i>');
  });

  it('renders numbers, and nothing for null, undefined and false (conditionals)', () => {
    const on = false;
    expect(String(html`<b>${0}${1.5}${null}${undefined}${on && html`<i>no</i>`}</b>`)).toBe('<b>01.5</b>');
  });

  it('join puts markup between escaped items', () => {
    expect(String(join(['<a>', html`<b>b</b>`], html`<br>`))).toBe('&#60;a&#62;<br><b>b</b>');
  });

  it('SafeHtml cannot be made from a string, nor html called without a template', () => {
    expect(() => new SafeHtml(Symbol('SafeHtml'), hostile)).toThrow();
    const fake = Object.assign([hostile], { raw: [hostile] }) as unknown as TemplateStringsArray;
    expect(() => html(fake)).toThrow();
  });

  it('appendHtml adds after what is there', () => {
    const sel = document.createElement('select');
    setHtml(sel, html`<option value="a">A</option>`);
    appendHtml(sel, html`<option value="${'b" selected="selected'}">${hostile}</option>`);
    expect([...sel.options].map((o) => o.value)).toEqual(['a', 'b" selected="selected']);
    expect(sel.options[1].text).toBe(hostile);
  });
});

describe('no markup is written by hand in ui/src', () => {
  // every file but the tests and the generated bindings
  const sources = import.meta.glob(['./*.ts', '!./*.test.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

  it('only html.ts touches innerHTML or insertAdjacentHTML; nothing escapes by hand', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    for (const [file, text] of Object.entries(sources)) {
      if (file === './html.ts') continue;
      expect(text, file).not.toMatch(/\.innerHTML\b|\.outerHTML\s*=|insertAdjacentHTML|document\.write/);
      expect(text, file).not.toMatch(/\besc\(/);
    }
  });

  it('no code reads an error\'s message to decide something', () => {
    for (const [file, text] of Object.entries(sources)) {
      expect(text, file).not.toMatch(/\.test\(\s*\w*\.?message|message\)?\.(includes|match|startsWith|endsWith|search)\(|\.message\s*===?/);
    }
  });

  it('no code outside the bindings keeps a status table or compares statuses', () => {
    for (const [file, text] of Object.entries(sources)) {
      if (file === './test-data.ts') continue;
      expect(text, file).not.toMatch(/Record<DossierStatus|\.status\s*[!=]==|status\s*===\s*'|DossierStatus\[\]/);
    }
  });
});
