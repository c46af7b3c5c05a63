// Line editing and wrapping by terminal cells.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EditAction } from '../../src/tui/keys.js';
import { applyEdit, insertText, lineOf, type EditLine } from '../../src/tui/line-edit.js';
import { graphemes, padEnd, scrollToCursor, textRuns, textWidth, truncate, wrapText } from '../../src/tui/wrap.js';

const at = (text: string, cursor: number): EditLine => ({ text, cursor });

const edits: Array<[string, EditLine, EditAction, EditLine]> = [
  ['backspace deletes one ASCII char', at('abc', 3), 'backspace', at('ab', 2)],
  ['backspace deletes a whole emoji', at('a👍', 3), 'backspace', at('a', 1)],
  ['backspace deletes a whole ZWJ family', at('x👨‍👩‍👧', 9), 'backspace', at('x', 1)],
  ['backspace deletes a flag', at('🇮🇩', 4), 'backspace', at('', 0)],
  ['backspace deletes letter with combining accent', at('ae\u0301', 3), 'backspace', at('a', 1)],
  ['backspace at start does nothing', at('abc', 0), 'backspace', at('abc', 0)],
  ['left over an emoji', at('a👍b', 3), 'left', at('a👍b', 1)],
  ['right over CJK', at('你好', 0), 'right', at('你好', 1)],
  ['delete forward', at('abc', 1), 'delete', at('ac', 1)],
  ['word left', at('hello big world', 15), 'wordLeft', at('hello big world', 10)],
  ['word right', at('hello big world', 0), 'wordRight', at('hello big world', 5)],
  ['delete word back', at('hello big world', 15), 'deleteWordBack', at('hello big ', 10)],
  ['delete word back over spaces', at('hello big  ', 11), 'deleteWordBack', at('hello ', 6)],
  ['kill to start', at('hello world', 6), 'killToStart', at('world', 0)],
  ['kill to end', at('hello world', 5), 'killToEnd', at('hello', 5)],
  ['home', at('abc', 2), 'home', at('abc', 0)],
  ['end', at('abc', 0), 'end', at('abc', 3)],
];

for (const [name, before, action, after] of edits) {
  test(`applyEdit: ${name}`, () => {
    assert.deepEqual(applyEdit(before, action), after);
  });
}

test('applyEdit returns the same object when nothing changes', () => {
  const line = lineOf('abc');
  assert.equal(applyEdit(line, 'end'), line);
  assert.equal(applyEdit(line, 'right'), line);
});

test('insertText inserts at the cursor', () => {
  assert.deepEqual(insertText(at('ac', 1), 'b👍'), at('ab👍c', 4));
});

test('textWidth counts cells: CJK and emoji take two', () => {
  assert.equal(textWidth('abc'), 3);
  assert.equal(textWidth('你好'), 4);
  assert.equal(textWidth('👍'), 2);
  assert.equal(textWidth('👨‍👩‍👧'), 2);
  assert.equal(textWidth('e\u0301'), 1);
});

const wraps: Array<[string, string, number, string[]]> = [
  ['short line stays', 'hello', 10, ['hello']],
  ['breaks at spaces', 'the quick brown fox', 10, ['the quick', 'brown fox']],
  ['hard-breaks a long word', 'abcdefghijkl', 5, ['abcde', 'fghij', 'kl']],
  ['never splits a wide char across the edge', '你好你好你', 5, ['你好', '你好', '你']],
  ['emoji are two cells', '👍👍👍', 4, ['👍👍', '👍']],
  ['a space at the edge is the break', 'abcde fgh', 5, ['abcde', 'fgh']],
  ['empty text is one empty line', '', 5, ['']],
  ['keeps inner spaces', 'a  b', 10, ['a  b']],
];

for (const [name, text, width, lines] of wraps) {
  test(`wrapText: ${name}`, () => {
    const out = wrapText(text, width);
    assert.deepEqual(out, lines);
    for (const l of out) assert.ok(textWidth(l) <= width, `${JSON.stringify(l)} fits in ${width}`);
  });
}

test('wrapText: every line fits, for mixed scripts at every width', () => {
  const text = 'Halo 👋 semua! 你好世界 — こんにちは 🇮🇩🇬🇧 a-very-long-word-that-must-break e\u0301te\u0301';
  for (let w = 2; w <= 40; w++) {
    const lines = wrapText(text, w);
    for (const l of lines) assert.ok(textWidth(l) <= w, `${JSON.stringify(l)} at ${w}`);
    assert.equal(lines.join('').replace(/ /g, ''), text.replace(/ /g, ''));
  }
});

test('truncate and padEnd measure by cells', () => {
  assert.equal(truncate('henderson', 5), 'hend…');
  assert.equal(truncate('你好你好', 5), '你好…');
  assert.equal(textWidth(padEnd('你好', 6)), 6);
  assert.equal(padEnd('abcdefgh', 4), 'abc…');
});

test('scrollToCursor keeps the cursor in the field', () => {
  const long = 'x'.repeat(100);
  const end = scrollToCursor(long, 100, 20);
  assert.equal(textWidth(end.before) + 1, 20);
  assert.equal(end.at, ' ');
  const start = scrollToCursor(long, 0, 20);
  assert.equal(start.before, '');
  assert.equal(start.at, 'x');
  assert.equal(textWidth(start.after), 19);
  const short = scrollToCursor('hello', 2, 20);
  assert.deepEqual(short, { before: 'he', at: 'l', after: 'lo' });
});

const runs: Array<[string, string, string[]]> = [
  ['ASCII stays one run', 'hello there', ['hello there']],
  ['emoji between ASCII', 'ok 👍 ok', ['ok ', '👍', ' ok']],
  ['a mark stays with its ASCII letter', 'Cafe\u0301', ['Caf', 'e\u0301']],
  ['two marks on one letter', 'Tie\u0302\u0301ng', ['Ti', 'e\u0302\u0301', 'ng']],
  ['decomposed Vietnamese', 'Tie\u0302\u0301ng Vie\u0323\u0302t', ['Ti', 'e\u0302\u0301', 'ng Vi', 'e\u0323\u0302', 't']],
  ['a mark on a space', 'a \u0301b', ['a', ' \u0301', 'b']],
  ['accented letters in a row are one run', 'e\u0301a\u0301o\u0301', ['e\u0301a\u0301o\u0301']],
  ['many runs stay whole', 'a👍b👍c👍d👍e', ['a👍b👍c👍d👍e']],
];

for (const [name, text, want] of runs) {
  test(`textRuns: ${name}`, () => {
    const out = textRuns(text);
    assert.deepEqual(out, want);
    assert.equal(out.join(''), text);
    // Every run starts a grapheme cluster and has width: none is a mark alone, which Ink would draw over.
    for (const run of out) assert.ok(textWidth(run) > 0, JSON.stringify(run));
    assert.deepEqual(out.flatMap(graphemes), graphemes(text));
  });
}

test('wrapText never puts a line break between a letter and its marks', () => {
  const text = 'Tie\u0302\u0301ng Vie\u0323\u0302t Cafe\u0301 nguye\u0302\u0303n'.repeat(3);
  for (let w = 1; w <= 30; w++) {
    for (const line of wrapText(text, w)) assert.doesNotMatch(line, /^\p{M}/u, `width ${w}: ${JSON.stringify(line)}`);
  }
});
