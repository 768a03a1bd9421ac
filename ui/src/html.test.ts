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

// What the source guard below looks for (checked on samples first, so a pattern that silently
// stopped matching fails too).

/** A label table: a top-level const `: Record<…, string> = {`, or a top-level const object whose values are Vietnamese words. */
function labelTables(text: string): string[] {
  const found = [...text.matchAll(/^(?:export\s+)?const\s+(\w+)\s*:\s*Record<[^>]+,\s*string>\s*=\s*\{/gm)].map((m) => m[1]);
  // the object's body: the rest of its line when it closes there, else up to a line starting with }
  for (const m of text.matchAll(/^(?:export\s+)?const\s+(\w+)[^=\n]*=\s*\{(.*\}[ \t]*;?[ \t]*$|[\s\S]*?^\})/gm)) {
    if (/:\s*(['"`])[^'"`\n]*[đĐ\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01B0\u1EA0-\u1EF9]/.test(m[2])) found.push(m[1]);
  }
  return found;
}

/** Reading or making dates: a digit pattern next to a date separator, or the machine's clock and calendar. */
const DATE_CODE =
  /\\d(?:\{\d(?:,\d)?\}|\+)\)?\s*(?:\[[^\]]*[/.\-T ][^\]]*\]|\\[/.]|[-/.:T])|new Date\(|Date\.parse\(|\.get(?:UTC)?(?:FullYear|Month|Date|Day|Hours|Minutes)\(|Intl\.DateTimeFormat|toLocale(?:Date|Time)String/;

/**
 * format.ts may keep exactly this pattern, once: it reads the fields of the RFC 3339 times and stored
 * dates the core sends, for display only (the machine's time zone never enters). A date a clerk types
 * is never read here: it goes to the core as typed.
 */
const FORMAT_PARTS_PATTERN = String.raw`/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/`;

/** A decision on a delivery, return or work-list kind by comparing it, or a hand-made list of kinds or paper sizes (the core's lists are in facts). */
const KIND_CODE =
  /[!=]==?\s*['"](?:counter|post|applicant|authorised|overdue|due_today|due_soon|waiting_supplement|ready_to_collect)['"]|['"](?:counter|post|applicant|authorised|overdue|due_today)['"]\s*[!=]==?|\[\s*['"](?:counter|post|applicant|authorised|A4|A5)['"]\s*,|<option value="(?:counter|post|applicant|authorised|A4|A5)"/;

describe('the source guard\'s patterns', () => {
  it('find label tables, date code and kind decisions in samples, and pass plain code', () => {
    expect(labelTables(`const L: Record<Delivery['kind'], string> = { counter: 'x' };`)).toEqual(['L']);
    // a map built inside a function is no table
    expect(labelTables(`  values() {\n    const out: Record<string, string> = {};\n  }\n`)).toEqual([]);
    expect(labelTables(`export const NAMES = {\n  post: 'Qua bưu chính',\n};\n`)).toEqual(['NAMES']);
    expect(labelTables(`const SHORT = { post: 'Bưu điện' };\n`)).toEqual(['SHORT']);
    // a one-line map of ids is not read on into the Vietnamese code after it
    expect(labelTables(`const STEP_OF = { handover: 'hand_over' };\nclass A {\n  t = { x: 'Bàn giao' };\n}\n`)).toEqual([]);
    expect(labelTables(`const TEST_IDS: Partial<Record<Step, string>> = { request_supplement: 'supplement' };\nconst o = {\n  a: 'b',\n};\n`)).toEqual([]);
    for (const bad of [String.raw`/(\d{1,2})[/.-](\d{1,2})/`, String.raw`/^(\d{2})\/(\d{2})\/(\d{4})$/`, String.raw`/(\d{4})-(\d{2})/`, 'new Date()', 'd.getFullYear()', 'Date.parse(s)']) {
      expect(bad, bad).toMatch(DATE_CODE);
    }
    for (const ok of [String.raw`/\B(?=(\d{3})+(?!\d))/g`, String.raw`.replace(/\D/g, '')`, 'Date.now()']) expect(ok, ok).not.toMatch(DATE_CODE);
    expect(FORMAT_PARTS_PATTERN).toMatch(DATE_CODE);
    for (const bad of [`d.delivery.kind === 'post'`, `how !== 'post'`, `'applicant' === k`, `(['counter', 'post'] as const)`, `l === 'overdue'`, `['A5', 'A4']`, `<option value="A5">A5</option>`]) {
      expect(bad, bad).toMatch(KIND_CODE);
    }
    for (const ok of [`case 'post':`, `return 'applicant';`, `err.field === 'to'`, `work.show(WORK_LISTS[0])`]) expect(ok, ok).not.toMatch(KIND_CODE);
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

  it('no code outside the bindings keeps a label table (labels come from bindings/facts or the core\'s views)', () => {
    for (const [file, text] of Object.entries(sources)) {
      expect(labelTables(text), file).toEqual([]);
    }
  });

  it('no code reads, makes or takes today\'s date itself (the core reads typed dates; today comes with the dashboard)', () => {
    for (const [file, text] of Object.entries(sources)) {
      let rest = text;
      if (file === './format.ts') {
        // exactly the one display-only pattern documented at FORMAT_PARTS_PATTERN, once
        expect(text.split(FORMAT_PARTS_PATTERN), file).toHaveLength(2);
        rest = text.replace(FORMAT_PARTS_PATTERN, '');
      }
      expect(rest, file).not.toMatch(DATE_CODE);
    }
  });

  it('no code decides by comparing delivery, return or work-list kinds (an exhaustive switch over the type may render them)', () => {
    for (const [file, text] of Object.entries(sources)) {
      expect(text, file).not.toMatch(KIND_CODE);
    }
  });
});
