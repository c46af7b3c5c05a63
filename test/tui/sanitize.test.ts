import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeJsonForTerminal, sanitize, sanitizeLine } from '../../src/tui/sanitize.js';

// Anything a terminal could act on: C0 (incl. ESC, BEL, BS, CR), DEL, C1, bidi controls.
// eslint-disable-next-line no-control-regex
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

const cases: Array<{ name: string; input: string; expect: string; line?: string }> = [
  { name: 'plain text is unchanged', input: 'hai, apakabar?', expect: 'hai, apakabar?' },
  { name: 'emoji and CJK are unchanged', input: 'halo 👍 你好 🇮🇩', expect: 'halo 👍 你好 🇮🇩' },
  { name: 'OSC title set', input: '\x1b]0;pwned\x07', expect: '␛]0;pwned␇' },
  { name: 'OSC 52 clipboard write', input: '\x1b]52;c;cm0gLXJmIH4=\x07', expect: '␛]52;c;cm0gLXJmIH4=␇' },
  { name: 'OSC with ST terminator', input: '\x1b]0;x\x1b\\', expect: '␛]0;x␛\\' },
  { name: 'OSC 8 hyperlink', input: '\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\', expect: '␛]8;;http://evil␛\\click␛]8;;␛\\' },
  { name: 'CSI clear screen', input: '\x1b[2J\x1b[H', expect: '␛[2J␛[H' },
  { name: 'cursor moves', input: 'a\x1b[10A\x1b[5;5Hb\x1b7\x1b8', expect: 'a␛[10A␛[5;5Hb␛7␛8' },
  { name: 'SGR colours are shown, not applied', input: '\x1b[31mred\x1b[0m', expect: '␛[31mred␛[0m' },
  { name: 'bare CR', input: 'safe\roverwritten', expect: 'safe␍overwritten' },
  { name: 'backspace', input: 'abc\b\b\bxyz', expect: 'abc␈␈␈xyz' },
  { name: 'BEL', input: 'ding\x07', expect: 'ding␇' },
  { name: 'NUL and other C0', input: '\x00\x01\x1f', expect: '␀␁␟' },
  { name: 'DEL', input: 'a\x7fb', expect: 'a␡b' },
  { name: 'C1 CSI U+009B', input: '\x9b2J', expect: '␛[2J' },
  { name: 'C1 OSC U+009D and ST U+009C', input: '\x9d0;t\x9c', expect: '␛]0;t␛\\' },
  { name: 'C1 NEL U+0085', input: 'a\x85b', expect: 'a␛Eb' },
  { name: 'bidi override U+202E', input: 'abc\u202Edcb', expect: 'abc<RLO>dcb' },
  { name: 'bidi isolates U+2066..U+2069', input: '\u2066a\u2067b\u2068c\u2069', expect: '<LRI>a<RLI>b<FSI>c<PDI>' },
  { name: 'bidi embeddings and marks', input: '\u202A\u202B\u202C\u202D\u200E\u200F\u061C', expect: '<LRE><RLE><PDF><LRO><LRM><RLM><ALM>' },
  { name: 'newline', input: 'one\ntwo', expect: 'one↵ two', line: 'one two' },
  { name: 'CRLF is one break', input: 'one\r\ntwo', expect: 'one↵ two', line: 'one two' },
  { name: 'line and paragraph separators', input: 'a\u2028b\u2029c', expect: 'a↵ b↵ c', line: 'a b c' },
  { name: 'tab', input: 'a\tb', expect: 'a    b', line: 'a b' },
  { name: 'lone surrogates', input: 'x\ud800y\udc00z', expect: 'x\ufffdy\ufffdz' },
  { name: 'combining marks are capped', input: 'e' + '\u0301'.repeat(40) + 'x', expect: 'e' + '\u0301'.repeat(6) + 'x' },
  { name: 'legit accents are kept', input: 'Tiếng Việt e\u0301', expect: 'Tiếng Việt e\u0301' },
  { name: 'ZWJ emoji sequence is kept', input: '👨‍👩‍👧', expect: '👨‍👩‍👧' },
  { name: 'decomposed accents are kept on their letters', input: 'Cafe\u0301 Tie\u0302\u0301ng Vie\u0323\u0302t', expect: 'Cafe\u0301 Tie\u0302\u0301ng Vie\u0323\u0302t' },
  { name: 'a mark with no letter before it goes on ◌', input: '\u0301abc', expect: '\u25cc\u0301abc' },
  { name: 'a mark after a control sits on its picture', input: '\x1b\u0301x', expect: '␛\u0301x' },
  { name: 'controls around marks are still shown', input: 'e\u0301\x1b]0;t\x07\u202Ee\u0302', expect: 'e\u0301␛]0;t␇<RLO>e\u0302' },
];

for (const c of cases) {
  test(`sanitize: ${c.name}`, () => {
    const out = sanitize(c.input);
    assert.equal(out, c.expect);
    assert.doesNotMatch(out, DANGEROUS);
    const line = sanitizeLine(c.input);
    if (c.line !== undefined) assert.equal(line, c.line);
    assert.doesNotMatch(line, DANGEROUS);
  });
}

test('sanitize: every code point below U+00A0 and every bidi control comes out printable', () => {
  for (let cp = 0; cp < 0xa0; cp++) {
    const out = sanitize(`<${String.fromCharCode(cp)}>`);
    assert.doesNotMatch(out, DANGEROUS, `U+${cp.toString(16)}`);
  }
  for (const cp of [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
    assert.doesNotMatch(sanitize(String.fromCharCode(cp)), DANGEROUS);
  }
});

test('sanitize: non-strings become text', () => {
  assert.equal(sanitize(undefined as unknown as string), '');
  assert.equal(sanitize(42 as unknown as string), '42');
});

test('escapeJsonForTerminal keeps the JSON value and removes every active character', () => {
  const value = { msg: 'a\x1b]0;t\x07b\x9b2J\u202Ec\u2028d👍你好', n: 'x\x7f' };
  const json = escapeJsonForTerminal(JSON.stringify(value));
  assert.doesNotMatch(json, DANGEROUS);
  assert.deepEqual(JSON.parse(json), value);
  assert.match(json, /👍你好/);
});
