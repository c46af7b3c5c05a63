// The embedded store: one SQLite file in WAL mode, shared safely with the
// admin CLI writing to it from another process. Sessions, users and the online
// list are kept in memory only while no other process commits (sqlite-cache.ts):
// what another process commits is seen by every request that arrives after it.

import { deleteOldMessages } from './sqlite-retention.js';
import type Database from 'better-sqlite3';
import type { Message, UserProfile } from '../../protocol.js';
import { StoreCache } from './sqlite-cache.js';
import { TurnLog } from './sqlite-log.js';
import { openDatabase, type SyncMode } from './sqlite-schema.js';
import { SqliteMessages } from './sqlite-messages.js';
import { SearchIndex } from './sqlite-search.js';
import { SqliteSessions } from './sqlite-sessions.js';
import { SqliteSync } from './sqlite-sync.js';
import type { AccountRef, DirectoryUser, ImmediateStore, NewUser, PresenceHold, SendResult, SessionInfo, SessionPolicy, Store, UserRecord } from './types.js';

/** Options of SqliteStore.open. */
export interface SqliteOptions {
  /** 'normal' (default) survives a process crash; 'full' also survives power loss, at a cost per commit. */
  synchronous?: SyncMode;
}

interface UserRow {
  id: number;
  username: string;
  nama: string;
  negara: string;
  password_hash: string;
}

