// The sync half of the Redis store (docs/redis.md, "Live sync"): an account's
// events after a cursor, read markers, conversation state, bounded search,
// and the cluster's presence version. Scripts are in redis-scripts-sync.ts;
// events any node stores reach this node's listener through one subscriber
// connection, and when that connection comes back every waiting sync re-checks.

import type { Message } from '../../protocol.js';
import { messageInWireOrder } from './common.js';
import { runAgainIfCut, type RedisClient } from './redis-connect.js';
import * as syncLua from './redis-scripts-sync.js';
import type { Reply } from './redis-replies.js';
import { ONLINE_LAG_MS, type StampClock, type Stamps } from './redis-stamps.js';
import { searchWords, type ConversationState, type SyncBatch, type SyncListener, type SyncStore } from './sync-types.js';

type ScriptCall = (prefix: string, ...args: (string | number)[]) => Promise<Reply>;

const SCRIPTS = {
  cbSyncChanges: syncLua.CHANGES,
  cbSyncMark: syncLua.SET_READ_MARKER,
  cbSyncConversations: syncLua.CONVERSATIONS,
  cbSyncSearchPage: syncLua.SEARCH_PAGE,
  cbSyncPresence: syncLua.PRESENCE_VERSION,
} as const;

type Scripts = { -readonly [K in keyof typeof SCRIPTS]: ScriptCall };

/**
 * Messages one search looks at, at most (docs/redis.md, "Search"): past it,
 * the answer holds the matches among the newest this many before `before`.
 */
export const SEARCH_SCAN_CAP = 20_000;
/** Event-log entries one search script hands back. */
const SEARCH_PAGE = 1_000;

/** Sync on a shared Redis; `track` is the store's (close() waits for what it tracks). */
export class RedisSync implements SyncStore {
  private listener: SyncListener | null = null;
  private subscriber: RedisClient | null = null;
  private version = 0;
  private readonly run: Scripts;

