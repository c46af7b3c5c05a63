// Unread counts: the one place that raises, clears and adds them up. Today
// they come from messages arriving in conversations that are not open; a
// server's read markers would set them here too.

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
