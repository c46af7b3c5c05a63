// What a command handler may use: the store, the settings and the caller. It
// never sees a socket.

import { errorReply, Errors, formatReply, type ErrorText, type Reply } from '../protocol.js';
import type { ServerConfig } from './config.js';
import type { RequestMetrics } from './metrics.js';
import type { SyncStore } from './store/sync-types.js';
import type { SessionInfo, Store } from './store/types.js';
import type { PresenceTracker } from './sync/presence.js';
import type { SyncHub } from './sync/hub.js';
import type { FailureThrottle } from './throttle.js';

/** Shared by every handler of a server. */
export interface ServerContext {
  store: Store;
  config: ServerConfig;
  authThrottle: FailureThrottle;
  /** Counts each answered request, when metrics are served. */
  metrics?: RequestMetrics;
  /** The store's sync half (null: a store without one answers the sync commands as unknown). */
  sync?: SyncStore | null;
  /** Waiting syncs. */
  hub?: SyncHub;
  /** The presence version of this node. */
  presence?: PresenceTracker | null;
}

/** The connection a request came on, as handlers see it. */
export interface Caller {
  /** Peer IP address, for per-address limits. */
  peer: string;
  /** The session the request's token opened, once checked. */
  session: (SessionInfo & { token: string }) | null;
  /** Forget a token this connection used (after logout). */
  forgetToken(token: string): void;
  /** Aborted when the connection closes (a waiting request stops waiting). */
  readonly closedSignal?: AbortSignal;
  /** The session was checked: hold it (online, not idle) from now, before the answer. */
  sessionUsed?(): void;
}

/** A handler's answer: the reply, and optionally what to do once it was handed to the OS (or failed to be). */
export interface Outcome {
  reply: Reply;
  /** The user the request acted as, for the log. */
  user?: string;
  afterWrite?: (written: boolean) => void | Promise<void>;
  /**
   * The reply already encoded, as pieces written in order (a reply many
   * callers share, sent without copying); `reply` then serves the log only.
   */
  frame?: readonly Buffer[];
}

/** The result of one request line, with the command word for the log (never its arguments). */
export interface Handled extends Outcome {
  cmd: string;
}

export const ok = (fields: Record<string, unknown> = {}): Reply => ({ status: 'OK', ...fields });

/** A reply that never changes, encoded once: every request answered with it shares the bytes. */
export interface FixedReply {
  readonly reply: Reply;
  readonly frame: readonly Buffer[];
}

export function fixedReply(reply: Reply): FixedReply {
  return Object.freeze({ reply, frame: Object.freeze([Buffer.from(formatReply(reply))]) });
}

const ERROR_REPLIES = new Map<string, FixedReply>(Object.values(Errors).map((e) => [e, fixedReply(errorReply(e))]));

/** The error reply of this text, encoded once. */
export const fixedError = (error: ErrorText): FixedReply => ERROR_REPLIES.get(error)!;

/** An error answer, acting as `user` for the log. */
export function failed(error: ErrorText, user?: string): Outcome {
  const f = fixedError(error);
  return { reply: f.reply, frame: f.frame, user };
}
