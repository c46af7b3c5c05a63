// The scale-out store: every server node keeps its state in one shared Redis
// (or Redis Cluster). Whatever must be atomic across nodes runs as a Lua
// script (redis-scripts-*.ts); nothing is cached in the node. See docs/redis.md.

import { randomUUID } from 'node:crypto';
import type { Message, UserProfile } from '../../protocol.js';
import { hashToken, messageInWireOrder, sessionWriteSlack } from './common.js';
import { answerLost, connectRedis, runAgainIfCut, type RedisClient, type RedisConnectOptions } from './redis-connect.js';
import * as msgLua from './redis-scripts-messages.js';
import * as userLua from './redis-scripts-users.js';
import type { DirectoryUser, SessionInfo, SessionPolicy, Store, UserRecord } from './types.js';

/** Options of RedisStore.open. */
export interface RedisStoreOptions extends RedisConnectOptions {
  /** Names the key namespace, so several ChatBox installs can share one Redis (default 'chatbox'). */
  prefix?: string;
}

type Reply = string | number | null | Reply[];
type ScriptCall = (prefix: string, ...args: (string | number)[]) => Promise<Reply>;

const SCRIPTS = {
  cbAddUser: userLua.ADD_USER,
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
  'cbUseSession',
  'cbEndSession',
  'cbHoldPresence',
  'cbListUsers',
  'cbOnlineUsers',
  'cbDirectory',
  'cbHistory',
]);

/** How long a send's request id is remembered: well past any re-run of it (ms). */
const REQUEST_ID_TTL_MS = 120_000;

/** Store on a shared Redis, for many stateless server nodes. */
export class RedisStore implements Store {
  private closed = false;
  /** Commands sent and not yet answered: close() lets them finish. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The scripts, each call tracked. */
  private readonly scripts: Scripts;

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
    return new RedisStore(client, policy, `{${prefix}}:`);
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

  async addUser(user: UserRecord): Promise<boolean> {
    const profile = JSON.stringify([user.nama, user.negara]);
    return (await this.run.cbAddUser(this.p, user.username, profile, user.passwordHash)) === 1;
  }

  async getUser(username: string): Promise<UserRecord | null> {
    // Two reads in one round trip (auto-pipelined); a user's profile never changes.
    const redis = this.redis;
    const [profile, pw] = await this.track(
      runAgainIfCut(() => Promise.all([redis.hget(this.p + 'profiles', username), redis.hget(this.p + 'pw', username)])),
    );
    if (profile == null || pw == null) return null;
    const [nama, negara] = JSON.parse(profile) as [string, string];
    return { username, nama, negara, passwordHash: pw };
  }

  async listUsers(): Promise<UserProfile[]> {
    return profiles((await this.run.cbListUsers(this.p)) as string[]);
  }

  async setPassword(username: string, passwordHash: string): Promise<boolean> {
    return (await this.run.cbSetPassword(this.p, username, passwordHash)) === 1;
  }

  async removeUser(username: string): Promise<boolean> {
    return (await this.run.cbRemoveUser(this.p, username)) === 1;
  }

  async countUsers(): Promise<number> {
    const redis = this.redis;
    return this.track(runAgainIfCut(() => redis.zcard(this.p + 'users')));
  }

  // --- sessions and presence ---

  async createSession(token: string, username: string, now: number): Promise<void> {
    const { idleLifetimeMs, presenceWindowMs } = this.policy;
    await this.run.cbCreateSession(this.p, hashToken(token), username, now, idleLifetimeMs, now + presenceWindowMs);
  }

  async useSession(token: string, now: number): Promise<SessionInfo | null> {
    const { idleLifetimeMs, presenceWindowMs } = this.policy;
    const slack = sessionWriteSlack(this.policy);
    const r = await this.run.cbUseSession(this.p, hashToken(token), now, idleLifetimeMs, now + presenceWindowMs, slack);
    if (!Array.isArray(r)) return null;
    return { username: String(r[0]), lastUsedAt: Math.max(now, Number(r[1])) };
  }

  async endSession(token: string): Promise<boolean> {
    return (await this.run.cbEndSession(this.p, hashToken(token), this.policy.idleLifetimeMs)) === 1;
  }

