// Framing of the byte stream, both directions: request lines on the server,
// reply frames on the client. Pure, like the rest of the wire contract
// (protocol.ts re-exports these).

import type { Reply } from './protocol.js';

/** Bytes that end every reply; original clients read until they see them. */
export const REPLY_TERMINATOR = '\r\n\r\n';
/** Default cap on one request line, in bytes. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** Output of a line decoder push: complete lines, and whether the cap was passed. */
export interface DecodeResult {
  lines: string[];
  /** Set when the unfinished line grew past the cap; the decoder is then spent. */
  overflow: boolean;
}

/**
 * Incremental request-line decoder. Splits on `\n` bytes (which never occur
 * inside a multi-byte UTF-8 character, so characters split across chunks are
 * rejoined before decoding), strips one `\r` before the `\n`, and caps the
 * length of a line in bytes, line ending excluded.
 */
export class LineDecoder {
  private parts: Buffer[] = [];
  private pending = 0;
  private spent = false;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {}

  /** Bytes held of a line not yet finished. */
  get buffered(): number {
    return this.pending;
  }

  push(chunk: Buffer): DecodeResult {
    const lines: string[] = [];
    if (this.spent) return { lines, overflow: true };
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      let line: Buffer;
      if (this.parts.length === 0) {
        line = chunk.subarray(start, nl);
      } else {
        this.parts.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.parts);
        this.parts = [];
        this.pending = 0;
      }
      let end = line.length;
      if (end > 0 && line[end - 1] === 13) end--;
      if (end > this.maxLineBytes) {
        this.spent = true;
        return { lines, overflow: true };
      }
      lines.push(this.utf8.decode(line.subarray(0, end)));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const tail = chunk.subarray(start);
      this.parts.push(tail);
      this.pending += tail.length;
      // One extra byte of slack for a `\r` that may precede the coming `\n`.
      if (this.pending > this.maxLineBytes + 1) {
        this.spent = true;
        this.parts = [];
        return { lines, overflow: true };
      }
    }
    return { lines, overflow: false };
  }
}

/**
 * Incremental reply decoder (the client side): splits the byte stream on
 * `\r\n\r\n` and parses each frame's JSON.
 */
export class ReplyDecoder {
  private tail = '';
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });

  push(chunk: Buffer): Reply[] {
    this.tail += this.utf8.decode(chunk, { stream: true });
    const out: Reply[] = [];
    let idx: number;
    while ((idx = this.tail.indexOf(REPLY_TERMINATOR)) !== -1) {
      const frame = this.tail.slice(0, idx);
      this.tail = this.tail.slice(idx + REPLY_TERMINATOR.length);
      out.push(parseReply(frame));
    }
    return out;
  }

  /** Characters received of a reply not yet finished. */
  get buffered(): number {
    return this.tail.length;
  }
}

/** Parses one reply frame's JSON, checking it has the shape of a reply. */
export function parseReply(frame: string): Reply {
  const value: unknown = JSON.parse(frame);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('reply is not a JSON object');
  }
  const status = (value as { status?: unknown }).status;
  if (status !== 'OK' && status !== 'ERROR') throw new Error('reply has no valid status');
  return value as Reply;
}
