import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHAT_ACTIONS, CHAT_BINDINGS, EDIT_ACTIONS, EDIT_BINDINGS, UNBOUND_EDIT_ACTIONS, chatActionFor, checkBindings, decodeInput, editActionFor, isKeyName, keyLabel, pastedText, statusHints } from '../../src/tui/keys.js';

const names: Array<[string, string]> = [
  ['\r', 'enter'],
  ['\n', 'ctrl+j'],
  ['\t', 'tab'],
  ['\x7f', 'backspace'],
  ['\b', 'backspace'],
  ['\x1b', 'escape'],
  ['\x03', 'ctrl+c'],
  ['\x0e', 'ctrl+n'],
  ['\x10', 'ctrl+p'],
  ['\x12', 'ctrl+r'],
  ['\x17', 'ctrl+w'],
  ['\x1b[A', 'up'],
  ['\x1b[B', 'down'],
  ['\x1bOA', 'up'],
  ['\x1b[1;3A', 'alt+up'],
  ['\x1b[1;3B', 'alt+down'],
  ['\x1b\x1b[A', 'alt+up'],
  ['\x1b[1;5C', 'ctrl+right'],
  ['\x1b[5~', 'pageup'],
  ['\x1b[6~', 'pagedown'],
  ['\x1b[F', 'end'],
  ['\x1b[4~', 'end'],
  ['\x1b[8~', 'end'],
  ['\x1bOF', 'end'],
  ['\x1b[H', 'home'],
  ['\x1b[1~', 'home'],
  ['\x1b[3~', 'delete'],
  ['\x1bOP', 'f1'],
  ['\x1b[11~', 'f1'],
  ['\x1b[[A', 'f1'],
  ['\x1b[Z', 'shift+tab'],
  ['\x1ba', 'alt+a'],
  ['\x1bA', 'alt+a'],
  ['\x1b\x7f', 'alt+backspace'],
  ['\x1b[99~', 'unknown'],
  ['\x1b[200~', 'paste-start'],
  ['\x1b[201~', 'paste-end'],
];

for (const [seq, name] of names) {
  test(`decodeInput ${JSON.stringify(seq)} -> ${name}`, () => {
    assert.deepEqual(decodeInput(seq), [{ name }]);
  });
}

test('decodeInput splits a burst of text and control keys in order', () => {
  assert.deepEqual(decodeInput('hello\rwor\x7fld'), [
    { name: 'text', text: 'hello' },
    { name: 'enter' },
    { name: 'text', text: 'wor' },
    { name: 'backspace' },
    { name: 'text', text: 'ld' },
  ]);
});

test('decodeInput keeps wide text whole and drops C1 characters', () => {
  assert.deepEqual(decodeInput('你好👍\x9b2J'), [{ name: 'text', text: '你好👍2J' }]);
});

test('chat bindings: Ctrl+N/P and Alt+Up/Down switch users, ? opens help only on an empty line', () => {
  assert.equal(chatActionFor({ name: 'ctrl+n' }, false), 'nextUser');
  assert.equal(chatActionFor({ name: 'alt+down' }, false), 'nextUser');
  assert.equal(chatActionFor({ name: 'ctrl+p' }, false), 'prevUser');
  assert.equal(chatActionFor({ name: 'alt+up' }, false), 'prevUser');
  assert.equal(chatActionFor({ name: 'alt+a' }, false), 'nextUnread');
  assert.equal(chatActionFor({ name: 'f1' }, false), 'help');
  // `?` is text, even on an empty line: help is F1 and /help.
  assert.equal(chatActionFor({ name: 'text', text: '?' }, true), undefined);
  assert.equal(chatActionFor({ name: 'text', text: '?' }, false), undefined);
  assert.equal(chatActionFor({ name: 'ctrl+k' }, false), 'switcher');
  assert.equal(chatActionFor({ name: 'text', text: 'n' }, true), undefined);
});

test('edit bindings and chat bindings do not fight over a key (except End, which does both on purpose)', () => {
  const chatKeys = new Set(CHAT_BINDINGS.flatMap((b) => b.keys));
  const shared = EDIT_BINDINGS.flatMap((b) => b.keys).filter((k) => chatKeys.has(k));
  assert.deepEqual(shared, ['end']);
  assert.equal(editActionFor({ name: 'ctrl+w' }), 'deleteWordBack');
  assert.equal(editActionFor({ name: 'text', text: 'a' }), undefined);
});

test('keyLabel writes keys for people', () => {
  assert.equal(keyLabel('ctrl+n'), 'Ctrl+N');
  assert.equal(keyLabel('alt+down'), 'Alt+Down');
  assert.equal(keyLabel('pageup'), 'PgUp');
  assert.equal(keyLabel('f1'), 'F1');
  assert.equal(keyLabel('?'), '?');
});

test('pasted line breaks and tabs become spaces; other control characters in a paste are dropped', () => {
  assert.equal(pastedText('one\ntwo\r\nthree\rfour\tfive\x7f\x07\x9b'), 'one two three four five');
});

test('every action is bound to a key and described, every key a name the decoder reports', () => {
  for (const a of CHAT_ACTIONS) assert.ok(CHAT_BINDINGS.some((b) => b.action === a && b.keys.length > 0 && b.help !== ''), a);
  for (const a of EDIT_ACTIONS) if (!UNBOUND_EDIT_ACTIONS.has(a)) assert.ok(EDIT_BINDINGS.some((b) => b.action === a && b.keys.length > 0 && b.help !== ''), a);
  for (const b of [...CHAT_BINDINGS, ...EDIT_BINDINGS]) for (const k of b.keys) assert.ok(isKeyName(k), k);
  // What the decoder reports for what terminals send is a key name.
  for (const seq of ['\x0b', '\x1bk', '\x1b[5;3~', '\x1b[1;3H', '\x1b[1;5F', '\x1bOP', '\x1b[Z', '\x1b\r', 'x', '?']) {
    const k = decodeInput(seq)[0]!;
    assert.ok(isKeyName(k.text ?? k.name), `${JSON.stringify(seq)} -> ${k.name}`);
  }
  assert.equal(isKeyName('ctrl+banana'), false);
  assert.throws(() => checkBindings([{ action: 'x', keys: ['hyper+q'], help: 'x', section: 'chat' }]), /key binding for x: unknown key name "hyper\+q"/);
});

test('the status line hints come from the bindings, longest first', () => {
  const forms = statusHints();
  assert.equal(forms[0], 'F1 keys · ^K go to · ^N/^P switch · PgUp/PgDn scroll · ^C quit');
  assert.equal(forms.at(-1), 'F1 keys');
  for (let i = 1; i < forms.length; i++) assert.ok(forms[i]!.length < forms[i - 1]!.length);
});
