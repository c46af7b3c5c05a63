// ChatClient: one connection to a ChatBox server, with a typed method per
// command. Requests may be pipelined; replies are matched to them in order.
// Used by the TUI, the line-mode client, the benchmarks and the tests.

import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import {
  DEFAULT_PORT,
  formatRequest,
  ReplyDecoder,
  type DirectoryEntry,
  type Message,
  type OnlineEntry,
  type Reply,
} from './protocol.js';

/** Where and how to connect. */
export interface ConnectOptions {
  host?: string;
  port?: number;
  /** Use TLS; `ca` adds trusted certificates (PEM) for a private server. */
  tls?: boolean;
  ca?: string | Buffer;
  /** Local address to connect from (tests use 127.0.0.x to act as several peers). */
  localAddress?: string;
  /** How long to wait for the connection, in ms. */
  connectTimeoutMs?: number;
  /** How long to wait for each reply before the connection is given up, in ms (0: forever). */
  requestTimeoutMs?: number;
}

/** The server answered with `{"status": "ERROR"}`; `message` is its protocol error text. */
export class ChatError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'ChatError';
  }
}

/** The connection failed, closed or timed out before a reply came. */
export class ConnectionError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

/** Turns a socket error into one line a person can act on. */
export function describeConnectError(err: NodeJS.ErrnoException, host: string, port: number): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${host}:${port}: connection refused (is the server running?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect to ${host}:${port}: unknown host`;
    case 'ETIMEDOUT':
      return `cannot connect to ${host}:${port}: timed out`;
    case 'ECONNRESET':
      return `connection to ${host}:${port} was reset`;
    default:
      if (/CERT|SELF_SIGNED|ERR_TLS|ERR_SSL/.test(err.code ?? '')) {
        return `cannot connect to ${host}:${port}: the server's TLS certificate is not trusted (${err.message}; pass --ca FILE for a private CA)`;
      }
      return `cannot connect to ${host}:${port}: ${err.message}`;
  }
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
}

/**
 * Messages of an inbox reply, grouped by sender username. It has no
 * prototype: `inbox.constructor` is a sender's messages or nothing.
 */
export type Inbox = Record<string, Message[]>;

/** What one sync answered. */
export interface SyncResult {
  messages: Message[];
  /** Peer username -> this user's read marker for that conversation (changed ones only). */
  read: Map<string, number>;
  /** The cursor to pass next time. */
  next: number;
  /** The presence version: when it changes, `online` may answer differently. */
  presence: number;
}

/** The groups of an inbox reply in a prototype-free object; anything but a list of messages is left out. */
function inboxFrom(value: unknown): Inbox {
  const out: Inbox = Object.create(null);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  // JSON.parse made every key an own property, `__proto__` too: copy them as such.
  for (const [sender, list] of Object.entries(value)) if (Array.isArray(list)) out[sender] = list as Message[];
  return out;
}

/**
 * One connection to a server. Emits `close` (with an Error or undefined) once
 * when the connection ends for any reason.
 */
