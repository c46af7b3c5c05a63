// The quick switcher without a terminal: fuzzy ranking, and the reducer
// that opens, filters, picks and opens a conversation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirectoryEntry } from '../../src/protocol.js';
import { matchKind, rankCandidates } from '../../src/tui/fuzzy.js';
import { handleChatKey } from '../../src/tui/chat-keys.js';
import { decodeInput } from '../../src/tui/keys.js';
import { currentDraft, initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';

const MATCHES: Array<[string, string, ReturnType<typeof matchKind>]> = [
  ['hen', 'henderson', 'prefix'],
  ['HEN', 'henderson', 'prefix'],
  ['hend', 'Jordan Henderson', 'word'],
  ['der', 'henderson', 'substring'],
  ['hdsn', 'henderson', 'subsequence'],
  ['jh', 'Jordan Henderson', 'subsequence'],
  ['xyz', 'henderson', null],
  ['', 'anyone', 'prefix'],
];

for (const [q, text, kind] of MATCHES) {
  test(`"${q}" matches "${text}" as ${kind ?? 'nothing'}`, () => assert.equal(matchKind(q, text), kind));
}

test('ranking: prefix, then word start, then substring, then scattered; online first among equals', () => {
  const c = (username: string, nama = '', online = false) => ({ username, nama, online });
  const ranked = rankCandidates('li', [c('aliya'), c('bob', 'Li Wei'), c('lineker', 'Gary Lineker'), c('lia', '', true), c('lxi'), c('mel_lisa'), c('zed')]);
  assert.deepEqual(ranked, ['lia', 'lineker', 'bob', 'mel_lisa', 'aliya', 'lxi']);
});

function directory(names: string[]): DirectoryEntry[] {
  return names.map((username) => ({ username, userdetail: { nama: `Nama ${username}`, negara: 'Inggris' }, online: false }));
}

const run = (s: ChatState, ...actions: Action[]): ChatState => actions.reduce(reduce, s);

function withUsers(): ChatState {
  return run(initialState('messi', 'x', 100, 30), {
    type: 'poll',
    users: [...directory(['henderson', 'lineker', 'user001', 'user250']), { username: 'jordan9', userdetail: { nama: 'J\x1b]0;x\x07', negara: '' }, online: false }],
  });
}

/** Feeds raw terminal input to the chat keys, as the keyboard hook does. */
function keys(state: ChatState, ...input: string[]): ChatState {
  let s = state;
  const ctx = { getState: () => s, dispatch: (a: Action) => void (s = reduce(s, a)), sender: { send: () => 'k', retry: () => undefined }, quit: () => undefined };
  for (const event of input) for (const k of decodeInput(event)) handleChatKey(k, ctx);
  return s;
}

test('Ctrl+K opens it with everyone; typing filters; Down picks; Enter opens that conversation and closes it', () => {
  let s = keys(withUsers(), '\x0b');
  assert.deepEqual(s.switcher?.matches, s.order);
  s = keys(s, 'u', 's', 'e', 'r');
  assert.deepEqual(s.switcher?.matches, ['user001', 'user250']);
  s = keys(s, '\x1b[B');
  assert.equal(s.switcher?.pick, 1);
  s = keys(s, '\r');
  assert.equal(s.switcher, null);
  assert.equal(s.selected, 'user250');
  assert.equal(currentDraft(s).text, '', 'nothing was typed into the draft');
});

test('Backspace edits the query; Esc closes without moving; a query that matches nobody says so on Enter', () => {
  let s = keys(withUsers(), '\x0b', 'z', 'q');
  assert.deepEqual(s.switcher?.matches, []);
  s = keys(s, '\r');
  assert.equal(s.notice, 'Nobody matches that');
  s = keys(s, '\x7f', '\x7f', 'lin');
  assert.deepEqual(s.switcher?.matches, ['lineker']);
  const before = s.selected;
  s = keys(s, '\x1b');
  assert.equal(s.switcher, null);
  assert.equal(s.selected, before);
});

test('full names match too, and Alt+K (not Ctrl+K) cuts to the end of the draft for Ctrl+Y', () => {
  let s = keys(withUsers(), '\x0b', 'Nama user2', '\r');
  assert.equal(s.selected, 'user250');
  s = keys(s, 'hello world', '\x01', '\x1bf', '\x1bk');
  assert.equal(currentDraft(s).text, 'hello');
  assert.equal(s.switcher, null);
  s = keys(s, '\x19');
  assert.equal(currentDraft(s).text, 'hello world');
});
