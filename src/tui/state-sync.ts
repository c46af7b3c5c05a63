// Reducer parts for live sync: batches of messages to and from this user
// (sent from any device, this one included: see state-own.ts), read markers
// that set unread counts, and the directory's unread counts when sync starts.

import type { DirectoryEntry, Message } from '../protocol.js';
import { emptyConversation, peerName, type ChatItem, type ChatState } from './model.js';
import { itemFromMessage, mergeIntoConv, withConv } from './state-messages.js';
import { holdOwn } from './state-own.js';
import { applyDirectory } from './state-users.js';
import { addUnread, clearUnread, setUnread } from './unread.js';

/** The other side of a message: its recipient when we sent it, else its sender. */
export function peerOf(m: Message, me: string): string {
  return peerName(m.sender === me ? m.recipient : m.sender);
}

/**
 * One sync answer: messages grouped by conversation, deduplicated and
 * ordered by id; messages from others count as unread where the
 * conversation is not open; then the read markers moved (on any device) set
 * each conversation's count to what it has above the marker.
 */
export function applySyncBatch(state: ChatState, messages: readonly Message[], read: ReadonlyMap<string, number>, now: number): ChatState {
  const byPeer = new Map<string, ChatItem[]>();
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const peer = peerOf(m, state.me);
    if (peer === state.me) continue;
    const item = itemFromMessage(m, now);
    if (item.id === null) continue;
    const list = byPeer.get(peer);
    if (list) list.push(item);
    else byPeer.set(peer, [item]);
  }
  let next = state;
  let ring = false;
  for (const [peer, items] of byPeer) {
    const conv = next.convs.get(peer) ?? emptyConversation(peer);
    // Ours from the server wait while one of ours is on its way there (see holdOwn).
    const held = holdOwn(conv, items, next.me);
    if (held.conv !== conv) next = withConv(next, held.conv);
    const merged = mergeIntoConv(next, peer, held.show);
    next = merged.state;
    const theirs = merged.added.filter((it) => it.from !== next.me).length;
    if (theirs > 0 && peer !== next.selected) {
      next = addUnread(next, peer, theirs);
      ring = true;
    }
  }
  for (const [name, marker] of read) {
    const peer = peerName(name);
    if (peer === next.selected) {
      next = clearUnread(next, peer);
      continue;
    }
    const conv = next.convs.get(peer);
    let above = 0;
    for (const it of conv?.items ?? []) if (it.id !== null && it.id > marker && it.from === peer) above++;
    next = setUnread(next, peer, above);
  }
  return ring ? { ...next, bell: next.bell + 1 } : next;
}

/** The directory read when sync starts: the list, and each conversation's unread count from the server's markers. */
export function applySyncStart(state: ChatState, entries: readonly DirectoryEntry[]): ChatState {
  let next = applyDirectory(state, entries);
  for (const e of entries) {
    if (!e || typeof e !== 'object') continue;
    const n = e.unread;
    const peer = peerName(e.username);
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || peer === next.me || peer === next.selected) continue;
    next = setUnread(next, peer, Math.max(0, n));
  }
  return next;
}
