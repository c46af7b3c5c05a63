// The scale-out store: every server node keeps its state in one shared Redis
// (or Redis Cluster). Whatever must be atomic across nodes runs as a Lua
// script (redis-scripts-*.ts). A node caches sessions, accounts and the online
// list, each checked against version counters read after the caller asked
// (redis-cache.ts, redis-stamps.ts). See docs/redis.md.

import { RETENTION } from './redis-scripts-retention.js';
import { randomUUID } from 'node:crypto';
import type { Message, UserProfile } from '../../protocol.js';
import { hashToken, messageInWireOrder, sessionWriteSlack } from './common.js';
import { connectRedis, runAgainIfCut, type RedisClient, type RedisConnectOptions } from './redis-connect.js';
import { NodeCache } from './redis-cache.js';
import { accounts, parseBodies, unavailable, type Reply } from './redis-replies.js';
import { MIGRATE } from './redis-migrate.js';
import * as msgLua from './redis-scripts-messages.js';
import * as userLua from './redis-scripts-users.js';
import { StampClock } from './redis-stamps.js';
import { RedisSync } from './redis-sync.js';
import {
  DEFAULT_MAX_SESSIONS_PER_USER,
  type AccountRef, type DirectoryUser, type NewUser, type PresenceHold, type SendResult, type SessionInfo, type SessionPolicy,
  type Store, type UserRecord,
} from './types.js';

/** Options of RedisStore.open. */
export interface RedisStoreOptions extends RedisConnectOptions {
  /** Names the key namespace, so several ChatBox installs can share one Redis (default 'chatbox'). */
  prefix?: string;
}

type ScriptCall = (prefix: string, ...args: (string | number)[]) => Promise<Reply>;

const SCRIPTS = {
  cbMigrate: MIGRATE,
  cbInitVersions: userLua.INIT_VERSIONS,
  cbAddUser: userLua.ADD_USER,
  cbGetUser: userLua.GET_USER,
  cbSetPassword: userLua.SET_PASSWORD,
  cbRemoveUser: userLua.REMOVE_USER,
  cbCreateSession: userLua.CREATE_SESSION,
  cbUseSession: userLua.USE_SESSION,
  cbEndSession: userLua.END_SESSION,
  cbHoldPresence: userLua.HOLD_PRESENCE,
  cbReleasePresence: userLua.RELEASE_PRESENCE,
  cbListUsers: userLua.LIST_USERS,
  cbOnlineUsers: userLua.ONLINE_USERS,
  cbDirectory: userLua.DIRECTORY,
  cbAddMessage: msgLua.ADD_MESSAGE,
  cbClaimInbox: msgLua.CLAIM_INBOX,
  cbSettleClaim: msgLua.SETTLE_CLAIM,
  cbAckInbox: msgLua.ACK_INBOX,
  cbHistory: msgLua.HISTORY,
  cbRetention: RETENTION,
} as const;

type Scripts = { -readonly [K in keyof typeof SCRIPTS]: ScriptCall };

/**
 * Scripts run once more when the connection dropped under them, because a
 * second run changes nothing the first did not (docs/redis.md, "Retry
 * safety"). Any other fails with "Redis is unavailable: connection closed".
 */
const RUN_AGAIN_IF_CUT: ReadonlySet<keyof Scripts> = new Set<keyof Scripts>([
  'cbAddMessage', // keyed by its request id
  'cbClaimInbox', // keyed by its claim id
  'cbSettleClaim',
  'cbAckInbox',
  'cbGetUser',
  'cbUseSession',
  'cbEndSession',
  'cbHoldPresence',
  'cbListUsers',
  'cbOnlineUsers',
  'cbDirectory',
  'cbHistory',
  'cbRetention', // deleting what is already gone changes nothing
  'cbInitVersions', // creates only what is missing
]);

/** How long a send's request id is remembered: well past any re-run of it (ms). */
const REQUEST_TTL_MS = 5 * 60_000;
/** Accounts or messages one migration script moves at a time. */
const MIGRATE_SLICE = 500;

/** Store on a shared Redis, for many stateless server nodes. */
export class RedisStore implements Store {
  private closed = false;
  /** Commands sent and not yet answered: close() lets them finish. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The scripts, each call tracked. */
  private readonly scripts: Scripts;
  /** Names this node's presence holds, apart from every other node's. */
  private readonly holder = randomUUID();
  private readonly cap: number;
  /** Live sync, read markers and search (redis-sync.ts). */
  readonly sync: RedisSync;
  /** Sessions, accounts and the online list as this node last read them. */
  private readonly cache: NodeCache;

  /**
   * Connects to `url`: `redis://[user:password@]host:port[/db]` (`rediss://`
   * for TLS), or several comma-separated URLs of one Redis Cluster. Throws an
   * Error with a one-line message when Redis cannot be reached.
   */
  static async open(url: string, policy: SessionPolicy, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const prefix = options.prefix ?? 'chatbox';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new Error(`invalid Redis key prefix '${prefix}' (letters, digits, _ . -)`);
    const client = await connectRedis(url, options);
    for (const [name, source] of Object.entries(SCRIPTS)) {
      client.defineCommand(name, { numberOfKeys: 1, lua: source });
    }
    RedisSync.define(client);
    const store = new RedisStore(client, policy, `{${prefix}}:`);
    try {
      await store.migrate();
    } catch (err) {
      client.disconnect();
      throw err;
    }
    return store;
  }

