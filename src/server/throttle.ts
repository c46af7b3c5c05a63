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