export class ChatClient extends EventEmitter {
  private readonly decoder = new ReplyDecoder();
  private readonly pending: Pending[] = [];
  private closedWith: Error | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly requestTimeoutMs: number,
    readonly host: string,
    readonly port: number,
  ) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new ConnectionError(describeConnectError(err, host, port), (err as NodeJS.ErrnoException).code)));
    socket.on('close', () => this.fail(new ConnectionError(`connection to ${host}:${port} closed`)));
  }

  /** Opens a connection; rejects with a ConnectionError whose message is one clear line. */
  static connect(options: ConnectOptions = {}): Promise<ChatClient> {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? DEFAULT_PORT;
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tls.connect({
            socket: net.connect({ host, port, localAddress: options.localAddress }),
            ca: options.ca,
            servername: net.isIP(host) ? undefined : host,
          })
        : net.connect({ host, port, localAddress: options.localAddress });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(`cannot connect to ${host}:${port}: timed out`, 'ETIMEDOUT'));
      }, timeoutMs);
      const onError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new ConnectionError(describeConnectError(err, host, port), err.code));
      };
      socket.once('error', onError);
      socket.once(options.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new ChatClient(socket, options.requestTimeoutMs ?? 30_000, host, port));
      });
    });
  }

  /** True until the connection has ended. */
  get connected(): boolean {
    return this.closedWith === null;
  }

  /** Requests sent whose replies have not come yet. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Sends one raw request line (words joined by spaces) and resolves with its reply, OK or ERROR. */
  request(words: readonly string[]): Promise<Reply> {
    return this.requestLine(formatRequest(words));
  }

  /** Sends an already formatted line (it must end with a line break); `timeoutMs` overrides the connection's. */
  requestLine(line: string, timeoutMs = this.requestTimeoutMs): Promise<Reply> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const entry: Pending = { resolve, reject, timer: null };
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          // Replies come in order, so a missing one leaves the connection unusable.
          this.fail(new ConnectionError(`no reply from ${this.host}:${this.port} within ${this.requestTimeoutMs} ms`, 'ETIMEDOUT'));
          this.socket.destroy();
        }, timeoutMs);
      }
      this.pending.push(entry);
      this.socket.write(line);
    });
  }

  /** Sends a request and returns its OK reply, or throws ChatError with the server's error text. */
  async call(words: readonly string[]): Promise<Extract<Reply, { status: 'OK' }>> {
    const reply = await this.request(words);
    if (reply.status === 'ERROR') throw new ChatError(reply.message);
    return reply;
  }

  /** Logs in; returns the session token. */
  async auth(username: string, password: string): Promise<string> {
    const r = await this.call(['auth', username, password]);
    return String(r.tokenid);
  }

  async logout(token: string): Promise<void> {
    await this.call(['logout', token]);
  }

  async send(token: string, to: string, message: string): Promise<void> {
    await this.call(['send', token, to, message.replace(/\r?\n/g, ' ')]);
  }

  /** Without `ackId`, drains the inbox; with it, acknowledges up to it and peeks at the rest. */
  async inbox(token: string, ackId?: number): Promise<Inbox> {
    const words = ackId === undefined ? ['inbox', token] : ['inbox', token, String(ackId)];
    const r = await this.call(words);
    return inboxFrom(r.messages);
  }

  async online(token: string): Promise<OnlineEntry[]> {
    const r = await this.call(['online', token]);
    return (r.users ?? []) as OnlineEntry[];
  }

  async users(token: string): Promise<DirectoryEntry[]> {
    const r = await this.call(['users', token]);
    return (r.users ?? []) as DirectoryEntry[];
  }

  /** The newest `limit` messages with `peer` before `beforeId`, oldest first. */
  async history(token: string, peer: string, beforeId?: number, limit?: number): Promise<Message[]> {
    const words = ['history', token, peer];
    if (beforeId !== undefined || limit !== undefined) words.push(String(beforeId ?? 0));
    if (limit !== undefined) words.push(String(limit));
    const r = await this.call(words);
    return (r.messages ?? []) as Message[];
  }

  /**
   * Messages to or from this user after `sinceId`, read-marker changes and the
   * cursor; with `waitMs`, the server holds an empty answer until something
   * happens. It holds back later requests on this connection: long-poll on a
   * connection of its own (see SyncPoller).
   */
  async sync(token: string, sinceId: number, waitMs?: number): Promise<SyncResult> {
    const words = ['sync', token, String(sinceId)];
    if (waitMs !== undefined) words.push(String(waitMs));
    // The wait does not count against the request timeout.
    const reply = await this.requestLine(formatRequest(words), this.requestTimeoutMs > 0 ? this.requestTimeoutMs + (waitMs ?? 0) : 0);
    if (reply.status === 'ERROR') throw new ChatError(reply.message);
    return {
      messages: (reply.messages ?? []) as Message[],
      read: new Map(Object.entries((reply.read ?? {}) as Record<string, number>)),
      next: Number(reply.next),
      presence: Number(reply.presence),
    };
  }

  /** Raises this user's read marker for the conversation with `peer` to `id`. */
  async read(token: string, peer: string, id: number): Promise<void> {
    await this.call(['read', token, peer, String(id)]);
  }

  /** The newest `limit` (1 to 200) messages of this user holding every word of `query`, below `beforeId` (0: newest). */
  async search(token: string, query: string, limit = 50, beforeId = 0): Promise<Message[]> {
    const r = await this.call(['search', token, String(beforeId), String(limit), query.replace(/\r?\n/g, ' ')]);
    return (r.messages ?? []) as Message[];
  }

  /** The online list and its presence version (pass 0 the first time); null list when it is still `version`. */
  async onlineSince(token: string, version: number): Promise<{ users: OnlineEntry[] | null; presence: number }> {
    const r = await this.call(['online', token, String(version)]);
    return { users: r.unchanged === true ? null : ((r.users ?? []) as OnlineEntry[]), presence: Number(r.presence) };
  }

  /** The directory with unread counts, the sync cursor and the presence version. */
  async directory(token: string): Promise<{ users: DirectoryEntry[]; next: number; presence: number }> {
    const r = await this.call(['users', token]);
    return { users: (r.users ?? []) as DirectoryEntry[], next: Number(r.next), presence: Number(r.presence) };
  }

  /** Closes the connection; pending requests reject. */
  close(): void {
    this.socket.end();
    this.socket.destroySoon();
  }

  /** Closes at once, without waiting for written data. */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.decoder.push(chunk);
    } catch {
      this.fail(new ConnectionError(`malformed reply from ${this.host}:${this.port}`));
      this.socket.destroy();
      return;
    }
    for (const reply of replies) {
      const entry = this.pending.shift();
      if (!entry) {
        // A server over its connection caps answers before any request, then closes.
        const why = reply.status === 'ERROR' ? `server refused the connection: ${reply.message}` : 'unexpected reply';
        this.fail(new ConnectionError(`${why} (${this.host}:${this.port})`));
        this.socket.destroy();
        return;
      }
      if (entry.timer) clearTimeout(entry.timer);
      entry.resolve(reply);
    }
  }

  private fail(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    for (const entry of this.pending.splice(0)) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.reject(err);
    }
    this.emit('close', err);
  }
}
