import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  charLength,
  Errors,
  formatReply,
  formatRequest,
  isValidUsername,
  LineDecoder,
  parseReply,
  parseRequest,
  profileFieldProblem,
  ReplyDecoder,
  toWireJson,
  trimBlanks,
  type Request,
} from '../src/protocol.js';

const T = '611f1cde-261c-4dd4-8bee-72ee7cfc10db';

describe('parseRequest', () => {
  const good: Array<[string, Request]> = [
    ['auth messi surabaya', { cmd: 'auth', username: 'messi', password: 'surabaya' }],
    ['auth messi surabaya ', { cmd: 'auth', username: 'messi', password: 'surabaya' }],
    ['auth\tmessi   surabaya\t', { cmd: 'auth', username: 'messi', password: 'surabaya' }],
    [`logout ${T}`, { cmd: 'logout', token: T }],
    [`logout ${T} `, { cmd: 'logout', token: T }],
    [`send ${T} henderson hai, apakabar?`, { cmd: 'send', token: T, to: 'henderson', message: 'hai, apakabar?' }],
    [`send ${T} henderson  hai, apakabar? `, { cmd: 'send', token: T, to: 'henderson', message: 'hai, apakabar?' }],
    [`send ${T} henderson a  b\t c`, { cmd: 'send', token: T, to: 'henderson', message: 'a  b\t c' }],
    [`send ${T} henderson`, { cmd: 'send', token: T, to: 'henderson', message: '' }],
    [`send ${T} henderson    `, { cmd: 'send', token: T, to: 'henderson', message: '' }],
    [`send ${T} henderson 日本語 🎉`, { cmd: 'send', token: T, to: 'henderson', message: '日本語 🎉' }],
    [`inbox ${T}`, { cmd: 'inbox', token: T, ackId: null }],
    [`inbox ${T} 0`, { cmd: 'inbox', token: T, ackId: 0 }],
    [`inbox ${T} 42 `, { cmd: 'inbox', token: T, ackId: 42 }],
    [`online ${T}`, { cmd: 'online', token: T }],
    [`users ${T}`, { cmd: 'users', token: T }],
    [`history ${T} messi`, { cmd: 'history', token: T, with: 'messi', beforeId: null, limit: 50 }],
    [`history ${T} messi 10`, { cmd: 'history', token: T, with: 'messi', beforeId: 10, limit: 50 }],
    [`history ${T} messi 0 500`, { cmd: 'history', token: T, with: 'messi', beforeId: null, limit: 500 }],
    [`history ${T} messi 7 1`, { cmd: 'history', token: T, with: 'messi', beforeId: 7, limit: 1 }],
  ];
  for (const [line, request] of good) {
    it(`parses ${JSON.stringify(line)}`, () => assert.deepEqual(parseRequest(line), { ok: true, request }));
  }

  const bad = [
    '',
    '   ',
    'AUTH messi surabaya',
    'auth',
    'auth messi',
    'auth messi surabaya extra',
    'logout',
    `logout ${T} extra`,
    'send',
    `send ${T}`,
    'inbox',
    `inbox ${T} -1`,
    `inbox ${T} 1.5`,
    `inbox ${T} abc`,
    `inbox ${T} 1 2`,
    `inbox ${T} 99999999999999999`,
    'online',
    `online ${T} x`,
    'users',
    `history ${T}`,
    `history ${T} messi x`,
    `history ${T} messi 1 0`,
    `history ${T} messi 1 501`,
    `history ${T} messi 1 10 extra`,
    'bogus thing',
    '\u0000',
  ];
  for (const line of bad) {
    it(`rejects ${JSON.stringify(line)} with Protocol Tidak Benar`, () =>
      assert.deepEqual(parseRequest(line), { ok: false, error: Errors.badProtocol }));
  }
});

describe('wire JSON', () => {
  it('uses the original separators', () => {
    assert.equal(toWireJson({ status: 'OK', tokenid: 'x' }), '{"status": "OK", "tokenid": "x"}');
    assert.equal(toWireJson({ a: [1, { b: null }], c: true }), '{"a": [1, {"b": null}], "c": true}');
    assert.equal(toWireJson({ a: [], b: {} }), '{"a": [], "b": {}}');
  });
  it('drops undefined fields', () => assert.equal(toWireJson({ a: undefined, b: 1 }), '{"b": 1}'));
  it('escapes line breaks and control characters, so the terminator never appears inside', () => {
    const s = formatReply({ status: 'OK', msg: 'a\r\n\r\nb\u0000\u001b' });
    assert.equal(s.indexOf('\r\n\r\n'), s.length - 4);
    assert.deepEqual(JSON.parse(s), { status: 'OK', msg: 'a\r\n\r\nb\u0000\u001b' });
  });
  it('escapes lone surrogates, so the reply is valid UTF-8', () => {
    const s = formatReply({ status: 'OK', msg: 'x\ud800y' });
    assert.ok(s.includes('\\ud800'));
  });
  it('writes pure ASCII as json.dumps does, keys included', () => {
    const reply = { status: 'OK', 'pesan é': ['é', '你', '😀', '\u007f', 'a/b', 'x\ud800y\udc00'], n: 1, ok: true, none: null } as const;
    const wire = formatReply(reply);
    assert.equal(
      wire,
      '{"status": "OK", "pesan \\u00e9": ["\\u00e9", "\\u4f60", "\\ud83d\\ude00", "\\u007f", "a/b", "x\\ud800y\\udc00"], "n": 1, "ok": true, "none": null}\r\n\r\n',
    );
    assert.ok(Buffer.from(wire).every((b) => b < 0x80));
    assert.deepEqual(JSON.parse(wire), reply);
  });
  it('formats the documented error reply', () =>
    assert.equal(formatReply({ status: 'ERROR', message: Errors.noSession }), '{"status": "ERROR", "message": "Session Tidak Ditemukan"}\r\n\r\n'));
});

