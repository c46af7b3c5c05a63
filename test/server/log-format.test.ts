// The server's log for machines and people: with --log-format json every line
// is one JSON object with time, level and msg; connection lines name the peer;
// requests are at debug, connections at info, throttling and cut-offs at warn;
// no password or token ever appears. Text stays the default.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { Errors } from '../../src/protocol.js';
import { Logger } from '../../src/server/log.js';
import { CHATBOX_BIN, RawClient, startServer } from '../helpers/server.js';

interface Line {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** Every log line parsed as JSON; fails on any line that is not. */
function parseLog(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      let v: Line;
      try {
        v = JSON.parse(l) as Line;
      } catch {
        throw new Error(`not JSON: ${l}`);
      }
      assert.equal(typeof v, 'object', l);
      assert.ok(!Number.isNaN(Date.parse(v.time)) && /^\d{4}-\d\d-\d\dT/.test(v.time), `time in ${l}`);
      assert.ok(['debug', 'info', 'warn', 'error'].includes(v.level), `level in ${l}`);
      assert.equal(typeof v.msg, 'string', `msg in ${l}`);
      return v;
    });
}

const CONNECTION_EVENTS = new Set(['open', 'close', 'request', 'login throttled', 'connection refused', 'tls handshake failed']);

describe('server log', () => {
  it('writes JSON lines: requests at debug, connections at info with the peer, throttling and cut-offs at warn, no secrets', async () => {
    const secrets: string[] = ['surabaya', 'wrong-Guess-1'];
    const server = await startServer({
      args: ['--log-format', 'json', '--log-level', 'debug', '--auth-failures', '5', '--max-line-bytes', '1024'],
    });
    try {
      const c = await ChatClient.connect({ port: server.port });
      const messi = await c.auth('messi', 'surabaya');
      secrets.push(messi);
      await c.send(messi, 'henderson', 'hai "quoted" = text');
      await c.inbox(messi);
      await c.online(messi);
      await c.logout(messi);
      c.close();

      const guesser = await RawClient.connect(server.port);
      for (let i = 0; i < 5; i++) await guesser.ask('auth henderson wrong-Guess-1');
      assert.deepEqual(await guesser.ask('auth henderson surabaya'), { status: 'ERROR', message: Errors.tooMany });
      guesser.close();

      const long = await RawClient.connect(server.port);
      long.write(`auth messi surabaya ${'x'.repeat(2000)}\r\n`);
      assert.equal((await long.reply()).message, Errors.lineTooLong);
      await long.closed();
    } finally {
      await server.stop();
    }

    const text = server.stderr();
    for (const s of secrets) assert.ok(!text.includes(s), `the log holds ${s}`);
    const lines = parseLog(text);
    const of = (msg: string): Line[] => lines.filter((l) => l.msg === msg);

    assert.equal(of('listening')[0]?.level, 'info');
    assert.equal(typeof of('listening')[0]?.port, 'number', 'numbers stay numbers');
    for (const l of lines.filter((l) => CONNECTION_EVENTS.has(l.msg))) {
      assert.equal(l.peer, '127.0.0.1', `peer on ${JSON.stringify(l)}`);
    }
    const requests = of('request');
    assert.ok(requests.length >= 12, `a line per request, got ${requests.length}`);
    assert.ok(requests.every((l) => l.level === 'debug'), 'requests at debug');
    assert.ok(requests.some((l) => l.cmd === 'send' && l.user === 'messi' && l.status === 'OK' && typeof l.ms === 'number'));
    assert.equal(of('open').length, 3);
    assert.ok(of('open').every((l) => l.level === 'info'));
    const closes = of('close');
    assert.equal(closes.length, 3);
    const cut = closes.filter((l) => l.level === 'warn');
    assert.deepEqual(cut.map((l) => l.reason), ['request line too long'], 'the cut-off is a warning');
    assert.ok(closes.filter((l) => l.level === 'info').every((l) => /^peer (closed|finished)$/.test(String(l.reason))));
    const throttled = of('login throttled');
    assert.equal(throttled.length, 1);
    assert.equal(throttled[0]!.level, 'warn');
  });

  it('logs the cut-offs of slow and non-reading clients at warn, with the peer, and closes no silent one', async () => {
    const server = await startServer({
      // The stalled-reader timeout is the shortest, so that the paused flooder (whose last line may be cut in two) meets it first.
      args: ['--log-format', 'json', '--partial-line-timeout', '1500ms', '--first-line-timeout', '3s', '--reply-buffer', '4096', '--stalled-reader-timeout', '300ms'],
    });
    try {
      const slow = await RawClient.connect(server.port);
      slow.write('auth messi sura');
      // A quiet connection is never closed for being quiet.
      const silent = await RawClient.connect(server.port);
      const flooder = await RawClient.connect(server.port);
      const token = String((await flooder.ask('auth messi surabaya')).tokenid);
      flooder.socket.pause();
      const chunk = `online ${token}\r\n`.repeat(16_384);
      for (let i = 0; i < 64 && !flooder.isClosed; i++) {
        flooder.write(chunk);
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all([slow.closed(), flooder.closed()]);
      assert.equal(silent.isClosed, false, 'the silent connection stays open');
      silent.close();
    } finally {
      await server.stop();
    }
    const closes = parseLog(server.stderr()).filter((l) => l.msg === 'close');
    const reasons = closes.filter((l) => l.level === 'warn' && l.peer === '127.0.0.1').map((l) => l.reason).sort();
    assert.deepEqual(reasons, ['peer stopped reading replies', 'unfinished request line timed out'], JSON.stringify(closes));
  });

  it('leaves requests out at the default level, and writes text by default', async () => {
    const server = await startServer();
    try {
      const c = await ChatClient.connect({ port: server.port });
      const token = await c.auth('messi', 'surabaya');
      await c.inbox(token);
      c.close();
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await server.stop();
    }
    const log = server.stderr();
    assert.match(log, /^\S+Z info listening host=\S+ port=\d+/m);
    assert.match(log, /^\S+Z info open conn=1 peer=127\.0\.0\.1 port=\d+$/m);
    assert.match(log, /^\S+Z info close conn=1 peer=127\.0\.0\.1 requests=2 reason="peer (closed|finished)"$/m);
    assert.doesNotMatch(log, / request /);
    assert.doesNotMatch(log, /^\{/m);
  });

  it('takes CHATBOX_LOG_FORMAT and rejects an unknown format', () => {
    const r = spawnSync(process.execPath, [CHATBOX_BIN, 'serve', '--log-format', 'xml'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^chatbox: --log-format must be one of text, json, got 'xml'\n$/);
    const e = spawnSync(process.execPath, [CHATBOX_BIN, 'serve'], { encoding: 'utf8', env: { ...process.env, CHATBOX_LOG_FORMAT: 'yaml' } });
    assert.equal(e.status, 2);
    assert.match(e.stderr, /^chatbox: CHATBOX_LOG_FORMAT must be one of text, json, got 'yaml'\n$/);
  });

  it('formats fields the same way in both formats, each event one line', async () => {
    for (const format of ['text', 'json'] as const) {
      let out = '';
      const log = new Logger('debug', format, (t) => (out += t));
      log.info('event', { s: 'two words', q: 'a"b', n: 3, f: 0.25, b: true, u: undefined, e: '' });
      log.debug('second');
      log.flush();
      const lines = out.trimEnd().split('\n');
      assert.equal(lines.length, 2, format);
      if (format === 'json') {
        const v = JSON.parse(lines[0]!) as Record<string, unknown>;
        assert.deepEqual({ ...v, time: 'T' }, { time: 'T', level: 'info', msg: 'event', s: 'two words', q: 'a"b', n: 3, f: 0.25, b: true, e: '' });
      } else {
        assert.match(lines[0]!, /^\S+ info event s="two words" q="a\\"b" n=3 f=0\.25 b=true e=""$/);
      }
    }
  });
});
