// One client connection: frames its bytes into request lines, answers them one
// at a time in order through a single write path, and enforces the
// per-connection limits (line length, slow and idle peers, unread replies).

import type { Socket } from 'node:net';
import { errorReply, Errors, LineDecoder, type Reply } from '../protocol.js';
import { handleLine } from './commands.js';
import type { Caller, ServerContext } from './context.js';
import { Fifo } from './fifo.js';
import type { Logger } from './log.js';
import { ReplyWriter } from './reply-writer.js';

/** What a connection reports to its server. */
export interface ConnectionHooks {
  /** A token was used successfully on this connection for the first time. */
  tokenUsed(conn: Connection, token: string): void;
  /** A token this connection held is no longer held by it. */
  tokenDropped(conn: Connection, token: string, lastUsedAt: number): void;
  closed(conn: Connection): void;
}

const OVERFLOW = Symbol('overflow');

/** Close reasons that mean the server cut a misbehaving peer off: logged at warn, other closes at info. */
const CUT_OFF_REASONS = new Set(['peer stopped reading replies', 'request line too long', 'unfinished request line timed out', 'no valid request in time']);

/** What a queued request costs beyond its characters (its slot and string), so a flood of empty lines is bounded too. */
const QUEUED_LINE_OVERHEAD = 32;
/** Requests answered back to back before the event loop gets a turn, so one busy peer cannot starve the others. */
const ANSWERS_PER_TURN = 64;

/** A live client connection. */
export class Connection implements Caller {
  session: Caller['session'] = null;
  /** Tokens this connection has used, with when each was last used. */
  readonly tokens = new Map<string, number>();
  private readonly decoder: LineDecoder;
  private readonly out: ReplyWriter;
  private readonly queue = new Fifo<string | typeof OVERFLOW>();
  private queuedBytes = 0;
  private busy = false;
  private closed = false;
  private draining = false;
  private requests = 0;
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
  ) {
    this.decoder = new LineDecoder(ctx.config.maxLineBytes);
    this.out = new ReplyWriter(socket, ctx.config.replyBufferBytes, ctx.config.stalledReaderTimeoutMs, () =>
      this.destroy('peer stopped reading replies'),
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.closeReason = err.code ?? 'socket error';
    });
    // The peer may half-close after its last request (as `nc` does): answer
    // everything it sent, then close.
    socket.on('end', () => {
      this.peerEnded = true;
      if (!this.busy && this.queue.length === 0) this.end('peer finished');
    });
    socket.on('close', () => this.onClose());
    this.armIdle();
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
    this.queue.clear();
    this.queuedBytes = 0;
    this.socket.pause();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      if (!this.busy) this.end('server shutting down');
      else this.afterCurrent = () => this.end('server shutting down');
    });
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
    for (const line of lines) {
      this.queue.push(line);
      this.queuedBytes += line.length + QUEUED_LINE_OVERHEAD;
    }
    if (overflow) {
      this.overflowed = true;
      this.queue.push(OVERFLOW);
      this.socket.pause();
      this.readPaused = true;
    }
    this.watchPartialLine(lines.length > 0);
    if (this.queue.length > 0) {
      this.clearIdle();
      void this.pump();
    }
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

  /** Answers queued requests one at a time, in order, while the peer keeps reading. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let answered = 0;
      while (this.queue.length > 0 && !this.closed && !this.writeBlocked()) {
        if (++answered % ANSWERS_PER_TURN === 0) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        const item = this.queue.shift()!;
        if (item === OVERFLOW) {
          this.write(errorReply(Errors.lineTooLong));
          this.log.debug('request', { conn: this.id, peer: this.peer, cmd: '?', status: 'ERROR', error: Errors.lineTooLong });
          this.end('request line too long');
          return;
        }
        this.queuedBytes -= item.length + QUEUED_LINE_OVERHEAD;
        await this.answer(item);
      }
    } finally {
      this.busy = false;
    }
    if (this.afterCurrent) {
      this.afterCurrent();
      this.afterCurrent = null;
      return;
    }
    this.applyBackpressure();
    if (this.queue.length === 0 && !this.closed) {
      if (this.peerEnded) this.end('peer finished');
      else this.armIdle();
    }
  }

  private async answer(line: string): Promise<void> {
    const started = performance.now();
    this.requests++;
    let handled;
    try {
      handled = await handleLine(this.ctx, line, this);
    } catch (err) {
      // The store failed: the request was not carried out, and the client
      // learns it by the connection dropping rather than by a false reply.
      this.log.error('store failure', { conn: this.id, peer: this.peer, error: (err as Error).message });
      this.destroy('store failure');
      return;
    }
    const session = this.session;
    if (session) {
      if (!this.tokens.has(session.token)) this.hooks.tokenUsed(this, session.token);
      this.tokens.set(session.token, Date.now());
    }
    const { reply, afterWrite, frame } = handled;
    if (afterWrite) {
      this.write(frame ?? reply, (written) => {
        Promise.resolve(afterWrite(written)).catch((err: Error) =>
          this.log.error('store failure', { conn: this.id, peer: this.peer, error: err.message }),
        );
      });
    } else {
      this.write(frame ?? reply);
    }
    if (reply.status === 'ERROR' && reply.message === Errors.tooMany) {
      this.log.warn('login throttled', { conn: this.id, peer: this.peer });
    }
    if (this.log.enabled('debug')) {
      this.log.debug('request', {
        conn: this.id,
        peer: this.peer,
        cmd: handled.cmd,
        user: handled.user,
        status: reply.status,
        error: reply.status === 'ERROR' ? reply.message : undefined,
        ms: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  }

  /** Writes a reply, or one already encoded as pieces. */
  private write(reply: Reply | readonly Buffer[], done?: (written: boolean) => void): void {
    if (this.closed || this.socket.destroyed) {
      done?.(false);
      return;
    }
    this.out.write(reply, done);
  }

  private writeBlocked(): boolean {
    return this.out.blocked();
  }

  /** Stops reading while replies or requests pile up; cuts off a peer that stops reading. */
  private applyBackpressure(): void {
    if (this.closed || this.draining) return;
    const blocked = this.writeBlocked();
    const shouldPause = blocked || this.queuedBytes > this.ctx.config.replyBufferBytes || this.queue.last === OVERFLOW;
    if (shouldPause && !this.readPaused) {
      this.socket.pause();
      this.readPaused = true;
    } else if (!shouldPause && this.readPaused) {
      this.socket.resume();
      this.readPaused = false;
    }
    if (blocked) this.out.watch();
  }

  private onDrain(): void {
    this.out.stop();
    if (this.queue.length > 0) void this.pump();
    else this.applyBackpressure();
  }

  /** Closes a connection that goes quiet: soon if it never used a valid token, else after the idle timeout (if set). */
  private armIdle(): void {
    this.clearIdle();
    const authed = this.tokens.size > 0;
    const ms = authed ? this.ctx.config.idleTimeoutMs : this.ctx.config.firstLineTimeoutMs;
    if (ms > 0) this.idleTimer = setTimeout(() => this.destroy(authed ? 'idle timeout' : 'no valid request in time'), ms);
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearIdle();
    if (this.partialTimer) clearTimeout(this.partialTimer);
    this.out.stop();
    this.queue.clear();
    for (const [token, last] of this.tokens) this.hooks.tokenDropped(this, token, last);
    this.tokens.clear();
    const fields = { conn: this.id, peer: this.peer, requests: this.requests, reason: this.closeReason };
    if (CUT_OFF_REASONS.has(this.closeReason)) this.log.warn('close', fields);
    else this.log.info('close', fields);
    this.hooks.closed(this);
  }
}
