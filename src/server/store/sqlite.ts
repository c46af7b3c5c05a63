// The embedded store: one SQLite file in WAL mode, shared safely with the
// admin CLI writing to it from another process. Sessions, users and the online
// list are kept in memory only while no other process commits (sqlite-cache.ts):
// what another process commits is seen by every request that arrives after it.

import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Message, UserProfile } from '../../protocol.js';
import { noteCommit, StoreCache } from './sqlite-cache.js';
import { openDatabase, type SyncMode } from './sqlite-schema.js';
import { SqliteMessages } from './sqlite-messages.js';
import type { DirectoryUser, SessionInfo, SessionPolicy, Store, UserRecord } from './types.js';

/** Options of SqliteStore.open. */
export interface SqliteOptions {
  /** 'normal' (default) survives a process crash; 'full' also survives power loss, at a cost per commit. */
  synchronous?: SyncMode;
}

/** Session writes smaller than this are skipped, so a polling client costs no write per request (ms). */
const SESSION_WRITE_SLACK_MS = 1000;

interface SessionRow {
  username: string;
  last_used: number;
  present_until: number;
}

interface UserRow {
  username: string;
  nama: string;
  negara: string;
  password_hash: string;
}

interface DirectoryRow extends UserProfile {
  online: number;
}

/** Store on an SQLite file (see docs/storage.md). */
export class SqliteStore implements Store {
  private readonly messages: SqliteMessages;
  private closed = false;
  private readonly cache: StoreCache;
  private readonly stmt;
  // Transactions that write take the write lock up front (BEGIN IMMEDIATE).
  private readonly removeUserTx: (username: string) => boolean;
  private readonly setPasswordTx: (username: string, passwordHash: string) => boolean;
  private readonly createSessionTx: (hash: string, username: string, now: number) => void;
  private readonly holdPresenceTx: (hashes: string[], until: number) => void;

  /**
   * Opens or creates the database at `path` and brings its schema up to date.
   * Throws an Error with a one-line message (and `expected: true`) when the
   * directory is missing or the file is not a writable ChatBox database.
   */
  static open(path: string, policy: SessionPolicy, options: SqliteOptions = {}): SqliteStore {
    return new SqliteStore(openDatabase(path, options.synchronous ?? 'normal'), policy);
  }

