// Live updates for the chat screen over `sync`: a SyncPoller on a connection
// of its own feeds every answer to the reducer, asks for the online list
// only when the presence version moved, and remembers the read markers this
// client sent so each goes out once.

import { ChatError, type ChatClient, type ConnectOptions, type SyncResult } from '../client.js';
import { SyncPoller } from '../client-sync.js';
import { Errors } from '../protocol.js';
import { tuiLog } from './log.js';
import { shortReason } from './poll.js';
import type { Action } from './state.js';

/** What LiveSync needs from the session around it. */
export interface LiveSyncHooks {
  dispatch(a: Action): void;
  /** The session's own connection and token, for `online` and `read` (null while it is down). */
  main(): { client: ChatClient; token: string } | null;
  /** The server refused the sync (session ended, or no sync at all). */
  refused(err: ChatError): void;
}

/** The long-poll loop and what it has learned: the cursor, the presence version, the markers sent. */
export class LiveSync {
  private poller: SyncPoller | null = null;
  private cursor: number | null = null;
  private presence: number | null = null;
  /** The newest presence version a sync answer named. */
  private latest: number | null = null;
  private fetchingOnline = false;
  private readonly marked = new Map<string, number>();

  constructor(
    private readonly connect: ConnectOptions,
    private readonly hooks: LiveSyncHooks,
    private readonly waitMs = 30_000,
  ) {}

  /** True while the loop runs. */
  get running(): boolean {
    return this.poller !== null;
  }

  /** The cursor to go on from after logging in again (null: start from the directory's). */
  get resumeFrom(): number | null {
    return this.cursor;
  }

  /**
   * Starts from the directory (its `next` is the cursor, its unread counts
   * the server's read markers), or, after logging in again, from where the
   * loop stopped. False when the server has no sync (no cursor in its
   * directory, or no directory at all).
   */
  async begin(client: ChatClient, token: string): Promise<boolean> {
    let dir: Awaited<ReturnType<ChatClient['directory']>>;
    try {
      dir = await client.directory(token);
    } catch (err) {
      if (err instanceof ChatError && err.code === Errors.badProtocol) return false;
      throw err;
    }
    if (!Number.isSafeInteger(dir.next)) return false;
    const resume = this.cursor;
    // Going on from an old cursor, the sync brings what came meanwhile: the counts would count it twice.
    this.hooks.dispatch(resume === null ? { type: 'sync/start', users: dir.users } : { type: 'poll', users: dir.users });
    this.start(token, resume ?? dir.next);
    return true;
  }

  /** Starts following from `since` with `token`. */
  start(token: string, since: number): void {
    this.stop();
    const poller = new SyncPoller({ ...this.connect, requestTimeoutMs: 15_000, token, since, waitMs: this.waitMs });
    this.poller = poller;
    this.cursor = since;
    poller.on('sync', (r: SyncResult) => {
      if (this.poller !== poller) return;
      this.cursor = r.next;
      if (r.messages.length > 0 || r.read.size > 0) this.hooks.dispatch({ type: 'sync', messages: r.messages, read: r.read, now: Date.now() });
      this.latest = r.presence;
      if (r.presence !== this.presence) void this.refreshOnline();
    });
    poller.on('disconnected', (err: unknown) => tuiLog(`sync connection lost: ${shortReason(err)}; reconnecting`));
    poller.on('error', (err: ChatError) => {
      if (this.poller !== poller) return;
      this.poller = null;
      tuiLog(`sync refused: ${err.code}`);
      this.hooks.refused(err);
    });
    void poller.run();
  }

  /** Stops the loop (the cursor is kept to resume from). */
  stop(): void {
    this.poller?.stop();
    this.poller = null;
  }

  /** Forgets everything learned (the server's ids started over). */
  reset(): void {
    this.stop();
    this.cursor = null;
    this.presence = null;
    this.latest = null;
    this.marked.clear();
  }

  /** Moves the read marker of the conversation with `peer` up to `id`, once per new id. */
  markRead(peer: string, id: number): void {
    if (!this.running || id <= (this.marked.get(peer) ?? 0)) return;
    const main = this.hooks.main();
    if (!main) return;
    this.marked.set(peer, id);
    main.client.read(main.token, peer, id).catch((err: unknown) => {
      tuiLog(`read marker for a conversation not set: ${shortReason(err)}`);
      // Asked again the next time the conversation shows.
      if (this.marked.get(peer) === id) this.marked.delete(peer);
    });
  }

  /** The online list, fetched only when its version is not the one we have. */
  private async refreshOnline(): Promise<void> {
    if (this.fetchingOnline) return;
    this.fetchingOnline = true;
    try {
      // Again while the version moved during the request.
      for (let main = this.hooks.main(); main && this.latest !== this.presence; main = this.hooks.main()) {
        const r = await main.client.onlineSince(main.token, this.presence ?? 0);
        if (r.users) this.hooks.dispatch({ type: 'poll', online: r.users });
        if (!Number.isSafeInteger(r.presence)) break;
        this.presence = r.presence;
        // The list itself is the newest there is, whatever version sync named meanwhile.
        if (this.latest !== null && this.latest < r.presence) this.latest = r.presence;
      }
    } catch (err) {
      tuiLog(`online list not read: ${shortReason(err)}`);
    } finally {
      this.fetchingOnline = false;
    }
  }
}
