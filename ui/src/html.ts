// Markup that is escaped by construction: `html` is a tagged template whose interpolations are
// escaped as text unless they are SafeHtml themselves (made by `html`), and arrays of them are
// joined. `setHtml` is the one way markup reaches the page, so no screen escapes by hand and a value
// that forgets to be escaped cannot exist. Attribute values must be quoted ("${v}"), as they are.

const MADE_HERE = Symbol('SafeHtml');

/** Markup made by `html`: its text parts came from the source code, its values were escaped. */
export class SafeHtml {
  readonly #markup: string;

  /** Only this module makes one (`html`, `join`). */
  constructor(token: symbol, markup: string) {
    if (token !== MADE_HERE) throw new TypeError('SafeHtml is made by html`…` only');
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

const trusted = (markup: string) => new SafeHtml(MADE_HERE, markup);

/** What may be interpolated: text (escaped), numbers, SafeHtml, lists of these; null, undefined and false give nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const escapeText = (s: string) => s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.toString();
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeText(String(v));
}

/** html`<td>${name}</td>`: `name` is escaped unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  // only a template literal's own parts are markup (a plain array passed as `strings` is refused)
  if (!Array.isArray(strings.raw) || !Object.isFrozen(strings)) throw new TypeError('html is a tagged template');
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return trusted(out);
}

/** The items with `sep` between them. */
export function join(items: readonly HtmlValue[], sep: SafeHtml): SafeHtml {
  return trusted(items.map(render).join(sep.toString()));
}

/** Replaces the element's content with the markup. */
export function setHtml(el: Element, markup: SafeHtml): void {
  el.innerHTML = markup.toString();
}

/** Appends the markup at the end of the element's content. */
export function appendHtml(el: Element, markup: SafeHtml): void {
  el.insertAdjacentHTML('beforeend', markup.toString());
}
