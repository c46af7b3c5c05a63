// A conversation as screen rows: a day separator where the date changes,
// each message wrapped to the text column, a line under a failed message.
// Wrapping is done once per message and width (cached), and only for the
// messages near the visible window, so a 10,000-message conversation costs
// no more to draw than a short one.

import { dayKey } from './format.js';
import type { ChatItem } from './model.js';
import { wrapText } from './wrap.js';

/** One row of the conversation pane. */
export type ConvRow =
  | { kind: 'day'; key: string; ts: number }
  | { kind: 'text'; key: string; item: ChatItem; first: boolean; text: string }
  | { kind: 'error'; key: string; item: ChatItem };

const wrapCache = new WeakMap<ChatItem, { width: number; lines: string[] }>();
const dayCache = new WeakMap<ChatItem, string>();

function dayOf(item: ChatItem): string {
  let d = dayCache.get(item);
  if (d === undefined) {
    d = dayKey(item.ts);
    dayCache.set(item, d);
  }
  return d;
}

/** The message's text wrapped to `width` cells (cached per message and width). */
export function wrappedLines(item: ChatItem, width: number): string[] {
  const hit = wrapCache.get(item);
  if (hit && hit.width === width) return hit.lines;
  // A line break in a message (sanitized to `\n`) starts a new row.
  const lines = item.text.includes('\n') ? item.text.split('\n').flatMap((l) => wrapText(l, width)) : wrapText(item.text, width);
  wrapCache.set(item, { width, lines });
  return lines;
}

/** True when a day separator goes above `item` (the first message, or a new date). */
export function startsDay(item: ChatItem, prev: ChatItem | undefined): boolean {
  return prev === undefined || dayOf(prev) !== dayOf(item);
}

/** Rows `item` takes, `prev` being the message above it. */
export function itemHeight(item: ChatItem, prev: ChatItem | undefined, width: number): number {
  return (startsDay(item, prev) ? 1 : 0) + wrappedLines(item, width).length + (item.status === 'failed' ? 1 : 0);
}

/** The rows of one message, top to bottom. */
export function itemRows(item: ChatItem, prev: ChatItem | undefined, width: number): ConvRow[] {
  const rows: ConvRow[] = [];
  if (startsDay(item, prev)) rows.push({ kind: 'day', key: item.key + ':d', ts: item.ts });
  const lines = wrappedLines(item, width);
  for (let i = 0; i < lines.length; i++) {
    rows.push({ kind: 'text', key: `${item.key}:${i}`, item, first: i === 0, text: lines[i]! });
  }
  if (item.status === 'failed') rows.push({ kind: 'error', key: item.key + ':e', item });
  return rows;
}

/** Rows of the newest messages, summed from the bottom until `limit` is reached or the messages run out. */
export function rowsFromBottom(items: readonly ChatItem[], width: number, limit: number): { rows: number; reachedTop: boolean } {
  let rows = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    rows += itemHeight(items[i]!, items[i - 1], width);
    if (rows >= limit) return { rows, reachedTop: false };
  }
  return { rows, reachedTop: true };
}

/** Total rows of the messages appended after the first `before` items. */
export function rowsOfTail(items: readonly ChatItem[], before: number, width: number): number {
  let rows = 0;
  for (let i = Math.max(0, before); i < items.length; i++) rows += itemHeight(items[i]!, items[i - 1], width);
  return rows;
}

/** What the conversation pane shows. */
export interface ConvWindow {
  /** The visible rows, top to bottom (fewer than the height when the conversation is short). */
  rows: ConvRow[];
  /** Messages entirely above the window. */
  above: number;
  /** The scroll actually applied (clamped to what is loaded). */
  scrollBack: number;
}

/** The rows visible with `scrollBack` rows scrolled back, `height` rows tall. */
export function windowRows(items: readonly ChatItem[], scrollBack: number, height: number, width: number): ConvWindow {
  const want = Math.max(0, scrollBack) + height;
  // Walk up from the newest until the window is covered.
  const heights: number[] = [];
  let total = 0;
  let first = items.length;
  while (first > 0 && total < want) {
    first--;
    const h = itemHeight(items[first]!, items[first - 1], width);
    heights.push(h);
    total += h;
  }
  const applied = Math.max(0, Math.min(scrollBack, total - height));
  // Rows from the top of the walked region: skip `total - applied - height` of them.
  let skip = Math.max(0, total - applied - height);
  const rows: ConvRow[] = [];
  let above = first;
  for (let i = first; i < items.length && rows.length < height; i++) {
    const h = heights[items.length - 1 - i]!;
    if (skip >= h) {
      skip -= h;
      above = i + 1;
      continue;
    }
    const r = itemRows(items[i]!, items[i - 1], width);
    for (let j = skip; j < r.length && rows.length < height; j++) rows.push(r[j]!);
    skip = 0;
  }
  return { rows, above, scrollBack: applied };
}
