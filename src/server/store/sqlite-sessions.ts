// The session half of the SQLite store: sign-in sessions (kept by token hash,
// capped per account), presence, and the online list and directory built
// from them.
//
// An account counts as online while it has a live session and either that
// session was used within the presence window, or a live connection holds
// the account (`presence.held_until`, one row per account, so a heartbeat
// costs one write per account however many sessions it has).

import type Database from 'better-sqlite3';
import type { UserProfile } from '../../protocol.js';
import { hashToken, sessionWriteSlack } from './common.js';
import type { StoreCache } from './sqlite-cache.js';
import type { TurnLog } from './sqlite-log.js';
import { DEFAULT_MAX_SESSIONS_PER_USER, type AccountRef, type DirectoryUser, type PresenceHold, type SessionInfo, type SessionPolicy } from './types.js';

interface SessionRow {
  user_id: number;
  username: string;
  last_used: number;
}

interface DirectoryRow extends UserProfile {
  online: number;
}

/** Times the online queries take: now, the oldest live last use, the oldest last use still within the window. */
interface OnlineParams {
  now: number;
  live: number;
  recent: number;
}

// The accounts online at @now: a live session used within the window, or held
// by a connection while it has a live session.
const ONLINE_IDS = `
  SELECT user_id FROM sessions WHERE last_used > @recent AND last_used >= @live
  UNION
  SELECT p.user_id FROM presence p WHERE p.held_until > @now
    AND EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = p.user_id AND s.last_used >= @live)`;

/** Sessions and presence on one better-sqlite3 connection, sharing the store's cache. */
export class SqliteSessions {
  private readonly stmt;
  private readonly cap: number;
  // Transactions that write take the write lock up front (BEGIN IMMEDIATE).
  private readonly createTx: (hash: string, user: AccountRef, now: number) => string[] | null;
  private readonly holdPresenceTx: (holds: readonly PresenceHold[], now: number) => string[];

  constructor(
    db: Database.Database,
    private readonly policy: SessionPolicy,
    private readonly cache: StoreCache,
    private readonly log: TurnLog,
  ) {
    this.cap = policy.maxSessionsPerUser ?? DEFAULT_MAX_SESSIONS_PER_USER;
    this.stmt = {
      userExists: db.prepare<[number, string], number>('SELECT 1 FROM users WHERE id = ? AND username = ?').pluck(),
      insertSession: db.prepare<[string, number, number, number]>(
        'INSERT INTO sessions (token_hash, user_id, created_at, last_used) VALUES (?, ?, ?, ?)',
      ),
      sweepSessions: db.prepare<[number]>('DELETE FROM sessions WHERE last_used < ?'),
      countUserSessions: db.prepare<[number], number>('SELECT count(*) FROM sessions WHERE user_id = ?').pluck(),
      // Least recently used first; among equal times, the oldest row.
      oldestSessions: db.prepare<[number, number], string>(
        'SELECT token_hash FROM sessions WHERE user_id = ? ORDER BY last_used, rowid LIMIT ?',
      ).pluck(),
      getSession: db.prepare<[string], SessionRow>(
        `SELECT s.user_id, u.username, s.last_used FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ?`,
      ),
      // The bound is checked again here: another process may have used the session since we read it.
      deleteExpired: db.prepare<[string, number]>('DELETE FROM sessions WHERE token_hash = ? AND last_used < ?'),
      touchSession: db.prepare<[number, string]>('UPDATE sessions SET last_used = max(last_used, ?) WHERE token_hash = ?'),
      endSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
      holdAccount: db.prepare<[number, number]>(
        `INSERT INTO presence (user_id, held_until) VALUES (?, ?)
         ON CONFLICT (user_id) DO UPDATE SET held_until = max(held_until, excluded.held_until)`,
      ),
      releaseAccount: db.prepare<[number, number]>('UPDATE presence SET held_until = ? WHERE user_id = ?'),
      onlineUsers: db.prepare<[OnlineParams], UserProfile>(
        `SELECT username, nama, negara FROM users WHERE id IN (${ONLINE_IDS}) ORDER BY username`,
      ),
      // When the online set next changes by the clock alone: the first recent use to leave
      // the window, the first hold to lapse, the first held account's newest session to expire.
      onlineBounds: db.prepare<[OnlineParams], { recent: number | null; held: number | null; heldUsed: number | null }>(
        `SELECT
           (SELECT min(last_used) FROM sessions WHERE last_used > @recent AND last_used >= @live) AS recent,
           (SELECT min(held_until) FROM presence WHERE held_until > @now) AS held,
           (SELECT min(m) FROM (SELECT (SELECT max(s.last_used) FROM sessions s WHERE s.user_id = p.user_id) AS m
              FROM presence p WHERE p.held_until > @now)) AS heldUsed`,
      ),
      directory: db.prepare<[OnlineParams], DirectoryRow>(
        `SELECT username, nama, negara, id IN (${ONLINE_IDS}) AS online FROM users ORDER BY username`,
      ),
    };
    this.createTx = db.transaction((hash: string, user: AccountRef, now: number) => {
      // The account may have been removed (and its name given to another) since it was looked up.
      if (this.stmt.userExists.get(user.id, user.username) === undefined) return null;
      // Expired sessions nobody uses again would pile up; sweeping here bounds them (indexed, cheap).
      this.stmt.sweepSessions.run(now - this.policy.idleLifetimeMs);
      this.stmt.insertSession.run(hash, user.id, now, now);
      // The count reads at most cap + 1 index entries: the cap keeps it small.
      const over = this.stmt.countUserSessions.get(user.id)! - this.cap;
      if (over <= 0) return [];
      const evicted = this.stmt.oldestSessions.all(user.id, over);
      for (const h of evicted) this.stmt.endSession.run(h);
      return evicted;
    }).immediate;
    this.holdPresenceTx = db.transaction((holds: readonly PresenceHold[], now: number) => {
      const dead: string[] = [];
      const until = now + this.policy.presenceWindowMs;
      for (const h of holds) {
        const row = this.stmt.getSession.get(hashToken(h.token));
        if (!row || row.user_id !== h.userId || row.last_used < now - this.policy.idleLifetimeMs) dead.push(h.token);
        else this.stmt.holdAccount.run(h.userId, until);
      }
      return dead;
    }).immediate;
  }