/** Store on an SQLite file (see docs/storage.md). */
export class SqliteStore implements Store {
  /** Live sync, read markers and search (sqlite-sync.ts). */
  readonly sync: SqliteSync;
  /** Sessions, the online list and inbox drains, answered without a promise. */
  readonly immediate: ImmediateStore = {
    useSession: (token, now) => {
      this.check();
      return this.sessions.use(token, now);
    },
    onlineUsers: (now) => {
      this.check();
      return this.sessions.onlineUsers(now);
    },
    claimInbox: (recipient, claimId, limit, now, leaseUntil) => this.claimNow(recipient, claimId, limit, now, leaseUntil),
    settleClaim: (_recipient, claimId, delivered) => {
      this.check();
      this.messages.settleClaim(claimId, delivered);
    },
  };
  private readonly messages: SqliteMessages;
  private readonly sessions: SqliteSessions;
  private closed = false;
  private readonly cache: StoreCache;
  private readonly log: TurnLog;
  private readonly search: SearchIndex;
  private readonly stmt;
  // Transactions that write take the write lock up front (BEGIN IMMEDIATE).
  private readonly removeUserTx: (username: string) => boolean;
  private readonly setPasswordTx: (username: string, passwordHash: string) => boolean;

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
    policy: SessionPolicy,
  ) {
    this.log = new TurnLog(
      db,
      () => this.cache.noteCommit(),
      () => this.cache.clear(),
    );
    this.messages = new SqliteMessages(db, this.log);
    this.search = new SearchIndex(db, this.log);
    this.sync = new SqliteSync(db, this.log, this.search, (userId) => this.messages.forgetInboxes(userId));
    this.stmt = {
      addUser: db.prepare<[string, string, string, string]>(
        'INSERT INTO users (username, nama, negara, password_hash) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      getUser: db.prepare<[string], UserRow>('SELECT id, username, nama, negara, password_hash FROM users WHERE username = ?'),
      userId: db.prepare<[string], number>('SELECT id FROM users WHERE username = ?').pluck(),
      listUsers: db.prepare<[], UserProfile>('SELECT username, nama, negara FROM users ORDER BY username'),
      countUsers: db.prepare<[], number>('SELECT count(*) FROM users').pluck(),
      setPassword: db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE username = ?'),
      endUserSessions: db.prepare<[number]>('DELETE FROM sessions WHERE user_id = ?'),
      deleteInbox: db.prepare<[number]>('DELETE FROM messages INDEXED BY messages_inbox WHERE recipient_id = ? AND delivered = 0'),
      deleteUser: db.prepare<[number]>('DELETE FROM users WHERE id = ?'),
      // Changes whenever another connection (another process) commits to the file.
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    };

    this.cache = new StoreCache(
      () => this.stmt.dataVersion.get()!,
      () => this.messages.forget(),
    );
    this.sessions = new SqliteSessions(db, policy, this.cache, this.log);
    this.removeUserTx = db.transaction((username: string) => {
      const id = this.stmt.userId.get(username);
      if (id === undefined) return false;
      this.stmt.deleteInbox.run(id);
      // Sessions and presence go with the account (ON DELETE CASCADE); the messages it
      // sent or received keep its id, which AUTOINCREMENT never hands out again.
      this.stmt.deleteUser.run(id);
      return true;
    }).immediate;
    this.setPasswordTx = db.transaction((username: string, passwordHash: string) => {
      const id = this.stmt.userId.get(username);
      if (id === undefined) return false;
      this.stmt.setPassword.run(passwordHash, username);
      this.stmt.endUserSessions.run(id);
      return true;
    }).immediate;
  }

  // --- users ---

  async addUser(user: NewUser): Promise<boolean> {
    this.check();
    this.cache.users.delete(user.username);
    return this.committed(() => this.stmt.addUser.run(user.username, user.nama, user.negara, user.passwordHash).changes > 0);
  }

  /** The record is shared and frozen. */
  async getUser(username: string): Promise<UserRecord | null> {
    this.check();
    this.cache.sync();
    const cached = this.cache.users.get(username);
    if (cached) return cached;
    const row = this.stmt.getUser.get(username);
    if (!row) return null;
    return this.cache.putUser({ id: row.id, username: row.username, nama: row.nama, negara: row.negara, passwordHash: row.password_hash });
  }

  async listUsers(): Promise<UserProfile[]> {
    this.check();
    return this.stmt.listUsers.all();
  }

  async setPassword(username: string, passwordHash: string): Promise<boolean> {
    this.check();
    return this.accountsChanged(() => this.setPasswordTx(username, passwordHash));
  }

  async removeUser(username: string): Promise<boolean> {
    this.check();
    return this.accountsChanged(() => this.removeUserTx(username));
  }

  async countUsers(): Promise<number> {
    this.check();
    return this.stmt.countUsers.get()!;
  }

  // --- sessions and presence ---

  async createSession(token: string, user: AccountRef, now: number): Promise<boolean> {
    this.check();
    return this.sessions.create(token, user, now);
  }

  async useSession(token: string, now: number): Promise<SessionInfo | null> {
    this.check();
    return this.sessions.use(token, now);
  }

  async endSession(token: string): Promise<boolean> {
    this.check();
    return this.sessions.end(token);
  }

  async holdPresence(holds: readonly PresenceHold[], now: number): Promise<string[]> {
    this.check();
    return this.sessions.holdPresence(holds, now);
  }

  async releasePresence(userId: number, until: number): Promise<void> {
    this.check();
    this.sessions.releasePresence(userId, until);
  }

  /** The array is shared and frozen (see SqliteSessions.onlineUsers). */
  async onlineUsers(now: number): Promise<UserProfile[]> {
    this.check();
    return this.sessions.onlineUsers(now);
  }

  async directory(now: number): Promise<DirectoryUser[]> {
    this.check();
    return this.sessions.directory(now);
  }

  // --- messages ---

  async sendMessage(senderId: number, recipient: string, text: string, now: number): Promise<SendResult> {
    this.check();
    const sent = await this.messages.send(senderId, recipient, text, now);
    if (typeof sent === 'object') this.sync.stored(sent.sender, sent.recipient);
    return sent;
  }

  async claimInbox(recipient: number, claimId: string, limit: number, now: number, leaseUntil: number): Promise<Message[]> {
    return this.claimNow(recipient, claimId, limit, now, leaseUntil);
  }

  private claimNow(recipient: number, claimId: string, limit: number, now: number, leaseUntil: number): Message[] {
    this.check();
    // Another process's change (the admin CLI removing an account) drops the inboxes read.
    this.cache.sync();
    return this.messages.claimInbox(recipient, claimId, limit, now, leaseUntil);
  }

  async settleClaim(_recipient: number, claimId: string, delivered: boolean): Promise<void> {
    this.check();
    this.messages.settleClaim(claimId, delivered);
  }

  async ackInbox(recipient: number, ackId: number, limit: number): Promise<Message[]> {
    this.check();
    this.cache.sync();
    return this.messages.ackInbox(recipient, ackId, limit);
  }

  async history(a: number, b: number, beforeId: number | null, limit: number): Promise<Message[]> {
    this.check();
    return this.messages.history(a, b, beforeId, limit);
  }

  async deleteMessagesBefore(cutoffTs: string, limit: number): Promise<number> {
    this.check();
    const deleted = deleteOldMessages(this.db, cutoffTs, limit);
    if (deleted > 0) this.messages.forgetInboxes();
    return deleted;
  }

  /** Commits queued messages, then closes the file. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.search.stop();
    try {
      this.messages.flush();
    } finally {
      this.db.close();
    }
  }

  /** Runs a write that must be durable before it returns, committed now with what was queued before it. */
  private committed<T>(write: () => T): T {
    return this.log.writeNow(write);
  }

  /**
   * Commits a change to accounts; what is kept of them is dropped before (so no
   * request of this turn uses it) and after (the turn's sends, committed with
   * it, may have read an account it changes).
   */
  private accountsChanged<T>(write: () => T): T {
    this.cache.clear();
    try {
      return this.committed(write);
    } finally {
      this.cache.clear();
    }
  }

  private check(): void {
    if (this.closed) throw new Error('the store is closed');
  }
}


