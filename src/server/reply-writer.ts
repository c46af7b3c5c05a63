// The single write path of a connection: replies given in one turn leave in
// one system call, and a peer that stops taking its replies is noticed.

import type { Socket } from 'node:net';
import { formatReply, type Reply } from '../protocol.js';

/** Writes replies to one socket and watches that the peer keeps reading them. */
export class ReplyWriter {
  private corked = false;
  private stallTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    /** Unsent reply bytes beyond which the writer counts as blocked. */
    private readonly bufferBytes: number,
    private readonly stalledReaderTimeoutMs: number,
    /** Called once the peer has taken none of its unsent replies for the timeout. */
    private readonly onStalled: () => void,
  ) {}

  /** Writes a reply, or one already encoded as pieces. */
  write(reply: Reply | readonly Buffer[], done?: (written: boolean) => void): void {
    // Replies given in one turn (pipelined requests) leave in one system call.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    const cb = done && ((err?: Error | null): void => done(!err));
    if (!Array.isArray(reply)) {
      this.socket.write(formatReply(reply as Reply), cb);
      return;
    }
    for (let i = 0; i < reply.length; i++) this.socket.write(reply[i]!, i === reply.length - 1 ? cb : undefined);
  }

  blocked(): boolean {
    return this.socket.writableLength > this.bufferBytes;
  }

  /** Starts watching for a stalled reader, unless already watching. */
  watch(): void {
    // Measured from the next turn, once the writes of this one have left the cork.
    if (!this.stallTimer) this.stallTimer = setTimeout(() => this.watchStall(this.sendState()), 0);
  }

  /** The socket drained (or closed): nothing is stalled. */
  stop(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  /** Cuts off a peer that takes none of its unsent replies for the stalled-reader timeout; a slow reader stays. */
  private watchStall(before: [number, number]): void {
    this.stallTimer = setTimeout(() => {
      const now = this.sendState();
      if (now[0] === 0) this.stallTimer = null;
      else if (now[0] < before[0] || (now[0] === before[0] && now[1] < before[1])) this.watchStall(now);
      else this.onStalled();
    }, this.stalledReaderTimeoutMs);
  }

  /**
   * How far the replies have gone out, compared in order: the bytes of writes not yet
   * complete (a write counts in full until its last byte is sent), then what the TCP handle
   * still holds of the write in progress, which shrinks while the peer reads a large reply.
   */
  private sendState(): [number, number] {
    const tcp = ((this.socket as Socket & { _parent?: Socket })._parent ?? this.socket) as unknown as { _handle?: { writeQueueSize?: number } };
    return [this.socket.writableLength, tcp._handle?.writeQueueSize ?? 0];
  }
}
