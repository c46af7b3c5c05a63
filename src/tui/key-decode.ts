// Decoding what the terminal sends into named keys ('ctrl+n', 'alt+up',
// 'pageup', 'f1', 'enter'), typed or pasted text, and mouse reports.

/** One key press, or a run of typed (or pasted) printable text, or a mouse event. */
export type KeyPress = { name: string; text?: undefined; mouse?: undefined } | { name: 'text'; text: string; mouse?: undefined } | { name: 'mouse'; text?: undefined; mouse: MouseEvent };

/** A mouse event as SGR mouse reporting (`ESC [ < b ; x ; y M`) describes it; x and y count from 1. */
export interface MouseEvent {
  kind: 'press' | 'release' | 'drag' | 'wheelUp' | 'wheelDown';
  /** 0 left, 1 middle, 2 right (for press, release and drag). */
  button: number;
  x: number;
  y: number;
}

const SGR_MOUSE_RE = /^\x1b\[<(\d{1,4});(\d{1,5});(\d{1,5})([Mm])$/;

/** Decodes an SGR mouse report, or undefined when `seq` is not one. */
export function decodeMouse(seq: string): MouseEvent | undefined {
  const m = SGR_MOUSE_RE.exec(seq);
  if (!m) return undefined;
  const b = Number(m[1]);
  const x = Number(m[2]);
  const y = Number(m[3]);
  const button = b & 3;
  let kind: MouseEvent['kind'];
  if (b & 64) kind = button === 0 ? 'wheelUp' : 'wheelDown';
  else if (b & 32) kind = 'drag';
  else kind = m[4] === 'm' ? 'release' : 'press';
  return { kind, button, x, y };
}

const CSI_LETTER: Record<string, string> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', P: 'f1', Q: 'f2', R: 'f3', S: 'f4', Z: 'tab' };
const CSI_TILDE: Record<string, string> = {
  '1': 'home', '2': 'insert', '3': 'delete', '4': 'end', '5': 'pageup', '6': 'pagedown', '7': 'home', '8': 'end',
  '11': 'f1', '12': 'f2', '13': 'f3', '14': 'f4', '15': 'f5', '17': 'f6', '18': 'f7', '19': 'f8', '20': 'f9', '21': 'f10', '23': 'f11', '24': 'f12',
  // Bracketed paste: the terminal marks where pasted text begins and ends.
  '200': 'paste-start', '201': 'paste-end',
};
const LINUX_F: Record<string, string> = { A: 'f1', B: 'f2', C: 'f3', D: 'f4', E: 'f5' };

/** Builds a canonical name: modifiers in the order ctrl, alt, shift. */
function named(base: string, ctrl: boolean, alt: boolean, shift: boolean): string {
  return (ctrl ? 'ctrl+' : '') + (alt ? 'alt+' : '') + (shift ? 'shift+' : '') + base;
}

/** Names one control character (below 0x20, or DEL). */
function controlName(c: number): string {
  if (c === 0x0d) return 'enter';
  // What Ctrl+J sends; in raw mode a terminal's Enter is CR, so LF is a key of its own.
  if (c === 0x0a) return 'ctrl+j';
  if (c === 0x09) return 'tab';
  if (c === 0x7f || c === 0x08) return 'backspace';
  if (c === 0x1b) return 'escape';
  if (c === 0x00) return 'ctrl+space';
  if (c <= 0x1a) return 'ctrl+' + String.fromCharCode(0x60 + c);
  return 'ctrl+' + String.fromCharCode(0x40 + c).toLowerCase();
}

/** Decodes an escape sequence (one event from the terminal, starting with ESC). */
function decodeEscape(seq: string): string {
  if (seq === '\x1b' || seq === '\x1b\x1b') return 'escape';
  let alt = false;
  let s = seq.slice(1);
  // ESC ESC [ A: an xterm-style alt+arrow.
  if (s.startsWith('\x1b')) {
    alt = true;
    s = s.slice(1);
  }
  if (s.startsWith('[[') && s.length === 3) return named(LINUX_F[s[2]!] ?? 'unknown', false, alt, false);
  if (s.startsWith('[') || s.startsWith('O')) {
    const m = /^[[O]([0-9;]*)([A-Za-z~])$/.exec(s);
    if (!m) return 'unknown';
    const params = m[1]!.split(';');
    const final = m[2]!;
    const mod = params[1] ? Number(params[1]) - 1 : 0;
    const ctrl = (mod & 4) !== 0;
    const a = alt || (mod & 2) !== 0 || (mod & 8) !== 0;
    let shift = (mod & 1) !== 0;
    let base: string | undefined;
    if (final === '~') base = CSI_TILDE[params[0] ?? ''];
    else {
      base = CSI_LETTER[final];
      if (final === 'Z') shift = true;
    }
    return base ? named(base, ctrl, a, shift) : 'unknown';
  }
  // ESC followed by one character: alt+that key.
  const c = s.codePointAt(0);
  if (c === undefined) return 'escape';
  if (c < 0x20 || c === 0x7f) {
    const inner = controlName(c);
    return inner.startsWith('ctrl+') ? 'ctrl+alt+' + inner.slice(5) : 'alt+' + inner;
  }
  const ch = String.fromCodePoint(c);
  return ch === ' ' ? 'alt+space' : 'alt+' + ch.toLowerCase();
}

/**
 * Pasted text as it goes into a one-line draft: each line break (CR, LF or
 * CRLF) and tab becomes a space; other control characters are dropped.
 */
export function pastedText(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/\r\n|[\r\n\t]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/**
 * Pasted text as it goes into the compose box: line breaks (CR, LF or CRLF)
 * are kept, as LF; a tab becomes a space; other control characters are
 * dropped.
 */
export function pastedLines(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/\r\n|\r/g, '\n').replace(/\t/g, ' ').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '');
}

/**
 * Splits one input event (as Ink's input parser delivers it: an escape
 * sequence, or a run of other characters) into key presses. Control
 * characters inside a run become their own keys, so `hello\r` typed in one
 * burst is text then Enter. C1 characters typed or pasted are dropped.
 */
export function decodeInput(event: string): KeyPress[] {
  if (event.startsWith('\x1b[<')) {
    const mouse = decodeMouse(event);
    return [mouse ? { name: 'mouse', mouse } : { name: 'unknown' }];
  }
  if (event.startsWith('\x1b')) return [{ name: decodeEscape(event) }];
  const out: KeyPress[] = [];
  let text = '';
  for (const ch of event) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) {
      if (text) out.push({ name: 'text', text });
      text = '';
      out.push({ name: controlName(c) });
    } else if (c >= 0x80 && c <= 0x9f) {
      continue;
    } else {
      text += ch;
    }
  }
  if (text) out.push({ name: 'text', text });
  return out;
}
