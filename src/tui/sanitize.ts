// What a string from the server may put on the screen. Terminals act on C0
// and C1 control characters (ESC starts title, clipboard, clear and cursor
// sequences; U+009B is a one-character CSI), DEL, and bidi controls reorder
// what is shown. Every remote string passes through here before it reaches a
// terminal, and comes out as plain printable text in which each such
// character is visible instead of interpreted.

const BIDI_NAMES: Record<number, string> = {
  0x061c: 'ALM',
  0x200e: 'LRM',
  0x200f: 'RLM',
  0x202a: 'LRE',
  0x202b: 'RLE',
  0x202c: 'PDF',
  0x202d: 'LRO',
  0x202e: 'RLO',
  0x2066: 'LRI',
  0x2067: 'RLI',
  0x2068: 'FSI',
  0x2069: 'PDI',
};

/** Most combining marks kept on one base character (the rest would only smear over nearby lines). */
const MAX_MARKS = 6;

// Everything that needs a look; other text is copied as it is.
// eslint-disable-next-line no-control-regex
const SUSPECT_RE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\p{M}\ud800-\udfff]/u;
const MARK_RE = /\p{M}/u;
const STARTS_WITH_MARK_RE = /^\p{M}/u;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** How line breaks inside the text are shown: a visible ↵, a space, or kept as `\n` (a message drawn as rows). */
export type NewlineStyle = 'visible' | 'space' | 'rows';

const NEWLINE: Record<NewlineStyle, string> = { visible: '\u21b5 ', space: ' ', rows: '\n' };

/** The printable stand-in for one control, bidi or separator character. */
function visible(cp: number): string {
  if (cp < 0x20) return String.fromCharCode(0x2400 + cp); // ␀ … ␟ (␛ for ESC, ␇ for BEL)
  if (cp === 0x7f) return '\u2421'; // ␡
  // A C1 control means the same as ESC followed by (cp - 0x40): show it that way.
  if (cp >= 0x80 && cp <= 0x9f) return '\u241b' + String.fromCharCode(cp - 0x40);
  const name = BIDI_NAMES[cp];
  if (name) return `<${name}>`;
  return '\ufffd';
}

/**
 * Makes a remote string safe to draw: controls, DEL, C1, bidi overrides and
 * isolates become visible symbols, tabs become spaces, line breaks become a
 * visible ↵ (or a space, or one `\n` each for a message drawn as rows),
 * lone surrogates become U+FFFD and very long runs of combining marks are
 * cut short. Combining marks are otherwise kept, on their
 * letter (a mark with no letter before it is put on ◌).
 */
export function sanitize(text: string, newlines: NewlineStyle = 'visible'): string {
  if (typeof text !== 'string') text = String(text ?? '');
  if (!SUSPECT_RE.test(text)) return text;
  let out = '';
  let marks = 0;
  let sawMark = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Surrogates: keep a well-formed pair, replace a lone half.
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        const pair = text.slice(i, i + 2);
        i++;
        if (MARK_RE.test(pair)) {
          sawMark = true;
          if (++marks <= MAX_MARKS) out += pair;
        } else {
          marks = 0;
          out += pair;
        }
        continue;
      }
      out += '\ufffd';
      marks = 0;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
      marks = 0;
      continue;
    }
    if (c === 0x0a || c === 0x2028 || c === 0x2029) {
      out += NEWLINE[newlines];
      marks = 0;
      continue;
    }
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
      // CRLF is one line break; a bare CR is shown as ␍ below.
      out += NEWLINE[newlines];
      i++;
      marks = 0;
      continue;
    }
    if (c === 0x09) {
      out += newlines === 'space' ? ' ' : '    ';
      marks = 0;
      continue;
    }
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || BIDI_NAMES[c] !== undefined) {
      out += visible(c);
      marks = 0;
      continue;
    }
    const ch = text[i]!;
    if (MARK_RE.test(ch)) {
      sawMark = true;
      if (++marks <= MAX_MARKS) out += ch;
      continue;
    }
    marks = 0;
    out += ch;
  }
  return sawMark ? baseLoneMarks(out) : out;
}

/**
 * Puts combining marks that have no letter to sit on (at the start of the
 * text) on a dotted circle ◌, as fonts show them. Alone such a mark takes no
 * cell, and whatever is drawn next would cover it.
 */
function baseLoneMarks(text: string): string {
  let out = '';
  for (const { segment } of segmenter.segment(text)) out += STARTS_WITH_MARK_RE.test(segment) ? '\u25cc' + segment : segment;
  return out;
}

/** Sanitizes a one-line field (a name, a country, an error text): line breaks become spaces. */
export function sanitizeLine(text: string): string {
  return sanitize(text, 'space');
}

// Characters that are legal inside JSON strings but unsafe on a terminal.
// eslint-disable-next-line no-control-regex
// (With the u flag, the surrogate range matches only lone halves.)
const JSON_UNSAFE_RE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;

/**
 * Makes JSON text safe to print: every character a terminal could act on is
 * written as a `\uXXXX` escape, so the output is still the same JSON value.
 * Only valid for JSON text (outside strings JSON is plain ASCII).
 */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(JSON_UNSAFE_RE, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}
