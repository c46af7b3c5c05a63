// Fuzzing a real server over TCP: random bytes, invalid UTF-8, NUL, lone CR,
// overlong lines, huge argument counts, unknown commands and tokens of every
// shape, split into random writes on several connections at once. The server
// must answer every complete line with one JSON reply, in order, as the
// framing rules and the request grammar predict, and keep serving a
// bystander on another connection throughout.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_MAX_LINE_BYTES, Errors, parseRequest, REPLY_TERMINATOR } from '../../src/protocol.js';
import { ChatClient } from '../../src/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { Bystander, sleep } from './support.js';

const MAX = DEFAULT_MAX_LINE_BYTES;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A connection that collects raw reply frames. */
class FrameReader {
  private buf = Buffer.alloc(0);
  closed = false;
  private wake: (() => void) | null = null;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<FrameReader> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new FrameReader(s)));
      s.once('error', reject);
    });
  }

  /** The next frame as text, or null when the connection closed first. */
  async next(timeoutMs = 15_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.buf.indexOf(REPLY_TERMINATOR);
      if (i !== -1) {
        const frame = this.buf.subarray(0, i).toString('utf8');
        this.buf = this.buf.subarray(i + REPLY_TERMINATOR.length);
        return frame;
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  get unread(): number {
    return this.buf.length;
  }
}

/** What the reply to one request line must look like. */
type Expect = { exact: Record<string, unknown> } | { cmd: string; errors: string[] };

/**
 * Predicts the replies to a byte stream from the framing rules and the
 * request grammar. `valid` is the one token the fuzzer knows to be live.
 */
function predict(stream: Buffer, valid: string): { expects: Expect[]; overflow: boolean } {
  const expects: Expect[] = [];
  let start = 0;
  for (;;) {
    const nl = stream.indexOf(10, start);
    if (nl === -1) break;
    let end = nl;
    if (end > start && stream[end - 1] === 13) end--;
    if (end - start > MAX) return { expects, overflow: true };
    const parsed = parseRequest(new TextDecoder().decode(stream.subarray(start, end)));
    start = nl + 1;
    if (!parsed.ok) {
      expects.push({ exact: { status: 'ERROR', message: Errors.badProtocol } });
      continue;
    }
    const req = parsed.request;
    if (req.cmd === 'auth') expects.push({ cmd: 'auth', errors: [Errors.noUser, Errors.badPassword, Errors.tooMany] });
    else if (req.token !== valid) expects.push({ exact: { status: 'ERROR', message: Errors.noSession } });
    else if (req.cmd === 'send') expects.push({ cmd: 'send', errors: [Errors.noDestination, Errors.emptyMessage, Errors.messageTooLong] });
    else if (req.cmd === 'history') expects.push({ cmd: 'history', errors: [Errors.noDestination] });
    else expects.push({ cmd: req.cmd, errors: [] });
  }
  return { expects, overflow: stream.length - start > MAX + 1 };
}

function check(frame: string, expect: Expect, where: string): void {
  assert.doesNotMatch(frame, /[\r\n]/, `${where}: one line`);
  const reply = JSON.parse(frame) as Record<string, unknown>;
  if ('exact' in expect) {
    assert.deepEqual(reply, expect.exact, where);
    return;
  }
  if (reply.status === 'ERROR') {
    assert.ok(expect.errors.includes(String(reply.message)), `${where}: ${expect.cmd} answered ${frame}`);
    return;
  }
  assert.equal(reply.status, 'OK', where);
  if (expect.cmd === 'auth') assert.match(String(reply.tokenid), UUID_RE, where);
  if (expect.cmd === 'send') assert.equal(reply.message, 'Message Sent', where);
  if (expect.cmd === 'inbox') assert.equal(typeof reply.messages, 'object', where);
  if (expect.cmd === 'history') assert.ok(Array.isArray(reply.messages), where);
  if (expect.cmd === 'online' || expect.cmd === 'users') assert.ok(Array.isArray(reply.users), where);
}

/** Sends `stream` in the given pieces, then (unless it overflows) a marker request, and checks every reply. */
async function exercise(port: number, pieces: Buffer[], valid: string): Promise<void> {
  // A final LF finishes any line the stream left open, so the marker stands on its own line.
  const stream = Buffer.concat([...pieces, Buffer.from('\n')]);
  const { expects, overflow } = predict(stream, valid);
  const r = await FrameReader.connect(port);
  try {
    for (const p of [...pieces, Buffer.from('\n')]) {
      r.socket.write(p);
      // Give TCP a chance to deliver pieces separately.
      if (p.length % 3 === 0) await new Promise((res) => setImmediate(res));
    }
    if (!overflow) r.socket.write(`users ${valid}\r\n`);
    for (let i = 0; i < expects.length; i++) {
      const frame = await r.next();
      assert.notEqual(frame, null, `connection closed before reply ${i + 1} of ${expects.length}`);
      check(frame!, expects[i]!, `reply ${i + 1} of ${expects.length}`);
    }
    const last = await r.next();
    if (overflow) {
      assert.deepEqual(JSON.parse(last ?? 'null'), { status: 'ERROR', message: Errors.lineTooLong });
      assert.equal(await r.next(), null, 'closed after Request Terlalu Panjang');
    } else {
      const marker = JSON.parse(last ?? 'null') as { status: string; users: Array<{ username: string }> };
      assert.equal(marker.status, 'OK', 'the marker comes right after the predicted replies');
      assert.deepEqual(marker.users.map((u) => u.username), ['henderson', 'lineker']);
      await sleep(5);
      assert.equal(r.unread, 0, 'no reply beyond one per line');
    }
  } finally {
    r.socket.destroy();
  }
}

/** A stream in a few words: its pieces' sizes and its start and end, escaped. */
function describeStream(pieces: Buffer[]): string {
  const all = Buffer.concat(pieces);
  const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'));
  const ends = all.length > 240 ? `${show(all.subarray(0, 120))} ... ${show(all.subarray(-120))}` : show(all);
  return `${all.length} bytes in pieces of [${pieces.map((p) => p.length).join(', ')}]: ${ends}`;
}

describe('fuzzing the server over TCP', () => {
  let server: TestServer;
  let valid = '';
  let bystander: Bystander;
  let streams = 0;
  let bytes = 0;

  before(async () => {
    server = await startServer({ args: ['--log-level', 'warn'] });
    const c = await ChatClient.connect({ port: server.port, localAddress: '127.0.0.3' });
    valid = await c.auth('messi', 'surabaya');
    c.destroy();
    bystander = await Bystander.start({ port: server.port });
  });

  after(async () => {
    bystander?.kill();
    await server?.stop();
  });

  const gap = fc.constantFrom(' ', '  ', '\t', '');
  const ending = fc.constantFrom('\r\n', '\n', ' \r\n', '\r\r\n', '\r', '');
  const token = (): fc.Arbitrary<string> =>
    fc.oneof(
      fc.constant(valid),
      fc.constant(valid.toUpperCase()),
      fc.constant(valid.slice(0, 35)),
      fc.constant(valid + 'x'),
      fc.constant(valid.replace(/-/g, '')),
      fc.uuid(),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('', '0', "' OR 1=1 --", '%s%n', '../../etc/passwd', '\0'),
    );
  const user = fc.constantFrom('messi', 'henderson', 'lineker', 'nobody', 'MESSI', 'messi\0', '', 'a'.repeat(33), '日本');
  const cmd = fc.constantFrom('auth', 'logout', 'send', 'inbox', 'online', 'users', 'history', 'Auth', 'SEND', 'quit', 'help', '');

  const request = (): fc.Arbitrary<string> =>
    fc
      .tuple(cmd, fc.array(fc.tuple(gap, fc.oneof(token(), user, fc.string({ unit: 'binary', maxLength: 20 }), fc.nat().map(String))), { maxLength: 6 }), ending)
      .map(([c, args, end]) => c + args.map(([g, a]) => g + a).join('') + end)
      // A logout of the live token would change what the rest predict.
      .filter((line) => !(line.startsWith('logout') && line.includes(valid)));

  const piece = (): fc.Arbitrary<Buffer> =>
    fc.oneof(
      { weight: 6, arbitrary: request().map((s) => Buffer.from(s)) },
      { weight: 3, arbitrary: fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)) },
      { weight: 2, arbitrary: fc.array(fc.constantFrom(0x00, 0x0d, 0x0a, 0xff, 0xc3, 0xe2, 0x82, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xf0, 0x9f), { maxLength: 20 }).map((a) => Buffer.from(a)) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => Buffer.from(`inbox ${valid}${' 1'.repeat(n)}\r\n`)) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 15_000 }).map((n) => Buffer.from(`send ${valid} henderson${' 日'.repeat(n)}\n`)) },
      { weight: 1, arbitrary: fc.integer({ min: MAX - 2, max: MAX + 3 }).map((n) => Buffer.concat([Buffer.alloc(n, 0x78), Buffer.from('\r\n')])) },
    );

  /** A stream cut into random writes. */
  const cutStream = (): fc.Arbitrary<Buffer[]> =>
    fc.tuple(fc.array(piece(), { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 12 })).map(([parts, cuts]) => {
      const whole = Buffer.concat(parts);
      const at = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
      const out: Buffer[] = [];
      let prev = 0;
      for (const c of at) {
        out.push(whole.subarray(prev, c));
        prev = c;
      }
      out.push(whole.subarray(prev));
      return out.filter((b) => b.length > 0);
    });

  it('answers every complete line once, in order, as predicted, on several connections at once', async (t) => {
    const run = await fc.check(
      fc.asyncProperty(fc.array(cutStream(), { minLength: 1, maxLength: 4 }), async (batch) => {
        streams += batch.length;
        for (const s of batch) for (const p of s) bytes += p.length;
        await Promise.all(batch.map((pieces) => exercise(server.port, pieces, valid)));
      }),
      { numRuns: 250 },
    );
    // Streams can be 64 KiB long: report a summary of the counterexample rather than every byte.
    if (run.failed) {
      const example = run.counterexample?.[0]?.map((pieces) => describeStream(pieces)).join('\n  ');
      throw new Error(`${(run.errorInstance as Error)?.message}\n  seed ${run.seed}, path ${run.counterexamplePath}\n  ${example}`);
    }
    assert.ok(streams >= 250);
    t.diagnostic(`fuzzed ${streams} streams, ${(bytes / 1048576).toFixed(1)} MiB`);
  });

  it('kept serving the bystander throughout and never crashed', async (t) => {
    const seen = await bystander.stop();
    t.diagnostic(`bystander: ${seen.requests} requests, slowest ${seen.maxMs.toFixed(0)} ms`);
    assert.deepEqual(seen.failures, []);
    assert.ok(seen.requests > 20, `bystander made ${seen.requests} requests`);
    assert.ok(seen.maxMs < 1000, `slowest bystander reply took ${seen.maxMs.toFixed(0)} ms`);
    assert.equal(server.proc.exitCode, null, 'server still running');
    assert.doesNotMatch(server.stderr(), /unexpected error|store failure|server error/);
  });
});
