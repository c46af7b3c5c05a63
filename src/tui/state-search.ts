// Reducer parts for `/search`: the results view (newest first, one picked),
// and the jump to a found message in its conversation.

import type { Message } from '../protocol.js';
import { itemHeight, rowsOfTail } from './conversation-rows.js';
import { messageColumns } from './layout.js';
import { sanitizeLine } from './sanitize.js';
import type { ChatState, SearchHit } from './model.js';
import { itemFromMessage, withConv } from './state-messages.js';
import { peerOf } from './state-sync.js';

/** The results view opens, waiting for the server. */
export function searchStart(state: ChatState, query: string): ChatState {
  return { ...state, help: false, switcher: null, search: { query: sanitizeLine(query), status: 'loading', hits: [], pick: 0 } };
}

/** The server's answer (oldest first) for `query`; an answer to an older query is dropped. */
export function searchResults(state: ChatState, query: string, messages: readonly Message[]): ChatState {
  if (!state.search || state.search.query !== sanitizeLine(query)) return state;
  const now = Date.now();
  const hits: SearchHit[] = [];
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const it = itemFromMessage(m, now);
    if (it.id === null) continue;
    hits.push({ peer: peerOf(m, state.me), id: it.id, from: it.from, text: sanitizeLine(it.text), ts: it.ts });
  }
  hits.sort((a, b) => b.id - a.id);
  return { ...state, search: { ...state.search, status: 'done', hits, pick: 0 } };
}

/** The search failed (`error` for people). */
export function searchFailed(state: ChatState, query: string, error: string): ChatState {
  if (!state.search || state.search.query !== sanitizeLine(query)) return state;
  return { ...state, search: { ...state.search, status: 'failed', error: sanitizeLine(error) } };
}

/** Moves the pick, stopping at the ends. */
export function searchMove(state: ChatState, delta: number): ChatState {
  const s = state.search;
  if (!s || s.hits.length === 0) return state;
  const pick = Math.max(0, Math.min(s.hits.length - 1, s.pick + delta));
  return pick === s.pick ? state : { ...state, search: { ...s, pick } };
}

/** Closes the results view. */
export function searchClose(state: ChatState): ChatState {
  return state.search ? { ...state, search: null } : state;
}

/**
 * Scrolls the conversation with `peer` so the message `id` shows in the
 * middle of the pane (the conversation must hold it: load it first). Says so
 * when it is not there.
 */
export function jumpTo(state: ChatState, peer: string, id: number): ChatState {
  const conv = state.convs.get(peer);
  const idx = conv ? conv.items.findIndex((it) => it.id === id) : -1;
  if (!conv || idx === -1) return { ...state, notice: 'That message is no longer in the conversation' };
  const width = messageColumns(state.layout, state.me, peer).textWidth;
  const below = rowsOfTail(conv.items, idx + 1, width);
  const height = itemHeight(conv.items[idx]!, conv.items[idx - 1], width);
  const scrollBack = Math.max(0, below - Math.floor(Math.max(0, state.layout.messageRows - height) / 2));
  return withConv(state, { ...conv, scrollBack, newBelow: 0 });
}
