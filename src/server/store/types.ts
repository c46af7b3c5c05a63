// The storage contract of the server. Two implementations keep it: SQLite
// (embedded, one node) and Redis (many stateless nodes). Every method is
// atomic on its own; the server never needs a transaction spanning two calls.

import type { Message, UserProfile } from '../../protocol.js';

/** A user with the stored password hash (see passwords.ts for its format). */
export interface UserRecord extends UserProfile {
  passwordHash: string;
}

/** A user of the directory with whether they are online now. */
export interface DirectoryUser extends UserProfile {
  online: boolean;
}

/** A session found by its token. */
export interface SessionInfo {
  username: string;
  /** When the session was last used (ms since the epoch). */
  lastUsedAt: number;
}

/** Timing rules the store applies to sessions and presence. */
export interface SessionPolicy {
  /** A session unused for longer than this expires (ms). */
  idleLifetimeMs: number;
  /** How long after its last sign of life a session still counts as online (ms). */
  presenceWindowMs: number;
}

/** Everything the server keeps. */
export interface Store {
  // --- users ---
  /** Adds a user; false when the username is taken. */
  addUser(user: UserRecord): Promise<boolean>;
  getUser(username: string): Promise<UserRecord | null>;
  /** All users, ordered by username. */
  listUsers(): Promise<UserProfile[]>;
  /** Replaces the password hash and ends the user's sessions; false when there is no such user. */
  setPassword(username: string, passwordHash: string): Promise<boolean>;
  /** Removes a user, their sessions and the messages waiting for them; false when there is no such user. */
  removeUser(username: string): Promise<boolean>;
  /** Number of users. */
  countUsers(): Promise<number>;

  // --- sessions and presence ---
  /** Stores a new session, used and present as of `now`. */
  createSession(token: string, username: string, now: number): Promise<void>;
  /**
   * Looks a session up and records its use at `now`: it stays alive for the
   * idle lifetime and online for the presence window. An expired session is
   * removed and null returned.
   */
  useSession(token: string, now: number): Promise<SessionInfo | null>;
  /** Ends a session; false when it did not exist. */
  endSession(token: string): Promise<boolean>;
  /** Keeps these sessions online until `until` (ms) at least: live connections hold them. */
  holdPresence(tokens: readonly string[], until: number): Promise<void>;
  /** Sets when this session stops counting as online (its last connection closed). */
  releasePresence(token: string, until: number): Promise<void>;
  /** Users with a session online at `now`, ordered by username, each once. */
  onlineUsers(now: number): Promise<UserProfile[]>;
  /** Every user with whether they are online at `now`, ordered by username. */
  directory(now: number): Promise<DirectoryUser[]>;

  // --- messages ---
  /** Stores a message and returns it with its id; durable when the promise resolves. */
  addMessage(sender: UserProfile, recipient: UserProfile, text: string, now: number): Promise<Message>;
  /**
   * Takes up to `limit` of the oldest messages to `recipient` that are neither
   * received nor held by another unexpired claim, and holds them under
   * `claimId` until `leaseUntil`. Concurrent claims never share a message.
   */
  claimInbox(recipient: string, claimId: string, limit: number, now: number, leaseUntil: number): Promise<Message[]>;
  /** Ends a claim: its messages become received (`delivered`) or free again. */
  settleClaim(recipient: string, claimId: string, delivered: boolean): Promise<void>;
  /**
   * Marks every message to `recipient` with id <= ackId as received, then
   * returns up to `limit` of the oldest not received with id > ackId,
   * without marking them.
   */
  ackInbox(recipient: string, ackId: number, limit: number): Promise<Message[]>;
  /** The newest `limit` messages between a and b (both ways) with id < beforeId, oldest first. */
  history(a: string, b: string, beforeId: number | null, limit: number): Promise<Message[]>;

  /** Flushes and releases everything. */
  close(): Promise<void>;
}
