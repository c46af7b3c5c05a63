// What the SQLite store keeps in memory between calls: sessions, users and the
// online list, which nearly every request reads. The maps hold only while no
// other connection (the admin CLI) has committed to the file: one PRAGMA
// data_version per call checks that, in place of the row reads, the token
// hash and the rebuilding of the list. The store updates or drops entries on
// its own writes.

import type { UserProfile } from '../../protocol.js';
import type { UserRecord } from './types.js';

/** A session as last read or written by this process. */
export interface CachedSession {
  hash: string;
  username: string;
  lastUsed: number;
  presentUntil: number;
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

/** In-memory copies of rows, valid while the file is unchanged by others. */
export class StoreCache {
  /** By token (not its hash: hashing is part of what a hit saves). */
  readonly sessions = new Map<string, CachedSession>();
  readonly users = new Map<string, Readonly<UserRecord>>();
  online: OnlineSnapshot | null = null;
  private version = NaN;

  constructor(private readonly dataVersion: () => number) {}

  /** Call before using an entry: forgets everything if another connection committed since the last call. */
  sync(): void {
    const v = this.dataVersion();
    if (v !== this.version) {
      this.version = v;
      this.clear();
    }
  }

  putSession(token: string, s: CachedSession): void {
    if (this.sessions.size >= MAX_ENTRIES) this.sessions.clear();
    this.sessions.set(token, s);
  }

  putUser(user: UserRecord): Readonly<UserRecord> {
    if (this.users.size >= MAX_ENTRIES) this.users.clear();
    const frozen = Object.freeze({ ...user });
    this.users.set(user.username, frozen);
    return frozen;
  }

  clear(): void {
    this.sessions.clear();
    this.users.clear();
    this.online = null;
  }
}
