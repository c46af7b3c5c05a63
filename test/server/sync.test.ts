// Live sync, read markers, unread counts and presence versions, end to end
// over real sockets, on every store.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient, ChatError } from '../../src/client.js';
import { Errors } from '../../src/protocol.js';
import { backends } from '../helpers/backends.js';
import { RawClient, type TestServer } from '../helpers/server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function rejectsWith(p: Promise<unknown>, text: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof ChatError && err.code === text);
}

for (const backend of backends) {
  describe(`sync on ${backend.name}`, { skip: backend.skip() }, () => {
    let server: TestServer;
    const clients: ChatClient[] = [];
    const raws: RawClient[] = [];
    const connect = async (): Promise<ChatClient> => {
      const client = await ChatClient.connect({ port: server.port });
      clients.push(client);
      return client;
    };

    before(async () => {
      server = await backend.start({ args: ['--presence-window', '1s', '--presence-wake', '200ms'] });
    });
    after(async () => {
      for (const client of clients) client.destroy();
      for (const r of raws) r.close();
      await server?.stop();
    });

    it('returns the caller\'s own messages sent from another session, and messages to it, oldest first', async () => {
      const c = await connect();
      const phone = await c.auth('messi', 'surabaya');
      const laptop = await c.auth('messi', 'surabaya');
      const hend = await c.auth('henderson', 'surabaya');
      const start = (await c.sync(laptop, 0)).next;
      await c.send(phone, 'henderson', 'dari ponsel');
      await c.send(hend, 'messi', 'balasan');
      const r = await c.sync(laptop, start);
      assert.deepEqual(r.messages.map((m) => [m.sender, m.recipient, m.msg]), [
        ['messi', 'henderson', 'dari ponsel'],
        ['henderson', 'messi', 'balasan'],
      ]);
      assert.ok(r.messages[0]!.id < r.messages[1]!.id);
      assert.equal(r.next, r.messages[1]!.id);
      assert.ok(Number.isInteger(r.presence));
      // Nothing new: the cursor stays where it is, so nothing is skipped.
      const again = await c.sync(laptop, r.next);
      assert.deepEqual(again.messages, []);
      assert.equal(again.next, r.next);
      // Sync marks nothing received: the plain inbox still has the message.
      const inbox = await c.inbox(phone);
      assert.deepEqual(inbox.henderson?.map((m) => m.msg), ['balasan']);
    });

    it('a waiting sync wakes when a message for the caller is stored', async () => {
      const c = await connect();
      const poll = await connect();
      const messi = await c.auth('messi', 'surabaya');
      const line = await c.auth('lineker', 'surabaya');
      let { next } = await c.sync(line, 0);
      // Keep waiting (a change of presence also answers a waiting sync) until the message comes.
      const waiting = (async () => {
        for (;;) {
          const r = await poll.sync(line, next, 20_000);
          if (r.messages.length > 0) return { r, at: Date.now() };
          next = r.next;
        }
      })();
      await sleep(300);
      const sentAt = Date.now();
      await c.send(messi, 'lineker', 'bangun');
      const { r, at } = await waiting;
      assert.deepEqual(r.messages.map((m) => m.msg), ['bangun']);
      assert.ok(at - sentAt < 5_000, 'woken by the message, not by the time running out');
    });

    it('a waiting sync answers empty once its time runs out, with the cursor unchanged', async () => {
      const c = await connect();
      const t = await c.auth('henderson', 'surabaya');
      const { next } = await c.sync(t, 0);
      const started = Date.now();
      const r = await c.sync(t, next, 300);
      assert.ok(Date.now() - started >= 250);
      assert.deepEqual(r.messages, []);
      assert.equal(r.read.size, 0);
      assert.ok(r.next >= next);
    });

    it('read clears unread for every session, stops plain inbox returning those messages, and wakes the other session\'s sync', async () => {
      const c = await connect();
      const poll = await connect();
      const messi = await c.auth('messi', 'surabaya');
      const a = await c.auth('lineker', 'surabaya');
      const b = await c.auth('lineker', 'surabaya');
      await c.inbox(a);
      const before = (await c.directory(b)).users.find((u) => u.username === 'messi')!.unread!;
      await c.send(messi, 'lineker', 'satu');
      await c.send(messi, 'lineker', 'dua');
      const dir = await c.directory(b);
      const entry = dir.users.find((u) => u.username === 'messi')!;
      assert.equal(entry.unread, before + 2);
      assert.ok(entry.last_id! > 0);
      assert.ok(dir.next >= entry.last_id!);
      assert.ok(Number.isInteger(dir.presence));
      let cursor = dir.next;
      const waiting = (async () => {
        for (;;) {
          const r = await poll.sync(b, cursor, 20_000);
          if (r.read.size > 0 || r.messages.length > 0) return r;
          cursor = r.next;
        }
      })();
      await sleep(200);
      await c.read(a, 'messi', entry.last_id!);
      const r = await waiting;
      assert.deepEqual([...r.read], [['messi', entry.last_id]]);
      assert.ok(r.next > entry.last_id!, 'the marker change took an id of its own');
      assert.equal((await c.directory(b)).users.find((u) => u.username === 'messi')!.unread, 0);
      assert.deepEqual(Object.keys(await c.inbox(b)), []);
      // A lower marker changes nothing: no event, the marker stays.
      await c.read(a, 'messi', 1);
      const after = await c.sync(b, r.next);
      assert.equal(after.read.size, 0);
      assert.equal(after.next, r.next);
      // A new message counts as unread again.
      await c.send(messi, 'lineker', 'tiga');
      assert.equal((await c.directory(b)).users.find((u) => u.username === 'messi')!.unread, 1);
    });

    it('a marker above every id is capped at the highest id assigned', async () => {
      const c = await connect();
      const t = await c.auth('henderson', 'surabaya');
      const messi = await c.auth('messi', 'surabaya');
      const { next } = await c.sync(t, 0);
      await c.read(t, 'messi', 9_000_000_000);
      const r = await c.sync(t, next);
      const marker = r.read.get('messi')!;
      assert.ok(marker <= r.next && marker >= next);
      await c.send(messi, 'henderson', 'sesudah');
      assert.equal((await c.directory(t)).users.find((u) => u.username === 'messi')!.unread, 1);
    });

    it('answers errors as the other commands do', async () => {
      const c = await connect();
      const t = await c.auth('messi', 'surabaya');
      const raw = await RawClient.connect(server.port);
      raws.push(raw);
      for (const line of [`sync ${t}`, `sync ${t} x`, `sync ${t} -1`, `sync ${t} 1 2 3`, `sync ${t} 1 1.5`, `read ${t} henderson`, `read ${t} henderson x`, `online ${t} x`, `online ${t} 1 2`]) {
        assert.deepEqual(await raw.ask(line), { status: 'ERROR', message: Errors.badProtocol }, line);
      }
      assert.deepEqual(await raw.ask('sync 00000000-0000-4000-8000-000000000000 0'), { status: 'ERROR', message: Errors.noSession });
      await rejectsWith(c.read(t, 'nobody', 1), Errors.noDestination);
      await rejectsWith(c.read(t, 'bad/name', 1), Errors.noDestination);
    });

    it('replies stay in order: a waiting sync holds back the replies pipelined behind it', async () => {
      const c = await connect();
      const t = await c.auth('lineker', 'surabaya');
      const { next } = await c.sync(t, 0);
      const raw = await RawClient.connect(server.port);
      raws.push(raw);
      raw.write(`sync ${t} ${next} 400\r\nonline ${t}\r\n`);
      const first = JSON.parse(await raw.frame()) as Record<string, unknown>;
      assert.ok('next' in first && Array.isArray(first.messages));
      const second = JSON.parse(await raw.frame()) as Record<string, unknown>;
      assert.ok(Array.isArray(second.users));
    });

    it('a waiting sync keeps its session online', async () => {
      const watcher = await connect();
      const w = await watcher.auth('messi', 'surabaya');
      const raw = await RawClient.connect(server.port);
      raws.push(raw);
      const fresh = await connect();
      const t = await fresh.auth('henderson', 'surabaya');
      fresh.destroy();
      // A new connection whose first request is a long sync: its session stays online past the 1 s window.
      raw.write(`sync ${t} 999999999 3000\r\n`);
      await sleep(1800);
      assert.ok((await watcher.online(w)).some((u) => u.username === 'henderson'));
      await raw.frame();
    });

    it('online carries a presence version and answers unchanged for it', async () => {
      // Everyone from the tests before goes offline (1 s window) but messi.
      for (const client of clients.splice(0)) client.destroy();
      for (const r of raws.splice(0)) r.close();
      await sleep(2500);
      const c = await connect();
      const t = await c.auth('messi', 'surabaya');
      const plain = await RawClient.connect(server.port);
      raws.push(plain);
      assert.ok(!('presence' in (await plain.ask(`online ${t}`))), 'the original form answers as it always did');
      const first = await c.onlineSince(t, 0);
      assert.ok(first.users !== null);
      const same = await c.onlineSince(t, first.presence);
      assert.deepEqual(same, { users: null, presence: first.presence });
      const raw = await RawClient.connect(server.port);
      raws.push(raw);
      assert.equal(await (raw.write(`online ${t} ${first.presence}\r\n`), raw.frame()), `{"status": "OK", "unchanged": true, "presence": ${first.presence}}`);
      // A user coming online changes it, and a waiting sync hears of it.
      const poll = await connect();
      const { next } = await poll.sync(t, 0);
      const waiting = poll.sync(t, next, 20_000);
      await sleep(100);
      const c2 = await connect();
      await c2.auth('lineker', 'surabaya');
      const r = await waiting;
      assert.deepEqual(r.messages, []);
      const later = await c.onlineSince(t, first.presence);
      assert.notEqual(later.presence, first.presence);
      assert.ok(later.users !== null);
      assert.equal(r.presence, later.presence);
    });
  });
}

