// Waiting syncs, held in memory by username and woken by events: a message or
// read-marker change for that user stored on any node, a change of presence
// (at most once per interval per connection), a lost link to the event feed
// coming back (every waiter re-checks), or the server shutting down. Nothing
// here scans or polls: a waiter costs its entry and its one timeout.

import type { SyncListener } from '../store/sync-types.js';

/** Why a waiting sync woke. */
export type WakeReason = 'event' | 'presence' | 'resync' | 'timeout' | 'closed';

/** One waiting sync's place in the hub. */
export class Waiter {
  private pending: WakeReason | null = null;
  private resolve: ((r: WakeReason) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly username: string,
    /** The connection it waits on: presence wake-ups are paced per connection. */
    readonly conn: object,
  ) {}

  /** The next reason to re-check: at once when one came since the last call. */
  next(): Promise<WakeReason> {
    if (this.pending !== null) {
      const r = this.pending;
      this.pending = null;
      return Promise.resolve(r);
    }
    return new Promise((resolve) => (this.resolve = resolve));
  }

  wake(reason: WakeReason): void {
    const resolve = this.resolve;
    if (resolve) {
      this.resolve = null;
      resolve(reason);
    } else if (this.pending === null || rank(reason) > rank(this.pending)) {
      this.pending = reason;
    }
  }

  /** @internal */
  armTimeout(ms: number): void {
    this.timer = setTimeout(() => this.wake('timeout'), ms);
  }

  /** @internal */
  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Final reasons win over ones that only ask for a re-check. */
const rank = (r: WakeReason): number => (r === 'closed' ? 3 : r === 'timeout' ? 2 : r === 'presence' ? 1 : 0);

/** Every waiting sync of a server. */
export class SyncHub implements SyncListener {
  private readonly byUser = new Map<string, Set<Waiter>>();
  private readonly all = new Set<Waiter>();
  /** When each connection was last woken for presence. */
  private readonly presenceWoken = new WeakMap<object, number>();
  /** Waiters owed a presence wake-up once their connection's interval has passed. */
  private readonly deferred = new Set<Waiter>();
  private deferTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(private readonly presenceWakeMs: number) {}

  /** Syncs waiting now. */
  get waiting(): number {
    return this.all.size;
  }

  get closed(): boolean {
    return this.closing;
  }

  /** Registers a sync that will wait up to `ms`; call `leave` once it answers. */
  enter(username: string, conn: object, ms: number): Waiter {
    const w = new Waiter(username, conn);
    if (this.closing) {
      w.wake('closed');
      return w;
    }
    let set = this.byUser.get(username);
    if (!set) {
      set = new Set();
      this.byUser.set(username, set);
    }
    set.add(w);
    this.all.add(w);
    w.armTimeout(ms);
    return w;
  }

  leave(w: Waiter): void {
    w.disarm();
    this.all.delete(w);
    this.deferred.delete(w);
    const set = this.byUser.get(w.username);
    if (set) {
      set.delete(w);
      if (set.size === 0) this.byUser.delete(w.username);
    }
  }

  events(usernames: readonly string[]): void {
    for (const u of usernames) {
      const set = this.byUser.get(u);
      if (set) for (const w of set) w.wake('event');
    }
  }

  presence(): void {
    const now = Date.now();
    for (const w of this.all) {
      const last = this.presenceWoken.get(w.conn);
      if (last === undefined || now - last >= this.presenceWakeMs) {
        this.presenceWoken.set(w.conn, now);
        w.wake('presence');
      } else {
        this.deferred.add(w);
      }
    }
    this.scheduleDeferred();
  }

  resync(): void {
    for (const w of this.all) w.wake('event');
  }

  /** Answers every waiting sync now and takes no more waits. */
  close(): void {
    this.closing = true;
    if (this.deferTimer) clearTimeout(this.deferTimer);
    this.deferTimer = null;
    for (const w of [...this.all]) w.wake('closed');
  }

  /** One timer for all deferred presence wake-ups, at the earliest one due. */
  private scheduleDeferred(): void {
    if (this.deferTimer || this.deferred.size === 0 || this.closing) return;
    let due = Infinity;
    for (const w of this.deferred) due = Math.min(due, (this.presenceWoken.get(w.conn) ?? 0) + this.presenceWakeMs);
    this.deferTimer = setTimeout(() => {
      this.deferTimer = null;
      const now = Date.now();
      for (const w of [...this.deferred]) {
        const last = this.presenceWoken.get(w.conn) ?? 0;
        if (now - last >= this.presenceWakeMs) {
          this.deferred.delete(w);
          this.presenceWoken.set(w.conn, now);
          w.wake('presence');
        }
      }
      this.scheduleDeferred();
    }, Math.max(1, due - Date.now()));
  }
}
