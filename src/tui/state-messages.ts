// Reducer parts for messages: incoming (inbox), history pages, our own sends
// and their delivery status. Messages are deduplicated by id, so an inbox
// reply seen twice, or a message seen both in history and in the inbox,
// shows once.

import type { Message } from '../protocol.js';
import type { Inbox } from '../client.js';
import { itemHeight, rowsOfTail } from './conversation-rows.js';
import { parseTime } from './format.js';
import { messageColumns } from './layout.js';
import { EMPTY_LINE } from './line-edit.js';
import { sanitize, sanitizeLine } from './sanitize.js';
import { emptyConversation, INPUT_HISTORY_MAX, peerName, type ChatItem, type ChatState, type Conversation } from './model.js';
import { ensureUser, reorder } from './state-users.js';
import { addUnread } from './unread.js';

/** A server message as the view holds it. */
export function itemFromMessage(m: Message, now: number, sender?: string): ChatItem {
  const id = typeof m.id === 'number' && Number.isSafeInteger(m.id) ? m.id : null;
  const text = typeof m.msg === 'string' ? m.msg.trim() : String(m.msg ?? '');
  return {
    // Unnumbered messages (an original server) get a key when merged.
    key: id !== null ? `m${id}` : '',
    id,
    from: peerName(m.sender ?? sender ?? m.msg_from),
    text: sanitize(text, 'rows'),
    ts: parseTime(m.ts, now),
    status: 'sent',
  };
}

/** Merges new server items into a conversation, by id; returns the new parts and what was added. */
export function mergeItems(conv: Conversation, incoming: ChatItem[]): { items: readonly ChatItem[]; ids: ReadonlySet<number>; added: ChatItem[]; appended: boolean } {
  const added: ChatItem[] = [];
  const seen = new Set<number>();
  for (const it of incoming) {
    if (it.id !== null) {
      if (conv.ids.has(it.id) || seen.has(it.id)) continue;
      seen.add(it.id);
      added.push(it);
    } else {
      added.push({ ...it, key: `x${conv.items.length + added.length}` });
    }
  }
  if (added.length === 0) return { items: conv.items, ids: conv.ids, added, appended: true };
  added.sort((a, b) => (a.id ?? Infinity) - (b.id ?? Infinity));
  const ids = new Set(conv.ids);
  for (const id of seen) ids.add(id);
  let maxId = -Infinity;
  for (const id of conv.ids) if (id > maxId) maxId = id;
  const firstNew = added[0]!.id ?? Infinity;
  if (firstNew > maxId) return { items: conv.items.concat(added), ids, added, appended: true };
  // Interleave by id; our own unnumbered items stay after what preceded them.
  const items: ChatItem[] = [];
  let j = 0;
  for (const it of conv.items) {
    if (it.id !== null) {
      while (j < added.length && (added[j]!.id ?? Infinity) < it.id) items.push(added[j++]!);
    }
    items.push(it);
  }
  while (j < added.length) items.push(added[j++]!);
  return { items, ids, added, appended: false };
}

export function withConv(state: ChatState, conv: Conversation): ChatState {
  const convs = new Map(state.convs);
  convs.set(conv.peer, conv);
  return { ...state, convs };
}

/**
 * Merges server items into `peer`'s conversation, keeping the rows on screen
 * where they are when it is scrolled back. Returns the new state and the
 * items that were new.
 */
export function mergeIntoConv(state: ChatState, peer: string, incoming: ChatItem[]): { state: ChatState; added: ChatItem[] } {
  const conv = state.convs.get(peer) ?? emptyConversation(peer);
  const merged = mergeItems(conv, incoming);
  if (merged.added.length === 0) return { state, added: merged.added };
  let { scrollBack, newBelow } = conv;
  if (peer === state.selected && scrollBack > 0) {
    // Keep the rows on screen where they are: scroll back by what was added below.
    const width = messageColumns(state.layout, state.me, peer).textWidth;
    scrollBack += merged.appended
      ? rowsOfTail(merged.items, conv.items.length, width)
      : merged.added.reduce((n, it) => n + itemHeight(it, it, width), 0);
    newBelow += merged.added.length;
  }
  const next = withConv(state, { ...conv, items: merged.items, ids: merged.ids, scrollBack, newBelow });
  return { state: ensureUser(next, peer), added: merged.added };
}

