// What one node of the Redis store keeps in memory (docs/redis.md, "Node
// caches"): sessions it checked, accounts it looked up, and the online list.
// Each entry carries the version counter it was read under; it is answered
// only while fresh stamps (redis-stamps.ts) show that counter unchanged, so
// a change made on any node, or by the admin command, is seen by the next
// request that asks after it (the online list: within ONLINE_LAG_MS).

import type { UserProfile } from '../../protocol.js';
import { ONLINE_LAG_MS, type StampClock, type Stamps } from './redis-stamps.js';
import type { SessionInfo, UserRecord } from './types.js';

/** Entries per map, at most: past it the map starts over (a cache, not a copy of Redis). */
const MAX_ENTRIES = 100_000;

interface CachedSession {
  userId: number;
  username: string;
  /** The last use as Redis holds it. */
  used: number;
  /** The account's session version (`ver:s:<uid>`) when it was read. */
  version: string;
}

interface CachedUser {
  record: UserRecord | null;
  /** `ver:u` when it was read. */
  version: string;
}

interface CachedOnline {
  list: UserProfile[];
  ids: ReadonlySet<number>;
  /** `ver:p` when it was read. */
  version: string;
  /** The `now` it was read for, and the lowest presence end in it: it holds for now in [from, until). */
  from: number;
  until: number;
}

function put<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_ENTRIES && !map.has(key)) map.clear();
  map.set(key, value);
}

/** The caches of one node, each checked against the stamps before use. */
export class NodeCache {
  // Maps: tokens and usernames come from clients, and `__proto__` is a name like any other.
  private readonly sessions = new Map<string, CachedSession>();
  private readonly users = new Map<string, CachedUser>();
  private online: CachedOnline | null = null;
  /** performance.now() after this node's last change of presence: the online list needs stamps from after it. */
  private ownChangeAt = -Infinity;

  constructor(
    readonly clock: StampClock,
    /** A use that moves a session's last use by less than this is not written (ms). */
    private readonly slack: number,
  ) {}

  /**
   * The session of this token hash as Redis holds it now, when the cache can
   * tell without a write being due; undefined when the store must ask Redis.
   */
  async session(hash: string, now: number): Promise<SessionInfo | undefined> {
    const hit = this.sessions.get(hash);
    if (hit === undefined || now - hit.used >= this.slack) return undefined;
    if ((await this.clock.sessionVersion(hit.userId)) !== hit.version) return undefined;
    return { userId: hit.userId, username: hit.username, lastUsedAt: Math.max(now, hit.used) };
  }

  /** Records what Redis answered for a session (null: no live session; a null version: not kept). */
  keepSession(hash: string, found: { userId: number; username: string; used: number; version: string | null } | null): void {
    if (found === null || found.version === null) this.sessions.delete(hash);
    else put(this.sessions, hash, { ...found, version: found.version });
  }

  /** The account that has this name now, or null; undefined when the store must ask Redis. */
  async user(name: string): Promise<UserRecord | null | undefined> {
    const since = performance.now();
    const hit = this.users.get(name);
    if (hit === undefined) return undefined;
    const stamps = await this.clock.fresh(since);
    if (stamps.users === null || stamps.users !== hit.version) return undefined;
    return hit.record === null ? null : { ...hit.record };
  }

  keepUser(name: string, stamps: Stamps, record: UserRecord | null): void {
    if (stamps.users === null) this.users.delete(name);
    else put(this.users, name, { record: record === null ? null : { ...record }, version: stamps.users });
  }

  /**
   * The online list at `now` (the same array while it holds, so its encoding
   * can be shared); undefined when the store must ask Redis.
   */
  async onlineList(now: number): Promise<UserProfile[] | undefined> {
    const since = Math.max(performance.now() - ONLINE_LAG_MS, this.ownChangeAt);
    const hit = this.online;
    if (hit === null || now < hit.from || now >= hit.until) return undefined;
    const stamps = await this.clock.fresh(since);
    return stamps.presence !== null && stamps.presence === hit.version && this.online === hit ? hit.list : undefined;
  }

  /** Keeps the list Redis answered for `now` under these stamps, from a command issued at `issuedAt`. */
  keepOnline(stamps: Stamps, entries: readonly { id: number; profile: UserProfile }[], now: number, lowestEnd: number, issuedAt: number): UserProfile[] {
    const list = entries.map((e) => e.profile);
    if (issuedAt < this.ownChangeAt) return list;
    const ids = new Set(entries.map((e) => e.id));
    this.online = stamps.presence === null ? null : { list, ids, version: stamps.presence, from: now, until: lowestEnd };
    return list;
  }

  /**
   * This node changed presence (a login, a logout, a release): its next
   * online list waits for stamps from after the change, so the node's own
   * changes show at once, without the lag.
   */
  ownPresenceChange(): void {
    this.ownChangeAt = performance.now();
  }

  /**
   * This node raised these accounts' presence: one not in the list may have
   * been offline at a time of this node's choosing that the counter does not
   * see (a caller passing a `now` far from the other nodes' clocks).
   */
  raised(ids: readonly number[]): void {
    const hit = this.online;
    if (hit !== null && ids.some((id) => !hit.ids.has(id))) {
      this.online = null;
      this.ownPresenceChange();
    }
  }
}
