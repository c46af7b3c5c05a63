// The compose box's editor beyond one line: line breaks, Home/End and the
// kills on the cursor's line, Up/Down between lines, the kill buffer and
// Ctrl+Y, Tab completion of names, and the keys and pastes that feed them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeName } from '../../src/tui/complete.js';
import { decodeInput, decodeMouse, editActionFor, pastedLines, type EditAction } from '../../src/tui/keys.js';
import { computeLayout } from '../../src/tui/layout.js';
import { applyEdit, editWithKill, onFirstLine, onLastLine, type EditLine } from '../../src/tui/line-edit.js';
import { initialState, reduce, currentDraft, type Action, type ChatState } from '../../src/tui/state.js';

const at = (text: string, cursor: number): EditLine => ({ text, cursor });

const edits: Array<[string, EditLine, EditAction, EditLine]> = [
  ['home goes to the start of the cursor line', at('ab\ncd', 5), 'home', at('ab\ncd', 3)],
  ['end goes to the end of the cursor line', at('ab\ncd', 0), 'end', at('ab\ncd', 2)],
  ['newline inserts a line break', at('abcd', 2), 'newline', at('ab\ncd', 3)],
  ['kill to start stops at the line break', at('ab\ncd', 5), 'killToStart', at('ab\n', 3)],
  ['kill to end stops at the line break', at('ab\ncd', 1), 'killToEnd', at('a\ncd', 1)],
  ['kill to end at a line end joins the next line', at('ab\ncd', 2), 'killToEnd', at('abcd', 2)],
  ['word back crosses a line break', at('ab\ncd', 3), 'deleteWordBack', at('cd', 0)],
  ['up keeps the column', at('abcd\nef\nghij', 11), 'lineUp', at('abcd\nef\nghij', 7)],
  ['up from a longer line keeps the column where it can', at('abcd\nefgh', 8), 'lineUp', at('abcd\nefgh', 3)],
  ['down to a shorter line goes to its end', at('abcd\nef', 4), 'lineDown', at('abcd\nef', 7)],
  ['up counts columns in graphemes', at('👍👍x\nabc', 8), 'lineUp', at('👍👍x\nabc', 4)],
  ['up on the first line does nothing', at('ab\ncd', 1), 'lineUp', at('ab\ncd', 1)],
  ['down on the last line does nothing', at('ab\ncd', 4), 'lineDown', at('ab\ncd', 4)],
];

for (const [name, before, action, after] of edits) {
  test(`multi-line edit: ${name}`, () => {
    assert.deepEqual(applyEdit(before, action), after);
  });
}

test('first and last line of the draft', () => {
  assert.ok(onFirstLine(at('ab\ncd', 2)) && !onLastLine(at('ab\ncd', 2)));
  assert.ok(!onFirstLine(at('ab\ncd', 3)) && onLastLine(at('ab\ncd', 3)));
  assert.ok(onFirstLine(at('', 0)) && onLastLine(at('', 0)));
});

test('kills say what they cut; other edits cut nothing', () => {
  assert.equal(editWithKill(at('hello big world', 15), 'deleteWordBack').killed, 'world');
  assert.equal(editWithKill(at('hello world', 6), 'killToStart').killed, 'hello ');
  assert.equal(editWithKill(at('hello world', 5), 'killToEnd').killed, ' world');
  assert.equal(editWithKill(at('ab\ncd', 2), 'killToEnd').killed, '\n');
  assert.equal(editWithKill(at('hello', 0), 'deleteWordForward').killed, 'hello');
  assert.equal(editWithKill(at('hello', 5), 'backspace').killed, undefined);
  assert.equal(editWithKill(at('hello', 5), 'killToEnd').killed, undefined);
});

const run = (s: ChatState, ...actions: Action[]): ChatState => actions.reduce(reduce, s);
const chat = (): ChatState =>
  run(initialState('messi', 'x', 100, 30), {
    type: 'poll',
    users: ['henderson', 'Hazard', 'lineker', 'messi', 'hector'].map((u) => ({ username: u, userdetail: { nama: u, negara: 'x' }, online: true })),
  });

test('Ctrl+W, Ctrl+U and Alt+K fill the kill buffer; Ctrl+Y puts it back at the cursor', () => {
  let s = run(chat(), { type: 'type', text: 'hello big world' }, { type: 'edit', action: 'deleteWordBack' });
  assert.equal(currentDraft(s).text, 'hello big ');
  assert.equal(s.killBuffer, 'world');
  s = run(s, { type: 'edit', action: 'home' }, { type: 'edit', action: 'yank' });
  assert.deepEqual(currentDraft(s), at('worldhello big ', 5));
  s = run(s, { type: 'edit', action: 'killToEnd' }, { type: 'edit', action: 'killToStart' });
  assert.equal(s.killBuffer, 'world', 'the last cut wins');
  assert.equal(currentDraft(s).text, '');
  s = run(s, { type: 'edit', action: 'yank' }, { type: 'edit', action: 'yank' });
  assert.equal(currentDraft(s).text, 'worldworld', 'yank again pastes again');
});

