// Property tests of the pure wire module against arbitrary input: the line
// decoder gives the same lines however a stream is split, request parsing
// never throws and keeps to its grammar, replies stay one JSON line, and an
// inbox reply groups any senders, Object.prototype names among them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  Errors,
  formatReply,
  formatRequest,
  LineDecoder,
  parseRequest,
  ReplyDecoder,
  toWireJson,
  trimBlanks,
  type Message,
  type Reply,
} from '../../src/protocol.js';
import { groupBySender } from '../../src/server/commands/inbox.js';
import { PROTO_NAMES } from '../helpers/proto-names.js';

const RUNS = 500;

/** Bytes chosen to hit the decoder's edges: line ends, lone CR, NUL, invalid and split UTF-8. */
const edgyByte = fc.constantFrom(0x0a, 0x0d, 0x00, 0x20, 0x09, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x8e, 0x89, 0xff, 0xc0, 0xed, 0xa0);
const streamBytes = fc
  .array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.array(edgyByte, { maxLength: 40 }).map((a) => Uint8Array.from(a))), { maxLength: 12 })
  .map((parts) => Buffer.concat(parts));

/** Cuts `buf` at the given offsets (taken modulo its length), in order. */
function cut(buf: Buffer, offsets: number[]): Buffer[] {
  const at = [...new Set(offsets.map((o) => (buf.length === 0 ? 0 : o % (buf.length + 1))))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const o of at) {
    out.push(buf.subarray(prev, o));
    prev = o;
  }
  out.push(buf.subarray(prev));
  return out;
}

function decodeAll(chunks: Buffer[], max: number): { lines: string[]; overflow: boolean } {
  const d = new LineDecoder(max);
  const lines: string[] = [];
  let overflow = false;
  for (const c of chunks) {
    const r = d.push(c);
    lines.push(...r.lines);
    if (r.overflow) {
      overflow = true;
      break;
    }
  }
  return { lines, overflow };
}

/** The framing rules written out plainly: split on LF, drop one CR, a line over `max` bytes (or an unfinished one over max + 1) overflows. */
function modelLines(buf: Buffer, max: number): { lines: string[]; overflow: boolean } {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(10, start);
    if (nl === -1) break;
    let end = nl;
    if (end > start && buf[end - 1] === 13) end--;
    if (end - start > max) return { lines, overflow: true };
    lines.push(new TextDecoder().decode(buf.subarray(start, end)));
    start = nl + 1;
  }
  return { lines, overflow: buf.length - start > max + 1 };
}

describe('LineDecoder under arbitrary bytes', () => {
  it('yields the same lines and overflow however the stream is split, matching the framing rules', () => {
    fc.assert(
      fc.property(streamBytes, fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 1, max: 48 }), (buf, offsets, max) => {
        const whole = decodeAll([buf], max);
        assert.deepEqual(decodeAll(cut(buf, offsets), max), whole);
        assert.deepEqual(whole, modelLines(buf, max));
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('rejoins any text split at any byte, inside multi-byte characters too', () => {
    const lineText = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''));
    fc.assert(
      fc.property(fc.array(lineText, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 30 }), fc.boolean(), (texts, offsets, crlf) => {
        const buf = Buffer.from(texts.map((t) => t + (crlf ? '\r\n' : '\n')).join(''), 'utf8');
        const got = decodeAll(cut(buf, offsets), 1 << 20);
        assert.equal(got.overflow, false);
        assert.deepEqual(got.lines, texts);
      }),
      { numRuns: RUNS },
    );
  });

  it('is spent after an overflow: later pushes give no lines', () => {
    const d = new LineDecoder(256);
    assert.equal(d.push(Buffer.alloc(300, 0x41)).overflow, true);
    assert.deepEqual(d.push(Buffer.from('auth messi surabaya\r\n')), { lines: [], overflow: true });
  });
});

const word = fc.oneof(
  fc.constantFrom('auth', 'logout', 'send', 'inbox', 'online', 'users', 'history', 'AUTH', 'Send', 'messi', '0', '500', '501', '-1', '1e3', '9'.repeat(17)),
  fc.uuid(),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 3 }),
);
const gap = fc.constantFrom(' ', '  ', '\t', ' \t ', '', '\u00a0', '\u3000', '\0');
const requestish = fc.array(fc.tuple(gap, word), { maxLength: 9 }).map((parts) => parts.map(([g, w]) => g + w).join(''));

const COMMANDS = new Set(['auth', 'logout', 'send', 'inbox', 'online', 'users', 'history']);

