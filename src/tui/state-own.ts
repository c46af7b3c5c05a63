// Reducer parts for our own messages coming back from the server. The local
// copy shown while a message is on its way takes the server's id, time and
// place once the server accepts it and names its copy; the same message
// arriving by sync (or history) is then known by its id, so it shows once
// whatever its text, and two messages of the same text stay two. While one
// of ours to a peer is on its way, our own messages from the server to that
// peer are held back, as one may be its copy.

import type { Message } from '../protocol.js';
import type { ChatItem, ChatState, Conversation, ItemStatus } from './model.js';
import { sanitizeLine } from './sanitize.js';
import { itemFromMessage, mergeIntoConv, mergeItems, withConv } from './state-messages.js';

/** A local copy whose send has gone out and is not answered yet. */
function onItsWay(it: ChatItem): boolean {
  return it.id === null && it.raw !== undefined && it.status === 'sending';
}

/**
 * Splits one sync batch for a conversation: what to show now, and the
 * conversation with our own new messages held back while one of ours is on
 * its way there.
 */
export function holdOwn(conv: Conversation, items: ChatItem[], me: string): { conv: Conversation; show: ChatItem[] } {
  if (!conv.items.some(onItsWay)) return { conv, show: items };
  const held = conv.held ?? [];
  const hold = items.filter((it) => it.from === me && it.id !== null && !conv.ids.has(it.id) && !held.some((h) => h.id === it.id));
  if (hold.length === 0) return { conv, show: items.filter((it) => it.from !== me) };
  return { conv: { ...conv, held: held.concat(hold) }, show: items.filter((it) => it.from !== me) };
}

/** A change in the delivery of one of our messages; with the server's copy, the local one becomes it. */
export function applySendStatus(state: ChatState, a: { peer: string; key: string; status: ItemStatus; error?: string; message?: Message }): ChatState {
  const conv = state.convs.get(a.peer);
  if (!conv) return state;
  let i = conv.items.length - 1;
  while (i >= 0 && conv.items[i]!.key !== a.key) i--;
  if (i === -1) return state;
  const it = conv.items[i]!;
  const err = a.status === 'failed' ? sanitizeLine(a.error ?? 'failed') : undefined;
  let next: Conversation = conv;
  const copy = a.status === 'sent' && a.message && it.id === null ? itemFromMessage(a.message, Date.now()) : null;
  if (copy && copy.id !== null) next = adopt(conv, i, { ...copy, key: it.key }, copy.id);
  else if (it.status !== a.status || it.error !== err) {
    const items = conv.items.slice();
    items[i] = { ...it, status: a.status, error: err };
    next = { ...conv, items };
  }
  if (next === conv) return state;
  return release(withConv(state, next), a.peer);
}

/** Puts the server's copy of local item `i` in its place by id (or drops the local one if the copy is already shown). */
function adopt(conv: Conversation, i: number, copy: ChatItem, id: number): Conversation {
  const items = conv.items.filter((_, k) => k !== i);
  const held = conv.held?.filter((h) => h.id !== id);
  if (conv.ids.has(id)) return { ...conv, items, held };
  const merged = mergeItems({ ...conv, items }, [copy]);
  return { ...conv, items: merged.items, ids: merged.ids, held };
}

/** Once none of ours is on its way to the peer, what was held back shows. */
function release(state: ChatState, peer: string): ChatState {
  const conv = state.convs.get(peer)!;
  if (!conv.held?.length || conv.items.some(onItsWay)) return state;
  const held = conv.held;
  return mergeIntoConv(withConv(state, { ...conv, held: undefined }), peer, held.slice()).state;
}
