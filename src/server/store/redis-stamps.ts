// What a node learns from Redis about whether its caches are current
// (docs/redis.md, "Node caches"): three version counters the scripts count up
// (redis-scripts-users.ts) and the presence version with its digest. Every
// reply that carries them is noted with when its command was issued: Redis ran
// it after that, so the stamps hold for every change made before that moment.
// A cache is used only with stamps from a command issued after the caller
// asked (or, for the online list, at most ONLINE_LAG_MS before); when none
// is at hand, one MGET fetches them for every caller waiting at that moment.

/** The keys read for stamps, in the order of a stamps reply. */
export const STAMP_KEYS = ['ver:s', 'ver:p', 'ver:u', 'pv', 'pd'] as const;

/** Lua reading the stamps (P is the namespace prefix), for a script to put in its reply. */
export const STAMPS_LUA = `redis.call('MGET', ${STAMP_KEYS.map((k) => `P .. '${k}'`).join(', ')})`;

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
  /** Sessions ended before their time. */
  sessions: string | null;
  /** Changes of the online list other than an end passing. */
  presence: string | null;
  /** Accounts added, removed, or given a new password. */
  users: string | null;
  /** The cluster's presence version and the digest of the list it stands for. */
  version: number | null;
  digest: string | null;
}

type Reply = string | number | null | Reply[];

/** Stamps from a reply part in STAMP_KEYS order. */
export function parseStamps(part: Reply | undefined): Stamps {
  const a = Array.isArray(part) ? part : [];
  const str = (i: number): string | null => (a[i] === null || a[i] === undefined ? null : String(a[i]));
  const v = str(3);
  return { sessions: str(0), presence: str(1), users: str(2), version: v === null ? null : Number(v), digest: str(4) };
}

/** The newest stamps a node has seen, and a shared fetch of fresh ones. */
export class StampClock {
  private latest: Stamps | null = null;
  /** performance.now() when the command that gave `latest` was issued. */
  private latestAt = -Infinity;
  /** A fetch not issued yet: callers arriving before it goes share it. */
  private next: Promise<Stamps> | null = null;

  constructor(
    /** Reads the stamps in one round trip. */
    private readonly fetch: () => Promise<Reply>,
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

  /** Stamps from a command issued at or after `since` (performance.now()), fetching them when none is. */
  fresh(since: number): Stamps | Promise<Stamps> {
    if (this.latest !== null && this.latestAt >= since) return this.latest;
    if (this.next === null) {
      // Issued once the callers of this turn of the event loop have asked, so one MGET answers them all.
      this.next = new Promise<Stamps>((resolve, reject) => {
        setImmediate(() => {
          this.next = null;
          const at = performance.now();
          this.fetch().then((r) => {
            const s = parseStamps(r);
            this.note(s, at);
            resolve(s);
          }, reject);
        });
      });
    }
    return this.next;
  }
}