  async holdPresence(tokens: readonly string[], until: number): Promise<void> {
    // Slices keep each script short, so other nodes' commands are not held up behind it.
    for (let i = 0; i < tokens.length; i += 500) {
      await this.run.cbHoldPresence(this.p, until, this.policy.idleLifetimeMs, ...tokens.slice(i, i + 500).map(hashToken));
    }
  }

  async releasePresence(token: string, until: number): Promise<void> {
    await this.run.cbReleasePresence(this.p, hashToken(token), until, this.policy.idleLifetimeMs);
  }

  async onlineUsers(now: number): Promise<UserProfile[]> {
    const out = profiles((await this.run.cbOnlineUsers(this.p, now)) as string[]);
    // Redis hands names back by presence; sort by code unit, as SQLite's BINARY collation does.
    return out.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  async directory(now: number): Promise<DirectoryUser[]> {
    const [all, online] = (await this.run.cbDirectory(this.p, now)) as [string[], string[]];
    const present = new Set(online);
    return profiles(all).map((u) => ({ ...u, online: present.has(u.username) }));
  }

  // --- messages ---

  async addMessage(sender: UserProfile, recipient: UserProfile, text: string, now: number): Promise<Message> {
    const ts = new Date(now).toISOString();
    // The body is JSON in the protocol's field order; the script puts the new id between the halves.
    const head = `{"msg_from":${JSON.stringify(sender.nama)},"msg_to":${JSON.stringify(recipient.nama)},"msg":${JSON.stringify(text)},"id":`;
    const tail = `,"sender":${JSON.stringify(sender.username)},"recipient":${JSON.stringify(recipient.username)},"ts":"${ts}"}`;
    const [a, b] = pair(sender.username, recipient.username);
    // A run again after a lost answer finds this request id and stores no second copy.
    const requestId = randomUUID();
    const id = Number(await this.run.cbAddMessage(this.p, recipient.username, head, tail, a, b, requestId, REQUEST_ID_TTL_MS));
    return { msg_from: sender.nama, msg_to: recipient.nama, msg: text, id, sender: sender.username, recipient: recipient.username, ts };
  }

  async claimInbox(recipient: string, claimId: string, limit: number, now: number, leaseUntil: number): Promise<Message[]> {
    if (limit <= 0) return [];
    return parseBodies(await this.run.cbClaimInbox(this.p, recipient, claimId, limit, now, leaseUntil));
  }

  async settleClaim(recipient: string, claimId: string, delivered: boolean): Promise<void> {
    await this.run.cbSettleClaim(this.p, recipient, claimId, delivered ? 1 : 0);
  }

  async ackInbox(recipient: string, ackId: number, limit: number): Promise<Message[]> {
    return parseBodies(await this.run.cbAckInbox(this.p, recipient, ackId, Math.max(0, limit)));
  }

  async history(a: string, b: string, beforeId: number | null, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const [x, y] = pair(a, b);
    const before = beforeId === null ? '+inf' : `(${beforeId}`;
    return parseBodies(await this.run.cbHistory(this.p, x, y, before, limit)).reverse();
  }

  /** Sends what is queued and closes the connection. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    try {
      await this.client.quit();
    } catch {
      // Redis is already gone: nothing is left to flush.
      this.client.disconnect();
    }
  }
}

/** ioredis's ways of saying Redis is away, as one short line (the original kept as `cause`). */
function unavailable(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  let why: string | null = null;
  if (err.name === 'MaxRetriesPerRequestError') why = 'no connection';
  else if (err.message === 'Command timed out') why = 'command timed out';
  else if (answerLost(err)) why = 'connection closed';
  return why === null ? err : new Error(`Redis is unavailable: ${why}`, { cause: err });
}

/** The two names of a conversation in a fixed order (code-unit order, as in the key). */
function pair(a: string, b: string): [string, string] {
  return a <= b ? [a, b] : [b, a];
}

/** Users from a script's flat [name, profile JSON, ...] reply. */
function profiles(flat: string[]): UserProfile[] {
  const out: UserProfile[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const [nama, negara] = JSON.parse(flat[i + 1]!) as [string, string];
    out.push({ username: flat[i]!, nama, negara });
  }
  return out;
}

/** Message bodies from a script, as Message objects in the protocol's field order. */
function parseBodies(reply: Reply): Message[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((body) => messageInWireOrder(JSON.parse(String(body)) as Message));
}
