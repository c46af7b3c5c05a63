// Reducer parts for the users pane: presence (`online`), the directory
// (`users`), the order of the list, and moving the selection through it.

import type { DirectoryEntry, OnlineEntry } from '../protocol.js';
import { sanitizeLine } from './sanitize.js';
import { clearUnread } from './unread.js';
import { emptyConversation, peerName, type ChatState, type UserInfo } from './model.js';

/** A user the list has not heard about from `online` or `users` (someone who wrote to us). */
function unknownUser(username: string): UserInfo {
  return { username, nama: '', negara: '', online: false, listed: false };
}

function profileOf(entry: OnlineEntry): { nama: string; negara: string } {
  const d = entry.userdetail ?? { nama: '', negara: '' };
  return { nama: sanitizeLine(String(d.nama ?? '')), negara: sanitizeLine(String(d.negara ?? '')) };
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Online users first, then offline ones with messages in their
 * conversation, then the rest of the directory. Only messages count: opening
 * a conversation (an empty one) does not move its user.
 */
export function computeOrder(state: ChatState): string[] {
  const online: string[] = [];
  const talked: string[] = [];
  const rest: string[] = [];
  for (const u of state.users.values()) {
    if (u.online) online.push(u.username);
    else if ((state.convs.get(u.username)?.items.length ?? 0) > 0) talked.push(u.username);
    else rest.push(u.username);
  }
  return [...online.sort(byName), ...talked.sort(byName), ...rest.sort(byName)];
}

/** The order kept while it is frozen: users who left are dropped, new ones go at the end. */
function frozenOrder(state: ChatState): string[] {
  const kept = state.order.filter((name) => state.users.has(name));
  if (kept.length === state.users.size) return kept;
  const known = new Set(kept);
  const added = [...state.users.keys()].filter((name) => !known.has(name)).sort(byName);
  return kept.concat(added);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Recomputes the list order (keeping the old array when it did not change) and keeps the selection visible. */
export function reorder(state: ChatState): ChatState {
  const order = state.orderFrozen ? frozenOrder(state) : computeOrder(state);
  const next = sameList(order, state.order) ? state : { ...state, order };
  return keepVisible(next);
}

/** Adjusts the users pane's first row so the selected user is on screen. */
function keepVisible(state: ChatState): ChatState {
  const rows = state.layout.userRows;
  const idx = state.selected === null ? -1 : state.order.indexOf(state.selected);
  let top = state.userTop;
  if (idx >= 0) {
    if (idx < top) top = idx;
    if (idx >= top + rows) top = idx - rows + 1;
  }
  top = Math.max(0, Math.min(top, state.order.length - rows));
  return top === state.userTop ? state : { ...state, userTop: top };
}

/** Makes sure `peer` is in the users map (someone who wrote to us may not be listed). */
export function ensureUser(state: ChatState, peer: string): ChatState {
  if (state.users.has(peer)) {
    // A user with a new conversation may move up from the directory part of the list.
    return reorder(state);
  }
  const users = new Map(state.users);
  users.set(peer, unknownUser(peer));
  return reorder({ ...state, users });
}

/** The `online` list: marks who is online, updates profiles, drops users who no longer belong in the list. */
export function applyPresence(state: ChatState, online: OnlineEntry[]): ChatState {
  const now = new Map<string, OnlineEntry>();
  for (const e of online) if (e && typeof e === 'object') now.set(peerName(e.username), e);
  let changed = false;
  const users = new Map(state.users);
  for (const [name, u] of state.users) {
    const entry = now.get(name);
    if (entry) {
      const p = profileOf(entry);
      if (!u.online || u.nama !== p.nama || u.negara !== p.negara) {
        users.set(name, { ...u, ...p, online: true });
        changed = true;
      }
    } else if (u.online) {
      if (!u.listed && !state.convs.has(name)) users.delete(name);
      else users.set(name, { ...u, online: false });
      changed = true;
    }
  }
  for (const [name, entry] of now) {
    if (state.users.has(name) || name === state.me) continue;
    users.set(name, { username: name, ...profileOf(entry), online: true, listed: false });
    changed = true;
  }
  return changed ? reorder({ ...state, users }) : state;
}

/** The `users` directory: everyone but us, with profiles and online flags. */
export function applyDirectory(state: ChatState, entries: readonly DirectoryEntry[]): ChatState {
  const listed = new Map<string, DirectoryEntry>();
  for (const e of entries) if (e && typeof e === 'object') listed.set(peerName(e.username), e);
  let changed = false;
  const users = new Map(state.users);
  for (const [name, entry] of listed) {
    if (name === state.me) continue;
    const u = state.users.get(name);
    const p = profileOf(entry);
    const online = entry.online === true;
    if (!u || !u.listed || u.nama !== p.nama || u.negara !== p.negara || u.online !== online) {
      users.set(name, { username: name, ...p, online, listed: true });
      changed = true;
    }
  }
  for (const [name, u] of state.users) {
    if (!u.listed || listed.has(name)) continue;
    if (!u.online && !state.convs.has(name)) users.delete(name);
    else users.set(name, { ...u, listed: false });
    changed = true;
  }
  return changed ? reorder({ ...state, users }) : state;
}

/** Selects a conversation: clears its unread count and opens it. */
export function selectUser(state: ChatState, peer: string | null): ChatState {
  if (peer === null) return state;
  let next = state;
  if (state.selected !== peer) {
    next = { ...next, selected: peer, inputPos: null, inputStash: null, help: false };
  }
  next = clearUnread(next, peer);
  if (!next.convs.has(peer)) {
    const convs = new Map(next.convs);
    convs.set(peer, emptyConversation(peer));
    next = reorder({ ...next, convs });
  }
  return keepVisible(next);
}

/** Moves the selection `delta` places down the list: wrapping around, or stopping at the ends with `clamp` (±Infinity: the ends). */
export function moveSelection(state: ChatState, delta: number, clamp = false): ChatState {
  const n = state.order.length;
  if (n === 0) return state;
  const idx = state.selected === null ? -1 : state.order.indexOf(state.selected);
  let next: number;
  if (clamp) next = Math.max(0, Math.min(n - 1, (idx === -1 ? 0 : idx) + delta));
  else next = idx === -1 ? (delta > 0 ? 0 : n - 1) : (((idx + delta) % n) + n) % n;
  return selectUser(state, state.order[next]!);
}

/** Selects the next user (after the selected one, wrapping) with unread messages. */
export function nextUnread(state: ChatState): ChatState {
  const n = state.order.length;
  const idx = state.selected === null ? -1 : state.order.indexOf(state.selected);
  for (let k = 1; k <= n; k++) {
    const name = state.order[(idx + k + n) % n]!;
    if ((state.unread.get(name) ?? 0) > 0) return selectUser(state, name);
  }
  return state.notice === 'No unread messages' ? state : { ...state, notice: 'No unread messages' };
}
