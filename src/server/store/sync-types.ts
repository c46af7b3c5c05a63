// What live sync, read markers and search need from a store, beside the
// Store contract: each store keeps it in a file of its own (sqlite-sync.ts,
// redis-sync.ts). Messages and read-marker changes share the message id
// sequence ("events"), and become visible in increasing id order.

import type { Message } from '../../protocol.js';

/** What changed for an account after some event id. */
export interface SyncBatch {
  /** Messages to or from the account, oldest first. */
  messages: Message[];
  /** Peer username -> the account's read marker for that conversation, for markers changed in the range. */
  read: Map<string, number>;
  /** The cursor to pass next time. */
  next: number;
}

/** One conversation of an account, as the directory shows it. */
export interface ConversationState {
  /** Messages from the peer above the account's read marker. */
  unread: number;
  /** The newest message between the two, either way. */
  lastId: number;
}

/** Hears the events a store stores, on this node or (Redis) any node. */
export interface SyncListener {
  /** Events were stored that concern these usernames (their waiting syncs re-check). */
  events(usernames: readonly string[]): void;
  /** The presence version changed somewhere, to `version`. */
  presence(version: number): void;
  /** Events may have been missed (a link came back): every waiting sync re-checks. */
  resync(): void;
}

/** The sync half of a store. */
export interface SyncStore {
  /**
   * Messages to or from the account with id > sinceId (at most `limit`, oldest
   * first), the account's read markers changed by events in the same range,
   * and the cursor, read in one consistent step.
   */
  changes(userId: number, sinceId: number, limit: number): Promise<SyncBatch>;
  /**
   * Raises the account's read marker for the conversation with `peerId` to
   * `id` (capped at the highest id assigned), marking the peer's messages up
   * to it received. Returns the event id, or 0 when the marker did not move.
   */
  setReadMarker(userId: number, username: string, peerId: number, id: number): Promise<number>;
  /** The account's conversations by peer username (current accounts only), and the highest event id. */
  conversations(userId: number): Promise<{ byPeer: Map<string, ConversationState>; next: number }>;
  /** The newest `limit` messages of the account with id < beforeId matching every word, oldest first. */
  search(userId: number, beforeId: number | null, limit: number, words: readonly string[]): Promise<Message[]>;
  /** The presence version for an online list with this digest (a new version when the digest differs from the last seen). */
  presenceVersion(digest: string): Promise<number>;
  /** The last presence version known here, without asking the store. */
  knownPresenceVersion(): number;
  /** Starts telling `listener` about events. One listener per store. */
  listen(listener: SyncListener): Promise<void>;
  /** Stops listening (the store's own close follows). */
  close(): Promise<void>;
}

/** A store with a sync half. */
export interface HasSync {
  readonly sync: SyncStore;
}

/** The sync half of a store, when it has one. */
export function syncOf(store: object): SyncStore | null {
  const s = (store as Partial<HasSync>).sync;
  return s ?? null;
}

/**
 * The words of a search query, as the full-text index splits text: runs of
 * letters, digits and marks, lowercase, without diacritics (as FTS5's
 * unicode61 tokenizer does), each once.
 */
export function searchWords(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.normalize('NFKD').toLowerCase().matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    const w = m[0].replace(/\p{M}/gu, '');
    if (w !== '') out.add(w);
  }
  return [...out];
}
