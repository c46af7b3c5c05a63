// JSON strings exactly as Python's json.dumps writes them: a table of known
// outputs, then random strings checked against a real python3.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { asciiJsonString } from '../src/ascii-json.js';

/** What json.dumps gives for every C0 control (U+0000–U+001F). */
const C0: Array<[string, string]> = Array.from({ length: 0x20 }, (_, c) => {
  const short: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };
  return [String.fromCharCode(c), `"${short[c] ?? '\\u00' + c.toString(16).padStart(2, '0')}"`];
});

const TABLE: Array<[string, string]> = [
  ['', '""'],
  ['hai, apakabar?', '"hai, apakabar?"'],
  [' ~', '" ~"'],
  ['é', '"\\u00e9"'],
  ['héllo', '"h\\u00e9llo"'],
  ['你', '"\\u4f60"'],
  ['你好', '"\\u4f60\\u597d"'],
  ['😀', '"\\ud83d\\ude00"'],
  ['a😀b', '"a\\ud83d\\ude00b"'],
  ['\u007f', '"\\u007f"'],
  ['\u0080\u009f\u00a0\u00ff', '"\\u0080\\u009f\\u00a0\\u00ff"'],
  ['\u2028\u2029\ufeff\uffff', '"\\u2028\\u2029\\ufeff\\uffff"'],
  ['\ud800', '"\\ud800"'],
  ['\udbff', '"\\udbff"'],
  ['\udc00', '"\\udc00"'],
  ['\udfff', '"\\udfff"'],
  ['x\ud800y\udc00z', '"x\\ud800y\\udc00z"'],
  ['\ude00\ud83d', '"\\ude00\\ud83d"'],
  ['"', '"\\""'],
  ['\\', '"\\\\"'],
  ['/', '"/"'],
  ['</script>', '"</script>"'],
  ['a\r\n\r\nb', '"a\\r\\n\\r\\nb"'],
  ['Jos\u00e9 "Pep" \\ 你 😀\t/\u007f', '"Jos\\u00e9 \\"Pep\\" \\\\ \\u4f60 \\ud83d\\ude00\\t/\\u007f"'],
  ...C0,
];

describe('asciiJsonString', () => {
  for (const [input, expected] of TABLE) {
    it(`writes ${JSON.stringify(input)} as json.dumps does: ${expected}`, () => {
      const got = asciiJsonString(input);
      assert.equal(got, expected);
      assert.equal(JSON.parse(got), input);
    });
  }

  it('writes only printable ASCII, for every UTF-16 code unit', () => {
    let all = '';
    for (let c = 0; c < 0x10000; c++) all += String.fromCharCode(c);
    const got = asciiJsonString(all);
    assert.match(got, /^[\x20-\x7e]*$/);
    assert.equal(JSON.parse(got), all);
  });
});

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random strings drawn from the ranges that matter: ASCII, controls, Latin-1, CJK, surrogates (paired or lone), astral. */
function randomStrings(seed: number, count: number): string[] {
  const next = rng(seed);
  const pick = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const unit = (): string => {
    switch (pick(0, 7)) {
      case 0:
      case 1:
        return String.fromCharCode(pick(0x20, 0x7e));
      case 2:
        return String.fromCharCode(pick(0x00, 0x1f), 0x22, 0x5c, 0x2f, 0x7f)[pick(0, 4)]!;
      case 3:
        return String.fromCharCode(pick(0x80, 0x7ff));
      case 4:
        return String.fromCharCode(pick(0x800, 0xffff));
      case 5:
        return String.fromCharCode(pick(0xd800, 0xdfff));
      default:
        return String.fromCodePoint(pick(0x10000, 0x10ffff));
    }
  };
  return Array.from({ length: count }, () => Array.from({ length: pick(0, 40) }, unit).join(''));
}

const python = spawnSync('python3', ['-c', 'pass'], { stdio: 'ignore' });
const noPython = python.error !== undefined || python.status !== 0;

describe('asciiJsonString against python3 json.dumps', { skip: noPython && !process.env.CI ? 'python3 is not installed' : false }, () => {
  it('matches byte for byte on 2,000 random strings', () => {
    const seed = Date.now() % 1_000_000;
    const inputs = randomStrings(seed, 2000);
    // JSON.stringify keeps lone surrogates as \udXXX escapes, which json.loads turns back into lone surrogates.
    const script = 'import json,sys\nfor s in json.loads(sys.stdin.buffer.read().decode("utf-8")): print(json.dumps(s))';
    const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(inputs), encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    const expected = r.stdout.split('\n').slice(0, -1);
    assert.equal(expected.length, inputs.length);
    inputs.forEach((s, i) => assert.equal(asciiJsonString(s), expected[i], `seed ${seed}, input ${JSON.stringify(s)}`));
  });
});
