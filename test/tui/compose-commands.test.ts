// The compose box's command line without a terminal: how drafts are read,
// and what Enter does with each command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DirectoryEntry } from '../../src/protocol.js';
import { handleChatKey } from '../../src/tui/chat-keys.js';
import { parseDraft } from '../../src/tui/command-line.js';
import { decodeInput } from '../../src/tui/keys.js';
import { currentDraft, initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';

const CASES: Array<[string, ReturnType<typeof parseDraft>]> = [
  ['hello', { kind: 'message', text: 'hello' }],
  ['?', { kind: 'message', text: '?' }],
  ['//shrug', { kind: 'message', text: '/shrug' }],
  ['  //x y', { kind: 'message', text: '/x y' }],
  ['/msg lineker', { kind: 'msg', peer: 'lineker', text: '' }],
  ['/msg lineker  see you at 9 ', { kind: 'msg', peer: 'lineker', text: 'see you at 9' }],
  ['/MSG lineker hi', { kind: 'msg', peer: 'lineker', text: 'hi' }],
  ['/msg', { kind: 'error', notice: 'Usage: /msg <user> [text]' }],
  ['/help', { kind: 'help' }],
  ['/quit', { kind: 'quit' }],
  ['/search nasi goreng', { kind: 'search', words: 'nasi goreng' }],
  ['/search', { kind: 'error', notice: 'Usage: /search <words>' }],
  ['/frobnicate now', { kind: 'error', notice: 'Unknown command /frobnicate · /help lists the commands (// sends a leading /)' }],
  ['/help\nmore', { kind: 'error', notice: 'A command takes one line (start with // to send a message beginning with /)' }],
];

for (const [draft, want] of CASES) {
  test(`the draft ${JSON.stringify(draft)} is ${want.kind}`, () => assert.deepEqual(parseDraft(draft), want));
}

function directory(names: string[]): DirectoryEntry[] {
  return names.map((username) => ({ username, userdetail: { nama: username, negara: 'Inggris' }, online: false }));
}

/** The chat with a sender that records what the session was asked to send, and a quit flag. */
function chat() {
  let s: ChatState = reduce(initialState('messi', 'x', 100, 30), { type: 'poll', users: directory(['henderson', 'lineker']) });
  const sent: Array<[string, string]> = [];
  let quit = 0;
  const ctx = {
    getState: () => s,
    dispatch: (a: Action) => void (s = reduce(s, a)),
    sender: {
      send: (peer: string, text: string, input?: string | null) => {
        sent.push([peer, text]);
        s = reduce(s, { type: 'send/start', peer, key: `l${sent.length}`, text, ts: 0, queued: false, ...(input === null ? {} : { fromCompose: true, input: input ?? text }) });
        return `l${sent.length}`;
      },
      retry: () => undefined,
    },
    quit: () => void quit++,
  };
  const type = (...input: string[]) => {
    for (const event of input) for (const k of decodeInput(event)) handleChatKey(k, ctx);
  };
  return { type, state: () => s, sent, quits: () => quit };
}

test('/msg opens the conversation and sends the text; the draft it was typed in empties', () => {
  const c = chat();
  assert.equal(c.state().selected, 'henderson');
  c.type('/msg lineker see you at 9', '\r');
  assert.equal(c.state().selected, 'lineker');
  assert.deepEqual(c.sent, [['lineker', 'see you at 9']]);
  assert.equal(c.state().drafts.get('henderson')?.text ?? '', '');
  assert.equal(c.state().sentInput.at(-1), '/msg lineker see you at 9', 'Up recalls the command');
  // Without text it only opens; someone the list does not show joins it.
  c.type('/msg zara', '\r');
  assert.equal(c.state().selected, 'zara');
  assert.ok(c.state().order.includes('zara'));
  assert.equal(c.sent.length, 1);
});

test('unknown commands, /search and bad names say so on the status line and send nothing; the draft stays', () => {
  const c = chat();
  for (const [draft, notice] of [
    ['/frobnicate', /^Unknown command \/frobnicate/],
    ['/search goreng', /^search needs a newer server$/],
    ['/msg no/such', /^Not a username: no\/such$/],
  ] as const) {
    c.type('\x15', draft, '\r');
    assert.match(c.state().notice ?? '', notice);
    assert.equal(currentDraft(c.state()).text, draft);
  }
  assert.deepEqual(c.sent, []);
});

test('//text sends /text; a lone ? is sent; /help opens the help; /quit quits', () => {
  const c = chat();
  c.type('//shrug', '\r', '?', '\r');
  assert.deepEqual(c.sent, [['henderson', '/shrug'], ['henderson', '?']]);
  assert.deepEqual(c.state().sentInput.slice(-2), ['//shrug', '?'], 'remembered as typed');
  c.type('/help', '\r');
  assert.equal(c.state().help, true);
  assert.equal(currentDraft(c.state()).text, '');
  c.type('\x1b', '/quit', '\r');
  assert.equal(c.quits(), 1);
});
