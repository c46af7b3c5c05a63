// Messages typed while the connection is down, waiting to be sent in order.
// A message that has waited too long is given up rather than delivered late.

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

  constructor(private readonly maxAgeMs: number) {}

  get size(): number {
    return this.items.length;
  }

  add(out: Outgoing): void {
    this.items.push(out);
  }

  /** Removes and returns the messages older than the limit. */
  expire(now: number): Outgoing[] {
    const old = this.items.filter((o) => now - o.queuedAt > this.maxAgeMs);
    if (old.length > 0) this.items = this.items.filter((o) => now - o.queuedAt <= this.maxAgeMs);
    return old;
  }

  /** Removes and returns every message, oldest first. */
  drain(): Outgoing[] {
    return this.items.splice(0);
  }
}
