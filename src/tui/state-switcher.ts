// Reducer parts for the quick switcher (Ctrl+K): a query typed over the
// screen, the users matching it (fuzzy.ts), one of them picked, Enter opens
// that conversation, whether or not the user ever wrote.

import type { EditAction } from './keys.js';
import { rankCandidates } from './fuzzy.js';
import { applyEdit, EMPTY_LINE, insertText, type EditLine } from './line-edit.js';
import type { ChatState } from './model.js';
import { selectUser } from './state-users.js';

function matchesFor(state: ChatState, query: string): string[] {
  return rankCandidates(query, state.users.values());
}

function withQuery(state: ChatState, query: EditLine): ChatState {
  if (!state.switcher || query === state.switcher.query) return state;
  const matches = query.text === state.switcher.query.text ? state.switcher.matches : matchesFor(state, query.text);
  const pick = query.text === state.switcher.query.text ? state.switcher.pick : 0;
  return { ...state, switcher: { query, matches, pick } };
}

/** Opens (true) or closes (false) the switcher; opening lists everyone in the list's order. */
export function toggleSwitcher(state: ChatState, open: boolean): ChatState {
  if (open === (state.switcher !== null)) return state;
  if (!open) return { ...state, switcher: null };
  return { ...state, help: false, switcher: { query: EMPTY_LINE, matches: state.order, pick: 0 } };
}

/** Text typed into the query (line breaks are not part of a name). */
export function switcherType(state: ChatState, text: string): ChatState {
  if (!state.switcher) return state;
  const clean = text.replace(/[\r\n\t]+/g, ' ');
  return clean === '' ? state : withQuery(state, insertText(state.switcher.query, clean));
}

/** A line-editing key on the query. */
export function switcherEdit(state: ChatState, action: EditAction): ChatState {
  if (!state.switcher || action === 'newline' || action === 'yank') return state;
  return withQuery(state, applyEdit(state.switcher.query, action));
}

/** Moves the pick `delta` places (wrapping). */
export function switcherMove(state: ChatState, delta: number): ChatState {
  const sw = state.switcher;
  if (!sw || sw.matches.length === 0) return state;
  const n = sw.matches.length;
  const pick = (((sw.pick + delta) % n) + n) % n;
  return pick === sw.pick ? state : { ...state, switcher: { ...sw, pick } };
}

/** Enter: opens the picked user's conversation and closes the switcher. */
export function switcherChoose(state: ChatState): ChatState {
  const sw = state.switcher;
  if (!sw) return state;
  const name = sw.matches[sw.pick];
  if (name === undefined) {
    const notice = sw.query.text.trim() === '' ? 'Nobody to open yet' : 'Nobody matches that';
    return state.notice === notice ? state : { ...state, notice };
  }
  return selectUser({ ...state, switcher: null }, name);
}
