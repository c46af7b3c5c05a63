// The listening server: accepts connections (plain TCP or TLS), enforces the
// connection caps (making room by closing quiet connections that never logged
// in), holds the server-wide budget for unsent replies, keeps the presence of
// live connections fresh in the store, and closes gracefully.

import net from 'node:net';
import tls from 'node:tls';
import { errorReply, Errors, formatReply } from '../protocol.js';
import type { ServerConfig } from './config.js';
import { Connection, type ConnectionHooks } from './connection.js';
import type { ServerContext } from './context.js';
import { LinkedQueue } from './fifo.js';
import type { Logger } from './log.js';
import type { RequestMetrics } from './metrics.js';
import { ReplyBudget } from './reply-budget.js';
import { syncOf } from './store/sync-types.js';
import type { PresenceHold, Store } from './store/types.js';
import { SyncHub } from './sync/hub.js';
import { PresenceTracker } from './sync/presence.js';
import { FailureThrottle } from './throttle.js';

/** Where a started server listens. */
export interface Address {
  host: string;
  port: number;
}

/** TLS material for a server that encrypts its connections. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/** A ChatBox server on one store. */
export class ChatServer implements ConnectionHooks {
  private readonly server: net.Server;
  private secureContext: tls.SecureContext | null;
  private readonly ctx: ServerContext;
  private readonly connections = new Set<Connection>();
  private readonly perPeer = new Map<string, number>();
  /** Quiet connections that never used a valid token, longest-quiet first: in all, and per address. */
  private readonly quietAll = new LinkedQueue<Connection>();
  private readonly quietPerPeer = new Map<string, LinkedQueue<Connection>>();
  private readonly budget: ReplyBudget;
  /** The accounts live connections hold online, with the tokens they hold them by. */
  private readonly holds = new Map<number, AccountHold>();
  /** The account of each token in `holds`. */
  private readonly tokenAccounts = new Map<string, number>();
  private nextId = 1;
  private heartbeat: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    store: Store,
    private readonly config: ServerConfig,
    private readonly log: Logger,
    tlsMaterial?: TlsMaterial,
    metrics?: RequestMetrics,
  ) {
    this.ctx = { store, config, authThrottle: new FailureThrottle(config.authFailureLimit, config.authFailureWindowMs) };
    if (metrics) this.ctx.metrics = metrics;
    this.ctx.sync = syncOf(store);
    this.ctx.hub = new SyncHub(config.presenceWakeMs);
    this.ctx.presence = this.ctx.sync
      ? new PresenceTracker(store, this.ctx.sync, (err) => this.log.warn('presence check failed', { error: err.message }))
      : null;
    this.budget = new ReplyBudget(config.replyMemoryBytes);
    // TLS goes on each accepted TCP socket rather than through a tls.Server, so that a
    // handshake still in progress counts against the connection caps (and may be closed to make room).
    this.secureContext = tlsMaterial ? tls.createSecureContext({ cert: tlsMaterial.cert, key: tlsMaterial.key }) : null;
    this.server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
  }

  /** Starts listening; rejects with a one-line reason (port in use, address not available, ...). */
  listen(): Promise<Address> {
    const { host, port } = this.config;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        const why =
          err.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is already in use (another server running? choose one with --port)`
            : err.code === 'EADDRNOTAVAIL'
              ? `address ${host} is not available on this machine`
              : err.code === 'EACCES'
                ? `not allowed to listen on ${host}:${port} (ports below 1024 need privileges)`
                : `cannot listen on ${host}:${port}: ${err.message}`;
        reject(Object.assign(new Error(why), { expected: true }));
      };
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog: 4096 }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.log.error('server error', { error: err.message }));
        const addr = this.server.address() as net.AddressInfo;
        const beat = Math.max(50, Math.floor(this.config.presenceWindowMs / 3));
        this.heartbeat = setInterval(() => void this.holdPresence(), beat);
        this.startSync();
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /**
   * Serves new TLS connections with this certificate and key from now on (SIGHUP);
   * connections already open keep theirs. Throws, keeping the old ones, on bad PEM.
   */
  setTls(material: TlsMaterial): void {
    if (!this.secureContext) throw new Error('this server was started without TLS');
    this.secureContext = tls.createSecureContext({ cert: material.cert, key: material.key });
  }

  /** Open connections now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** `sync` requests waiting for an event now. */
  get waitingSyncs(): number {
    return this.ctx.hub?.waiting ?? 0;
  }

  /** Stops accepting, lets each connection finish the request it is answering, then stops. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      // Waiting syncs answer now, so every connection can finish its request.
      this.ctx.hub?.close();
      this.ctx.presence?.stop();
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      await Promise.all([...this.connections].map((c) => c.shutdown()));
      await stopped;
      this.ctx.authThrottle.stop();
    })();
    return this.closing;
  }

  /** Events reach waiting syncs; the presence version is kept current (checked a few times per wake interval). */
  private startSync(): void {
    const { sync, hub, presence } = this.ctx;
    if (!sync || !hub) return;
    sync.listen(hub).catch((err: Error) => this.log.error('event feed failed', { error: err.message }));
    presence?.start(Math.max(10, Math.min(1000, Math.floor(this.config.presenceWakeMs / 2))));
  }

  tokenUsed(conn: Connection, token: string): void {
    const session = conn.session;
    if (session?.token !== token) return;
    let hold = this.holds.get(session.userId);
    if (!hold) {
      hold = { tokens: new Map(), by: token };
      this.holds.set(session.userId, hold);
    }
    hold.tokens.set(token, (hold.tokens.get(token) ?? 0) + 1);
    // The newest token holds the account: the cap ends the least recently used first.
    hold.by = token;
    this.tokenAccounts.set(token, session.userId);
  }

  tokenDropped(_conn: Connection, token: string): void {
    const userId = this.tokenAccounts.get(token);
    const hold = userId === undefined ? undefined : this.holds.get(userId);
    if (userId === undefined || !hold) return;
    const n = (hold.tokens.get(token) ?? 1) - 1;
    if (n > 0) {
      hold.tokens.set(token, n);
      return;
    }
    this.forgetHeldToken(userId, hold, token);
    // No live connection holds the account now. Its live sessions still count for the
    // window after their last use; a token dropped by logout counts for nothing.
    if (hold.tokens.size === 0) this.release(userId, Date.now());
  }

  /** Unsent reply bytes held by all connections now. */
  get unsentReplyBytes(): number {
    return this.budget.total;
  }

  quietChanged(conn: Connection): void {
    if (!conn.quiet || conn.authenticated) {
      this.forgetQuiet(conn);
      return;
    }
    let peerQueue = this.quietPerPeer.get(conn.peer);
    if (!peerQueue) this.quietPerPeer.set(conn.peer, (peerQueue = new LinkedQueue()));
    this.quietAll.push(conn.quietLinks.all);
    peerQueue.push(conn.quietLinks.peer);
  }

  private forgetQuiet(conn: Connection): void {
    this.quietAll.remove(conn.quietLinks.all);
    const peerQueue = this.quietPerPeer.get(conn.peer);
    if (!peerQueue) return;
    peerQueue.remove(conn.quietLinks.peer);
    if (peerQueue.size === 0) this.quietPerPeer.delete(conn.peer);
  }

  closed(conn: Connection): void {
    // An evicted connection was let go before its socket closed.
    if (!this.connections.delete(conn)) return;
    const n = (this.perPeer.get(conn.peer) ?? 1) - 1;
    if (n > 0) this.perPeer.set(conn.peer, n);
    else this.perPeer.delete(conn.peer);
    this.forgetQuiet(conn);
  }

  /**
   * Past the eviction share of a cap, a new connection makes room by closing the
   * longest-quiet connection that never used a valid token (from its own address
   * for the per-address cap): one per accept, so the count stays at the share while
   * such connections remain, and users who logged in are never closed for room.
   */
  private makeRoom(peer: string): void {
    const share = (cap: number): number => Math.floor((cap * this.config.quietEvictPercent) / 100);
    if (this.connections.size + 1 > share(this.config.maxConnections)) this.evict(this.quietAll.first());
    if ((this.perPeer.get(peer) ?? 0) + 1 > share(this.config.maxConnectionsPerPeer)) this.evict(this.quietPerPeer.get(peer)?.first());
  }

  private evict(conn: Connection | undefined): void {
    if (!conn) return;
    this.log.info('evict', { conn: conn.id, peer: conn.peer, reason: 'quiet and never logged in, under connection pressure' });
    // Counted out at once, so the connection it makes room for is admitted now.
    this.closed(conn);
    conn.evict();
  }

  private accept(raw: net.Socket): void {
    const peer = raw.remoteAddress ?? 'unknown';
    const port = raw.remotePort;
    const socket = this.secureContext ? this.startTls(raw, peer) : raw;
    if (!this.closing) this.makeRoom(peer);
    const fromPeer = this.perPeer.get(peer) ?? 0;
    if (this.closing || this.connections.size >= this.config.maxConnections || fromPeer >= this.config.maxConnectionsPerPeer) {
      this.log.warn('connection refused', {
        peer,
        reason: this.closing ? 'shutting down' : fromPeer >= this.config.maxConnectionsPerPeer ? 'per-address cap' : 'total cap',
      });
      socket.on('error', () => {});
      socket.end(formatReply(errorReply(Errors.tooMany)));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.perPeer.set(peer, fromPeer + 1);
    const id = this.nextId++;
    this.log.info('open', { conn: id, peer, port });
    this.connections.add(new Connection(id, socket, peer, this.ctx, this.log, this, this.budget));
  }

  /** Starts the server side of a TLS handshake on `raw`; what is written before it completes waits for it. */
  private startTls(raw: net.Socket, peer: string): tls.TLSSocket {
    const socket = new tls.TLSSocket(raw, { isServer: true, secureContext: this.secureContext! });
    let secure = false;
    socket.once('secure', () => (secure = true));
    // A handshake begun and left unfinished is an unfinished request: closed after the
    // partial-line timeout (checked in halves, so between one and one and a half of it).
    // A peer that has sent nothing is quiet, and stays.
    let begun = false;
    const check = setInterval(() => {
      if (secure || socket.destroyed) clearInterval(check);
      else if (begun) socket.destroy(new Error('handshake not finished in time'));
      else begun = raw.bytesRead > 0;
    }, Math.max(10, this.config.partialLineTimeoutMs / 2));
    socket.once('close', () => clearInterval(check));
    // A failed handshake is the peer's problem, not a server error.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!secure) this.log.info('tls handshake failed', { peer, error: err.code ?? err.message });
    });
    return socket;
  }

  /**
   * Live connections keep their accounts online across the presence window:
   * one hold per account, however many of its tokens they hold. A token
   * found ended (logout elsewhere, the cap, passwd) gives way to another.
   */
  private async holdPresence(): Promise<void> {
    const now = Date.now();
    let batch: PresenceHold[] = [];
    for (const [userId, hold] of this.holds) batch.push(...this.holdsOf(userId, hold));
    try {
      // Each round drops the tokens found ended; a few rounds settle even a mass logout.
      for (let round = 0; round < 4 && batch.length > 0; round++) {
        const ended = await this.ctx.store.holdPresence(batch, now);
        if (ended.length === 0) return;
        const retry = new Set<number>();
        for (const token of ended) {
          const userId = this.tokenAccounts.get(token);
          const hold = userId === undefined ? undefined : this.holds.get(userId);
          if (userId === undefined || !hold) continue;
          this.forgetHeldToken(userId, hold, token);
          if (hold.tokens.size > 0) retry.add(userId);
          else this.release(userId, now);
        }
        batch = [];
        for (const userId of retry) {
          const hold = this.holds.get(userId);
          if (hold && hold.by === null) batch.push(...this.holdsOf(userId, hold));
        }
      }
    } catch (err) {
      this.log.error('store failure', { error: (err as Error).message });
    }
  }

  /** The account's newest token, or, when that one ended, a few candidates, newest first. */
  private holdsOf(userId: number, hold: AccountHold): PresenceHold[] {
    if (hold.by !== null) return [{ userId, token: hold.by }];
    const tokens = [...hold.tokens.keys()].slice(-HOLD_CANDIDATES).reverse();
    // The first of them the store finds alive holds from the next beat on.
    hold.by = tokens[0] ?? null;
    return tokens.map((token) => ({ userId, token }));
  }

  /** Stops holding with `token`; the account's hold passes to another token, or ends when none is left. */
  private forgetHeldToken(userId: number, hold: AccountHold, token: string): void {
    hold.tokens.delete(token);
    this.tokenAccounts.delete(token);
    if (hold.by === token) hold.by = null;
    if (hold.tokens.size === 0) this.holds.delete(userId);
  }

  private release(userId: number, until: number): void {
    this.ctx.store.releasePresence(userId, until).catch((err: Error) => this.log.error('store failure', { error: err.message }));
  }
}

/** Tokens tried at once for an account whose holding token ended. */
const HOLD_CANDIDATES = 32;

/** How this server's live connections hold one account online. */
interface AccountHold {
  /** Each held token of the account, with how many live connections hold it. */
  tokens: Map<string, number>;
  /** The token the heartbeat holds the account by; null when it ended and another must be found. */
  by: string | null;
}
