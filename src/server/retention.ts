// `--retention-days N`: deletes messages older than N days, off the hot path:
// a small batch at a time, the event loop free between batches, and a pause
// between sweeps once nothing old is left.

import type { Logger } from './log.js';
import type { Store } from './store/types.js';

/** Messages looked at per batch: a few hundred rows, a millisecond or so of store time. */
export const RETENTION_BATCH = 300;

/** Options of a Retention sweeper. */
export interface RetentionOptions {
  days: number;
  /** Pause between sweeps (ms); default a minute. */
  intervalMs?: number;
  batch?: number;
  /** The clock (tests give a short one). */
  now?: () => number;
}

/** Sweeps old messages out of a store until stopped. */
export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private readonly intervalMs: number;
  private readonly batch: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly opts: RetentionOptions,
  ) {
    this.intervalMs = opts.intervalMs ?? 60_000;
    this.batch = opts.batch ?? RETENTION_BATCH;
    this.now = opts.now ?? Date.now;
  }

  /** Starts sweeping: one sweep soon, then one per interval. */
  start(): void {
    this.schedule(1000);
  }

  /** One sweep: batches until a batch deletes nothing. Resolves with how many it deleted. */
  async sweep(): Promise<number> {
    const cutoff = new Date(this.now() - this.opts.days * 86_400_000).toISOString();
    let total = 0;
    for (;;) {
      if (this.stopped) break;
      const n = await this.store.deleteMessagesBefore(cutoff, this.batch);
      total += n;
      if (n === 0) break;
      // Let requests in between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (total > 0) this.log.info('retention', { deleted: total, before: cutoff });
    return total;
  }

  /** Stops sweeping; waits for a batch under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then(() => undefined)
        .catch((err: Error) => this.log.warn('retention failed, will try again', { error: err.message }))
        .finally(() => {
          this.running = null;
          this.schedule(this.intervalMs);
        });
    }, ms);
    this.timer.unref();
  }
}
