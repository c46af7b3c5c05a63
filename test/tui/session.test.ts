// The chat session against a real server (through a real TCP proxy where a
// test needs to watch or cut the connection): polling, the acknowledged
// inbox, sending and failing, reconnecting and logging in again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { ChatSession } from '../../src/tui/session.js';
import { initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';
import { makeTempDir, removeDir, startServer, type TestServer } from '../helpers/server.js';
import { TestProxy } from './tcp-proxy.js';

/** A session whose actions are reduced into a state the test can read. */
function watched(session: ChatSession, me: string): { state: () => ChatState; actions: Action[] } {
  let state = initialState(me, session.server, 120, 40);
  const actions: Action[] = [];
  session.start((a) => {
    actions.push(a);
    state = reduce(state, a);
  });
  return { state: () => state, actions };
}

async function eventually<T>(what: string, fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('chat session', () => {
  let server: TestServer;
  let proxy: TestProxy;
  const open: ChatSession[] = [];
  const clients: ChatClient[] = [];

  async function loggedIn(user: string, port = proxy.port): Promise<ChatSession> {
    // Polling, on purpose: live sync has its own tests (session-sync).
    const s = new ChatSession({ connect: { host: '127.0.0.1', port }, intervalMs: 50, usersIntervalMs: 200, sync: false });
    open.push(s);
    await s.login(user, 'surabaya');
    return s;
  }

  async function sender(user: string): Promise<{ client: ChatClient; token: string }> {
    const client = await ChatClient.connect({ host: server.host, port: server.port });
    clients.push(client);
    return { client, token: await client.auth(user, 'surabaya') };
  }

  before(async () => {
    server = await startServer();
    proxy = new TestProxy({ host: server.host, port: server.port });
    await proxy.listen();
  });

  after(async () => {
    for (const s of open) s.stop();
    for (const c of clients) c.destroy();
    await proxy?.close();
    await server?.stop();
  });

  it('a login already done, or on its way, is not sent again (no second session)', async () => {
    const before = proxy.lines.filter((l) => l.startsWith('auth ')).length;
    const s = new ChatSession({ connect: { host: '127.0.0.1', port: proxy.port }, intervalMs: 50 });
    open.push(s);
    await Promise.all([s.login('lineker', 'surabaya'), s.login('lineker', 'surabaya')]);
    await s.login('lineker', 'surabaya');
    assert.equal(proxy.lines.filter((l) => l.startsWith('auth ')).length - before, 1);
    await assert.rejects(s.login('lineker', 'wrong'), /Password Salah/);
    await s.logout();
  });

  it('polls online, the acknowledged inbox and the directory, never two polls at once', async () => {
    const session = await loggedIn('messi');
    const w = watched(session, 'messi');
    const { client, token } = await sender('henderson');
    for (let i = 1; i <= 30; i++) await client.send(token, 'messi', `m${i}`);
    const conv = await eventually('30 messages', () => {
      const c = w.state().convs.get('henderson');
      return c && c.items.length === 30 && c;
    });
    assert.deepEqual(conv.items.map((i) => i.text), Array.from({ length: 30 }, (_, i) => `m${i + 1}`));
    assert.equal(w.state().unread.get('henderson'), undefined, 'henderson is selected: read');
    assert.ok(w.state().users.get('henderson')!.online);
    assert.ok(w.state().users.has('lineker'), 'the directory lists offline users');
    // Acknowledged polling: each inbox carries the highest id stored so far, never going back.
    const lastId = conv.items.at(-1)!.id!;
    const acks = () => proxy.lines.filter((l) => l.startsWith('inbox ')).map((l) => Number(l.split(' ')[2]));
    await eventually('the last id acknowledged', () => acks().includes(lastId));
    const seen = acks();
    assert.ok(seen.every((a, i) => i === 0 || a >= seen[i - 1]!), 'ack ids never go back');
    await eventually('a few more polls', () => acks().length > seen.length + 3);
    assert.equal(proxy.maxInFlight.get('inbox'), 1);
    assert.equal(proxy.maxInFlight.get('online'), 1);
    assert.equal(proxy.maxInFlight.get('users'), 1);
    client.close();
    session.stop();
  });

  it('loses nothing and shows nothing twice when an inbox reply is lost', async () => {
    const session = await loggedIn('lineker');
    const w = watched(session, 'lineker');
    await eventually('first poll', () => w.actions.some((a) => a.type === 'poll'));
    const { client, token } = await sender('henderson');
    for (let i = 1; i <= 5; i++) await client.send(token, 'lineker', `before ${i}`);
    // The next inbox request reaches the server; its reply never reaches the client.
    proxy.cutAfter = (line) => line.startsWith('inbox ');
    await eventually('the cut', () => proxy.cutAfter === null);
    await eventually('reconnected', () => w.state().conn.kind === 'connected' && w.actions.some((a) => a.type === 'conn' && a.conn.kind === 'reconnecting'));
    for (let i = 1; i <= 5; i++) await client.send(token, 'lineker', `after ${i}`);
    await eventually('10 messages', () => w.state().convs.get('henderson')?.items.length === 10);
    await new Promise((r) => setTimeout(r, 300));
    const items = w.state().convs.get('henderson')!.items;
    assert.equal(items.length, 10);
    assert.equal(new Set(items.map((i) => i.id)).size, 10);
    client.close();
    session.stop();
  });

  it('a send the server refuses shows as failed, and a retry tries again', async () => {
    const session = await loggedIn('henderson');
    const w = watched(session, 'henderson');
    await eventually('first poll', () => w.actions.some((a) => a.type === 'poll'));
    const key = session.send('nobody-here', 'hello?');
    const failed = await eventually('failure', () => {
      const it = w.state().convs.get('nobody-here')?.items.find((i) => i.key === key);
      return it?.status === 'failed' && it;
    });
    assert.equal(failed.error, 'User Tidak Ditemukan');
    session.retry('nobody-here', key, 'hello?');
    const statuses = () => w.actions.filter((a) => a.type === 'send/status' && a.key === key).map((a) => (a as { status: string }).status);
    await eventually('second failure', () => statuses().filter((s) => s === 'failed').length === 2);
    assert.deepEqual(statuses(), ['failed', 'sending', 'failed']);
    session.stop();
  });

  it('polling a server that refuses sync: messages typed offline take the server order and time once sent', async (t) => {
    const own = await startServer();
    // `sync` reaches the server without its arguments: `Protocol Tidak Benar`, as from a server without it.
    const link = new TestProxy({ host: own.host, port: own.port });
    link.rewrite = (line) => (line.startsWith('sync ') ? 'sync' : line);
    await link.listen();
    const s = new ChatSession({ connect: { host: '127.0.0.1', port: link.port }, intervalMs: 50, usersIntervalMs: 200 });
    t.after(async () => {
      s.stop();
      await link.close();
      await own.stop();
    });
    await s.login('messi', 'surabaya');
    const w = watched(s, 'messi');
    await eventually('polling after sync was refused', () => link.lines.includes('sync') && w.actions.some((a) => a.type === 'poll' && a.inbox));
    assert.equal(s.syncing, false);
    await link.down();
    await eventually('reconnecting', () => w.state().conn.kind === 'reconnecting');
    s.send('henderson', 'one typed offline');
    s.send('henderson', 'two typed offline');
    const henderson = await ChatClient.connect({ host: own.host, port: own.port });
    clients.push(henderson);
    const token = await henderson.auth('henderson', 'surabaya');
    await henderson.send(token, 'messi', 'meanwhile');
    await link.up();
    const conv = await eventually('all three numbered', () => {
      const c = w.state().convs.get('henderson');
      return c && c.items.length === 3 && c.items.every((it) => it.id !== null) && c;
    }, 20_000);
    // Ours were stored after henderson's: they follow it, with the server's ids and times.
    assert.deepEqual(conv.items.map((it) => `${it.from}: ${it.text}`), ['henderson: meanwhile', 'messi: one typed offline', 'messi: two typed offline']);
    const stored = await henderson.history(token, 'messi');
    assert.deepEqual(conv.items.map((it) => [it.id, it.ts]), stored.map((m) => [m.id, Date.parse(m.ts!)]));
    assert.deepEqual(conv.items.map((it) => it.status), ['sent', 'sent', 'sent']);
  });

  it('reconnects after the server restarts, logs in again when the session is gone, and sends what was queued', async (t) => {
    const dir = makeTempDir();
    const servers: TestServer[] = [];
    t.after(async () => {
      for (const s of servers) await s.stop();
      removeDir(dir);
    });
    const first = await startServer({ dir });
    servers.push(first);
    const port = first.port;
    const session = await loggedIn('messi', port);
    const w = watched(session, 'messi');
    await eventually('first poll', () => w.actions.some((a) => a.type === 'poll'));
    await first.kill();
    await eventually('reconnecting', () => w.state().conn.kind === 'reconnecting');
    const key = session.send('henderson', 'typed while offline');
    assert.equal(w.state().convs.get('henderson')!.items.at(-1)!.status, 'queued');
    // A new database on the same port: the users exist again, the session does not.
    const second = await startServer({ args: ['--port', String(port)] });
    servers.push(second);
    assert.equal(second.port, port);
    await eventually('connected again', () => w.state().conn.kind === 'connected', 20_000);
    await eventually('queued message sent', () => w.state().convs.get('henderson')!.items.find((i) => i.key === key)?.status === 'sent');
    const c = await ChatClient.connect({ host: second.host, port });
    try {
      const token = await c.auth('henderson', 'surabaya');
      assert.equal((await c.inbox(token))['messi']?.[0]?.msg, 'typed while offline');
      assert.ok((await c.online(token)).some((u) => u.username === 'messi'), 'logged in again');
    } finally {
      c.close();
    }
    await session.logout();
  });

  it('a server back with a new database: its messages (ids from 1 again) are shown after what was seen, none acknowledged unseen', async (t) => {
    const servers: TestServer[] = [];
    t.after(async () => {
      for (const s of servers) await s.stop();
    });
    const say = async (srv: TestServer, texts: string[]) => {
      const c = await ChatClient.connect({ host: srv.host, port: srv.port });
      try {
        const token = await c.auth('lineker', 'surabaya');
        for (const text of texts) await c.send(token, 'messi', text);
      } finally {
        c.close();
      }
    };
    const first = await startServer();
    servers.push(first);
    const port = first.port;
    const session = await loggedIn('messi', port);
    const w = watched(session, 'messi');
    const texts = () => (w.state().convs.get('lineker')?.items ?? []).map((i) => i.text);
    await say(first, ['old 1', 'old 2', 'old 3']);
    await eventually('the old messages', () => texts().length === 3);
    await first.kill();
    await eventually('reconnecting', () => w.state().conn.kind === 'reconnecting');
    const second = await startServer({ args: ['--port', String(port), '--log-level', 'debug'] });
    servers.push(second);
    await eventually('logged in again', () => w.state().conn.kind === 'connected' && /cmd=auth[^\n]*status=OK/.test(second.stderr()), 20_000);
    // Ids 1, 2, 3, 4 again on the new server.
    await say(second, ['new 1', 'new 2', 'new 3', 'new 4']);
    await eventually('the new messages', () => texts().length === 7);
    assert.deepEqual(texts(), ['old 1', 'old 2', 'old 3', 'new 1', 'new 2', 'new 3', 'new 4']);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(texts().length, 7, 'nothing twice');
    assert.match(w.state().notice ?? '', /lost its message history/);
    await session.logout();
  });

  it('a server that kept its database: no reset after logging in again', async (t) => {
    const dir = makeTempDir();
    const servers: TestServer[] = [];
    t.after(async () => {
      for (const s of servers) await s.stop();
      removeDir(dir);
    });
    const first = await startServer({ dir });
    servers.push(first);
    const session = await loggedIn('messi', first.port);
    const w = watched(session, 'messi');
    const c = await ChatClient.connect({ host: first.host, port: first.port });
    const token = await c.auth('henderson', 'surabaya');
    await c.send(token, 'messi', 'kept');
    c.close();
    await eventually('the message', () => w.state().convs.get('henderson')?.items.length === 1);
    await first.kill();
    // Same database and port; the session, unused for longer than the new server allows, is gone.
    await new Promise((r) => setTimeout(r, 1200));
    const second = await startServer({ dir, args: ['--port', String(first.port), '--session-lifetime', '1s', '--log-level', 'debug'] });
    servers.push(second);
    await eventually('logged in again', () => /cmd=history/.test(second.stderr()) && w.state().conn.kind === 'connected', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    const log = second.stderr();
    assert.match(log, /Session Tidak Ditemukan/, 'the session was gone');
    assert.match(log, /cmd=auth[^\n]*status=OK[\s\S]*cmd=history[^\n]*status=OK/, 'logged in again, then looked for the newest message');
    assert.ok(!w.actions.some((a) => a.type === 'server/reset'), 'no reset');
    assert.equal(w.state().convs.get('henderson')?.items[0]?.id, 1);
    await session.logout();
  });
});
