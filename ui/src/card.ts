// The citizen's card at the counter, from every way a scanner talks: a keyboard-wedge (HID) scanner
// types the card's QR string as fast keystrokes ending in Enter into whatever field has focus; a
// scanner in USB COM mode sends it over the serial port (the shell pushes it as the `scan` event);
// a picture of the card (a file, or an image pasted with Ctrl+V) is decoded by the shell. What the
// card says, whether it is consistent, and the address's current form are the core's answer
// (CardReading); this module only routes the keystrokes and shows that answer.

/** Keys further apart than this start a new burst (a person typing). */
const BURST_GAP_MS = 250;

/**
 * Whether text is a card's QR string (12 digits then `|`): how a burst of keystrokes is told from
 * typing. Only routing: the core reads and judges the string (card::parse).
 */
export function looksLikeCard(text: string): boolean {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  return t.length >= 13 && t.charAt(12) === '|' && [...t.slice(0, 12)].every((c) => c >= '0' && c <= '9');
}

/** The text field a key lands in, if any (a checkbox or a button holds no text). */
function textField(el: EventTarget | null): HTMLInputElement | HTMLTextAreaElement | null {
  return el instanceof HTMLInputElement && el.type !== 'checkbox' ? el : el instanceof HTMLTextAreaElement ? el : null;
}

type Burst = {
  target: HTMLInputElement | HTMLTextAreaElement | null;
  /** The field's value before each key of the burst. */
  before: string[];
  text: string;
  last: number;
  /** Where the card string starts in `text`, once seen (a clerk may have typed just before). */
  start: number | null;
};

/**
 * Watches keystrokes under `root` for a keyboard-wedge scan. The characters still reach the focused
 * field as they come (a person typing is never slowed); as soon as the burst holds a card string's
 * start (12 digits and `|`) the rest goes nowhere, and when Enter ends it the field gets back what it
 * held before the card began, the Enter is swallowed, and `onScan` gets the string. A checkbox or
 * button that had focus loses nothing either: the burst is collected from the key events.
 */
export class WedgeDetector {
  private burst: Burst | null = null;
  /** Ends a card string whose scanner sends no Enter after it (a short silence ends it instead). */
  private idle: ReturnType<typeof setTimeout> | null = null;

  constructor(
    root: HTMLElement,
    private onScan: (text: string) => void,
    private now: () => number = () => performance.now(),
  ) {
    root.addEventListener('keydown', (ev) => this.key(ev), true);
  }

  private restore(b: Burst) {
    if (!b.target || b.start === null) return;
    b.target.value = b.before[b.start] ?? '';
    b.target.dispatchEvent(new Event('input', { bubbles: true }));
  }

  /** The card string of the burst, handed on once. */
  private finish(b: Burst) {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (this.burst === b) this.burst = null;
    this.restore(b);
    this.onScan(b.text.slice(b.start ?? 0));
  }

  private key(ev: KeyboardEvent) {
    const t = this.now();
    if (ev.key === 'Enter') {
      const b = this.burst;
      this.burst = null;
      if (this.idle) clearTimeout(this.idle);
      this.idle = null;
      if (b && b.start !== null && t - b.last < BURST_GAP_MS) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
        this.finish(b);
      }
      return;
    }
    if (ev.key.length !== 1 || ev.ctrlKey || ev.altKey || ev.metaKey) return;
    if (!this.burst || t - this.burst.last > BURST_GAP_MS) {
      this.burst = { target: textField(ev.target), before: [], text: '', last: t, start: null };
    }
    const b = this.burst;
    // a burst that began on a checkbox whose first key the screen moved into a field (the intake's
    // checklist sends typed text to the first empty field): that field is the one to give back
    b.target ??= textField(ev.target);
    b.before.push(b.target?.value ?? '');
    b.text += ev.key;
    b.last = t;
    if (b.start === null && ev.key === '|' && b.text.length >= 13 && looksLikeCard(b.text.slice(-13))) {
      b.start = b.text.length - 13;
      this.restore(b);
    }
    // a card string goes nowhere else (the name field never holds half of it)
    if (b.start !== null) {
      ev.preventDefault();
      if (this.idle) clearTimeout(this.idle);
      this.idle = setTimeout(() => this.burst === b && this.finish(b), BURST_GAP_MS * 2);
    }
  }
}

/** Reads an image file or a pasted image into bytes for the shell. */
export async function imageBytes(blob: Blob): Promise<number[]> {
  return Array.from(new Uint8Array(await blob.arrayBuffer()));
}
