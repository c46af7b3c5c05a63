// The full-screen chat's side of the network, on the Link both terminal
// clients share (connection, backoff, logging in again, the send queue):
// live updates over `sync` on a second connection (LiveSync) or, against a
// server without sync, a poll loop (online + acknowledged inbox every
// interval; never two polls at once), the directory now and then, history
// pages, read markers, search, and noticing a server that lost its
// messages. It reports everything as reducer actions.

import { ChatError, type ChatClient, type ConnectOptions } from '../client.js';
import { Errors } from '../protocol.js';
import { MessageAnchor } from './anchor.js';
import { tuiLog } from './log.js';
import { pagesBackTo, searchOnce, type SearchOutcome } from './finder.js';
import { Link } from './link.js';
import { LiveSync } from './live-sync.js';
import { historyPage, pollOnce, type ServerSupport } from './poll.js';
import type { Action } from './state.js';

/** How the session connects and how often it polls. */
export interface SessionOptions {
  connect: ConnectOptions;
  /** How often the loop runs, in ms: a poll of `online` and `inbox` without live sync; with it, a check of the directory's age. */
  intervalMs: number;
  /** How often the directory (`users`) is read, in ms. */
  usersIntervalMs?: number;
  /** A message queued while offline for longer than this is marked failed instead of sent late. */
  queueMaxAgeMs?: number;
  /** Messages per history page. */
  historyPage?: number;
  /** How long each sync may wait on the server, in ms. */
  syncWaitMs?: number;
  /** false: poll even a server with live sync. */
  sync?: boolean;
}

/** One logged-in user's connection to the server, driven by the chat screen. */
export class ChatSession {
  /** The connection, token, backoff and send queue. */
  private readonly link: Link;
  private dispatch: (a: Action) => void = () => {};
  private ackId = 0;
  private readonly anchor = new MessageAnchor();
  /** Set when the server forgot the session: check the anchor after logging in again. */
  private recheck = false;
  private lastUsersAt = 0;
  private readonly supports: ServerSupport = { ack: true, users: true, history: true, sync: true };
  private readonly live: LiveSync;

  constructor(readonly options: SessionOptions) {
    this.link = new Link(
      { connect: options.connect, requestTimeoutMs: 15_000, queueMaxAgeMs: options.queueMaxAgeMs ?? 120_000, intervalMs: options.intervalMs },
      {
        dispatch: (a) => this.dispatch(a),
        connected: (client, fresh) => this.connected(client, fresh),
        work: (client) => this.work(client),
        sessionLost: () => (this.recheck = true),
        lookUpAs: () => (this.supports.history ? this.rc.user : null),
        log: tuiLog,
      },
    );
    this.supports.sync = options.sync ?? true;
    this.live = new LiveSync(
      options.connect,
      {
        dispatch: (a) => {
          // The newest message seen, to tell after a new login whether the server still has it.
          if (a.type === 'sync') for (const m of a.messages) this.anchor.remember(m.sender === this.rc.user ? m.recipient : m.sender, [m]);
          this.dispatch(a);
        },
        main: () => (this.link.online ? this.rc.live() : null),
        refused: (err) => this.syncRefused(err),
      },
      options.syncWaitMs,
    );
  }

  private get rc(): Link['rc'] {
    return this.link.rc;
  }

  /** Whether updates come live over sync (false: polling, or not started yet). */
  get syncing(): boolean {
    return this.live.running;
  }

  /** `host:port` for people. */
  get server(): string {
    return this.rc.server;
  }

  /** The logged-in username. */
  get user(): string {
    return this.rc.user;
  }

  /** Connects if needed and logs in. Throws ChatError (the server's answer) or ConnectionError. */
  async login(username: string, password: string): Promise<void> {
    await this.link.login(username, password);
  }

  /** Starts polling; every change is reported through `dispatch`. */
  start(dispatch: (a: Action) => void): void {
    this.dispatch = dispatch;
    this.link.start();
  }

  /** Sends a message typed in the compose box (see ChatSender.send for `input`); returns its local key. */
  send(peer: string, text: string, input?: string | null): string {
    return this.link.send(peer, text, input);
  }

  /** Sends a failed message again. */
  retry(peer: string, key: string, text: string): void {
    this.link.retry(peer, key, text);
  }

  /** Fetches a history page: the newest messages, or those before `beforeId`. */
  loadHistory(peer: string, beforeId?: number): void {
    const page = this.options.historyPage ?? 100;
    if (!this.supports.history) {
      this.dispatch({ type: 'history/loaded', peer, messages: [], complete: true });
      return;
    }
    const main = this.rc.live();
    if (!main || !this.link.online) return;
    const { client, token } = main;
    this.dispatch({ type: 'history/loading', peer });
    void historyPage(client, token, peer, beforeId, page, this.supports).then((r) => {
      if ('failed' in r) {
        if (r.failed === 'sessionLost') this.link.sessionLost();
        this.dispatch({ type: 'history/failed', peer });
        return;
      }
      this.anchor.remember(peer, r.messages);
      this.dispatch({ type: 'history/loaded', peer, messages: r.messages, complete: r.complete });
    });
  }