for (const backend of backends) describe(`sync ids under load on ${backend.name}`, { skip: backend.skip() }, () => {
  let server: TestServer;
  const clients: ChatClient[] = [];
  after(async () => {
    for (const c of clients) c.destroy();
    await server?.stop();
  });

  it('a reader following sync never sees a smaller id after a larger one while many connections send and mark read', async () => {
    server = await backend.start();
    const connect = async (): Promise<ChatClient> => {
      const c = await ChatClient.connect({ port: server.port });
      clients.push(c);
      return c;
    };
    const reader = await connect();
    const hend = await reader.auth('henderson', 'surabaya');
    let cursor = (await reader.sync(hend, 0)).next;
    const senders = await Promise.all(Array.from({ length: 8 }, () => connect()));
    const tokens = await Promise.all(senders.map((s, i) => s.auth(i % 2 ? 'messi' : 'lineker', 'surabaya')));
    const marker = await connect();
    const hend2 = await marker.auth('henderson', 'surabaya');
    let sending = true;
    const seen: number[] = [];
    const follow = (async () => {
      while (sending || seen.length < 8 * 40) {
        const r = await reader.sync(hend, cursor, 2000);
        for (const m of r.messages) seen.push(m.id);
        assert.ok(r.next >= cursor, 'the cursor never goes back');
        cursor = r.next;
        if (!sending && r.messages.length === 0) break;
      }
    })();
    await Promise.all([
      ...senders.map(async (s, i) => {
        for (let k = 0; k < 40; k++) await s.send(tokens[i]!, 'henderson', `m${i}-${k}`);
      }),
      (async () => {
        for (let k = 0; k < 20; k++) await marker.read(hend2, k % 2 ? 'messi' : 'lineker', cursor);
      })(),
    ]);
    sending = false;
    await follow;
    assert.equal(seen.length, 8 * 40);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `id ${seen[i]} after ${seen[i - 1]}`);
  });
});
