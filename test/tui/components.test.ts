// Components drawn with ink-testing-library from prepared states: what the
// users pane, the conversation and the whole screen show (the help: help.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import type { Message } from '../../src/protocol.js';
import { ChatView } from '../../src/tui/components/ChatView.js';
import { UserList } from '../../src/tui/components/UserList.js';
import { initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';
import { textWidth } from '../../src/tui/wrap.js';

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;
const plain = (frame: string | undefined): string => (frame ?? '').replace(SGR, '');
// eslint-disable-next-line no-control-regex
const DANGEROUS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

const T0 = Date.parse('2026-11-26T05:40:00.000Z');
const msg = (id: number, sender: string, text: string): Message => ({
  id,
  sender,
  recipient: sender === 'messi' ? 'henderson' : 'messi',
  msg: text,
  msg_from: sender,
  msg_to: 'x',
  ts: new Date(T0 + id * 60_000).toISOString(),
});

function state(cols: number, rows: number, ...actions: Action[]): ChatState {
  return actions.reduce(reduce, initialState('messi', '127.0.0.1:8889', cols, rows));
}

const people: Action = {
  type: 'poll',
  online: [
    { username: 'henderson', userdetail: { nama: 'Jordan Henderson', negara: 'Inggris' } },
    { username: 'lineker', userdetail: { nama: 'Gary Lineker', negara: 'Inggris' } },
  ],
};

test('UserList draws only the rows that fit, with markers, unread counts and the selection', () => {
  const names = Array.from({ length: 1000 }, (_, i) => `user${String(i).padStart(4, '0')}`);
  const users = new Map(names.map((n, i) => [n, { username: n, nama: n, negara: 'X', online: i % 2 === 0, listed: true }]));
  const unread = new Map([['user0003', 7]]);
  const r = render(h(UserList, { users, order: names, unread, selected: 'user0002', top: 0, width: 24, rows: 10 }));
  const lines = plain(r.lastFrame()).split('\n');
  assert.equal(lines.length, 11);
  assert.match(lines[0]!, /^ 500\/1000 online +↓$/);
  assert.match(lines[1]!, /^ ● user0000/);
  assert.match(lines[2]!, /^ ○ user0001/);
  assert.match(lines[3]!, /^▌● user0002/);
  assert.match(lines[4]!, /^ ○ user0003 +7 *$/);
  assert.ok(!plain(r.lastFrame()).includes('user0010'));
  for (const l of lines) assert.ok(textWidth(l) <= 24, l);
  r.unmount();
});

test('the conversation shows hostile text inert, wrapped within the pane, wide characters measured', () => {
  const long = 'kata '.repeat(60) + '你好世界👍🇮🇩 '.repeat(10);
  const s = state(100, 30, people, {
    type: 'history/loaded',
    peer: 'henderson',
    messages: [msg(1, 'henderson', 'evil \x1b]0;pwned\x07\x1b[2J\x9b31m\u202Eabc\rX\x07'), msg(2, 'messi', long)],
    complete: true,
  });
  const r = render(h(ChatView, { state: s }));
  const frame = plain(r.lastFrame());
  assert.doesNotMatch(frame, DANGEROUS);
  assert.match(frame, /henderson │ evil ␛\]0;pwned␇␛\[2J␛\[31m<RLO>abc␍X␇/);
  const lines = frame.split('\n');
  assert.equal(lines.length, 29, 'one row less than the terminal');
  for (const l of lines) assert.ok(textWidth(l) <= 100, `${textWidth(l)}: ${l}`);
  // The long message wrapped onto continuation rows under its first.
  const firstRow = lines.findIndex((l) => /messi │ kata kata/.test(l));
  assert.ok(firstRow > 0);
  assert.match(lines[firstRow + 1]!, /^ +│ +│ kata/);
  r.unmount();
});

test('a narrow terminal hides the users pane but keeps the place in the list', () => {
  const s = state(50, 16, people);
  const r = render(h(ChatView, { state: s }));
  const lines = plain(r.lastFrame()).split('\n');
  assert.match(lines[0]!, /^ \[1\/2\] henderson/);
  assert.doesNotMatch(lines[1]!, /lineker/);
  for (const l of lines) assert.ok(textWidth(l) <= 50, l);
  r.unmount();
});

test('a failed message shows why and how to retry; scrolled back shows the new-below hint', () => {
  let s = state(100, 20, people, { type: 'history/loaded', peer: 'henderson', messages: Array.from({ length: 60 }, (_, i) => msg(i + 1, 'henderson', `line ${i + 1}`)), complete: true });
  s = reduce(s, { type: 'send/start', peer: 'henderson', key: 'l1', text: 'will fail', ts: T0, queued: false });
  s = reduce(s, { type: 'send/status', peer: 'henderson', key: 'l1', status: 'failed', error: 'User Tidak Ditemukan' });
  let r = render(h(ChatView, { state: s }));
  assert.match(plain(r.lastFrame()), /messi ✗ will fail\n[ │]+✗ failed: User Tidak Ditemukan · Ctrl\+R retries/);
  r.unmount();
  s = reduce(s, { type: 'scroll', pages: 1 });
  s = reduce(s, { type: 'poll', inbox: { henderson: [msg(100, 'henderson', 'fresh')] } });
  r = render(h(ChatView, { state: s }));
  const frame = plain(r.lastFrame());
  assert.match(frame, /↓ 1 new below · End to jump/);
  assert.doesNotMatch(frame, /fresh/);
  r.unmount();
});

test('the status line reports reconnecting, with the reason', () => {
  const s = state(120, 30, people, { type: 'conn', conn: { kind: 'reconnecting', attempt: 2, reason: 'connection refused' } });
  const r = render(h(ChatView, { state: s }));
  const last = plain(r.lastFrame()).split('\n').at(-1)!;
  assert.match(last, /messi @ 127\.0\.0\.1:8889 │ ◌ reconnecting… \(connection refused\)/);
  assert.match(plain(r.lastFrame()), /offline: messages will be sent when the connection is back/);
  r.unmount();
});

test('the status line shows the longest key help that fits, whole', () => {
  for (const [cols, help] of [[120, 'F1 keys · ^K go to · ^N/^P switch · PgUp/PgDn scroll · ^C quit'], [80, 'F1 keys · ^K go to · ^C quit'], [34, 'F1 keys']] as const) {
    const r = render(h(ChatView, { state: state(cols, 24, people) }));
    const last = plain(r.lastFrame()).split('\n').at(-1)!;
    assert.ok(last.trimEnd().endsWith(`│ ${help}`), `${cols}: ${last}`);
    assert.doesNotMatch(last, /…$/);
    r.unmount();
  }
});

test('a terminal too small for the chat says so in words that fit', () => {
  const r = render(h(ChatView, { state: state(24, 10, people) }));
  const lines = plain(r.lastFrame()).split('\n').filter((l) => l.trim() !== '');
  assert.deepEqual(lines.map((l) => l.trimEnd()), ['Terminal too small: make', 'it at least 30×7.']);
  r.unmount();
});

test('the status line shortens the unread count before it would cut it', () => {
  const reconnecting: Action = { type: 'conn', conn: { kind: 'reconnecting', attempt: 3, reason: 'connection refused' } };
  const lineker: Action = { type: 'poll', inbox: { lineker: [msg(7, 'lineker', 'one'), msg(8, 'lineker', 'two')] } };
  for (const [cols, unread] of [[120, '✉ 2 unread (Alt+A)'], [90, '✉ 2 unread'], [80, '✉ 2']] as const) {
    const r = render(h(ChatView, { state: state(cols, 24, people, lineker, reconnecting) }));
    const last = plain(r.lastFrame()).split('\n').at(-1)!;
    assert.match(last, new RegExp(`◌ reconnecting… \\(connection refused\\) │ ${unread.replace(/[()+]/g, '\\$&')} │ F1 keys`), `${cols}: ${last}`);
    r.unmount();
  }
});