test('Tab completes the word before the cursor, cycling through matches; at a line start it adds ": "', () => {
  let s = run(chat(), { type: 'type', text: 'h' }, { type: 'complete', direction: 1 });
  assert.deepEqual(currentDraft(s), at('Hazard: ', 8));
  s = run(s, { type: 'complete', direction: 1 });
  assert.equal(currentDraft(s).text, 'hector: ');
  s = run(s, { type: 'complete', direction: 1 }, { type: 'complete', direction: 1 });
  assert.equal(currentDraft(s).text, 'Hazard: ', 'wraps around');
  s = run(s, { type: 'complete', direction: -1 });
  assert.equal(currentDraft(s).text, 'henderson: ', 'Shift+Tab goes back');
  s = run(s, { type: 'type', text: 'hi li' }, { type: 'complete', direction: 1 });
  assert.equal(currentDraft(s).text, 'henderson: hi lineker ', 'typing ends the cycle; mid-line a space follows');
  s = run(s, { type: 'type', text: 'and me' }, { type: 'complete', direction: 1 });
  assert.equal(currentDraft(s).text, 'henderson: hi lineker and me', 'your own name is not offered');
});

test('completion keeps the text after the cursor and starts a line after a line break', () => {
  const r = completeName(at('x\nli tail', 4), ['lineker'], 'messi', null);
  assert.deepEqual(r?.line, at('x\nlineker:  tail', 11));
  assert.equal(completeName(at('zz', 2), ['lineker'], 'messi', null), null);
});

test('the compose box grows with the draft to five rows; the panes give up the rows', () => {
  let s = chat();
  const rows = s.layout.messageRows;
  s = run(s, { type: 'type', text: 'a' }, { type: 'edit', action: 'newline' }, { type: 'type', text: 'b' });
  assert.equal(s.layout.composeRows, 2);
  assert.equal(s.layout.messageRows, rows - 1);
  for (let i = 0; i < 6; i++) s = run(s, { type: 'edit', action: 'newline' });
  assert.equal(s.layout.composeRows, 5);
  s = run(s, { type: 'resize', cols: 90, rows: 30 });
  assert.equal(s.layout.composeRows, 5, 'kept through a resize');
  s = run(s, { type: 'edit', action: 'killToStart' }, ...Array.from({ length: 8 }, () => ({ type: 'edit', action: 'backspace' }) as Action));
  assert.equal(s.layout.composeRows, 1);
  assert.equal(computeLayout(80, 10, 5).composeRows, 3, 'a short terminal keeps rows for messages');
});

test('Alt+Enter and Ctrl+J are the new-line key; Enter stays Enter', () => {
  assert.equal(editActionFor(decodeInput('\x1b\r')[0]!), 'newline');
  assert.equal(editActionFor(decodeInput('\n')[0]!), 'newline');
  assert.deepEqual(decodeInput('ab\rc'), [{ name: 'text', text: 'ab' }, { name: 'enter' }, { name: 'text', text: 'c' }]);
  assert.equal(editActionFor(decodeInput('\x19')[0]!), 'yank');
});

test('a paste keeps its line breaks (CRLF and CR become LF), tabs become spaces, other controls go', () => {
  assert.equal(pastedLines('one\ntwo\r\nthree\rfour\tfive\x07\x1b\x9b'), 'one\ntwo\nthree\nfour five');
});

test('SGR mouse reports decode to wheel, press and release with 1-based cells', () => {
  assert.deepEqual(decodeInput('\x1b[<64;10;5M'), [{ name: 'mouse', mouse: { kind: 'wheelUp', button: 0, x: 10, y: 5 } }]);
  assert.deepEqual(decodeMouse('\x1b[<65;1;2M'), { kind: 'wheelDown', button: 1, x: 1, y: 2 });
  assert.deepEqual(decodeMouse('\x1b[<0;3;4M'), { kind: 'press', button: 0, x: 3, y: 4 });
  assert.deepEqual(decodeMouse('\x1b[<0;3;4m'), { kind: 'release', button: 0, x: 3, y: 4 });
  assert.deepEqual(decodeMouse('\x1b[<32;3;4M'), { kind: 'drag', button: 0, x: 3, y: 4 });
  assert.deepEqual(decodeInput('\x1b[<1;2M'), [{ name: 'unknown' }]);
});
