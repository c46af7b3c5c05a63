// One client connection: frames its bytes into request lines, answers them one
// at a time in order through a single write path, and enforces the
// per-connection limits (line length, slow peers, unread replies) and its
// share of the server-wide budget for unsent replies.

import type { Socket } from 'node:net';
import { LineDecoder, type Reply } from '../protocol.js';
import type { Caller, ServerContext } from './context.js';
import { QueueLink } from './fifo.js';
import type { Logger } from './log.js';
import type { ReplyBudget } from './reply-budget.js';
import { ReplyWriter } from './reply-writer.js';
import { OVERFLOW, RequestLoop } from './request-loop.js';

/** What a connection reports to its server. */
export interface ConnectionHooks {
  /** A token was used successfully on this connection for the first time. */
  tokenUsed(conn: Connection, token: string): void;
  /** A token this connection held is no longer held by it. */
  tokenDropped(conn: Connection, token: string, lastUsedAt: number): void;
  /** The connection became quiet (see Connection.quiet) or stopped being so. */
  quietChanged(conn: Connection): void;
  closed(conn: Connection): void;
}

/** Close reasons that mean the server cut a misbehaving peer off: logged at warn, other closes at info. */
const CUT_OFF_REASONS = new Set(['peer stopped reading replies', 'request line too long', 'unfinished request line timed out', 'no valid request in time']);