  /** Logs out (waiting at most `timeoutMs`) and closes the connection. Safe to call twice. */
  async logout(timeoutMs = 2000): Promise<void> {
    this.live.stop();
    await this.link.logout(timeoutMs);
  }

  /** Stops polling and drops the connection without logging out. */
  stop(): void {
    this.live.stop();
    this.link.stop();
  }

  /** Connected with a valid token: a new token restarts sync; after a forgotten session, check the server. */
  private async connected(client: ChatClient, fresh: boolean): Promise<void> {
    // The sync loop follows the old token: it starts again with this one.
    if (fresh) this.live.stop();
    if (this.recheck) await this.recheckServer(client);
  }

  /** Every interval: live sync (started if it is not running) and the directory now and then, or a poll. */
  private async work(client: ChatClient): Promise<void> {
    if (this.supports.sync && !this.live.running) await this.startSync(client);
    if (this.live.running) await this.refreshDirectory(client);
    else await this.poll(client);
  }

  private async poll(client: ChatClient): Promise<void> {
    const now = Date.now();
    const wantUsers = this.supports.users && now - this.lastUsersAt >= (this.options.usersIntervalMs ?? 10_000);
    const { action, highestId } = await pollOnce(client, this.rc.token!, this.ackId, this.supports, wantUsers, now);
    if (action.users) this.lastUsersAt = now;
    for (const [sender, list] of Object.entries(action.inbox ?? {})) this.anchor.remember(sender, list);
    this.dispatch(action);
    // Now stored in the view: acknowledge them with the next poll.
    this.ackId = Math.max(this.ackId, highestId);
  }

  /** Starts live sync (see LiveSync.begin); a server without it is polled. */
  private async startSync(client: ChatClient): Promise<void> {
    if (await this.live.begin(client, this.rc.token!)) this.lastUsersAt = Date.now();
    else this.supports.sync = false;
  }

  /** With live sync, the directory (profiles, new users) is still read now and then. */
  private async refreshDirectory(client: ChatClient): Promise<void> {
    const now = Date.now();
    if (now - this.lastUsersAt < (this.options.usersIntervalMs ?? 10_000)) return;
    const users = await client.users(this.rc.token!);
    this.lastUsersAt = now;
    this.dispatch({ type: 'poll', users });
  }

  private syncRefused(err: ChatError): void {
    if (this.link.halted) return;
    if (err.code === Errors.noSession) return this.link.sessionLost();
    // A server that lists a cursor but does not sync: poll it.
    tuiLog(`live sync not available (${err.code}); polling every ${this.options.intervalMs} ms`);
    this.supports.sync = false;
    this.link.schedule(0);
  }

  /** The conversation with `peer` shows its messages up to `id`: the server's read marker follows (sync only). */
  markRead(peer: string, id: number): void {
    if (this.link.online) this.live.markRead(peer, id);
  }

  /** Searches this user's messages (the newest `limit` holding every word). */
  async search(words: string, limit = 100): Promise<SearchOutcome> {
    const main = this.rc.live();
    if (!main || !this.link.online) return { failed: 'not connected' };
    const { client, token } = main;
    const r = await searchOnce(client, token, words, limit);
    if (r === 'sessionLost') {
      this.link.sessionLost();
      return { failed: 'session ended; logging in again' };
    }
    return r;
  }

  /** Loads the conversation with `peer` back to the message `id` (see pagesBackTo); whether it is there. */
  showMessage(peer: string, id: number): Promise<boolean> {
    const page = this.options.historyPage ?? 100;
    return pagesBackTo(
      id,
      (before) => {
        const main = this.rc.live();
        if (!main || !this.supports.history) return Promise.resolve({ failed: 'other' });
        return historyPage(main.client, main.token, peer, before, page, this.supports);
      },
      (r) => {
        this.anchor.remember(peer, r.messages);
        this.dispatch({ type: 'history/loaded', peer, messages: r.messages, complete: r.complete });
      },
    );
  }

  /**
   * After logging in again: if the server lost the messages we saw (a new
   * database, its ids starting over), acknowledging by our old ids would mark
   * its new messages received unseen: start over from 0 and set ours aside.
   */
  private async recheckServer(client: ChatClient): Promise<void> {
    const same = !this.supports.history || (await this.anchor.stillThere(client, this.rc.token!));
    this.recheck = false;
    if (same) return;
    tuiLog('the server no longer has the messages seen before (a new database?): message ids start over');
    this.anchor.clear();
    this.live.reset();
    this.ackId = 0;
    this.dispatch({ type: 'server/reset' });
  }
}
