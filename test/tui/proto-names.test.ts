// Usernames that are Object.prototype names (`__proto__`, `constructor`, ...)
// in the clients: ChatClient hands their inbox groups back under their own
// names, the reducer keeps their conversations, unread counts, drafts and
// presence apart like anyone's, the line client prints them, a chat session
// on a real server receives from them, and an error text that is such a
// name gets no made-up login hint.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it, test } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { ChatClient, ChatError, type Inbox } from '../../src/client.js';
import { Errors, type DirectoryEntry, type Message, type OnlineEntry } from '../../src/protocol.js';
import { hashPassword } from '../../src/server/passwords.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { describeLoginError } from '../../src/tui/components/App.js';
import { ChatView } from '../../src/tui/components/ChatView.js';
import { ChatSession } from '../../src/tui/session.js';
import { currentDraft, initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';
import { PROTO_NAMES } from '../helpers/proto-names.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { POLICY, profile } from '../helpers/stores.js';
import { runCli } from './cli-run.js';

const T0 = Date.parse('2026-11-26T05:40:00.000Z');
const NAMES = [...PROTO_NAMES];
const SORTED = [...NAMES].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function msg(id: number, sender: string, recipient: string, text: string): Message {
  return { id, sender, recipient, msg: text, msg_from: `Nama ${sender}`, msg_to: `Nama ${recipient}`, ts: new Date(T0 + id * 1000).toISOString() };
}

function online(...names: string[]): OnlineEntry[] {
  return names.map((username) => ({ username, userdetail: { nama: `Nama ${username}`, negara: 'Inggris' } }));
}

function directory(names: string[], on: string[] = []): DirectoryEntry[] {
  return names.map((username) => ({ username, userdetail: { nama: `Nama ${username}`, negara: 'Inggris' }, online: on.includes(username) }));
}

/** An inbox as it comes off the wire: JSON.parse makes `__proto__` an own key (an object literal would not). */
function wireInbox(groups: Array<[string, Message[]]>): Inbox {
  return JSON.parse(`{${groups.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`) as Inbox;
}

function run(state: ChatState, ...actions: Action[]): ChatState {
  return actions.reduce(reduce, state);
}

const start = (me = 'messi'): ChatState => initialState(me, '127.0.0.1:8889', 120, 40);

test('messages from every such name land in their own conversation, with their own unread count', () => {
  let s = run(start(), { type: 'poll', online: online('henderson') });
  assert.equal(s.selected, 'henderson');
  const inbox = wireInbox(NAMES.map((n, i) => [n, [msg(2 * i + 1, n, 'messi', `a ${n}`), msg(2 * i + 2, n, 'messi', `b ${n}`)]]));
  s = run(s, { type: 'poll', inbox, now: T0 });
  for (const n of NAMES) {
    assert.deepEqual(s.convs.get(n)?.items.map((it) => [it.from, it.text]), [[n, `a ${n}`], [n, `b ${n}`]], n);
    assert.equal(s.unread.get(n), 2, n);
    assert.equal(s.users.get(n)?.username, n);
  }
  assert.equal(s.bell, 1);
  assert.deepEqual(s.order, ['henderson', ...SORTED]);
  assert.equal(reduce(s, { type: 'poll', inbox, now: T0 }), s, 'the same reply again changes nothing');
  // Next unread walks them in list order, clearing each one's count only.
  for (const [i, n] of SORTED.entries()) {
    s = reduce(s, { type: 'nextUnread' });
    assert.equal(s.selected, n);
    assert.equal(s.unread.has(n), false, n);
    assert.equal(s.unread.size, SORTED.length - i - 1);
  }
  assert.equal(reduce(s, { type: 'nextUnread' }).notice, 'No unread messages');
});

test('their presence, profiles, drafts and sends are kept apart', () => {
  let s = run(start(), { type: 'poll', online: online(...NAMES), users: directory(['henderson', ...NAMES], NAMES) });
  assert.deepEqual(s.order, [...SORTED, 'henderson']);
  for (const n of NAMES) assert.deepEqual(s.users.get(n), { username: n, nama: `Nama ${n}`, negara: 'Inggris', online: true, listed: true });
  for (const n of NAMES) s = run(s, { type: 'select', peer: n }, { type: 'type', text: `draft for ${n}` });
  for (const n of NAMES) assert.equal(currentDraft(run(s, { type: 'select', peer: n })).text, `draft for ${n}`, n);
  s = run(
    s,
    { type: 'send/start', peer: '__proto__', key: 'l1', text: 'hi proto', ts: T0, queued: false },
    { type: 'send/start', peer: 'constructor', key: 'l1', text: 'hi constructor', ts: T0, queued: true },
    { type: 'send/status', peer: '__proto__', key: 'l1', status: 'sent' },
  );
  assert.deepEqual(s.convs.get('__proto__')!.items.map((it) => [it.text, it.status]), [['hi proto', 'sent']]);
  assert.deepEqual(s.convs.get('constructor')!.items.map((it) => [it.text, it.status]), [['hi constructor', 'queued']]);
  s = run(s, { type: 'poll', online: online(...NAMES.filter((n) => n !== 'constructor')) });
  assert.equal(s.users.get('constructor')!.online, false);
  assert.equal(s.users.get('__proto__')!.online, true);
});

test('a user who is called one of them has a chat like anyone', () => {
  for (const me of NAMES) {
    const [a, b] = NAMES.filter((n) => n !== me);
    const s = run(start(me), {
      type: 'poll',
      online: online('messi', me, a!),
      users: directory(['messi', a!, b!], ['messi', a!]),
      inbox: wireInbox([['messi', [msg(1, 'messi', me, 'hai')]], [b!, [msg(2, b!, me, 'yo')]]]),
      now: T0,
    });
    assert.deepEqual(s.order, [...[a!, 'messi'].sort(), b!], me);
    assert.equal(s.users.has(me), false, me);
    assert.equal(s.selected, s.order[0]);
    assert.equal(s.unread.get(b!), 1, me);
    assert.equal(s.unread.get('messi'), s.selected === 'messi' ? undefined : 1, me);
  }
});

test('the chat screen draws them in the users pane with their unread counts, and their conversation', () => {
  const inbox = wireInbox(NAMES.map((n, i) => [n, [msg(i + 1, n, 'messi', `hello from ${n}`)]]));
  const s = run(start(), { type: 'poll', online: online('__proto__'), inbox, now: T0 });
  assert.equal(s.selected, '__proto__');
  const r = render(h(ChatView, { state: s }));
  // eslint-disable-next-line no-control-regex
  const frame = (r.lastFrame() ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  r.unmount();
  assert.match(frame, /__proto__ │ hello from __proto__/);
  for (const n of NAMES.filter((x) => x !== '__proto__')) {
    const shown = n.length > 18 ? `${n.slice(0, 17)}…` : n;
    assert.ok(frame.split('\n').some((l) => l.startsWith(` ○ ${shown} `) && / 1 │/.test(l)), n);
  }
});

test('a login refused with an error text that is such a name gets no made-up hint', () => {
  for (const n of NAMES) assert.equal(describeLoginError(new ChatError(n)), n);
  assert.equal(describeLoginError(new ChatError(Errors.badPassword)), 'Password Salah (wrong password)');
});

describe('ChatClient given an inbox keyed by such names', () => {
  let peer: net.Server;
  let port = 0;
  /** What the peer answers to the next requests, one reply each. */
  const replies: string[] = [];

  before(async () => {
    peer = net.createServer((sock) => {
      let buf = '';
      sock.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
          buf = buf.slice(i + 1);
          sock.write(`${replies.shift() ?? '{"status": "ERROR", "message": "Protocol Tidak Benar"}'}\r\n\r\n`);
        }
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    port = (peer.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => peer.close(() => resolve())));

  it('gives each group back under its own name, in an object without a prototype', async () => {
    const groups = NAMES.map((n, i): [string, Message[]] => [n, [msg(i + 1, n, 'messi', `from ${n}`)]]);
    const body = groups.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ');
    replies.push(`{"status": "OK", "messages": {${body}, "odd": "not a list"}}`, '{"status": "OK", "messages": {}}', '{"status": "OK"}');
    const c = await ChatClient.connect({ port });
    try {
      const inbox = await c.inbox('t');
      assert.equal(Object.getPrototypeOf(inbox), null);
      assert.deepEqual(Object.keys(inbox), NAMES);
      for (const n of NAMES) assert.deepEqual(inbox[n]!.map((m) => [m.sender, m.msg]), [[n, `from ${n}`]], n);
      assert.equal(inbox['odd'], undefined, 'a group that is not a list is left out');
      // What the view makes of it: one conversation and one unread message each.
      const s = reduce(start(), { type: 'poll', inbox, now: T0 });
      for (const n of NAMES) {
        assert.equal(s.convs.get(n)!.items.length, 1, n);
        assert.equal(s.unread.get(n) ?? 0, s.selected === n ? 0 : 1, n);
      }
      for (const empty of [await c.inbox('t', 0), await c.inbox('t')]) {
        assert.deepEqual(Object.keys(empty), []);
        for (const n of NAMES) assert.equal(empty[n], undefined, `no ${n} group is made up`);
      }
    } finally {
      c.destroy();
    }
  });
});

describe('clients on a real server with such users', () => {
  const SENDERS = ['__proto__', 'constructor', 'toString', 'messi'];
  let server: TestServer;
  let session: ChatSession | null = null;
  const clients: ChatClient[] = [];

  before(async () => {
    server = await startServer();
    const store = SqliteStore.open(server.dbPath, POLICY);
    try {
      const passwordHash = await hashPassword('surabaya', 10);
      for (const n of SENDERS.filter((x) => x !== 'messi')) assert.equal(await store.addUser({ ...profile(n), passwordHash }), true);
    } finally {
      await store.close();
    }
  });
  after(async () => {
    session?.stop();
    for (const c of clients) c.destroy();
    await server?.stop();
  });

  async function sendAll(to: string, text: (from: string, i: number) => string): Promise<void> {
    const c = await ChatClient.connect({ port: server.port });
    clients.push(c);
    for (const from of SENDERS) {
      const t = await c.auth(from, 'surabaya');
      for (let i = 1; i <= 2; i++) await c.send(t, to, text(from, i));
    }
  }

  it('a chat session receives from each of them into their own conversation', async () => {
    session = new ChatSession({ connect: { host: '127.0.0.1', port: server.port }, intervalMs: 50, usersIntervalMs: 200 });
    await session.login('henderson', 'surabaya');
    let state = initialState('henderson', session.server, 120, 40);
    session.start((a) => (state = reduce(state, a)));
    await sendAll('henderson', (from, i) => `${from} ${i}`);
    const deadline = Date.now() + 10_000;
    while (!SENDERS.every((n) => state.convs.get(n)?.items.length === 2)) {
      assert.ok(Date.now() < deadline, `timed out; have ${[...state.convs.keys()].join(', ')}; ${JSON.stringify(state.conn)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(state.conn.kind, 'connected');
    for (const n of SENDERS) {
      assert.deepEqual(state.convs.get(n)!.items.map((it) => [it.from, it.text]), [[n, `${n} 1`], [n, `${n} 2`]], n);
      assert.equal(state.unread.get(n), state.selected === n ? undefined : 2, n);
      assert.equal(state.users.get(n)?.nama, n === 'messi' ? 'Lionel Messi' : `Nama ${n}`, n);
    }
    session.stop();
    session = null;
  });

  it('the line client prints their inbox groups under their names', async () => {
    await sendAll('lineker', (from, i) => `to lineker ${from} ${i}`);
    const { code, stdout, stderr } = await runCli(server, 'auth lineker surabaya\ninbox\ninbox\n').done;
    assert.equal(code, 0, stderr);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, stdout);
    const inbox = JSON.parse(lines[1]!) as Record<string, Message[]>;
    assert.deepEqual(Object.keys(inbox), SENDERS);
    for (const n of SENDERS) assert.deepEqual(inbox[n]!.map((m) => m.msg), [`to lineker ${n} 1`, `to lineker ${n} 2`], n);
    assert.equal(lines[2], '{}');
  });
});
