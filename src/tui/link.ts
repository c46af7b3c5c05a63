// The reconnecting side both terminal clients share: one connection,
// reopened with backoff when lost; the token, logging in again with the same
// password when the server forgot the session; and the send queue, so a
// message typed while the connection is down is sent once it is back, in
// order, once. The full-screen client runs its polling or live sync as the
// link's `work` every interval; the line-mode client reconnects only while
// something waits to be sent. Every change is reported as a reducer action.

import { ChatError, ConnectionError, type ChatClient, type ConnectOptions } from '../client.js';
import { backoffMs, ReconnectingClient } from '../client-reconnect.js';
import { Errors } from '../protocol.js';
import { shortReason } from './poll.js';
import { Sending, type SendingHooks } from './sending.js';
import type { Action, ConnState } from './state.js';

/** How the link connects, how long a message may wait, and how often its work runs. */
export interface LinkOptions {
  connect: ConnectOptions;
  requestTimeoutMs: number;
  /** A message queued while offline for longer than this is marked failed instead of sent late. */
  queueMaxAgeMs: number;
  /** Runs `work` this often (ms), reconnecting whenever it fails; without it the link reconnects only for the queue. */
  intervalMs?: number;
}

/** What the client around the link adds. */
export interface LinkHooks extends Pick<SendingHooks, 'lookUpAs' | 'settled'> {
  dispatch(a: Action): void;
  /** Connected with a valid token (`fresh`: from logging in again just now), before the queue is sent. */
  connected?(client: ChatClient, fresh: boolean): Promise<void>;
  /** The client's periodic work (polling, sync), every interval. */
  work?(client: ChatClient): Promise<void>;
  /** The server forgot the session: logging in again. */
  sessionLost?(): void;
  /** One diagnostic line (never a password or token). */
  log?(line: string): void;
}

/** A logged-in user's connection, reconnected, logged in again and sending what was queued. */
export class Link {
  readonly rc: ReconnectingClient;
  readonly sending: Sending;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = false;
  private attempt = 0;
  private state: ConnState = { kind: 'connecting' };

  constructor(
    private readonly options: LinkOptions,
    private readonly hooks: LinkHooks,
  ) {
    this.rc = new ReconnectingClient(options.connect, options.requestTimeoutMs, () => {
      if (this.stopped || this.state.kind !== 'connected') return;
      this.setConn({ kind: 'reconnecting', attempt: 0, reason: 'connection lost' });
      if (this.keepsConnected) this.schedule(250);
    });
    this.sending = new Sending(
      {
        dispatch: (a) => hooks.dispatch(a),
        main: () => this.rc.live(),
        sessionLost: () => this.sessionLost(),
        lookUpAs: hooks.lookUpAs,
        settled: hooks.settled,
      },
      options.queueMaxAgeMs,
    );
  }

  /** Whether a connection is to be kept up: for the periodic work, or for messages waiting. */
  private get keepsConnected(): boolean {
    return this.options.intervalMs !== undefined || this.sending.outbox.size > 0;
  }

  get conn(): ConnState {
    return this.state;
  }

  /** Stopped (logged out or dropped) for good. */
  get halted(): boolean {
    return this.stopped;
  }

  get online(): boolean {
    return this.state.kind === 'connected';
  }

  /** Connects if needed and logs in. Throws ChatError (the server's answer) or ConnectionError. */
  login(username: string, password: string, again = false): Promise<string> {
    return this.rc.login(username, password, again);
  }

  /** Starts the loop: connects, then runs the work every interval. */
  start(): void {
    this.stopped = false;
    this.setConn(this.rc.live() ? { kind: 'connected' } : { kind: 'connecting' });
    this.schedule(0);
  }

  /** Sends now when connected, else queues until the connection is back; returns the local key. */
  send(peer: string, text: string, input?: string | null): string {
    const key = this.sending.send(peer, text, input, this.online);
    this.soonIfQueued();
    return key;
  }

  /** Sends a failed message again. */
  retry(peer: string, key: string, text: string): void {
    this.sending.retry(peer, key, text, this.online);
    this.soonIfQueued();
  }

  /** Something waits in the queue (offline, or the connection closed just now): an attempt to connect is due. */
  private soonIfQueued(): void {
    if (this.sending.outbox.size > 0) this.schedule(this.attempt > 0 ? backoffMs(this.attempt) : 0, true);
  }

  /** Runs the loop after `ms` (when `ifIdle`, only if no attempt is already due). */
  schedule(ms: number, ifIdle = false): void {
    if (this.stopped || (ifIdle && (this.timer || this.ticking))) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, ms);
  }

  /**
   * A connection with a valid token: connects and logs in again as needed,
   * then sends what the queue holds. Throws ChatError or ConnectionError.
   */
  async ready(): Promise<ChatClient> {
    const { client, fresh } = await this.rc.ready();
    await this.hooks.connected?.(client, fresh);
    if (this.state.kind !== 'connected') this.setConn({ kind: 'connected' });
    // Messages typed offline, or given back by a server that had forgotten the session.
    if (this.sending.outbox.size > 0) this.sending.flush();
    return client;
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      const client = await this.ready();
      await this.hooks.work?.(client);
      this.attempt = 0;
      if (this.options.intervalMs !== undefined) this.schedule(this.options.intervalMs);
    } catch (err) {
      this.failed(err);
    } finally {
      this.ticking = false;
    }
  }

  /** The server forgot the session: log in again at once. */
  sessionLost(): void {
    this.rc.forgetSession();
    this.hooks.sessionLost?.();
    this.schedule(0);
  }

  /** Something failed on the link: log in again, give up (login refused), or reconnect with backoff. */
  failed(err: unknown): void {
    if (this.stopped) return;
    if (err instanceof ChatError) {
      if (err.code === Errors.noSession) {
        // The server forgot us (restart, expiry): log in again with the same password.
        this.hooks.log?.('session ended by the server; logging in again');
        this.attempt++;
        this.rc.forgetSession();
        this.hooks.sessionLost?.();
        this.schedule(this.attempt > 1 ? backoffMs(this.attempt) : 0);
        return;
      }
      if (err.code === Errors.noUser || err.code === Errors.badPassword) {
        this.setConn({ kind: 'offline', reason: `login refused: ${err.code}` });
        this.sending.outbox.failAll(`login refused: ${err.code}`);
        return;
      }
    }
    this.hooks.log?.(`request failed: ${shortReason(err)}`);
    if (err instanceof ConnectionError) this.rc.drop();
    this.attempt++;
    this.setConn({ kind: 'reconnecting', attempt: this.attempt, reason: shortReason(err) });
    this.sending.outbox.expire(Date.now());
    if (this.keepsConnected) this.schedule(backoffMs(this.attempt));
  }

  /** Logs out (waiting at most `timeoutMs`) and closes the connection. Safe to call twice. */
  async logout(timeoutMs: number): Promise<void> {
    this.halt();
    await this.rc.logout(timeoutMs);
  }

  /** Stops the loop and drops the connection without logging out. */
  stop(): void {
    this.halt();
    this.rc.drop();
  }

  private halt(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private setConn(conn: ConnState): void {
    this.state = conn;
    this.hooks.dispatch({ type: 'conn', conn });
  }
}
