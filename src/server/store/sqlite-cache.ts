// What the SQLite store keeps in memory between calls: sessions, users and the
// online list, which nearly every request reads (the inboxes: sqlite-inbox.ts).
// The copies hold only while no other connection (the admin CLI) has
// committed to the file. A PRAGMA data_version checks that, in place of the
// row reads, the token hash and the rebuilding of the list; it costs a read
// lock like any query (two fcntl calls), so it runs once per turn of the event
// loop: the first use after the loop has waited for I/O checks, and the
// requests of every socket read in that turn are answered from it. Those were
// readable before the loop stopped waiting, so before the check: what another
// process committed before a request was sent is seen by it. The store updates
// or drops entries on its own writes, and any commit of this process (another
// store on the same file) forces a new check at once.

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
// commits move data_version only when a check runs. A store's own commits never
// move its data_version, so they force no check.
let commitsInProcess = 0;

/** In-memory copies of rows, valid while the file is unchanged by others. */
export class StoreCache {
  /** By token (not its hash: hashing is part of what a hit saves). */
  readonly sessions = new Map<string, CachedSession>();
  /** Token hash to token, so a session ended by its hash (the cap) leaves no copy behind. */
  private readonly tokens = new Map<string, string>();
  readonly users = new Map<string, Readonly<UserRecord>>();
  online: OnlineSnapshot | null = null;
  private version = NaN;
  /** Commits of the other stores of this process at the last check. */
  private checkedAt = -1;
  private ownCommits = 0;
  private checkedThisTurn = false;
  private readonly endTurn = (): void => {
    this.checkedThisTurn = false;
  };

  constructor(
    private readonly dataVersion: () => number,
    /** Hears every clear: what the store holds beside these copies (its inboxes) is stale too. */
    private readonly onClear: () => void = () => undefined,
  ) {}

  /**
   * Call before using an entry: forgets everything if another connection has
   * committed. Checks once per turn of the event loop, and again after any
   * commit in this process.
   */
  sync(): void {
    if (this.checkedThisTurn && this.checkedAt === commitsInProcess - this.ownCommits) return;
    const v = this.dataVersion();
    if (v !== this.version) {
      this.version = v;
      this.clear();
    }
    this.checkedAt = commitsInProcess - this.ownCommits;
    if (!this.checkedThisTurn) {
      this.checkedThisTurn = true;
      // Runs after this turn's I/O callbacks: the next turn's first use checks again.
      setImmediate(this.endTurn);
    }
  }

  /** Call after every commit this store makes. */
  noteCommit(): void {
    commitsInProcess++;
    this.ownCommits++;
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

  clear(): void {
    this.sessions.clear();
    this.tokens.clear();
    this.users.clear();
    this.online = null;
    this.onClear();
  }
}
