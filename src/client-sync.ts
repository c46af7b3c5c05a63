// A long-poll loop over `sync`, on a connection of its own (a waiting sync
// holds back every reply behind it). It follows the cursor, reconnects after
// a lost connection without losing its place, and stops on a protocol error
// (an ended session, say), which it reports.

import { EventEmitter } from 'node:events';
import { ChatClient, ChatError, type ConnectOptions, type SyncResult } from './client.js';

/** Settings of a SyncPoller. */
export interface SyncPollerOptions extends ConnectOptions {
  token: string;
  /** The cursor to start from (`next` of a `users` or `sync` reply). */
  since: number;
  /** How long each sync may wait on the server (ms, default 30000). */
  waitMs?: number;
  /** Pause before reconnecting after a lost connection (ms, default 1000). */
  retryMs?: number;
}

/**
 * Emits `sync` (SyncResult) for every answer with news or a new presence
 * version, `disconnected` (Error) when the connection is lost (it then
 * reconnects), and `error` (ChatError) when the server refuses the sync; then it stops.
 */
export class SyncPoller extends EventEmitter {
  private running = false;
  private client: ChatClient | null = null;
  private cursor: number;
  private presence: number | null = null;

  constructor(private readonly options: SyncPollerOptions) {
    super();
    this.cursor = options.since;
  }

  /** The cursor: every event up to it has been emitted. */
  get next(): number {
    return this.cursor;
  }

  /** Starts the loop; resolves once it has stopped. */
  async run(): Promise<void> {
    this.running = true;
    const waitMs = this.options.waitMs ?? 30_000;
    while (this.running) {
      try {
        this.client ??= await ChatClient.connect(this.options);
        const r: SyncResult = await this.client.sync(this.options.token, this.cursor, waitMs);
        this.cursor = r.next;
        const news = r.messages.length > 0 || r.read.size > 0 || r.presence !== this.presence;
        this.presence = r.presence;
        if (news && this.running) this.emit('sync', r);
      } catch (err) {
        this.client?.destroy();
        this.client = null;
        if (!this.running) break;
        if (err instanceof ChatError) {
          this.running = false;
          this.emit('error', err);
          break;
        }
        this.emit('disconnected', err);
        await new Promise((r) => setTimeout(r, this.options.retryMs ?? 1000));
      }
    }
  }

  /** Stops the loop and closes its connection. */
  stop(): void {
    this.running = false;
    this.client?.destroy();
    this.client = null;
  }
}
