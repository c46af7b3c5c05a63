// The storage contract of the server. Two implementations keep it: SQLite
// (embedded, one node) and Redis (many stateless nodes). Every method is
// atomic on its own; the server never needs a transaction spanning two calls.
//
// An account is an identity, not a name: each gets an id that is never
// handed out again, and sessions, inboxes and conversations belong to the
// id. A user removed and later added under the same name is a new account.

import type { Message, UserProfile } from '../../protocol.js';

/** An account as it is referred to: its immutable id and its username. */
export interface AccountRef {
  /** Assigned at creation, never reused (also after the account is removed). */
  id: number;
  username: string;
}

/** A user as added: the profile and the password hash (see passwords.ts for its format). */
export interface NewUser extends UserProfile {
  passwordHash: string;
}

/** A stored user: the profile, the password hash and the account id. */
export interface UserRecord extends NewUser, AccountRef {}

/** A user of the directory with whether they are online now. */
export interface DirectoryUser extends UserProfile {
  online: boolean;
}

/** A session found by its token. */
export interface SessionInfo {
  /** The account the session belongs to. */
  userId: number;
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
  /** Sessions kept per account: a new one past this ends the least recently used (default 100). */
  maxSessionsPerUser?: number;
}

/** Sessions per account when the policy does not say. */
export const DEFAULT_MAX_SESSIONS_PER_USER = 100;

/** A live connection's hold on an account's presence, through one of its tokens. */
export interface PresenceHold {
  userId: number;
  /** A token of that account the connection holds: the hold counts while it is a live session. */
  token: string;
}

/** What `sendMessage` did: the stored message, or why nothing was stored. */
export type SendResult = Message | 'no such recipient' | 'no such sender';

/**
 * The answers a store that keeps its hot state in memory gives at once, with
 * no promise: what polling clients ask most (a session, the online list, an
 * inbox drain). Each does what the Store method of the same name does.
 */
export interface ImmediateStore {
  useSession(token: string, now: number): SessionInfo | null;
  onlineUsers(now: number): readonly UserProfile[];
  claimInbox(recipientId: number, claimId: string, limit: number, now: number, leaseUntil: number): Message[];
  settleClaim(recipientId: number, claimId: string, delivered: boolean): void;
}

/** Everything the server keeps. */
export interface Store {
  /** Present when the store can answer the hottest calls at once (SQLite); absent for Redis. */
  readonly immediate?: ImmediateStore;

  // --- users ---
  /** Adds a user as a new account; false when the username is taken. */
  addUser(user: NewUser): Promise<boolean>;
  /** The account that has this username now, or null. */
  getUser(username: string): Promise<UserRecord | null>;
  /** All users, ordered by username. */
  listUsers(): Promise<UserProfile[]>;
  /** Replaces the password hash and ends the user's sessions; false when there is no such user. */
  setPassword(username: string, passwordHash: string): Promise<boolean>;
  /**
   * Removes an account: its sessions and the messages waiting for it; false
   * when there is no such user. Messages it sent or received stay in its
   * peers' history, under its id, which no later account gets.
   */
  removeUser(username: string): Promise<boolean>;
  /** Number of users. */
  countUsers(): Promise<number>;

  // --- sessions and presence ---
  /**
   * Stores a new session of this account, used as of `now`; past the cap it
   * ends the account's least recently used session, in the same step. False
   * (nothing stored) when the account no longer exists.
   */
  createSession(token: string, user: AccountRef, now: number): Promise<boolean>;
  /**
   * Looks a session up and records its use at `now`: it stays alive for the
   * idle lifetime and online for the presence window. An expired session is
   * removed and null returned.
   */
  useSession(token: string, now: number): Promise<SessionInfo | null>;
  /** Ends a session; false when it did not exist. */
  endSession(token: string): Promise<boolean>;
  /**
   * Live connections keep these accounts online until `now` + the presence
   * window, each while its token is a live session of it. Costs one write
   * per account. Returns the tokens that are not (the caller holds with
   * another token of that account, or lets the account go).
   */
  holdPresence(holds: readonly PresenceHold[], now: number): Promise<string[]>;
  /** This holder's hold on the account ends at `until` (its last connection for the account closed). */
  releasePresence(userId: number, until: number): Promise<void>;
  /** Users with a session online at `now`, ordered by username, each once. */
  onlineUsers(now: number): Promise<UserProfile[]>;
  /** Every user with whether they are online at `now`, ordered by username. */
  directory(now: number): Promise<DirectoryUser[]>;

  // --- messages ---
  /**
   * In one step: finds the account named `recipient` now, checks the sender
   * account still exists, and stores the message with both namas as they
   * are. Durable when the promise resolves.
   */
  sendMessage(senderId: number, recipient: string, text: string, now: number): Promise<SendResult>;
  /**
   * Takes up to `limit` of the oldest messages to the account that are
   * neither received nor held by another unexpired claim, and holds them
   * under `claimId` until `leaseUntil`. Concurrent claims never share a message.
   */
  claimInbox(recipientId: number, claimId: string, limit: number, now: number, leaseUntil: number): Promise<Message[]>;
  /** Ends a claim: its messages become received (`delivered`) or free again. */
  settleClaim(recipientId: number, claimId: string, delivered: boolean): Promise<void>;
  /**
   * Marks every message to the account with id <= ackId as received, then
   * returns up to `limit` of the oldest not received with id > ackId,
   * without marking them.
   */
  ackInbox(recipientId: number, ackId: number, limit: number): Promise<Message[]>;
  /** The newest `limit` messages between accounts a and b (both ways) with id < beforeId, oldest first. */
  history(aId: number, bId: number, beforeId: number | null, limit: number): Promise<Message[]>;

  /**
   * Retention: looks at up to `limit` of the oldest messages (by id) and deletes
   * those stored before `cutoffTs` (an ISO time), wherever they are (inboxes,
   * history). Returns how many it deleted; 0 once the oldest left is newer.
   */
  deleteMessagesBefore(cutoffTs: string, limit: number): Promise<number>;

  /** Flushes and releases everything. */
  close(): Promise<void>;
}
