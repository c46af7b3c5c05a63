// The chat session on live sync against a real server: messages and our own
// messages from another device arrive with no poll interval passing, each
// shows once in server order, read markers from another device clear the
// count, and search answers. Against a server speaking only the original
// protocol (a real socket answering as one does), it falls back to polling.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { handleChatKey } from '../../src/tui/chat-keys.js';
import { decodeInput } from '../../src/tui/keys.js';
import { ChatSession } from '../../src/tui/session.js';
import { initialState, reduce, type Action, type ChatState } from '../../src/tui/state.js';
import { startServer, type TestServer } from '../helpers/server.js';

function watched(session: ChatSession, me: string): { state: () => ChatState; actions: Action[]; keys: (...input: string[]) => void } {
  let state = initialState(me, session.server, 120, 40);
  const actions: Action[] = [];
  const dispatch = (a: Action) => {
    actions.push(a);
    state = reduce(state, a);
  };
  session.start(dispatch);
  const ctx = { getState: () => state, dispatch, sender: session, finder: session, quit: () => undefined };
  const keys = (...input: string[]) => {
    for (const event of input) for (const k of decodeInput(event)) handleChatKey(k, ctx);
  };
  return { state: () => state, actions, keys };
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

/** A server that speaks only the original protocol: anything else is `Protocol Tidak Benar`. */
function oldServer(): Promise<{ port: number; lines: string[]; deliver: (from: string, text: string) => void; close: () => Promise<void> }> {
  const lines: string[] = [];
  const waiting: Array<{ msg_from: string; msg_to: string; msg: string }> = [];
  const sockets = new Set<net.Socket>();
  const reply = (s: net.Socket, o: unknown) => s.write(JSON.stringify(o) + '\r\n\r\n');
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        lines.push(line);
        const [cmd, , ...rest] = line.split(/\s+/);
        if (cmd === 'auth') reply(s, { status: 'OK', tokenid: 'tok1' });
        else if (cmd === 'online' && rest.length === 0) reply(s, { status: 'OK', users: [{ username: 'henderson', userdetail: { nama: 'Jordan Henderson', negara: 'Inggris' } }] });
        else if (cmd === 'inbox' && rest.length === 0) {
          const messages: Record<string, unknown[]> = {};
          for (const m of waiting.splice(0)) (messages[m.msg_from] ??= []).push(m);
          reply(s, { status: 'OK', messages });
        } else if (cmd === 'send') reply(s, { status: 'OK', message: 'Message Sent' });
        else if (cmd === 'logout') reply(s, { status: 'OK' });
        else reply(s, { status: 'ERROR', message: 'Protocol Tidak Benar' });
      }
    });
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: (srv.address() as net.AddressInfo).port,
        lines,
        deliver: (from, text) => waiting.push({ msg_from: from, msg_to: 'messi', msg: text }),
        close: () => new Promise((r) => {
          for (const s of sockets) s.destroy();
          srv.close(() => r());
        }),
      }),
    ),
  );
}

