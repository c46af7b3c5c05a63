// The single write path of a connection: replies given in one turn leave in
// one system call, replies are handed to the socket in pieces as it takes
// them, and a peer that stops taking its replies is noticed.

import type { Socket } from 'node:net';
import { formatReply, type Reply } from '../protocol.js';
import { Fifo } from './fifo.js';
import { unackedBytes } from './kernel-queue.js';
import type { ReplyBudget } from './reply-budget.js';

/**
 * The most a socket is given at once. A write counts as unsent until its last
 * byte is in the kernel, and Node merges what it buffers into one write, so
 * pieces handed over one by one are what makes a slow reader's progress
 * visible in steps this small.
 */
const PIECE_BYTES = 16 * 1024;

interface Piece {
  buf: Buffer;
  done?: ((written: boolean) => void) | undefined;
}

/** Writes replies to one socket, reports what it holds to the server's budget, and watches that the peer keeps reading. */
export class ReplyWriter {
  private corked = false;
  private stopped = false;
  /** Pieces not yet given to the socket. */
  private readonly pending = new Fifo<Piece>();
  private pendingBytes = 0;
  /** What this writer last counted in the budget. */
  private reported = 0;
  private stallTimer: NodeJS.Timeout | null = null;
  private progress = 0;
  private progressAt = 0;
  /** What the kernel held unacknowledged at the last check, where it can say. */
  private unacked: number | null = null;

  constructor(
    private readonly socket: Socket,
    /** Unsent reply bytes beyond which the writer counts as blocked. */
    private readonly bufferBytes: number,
    private readonly stalledReaderTimeoutMs: number,
    private readonly budget: ReplyBudget,
    /** Called each time the socket has taken a piece. */
    private readonly onWritten: () => void,
    /** Called once the peer has taken nothing of its unsent replies for the timeout. */
    private readonly onStalled: () => void,
  ) {}

  /** Reply bytes not yet in the kernel: those waiting here and those the socket still holds. */
  get unsent(): number {
    return this.pendingBytes + this.socket.writableLength;
  }

  /** Writes a reply, or one already encoded as pieces. */
  write(reply: Reply | readonly Buffer[], done?: (written: boolean) => void): void {
    if (this.stopped) {
      done?.(false);
      return;
    }
    // Replies given in one turn (pipelined requests) leave in one system call.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    const bufs = Array.isArray(reply) ? reply : [Buffer.from(formatReply(reply as Reply))];
    for (let i = 0; i < bufs.length; i++) {
      const buf = bufs[i]!;
      const last = i === bufs.length - 1;
      if (buf.length === 0 && !last) continue;
      let at = 0;
      do {
        const end = Math.min(buf.length, at + PIECE_BYTES);
        this.pending.push({ buf: buf.subarray(at, end), done: last && end === buf.length ? done : undefined });
        this.pendingBytes += end - at;
        at = end;
      } while (at < buf.length);
    }
    this.feed();
  }

  blocked(): boolean {
    return this.unsent > this.bufferBytes;
  }

  /** Starts watching for a stalled reader, unless already watching. */
  watch(): void {
    if (this.stallTimer || this.stopped) return;
    this.progress = this.sent();
    this.progressAt = Date.now();
    this.unacked = null;
    this.stallTimer = setInterval(() => this.checkStall(), Math.max(10, Math.floor(this.stalledReaderTimeoutMs / 4)));
  }

  /** The peer is taking its replies again, or there are none: nothing is stalled. */
  unwatch(): void {
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = null;
  }

  /** The connection closed: what was not written never will be. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unwatch();
    for (let piece = this.pending.shift(); piece; piece = this.pending.shift()) piece.done?.(false);
    this.pendingBytes = 0;
    this.budget.change(-this.reported);
    this.reported = 0;
  }

  /** Hands pieces to the socket while it holds less than one. */
  private feed(): void {
    while (this.pending.length > 0 && this.socket.writableLength < PIECE_BYTES) {
      const piece = this.pending.shift()!;
      this.pendingBytes -= piece.buf.length;
      this.socket.write(piece.buf, (err) => this.written(piece, err));
    }
    this.report();
  }

  private written(piece: Piece, err: Error | null | undefined): void {
    piece.done?.(!err);
    if (this.stopped) return;
    this.feed();
    this.onWritten();
  }

  private report(): void {
    if (this.stopped) return;
    const now = this.unsent;
    if (now === this.reported) return;
    this.budget.change(now - this.reported);
    this.reported = now;
  }

  /** Cuts off a peer that takes nothing of its unsent replies for the stalled-reader timeout; a slow reader stays. */
  private checkStall(): void {
    if (this.unsent === 0) {
      this.unwatch();
      return;
    }
    const sent = this.sent();
    const now = Date.now();
    if (sent !== this.progress) {
      this.progress = sent;
      this.progressAt = now;
      this.unacked = null;
      return;
    }
    // Nothing more went into the kernel: the peer may still be taking what the kernel holds.
    const unacked = unackedBytes(this.socket, this.stalledReaderTimeoutMs / 8);
    if (unacked !== null && this.unacked !== null && unacked < this.unacked) this.progressAt = now;
    this.unacked = unacked;
    if (now - this.progressAt >= this.stalledReaderTimeoutMs) {
      this.unwatch();
      this.onStalled();
    }
  }

  /**
   * Reply bytes whose writes completed, that is, are in the kernel (for the kernel's own
   * progress, see kernel-queue.ts). Both counters are of
   * the bytes this socket was given: for a TLS socket the plaintext, whose write completes
   * once its records are in the kernel, so the same difference works for TCP and TLS.
   */
  private sent(): number {
    return this.socket.bytesWritten - this.socket.writableLength;
  }
}
