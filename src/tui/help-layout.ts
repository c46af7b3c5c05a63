// How the help overlay fits a pane, built from the binding tables (their
// sections and pairs): the most complete of these that fits without cutting
// a line short is used, so what it shows is always whole:
//   one column with every key;
//   two columns (the first sections left, the rest right) with every key, then at most two keys a line, then two keys
//   only where the pair is short, then one key a line;
//   one column scrolled with Up/Down/PgUp/PgDn (tiny terminals), "more" shown.
// Pure, so the reducer (which scrolls it) and the component agree.

import { COMMANDS } from './command-line.js';
import { HELP_SECTIONS, chatBindings, editBindings, keyFor, keyLabel, type Binding, type HelpSection } from './keys.js';
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

/** The help's title line, naming the key that closes it. */
export function helpTitle(): string {
  return `Keys and commands · Esc or ${keyFor('help')} closes this help`;
}
/** Cells between two columns. */
const GAP = 2;
/** A pair of keys wider than this is cut to its first key in the compact forms. */
const PAIR_CAP = 18;

interface Entry {
  /** The keys of each action on this line (two for a pair), as labels. */
  parts: string[][];
  help: string;
}

/** One entry per action (or per pair of actions, or per `?`-style binding), with all its keys. */
function entries<A extends string>(list: ReadonlyArray<Binding<A>>): Entry[] {
  const byId = new Map<string, { entry: Entry; actions: Map<string, string[]> }>();
  for (const b of list) {
    const id = b.pair !== undefined ? `pair:${b.pair}` : b.whenComposeEmpty ? `${b.action}?` : b.action;
    const labels = b.keys.map(keyLabel);
    let slot = byId.get(id);
    if (!slot) {
      slot = { entry: { parts: [], help: b.pair ?? b.help }, actions: new Map() };
      byId.set(id, slot);
    }
    const keys = slot.actions.get(b.action);
    if (keys) keys.push(...labels);
    else {
      slot.actions.set(b.action, labels);
      slot.entry.parts.push(labels);
    }
  }
  return [...byId.values()].map((x) => x.entry);
}

/** The help's sections, in the order of HELP_SECTIONS, from the binding tables. */
function sections(): Array<[string, Entry[]]> {
  return (Object.keys(HELP_SECTIONS) as HelpSection[])
    .map((id): [string, Entry[]] => [HELP_SECTIONS[id], entries([...chatBindings(), ...editBindings()].filter((b) => b.section === id))])
    .filter(([, list]) => list.length > 0)
    .concat([['Commands', COMMANDS.map((c) => ({ parts: [[c.usage]], help: c.short }))]]);
}

/** The keys of an entry as shown with at most `maxKeys` keys, a pair only when it is at most `pairCap` wide. */
function keysText(entry: Entry, maxKeys: number, pairCap: number): string {
  // A pair of actions: every key of each in the full form, else the first key of each.
  if (entry.parts.length > 1) return entry.parts.map((k) => (maxKeys === Infinity ? k.join(', ') : k[0]!)).join(' / ');
  const keys = entry.parts[0]!;
  const shown = keys.slice(0, maxKeys).join(' / ');
  return maxKeys === 2 && keys.length > 1 && textWidth(shown) > pairCap ? keys[0]! : shown;
}

/** A section as lines, and the width it needs. */
function section(title: string, list: Entry[], maxKeys: number, pairCap: number): { lines: HelpLine[]; width: number } {
  const keyTexts = list.map((e) => keysText(e, maxKeys, pairCap));
  const keyW = Math.max(...keyTexts.map(textWidth));
  const lines: HelpLine[] = [{ text: title, head: true }, ...list.map((e, i) => ({ text: `${padEnd(keyTexts[i]!, keyW)}  ${e.help}` }))];
  return { lines, width: Math.max(...lines.map((l) => textWidth(l.text))) };
}

/** Sections one under the other, a blank line between. */
function stack(parts: Array<{ lines: HelpLine[]; width: number }>): { lines: HelpLine[]; width: number } {
  const lines: HelpLine[] = [];
  for (const p of parts) {
    if (lines.length > 0) lines.push({ text: '' });
    lines.push(...p.lines);
  }
  return { lines, width: Math.max(0, ...parts.map((p) => p.width)) };
}

/** Lays the help out in `width` × `height` cells, scrolled to `top` when it has to scroll. */
export function helpLayout(width: number, height: number, top = 0): HelpLayout {
  const rows = Math.max(1, height - 2); // below the title and a blank line
  const whole = (columns: HelpLine[][], widths: number[]): HelpLayout => ({ columns, widths, above: 0, below: 0, maxTop: 0 });
  const all = sections();
  const form = (maxKeys: number, pairCap: number) => all.map(([t, l]) => section(t, l, maxKeys, pairCap));

  const one = stack(form(Infinity, Infinity));
  if (one.lines.length <= rows && one.width <= width) return whole([one.lines], [width]);

  // Two columns: the first sections on the left, the rest on the right, split where it fits.
  for (const [maxKeys, pairCap] of [[Infinity, Infinity], [2, Infinity], [2, PAIR_CAP], [1, Infinity]] as const) {
    const parts = form(maxKeys, pairCap);
    for (let k = 1; k < parts.length; k++) {
      const left = stack(parts.slice(0, k));
      const right = stack(parts.slice(k));
      if (left.width + GAP + right.width <= width && Math.max(left.lines.length, right.lines.length) <= rows) {
        return whole([left.lines, right.lines], [left.width + GAP, width - left.width - GAP]);
      }
    }
  }

  // Too small for any of those: one column, compact (one key a line if two do not fit), scrolled.
  let compact = stack(form(2, PAIR_CAP));
  if (compact.width > width) compact = stack(form(1, Infinity));
  const lines = compact.lines.map((l) => ({ ...l, text: truncate(l.text, width) }));
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
