// What a node learns from Redis about whether its caches are current
// (docs/redis.md, "Node caches"): version counters the scripts count up
// (redis-scripts-users.ts), one per account for its sessions, and the
// presence version with its digest. Every reply that carries them is noted
// with when its command was issued: Redis ran it after that, so the stamps
// hold for every change made before that moment. A cache is used only with
// stamps from a command issued after the caller asked (or, for the online
// list, at most ONLINE_LAG_MS before); when none is at hand, one MGET fetches
// them, with the session versions of the accounts asked about, for every
// caller waiting at that moment.

import type { Reply } from './redis-replies.js';

/** The keys read for stamps, in the order of a stamps reply. */
export const STAMP_KEYS = ['ver:p', 'ver:u', 'pv', 'pd'] as const;

/** Lua reading the stamps (P is the namespace prefix), for a script to put in its reply. */
export const STAMPS_LUA = `redis.call('MGET', ${STAMP_KEYS.map((k) => `P .. '${k}'`).join(', ')})`;

/** The key counting the ends of an account's sessions before their time. */
export const sessionVersionKey = (prefix: string, userId: number): string => `${prefix}ver:s:${userId}`;

/**
 * How far node clocks may differ (ms): a presence raised from within this
 * much of its end counts `ver:p` up, so a node whose clock is ahead does not
 * keep a list without an account another node still saw as online.
 */
export const PRESENCE_SKEW_MS = 1000;

/** An online list may be answered from stamps this old (ms): logins and logouts elsewhere show within it. */
export const ONLINE_LAG_MS = 100;

/** The counters as of one moment; null when a counter does not exist (nothing is then cached on it). */
export interface Stamps {
  /** Changes of the online list other than an end passing. */
  presence: string | null;
  /** Accounts added, removed, or given a new password. */
  users: string | null;
  /** The cluster's presence version and the digest of the list it stands for. */
  version: number | null;
  digest: string | null;
}

const text = (x: Reply | undefined): string | null => (x === null || x === undefined ? null : String(x));

/** Stamps from a reply part in STAMP_KEYS order. */
export function parseStamps(part: Reply | undefined): Stamps {
  const a = Array.isArray(part) ? part : [];
  const v = text(a[2]);
  return { presence: text(a[0]), users: text(a[1]), version: v === null ? null : Number(v), digest: text(a[3]) };
}

/** One MGET not issued yet, and the accounts whose session versions it reads. */
interface Fetch {
  accounts: Set<number>;
  done: Promise<{ stamps: Stamps; sessions: Map<number, string | null> }>;
}

/** The newest stamps a node has seen, and a shared fetch of fresh ones. */
export class StampClock {
  private latest: Stamps | null = null;
  /** performance.now() when the command that gave `latest` was issued. */
  private latestAt = -Infinity;
  /** Callers arriving before it is issued share it. */
  private next: Fetch | null = null;

  constructor(
    /** Reads these keys in one round trip (MGET). */
    private readonly mget: (keys: string[]) => Promise<(string | null)[]>,
    /** The namespace prefix. */
    private readonly p: string,
    /** Hears every stamps noted (the presence version, for waiting syncs). */
    private readonly heard: (s: Stamps) => void,
  ) {}

  /** Takes stamps from a reply to a command issued at `issuedAt` (performance.now()). */
  note(stamps: Stamps, issuedAt: number): void {
    if (issuedAt < this.latestAt) return;
    this.latest = stamps;
    this.latestAt = issuedAt;
    this.heard(stamps);
  }

  /**
   * Runs a script whose reply starts with stamps, and notes them as of when it
   * was issued; gives the reply, the stamps and that moment.
   */
  async stamped(op: () => Promise<unknown>): Promise<{ reply: Reply[]; stamps: Stamps; at: number }> {
    const at = performance.now();
    const reply = (await op()) as Reply[];
    const stamps = parseStamps(reply[0]);
    this.note(stamps, at);
    return { reply, stamps, at };
  }

  /** Stamps from a command issued at or after `since` (performance.now()), fetching them when none is. */
  fresh(since: number): Stamps | Promise<Stamps> {
    if (this.latest !== null && this.latestAt >= since) return this.latest;
    return this.fetch().done.then((r) => r.stamps);
  }

  /** The account's session version, read by a command issued from now on (null: none kept). */
  async sessionVersion(userId: number): Promise<string | null> {
    const f = this.fetch();
    f.accounts.add(userId);
    return (await f.done).sessions.get(userId) ?? null;
  }

  private fetch(): Fetch {
    if (this.next !== null) return this.next;
    const accounts = new Set<number>();
    // Issued once the callers of this turn of the event loop have asked, so one MGET answers them all.
    const done = new Promise<Awaited<Fetch['done']>>((resolve, reject) => {
      setImmediate(() => {
        this.next = null;
        const ids = [...accounts];
        const keys = [...STAMP_KEYS.map((k) => this.p + k), ...ids.map((id) => sessionVersionKey(this.p, id))];
        const at = performance.now();
        // A store closed meanwhile throws at once: that fails these callers, not the process.
        Promise.resolve(keys)
          .then(this.mget)
          .then((r) => {
            const stamps = parseStamps(r.slice(0, STAMP_KEYS.length));
            this.note(stamps, at);
            const sessions = new Map<number, string | null>();
            ids.forEach((id, i) => sessions.set(id, r[STAMP_KEYS.length + i] ?? null));
            resolve({ stamps, sessions });
          }, reject);
      });
    });
    this.next = { accounts, done };
    return this.next;
  }
}
