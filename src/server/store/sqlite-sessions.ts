// The session half of the SQLite store: sign-in sessions (kept by token hash),
// presence, and the online list and directory built from them.

import type Database from 'better-sqlite3';
import type { UserProfile } from '../../protocol.js';
import { hashToken, sessionWriteSlack } from './common.js';
import { noteCommit, type StoreCache } from './sqlite-cache.js';
import type { DirectoryUser, SessionInfo, SessionPolicy } from './types.js';

interface SessionRow {
  username: string;
  last_used: number;
  present_until: number;
}

interface DirectoryRow extends UserProfile {
  online: number;
}

/** Sessions and presence on one better-sqlite3 connection, sharing the store's cache. */
export class SqliteSessions {
  private readonly stmt;
  // Transactions that write take the write lock up front (BEGIN IMMEDIATE).
  private readonly createTx: (hash: string, username: string, now: number) => void;
  private readonly holdPresenceTx: (hashes: string[], until: number) => void;

  constructor(
    db: Database.Database,
    private readonly policy: SessionPolicy,
    private readonly cache: StoreCache,
  ) {
    this.stmt = {
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
      directory: db.prepare<[number, number], DirectoryRow>(
        `SELECT u.username, u.nama, u.negara, EXISTS
           (SELECT 1 FROM sessions s WHERE s.username = u.username AND s.present_until > ? AND s.last_used >= ?) AS online
         FROM users u ORDER BY u.username`,
      ),
    };
    this.createTx = db.transaction((hash: string, username: string, now: number) => {
      // Expired sessions nobody uses again would pile up; sweeping here bounds them (indexed, cheap).
      this.stmt.sweepSessions.run(now - this.policy.idleLifetimeMs);
      this.stmt.insertSession.run(hash, username, now, now, now + this.policy.presenceWindowMs);
    }).immediate;
    this.holdPresenceTx = db.transaction((hashes: string[], until: number) => {
      for (const h of hashes) this.stmt.holdPresence.run(until, h, until);
    }).immediate;
  }

  create(token: string, username: string, now: number): void {
    this.cache.online = null;
    this.createTx(hashToken(token), username, now);
    noteCommit();
  }

  use(token: string, now: number): SessionInfo | null {
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
    // Session writes smaller than the slack are skipped, so a polling client costs no write per request.
    const slack = sessionWriteSlack(this.policy);
    const moves = now - s.lastUsed >= slack || presentUntil - s.presentUntil >= slack;
    if (moves) {
      // A session the online list counts has present_until >= validUntil, and using it
      // only extends it; any other session that moves may join the list.
      if (!cache.online || s.presentUntil < cache.online.validUntil) cache.online = null;
      const changes = this.stmt.touchSession.run(now, presentUntil, s.hash).changes;
      noteCommit();
      // Zero rows changed: the session ended (logout, passwd, remove) since we read it.
      if (changes === 0) {
        cache.sessions.delete(token);
        return null;
      }
      s.lastUsed = Math.max(s.lastUsed, now);
      s.presentUntil = Math.max(s.presentUntil, presentUntil);
    }
    return { username: s.username, lastUsedAt: Math.max(now, s.lastUsed) };
  }

  end(token: string): boolean {
    this.cache.sessions.delete(token);
    this.cache.online = null;
    const ended = this.stmt.endSession.run(hashToken(token)).changes > 0;
    noteCommit();
    return ended;
  }

  holdPresence(tokens: readonly string[], until: number): void {
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

  releasePresence(token: string, until: number): void {
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
  onlineUsers(now: number): UserProfile[] {
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

  directory(now: number): DirectoryUser[] {
    return this.stmt.directory
      .all(now, now - this.policy.idleLifetimeMs)
      .map((r) => ({ username: r.username, nama: r.nama, negara: r.negara, online: r.online === 1 }));
  }
}

