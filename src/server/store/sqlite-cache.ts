// What the SQLite store keeps in memory between calls: sessions, users, the
// online list and which inboxes are empty, which nearly every request reads.
// The copies hold only while no other connection (the admin CLI) has
// committed to the file. A PRAGMA data_version checks that, in place of the
// row reads, the token hash and the rebuilding of the list; it costs a read
// lock like any query, so it runs once per callback: the requests answered in
// one callback (a poll's pipelined online and inbox) all arrived before that
// check, so answering them from it is as if each came a moment sooner. The
// store updates or drops entries on its own writes.

import type { UserProfile } from '../../protocol.js';
import type { UserRecord } from './types.js';

/** A session as last read or written by this process. */
export interface CachedSession {
  hash: string;
  userId: number;
  username: string;
  lastUsed: number;
}

/** The online list as last read, and until when it holds. */
export interface OnlineSnapshot {
  users: readonly UserProfile[];
  readAt: number;
  /** The first moment a counted session lapses: the list changes by the clock alone then. */
  validUntil: number;
}

/** Entries kept per map at most; past it the map starts over (unused tokens would pile up otherwise). */
const MAX_ENTRIES = 100_000;

// Commits by the SQLite stores of this process. Another store on the same file
// in this process (the admin code, tests) must be seen at once as well, and its
// commits move data_version only when a check runs.
let commitsInProcess = 0;

/** Call after every commit a store makes. */
export function noteCommit(): void {
  commitsInProcess++;
}

/** In-memory copies of rows, valid while the file is unchanged by others. */
export class StoreCache {
  /** By token (not its hash: hashing is part of what a hit saves). */
  readonly sessions = new Map<string, CachedSession>();
  /** Token hash to token, so a session ended by its hash (the cap) leaves no copy behind. */
  private readonly tokens = new Map<string, string>();
  readonly users = new Map<string, Readonly<UserRecord>>();
  online: OnlineSnapshot | null = null;
  /** Accounts with no undelivered message at all: only an insert changes that. */
  readonly emptyInboxes = new Set<number>();
  private version = NaN;
  private checkedAt = -1;
  private checkedThisCallback = false;

  constructor(private readonly dataVersion: () => number) {}

  /**
   * Call before using an entry: forgets everything if another connection has
   * committed. Checks once per callback, and again after any commit in this process.
   */
  sync(): void {
    if (this.checkedThisCallback && this.checkedAt === commitsInProcess) return;
    const v = this.dataVersion();
    if (v !== this.version) {
      this.version = v;
      this.clear();
    }
    this.checkedAt = commitsInProcess;
    if (!this.checkedThisCallback) {
      this.checkedThisCallback = true;
      // A tick queued from a promise job runs once all promise jobs of this callback are
      // done, before the next I/O (queued from here, it would run before them).
      queueMicrotask(() => process.nextTick(() => (this.checkedThisCallback = false)));
    }
  }

  putSession(token: string, s: CachedSession): void {
    if (this.sessions.size >= MAX_ENTRIES) {
      this.sessions.clear();
      this.tokens.clear();
    }
    this.sessions.set(token, s);
    this.tokens.set(s.hash, token);
  }

  dropSession(token: string): void {
    const s = this.sessions.get(token);
    if (!s) return;
    this.sessions.delete(token);
    this.tokens.delete(s.hash);
  }

  dropSessionHash(hash: string): void {
    const token = this.tokens.get(hash);
    if (token !== undefined) this.dropSession(token);
  }

  putUser(user: UserRecord): Readonly<UserRecord> {
    if (this.users.size >= MAX_ENTRIES) this.users.clear();
    const frozen = Object.freeze({ ...user });
    this.users.set(user.username, frozen);
    return frozen;
  }

  markEmpty(recipient: number): void {
    if (this.emptyInboxes.size >= MAX_ENTRIES) this.emptyInboxes.clear();
    this.emptyInboxes.add(recipient);
  }

  clear(): void {
    this.sessions.clear();
    this.tokens.clear();
    this.users.clear();
    this.online = null;
    this.emptyInboxes.clear();
  }
}
