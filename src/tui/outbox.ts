// Messages typed while the connection is down, waiting to be sent in order.
// A message that has waited too long is given up rather than delivered late.
// Each change is reported to the view as a send/status action.

import type { Action } from './state.js';

/** One message on its way: who it is for, its text and its key in the view. */
export interface Outgoing {
  peer: string;
  key: string;
  text: string;
  queuedAt: number;
}

/** The queue of messages waiting for a connection, oldest first. */
export class Outbox {
  private items: Outgoing[] = [];

  constructor(
    private readonly maxAgeMs: number,
    private readonly report: (a: Action) => void,
  ) {}

  get size(): number {
    return this.items.length;
  }

  add(out: Outgoing): void {
    this.items.push(out);
  }

  /** Adds a message and shows it as queued. */
  queue(out: Outgoing): void {
    this.items.push(out);
    this.report({ type: 'send/status', peer: out.peer, key: out.key, status: 'queued' });
  }

  /** Gives up the messages older than the limit, showing them as failed. */
  expire(now: number): void {
    const old = this.items.filter((o) => now - o.queuedAt > this.maxAgeMs);
    if (old.length > 0) this.items = this.items.filter((o) => now - o.queuedAt <= this.maxAgeMs);
    for (const out of old) this.report({ type: 'send/status', peer: out.peer, key: out.key, status: 'failed', error: 'offline for too long' });
  }

  /** Gives up every message, showing it as failed with `error`. */
  failAll(error: string): void {
    for (const out of this.drain()) this.report({ type: 'send/status', peer: out.peer, key: out.key, status: 'failed', error });
  }

  /** Removes and returns every message, oldest first. */
  drain(): Outgoing[] {
    return this.items.splice(0);
  }
}