/** Messages from the inbox: merged, counted as unread elsewhere, kept in view when scrolled back. */
export function applyIncoming(state: ChatState, inbox: Inbox, now: number): ChatState {
  let next = state;
  let ring = false;
  for (const [sender, list] of Object.entries(inbox)) {
    if (!Array.isArray(list) || list.length === 0) continue;
    const peer = peerName(sender);
    const merged = mergeIntoConv(next, peer, list.map((m) => itemFromMessage(m, now, peer)));
    next = merged.state;
    if (merged.added.length > 0 && peer !== next.selected) {
      next = addUnread(next, peer, merged.added.length);
      ring = true;
    }
  }
  return ring ? { ...next, bell: next.bell + 1 } : next;
}

/** A history request for `peer` went out. */
export function historyLoading(state: ChatState, peer: string): ChatState {
  const conv = state.convs.get(peer) ?? emptyConversation(peer);
  if (conv.history === 'loading') return state;
  return withConv(state, { ...conv, history: 'loading', wantOlder: false });
}

/**
 * A history page arrived (`messages`), or the request failed (null: the
 * conversation goes back to what it was, to be asked again later).
 */
export function applyHistory(state: ChatState, peer: string, messages: Message[] | null, complete: boolean, error?: string): ChatState {
  const conv = state.convs.get(peer) ?? emptyConversation(peer);
  if (messages === null) {
    const history = conv.items.some((it) => it.id !== null) ? 'partial' : 'unloaded';
    const failed = withConv(state, { ...conv, history });
    return error ? { ...failed, notice: sanitizeLine(error) } : failed;
  }
  const now = Date.now();
  const merged = mergeItems(conv, messages.map((m) => itemFromMessage(m, now)));
  const next = withConv(state, {
    ...conv,
    items: merged.items,
    ids: merged.ids,
    history: complete ? 'complete' : 'partial',
    wantOlder: false,
  });
  // A conversation that turns out to have messages joins the users you talk to.
  return conv.items.length === 0 && merged.items.length > 0 ? reorder(next) : next;
}

/** Our own message, typed and on its way (or queued until the connection is back). */
export function applySendStart(
  state: ChatState,
  a: { peer: string; key: string; text: string; ts: number; queued: boolean; fromCompose?: boolean; input?: string },
): ChatState {
  const conv = state.convs.get(a.peer) ?? emptyConversation(a.peer);
  const item: ChatItem = { key: a.key, id: null, from: state.me, text: sanitize(a.text, 'rows'), raw: a.text, ts: a.ts, status: a.queued ? 'queued' : 'sending' };
  let next = withConv(state, { ...conv, items: conv.items.concat(item), scrollBack: 0, newBelow: 0 });
  next = ensureUser(next, a.peer);
  if (a.fromCompose) {
    const drafts = new Map(next.drafts);
    drafts.set(a.peer, EMPTY_LINE);
    // What was typed (a multi-line draft goes out as one message per line, and is remembered whole).
    const typed = a.input ?? a.text;
    const last = next.sentInput[next.sentInput.length - 1];
    const sentInput = last === typed ? next.sentInput : next.sentInput.concat(typed).slice(-INPUT_HISTORY_MAX);
    next = { ...next, drafts, sentInput, inputPos: null, inputStash: null };
  }
  return next;
}

/**
 * The server no longer has the messages we saw (it came back with a new
 * database, so its message ids start over). What is on screen stays, as it
 * was, before anything new; it no longer takes part in ordering or
 * deduplicating by id, and no older history is asked for.
 */
export function applyServerReset(state: ChatState): ChatState {
  const convs = new Map<string, Conversation>();
  for (const [peer, conv] of state.convs) {
    const items = conv.items.map((it) => (it.id === null ? it : { ...it, id: null, key: `r${it.key}` }));
    convs.set(peer, { ...conv, items, ids: new Set(), history: 'complete', wantOlder: false, held: undefined });
  }
  return { ...state, convs, notice: 'The server lost its message history (a new database?); new messages follow what you saw' };
}
