// Measuring and wrapping text by terminal cells. Wide characters (CJK,
// emoji) take two cells, combining marks none; string-width decides, one
// grapheme at a time, with a cache since chat text repeats its characters.
// It must be the string-width Ink lays out with (package.json asks for Ink's
// major, so npm gives both one copy): versions disagree on symbols like ✔ ☺ ⚠,
// and lines measured by another version wrap at a width Ink does not draw.

import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const PRINTABLE_ASCII_RE = /^[\x20-\x7e]*$/;
const widthCache = new Map<string, number>();

/** Cells one grapheme takes on a terminal. */
export function graphemeWidth(g: string): number {
  if (g.length === 1) {
    const c = g.charCodeAt(0);
    if (c >= 0x20 && c < 0x7f) return 1;
  }
  let w = widthCache.get(g);
  if (w === undefined) {
    w = stringWidth(g);
    if (widthCache.size > 20_000) widthCache.clear();
    widthCache.set(g, w);
  }
  return w;
}

/** Splits text into graphemes. */
export function graphemes(text: string): string[] {
  if (PRINTABLE_ASCII_RE.test(text)) return text.split('');
  const out: string[] = [];
  for (const s of segmenter.segment(text)) out.push(s.segment);
  return out;
}

const runsCache = new Map<string, string[]>();

/**
 * Text cut into runs of printable ASCII and runs of everything else, for
 * drawing each as its own Ink Text: Ink measures every Text on every frame,
 * slowly when it holds anything but ASCII, so mostly-ASCII rows stay cheap.
 * Cuts fall between grapheme clusters only: a run holding just the combining
 * marks of the letter before it measures zero cells, and Ink draws the next
 * run over it (`Cafe` + U+0301 would show as `Cafe`). Text with more than
 * `maxRuns` runs stays whole (the extra layout nodes would cost more).
 */
export function textRuns(text: string, maxRuns = 7): string[] {
  if (PRINTABLE_ASCII_RE.test(text)) return [text];
  let runs = runsCache.get(text);
  if (runs) return runs;
  runs = [];
  let run = '';
  let ascii = false;
  for (const g of graphemes(text)) {
    const c = g.charCodeAt(0);
    const a = g.length === 1 && c >= 0x20 && c < 0x7f;
    if (run !== '' && a !== ascii) {
      runs.push(run);
      run = '';
    }
    run += g;
    ascii = a;
  }
  runs.push(run);
  if (runs.length > maxRuns) runs = [text];
  if (runsCache.size > 5_000) runsCache.clear();
  runsCache.set(text, runs);
  return runs;
}

/** Cells a string takes on a terminal. */
export function textWidth(text: string): number {
  if (PRINTABLE_ASCII_RE.test(text)) return text.length;
  let w = 0;
  for (const g of graphemes(text)) w += graphemeWidth(g);
  return w;
}

/**
 * Wraps text into lines of at most `width` cells: at spaces where it can,
 * inside a word when a word is longer than a line. Spaces where a line is
 * broken are dropped; other spaces are kept as typed.
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  if (PRINTABLE_ASCII_RE.test(text) && text.length <= w) return [text];
  const gs = graphemes(text);
  const lines: string[] = [];
  let line: string[] = [];
  let lineWidth = 0;
  // Index in `line` just after the last space, where a break can go.
  let breakAt = -1;
  let widthAtBreak = 0;
  for (const g of gs) {
    const gw = graphemeWidth(g);
    if (g === ' ') {
      if (lineWidth + 1 > w) {
        // A space at the edge is the break itself.
        lines.push(line.join(''));
        line = [];
        lineWidth = 0;
        breakAt = -1;
        continue;
      }
      line.push(g);
      lineWidth += 1;
      breakAt = line.length;
      widthAtBreak = lineWidth;
      continue;
    }
    if (lineWidth + gw > w && line.length > 0) {
      if (breakAt > 0 && breakAt < line.length + 1) {
        const head = line.slice(0, breakAt);
        const tail = line.slice(breakAt);
        lines.push(trimEndSpaces(head.join('')));
        line = tail;
        lineWidth -= widthAtBreak;
      } else {
        lines.push(line.join(''));
        line = [];
        lineWidth = 0;
      }
      breakAt = -1;
      // The tail may still not leave room (a very wide grapheme on a tiny width).
      if (lineWidth + gw > w && line.length > 0) {
        lines.push(line.join(''));
        line = [];
        lineWidth = 0;
      }
    }
    line.push(g);
    lineWidth += gw;
  }
  if (line.length > 0 || lines.length === 0) lines.push(line.join(''));
  return lines;
}

function trimEndSpaces(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 0x20) e--;
  return s.slice(0, e);
}

/** Cuts text to at most `width` cells, ending with … when something was cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (PRINTABLE_ASCII_RE.test(text)) return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
  if (textWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const g of graphemes(text)) {
    const gw = graphemeWidth(g);
    if (used + gw > width - 1) break;
    out += g;
    used += gw;
  }
  return out + '…';
}

/** Pads text with spaces to exactly `width` cells (cutting it first if needed). */
export function padEnd(text: string, width: number): string {
  const t = truncate(text, width);
  return t + ' '.repeat(Math.max(0, width - textWidth(t)));
}

/** Pads text on the left to exactly `width` cells. */
export function padStart(text: string, width: number): string {
  const t = truncate(text, width);
  return ' '.repeat(Math.max(0, width - textWidth(t))) + t;
}

/**
 * The part of a line to show in a field `width` cells wide so that the
 * cursor stays visible: returns the visible text and the cursor's cell.
 */
export function scrollToCursor(text: string, cursor: number, width: number): { before: string; at: string; after: string } {
  const gs = graphemes(text);
  // Find the grapheme index of the cursor (cursor is on a boundary).
  let idx = 0;
  let offset = 0;
  while (idx < gs.length && offset < cursor) offset += gs[idx++]!.length;
  const room = Math.max(1, width - 1);
  const fits = textWidth(text) + 1 <= width;
  // Walk left from the cursor until the field is about two thirds full.
  let start = idx;
  let used = 0;
  const leftRoom = Math.max(1, Math.floor((room * 2) / 3));
  const limit = fits || idx === gs.length ? room : leftRoom;
  while (start > 0 && used + graphemeWidth(gs[start - 1]!) <= limit) {
    used += graphemeWidth(gs[--start]!);
  }
  const before = gs.slice(start, idx).join('');
  const at = gs[idx] ?? ' ';
  let after = '';
  let left = width - used - graphemeWidth(at);
  for (let i = idx + 1; i < gs.length; i++) {
    const gw = graphemeWidth(gs[i]!);
    if (gw > left) break;
    after += gs[i];
    left -= gw;
  }
  return { before, at, after };
}