  create(token: string, user: AccountRef, now: number): boolean {
    this.cache.online = null;
    // The token is handed out: committed before the reply.
    const evicted = this.log.writeNow(() => this.createTx(hashToken(token), user, now));
    if (evicted === null) return false;
    for (const h of evicted) this.cache.dropSessionHash(h);
    return true;
  }

  use(token: string, now: number): SessionInfo | null {
    const cache = this.cache;
    cache.sync();
    let s = cache.sessions.get(token);
    if (!s) {
      const hash = hashToken(token);
      const row = this.stmt.getSession.get(hash);
      if (!row) return null;
      s = { hash, userId: row.user_id, username: row.username, lastUsed: row.last_used };
      cache.putSession(token, s);
    }
    const oldest = now - this.policy.idleLifetimeMs;
    if (s.lastUsed < oldest) {
      cache.dropSession(token);
      cache.online = null;
      const hash = s.hash;
      this.log.writeNow(() => this.stmt.deleteExpired.run(hash, oldest));
      return null;
    }
    // Session writes smaller than the slack are skipped, so a polling client costs no write per request.
    if (now - s.lastUsed >= sessionWriteSlack(this.policy)) {
      // An account the online list counts through this session stays counted at least
      // until the session's window ends, and using it only extends that; otherwise the
      // account may join the list.
      if (!cache.online || s.lastUsed + this.policy.presenceWindowMs < cache.online.validUntil) cache.online = null;
      const hash = s.hash;
      // With the next commit, at the latest the turn's: nothing waits for it. A session
      // ended since it was read (logout, passwd, remove, the cap) is no longer in the
      // cache: this process's ends drop it, another process's clear the cache.
      this.log.queue(() => this.stmt.touchSession.run(now, hash));
      s.lastUsed = Math.max(s.lastUsed, now);
    }
    return { userId: s.userId, username: s.username, lastUsedAt: Math.max(now, s.lastUsed) };
  }

  end(token: string): boolean {
    this.cache.dropSession(token);
    this.cache.online = null;
    // A logout is committed before its reply.
    return this.log.writeNow(() => this.stmt.endSession.run(hashToken(token)).changes > 0);
  }

  holdPresence(holds: readonly PresenceHold[], now: number): string[] {
    if (holds.length === 0) return [];
    this.cache.online = null;
    return this.log.writeNow(() => this.holdPresenceTx(holds, now));
  }

  releasePresence(userId: number, until: number): void {
    this.cache.online = null;
    this.log.writeNow(() => this.stmt.releaseAccount.run(until, userId));
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
    const { idleLifetimeMs: idle, presenceWindowMs: window } = this.policy;
    // Session uses wait for the turn's commit: the read counts them.
    this.log.commitQueued();
    const params = this.params(now);
    const users = Object.freeze(this.stmt.onlineUsers.all(params));
    const b = this.stmt.onlineBounds.get(params)!;
    const validUntil = Math.min(
      b.recent === null ? Infinity : b.recent + Math.min(window, idle + 1),
      b.held ?? Infinity,
      b.heldUsed === null ? Infinity : b.heldUsed + idle + 1,
    );
    this.cache.online = { users, readAt: now, validUntil };
    return users as UserProfile[];
  }

  directory(now: number): DirectoryUser[] {
    this.log.commitQueued();
    return this.stmt.directory
      .all(this.params(now))
      .map((r) => ({ username: r.username, nama: r.nama, negara: r.negara, online: r.online === 1 }));
  }

  private params(now: number): OnlineParams {
    return { now, live: now - this.policy.idleLifetimeMs, recent: now - this.policy.presenceWindowMs };
  }
}
