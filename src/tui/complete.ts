// Tab completion of usernames in the compose box, as WeeChat does it: the
// word before the cursor is completed to the first matching name, each
// further Tab (Shift+Tab back) replaces it with the next match. A name
// completed at the start of a line is followed by `: ` (addressing that
// person), elsewhere by a space. Pure: the cycle is data kept in the state.

import { lineStart, type EditLine } from './line-edit.js';

/** An ongoing completion: what was around the word, the matches and which one is shown. */
export interface CompletionCycle {
  readonly before: string;
  readonly after: string;
  readonly suffix: string;
  readonly matches: readonly string[];
  readonly index: number;
  /** The line this completion produced: a Tab on exactly this line goes on cycling. */
  readonly line: EditLine;
}

function build(before: string, after: string, suffix: string, matches: readonly string[], index: number): { line: EditLine; cycle: CompletionCycle } {
  const head = before + matches[index]! + suffix;
  const line = { text: head + after, cursor: head.length };
  return { line, cycle: { before, after, suffix, matches, index, line } };
}

/**
 * Completes the word before the cursor from `names` (case-insensitive
 * prefix, sorted, `me` left out). Returns null when nothing matches.
 * `cycle` is the previous completion: when `line` is still what it
 * produced, the next match (direction 1) or the previous (-1) replaces it.
 */
export function completeName(
  line: EditLine,
  names: Iterable<string>,
  me: string,
  cycle: CompletionCycle | null,
  direction: 1 | -1 = 1,
): { line: EditLine; cycle: CompletionCycle } | null {
  if (cycle && cycle.line.text === line.text && cycle.line.cursor === line.cursor) {
    const n = cycle.matches.length;
    return build(cycle.before, cycle.after, cycle.suffix, cycle.matches, (cycle.index + direction + n) % n);
  }
  const { text, cursor } = line;
  let start = cursor;
  while (start > 0 && text[start - 1] !== ' ' && text[start - 1] !== '\n') start--;
  const prefix = text.slice(start, cursor).toLowerCase();
  const matches = [...new Set(names)]
    .filter((n) => n !== me && n.toLowerCase().startsWith(prefix))
    .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || a.localeCompare(b));
  if (matches.length === 0) return null;
  const suffix = start === lineStart(text, cursor) ? ': ' : ' ';
  return build(text.slice(0, start), text.slice(cursor), suffix, matches, direction === 1 ? 0 : matches.length - 1);
}
