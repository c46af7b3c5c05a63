// Every command and error string of the protocol, end to end over real
// sockets, on every store.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient, ChatError } from '../../src/client.js';
import { Errors, type Message } from '../../src/protocol.js';
import { backends } from '../helpers/backends.js';
import { RawClient, type TestServer } from '../helpers/server.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function rejectsWith(p: Promise<unknown>, text: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof ChatError && err.code === text);
}

for (const backend of backends) {
  describe(`commands on ${backend.name}`, { skip: backend.skip() }, () => {
    let server: TestServer;
    let c: ChatClient;
    const clients: ChatClient[] = [];
    const connect = async (): Promise<ChatClient> => {
      const client = await ChatClient.connect({ port: server.port });
      clients.push(client);
      return client;
    };

    before(async () => {
      server = await backend.start({ args: ['--presence-window', '1s'] });
      c = await connect();
    });
    after(async () => {
      for (const client of clients) client.destroy();
      await server?.stop();
    });

    describe('auth', () => {
      it('returns a random UUID v4 token, a new one each time', async () => {
        const a = await c.auth('messi', 'surabaya');
        const b = await c.auth('messi', 'surabaya');
        assert.match(a, UUID_V4);
        assert.match(b, UUID_V4);
        assert.notEqual(a, b);
      });
      it('answers User Tidak Ada for an unknown or malformed username', async () => {
        await rejectsWith(c.auth('nobody', 'surabaya'), Errors.noUser);
        await rejectsWith(c.auth('bad/name', 'surabaya'), Errors.noUser);
      });
      it('answers Password Salah for a wrong password', async () => {
        await rejectsWith(c.auth('messi', 'surabaya2'), Errors.badPassword);
        await rejectsWith(c.auth('messi', 'SURABAYA'), Errors.badPassword);
      });
    });

    describe('session checks', () => {
      for (const words of [
        ['logout', 'no-such-token'],
        ['send', 'no-such-token', 'henderson', 'hi'],
        ['inbox', 'no-such-token'],
        ['inbox', 'no-such-token', '0'],
        ['online', 'no-such-token'],
        ['users', 'no-such-token'],
        ['history', 'no-such-token', 'henderson'],
      ]) {
        it(`${words[0]} with an unknown token answers Session Tidak Ditemukan`, async () => {
          assert.deepEqual(await c.request(words), { status: 'ERROR', message: Errors.noSession });
        });
      }
      it('a logged-out token is refused everywhere; other sessions of the user live on', async () => {
        const t1 = await c.auth('lineker', 'surabaya');
        const t2 = await c.auth('lineker', 'surabaya');
        assert.deepEqual(await c.request(['logout', t1]), { status: 'OK' });
        for (const words of [['logout', t1], ['inbox', t1], ['online', t1], ['send', t1, 'messi', 'x'], ['users', t1]]) {
          assert.deepEqual(await c.request(words), { status: 'ERROR', message: Errors.noSession });
        }
        assert.deepEqual(await c.online(t2), (await c.online(t2)).filter((u) => u.username !== 'lineker'));
        await c.logout(t2);
      });
    });

    describe('send and inbox', () => {
      it('delivers grouped by sender, oldest first, with the extension fields, once', async () => {
        const messi = await c.auth('messi', 'surabaya');
        const lineker = await c.auth('lineker', 'surabaya');
        const hend = await c.auth('henderson', 'surabaya');
        await c.inbox(hend); // start empty
        const before = Date.now();
        await c.send(messi, 'henderson', 'hai, apakabar?');
        await c.send(lineker, 'henderson', 'halo');
        await c.send(messi, 'henderson', 'kedua');
        const inbox = await c.inbox(hend);
        assert.deepEqual(Object.keys(inbox), ['messi', 'lineker']);
        assert.deepEqual(inbox.messi!.map((m) => m.msg), ['hai, apakabar?', 'kedua']);
        const m = inbox.messi![0]!;
        assert.deepEqual(Object.keys(m), ['msg_from', 'msg_to', 'msg', 'id', 'sender', 'recipient', 'ts']);
        assert.equal(m.msg_from, 'Lionel Messi');
        assert.equal(m.msg_to, 'Jordan Henderson');
        assert.equal(m.sender, 'messi');
        assert.equal(m.recipient, 'henderson');
        assert.match(m.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(Date.parse(m.ts) >= before - 1000 && Date.parse(m.ts) <= Date.now() + 1000);
        const ids = [inbox.messi![0]!.id, inbox.lineker![0]!.id, inbox.messi![1]!.id];
        assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'ids increase in sending order');
        assert.deepEqual(await c.request(['inbox', hend]), { status: 'OK', messages: {} });
      });
      it('keeps inner white space and any Unicode, trims the edges', async () => {
        const messi = await c.auth('messi', 'surabaya');
        const hend = await c.auth('henderson', 'surabaya');
        await c.inbox(hend);
        await c.request(['send', messi, 'henderson', '  a  b\tc 日本語 🎉 ']);
        assert.equal((await c.inbox(hend)).messi![0]!.msg, 'a  b\tc 日本語 🎉');
      });
      it('sending to oneself works', async () => {
        const messi = await c.auth('messi', 'surabaya');
        await c.inbox(messi);
        await c.send(messi, 'messi', 'note to self');
        assert.equal((await c.inbox(messi)).messi![0]!.msg, 'note to self');
      });
      it('answers User Tidak Ditemukan, Pesan Kosong, Pesan Terlalu Panjang', async () => {
        const messi = await c.auth('messi', 'surabaya');
        await rejectsWith(c.send(messi, 'nobody', 'hi'), Errors.noDestination);
        await rejectsWith(c.send(messi, 'bad/name', 'hi'), Errors.noDestination);
        assert.deepEqual(await c.request(['send', messi, 'henderson']), { status: 'ERROR', message: Errors.emptyMessage });
        assert.deepEqual(await c.request(['send', messi, 'henderson', '   ']), { status: 'ERROR', message: Errors.emptyMessage });
        await rejectsWith(c.send(messi, 'henderson', 'x'.repeat(4001)), Errors.messageTooLong);
        await rejectsWith(c.send(messi, 'henderson', '🎉'.repeat(4001)), Errors.messageTooLong);
        await c.send(messi, 'henderson', '🎉'.repeat(4000)); // 4,000 characters, 8,000 UTF-16 units
      });
      it('carries at most 500 messages per inbox reply, the oldest first', async () => {
        const lineker = await c.auth('lineker', 'surabaya');
        const messi = await c.auth('messi', 'surabaya');
        await c.inbox(messi);
        await Promise.all(Array.from({ length: 503 }, (_, i) => c.send(lineker, 'messi', `m${i}`)));
        const first = (await c.inbox(messi)).lineker!;
        assert.equal(first.length, 500);
        assert.deepEqual(first.slice(0, 2).map((m) => m.msg), ['m0', 'm1']);
        const rest = (await c.inbox(messi)).lineker!;
        assert.deepEqual(rest.map((m) => m.msg), ['m500', 'm501', 'm502']);
      });
      it('two sessions draining at once never share a message nor lose one', async () => {
        const lineker = await c.auth('lineker', 'surabaya');
        const h1 = await c.auth('henderson', 'surabaya');
        const h2 = await c.auth('henderson', 'surabaya');
        await c.inbox(h1);
        const [c1, c2] = [await connect(), await connect()];
        const sent = 300;
        const seen: Message[] = [];
        const drain = async (client: ChatClient, token: string): Promise<void> => {
          for (let i = 0; i < 40; i++) seen.push(...((await client.inbox(token)).lineker ?? []));
        };
        await Promise.all([
          (async () => {
            for (let i = 0; i < sent; i++) await c.send(lineker, 'henderson', `n${i}`);
          })(),
          drain(c1, h1),
          drain(c2, h2),
        ]);
        seen.push(...((await c.inbox(h1)).lineker ?? []));
        const ids = seen.map((m) => m.id);
        assert.equal(new Set(ids).size, ids.length, 'no message twice');
        assert.equal(ids.length, sent, 'none lost');
      });
    });

    describe('acknowledged inbox', () => {
      it('peeks without marking, acknowledges up to ack_id', async () => {
        const messi = await c.auth('messi', 'surabaya');
        const lineker = await c.auth('lineker', 'surabaya');
        await c.inbox(lineker);
        for (const t of ['a', 'b', 'c']) await c.send(messi, 'lineker', t);
        const peek = (await c.inbox(lineker, 0)).messi!;
        assert.deepEqual(peek.map((m) => m.msg), ['a', 'b', 'c']);
        assert.deepEqual((await c.inbox(lineker, 0)).messi!.map((m) => m.msg), ['a', 'b', 'c'], 'a lost reply is repeated');
        assert.deepEqual((await c.inbox(lineker, peek[1]!.id)).messi!.map((m) => m.msg), ['c']);
        assert.deepEqual(Object.keys(await c.inbox(lineker, peek[2]!.id)), []);
        assert.deepEqual(Object.keys(await c.inbox(lineker)), [], 'acknowledged messages are received');
      });
      it('rejects a malformed ack_id', async () => {
        const messi = await c.auth('messi', 'surabaya');
        for (const ack of ['-1', 'x', '1.0']) {
          assert.deepEqual(await c.request(['inbox', messi, ack]), { status: 'ERROR', message: Errors.badProtocol });
        }
      });
    });

    describe('history', () => {
      it('returns both directions, newest page, oldest first, and pages back', async () => {
        const a = await c.auth('lineker', 'surabaya');
        const b = await c.auth('henderson', 'surabaya');
        const base = (await c.history(a, 'henderson', undefined, 500)).length;
        for (let i = 0; i < 6; i++) await c.send(i % 2 ? b : a, i % 2 ? 'lineker' : 'henderson', `h${i}`);
        const page = await c.history(a, 'henderson', undefined, 4);
        assert.deepEqual(page.map((m) => m.msg), ['h2', 'h3', 'h4', 'h5']);
        const older = await c.history(a, 'henderson', page[0]!.id, 2);
        assert.deepEqual(older.map((m) => m.msg), ['h0', 'h1']);
        assert.deepEqual((await c.history(b, 'lineker', undefined, 6)).map((m) => m.msg), ['h0', 'h1', 'h2', 'h3', 'h4', 'h5']);
        assert.equal((await c.history(a, 'henderson', undefined, 500)).length, base + 6);
        assert.ok((await c.history(a, 'henderson')).length <= 50, 'default limit is 50');
        // Reading history marks nothing received.
        assert.deepEqual((await c.inbox(b, 0)).lineker!.slice(-3).map((m) => m.msg), ['h0', 'h2', 'h4']);
      });
      it('answers User Tidak Ditemukan and Protocol Tidak Benar', async () => {
        const a = await c.auth('lineker', 'surabaya');
        await rejectsWith(c.history(a, 'nobody'), Errors.noDestination);
        for (const words of [['history', a], ['history', a, 'messi', 'x'], ['history', a, 'messi', '1', '0'], ['history', a, 'messi', '1', '501']]) {
          assert.deepEqual(await c.request(words), { status: 'ERROR', message: Errors.badProtocol });
        }
      });
    });

    describe('online, users and presence', () => {
      // A fresh server: a connection that ever used a token keeps that session online.
      let ps: TestServer;
      const fresh = async (): Promise<ChatClient> => {
        const client = await ChatClient.connect({ port: ps.port });
        clients.push(client);
        return client;
      };
      before(async () => {
        ps = await backend.start({ args: ['--presence-window', '1s'] });
      });
      after(async () => {
        await ps?.stop();
      });

      it('lists live sessions once each, by username, without the caller', async () => {
        const h = await fresh();
        const [hA] = [await h.auth('henderson', 'surabaya'), await h.auth('henderson', 'surabaya')];
        const raw = await RawClient.connect(ps.port);
        const tm = String((await raw.ask('auth messi surabaya')).tokenid);
        const online = await h.online(hA);
        assert.deepEqual(online, [{ username: 'messi', userdetail: { nama: 'Lionel Messi', negara: 'Argentina' } }]);
        assert.deepEqual((await raw.ask(`online ${tm}`)).users, [
          { username: 'henderson', userdetail: { nama: 'Jordan Henderson', negara: 'Inggris' } },
        ], 'two sessions, listed once');
        raw.close();
        h.close();
      });
      it('an open connection keeps its user online past the window; closing it ends that after the window', async () => {
        const w = await fresh();
        const watcher = await w.auth('henderson', 'surabaya');
        const raw = await RawClient.connect(ps.port);
        const t = String((await raw.ask('auth lineker surabaya')).tokenid);
        await raw.ask(`inbox ${t}`);
        await new Promise((r) => setTimeout(r, 1600)); // longer than the 1 s window, connection still open
        assert.ok((await w.online(watcher)).some((u) => u.username === 'lineker'), 'held online by the open connection');
        raw.close();
        const closedAt = Date.now();
        while ((await w.online(watcher)).some((u) => u.username === 'lineker')) {
          assert.ok(Date.now() - closedAt < 5000, 'still online long after the connection closed');
          await new Promise((r) => setTimeout(r, 100));
        }
        w.close();
      });
      it('logout takes a user offline at once', async () => {
        const w = await fresh();
        const watcher = await w.auth('henderson', 'surabaya');
        const other = await fresh();
        const t = await other.auth('lineker', 'surabaya');
        assert.ok((await w.online(watcher)).some((u) => u.username === 'lineker'));
        await other.logout(t);
        assert.ok(!(await w.online(watcher)).some((u) => u.username === 'lineker'));
        w.close();
        other.close();
      });
      it('users lists everyone else with an online flag', async () => {
        const w = await fresh();
        const m = await w.auth('messi', 'surabaya');
        const other = await fresh();
        await other.auth('lineker', 'surabaya');
        // Stores with sync add the conversation state to each entry (test/server/sync.test.ts).
        const users = (await w.users(m)).map(({ unread: _u, last_id: _l, ...rest }) => rest);
        assert.deepEqual(users, [
          { username: 'henderson', userdetail: { nama: 'Jordan Henderson', negara: 'Inggris' }, online: users[0]!.online },
          { username: 'lineker', userdetail: { nama: 'Gary Lineker', negara: 'Inggris' }, online: true },
        ]);
        w.close();
        other.close();
      });
    });

    describe('malformed requests', () => {
      for (const line of ['bogus', 'AUTH messi surabaya', 'auth messi', 'auth messi surabaya extra', 'send', 'inbox', '']) {
        it(`${JSON.stringify(line)} answers Protocol Tidak Benar and the connection stays usable`, async () => {
          assert.deepEqual(await c.requestLine(line + '\r\n'), { status: 'ERROR', message: Errors.badProtocol });
          assert.equal((await c.request(['auth', 'messi', 'surabaya'])).status, 'OK');
        });
      }
    });
  });
}
