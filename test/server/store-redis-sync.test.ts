// The Redis store's sync half: a namespace of key layout 2 brought to layout
// 3 (event logs, conversations, read markers for what was received, unread
// counts), and read-marker events sharing the message id sequence.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/server/store/redis.js';
import { SEARCH_SCAN_CAP } from '../../src/server/store/redis-sync.js';
import { searchWords } from '../../src/server/store/sync-types.js';
import { redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';
import { addUsers, POLICY, sendAs, T0 } from '../helpers/stores.js';

describe('Redis sync store', { skip: redisSkip() }, () => {
  let redis: RedisServer;
  let raw: Redis;
  const stores: RedisStore[] = [];
  const open = async (prefix: string): Promise<RedisStore> => {
    const s = await RedisStore.open(redis.url, POLICY, { prefix });
    stores.push(s);
    return s;
  };
  before(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
  });
  after(async () => {
    for (const s of stores) await s.close();
    raw?.disconnect();
    await redis?.stop();
  });

  test('a namespace of layout 2 is migrated in slices: received messages count as read, the rest as unread', async () => {
    const P = '{mig}:';
    const s = await open('mig');
    const [alice, bob, carol] = await addUsers(s, 'alice', 'bob', 'carol');
    const m1 = await sendAs(s, bob!, alice!, 'Selamat pagi, Alice', T0);
    await s.ackInbox(alice!.id, m1.id, 10);
    const m2 = await sendAs(s, bob!, alice!, 'Apa kabar?', T0);
    const m3 = await sendAs(s, alice!, bob!, 'PAGI juga', T0);
    // Enough messages for several migration slices.
    let lastToCarol = 0;
    for (let i = 0; i < 1100; i++) lastToCarol = (await sendAs(s, alice!, carol!, `isi ${i}`, T0)).id;
    await s.close();
    // What layout 3 added goes: the namespace is as layout 2 left it.
    const ids = [alice!.id, bob!.id, carol!.id];
    await raw.del(...ids.flatMap((id) => ['ev', 'rm', 'unread', 'last'].map((k) => `${P}${k}:${id}`)));
    await raw.set(`${P}schema`, '2');

    const [a, b] = await Promise.all([open('mig'), open('mig')]);
    assert.equal(await raw.get(`${P}schema`), '4');
    const conv = await b.sync.conversations(alice!.id);
    assert.deepEqual(conv.byPeer.get('bob'), { unread: 1, lastId: m3.id });
    assert.deepEqual(conv.byPeer.get('carol'), { unread: 0, lastId: lastToCarol });
    assert.equal(conv.next, lastToCarol);
    assert.deepEqual((await a.sync.conversations(bob!.id)).byPeer.get('alice'), { unread: 1, lastId: m3.id });

    const forBob = await a.sync.changes(bob!.id, 0, 500);
    assert.deepEqual(forBob.messages.map((m) => m.msg), ['Selamat pagi, Alice', 'Apa kabar?', 'PAGI juga']);
    assert.equal(forBob.next, m3.id);
    assert.equal(forBob.read.size, 0, 'migrated markers are not new events');
    const page = await a.sync.changes(alice!.id, 0, 500);
    assert.equal(page.messages.length, 500);
    assert.equal(page.next, page.messages[499]!.id);
    assert.ok(page.messages.every((m, i) => i === 0 || m.id > page.messages[i - 1]!.id));

    // m1 was received, so the marker already stands there; raising it to m2 marks m2 received.
    assert.equal(await a.sync.setReadMarker(alice!.id, 'alice', bob!.id, m1.id), 0);
    const ev = await a.sync.setReadMarker(alice!.id, 'alice', bob!.id, m2.id);
    assert.equal(ev, lastToCarol + 1, 'the marker change takes the next message id');
    assert.deepEqual(await b.claimInbox(alice!.id, 'c1', 10, T0, T0 + 60_000), []);
    assert.deepEqual((await b.sync.conversations(alice!.id)).byPeer.get('bob'), { unread: 0, lastId: m3.id });
    const after = await b.sync.changes(alice!.id, lastToCarol, 500);
    assert.deepEqual(after, { messages: [], read: new Map([['bob', m2.id]]), next: ev });
    assert.deepEqual((await b.sync.search(alice!.id, null, 10, searchWords('pagi'))).map((m) => m.id), [m1.id, m3.id]);
  });

  test('a marker is never lowered, is capped at the highest id, and a message after it is unread', async () => {
    const s = await open('caps');
    const [alice, bob] = await addUsers(s, 'alice', 'bob');
    const m1 = await sendAs(s, bob!, alice!, 'satu', T0);
    const ev = await s.sync.setReadMarker(alice!.id, 'alice', bob!.id, 1_000_000);
    assert.equal(ev, m1.id + 1);
    assert.deepEqual((await s.sync.changes(alice!.id, m1.id, 500)).read, new Map([['bob', m1.id]]), 'capped at the highest id');
    assert.equal(await s.sync.setReadMarker(alice!.id, 'alice', bob!.id, m1.id - 1), 0, 'never lowered');
    const m2 = await sendAs(s, bob!, alice!, 'dua', T0);
    assert.equal(m2.id, ev + 1);
    assert.deepEqual((await s.sync.conversations(alice!.id)).byPeer.get('bob'), { unread: 1, lastId: m2.id });
    assert.deepEqual((await s.sync.conversations(bob!.id)).byPeer.get('alice'), { unread: 0, lastId: m2.id });
  });

  test('retention takes deleted messages out of the event logs, unread counts and conversations', async () => {
    const s = await open('ret');
    const [alice, bob, carol] = await addUsers(s, 'alice', 'bob', 'carol');
    await sendAs(s, bob!, alice!, 'lama satu', T0);
    await sendAs(s, bob!, alice!, 'lama dua', T0);
    await sendAs(s, carol!, alice!, 'lama tiga', T0);
    const fresh = await sendAs(s, bob!, alice!, 'baru', T0 + 86_400_000);
    assert.equal(await s.deleteMessagesBefore(new Date(T0 + 3_600_000).toISOString(), 100), 3);
    const conv = await s.sync.conversations(alice!.id);
    assert.deepEqual(conv.byPeer.get('bob'), { unread: 1, lastId: fresh.id });
    assert.equal(conv.byPeer.has('carol'), false, 'no message of the conversation is left');
    assert.deepEqual((await s.sync.changes(alice!.id, 0, 500)).messages.map((m) => m.msg), ['baru']);
    assert.deepEqual(await raw.zrange('{ret}:ev:' + bob!.id, 0, -1), [String(fresh.id)]);
  });

  test('search looks at no more than the cap of messages per request; a request from further back finds older ones', async () => {
    const s = await open('cap');
    const [alice, bob] = await addUsers(s, 'alice', 'bob');
    const needle = await sendAs(s, bob!, alice!, 'Jarum di tumpukan JERAMI', T0);
    // Exactly the cap of newer messages, written in parallel batches.
    for (let i = 0; i < SEARCH_SCAN_CAP; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, k) => sendAs(s, alice!, bob!, `jerami ${i + k}`, T0)));
    }
    const words = searchWords('jarum jerami');
    assert.deepEqual(await s.sync.search(alice!.id, null, 10, words), [], 'the needle is older than the newest cap messages');
    const started = Date.now();
    const newest = await s.sync.search(alice!.id, null, 5, searchWords('jerami'));
    assert.equal(newest.length, 5);
    assert.ok(Date.now() - started < 5_000);
    // Below the needle's successor the walk starts right at it.
    assert.deepEqual((await s.sync.search(alice!.id, needle.id + 1, 10, words)).map((m) => m.id), [needle.id]);
    assert.deepEqual((await s.sync.search(bob!.id, needle.id + 2, 10, words)).map((m) => m.id), [needle.id]);
  });
});
