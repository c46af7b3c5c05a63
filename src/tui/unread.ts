// Unread counts: the one place that raises, clears, sets and adds them up.
// They come from messages arriving in conversations that are not open, and,
// on a server with live sync, from its read markers (the directory's counts
// at the start, then every marker moved by any of the user's devices).

import type { ChatState } from './model.js';

/** Adds `n` unread messages to `peer`'s count. */
export function addUnread(state: ChatState, peer: string, n: number): ChatState {
  if (n <= 0) return state;
  const unread = new Map(state.unread);
  unread.set(peer, (unread.get(peer) ?? 0) + n);
  return { ...state, unread };
}

/** Clears `peer`'s count (the conversation was opened). */
export function clearUnread(state: ChatState, peer: string): ChatState {
  if (!state.unread.has(peer)) return state;
  const unread = new Map(state.unread);
  unread.delete(peer);
  return { ...state, unread };
}

/** The unread messages of every conversation, leaving out `except` (the open one) when given. */
export function unreadTotal(unread: ReadonlyMap<string, number>, except?: string | null): number {
  let total = 0;
  for (const [name, n] of unread) if (name !== except) total += n;
  return total;
}

/** Sets `peer`'s count to `n` (the server's, from its read markers); 0 clears it. */
export function setUnread(state: ChatState, peer: string, n: number): ChatState {
  if ((state.unread.get(peer) ?? 0) === n) return state;
  const unread = new Map(state.unread);
  if (n > 0) unread.set(peer, n);
  else unread.delete(peer);
  return { ...state, unread };
}