  private constructor(
    private readonly db: Database.Database,
    private readonly policy: SessionPolicy,
  ) {
    this.messages = new SqliteMessages(db, (recipients) => {
      for (const r of recipients) this.cache.emptyInboxes.delete(r);
    });
    this.stmt = {
      addUser: db.prepare<[string, string, string, string]>(
        'INSERT INTO users (username, nama, negara, password_hash) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      getUser: db.prepare<[string], UserRow>('SELECT username, nama, negara, password_hash FROM users WHERE username = ?'),
      listUsers: db.prepare<[], UserProfile>('SELECT username, nama, negara FROM users ORDER BY username'),
      countUsers: db.prepare<[], number>('SELECT count(*) FROM users').pluck(),
      setPassword: db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE username = ?'),
      endUserSessions: db.prepare<[string]>('DELETE FROM sessions WHERE username = ?'),
      deleteInbox: db.prepare<[string]>('DELETE FROM messages WHERE recipient = ? AND delivered = 0'),
      deleteUser: db.prepare<[string]>('DELETE FROM users WHERE username = ?'),
      insertSession: db.prepare<[string, string, number, number, number]>(
        'INSERT INTO sessions (token_hash, username, created_at, last_used, present_until) VALUES (?, ?, ?, ?, ?)',
      ),
      sweepSessions: db.prepare<[number]>('DELETE FROM sessions WHERE last_used < ?'),
      getSession: db.prepare<[string], SessionRow>(
        'SELECT username, last_used, present_until FROM sessions WHERE token_hash = ?',
      ),
      // The bound is checked again here: another process may have used the session since we read it.
      deleteExpired: db.prepare<[string, number]>('DELETE FROM sessions WHERE token_hash = ? AND last_used < ?'),
      touchSession: db.prepare<[number, number, string]>(
        'UPDATE sessions SET last_used = max(last_used, ?), present_until = max(present_until, ?) WHERE token_hash = ?',
      ),
      endSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
      holdPresence: db.prepare<[number, string, number]>(
        'UPDATE sessions SET present_until = ? WHERE token_hash = ? AND present_until < ?',
      ),
      releasePresence: db.prepare<[number, string]>('UPDATE sessions SET present_until = ? WHERE token_hash = ?'),
      // A session counts only while it is both present and not expired. The unary + keeps
      // the planner on the presence index (few rows) rather than last_used (a week of them).
      onlineUsers: db.prepare<[number, number], UserProfile>(
        `SELECT username, nama, negara FROM users WHERE username IN
           (SELECT username FROM sessions WHERE present_until > ? AND +last_used >= ?)
         ORDER BY username`,
      ),
      // When the online set next changes by the clock alone: the first counted session to lapse.
      onlineBounds: db.prepare<[number, number], { until: number | null; used: number | null }>(
        'SELECT min(present_until) AS until, min(last_used) AS used FROM sessions WHERE present_until > ? AND +last_used >= ?',
      ),
      // Changes whenever another connection (another process) commits to the file.
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      directory: db.prepare<[number, number], DirectoryRow>(
        `SELECT u.username, u.nama, u.negara, EXISTS
           (SELECT 1 FROM sessions s WHERE s.username = u.username AND s.present_until > ? AND s.last_used >= ?) AS online
         FROM users u ORDER BY u.username`,
      ),
    };

    this.cache = new StoreCache(() => this.stmt.dataVersion.get()!);
    this.removeUserTx = db.transaction((username: string) => {
      this.stmt.deleteInbox.run(username);
      // Sessions go with the user (ON DELETE CASCADE).
      return this.stmt.deleteUser.run(username).changes > 0;
    }).immediate;
    this.setPasswordTx = db.transaction((username: string, passwordHash: string) => {
      if (this.stmt.setPassword.run(passwordHash, username).changes === 0) return false;
      this.stmt.endUserSessions.run(username);
      return true;
    }).immediate;
    this.createSessionTx = db.transaction((hash: string, username: string, now: number) => {
      // Expired sessions nobody uses again would pile up; sweeping here bounds them (indexed, cheap).
      this.stmt.sweepSessions.run(now - this.policy.idleLifetimeMs);
      this.stmt.insertSession.run(hash, username, now, now, now + this.policy.presenceWindowMs);
    }).immediate;
    this.holdPresenceTx = db.transaction((hashes: string[], until: number) => {
      for (const h of hashes) this.stmt.holdPresence.run(until, h, until);
    }).immediate;
  }

  // --- users ---

  async addUser(user: UserRecord): Promise<boolean> {
    this.check();
    this.cache.users.delete(user.username);
    return committed(this.stmt.addUser.run(user.username, user.nama, user.negara, user.passwordHash).changes > 0);
  }

  /** The record is shared and frozen. */
  async getUser(username: string): Promise<UserRecord | null> {
    this.check();
    this.cache.sync();
    const cached = this.cache.users.get(username);
    if (cached) return cached;
    const row = this.stmt.getUser.get(username);
    if (!row) return null;
    return this.cache.putUser({ username: row.username, nama: row.nama, negara: row.negara, passwordHash: row.password_hash });
  }

  async listUsers(): Promise<UserProfile[]> {
    this.check();
    return this.stmt.listUsers.all();
  }

  async setPassword(username: string, passwordHash: string): Promise<boolean> {
    this.check();
    this.cache.clear();
    return committed(this.setPasswordTx(username, passwordHash));
  }

  async removeUser(username: string): Promise<boolean> {
    this.check();
    this.cache.clear();
    return committed(this.removeUserTx(username));
  }

  async countUsers(): Promise<number> {
    this.check();
    return this.stmt.countUsers.get()!;
  }

  // --- sessions and presence ---

  async createSession(token: string, username: string, now: number): Promise<void> {
    this.check();
    this.cache.online = null;
    this.createSessionTx(hashToken(token), username, now);
    noteCommit();
  }

  async useSession(token: string, now: number): Promise<SessionInfo | null> {
    this.check();
    const cache = this.cache;
    cache.sync();
    let s = cache.sessions.get(token);
    if (!s) {
      const hash = hashToken(token);
      const row = this.stmt.getSession.get(hash);
      if (!row) return null;
      s = { hash, username: row.username, lastUsed: row.last_used, presentUntil: row.present_until };
      cache.putSession(token, s);
    }
    const oldest = now - this.policy.idleLifetimeMs;
    if (s.lastUsed < oldest) {
      cache.sessions.delete(token);
      cache.online = null;
      this.stmt.deleteExpired.run(s.hash, oldest);
      noteCommit();
      return null;
    }
    const presentUntil = now + this.policy.presenceWindowMs;
    // A tenth of a short lifetime or presence window at most, or a session in steady use could expire.
    const { idleLifetimeMs, presenceWindowMs } = this.policy;
    const slack = Math.min(SESSION_WRITE_SLACK_MS, Math.floor(Math.min(idleLifetimeMs, presenceWindowMs) / 10));
    const moves = now - s.lastUsed >= slack || presentUntil - s.presentUntil >= slack;
    if (moves) {
      // A session the online list counts has present_until >= validUntil, and using it
      // only extends it; any other session that moves may join the list.
      if (!cache.online || s.presentUntil < cache.online.validUntil) cache.online = null;
      // Zero rows changed: the session ended (logout, passwd, remove) since we read it.
      if (committed(this.stmt.touchSession.run(now, presentUntil, s.hash).changes) === 0) {
        cache.sessions.delete(token);
        return null;
      }
      s.lastUsed = Math.max(s.lastUsed, now);
      s.presentUntil = Math.max(s.presentUntil, presentUntil);
    }
    return { username: s.username, lastUsedAt: Math.max(now, s.lastUsed) };
  }

  async endSession(token: string): Promise<boolean> {
    this.check();
    this.cache.sessions.delete(token);
    this.cache.online = null;
    return committed(this.stmt.endSession.run(hashToken(token)).changes > 0);
  }

  async holdPresence(tokens: readonly string[], until: number): Promise<void> {
    this.check();
    if (tokens.length === 0) return;
    this.cache.online = null;
    // One statement per token rather than one huge IN list: no bound-variable limit to hit.
    this.holdPresenceTx(tokens.map(hashToken), until);
    noteCommit();
    for (const t of tokens) {
      const s = this.cache.sessions.get(t);
      if (s) s.presentUntil = Math.max(s.presentUntil, until);
    }
  }

  async releasePresence(token: string, until: number): Promise<void> {
    this.check();
    this.cache.online = null;
    this.stmt.releasePresence.run(until, hashToken(token));
    noteCommit();
    const s = this.cache.sessions.get(token);
    if (s) s.presentUntil = until;
  }

  /**
   * Polling clients ask this many times a second, so the list is kept until
   * it can have changed: a write here that touches presence, a commit by
   * another process, or the clock passing the first counted session's end.
   * The array is shared and frozen.
   */
  async onlineUsers(now: number): Promise<UserProfile[]> {
    this.check();
    this.cache.sync();
    const o = this.cache.online;
    if (o && now >= o.readAt && now < o.validUntil) return o.users as UserProfile[];
    const lifetime = this.policy.idleLifetimeMs;
    const users = Object.freeze(this.stmt.onlineUsers.all(now, now - lifetime));
    const b = this.stmt.onlineBounds.get(now, now - lifetime)!;
    const validUntil = Math.min(b.until ?? Infinity, b.used === null ? Infinity : b.used + lifetime + 1);
    this.cache.online = { users, readAt: now, validUntil };
    return users as UserProfile[];
  }

  async directory(now: number): Promise<DirectoryUser[]> {
    this.check();
    return this.stmt.directory
      .all(now, now - this.policy.idleLifetimeMs)
      .map((r) => ({ username: r.username, nama: r.nama, negara: r.negara, online: r.online === 1 }));
  }

  // --- messages ---

  async addMessage(sender: UserProfile, recipient: UserProfile, text: string, now: number): Promise<Message> {
    this.check();
    return this.messages.add(sender, recipient, text, now);
  }

  async claimInbox(recipient: string, claimId: string, limit: number, now: number, leaseUntil: number): Promise<Message[]> {
    this.check();
    // A polling client usually finds nothing: remember which inboxes hold nothing at all.
    this.cache.sync();
    if (this.cache.emptyInboxes.has(recipient)) return [];
    const rows = this.messages.claimInbox(recipient, claimId, limit, now, leaseUntil);
    if (rows.length === 0 && !this.messages.hasUndelivered(recipient)) this.cache.markEmpty(recipient);
    return rows;
  }

  async settleClaim(recipient: string, claimId: string, delivered: boolean): Promise<void> {
    this.check();
    this.messages.settleClaim(recipient, claimId, delivered);
  }

  async ackInbox(recipient: string, ackId: number, limit: number): Promise<Message[]> {
    this.check();
    return this.messages.ackInbox(recipient, ackId, limit);
  }

  async history(a: string, b: string, beforeId: number | null, limit: number): Promise<Message[]> {
    this.check();
    return this.messages.history(a, b, beforeId, limit);
  }

  /** Commits queued messages, then closes the file. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.messages.flush();
    } finally {
      this.db.close();
    }
  }

  private check(): void {
    if (this.closed) throw new Error('the store is closed');
  }
}

/** Passes a write's result through, noting the commit for the other stores of this process. */
function committed<T>(result: T): T {
  noteCommit();
  return result;
}

/** Sessions are stored by the SHA-256 of their token; the token itself never touches the disk. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