describe('chat session on live sync', () => {
  let server: TestServer;
  const open: ChatSession[] = [];
  const clients: ChatClient[] = [];

  /** A session that would poll once a minute: anything it shows sooner came by sync. */
  async function loggedIn(user: string, port = server.port): Promise<ChatSession> {
    const s = new ChatSession({ connect: { host: '127.0.0.1', port }, intervalMs: 60_000, usersIntervalMs: 60_000 });
    open.push(s);
    await s.login(user, 'surabaya');
    return s;
  }

  async function device(user: string): Promise<{ client: ChatClient; token: string }> {
    const client = await ChatClient.connect({ host: server.host, port: server.port });
    clients.push(client);
    return { client, token: await client.auth(user, 'surabaya') };
  }

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    for (const s of open) s.stop();
    for (const c of clients) c.destroy();
    await server?.stop();
  });

  it('shows messages both ways from every device at once, each once, in server order', async () => {
    const s = await loggedIn('messi');
    const w = watched(s, 'messi');
    await eventually('sync running', () => s.syncing);
    const henderson = await device('henderson');
    const phone = await device('messi');
    const t0 = Date.now();
    await henderson.client.send(henderson.token, 'messi', 'hai dari henderson');
    await phone.client.send(phone.token, 'henderson', 'dari ponsel');
    const conv = await eventually('both messages', () => {
      const c = w.state().convs.get('henderson');
      return c && c.items.length === 2 && c;
    });
    const ms = Date.now() - t0;
    assert.ok(ms < 5000, `arrived in ${ms} ms`);
    assert.deepEqual(conv.items.map((it) => [it.from, it.text]), [['henderson', 'hai dari henderson'], ['messi', 'dari ponsel']]);
    assert.ok(conv.items[0]!.id! < conv.items[1]!.id!);
    // Nothing polled: no inbox was asked for.
    assert.equal(w.actions.some((a) => a.type === 'poll' && a.inbox !== undefined), false);

    // Sent from here: the local copy is replaced by the server's, shown once.
    s.send('henderson', 'dari layar ini');
    await eventually('own message numbered', () => w.state().convs.get('henderson')!.items.at(-1)?.id !== null && w.state().convs.get('henderson')!.items.length === 3);
    await new Promise((r) => setTimeout(r, 300));
    const items = w.state().convs.get('henderson')!.items;
    assert.deepEqual(items.map((it) => it.text), ['hai dari henderson', 'dari ponsel', 'dari layar ini']);
    assert.equal(items[2]!.status, 'sent');
  });

  it('two messages of the same text sent quickly, and the same text from another device, show once each, by id', async () => {
    const s = await loggedIn('henderson');
    const w = watched(s, 'henderson');
    await eventually('sync running', () => s.syncing);
    const phone = await device('henderson');
    s.send('lineker', 'ok');
    s.send('lineker', 'ok');
    await phone.client.send(phone.token, 'lineker', 'ok');
    const oks = () => w.state().convs.get('lineker')?.items.filter((it) => it.text === 'ok') ?? [];
    await eventually('three numbered', () => oks().length === 3 && oks().every((it) => it.id !== null));
    await new Promise((r) => setTimeout(r, 300));
    const items = oks();
    assert.equal(items.length, 3, 'nothing shown twice');
    assert.equal(new Set(items.map((it) => it.id)).size, 3);
    // The two typed here are the two rows typed here, each its own message.
    assert.equal(items.filter((it) => it.key.startsWith('l')).length, 2);
    const stored = (await phone.client.history(phone.token, 'lineker')).filter((m) => m.msg === 'ok');
    assert.deepEqual(items.map((it) => it.id), stored.map((m) => m.id));
  });

  it('a read marker set on another device clears the count here; reading here sets the marker', async () => {
    const s = await loggedIn('lineker');
    const w = watched(s, 'lineker');
    await eventually('sync running', () => s.syncing);
    const messi = await device('messi');
    await messi.client.send(messi.token, 'lineker', 'satu');
    await messi.client.send(messi.token, 'lineker', 'dua');
    // The first user listed is selected; messi's conversation is elsewhere unless it is first.
    await eventually('two unread', () => w.state().selected !== 'messi' && w.state().unread.get('messi') === 2);
    const phone = await device('lineker');
    const last = w.state().convs.get('messi')!.items.at(-1)!.id!;
    await phone.client.read(phone.token, 'messi', last);
    await eventually('count cleared by the other device', () => !w.state().unread.has('messi'));

    // Marking here moves the server's marker: the directory counts nothing unread.
    await messi.client.send(messi.token, 'lineker', 'tiga');
    await eventually('one unread', () => w.state().unread.get('messi') === 1);
    const newest = w.state().convs.get('messi')!.items.at(-1)!.id!;
    s.markRead('messi', newest);
    const dirDeadline = Date.now() + 5000;
    for (;;) {
      const d = await phone.client.directory(phone.token);
      if (d.users.find((u) => u.username === 'messi')?.unread === 0) break;
      assert.ok(Date.now() < dirDeadline, 'the server marker did not move');
      await new Promise((r) => setTimeout(r, 50));
    }
    await eventually('count cleared by our own marker', () => !w.state().unread.has('messi'));
  });

  it('/search lists the messages found; Enter opens the conversation at the message, loading history back to it', async () => {
    const henderson = await device('henderson');
    await henderson.client.send(henderson.token, 'lineker', 'the needle in the haystack');
    for (let i = 0; i < 30; i++) await henderson.client.send(henderson.token, 'lineker', `hay ${i}`);
    const s = new ChatSession({ connect: { host: '127.0.0.1', port: server.port }, intervalMs: 60_000, usersIntervalMs: 60_000, historyPage: 10 });
    open.push(s);
    await s.login('henderson', 'surabaya');
    const w = watched(s, 'henderson');
    await eventually('sync running', () => s.syncing);
    w.keys('/search NEEDLE', '\r');
    const found = (await eventually('results', () => w.state().search?.status === 'done' && w.state().search))!;
    assert.deepEqual(found.hits.map((h) => [h.peer, h.from, h.text]), [['lineker', 'henderson', 'the needle in the haystack']]);
    w.keys('\r');
    assert.equal(w.state().search, null);
    assert.equal(w.state().selected, 'lineker');
    const conv = await eventually('the message loaded and shown', () => {
      const c = w.state().convs.get('lineker');
      return c && c.ids.has(found.hits[0]!.id) && c.scrollBack > 0 && c;
    });
    // Everything from the message to the newest is there, in order (four pages of ten).
    const texts = conv.items.map((it) => it.text);
    assert.deepEqual(texts.slice(texts.indexOf('the needle in the haystack')), ['the needle in the haystack', ...Array.from({ length: 30 }, (_, i) => `hay ${i}`)]);
    // Esc closes the results without going anywhere.
    w.keys('/search hay', '\r');
    await eventually('results', () => w.state().search?.status === 'done');
    w.keys('\x1b');
    assert.equal(w.state().search, null);
  });

  it('against a server without sync, polls online and inbox, and search says it needs a newer server', async () => {
    const old = await oldServer();
    try {
      const s = new ChatSession({ connect: { host: '127.0.0.1', port: old.port }, intervalMs: 50, usersIntervalMs: 200 });
      open.push(s);
      await s.login('messi', 'surabaya');
      const w = watched(s, 'messi');
      old.deliver('henderson', 'halo dari server lama');
      await eventually('the message by polling', () => w.state().convs.get('henderson')?.items.some((it) => it.text === 'halo dari server lama'));
      assert.equal(s.syncing, false);
      assert.equal(old.lines.some((l) => l.startsWith('sync ')), false, 'a server without a cursor is not asked to sync');
      await eventually('polls online', () => old.lines.filter((l) => l === 'online tok1').length >= 3);
      assert.deepEqual(await s.search('halo'), { unsupported: true });
      w.keys('/search halo', '\r');
      await eventually('the notice', () => w.state().notice === 'search needs a newer server');
      assert.equal(w.state().search, null);
      s.stop();
    } finally {
      await old.close();
    }
  });
});
