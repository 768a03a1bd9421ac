// The screens of the counter window, one entry each: its id, its tab (label and key), the screen
// itself and what opening it does. The tabs, the keys and the switching are drawn from the list; a
// new screen is a new entry.
import type { PrintActions } from './printing';
import { html, setHtml } from './html';

/** What a screen offers the window. */
export interface Screen {
  readonly el: HTMLElement;
  focusFirst(): void;
  /** The print buttons of the dossier on screen, if any (Ctrl+P reprints its receipt, or a contact's slip). */
  readonly printActions?: PrintActions | null;
}

export interface ScreenEntry {
  /** Also the tab's data-screen and data-testid (`tab-${id}`). */
  id: string;
  label: string;
  /** The function key that opens it ("F2"). */
  key: string;
  screen: Screen;
  /** What opening it by its tab or key does; focusing its first field when not given. */
  enter?: () => void | Promise<void>;
}

export class Screens {
  private current: ScreenEntry;
  private readonly nav: HTMLElement;

  constructor(
    private readonly entries: readonly ScreenEntry[],
    nav: HTMLElement,
    main: HTMLElement,
  ) {
    if (!entries.length) throw new Error('no screen');
    this.current = entries[0];
    setHtml(nav, html`${entries.map((e) => html`<button type="button" data-screen="${e.id}" data-testid="tab-${e.id}">${e.label} <span class="key">(${e.key})</span></button>`)}`);
    nav.querySelectorAll<HTMLElement>('button[data-screen]').forEach((b) => b.addEventListener('click', () => this.open(b.dataset.screen!)));
    this.nav = nav;
    main.append(...entries.map((e) => e.screen.el));
  }

  /** The screen shown now. */
  get shown(): ScreenEntry {
    return this.current;
  }

  private entry(id: string): ScreenEntry {
    const e = this.entries.find((x) => x.id === id);
    if (!e) throw new Error(`no screen ${id}`);
    return e;
  }

  /** Shows a screen without entering it (the caller then opens something in it). */
  show(id: string): ScreenEntry {
    const e = this.entry(id);
    this.current = e;
    for (const x of this.entries) x.screen.el.hidden = x !== e;
    this.nav.querySelectorAll<HTMLElement>('button[data-screen]').forEach((b) => b.classList.toggle('active', b.dataset.screen === id));
    return e;
  }

  /** Shows a screen and enters it, as its tab or key does. */
  open(id: string) {
    const e = this.show(id);
    if (e.enter) void e.enter();
    else e.screen.focusFirst();
  }

  /** Handles a function key; true when it opened a screen. */
  key(ev: KeyboardEvent): boolean {
    const e = this.entries.find((x) => x.key === ev.key);
    if (!e) return false;
    ev.preventDefault();
    this.open(e.id);
    return true;
  }
}
