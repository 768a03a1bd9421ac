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
  return t.length > 13 && t.charAt(12) === '|' && [...t.slice(0, 12)].every((c) => c >= '0' && c <= '9');
}

type Burst = { target: HTMLInputElement | HTMLTextAreaElement | null; before: string; text: string; last: number };

/**
 * Watches keystrokes under `root` for a keyboard-wedge scan. The characters still reach the focused
 * field as they come (a person typing is never slowed); when Enter ends a burst that is a card
 * string, the field gets back what it held before the burst, the Enter is swallowed, and `onScan`
 * gets the string. A checkbox or button that had focus loses nothing either: the burst is collected
 * from the key events, not from the field.
 */
export class WedgeDetector {
  private burst: Burst | null = null;

  constructor(
    root: HTMLElement,
    private onScan: (text: string) => void,
    private now: () => number = () => performance.now(),
  ) {
    root.addEventListener('keydown', (ev) => this.key(ev), true);
  }

  private key(ev: KeyboardEvent) {
    const t = this.now();
    if (ev.key === 'Enter') {
      const b = this.burst;
      this.burst = null;
      if (b && t - b.last < BURST_GAP_MS && looksLikeCard(b.text)) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
        if (b.target) {
          b.target.value = b.before;
          b.target.dispatchEvent(new Event('input', { bubbles: true }));
        }
        this.onScan(b.text);
      }
      return;
    }
    if (ev.key.length !== 1 || ev.ctrlKey || ev.altKey || ev.metaKey) return;
    if (!this.burst || t - this.burst.last > BURST_GAP_MS) {
      const el = ev.target as HTMLElement;
      const field = el instanceof HTMLInputElement && el.type !== 'checkbox' ? el : el instanceof HTMLTextAreaElement ? el : null;
      this.burst = { target: field, before: field?.value ?? '', text: '', last: t };
    }
    this.burst.text += ev.key;
    this.burst.last = t;
    // once it is clearly a card string, it goes nowhere else (the name field never holds half of it)
    if (looksLikeCard(this.burst.text)) {
      ev.preventDefault();
      if (this.burst.target) this.burst.target.value = this.burst.before;
    }
  }
}

/** Reads an image file or a pasted image into bytes for the shell. */
export async function imageBytes(blob: Blob): Promise<number[]> {
  return Array.from(new Uint8Array(await blob.arrayBuffer()));
}
