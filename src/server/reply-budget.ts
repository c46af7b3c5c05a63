// The server-wide budget for unsent replies: every connection's writer
// reports how many bytes it holds, and connections ask it whether they may
// take on more work.

/**
 * The total of unsent reply bytes held by all connections, against a limit.
 * A reply is produced only for a request that was read and answered, so a
 * connection that neither reads nor answers while the total is over the limit
 * adds nothing more. Past the limit, connections that still hold unsent
 * replies wait (those that never read are those that hold the most), and the
 * others answer one request at a time server-wide; past twice the limit,
 * every connection waits before answering, so replies started by connections
 * that held nothing cannot add up without bound. Waiting connections are
 * resumed one answer at a time, since each may produce a reply before the
 * next is counted.
 */
export class ReplyBudget {
  private held = 0;
  private running = 0;
  private readonly waiting = new Set<() => void>();

  constructor(readonly limit: number) {}

  /** Unsent reply bytes held by all connections. */
  get total(): number {
    return this.held;
  }

  /** Past the limit: connections holding unsent replies wait for them to drain. */
  get over(): boolean {
    return this.held > this.limit;
  }

  /** Past twice the limit: no connection starts an answer. */
  get full(): boolean {
    return this.held > 2 * this.limit;
  }

  /** Whether a connection holding no unsent reply may start an answer now. */
  get open(): boolean {
    return !this.full && !(this.over && this.running > 0);
  }

  /** A connection started answering a request (its reply is not counted yet). */
  answerStarted(): void {
    this.running++;
  }

  /** That answer's reply is written (and counted), or it failed. */
  answerEnded(): void {
    this.running--;
    if (this.waiting.size > 0) this.wake();
  }

  /** A connection now holds `delta` more (or, negative, fewer) unsent bytes. */
  change(delta: number): void {
    const before = this.held;
    this.held += delta;
    if (delta >= 0 || this.waiting.size === 0) return;
    if ((before > this.limit && this.held <= this.limit) || (before > 2 * this.limit && this.held <= 2 * this.limit)) this.wake();
  }

  /** Calls `resume` once the total next falls under the limit or under twice it. */
  wait(resume: () => void): void {
    this.waiting.add(resume);
  }

  cancel(resume: () => void): void {
    this.waiting.delete(resume);
  }

  /** Resumes those waiting, in order, until one starts an answer (the next goes when it ends) or the budget closes. */
  private wake(): void {
    // Those who wait again while being resumed go to the back, past this round.
    let round = this.waiting.size;
    for (const resume of this.waiting) {
      if (round-- <= 0 || !this.open) return;
      this.waiting.delete(resume);
      const before = this.running;
      resume();
      if (this.running > before) return;
    }
  }
}
