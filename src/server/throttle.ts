// Failed-login throttling per peer address: a sliding window of failure times.
// A few honest typos pass; a guessing loop is answered with
// `Terlalu Banyak Permintaan` without even computing a hash.

/** Counts failures per key over a sliding window. */
export class FailureThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    // Forget peers whose failures have all aged out, so the map stays small.
    this.sweeper = setInterval(() => this.sweep(Date.now()), Math.max(1000, windowMs)).unref();
  }

  /** True when `key` has used up its failures in the current window. */
  blocked(key: string, now: number): boolean {
    const times = this.failures.get(key);
    if (!times) return false;
    while (times.length > 0 && times[0]! <= now - this.windowMs) times.shift();
    return times.length >= this.limit;
  }

  /**
   * Starts an attempt for `key`, counting it as a failure until `succeeded`
   * says otherwise; false (nothing recorded) when `key` is blocked. Counting
   * attempts still in flight keeps many connections from one address from
   * each passing the check before any of their failures is recorded.
   */
  begin(key: string, now: number): boolean {
    if (this.blocked(key, now)) return false;
    this.fail(key, now);
    return true;
  }

  /** The attempt `begin` started at `startedAt` succeeded: it no longer counts. */
  succeeded(key: string, startedAt: number): void {
    const times = this.failures.get(key);
    const i = times ? times.lastIndexOf(startedAt) : -1;
    if (i !== -1) times!.splice(i, 1);
  }

  /** Records one failure for `key`. */
  fail(key: string, now: number): void {
    let times = this.failures.get(key);
    if (!times) this.failures.set(key, (times = []));
    times.push(now);
    if (times.length > this.limit) times.shift();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private sweep(now: number): void {
    for (const [key, times] of this.failures) {
      if (times.length === 0 || times[times.length - 1]! <= now - this.windowMs) this.failures.delete(key);
    }
  }
}
