// A small text editor as pure functions: the compose box keeps an EditLine
// and replaces it on every key. The cursor is a UTF-16 offset that always
// sits on a grapheme boundary, so an emoji, a flag or a letter with accents
// moves and deletes as one character. The text may hold line breaks (`\n`):
// Home, End and the kills work on the cursor's line, Up and Down move
// between lines.

import type { EditAction } from './keys.js';

/** Text being edited and the cursor position in it. */
export interface EditLine {
  readonly text: string;
  readonly cursor: number;
}

/** An empty line. */
export const EMPTY_LINE: EditLine = Object.freeze({ text: '', cursor: 0 });

/** A line holding `text` with the cursor at its end. */
export function lineOf(text: string): EditLine {
  return { text, cursor: text.length };
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const ASCII_RE = /^[\x20-\x7e]*$/;

/** Grapheme boundaries of `text`, from 0 to text.length. */
function boundaries(text: string): number[] {
  if (ASCII_RE.test(text)) {
    const out = new Array<number>(text.length + 1);
    for (let i = 0; i <= text.length; i++) out[i] = i;
    return out;
  }
  const out = [0];
  for (const s of segmenter.segment(text)) out.push(s.index + s.segment.length);
  return out;
}

function prevBoundary(text: string, cursor: number): number {
  if (cursor <= 0) return 0;
  const b = boundaries(text);
  let prev = 0;
  for (const x of b) {
    if (x >= cursor) break;
    prev = x;
  }
  return prev;
}

function nextBoundary(text: string, cursor: number): number {
  if (cursor >= text.length) return text.length;
  for (const x of boundaries(text)) if (x > cursor) return x;
  return text.length;
}

const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\n';

/** Start of the line the cursor is on. */
export function lineStart(text: string, cursor: number): number {
  return cursor <= 0 ? 0 : text.lastIndexOf('\n', cursor - 1) + 1;
}

/** End of the line the cursor is on (before its line break). */
export function lineEnd(text: string, cursor: number): number {
  const nl = text.indexOf('\n', cursor);
  return nl === -1 ? text.length : nl;
}

/** True when the cursor is on the first line of the text. */
export function onFirstLine(line: EditLine): boolean {
  return lineStart(line.text, line.cursor) === 0;
}

/** True when the cursor is on the last line of the text. */
export function onLastLine(line: EditLine): boolean {
  return line.text.indexOf('\n', line.cursor) === -1;
}

/** The cursor moved to the line above (-1) or below (+1), at the same column in graphemes, or where that line ends. */
function verticalMove(text: string, cursor: number, direction: -1 | 1): number {
  const start = lineStart(text, cursor);
  let target: number;
  if (direction < 0) {
    if (start === 0) return cursor;
    target = lineStart(text, start - 1);
  } else {
    const end = lineEnd(text, cursor);
    if (end === text.length) return cursor;
    target = end + 1;
  }
  const column = boundaries(text.slice(start, cursor)).length - 1;
  const targetEnd = lineEnd(text, target);
  const b = boundaries(text.slice(target, targetEnd));
  return target + b[Math.min(column, b.length - 1)]!;
}

function wordStartBefore(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && isSpace(text[i - 1])) i--;
  while (i > 0 && !isSpace(text[i - 1])) i--;
  return i;
}

function wordEndAfter(text: string, cursor: number): number {
  let i = cursor;
  while (i < text.length && isSpace(text[i])) i++;
  while (i < text.length && !isSpace(text[i])) i++;
  return i;
}

/** Inserts typed or pasted text at the cursor. */
export function insertText(line: EditLine, typed: string): EditLine {
  if (!typed) return line;
  const text = line.text.slice(0, line.cursor) + typed + line.text.slice(line.cursor);
  return { text, cursor: line.cursor + typed.length };
}

/** Applies one editing action. Returns the same object when nothing changes. */
export function applyEdit(line: EditLine, action: EditAction): EditLine {
  const { text, cursor } = line;
  let next: EditLine;
  switch (action) {
    case 'left':
      next = { text, cursor: prevBoundary(text, cursor) };
      break;
    case 'right':
      next = { text, cursor: nextBoundary(text, cursor) };
      break;
    case 'wordLeft':
      next = { text, cursor: wordStartBefore(text, cursor) };
      break;
    case 'wordRight':
      next = { text, cursor: wordEndAfter(text, cursor) };
      break;
    case 'home':
      next = { text, cursor: lineStart(text, cursor) };
      break;
    case 'end':
      next = { text, cursor: lineEnd(text, cursor) };
      break;
    case 'lineUp':
      next = { text, cursor: verticalMove(text, cursor, -1) };
      break;
    case 'lineDown':
      next = { text, cursor: verticalMove(text, cursor, 1) };
      break;
    case 'newline':
      next = insertText(line, '\n');
      break;
    case 'yank':
      // The kill buffer is the caller's: see yank().
      next = line;
      break;
    case 'backspace': {
      const p = prevBoundary(text, cursor);
      next = { text: text.slice(0, p) + text.slice(cursor), cursor: p };
      break;
    }
    case 'delete': {
      const n = nextBoundary(text, cursor);
      next = { text: text.slice(0, cursor) + text.slice(n), cursor };
      break;
    }
    case 'deleteWordBack': {
      const p = wordStartBefore(text, cursor);
      next = { text: text.slice(0, p) + text.slice(cursor), cursor: p };
      break;
    }
    case 'deleteWordForward': {
      const n = wordEndAfter(text, cursor);
      next = { text: text.slice(0, cursor) + text.slice(n), cursor };
      break;
    }
    case 'killToStart': {
      const p = lineStart(text, cursor);
      next = { text: text.slice(0, p) + text.slice(cursor), cursor: p };
      break;
    }
    case 'killToEnd': {
      // At the end of a line, the line break itself goes (joining the next line), as in Emacs.
      const e = lineEnd(text, cursor);
      const to = e === cursor && e < text.length ? e + 1 : e;
      next = { text: text.slice(0, cursor) + text.slice(to), cursor };
      break;
    }
  }
  return next.text === text && next.cursor === cursor ? line : next;
}

/** Actions whose deleted text goes into the kill buffer, for Ctrl+Y. */
const KILLS: ReadonlySet<EditAction> = new Set<EditAction>(['killToStart', 'killToEnd', 'deleteWordBack', 'deleteWordForward']);

/**
 * Applies an editing action and says what it cut: the text a kill removed
 * (Ctrl+U, Alt+K, Ctrl+W, Alt+D), or undefined for any other action or a
 * kill that removed nothing.
 */
export function editWithKill(line: EditLine, action: EditAction): { line: EditLine; killed?: string } {
  const next = applyEdit(line, action);
  if (!KILLS.has(action) || next === line) return { line: next };
  // Every kill removes one contiguous range, which starts where the cursor ends up.
  const killed = line.text.slice(next.cursor, next.cursor + line.text.length - next.text.length);
  return killed ? { line: next, killed } : { line: next };
}

/** Yanks (pastes back) the kill buffer at the cursor. */
export function yank(line: EditLine, killBuffer: string): EditLine {
  return insertText(line, killBuffer);
}