describe('parseRequest under arbitrary lines', () => {
  it('never throws; answers a request whose command is the first word, or Protocol Tidak Benar', () => {
    fc.assert(
      fc.property(fc.oneof(requestish, fc.string({ unit: 'binary', maxLength: 200 })), (line) => {
        const r = parseRequest(line);
        if (!r.ok) {
          assert.equal(r.error, Errors.badProtocol);
          return;
        }
        assert.ok(COMMANDS.has(r.request.cmd));
        assert.equal(line.replace(/^[ \t]+/, '').split(/[ \t]/)[0], r.request.cmd);
        // No parsed field carries a separator, except a message's inner white space.
        for (const [k, v] of Object.entries(r.request)) {
          if (typeof v === 'string' && k !== 'message') assert.doesNotMatch(v, /[ \t]/, k);
          if (typeof v === 'number') assert.ok(Number.isSafeInteger(v) && v >= 0, k);
        }
        if (r.request.cmd === 'send') assert.equal(r.request.message, trimBlanks(r.request.message));
        if (r.request.cmd === 'history') assert.ok(r.request.limit >= 1 && r.request.limit <= 500);
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('reads back what a client formats, for words of every shape', () => {
    const arg = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((s) => !/[ \t\r\n]/.test(s));
    const text = fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replace(/[\r\n]/g, ' '));
    fc.assert(
      fc.property(arg, arg, arg, text, fc.nat({ max: 2 ** 40 }), (a, b, c, message, n) => {
        assert.deepEqual(parseRequest(formatRequest(['auth', a, b]).slice(0, -2)), { ok: true, request: { cmd: 'auth', username: a, password: b } });
        const send = parseRequest(`send ${a} ${b} ${message} `);
        assert.deepEqual(send, { ok: true, request: { cmd: 'send', token: a, to: b, message: trimBlanks(message) } });
        assert.deepEqual(parseRequest(`inbox ${a} ${n}`), { ok: true, request: { cmd: 'inbox', token: a, ackId: n } });
        assert.deepEqual(parseRequest(`auth ${a} ${b} ${c}`), { ok: false, error: Errors.badProtocol }, 'extra word');
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses huge argument counts without trouble', () => {
    for (const cmd of ['auth', 'logout', 'inbox', 'online', 'users', 'history']) {
      assert.deepEqual(parseRequest(`${cmd}${' x'.repeat(30_000)}`), { ok: false, error: Errors.badProtocol }, cmd);
    }
    const send = parseRequest(`send t u${' w'.repeat(30_000)}`);
    assert.ok(send.ok && send.request.cmd === 'send' && send.request.message.length === 59_999);
  });
});

describe('replies under arbitrary content', () => {
  const content = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  );
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, content, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(content, tie('v'), { maxKeys: 4 })),
  })).v;

  it('is always one JSON line that parses back to the same value', () => {
    fc.assert(
      fc.property(value, (v) => {
        const wire = toWireJson(v);
        assert.doesNotMatch(wire, /[\r\n]/);
        assert.match(wire, /^[\x20-\x7e]*$/, 'a reply is printable ASCII');
        assert.deepEqual(JSON.parse(wire), JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('decodes the same replies however the reply stream is split', () => {
    const reply = fc.dictionary(content, value, { maxKeys: 3 }).map((fields): Reply => ({ ...fields, status: 'OK' }));
    fc.assert(
      fc.property(fc.array(reply, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (replies, offsets) => {
        const wire = Buffer.from(replies.map(formatReply).join(''), 'utf8');
        const d = new ReplyDecoder();
        const got = cut(wire, offsets).flatMap((c) => d.push(c));
        assert.deepEqual(got, replies.map((r) => JSON.parse(toWireJson(r)) as Reply));
        assert.equal(d.buffered, 0);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('inbox replies from senders of every name', () => {
  const username = fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.stringMatching(/^[A-Za-z0-9_.-]{1,32}$/));
  const message = (id: number, sender: string): Message => ({ msg_from: 'N', msg_to: 'M', msg: `m${id}`, id, sender, recipient: 'messi', ts: '2026-01-01T00:00:00.000Z' });

  it('files every message under its own sender, oldest first, and writes the groups as they are', () => {
    fc.assert(
      fc.property(fc.array(username, { maxLength: 40 }), (senders) => {
        const want = new Map<string, number[]>();
        senders.forEach((s, i) => want.set(s, [...(want.get(s) ?? []), i + 1]));
        const groups = groupBySender(senders.map((s, i) => message(i + 1, s)));
        const wire = JSON.parse(toWireJson({ status: 'OK', messages: groups })) as { messages: Record<string, Message[]> };
        const got = Object.entries(wire.messages).map(([k, list]): [string, number[]] => {
          for (const m of list) assert.equal(m.sender, k);
          return [k, list.map((m) => m.id)];
        });
        assert.deepEqual([...got].sort(), [...want].sort());
        // Senders in the order of their first message on the wire, numeric names included
        // (JSON.parse into an object would list those first, so read the keys off the text).
        const keys = [...toWireJson(groups).matchAll(/(?:^\{|\], )"([^"\\]*)": \[/g)].map((m) => m[1]);
        assert.deepEqual(keys, [...want.keys()]);
      }),
      { numRuns: RUNS },
    );
  });
});
