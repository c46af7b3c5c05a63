// What a command handler may use: the store, the settings and the caller. It
// never sees a socket.

import type { Reply } from '../protocol.js';
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

export const ok = (fields: Record<string, unknown> = {}): Reply => ({ status: 'OK', ...fields });
