// The users list keeps a stable order while it is walked: opening a user
// (an empty conversation) does not move them, and nothing reorders under
// the cursor until the person does something else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirectoryEntry, Message } from '../../src/protocol.js';
import { initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';

const names = Array.from({ length: 300 }, (_, i) => `user${String(i + 1).padStart(3, '0')}`);

function directory(list: string[], on: string[] = []): DirectoryEntry[] {
  return list.map((username) => ({ username, userdetail: { nama: `Nama ${username}`, negara: 'Inggris' }, online: on.includes(username) }));
}

function msg(id: number, sender: string, text: string): Message {
  return { id, sender, recipient: 'messi', msg: text, msg_from: sender, msg_to: 'messi', ts: new Date(Date.UTC(2026, 0, 1) + id * 1000).toISOString() };
}

const run = (s: ChatState, ...actions: Action[]): ChatState => actions.reduce(reduce, s);

/** 300 users, two of them online, one offline with messages. */
function bigList(): ChatState {
  const s = run(initialState('messi', 'x', 120, 40), { type: 'poll', users: directory(['henderson', 'zara', ...names], ['henderson', 'zara']) });
  return run(s, { type: 'poll', inbox: { user150: [msg(1, 'user150', 'hi')] } });
}

test('Ctrl+N walks every user once, in the order shown, and wraps to the first', () => {
  let s = bigList();
  const expected = s.order.slice();
  assert.deepEqual(expected.slice(0, 4), ['henderson', 'zara', 'user150', 'user001']);
  assert.equal(s.selected, 'henderson');
  const seen: Array<string | null> = [s.selected];
  for (let i = 1; i < expected.length; i++) {
    s = run(s, { type: 'move', delta: 1 });
    seen.push(s.selected);
    assert.deepEqual(s.order, expected, `the list did not move under the cursor (press ${i})`);
  }
  assert.deepEqual(seen, expected);
  s = run(s, { type: 'move', delta: 1 });
  assert.equal(s.selected, 'henderson');
});

test('from the last user back to the first with Ctrl+P takes one press per user in between', () => {
  let s = bigList();
  const expected = s.order.slice();
  s = run(s, { type: 'move', delta: -1 });
  assert.equal(s.selected, 'user300', 'Ctrl+P from the first wraps to the last');
  let presses = 0;
  while (s.selected !== 'henderson' && presses < 1000) {
    s = run(s, { type: 'move', delta: -1 });
    presses++;
    assert.equal(s.selected, expected[expected.length - 1 - presses]);
  }
  assert.equal(presses, expected.length - 1);
});

test('opening users, even by clicking, does not regroup them; messages do, once the walk ends', () => {
  let s = bigList();
  s = run(s, { type: 'select', peer: 'user300' }, { type: 'select', peer: 'user200' });
  assert.equal(s.order.indexOf('user300'), s.order.length - 1, 'an empty conversation stays where it was');
  // Walking, then a message from a user further down: the list keeps still while walking.
  s = run(s, { type: 'move', delta: 1 });
  const frozen = s.order.slice();
  s = run(s, { type: 'poll', inbox: { user250: [msg(2, 'user250', 'hello')] } });
  assert.deepEqual(s.order, frozen);
  assert.equal(s.unread.get('user250'), 1);
  // A new user shows at the end while walking, and everyone is sorted again on the next other key.
  s = run(s, { type: 'poll', users: directory(['aaron', 'henderson', 'zara', ...names], ['henderson', 'zara']) });
  assert.equal(s.order.at(-1), 'aaron');
  s = run(s, { type: 'move', delta: 1 });
  assert.equal(s.selected, 'user202');
  s = run(s, { type: 'type', text: 'x' });
  assert.deepEqual(s.order.slice(0, 6), ['henderson', 'zara', 'user150', 'user250', 'aaron', 'user001']);
  assert.equal(s.selected, 'user202', 'the selection stays on its user');
});

test('a conversation whose history has messages joins those you talk to', () => {
  let s = run(bigList(), { type: 'select', peer: 'user010' });
  s = run(s, { type: 'history/loaded', peer: 'user010', messages: [msg(3, 'user010', 'long ago')], complete: true });
  assert.deepEqual(s.order.slice(0, 4), ['henderson', 'zara', 'user010', 'user150']);
});

test('pages and ends of the users list: a pane of rows at a time, stopping at the ends, the list keeping still', () => {
  let s = bigList();
  const expected = s.order.slice();
  const rows = s.layout.userRows;
  s = run(s, { type: 'move', delta: rows, clamp: true });
  assert.equal(s.selected, expected[rows]);
  assert.equal(s.userTop, 1, 'the pick is on the last row of the pane');
  s = run(s, { type: 'move', delta: Infinity, clamp: true });
  assert.equal(s.selected, 'user300');
  assert.equal(s.userTop, expected.length - rows);
  s = run(s, { type: 'move', delta: rows, clamp: true });
  assert.equal(s.selected, 'user300', 'no wrap past the end');
  s = run(s, { type: 'move', delta: -rows, clamp: true });
  assert.equal(s.selected, expected[expected.length - 1 - rows]);
  s = run(s, { type: 'move', delta: -Infinity, clamp: true });
  assert.equal(s.selected, 'henderson');
  assert.equal(s.userTop, 0);
  assert.deepEqual(s.order, expected);
});