  /** Brings data of an older layout up to date, a slice per script; nodes starting together share the work. */
  private async migrate(): Promise<void> {
    const { presenceWindowMs, idleLifetimeMs } = this.policy;
    for (;;) {
      const r = String(await this.run.cbMigrate(this.p, MIGRATE_SLICE, Date.now(), presenceWindowMs, idleLifetimeMs));
      if (r.startsWith('newer ')) {
        throw new Error(`Redis namespace ${this.p.slice(0, -1)} has key layout ${r.slice(6)}, newer than this chatbox understands; upgrade chatbox`);
      }
      if (r === 'done') break;
    }
    await this.run.cbInitVersions(this.p);
  }

  private constructor(
    private readonly client: RedisClient,
    private readonly policy: SessionPolicy,
    /** Key namespace; the braces put every key in one Cluster slot. */
    private readonly p: string,
  ) {
    const raw = client as unknown as Scripts;
    const scripts = {} as Scripts;
    for (const name of Object.keys(SCRIPTS) as (keyof Scripts)[]) {
      const call: ScriptCall = (prefix, ...args) => raw[name](prefix, ...args);
      scripts[name] = RUN_AGAIN_IF_CUT.has(name)
        ? (prefix, ...args) => this.track(runAgainIfCut(() => call(prefix, ...args)))
        : (prefix, ...args) => this.track(call(prefix, ...args));
    }
    this.scripts = scripts;
    this.cap = policy.maxSessionsPerUser ?? DEFAULT_MAX_SESSIONS_PER_USER;
    const clock = new StampClock(
      (keys) => this.track(runAgainIfCut(() => this.redis.mget(...keys))),
      p,
      (stamps) => this.sync.noteStamps(stamps),
    );
    this.sync = new RedisSync(client, p, (op) => this.track(op), clock);
    this.cache = new NodeCache(clock, sessionWriteSlack(policy));
  }

  private get run(): Scripts {
    if (this.closed) throw new Error('the store is closed');
    return this.scripts;
  }

  private get redis(): RedisClient {
    if (this.closed) throw new Error('the store is closed');
    return this.client;
  }

  /** Runs one store operation, tracked so that close() waits for it. */
  private track<T>(op: Promise<T>): Promise<T> {
    const tracked = op.catch((err: unknown) => {
      throw unavailable(err);
    });
    this.inFlight.add(tracked);
    const forget = (): void => {
      this.inFlight.delete(tracked);
    };
    tracked.then(forget, forget);
    return tracked;
  }

  // --- users ---

  async addUser(user: NewUser): Promise<boolean> {
    const account = JSON.stringify([user.username, user.nama, user.negara]);
    return Number(await this.run.cbAddUser(this.p, user.username, account, user.passwordHash)) > 0;
  }

  async getUser(username: string): Promise<UserRecord | null> {
    const cached = await this.cache.user(username);
    if (cached !== undefined) return cached;
    const { reply: r, stamps } = await this.cache.clock.stamped(() => this.run.cbGetUser(this.p, username));
    let record: UserRecord | null = null;
    if (r.length > 1) {
      const [name, nama, negara] = JSON.parse(String(r[2])) as [string, string, string];
      record = { id: Number(r[1]), username: name, nama, negara, passwordHash: String(r[3]) };
    }
    this.cache.keepUser(username, stamps, record);
    return record;
  }

  async listUsers(): Promise<UserProfile[]> {
    return accounts((await this.run.cbListUsers(this.p)) as string[]).map((a) => a.profile);
  }

  async setPassword(username: string, passwordHash: string): Promise<boolean> {
    return (await this.presenceChange(this.run.cbSetPassword(this.p, username, passwordHash))) === 1;
  }

  async removeUser(username: string): Promise<boolean> {
    return (await this.presenceChange(this.run.cbRemoveUser(this.p, username))) === 1;
  }

  async countUsers(): Promise<number> {
    const redis = this.redis;
    return this.track(runAgainIfCut(() => redis.zcard(this.p + 'users')));
  }

  // --- sessions and presence ---

  async createSession(token: string, user: AccountRef, now: number): Promise<boolean> {
    const { idleLifetimeMs, presenceWindowMs } = this.policy;
    const r = await this.presenceChange(this.run.cbCreateSession(this.p, hashToken(token), user.id, user.username, now, idleLifetimeMs, this.cap, presenceWindowMs));
    return r === 1;
  }