describe('LineDecoder', () => {
  const feed = (d: LineDecoder, ...chunks: Array<string | Buffer>): string[] =>
    chunks.flatMap((c) => d.push(Buffer.isBuffer(c) ? c : Buffer.from(c)).lines);

  it('splits CRLF and LF lines and keeps the tail', () => {
    const d = new LineDecoder();
    assert.deepEqual(feed(d, 'a\r\nb\nc'), ['a', 'b']);
    assert.equal(d.buffered, 1);
    assert.deepEqual(feed(d, '\r\n'), ['c']);
    assert.equal(d.buffered, 0);
  });
  it('keeps a lone CR inside a line', () => assert.deepEqual(feed(new LineDecoder(), 'a\rb\r\n'), ['a\rb']));
  it('rejoins a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('send x y héllo 🎉\r\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new LineDecoder();
      assert.deepEqual(feed(d, bytes.subarray(0, cut), bytes.subarray(cut)), ['send x y héllo 🎉']);
    }
  });
  it('handles byte-by-byte delivery of several lines', () => {
    const d = new LineDecoder();
    const lines: string[] = [];
    for (const b of Buffer.from('one\r\ntwo\nthree\r\n')) lines.push(...d.push(Buffer.from([b])).lines);
    assert.deepEqual(lines, ['one', 'two', 'three']);
  });
  it('replaces invalid UTF-8 rather than failing', () =>
    assert.deepEqual(feed(new LineDecoder(), Buffer.from([0x61, 0xff, 0x62, 0x0a])), ['a\ufffdb']));
  it('caps the line length, counting bytes without the line ending', () => {
    assert.deepEqual(new LineDecoder(4).push(Buffer.from('abcd\r\n')), { lines: ['abcd'], overflow: false });
    assert.deepEqual(new LineDecoder(4).push(Buffer.from('abcde\r\n')), { lines: [], overflow: true });
    const d = new LineDecoder(4);
    assert.equal(d.push(Buffer.from('ok\nabc')).overflow, false);
    // Five pending bytes may still be four and a CR; the sixth settles it.
    assert.deepEqual(d.push(Buffer.from('de')), { lines: [], overflow: false });
    assert.deepEqual(d.push(Buffer.from('f')), { lines: [], overflow: true });
    assert.equal(d.push(Buffer.from('\n')).overflow, true, 'a spent decoder stays spent');
  });
});

describe('ReplyDecoder', () => {
  it('splits frames across chunks and parses them', () => {
    const d = new ReplyDecoder();
    const wire = Buffer.from(formatReply({ status: 'OK', msg: 'é' }) + formatReply({ status: 'ERROR', message: 'x' }));
    const out = [];
    for (const b of wire) out.push(...d.push(Buffer.from([b])));
    assert.deepEqual(out, [{ status: 'OK', msg: 'é' }, { status: 'ERROR', message: 'x' }]);
  });
  it('still decodes raw UTF-8 split anywhere, as a server may send it', () => {
    const wire = Buffer.from('{"status": "OK", "msg": "h\u00e9llo \u4f60 \ud83d\ude00 é你😀"}\r\n\r\n');
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new ReplyDecoder();
      assert.deepEqual([...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))], [{ status: 'OK', msg: 'héllo 你 😀 é你😀' }]);
    }
  });
  it('rejects a frame that is not a reply', () => {
    assert.throws(() => parseReply('[1]'));
    assert.throws(() => parseReply('{"status": "maybe"}'));
    assert.throws(() => parseReply('not json'));
  });
});

describe('validation helpers', () => {
  const names: Array<[string, boolean]> = [
    ['messi', true], ['a', true], ['A.b-c_9', true], ['x'.repeat(32), true],
    ['', false], ['x'.repeat(33), false], ['mes si', false], ['messi!', false], ['méssi', false],
  ];
  for (const [name, valid] of names) it(`username ${JSON.stringify(name)} is ${valid ? 'valid' : 'invalid'}`, () => assert.equal(isValidUsername(name), valid));

  it('checks nama and negara', () => {
    assert.equal(profileFieldProblem('Lionel Messi'), null);
    assert.equal(profileFieldProblem('日本'), null);
    assert.match(profileFieldProblem('') ?? '', /empty/);
    assert.match(profileFieldProblem('x'.repeat(65)) ?? '', /64/);
    assert.match(profileFieldProblem('a\u001b[2Jb') ?? '', /printable/);
    assert.match(profileFieldProblem('a\u202eb') ?? '', /printable/);
  });
  it('counts characters, not UTF-16 units', () => {
    assert.equal(charLength('abc'), 3);
    assert.equal(charLength('🎉🎉'), 2);
    assert.equal(charLength('日本'), 2);
  });
  it('trims only spaces and tabs', () => assert.equal(trimBlanks(' \t a\u00a0 \t'), 'a\u00a0'));
  it('refuses to format a request with a line break', () => {
    assert.equal(formatRequest(['auth', 'a', 'b']), 'auth a b\r\n');
    assert.throws(() => formatRequest(['send', 't', 'u', 'a\nb']));
  });
});
