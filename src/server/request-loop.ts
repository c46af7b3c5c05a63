// A connection's request lines, answered one at a time in order. A request
// the store answers at once (see ImmediateStore) is answered within the
// callback that read it, without a promise; the loop waits only for those
// that really wait.

import { Errors, type Reply } from '../protocol.js';
import { handleLine, type Handled } from './commands.js';
import { fixedError, type Caller, type ServerContext } from './context.js';
import { Fifo } from './fifo.js';
import type { Logger } from './log.js';
import type { ReplyBudget } from './reply-budget.js';

/** What a queued request costs beyond its characters (its slot and string), so a flood of empty lines is bounded too. */
const QUEUED_LINE_OVERHEAD = 32;
/** Requests answered back to back before the event loop gets a turn, so one busy peer cannot starve the others. */
const ANSWERS_PER_TURN = 64;

/** Stands in the queue for the line that passed the length cap: only its error reply is owed. */
export const OVERFLOW = Symbol('overflow');
const LINE_TOO_LONG = fixedError(Errors.lineTooLong);

/**
 * Answers being carried out synchronously, on any connection. Ending one may
 * resume a connection that waited for the reply budget (ReplyBudget.wake);
 * that connection's answer then starts at once but runs in a microtask, so
 * one connection's answers never nest in another's without bound.
 */
let answering = 0;

/** What the loop needs of its connection. */
export interface LoopHost {
  /** Open, and may take on another reply (its own and the server's reply budget). */
  mayAnswer(): boolean;
  /** Writes a reply, or one already encoded as pieces; `done` once the OS took it, or it failed. */
  write(reply: Reply | readonly Buffer[], done?: (written: boolean) => void): void;
  /** The line cap was passed: reply with the error and close. */
  overflowed(): void;
  /** The store failed: the request was not carried out, and the connection drops. */
  storeFailed(): void;
  /** The loop stopped: nothing is queued, or nothing more may be answered now. */
  stopped(): void;
}

export class RequestLoop {
  /** Requests answered (or being answered), for the close log. */
  requests = 0;
  private readonly queue = new Fifo<string | typeof OVERFLOW>();
  private bytes = 0;
  private running = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly caller: Caller,
    private readonly budget: ReplyBudget,
    private readonly log: Logger,
    /** Fields every log line of this connection carries. */
    private readonly fields: { conn: number; peer: string },
    private readonly host: LoopHost,
  ) {}

  /** A request is being answered (or the loop yielded for a turn). */
  get busy(): boolean {
    return this.running;
  }

  get length(): number {
    return this.queue.length;
  }

  /** What the queued lines cost, for backpressure. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** The last thing queued is the overflow: nothing more will be. */
  get endsInOverflow(): boolean {
    return this.queue.last === OVERFLOW;
  }

  push(line: string | typeof OVERFLOW): void {
    this.queue.push(line);
    if (line !== OVERFLOW) this.bytes += line.length + QUEUED_LINE_OVERHEAD;
  }

  clear(): void {
    this.queue.clear();
    this.bytes = 0;
  }

  /** Answers what is queued, unless already doing so. */
  run(): void {
    if (this.running) return;
    this.running = true;
    this.next(0);
  }

  /** Answers queued requests in order while the host may answer; stops at one that waits, and goes on once it is answered. */
  private next(answered: number): void {
    while (this.queue.length > 0 && this.host.mayAnswer()) {
      if (++answered % ANSWERS_PER_TURN === 0) {
        setImmediate(() => this.next(answered));
        return;
      }
      const item = this.queue.shift()!;
      if (item === OVERFLOW) {
        this.host.write(LINE_TOO_LONG.frame);
        this.log.debug('request', { ...this.fields, cmd: '?', status: 'ERROR', error: Errors.lineTooLong });
        this.running = false;
        this.host.overflowed();
        return;
      }
      this.bytes -= item.length + QUEUED_LINE_OVERHEAD;
      const waits = this.answer(item);
      if (waits) {
        void waits.then(() => this.next(answered));
        return;
      }
    }
    this.running = false;
    this.host.stopped();
  }

  /** Answers one line; a promise when the answer waits (a store failure drops the connection, it does not reject). */
  private answer(line: string): Promise<void> | undefined {
    this.budget.answerStarted();
    this.requests++;
    if (answering > 0) return Promise.resolve(line).then(this.answerNow);
    return this.answerNow(line);
  }

  private readonly answerNow = (line: string): Promise<void> | undefined => {
    const started = this.ctx.metrics || this.log.enabled('debug') ? performance.now() : 0;
    let handled;
    try {
      handled = handleLine(this.ctx, line, this.caller);
    } catch (err) {
      this.failed(err as Error);
      return undefined;
    }
    if (!(handled instanceof Promise)) {
      this.answered(handled, started);
      return undefined;
    }
    return handled.then(
      (h) => {
        // The session was held from the check; a long answer (a waiting sync) holds it until now.
        this.caller.sessionUsed?.();
        this.answered(h, started);
      },
      (err: Error) => this.failed(err),
    );
  };

  private answered(handled: Handled, started: number): void {
    this.write(handled);
    this.record(handled, started);
    this.ended();
  }

  /** The store failed: the client learns it by the connection dropping rather than by a false reply. */
  private failed(err: Error): void {
    this.log.error('store failure', { ...this.fields, error: err.message });
    this.host.storeFailed();
    this.ended();
  }

  private ended(): void {
    answering++;
    try {
      this.budget.answerEnded();
    } finally {
      answering--;
    }
  }

  private write(handled: Handled): void {
    const { reply, afterWrite, frame } = handled;
    if (!afterWrite) {
      this.host.write(frame ?? reply);
      return;
    }
    // What follows the write (delivered marks) may fail at once (an immediate store) or later.
    const logFailure = (err: Error): void => this.log.error('store failure', { ...this.fields, error: err.message });
    this.host.write(frame ?? reply, (written) => {
      try {
        afterWrite(written)?.catch(logFailure);
      } catch (err) {
        logFailure(err as Error);
      }
    });
  }

  /** Counts the request, and logs it when the log is that detailed. */
  private record(handled: Handled, started: number): void {
    const reply = handled.reply;
    const error = reply.status === 'ERROR' ? reply.message : undefined;
    if (error === Errors.tooMany) this.log.warn('login throttled', this.fields);
    if (started === 0) return;
    const ms = performance.now() - started;
    this.ctx.metrics?.request(handled.cmd, reply.status, error, ms / 1000);
    if (this.log.enabled('debug')) {
      this.log.debug('request', { ...this.fields, cmd: handled.cmd, user: handled.user, status: reply.status, error, ms: Math.round(ms * 100) / 100 });
    }
  }
}
