// A one-line text editor as pure functions: the compose box and the login
// fields keep an EditLine and replace it on every key. The cursor is a UTF-16
// offset that always sits on a grapheme boundary, so an emoji, a flag or a
// letter with accents moves and deletes as one character.

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

const isSpace = (ch: string | undefined): boolean => ch === ' ';

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
      next = { text, cursor: 0 };
      break;
    case 'end':
      next = { text, cursor: text.length };
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
    case 'killToStart':
      next = { text: text.slice(cursor), cursor: 0 };
      break;
    case 'killToEnd':
      next = { text: text.slice(0, cursor), cursor };
      break;
  }
  return next.text === text && next.cursor === cursor ? line : next;
}
