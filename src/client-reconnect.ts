// A ChatClient that outlives its connection: it opens a connection when one
// is needed (and again after one is lost), keeps the token, and can log in
// again with the same credentials when the server forgot the session. Used
// by both terminal clients: the full-screen one drives it from its poll loop
// with backoff, the line-mode one once per command.

import { ChatClient, type ConnectOptions } from './client.js';
import { DEFAULT_PORT } from './protocol.js';

/** Delay before reconnect attempt `attempt` (1-based): doubling from 0.5 s to 15 s, ±20 % jitter. */
export function backoffMs(attempt: number): number {
  const base = Math.min(15_000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** A connection with a valid token; `fresh` when that token came from logging in just now. */
export interface Ready {
  client: ChatClient;
  token: string;
  fresh: boolean;
}

/** One user's connection, reopened on demand, with the token and (in memory only) the password. */
export class ReconnectingClient {
  private current: ChatClient | null = null;
  private tokenId: string | null = null;
  private username = '';
  // Kept in memory only, to log in again after the server forgot the session.
  private password = '';
  private pendingLogin: { username: string; password: string; done: Promise<string> } | null = null;

  /** `onLost` is called when the open connection closes under us (not when we close it). */
  constructor(
    readonly connect: ConnectOptions,
    private readonly requestTimeoutMs: number,
    private readonly onLost: () => void = () => {},
  ) {}

  /** The open connection, if any (it may have just closed). */
  get client(): ChatClient | null {
    return this.current;
  }

  /** The current token, or null before login, after logout or once the session is forgotten. */
  get token(): string | null {
    return this.tokenId;
  }

  /** The user of the last successful login. */
  get user(): string {
    return this.username;
  }

  /** `host:port` for people. */
  get server(): string {
    return `${this.connect.host ?? '127.0.0.1'}:${this.connect.port ?? DEFAULT_PORT}`;
  }

  /** The connection and token when both are there. */
  live(): { client: ChatClient; token: string } | null {
    return this.current?.connected && this.tokenId ? { client: this.current, token: this.tokenId } : null;
  }

  /** The open connection, or a new one. Throws ConnectionError. */
  async connection(): Promise<ChatClient> {
    if (this.current?.connected) return this.current;
    // Null until connected, so a failure to connect is not taken for a connection lost.
    this.current = null;
    const client = await ChatClient.connect({ requestTimeoutMs: this.requestTimeoutMs, ...this.connect });
    client.on('close', () => {
      if (this.current !== client) return;
      this.current = null;
      this.onLost();
    });
    this.current = client;
    return client;
  }

  /**
   * Connects if needed and logs in; unless `again`, the same login already
   * done or on its way is shared. The token is replaced only when the server
   * accepts. Throws ChatError or ConnectionError.
   */
  login(username: string, password: string, again = false): Promise<string> {
    if (again) return this.authenticate(username, password);
    if (this.tokenId && this.username === username && this.password === password) return Promise.resolve(this.tokenId);
    const pending = this.pendingLogin;
    if (pending && pending.username === username && pending.password === password) return pending.done;
    const done = this.authenticate(username, password);
    this.pendingLogin = { username, password, done };
    const clear = (): void => {
      if (this.pendingLogin?.done === done) this.pendingLogin = null;
    };
    done.then(clear, clear);
    return done;
  }

  private async authenticate(username: string, password: string): Promise<string> {
    const token = await (await this.connection()).auth(username, password);
    this.tokenId = token;
    this.username = username;
    this.password = password;
    return token;
  }

  /** A connection with a valid token: connects and logs in again (same credentials) as needed. */
  async ready(): Promise<Ready> {
    const client = await this.connection();
    if (this.tokenId) return { client, token: this.tokenId, fresh: false };
    const token = await client.auth(this.username, this.password);
    this.tokenId = token;
    return { client, token, fresh: true };
  }

  /** The server forgot the session: the next `ready` logs in again. */
  forgetSession(): void {
    this.tokenId = null;
  }

  /** Drops the connection (a broken one); the next call opens a new one. */
  drop(): void {
    const client = this.current;
    this.current = null;
    client?.destroy();
  }

  /** Logs out if logged in (waiting at most `timeoutMs`, errors ignored) and closes the connection. */
  async logout(timeoutMs: number): Promise<void> {
    const client = this.current;
    const token = this.tokenId;
    this.tokenId = null;
    this.current = null;
    if (client?.connected && token) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs).unref()));
      await Promise.race([client.logout(token).catch(() => undefined), late]);
      clearTimeout(timer);
    }
    client?.close();
  }
}