  async useSession(token: string, now: number): Promise<SessionInfo | null> {
    const hash = hashToken(token);
    const cached = await this.cache.session(hash, now);
    if (cached !== undefined) return cached;
    const { idleLifetimeMs, presenceWindowMs } = this.policy;
    const slack = sessionWriteSlack(this.policy);
    const { reply: r } = await this.cache.clock.stamped(() => this.run.cbUseSession(this.p, hash, now, idleLifetimeMs, presenceWindowMs, slack));
    if (r.length < 4) {
      this.cache.keepSession(hash, null);
      return null;
    }
    const found = { userId: Number(r[1]), username: String(r[2]), used: Number(r[3]), version: r[4] === null ? null : String(r[4]) };
    this.cache.keepSession(hash, found);
    if (found.used === now) this.cache.raised([found.userId]);
    return { userId: found.userId, username: found.username, lastUsedAt: Math.max(now, found.used) };
  }

  async endSession(token: string): Promise<boolean> {
    const { idleLifetimeMs, presenceWindowMs } = this.policy;
    return (await this.presenceChange(this.run.cbEndSession(this.p, hashToken(token), idleLifetimeMs, presenceWindowMs))) === 1;
  }

  async holdPresence(holds: readonly PresenceHold[], now: number): Promise<string[]> {
    const until = now + this.policy.presenceWindowMs;
    const ended: string[] = [];
    // Slices keep each script short, so other nodes' commands are not held up behind it.
    for (let i = 0; i < holds.length; i += 500) {
      const byHash = new Map<string, PresenceHold>();
      const args: (string | number)[] = [];
      for (const h of holds.slice(i, i + 500)) {
        const hash = hashToken(h.token);
        byHash.set(hash, h);
        args.push(h.userId, hash);
      }
      const dead = (await this.run.cbHoldPresence(this.p, this.holder, now, until, this.policy.idleLifetimeMs, ...args)) as string[];
      for (const hash of dead) ended.push(byHash.get(hash)!.token);
      const gone = new Set(dead);
      this.cache.raised([...byHash].filter(([hash]) => !gone.has(hash)).map(([, h]) => h.userId));
    }
    return ended;
  }

  async releasePresence(userId: number, until: number): Promise<void> {
    const { idleLifetimeMs, presenceWindowMs } = this.policy;
    await this.presenceChange(this.run.cbReleasePresence(this.p, this.holder, userId, until, idleLifetimeMs, presenceWindowMs));
  }

  /** A call that may change who is online: this node's next online list shows what it did. */
  private async presenceChange<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } finally {
      this.cache.ownPresenceChange();
    }
  }

  /** The online list, the same array while it holds (callers do not change it). */
  async onlineUsers(now: number): Promise<UserProfile[]> {
    const cached = await this.cache.onlineList(now);
    if (cached !== undefined) return cached;
    const { reply: r, stamps, at } = await this.cache.clock.stamped(() => this.run.cbOnlineUsers(this.p, now));
    const found = accounts(r[1] as string[]);
    // Redis hands accounts back by presence; sort by code unit, as SQLite's BINARY collation does.
    found.sort((a, b) => (a.profile.username < b.profile.username ? -1 : a.profile.username > b.profile.username ? 1 : 0));
    return this.cache.keepOnline(stamps, found, now, r[2] === '' ? Infinity : Number(r[2]), at);
  }

  async directory(now: number): Promise<DirectoryUser[]> {
    const [all, online] = (await this.run.cbDirectory(this.p, now)) as [string[], string[]];
    const present = new Set(online.map(Number));
    return accounts(all).map((a) => ({ ...a.profile, online: present.has(a.id) }));
  }

  // --- messages ---

  async sendMessage(senderId: number, recipient: string, text: string, now: number): Promise<SendResult> {
    const ts = new Date(now).toISOString();
    // A fresh request id per call: if ioredis re-sends the script after a lost reply, it stores nothing twice.
    const r = await this.run.cbAddMessage(this.p, randomUUID(), senderId, recipient, JSON.stringify(text), ts, REQUEST_TTL_MS);
    if (r === 1) return 'no such recipient';
    if (r === 2) return 'no such sender';
    return messageInWireOrder(JSON.parse(String(r)) as Message);
  }

  async claimInbox(recipientId: number, claimId: string, limit: number, now: number, leaseUntil: number): Promise<Message[]> {
    if (limit <= 0) return [];
    return parseBodies(await this.run.cbClaimInbox(this.p, recipientId, claimId, limit, now, leaseUntil));
  }

  async settleClaim(recipientId: number, claimId: string, delivered: boolean): Promise<void> {
    await this.run.cbSettleClaim(this.p, recipientId, claimId, delivered ? 1 : 0);
  }

  async ackInbox(recipientId: number, ackId: number, limit: number): Promise<Message[]> {
    return parseBodies(await this.run.cbAckInbox(this.p, recipientId, ackId, Math.max(0, limit)));
  }

  async history(aId: number, bId: number, beforeId: number | null, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const before = beforeId === null ? '+inf' : `(${beforeId}`;
    return parseBodies(await this.run.cbHistory(this.p, Math.min(aId, bId), Math.max(aId, bId), before, limit)).reverse();
  }

  async deleteMessagesBefore(cutoffTs: string, limit: number): Promise<number> {
    return Number(await this.run.cbRetention(this.p, cutoffTs, limit));
  }

  /** Sends what is queued and closes the connection. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.sync.close();
    try {
      await this.client.quit();
    } catch {
      // Redis is already gone: nothing is left to flush.
      this.client.disconnect();
    }
  }
}