/** A live client connection. */
export class Connection implements Caller {
  session: Caller['session'] = null;
  /** Tokens this connection has used, with when each was last used. */
  readonly tokens = new Map<string, number>();
  /** Has used a valid token (or logged in): never closed to make room for others. */
  authenticated = false;
  /** Its places among the server's quiet connections: all of them, and those of its address. */
  readonly quietLinks = { all: new QueueLink<Connection>(this), peer: new QueueLink<Connection>(this) };
  /** Made only when a request waits on the connection (a sync): most never need one. */
  private closing: AbortController | null = null;
  private readonly decoder: LineDecoder;
  private readonly out: ReplyWriter;
  private readonly loop: RequestLoop;
  private closed = false;
  private wasQuiet = false;
  private draining = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private partialTimer: NodeJS.Timeout | null = null;
  private readPaused = false;
  private closeReason = 'peer closed';
  private afterCurrent: (() => void) | null = null;
  private peerEnded = false;
  /** The line cap was passed: nothing more is read, only the error reply is owed. */
  private overflowed = false;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    readonly peer: string,
    private readonly ctx: ServerContext,
    private readonly log: Logger,
    private readonly hooks: ConnectionHooks,
    private readonly budget: ReplyBudget,
  ) {
    this.decoder = new LineDecoder(ctx.config.maxLineBytes);
    this.out = new ReplyWriter(socket, ctx.config.replyBufferBytes, ctx.config.stalledReaderTimeoutMs, budget, this.resume, () =>
      this.destroy('peer stopped reading replies'),
    );
    this.loop = new RequestLoop(ctx, this, budget, log, { conn: id, peer }, {
      mayAnswer: () => !this.closed && this.mayAnswer(),
      write: (reply, done) => this.write(reply, done),
      overflowed: () => this.end('request line too long'),
      storeFailed: () => this.destroy('store failure'),
      stopped: () => this.stopped(),
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.closeReason = err.code ?? 'socket error';
    });
    // The peer may half-close after its last request (as `nc` does): answer
    // everything it sent, then close.
    socket.on('end', () => {
      this.peerEnded = true;
      if (!this.loop.busy && this.loop.length === 0) this.end('peer finished');
    });
    socket.on('close', () => this.onClose());
    this.noteQuiet();
  }

  /**
   * Sent nothing yet, or every request it sent is answered (its replies may still be
   * on their way): such a connection is never closed for being quiet.
   */
  get quiet(): boolean {
    return !this.closed && !this.draining && !this.loop.busy && this.loop.length === 0 && this.decoder.buffered === 0;
  }

  /** Aborted once the connection has closed. */
  get closedSignal(): AbortSignal {
    if (!this.closing) {
      this.closing = new AbortController();
      if (this.closed) this.closing.abort();
    }
    return this.closing.signal;
  }

  /** The request's session is valid: it holds this connection's presence from now (a long wait included). */
  sessionUsed(): void {
    const session = this.session;
    if (!session || this.closed) return;
    this.authenticated = true;
    if (!this.tokens.has(session.token)) this.hooks.tokenUsed(this, session.token);
    this.tokens.set(session.token, Date.now());
  }

  forgetToken(token: string): void {
    const last = this.tokens.get(token);
    if (last === undefined) return;
    this.tokens.delete(token);
    this.hooks.tokenDropped(this, token, last);
  }

  /** Stops taking requests, finishes the one being answered, then closes. */
  shutdown(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.draining = true;
    this.loop.clear();
    this.socket.pause();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      if (!this.loop.busy) this.end('server shutting down');
      else this.afterCurrent = () => this.end('server shutting down');
    });
  }

  /** Closes a quiet connection to make room for others: a clean close, without a reply, since no request waits for one. */
  evict(): void {
    if (this.closed) return;
    this.draining = true;
    this.socket.pause();
    this.socket.once('finish', () => this.socket.destroy());
    this.end('quiet, closed to make room');
  }

  /** Closes at once. */
  destroy(reason: string): void {
    if (this.closed) return;
    this.closeReason = reason;
    this.socket.destroy();
  }

  private end(reason: string): void {
    // Already ending or cut off: the first reason (a cut-off, say) is the one to report.
    if (this.socket.writableEnded || this.socket.destroyed) return;
    this.closeReason = reason;
    this.socket.end();
    // A peer that never reads cannot hold the socket open for ever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  private onData(chunk: Buffer): void {
    if (this.draining || this.closed || this.overflowed) return;
    const { lines, overflow } = this.decoder.push(chunk);
    for (const line of lines) this.loop.push(line);
    if (overflow) {
      this.overflowed = true;
      this.loop.push(OVERFLOW);
      this.socket.pause();
      this.readPaused = true;
    }
    this.watchPartialLine(lines.length > 0);
    this.noteQuiet();
    if (this.loop.length > 0) this.loop.run();
    this.applyBackpressure();
  }

  /** Closes a connection that leaves a request line unfinished for too long. */
  private watchPartialLine(lineCompleted: boolean): void {
    if (this.decoder.buffered === 0) {
      if (this.partialTimer) clearTimeout(this.partialTimer);
      this.partialTimer = null;
    } else if (lineCompleted || !this.partialTimer) {
      if (this.partialTimer) clearTimeout(this.partialTimer);
      this.partialTimer = setTimeout(() => this.destroy('unfinished request line timed out'), this.ctx.config.partialLineTimeoutMs);
    }
  }

  /** The request loop stopped: close as asked meanwhile, or read again. */
  private stopped(): void {
    if (this.afterCurrent) {
      this.afterCurrent();
      this.afterCurrent = null;
      return;
    }
    this.applyBackpressure();
    if (this.loop.length === 0 && !this.closed && this.peerEnded) this.end('peer finished');
    else this.noteQuiet();
  }

  /** Writes a reply, or one already encoded as pieces. */
  private write(reply: Reply | readonly Buffer[], done?: (written: boolean) => void): void {
    if (this.closed || this.socket.destroyed) {
      done?.(false);
      return;
    }
    this.out.write(reply, done);
  }

  /**
   * Whether this connection may take on another reply: its own unsent replies are under
   * its cap, and the server is under its budget; or, past it, this connection holds
   * nothing unsent and no other answer is under way (see ReplyBudget).
   */
  private mayAnswer(): boolean {
    const unsent = this.out.unsent;
    if (unsent > this.ctx.config.replyBufferBytes) return false;
    return unsent > 0 ? !this.budget.over : this.budget.open;
  }

  /** Stops reading while replies or requests pile up; watches a paused peer for a stall. */
  private applyBackpressure(): void {
    if (this.closed || this.draining) return;
    const mayAnswer = this.mayAnswer();
    const shouldPause = !mayAnswer || this.loop.queuedBytes > this.ctx.config.replyBufferBytes || this.loop.endsInOverflow;
    if (shouldPause && !this.readPaused) {
      this.socket.pause();
      this.readPaused = true;
      // A line we stop reading cannot be finished: its time starts again once we read.
      if (this.partialTimer) clearTimeout(this.partialTimer);
      this.partialTimer = null;
    } else if (!shouldPause && this.readPaused) {
      this.socket.resume();
      this.readPaused = false;
      this.watchPartialLine(false);
    }
    if (mayAnswer) {
      this.out.unwatch();
      return;
    }
    if (this.out.unsent > 0) this.out.watch();
    // Waiting on others' replies too: woken once the total falls.
    if (this.budget.over) this.budget.wait(this.resume);
  }

  /** Replies went out, or the server-wide total fell: answer what is queued, or read again. */
  private readonly resume = (): void => {
    if (this.closed) return;
    if (this.loop.length > 0 && !this.loop.busy) this.loop.run();
    else this.applyBackpressure();
  };

  /** Tells the server when this connection becomes quiet or stops being so; holds the idle limit of a logged-in one. */
  private noteQuiet(): void {
    const quiet = this.quiet;
    if (quiet === this.wasQuiet) return;
    this.wasQuiet = quiet;
    this.hooks.quietChanged(this);
    this.clearIdle();
    const ms = this.ctx.config.idleTimeoutMs;
    if (quiet && this.authenticated && ms > 0) this.idleTimer = setTimeout(() => this.destroy('idle timeout'), ms);
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing?.abort();
    this.clearIdle();
    if (this.partialTimer) clearTimeout(this.partialTimer);
    this.out.stop();
    this.budget.cancel(this.resume);
    this.loop.clear();
    this.noteQuiet();
    for (const [token, last] of this.tokens) this.hooks.tokenDropped(this, token, last);
    this.tokens.clear();
    const fields = { conn: this.id, peer: this.peer, requests: this.loop.requests, reason: this.closeReason };
    if (CUT_OFF_REASONS.has(this.closeReason)) this.log.warn('close', fields);
    else this.log.info('close', fields);
    this.hooks.closed(this);
  }
}