  /** Declares the scripts on the store's client (before it is used). */
  static define(client: RedisClient): void {
    for (const [name, source] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: 1, lua: source });
  }

  constructor(
    private readonly client: RedisClient,
    /** Key namespace, as the store's. */
    private readonly p: string,
    track: <T>(op: Promise<T>) => Promise<T>,
    /** The store's stamps: they carry the presence version and its digest. */
    private readonly clock: StampClock,
  ) {
    const raw = client as unknown as Scripts;
    const run = {} as Scripts;
    // Every script here reads only, or changes nothing when run a second time (the marker is never lowered,
    // the presence digest is already the one stored), so each may run again after a cut link.
    for (const name of Object.keys(SCRIPTS) as (keyof Scripts)[]) {
      run[name] = (prefix, ...args) => track(runAgainIfCut(() => raw[name](prefix, ...args)));
    }
    this.run = run;
  }

  async changes(userId: number, sinceId: number, limit: number): Promise<SyncBatch> {
    const [bodies, marks, next] = (await this.run.cbSyncChanges(this.p, userId, sinceId, limit)) as [string[], string[], string];
    const read = new Map<string, number>();
    for (let i = 0; i + 1 < marks.length; i += 2) read.set(marks[i]!, Number(marks[i + 1]));
    return { messages: bodies.map(parseBody), read, next: Number(next) };
  }

  async setReadMarker(userId: number, username: string, peerId: number, id: number): Promise<number> {
    return Number(await this.run.cbSyncMark(this.p, userId, peerId, id, username));
  }

  async conversations(userId: number): Promise<{ byPeer: Map<string, ConversationState>; next: number }> {
    const [flat, next] = (await this.run.cbSyncConversations(this.p, userId)) as [string[], string];
    const byPeer = new Map<string, ConversationState>();
    for (let i = 0; i + 2 < flat.length; i += 3) byPeer.set(flat[i]!, { lastId: Number(flat[i + 1]), unread: Number(flat[i + 2]) });
    return { byPeer, next: Number(next) };
  }

  async search(userId: number, beforeId: number | null, limit: number, words: readonly string[]): Promise<Message[]> {
    if (words.length === 0 || limit <= 0) return [];
    const found: Message[] = [];
    let before = beforeId === null ? '+inf' : `(${beforeId}`;
    for (let looked = 0; looked < SEARCH_SCAN_CAP && found.length < limit; ) {
      const count = Math.min(SEARCH_PAGE, SEARCH_SCAN_CAP - looked);
      const [flat, low, seen] = (await this.run.cbSyncSearchPage(this.p, userId, before, count)) as [string[], string, number];
      for (let i = 0; i + 1 < flat.length && found.length < limit; i += 2) {
        const m = parseBody(flat[i + 1]!);
        if (holdsEvery(m.msg, words)) found.push(m);
      }
      looked += Math.max(1, Number(seen));
      if (low === '') break;
      before = `(${low}`;
    }
    return found.reverse();
  }

  /**
   * Costs no round trip while recent stamps (as the online list's) show this
   * digest is the one stored: the version then stands for it.
   */
  async presenceVersion(digest: string): Promise<number> {
    const stamps = await this.clock.fresh(performance.now() - ONLINE_LAG_MS);
    if (stamps.digest === digest && stamps.version !== null) return stamps.version;
    const { reply: r } = await this.clock.stamped(() => this.run.cbSyncPresence(this.p, digest, Date.now()));
    const v = Number(r[1]);
    this.learn(v);
    return v;
  }

  /** Stamps the store noted: a newer presence version than this node knew wakes the waiting syncs. */
  noteStamps(stamps: Stamps): void {
    if (stamps.version !== null) this.learn(stamps.version);
  }

  /**
   * Takes a version heard or read: a newer one wakes the waiting syncs, so a
   * change published while the subscriber was away still reaches them at this
   * node's next presence check.
   */
  private learn(v: number): void {
    if (!(v > this.version)) return;
    const first = this.version === 0;
    this.version = v;
    if (!first) this.listener?.presence(v);
  }

  knownPresenceVersion(): number {
    return this.version;
  }

  /** Subscribes to the namespace's events on a connection of its own. */
  async listen(listener: SyncListener): Promise<void> {
    this.listener = listener;
    const sub = this.client.duplicate();
    this.subscriber = sub;
    const events = this.p + 'events';
    const presence = this.p + 'presence';
    sub.on('error', () => {
      // The store's own connection reports Redis going away; this one only reconnects.
    });
    sub.on('message', (channel: string, text: string) => this.heard(channel === presence ? 'presence' : channel === events ? 'events' : null, text));
    let lost = false;
    sub.on('close', () => (lost = true));
    sub.on('ready', () => {
      if (!lost) return;
      lost = false;
      // Once subscribed again (ioredis re-subscribes too; this waits for it), whatever was
      // published while the link was down may have been missed: every waiting sync re-checks.
      sub.subscribe(events, presence).then(
        () => this.listener?.resync(),
        () => this.listener?.resync(),
      );
    });
    await sub.subscribe(events, presence);
  }

  private heard(kind: 'events' | 'presence' | null, text: string): void {
    const listener = this.listener;
    if (!listener || kind === null) return;
    if (kind === 'presence') {
      this.learn(Number(text));
      return;
    }
    let names: unknown;
    try {
      names = JSON.parse(text);
    } catch {
      return;
    }
    if (Array.isArray(names)) listener.events(names.filter((n): n is string => typeof n === 'string'));
  }

  async close(): Promise<void> {
    this.listener = null;
    const sub = this.subscriber;
    this.subscriber = null;
    if (sub) sub.disconnect();
  }
}

/** A stored body as a Message in the protocol's field order. */
function parseBody(body: string): Message {
  return messageInWireOrder(JSON.parse(body) as Message);
}

/**
 * True when `text` has every word as searchWords splits it. Each word must
 * then be a substring of the text folded the same way, which rules most
 * messages out before they are split.
 */
function holdsEvery(text: string, words: readonly string[]): boolean {
  const folded = text.normalize('NFKD').toLowerCase().replace(/\p{M}/gu, '');
  if (!words.every((w) => folded.includes(w))) return false;
  const have = new Set(searchWords(text));
  return words.every((w) => have.has(w));
}
