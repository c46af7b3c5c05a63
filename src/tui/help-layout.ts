// How the help overlay fits a pane: the most complete of these that fits
// without cutting a line short is used, so what it shows is always whole:
//   one column with every key;
//   two columns with every key, then at most two keys a line, then two keys
//   only where the pair is short, then one key a line;
//   one column scrolled with Up/Down/PgUp/PgDn (tiny terminals), "more" shown.
// Pure, so the reducer (which scrolls it) and the component agree.

import { CHAT_BINDINGS, EDIT_BINDINGS, keyLabel, type Binding } from './keys.js';
import type { Layout } from './layout.js';
import { padEnd, textWidth, truncate } from './wrap.js';

/** One line of the help: a heading or a key with what it does. */
export interface HelpLine {
  text: string;
  head?: boolean;
}

/** The help laid out for a pane: columns of lines, their widths, and the scroll window. */
export interface HelpLayout {
  columns: HelpLine[][];
  widths: number[];
  /** Lines hidden above and below (only in the scrolled one-column form). */
  above: number;
  below: number;
  /** The largest useful scroll offset. */
  maxTop: number;
}

export const HELP_TITLE = 'Keys · Esc, F1 or ? closes this help';
/** Cells between two columns. */
const GAP = 2;
/** A pair of keys wider than this is cut to its first key in the compact forms. */
const PAIR_CAP = 18;

interface Entry {
  keys: string[];
  help: string;
}

/** One entry per action (and per `?`-style binding), with all its keys. */
function entries<A extends string>(list: ReadonlyArray<Binding<A>>): Entry[] {
  const byAction = new Map<string, Entry>();
  for (const b of list) {
    const id = b.whenComposeEmpty ? `${b.action}?` : b.action;
    const entry = byAction.get(id);
    const labels = b.keys.map(keyLabel);
    if (entry) entry.keys.push(...labels);
    else byAction.set(id, { keys: labels, help: b.help });
  }
  return [...byAction.values()];
}

const SECTIONS: Array<[string, Entry[]]> = [
  ['Chat', entries(CHAT_BINDINGS)],
  ['Editing the message', entries(EDIT_BINDINGS)],
];

/** The keys of an entry as shown with at most `maxKeys` keys, a pair only when it is at most `pairCap` wide. */
function keysText(keys: string[], maxKeys: number, pairCap: number): string {
  const shown = keys.slice(0, maxKeys).join(' / ');
  return maxKeys === 2 && keys.length > 1 && textWidth(shown) > pairCap ? keys[0]! : shown;
}

/** A section as lines, and the width it needs. */
function section(title: string, list: Entry[], maxKeys: number, pairCap: number): { lines: HelpLine[]; width: number } {
  const keyTexts = list.map((e) => keysText(e.keys, maxKeys, pairCap));
  const keyW = Math.max(...keyTexts.map(textWidth));
  const lines: HelpLine[] = [{ text: title, head: true }, ...list.map((e, i) => ({ text: `${padEnd(keyTexts[i]!, keyW)}  ${e.help}` }))];
  return { lines, width: Math.max(...lines.map((l) => textWidth(l.text))) };
}

/** Lays the help out in `width` × `height` cells, scrolled to `top` when it has to scroll. */
export function helpLayout(width: number, height: number, top = 0): HelpLayout {
  const rows = Math.max(1, height - 2); // below the title and a blank line
  const whole = (columns: HelpLine[][], widths: number[]): HelpLayout => ({ columns, widths, above: 0, below: 0, maxTop: 0 });

  const all = SECTIONS.map(([t, l]) => section(t, l, Infinity, Infinity));
  const oneColumn = [...all[0]!.lines, { text: '' }, ...all[1]!.lines];
  const oneWidth = Math.max(all[0]!.width, all[1]!.width);
  if (oneColumn.length <= rows && oneWidth <= width) return whole([oneColumn], [width]);

  for (const [maxKeys, pairCap] of [[Infinity, Infinity], [2, Infinity], [2, PAIR_CAP], [1, Infinity]] as const) {
    const [chat, edit] = SECTIONS.map(([t, l]) => section(t, l, maxKeys, pairCap));
    if (chat!.width + GAP + edit!.width <= width && Math.max(chat!.lines.length, edit!.lines.length) <= rows) {
      return whole([chat!.lines, edit!.lines], [chat!.width + GAP, width - chat!.width - GAP]);
    }
  }

  // Too small for any of those: one column, compact (one key a line if two do not fit), scrolled.
  let compact = SECTIONS.map(([t, l]) => section(t, l, 2, PAIR_CAP));
  if (Math.max(compact[0]!.width, compact[1]!.width) > width) compact = SECTIONS.map(([t, l]) => section(t, l, 1, Infinity));
  const lines = [...compact[0]!.lines, { text: '' }, ...compact[1]!.lines].map((l) => ({ ...l, text: truncate(l.text, width) }));
  if (lines.length <= rows) return whole([lines], [width]);
  // One row each for "more above" and "more below" marks, when there is more.
  const window = Math.max(1, rows - 2);
  const maxTop = lines.length - window;
  const start = Math.max(0, Math.min(top, maxTop));
  return { columns: [lines.slice(start, start + window)], widths: [width], above: start, below: lines.length - start - window, maxTop };
}

/** The help as the chat screen shows it: over both panes, after a one-cell margin. */
export function chatHelpLayout(layout: Layout, top = 0): HelpLayout {
  return helpLayout(Math.max(10, layout.cols - 1), layout.mainHeight, top);
}
