// What only the Redis store has to prove: several nodes on one Redis at once,
// keys that expire by themselves, a Redis that dies or is not there. The
// shared contract is in store.test.ts and store-messages.test.ts.

import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Message } from '../../src/protocol.js';
import { parseRedisUrl, redactUrl } from '../../src/server/store/redis-connect.js';
import { RedisStore } from '../../src/server/store/redis.js';
import { ADD_MESSAGE } from '../../src/server/store/redis-scripts-messages.js';
import type { SessionPolicy } from '../../src/server/store/types.js';
import { redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';
import { addUsers, login, sendAs, type TestAccount } from '../helpers/stores.js';

const POLICY: SessionPolicy = { idleLifetimeMs: 60_000, presenceWindowMs: 30_000 };
const T0 = Date.UTC(2026, 0, 1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('redis store: URLs', () => {
  test('parses host, port, db, TLS and credentials', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6390/3'), {
      host: '127.0.0.1', port: 6390, db: 3, tls: false, username: undefined, password: undefined,
    });
    assert.deepEqual(parseRedisUrl('rediss://u:p%40ss@cache.example:7000'), {
      host: 'cache.example', port: 7000, db: 0, tls: true, username: 'u', password: 'p@ss',
    });
    assert.equal(parseRedisUrl('redis://[::1]').host, '::1');
    assert.equal(parseRedisUrl('redis://localhost').port, 6379);
  });

  for (const [url, why] of [
    ['localhost:6379', 'the scheme must be redis://'],
    ['http://localhost:6379', 'the scheme must be redis://'],
    ['redis://localhost:6379/x', 'the path must be a database number'],
    ['redis://:secret@localhost:6379/x', 'the path must be a database number'],
  ] as const) {
    test(`rejects ${redactUrl(url)} in one line without the password`, () => {
      assert.throws(() => parseRedisUrl(url), (err: Error) => {
        assert.match(err.message, new RegExp(why.replace(/[/.]/g, '\\$&')));
        assert.doesNotMatch(err.message, /secret|\n/);
        return true;
      });
    });
  }
});

describe('redis store: opening fails in one line', { skip: redisSkip() }, () => {
  test('open fails at once with one clear line', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const started = Date.now();
    await assert.rejects(RedisStore.open(`redis://127.0.0.1:${port}`, POLICY), {
      message: `cannot reach Redis at 127.0.0.1:${port}: connection refused`,
    });
    assert.ok(Date.now() - started < 3000, 'no endless retries');
  });

  test('a wrong or missing password fails in one line that does not show it', async () => {
    const server = await startRedis({ args: ['--requirepass', 'sekrit'] });
    try {
      const where = `127.0.0.1:${server.port}`;
      for (const url of [server.url, server.url.replace('//', '//:wrong-pw@')]) {
        await assert.rejects(RedisStore.open(url, POLICY), {
          message: `cannot reach Redis at ${where}: authentication failed (check the password in the URL)`,
        });
      }
      const store = await RedisStore.open(server.url.replace('//', '//:sekrit@'), POLICY);
      assert.equal(await store.countUsers(), 0);
      await store.close();
    } finally {
      await server.stop();
    }
  });
});

describe('redis store: nodes sharing one Redis', { skip: redisSkip() }, () => {
  let server: RedisServer;
  let raw: Redis;
  // Every store a test opens is closed after it, pass or fail: a client left
  // open would keep reconnecting and the test process would never exit.
  const opened: RedisStore[] = [];
  before(async () => {
    server = await startRedis();
    raw = new Redis(server.url);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  after(async () => {
    raw?.disconnect();
    await server?.stop();
  });

  async function open(policy: SessionPolicy, prefix: string): Promise<RedisStore> {
    const store = await RedisStore.open(server.url, policy, { prefix });
    opened.push(store);
    return store;
  }

  /** Two nodes on a fresh namespace of the shared server. */
  async function twoNodes(policy = POLICY): Promise<{ a: RedisStore; b: RedisStore; prefix: string }> {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    return { a: await open(policy, prefix), b: await open(policy, prefix), prefix };
  }

  test('concurrent sends and claims for one user on two nodes lose and duplicate nothing', async () => {
    const { a, b } = await twoNodes();
    const [alice, bob, carol] = await addUsers(a, 'alice', 'bob', 'carol');
    const sent: Message[] = [];
    const delivered: number[] = [];
    let sending = true;
    const sender = async (node: RedisStore, from: typeof alice, n: number): Promise<void> => {
      let last = 0;
      for (let i = 0; i < n; i++) {
        const m = await sendAs(node, from!, bob!, `${from!.username} ${i}`, Date.now());
        assert.ok(m.id > last, 'ids from one node increase');
        last = m.id;
        sent.push(m);
      }
    };
    const deadline = Date.now() + 15_000;
    const claimer = async (node: RedisStore, tag: string): Promise<void> => {
      for (let round = 0; ; round++) {
        if (Date.now() > deadline) throw new Error('the inbox never drained');
        const done = !sending;
        const claimId = `${tag}-${round}`;
        const now = Date.now();
        const got = await node.claimInbox(bob!.id, claimId, 7, now, now + 60_000);
        // Every third claim is "not delivered": its messages must come back for another claim.
        const ok = round % 3 !== 0;
        await node.settleClaim(bob!.id, claimId, ok);
        if (ok) delivered.push(...got.map((m) => m.id));
        if (done && got.length === 0) return;
      }
    };
    const sends = Promise.all([sender(a, alice, 150), sender(b, carol, 150), sender(b, alice, 100)]).finally(() => {
      sending = false;
    });
    await Promise.all([sends, claimer(a, 'a1'), claimer(a, 'a2'), claimer(b, 'b1'), claimer(b, 'b2')]);
    const sentIds = sent.map((m) => m.id).sort((x, y) => x - y);
    assert.equal(new Set(sentIds).size, 400, 'ids unique across nodes');
    assert.deepEqual([...delivered].sort((x, y) => x - y), sentIds, 'each message delivered exactly once');
    assert.deepEqual(await b.ackInbox(bob!.id, 0, 500), [], 'nothing left waiting');
  });

  test('concurrent acknowledgements on two nodes settle every message once', async () => {
    const { a, b } = await twoNodes();
    const [alice, bob] = (await addUsers(a, 'alice', 'bob')) as [TestAccount, TestAccount];
    const ids: number[] = [];
    for (let i = 0; i < 60; i++) ids.push((await sendAs(i % 2 ? a : b, alice, bob, `m${i}`, Date.now())).id);
    // Both nodes acknowledge overlapping ranges at once, as a client retrying through a balancer would.
    const acks = await Promise.all(ids.map((id, i) => (i % 2 ? a : b).ackInbox(bob.id, id, 500)));
    for (const [i, rest] of acks.entries()) assert.ok(rest.every((m) => m.id > ids[i]!));
    assert.deepEqual(await a.ackInbox(bob.id, 0, 500), []);
    assert.deepEqual(await a.claimInbox(bob.id, 'late', 500, Date.now(), Date.now() + 1000), []);
  });

  test('a dead node leaves no one online past the presence window', async () => {
    const { a, b } = await twoNodes();
    const [alice] = await addUsers(a, 'alice', 'bob');
    const t = Date.now();
    await login(a, 'tok-a', 'alice', t);
    assert.deepEqual(await a.holdPresence([{ userId: alice!.id, token: 'tok-a' }], t + 10_000), []);
    assert.deepEqual((await b.onlineUsers(t + 39_000)).map((u) => u.username), ['alice']);
    // Node a dies without releasing: it simply stops holding, and its last hold runs out.
    await a.close();
    assert.deepEqual(await b.onlineUsers(t + 41_000), []);
    assert.equal((await b.useSession('tok-a', t + 41_000))?.username, 'alice', 'the session itself lives on');
    assert.deepEqual((await b.onlineUsers(t + 42_000)).map((u) => u.username), ['alice']);
  });

  test('an account is online while any node holds it or a session is in its window; small moves write nothing', async () => {
    const { a, b, prefix } = await twoNodes();
    const [alice] = (await addUsers(a, 'alice')) as [TestAccount];
    const t = T0;
    await login(a, 's1', 'alice', t);
    await login(b, 's2', 'alice', t);
    await a.holdPresence([{ userId: alice.id, token: 's1' }], t + 20_000);
    await b.holdPresence([{ userId: alice.id, token: 's2' }], t + 5_000);
    // Node b's last connection for alice closes: its hold ends, node a's does not.
    await b.releasePresence(alice.id, t + 10_000);
    assert.deepEqual((await b.onlineUsers(t + 45_000)).map((u) => u.username), ['alice'], 'held by node a until 50 s');
    await a.releasePresence(alice.id, t + 20_000);
    assert.deepEqual(await a.onlineUsers(t + 31_000), [], 'both released, and the window after the last use is over');
    await a.useSession('s2', t + 40_000);
    assert.deepEqual((await b.onlineUsers(t + 41_000)).map((u) => u.username), ['alice']);
    await b.endSession('s2');
    assert.deepEqual(await a.onlineUsers(t + 41_000), [], 'the session in its window ended');
    // A use less than a second after the last written one writes nothing.
    const key = `{${prefix}}:s:${createHash('sha256').update('s1').digest('hex')}`;
    assert.deepEqual(await a.useSession('s1', t + 30_500), { userId: alice.id, username: 'alice', lastUsedAt: t + 30_500 });
    assert.equal(await raw.hget(key, 'used'), String(t + 30_500));
    await b.useSession('s1', t + 31_000);
    assert.equal(await raw.hget(key, 'used'), String(t + 30_500), 'not written');
    await b.useSession('s1', t + 31_600);
    assert.equal(await raw.hget(key, 'used'), String(t + 31_600));
  });

  test('a session key expires by itself after the idle lifetime, and each use extends it', async () => {
    const idle = 1000;
    const { a, b, prefix } = await twoNodes({ idleLifetimeMs: idle, presenceWindowMs: 100 });
    await addUsers(a, 'alice');
    const created = Date.now();
    await login(a, 'kept', 'alice', created);
    await login(a, 'idle', 'alice', created);
    const sessionKeys = async (): Promise<number> => (await raw.keys(`{${prefix}}:s:*`)).length;
    assert.equal(await sessionKeys(), 2);
    for (const key of await raw.keys(`{${prefix}}:s:*`)) {
      const ttl = await raw.pttl(key);
      assert.ok(ttl > 0 && ttl <= idle, `ttl ${ttl}`);
    }
    // Use 'kept' well within its lifetime until Redis has dropped 'idle' by itself.
    let gone = 0;
    while (gone === 0 && Date.now() - created < 5000) {
      await sleep(250);
      assert.equal((await b.useSession('kept', Date.now()))?.username, 'alice', 'a used session lives on');
      if ((await sessionKeys()) === 1) gone = Date.now();
    }
    assert.ok(gone > 0, 'the idle session key expired');
    assert.ok(gone - created >= idle - 50, `not before its lifetime (${gone - created} ms)`);
    assert.equal(await b.useSession('idle', Date.now()), null);
    assert.equal((await a.useSession('kept', Date.now()))?.username, 'alice');
  });

  test('tokens are stored only as hashes, and every key carries the namespace tag', async () => {
    const { a, prefix } = await twoNodes();
    const [alice, bob] = (await addUsers(a, 'alice', 'bob')) as [TestAccount, TestAccount];
    const token = randomUUID();
    await login(a, token, 'alice', Date.now());
    await sendAs(a, alice, bob, 'hi', Date.now());
    const keys = await raw.keys(`*${prefix}*`);
    assert.ok(keys.length > 5);
    for (const key of keys) {
      assert.ok(key.startsWith(`{${prefix}}:`), key);
      assert.ok(!key.includes(token), 'no key holds the token');
      const type = await raw.type(key);
      const dump = type === 'string' ? await raw.get(key) : type === 'hash' ? JSON.stringify(await raw.hgetall(key))
        : type === 'set' ? JSON.stringify(await raw.smembers(key)) : JSON.stringify(await raw.zrange(key, 0, -1));
      assert.ok(!String(dump).includes(token), `no value holds the token (${key})`);
    }
  });

  test('data of layout 1 (accounts by name) is migrated at open, once, by two nodes starting together', async () => {
    const prefix = `m${randomUUID().slice(0, 8)}`;
    const P = `{${prefix}}:`;
    const ts = new Date(T0).toISOString();
    const body = (id: number, from: string, to: string, msg: string) =>
      JSON.stringify({ msg_from: `Nama ${from}`, msg_to: `Nama ${to}`, msg, id, sender: from, recipient: to, ts });
    const th = createHash('sha256').update('tok-a').digest('hex');
    const now = Date.now();
    await raw.multi()
      .set(`${P}next`, 3)
      .zadd(`${P}users`, 0, 'alice', 0, 'bob')
      .hset(`${P}profiles`, 'alice', JSON.stringify(['Nama alice', 'Negara alice']), 'bob', JSON.stringify(['Nama bob', 'Negara bob']))
      .hset(`${P}pw`, 'alice', 'hash-alice', 'bob', 'hash-bob')
      .set(`${P}m:1`, body(1, 'alice', 'bob', 'hello bob'))
      .set(`${P}m:2`, body(2, 'bob', 'alice', 'hi alice'))
      .set(`${P}m:3`, body(3, 'ghost', 'alice', 'boo'))
      .zadd(`${P}q:alice`, 2, 2)
      .hset(`${P}l:alice`, 2, `${now + 60_000} some-claim`)
      .zadd(`${P}h:alice:bob`, 1, 1, 2, 2)
      .zadd(`${P}h:alice:ghost`, 3, 3)
      .hset(`${P}s:${th}`, 'u', 'alice', 'used', now, 'pu', now + 30_000)
      .sadd(`${P}us:alice`, th)
      .zadd(`${P}present`, now + 30_000, 'alice')
      .exec();

    const [a, b] = await Promise.all([open(POLICY, prefix), open(POLICY, prefix)]);
    assert.equal(await raw.get(`${P}schema`), '4');
    const [alice, bob] = [(await a.getUser('alice'))!, (await b.getUser('bob'))!];
    assert.deepEqual(alice, { id: alice.id, username: 'alice', nama: 'Nama alice', negara: 'Negara alice', passwordHash: 'hash-alice' });
    assert.deepEqual([alice.id, bob.id].sort(), [1, 2], 'each account got one id, once');
    assert.deepEqual(await b.useSession('tok-a', now + 1000), { userId: alice.id, username: 'alice', lastUsedAt: now + 1000 });
    assert.deepEqual((await a.onlineUsers(now + 2000)).map((u) => u.username), ['alice']);
    const wire = (id: number, from: string, to: string, msg: string) => JSON.parse(body(id, from, to, msg)) as Message;
    assert.deepEqual(await a.history(alice.id, bob.id, null, 50), [wire(1, 'alice', 'bob', 'hello bob'), wire(2, 'bob', 'alice', 'hi alice')]);
    assert.deepEqual(await b.claimInbox(alice.id, 'c', 500, now, now + 1000), [], 'the lease moved with the inbox');
    assert.deepEqual(await b.ackInbox(alice.id, 0, 500), [wire(2, 'bob', 'alice', 'hi alice')]);
    assert.deepEqual(await raw.keys(`${P}h:*`), []);
    for (const key of ['q:alice', 'l:alice', 'us:alice', 'profiles', 'pw', 'migrate']) assert.equal(await raw.exists(`${P}${key}`), 0, key);
    // The message from the removed name is filed under no account; a new one by that name sees nothing.
    const [ghost] = (await addUsers(a, 'ghost')) as [TestAccount];
    assert.deepEqual(await a.history(ghost.id, alice.id, null, 50), []);
    const next = await sendAs(b, bob, alice, 'after the upgrade', now);
    assert.equal(next.id, 4);
    // Removing alice drops what waits for her, also what was stored before the upgrade.
    assert.equal(await a.removeUser('alice'), true);
    assert.equal(await raw.exists(`${P}m:2`), 0);
    assert.deepEqual((await a.history(alice.id, bob.id, null, 50)).map((m) => m.id), [1]);
    // Opening again changes nothing.
    const c = await open(POLICY, prefix);
    assert.deepEqual((await c.listUsers()).map((u) => u.username), ['bob', 'ghost']);
  });

  test('a namespace of layout 3 is marked layout 4 as it is: its data needs no change', async () => {
    const { a, prefix } = await twoNodes();
    const [alice, bob] = (await addUsers(a, 'alice', 'bob')) as [TestAccount, TestAccount];
    const m = await sendAs(a, alice, bob, 'from before', T0);
    await raw.set(`{${prefix}}:schema`, '3');
    const c = await open(POLICY, prefix);
    assert.equal(await raw.get(`{${prefix}}:schema`), '4');
    assert.deepEqual(await c.history(alice.id, bob.id, null, 10), [m]);
    assert.deepEqual((await c.listUsers()).map((u) => u.username), ['alice', 'bob']);
  });

  test('a namespace of a newer layout is refused, untouched', async () => {
    const prefix = `n${randomUUID().slice(0, 8)}`;
    await raw.set(`{${prefix}}:schema`, '9');
    await assert.rejects(open(POLICY, prefix), /has key layout 9, newer than this chatbox understands/);
    assert.equal(await raw.get(`{${prefix}}:schema`), '9');
  });

  test('a send re-run with the same request id (a command re-sent after a lost reply) stores nothing twice', async () => {
    const { a, prefix } = await twoNodes();
    const [alice, bob] = (await addUsers(a, 'alice', 'bob')) as [TestAccount, TestAccount];
    const args = [1, `{${prefix}}:`, 'req-1', alice.id, 'bob', JSON.stringify('once'), new Date(T0).toISOString(), 60_000] as const;
    const first = await raw.eval(ADD_MESSAGE, ...args);
    const again = await raw.eval(ADD_MESSAGE, ...args);
    assert.equal(again, first);
    assert.deepEqual((await a.history(alice.id, bob.id, null, 50)).map((m) => m.msg), ['once']);
    assert.deepEqual((await a.ackInbox(bob.id, 0, 50)).map((m) => m.msg), ['once']);
  });

  test('two prefixes on one Redis are two separate installs', async () => {
    const one = await open(POLICY, `x${randomUUID().slice(0, 8)}`);
    const two = await open(POLICY, `y${randomUUID().slice(0, 8)}`);
    await addUsers(one, 'alice');
    assert.equal(await two.getUser('alice'), null);
    assert.equal(await two.countUsers(), 0);
    await one.close();
    await assert.rejects(one.countUsers(), /the store is closed/);
  });
});

describe('redis store: Redis going away', { skip: redisSkip() }, () => {
  test('with appendfsync always, SIGKILL loses no acknowledged message', async () => {
    const server = await startRedis({ appendfsync: 'always' });
    const stores: RedisStore[] = [];
    try {
      const before = await RedisStore.open(server.url, POLICY);
      stores.push(before);
      const [alice, bob, carol] = (await addUsers(before, 'alice', 'bob', 'carol')) as [TestAccount, TestAccount, TestAccount];
      const acked = await Promise.all(Array.from({ length: 200 }, (_, i) => sendAs(before, i % 2 ? alice : carol, bob, `m${i}`, Date.now())));
      await before.ackInbox(bob.id, acked[49]!.id, 0);
      server.kill();
      await server.restart();
      const store = await RedisStore.open(server.url, POLICY);
      stores.push(store);
      const waiting = await store.ackInbox(bob.id, 0, 500);
      assert.deepEqual(waiting, acked.slice(50), 'the 150 not received are all still waiting, whole');
      const fromAlice = await store.history(alice.id, bob.id, null, 500);
      assert.deepEqual(fromAlice, acked.filter((m) => m.sender === 'alice'));
      const next = await sendAs(store, alice, bob, 'after restart', Date.now());
      assert.ok(next.id > acked[199]!.id, 'ids keep increasing after a restart');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await server.stop();
    }
  });

  test('while Redis is down commands fail within the timeout, and work again once it is back', async () => {
    // Killed, not stopped: only fsync on every write promises the users survive it.
    const server = await startRedis({ appendfsync: 'always' });
    const lines: string[] = [];
    let store: RedisStore | undefined;
    try {
      store = await RedisStore.open(server.url, POLICY, { commandTimeoutMs: 1000, log: (l) => lines.push(l) });
      const [alice] = await addUsers(store, 'alice', 'bob');
      server.kill();
      const started = Date.now();
      await assert.rejects(store.sendMessage(alice!.id, 'bob', 'into the void', Date.now()), /^Error: Redis is unavailable: /);
      assert.ok(Date.now() - started < 5000, 'a command fails rather than hangs');
      await server.restart();
      // Reconnecting backs off up to 2 s between attempts.
      let count: number | null = null;
      for (const deadline = Date.now() + 10_000; count === null && Date.now() < deadline; ) {
        count = await store.countUsers().catch(() => null);
        if (count === null) await sleep(100);
      }
      assert.equal(count, 2, 'appendonly kept the users across the restart');
      assert.match(lines[0] ?? '', /^redis: lost connection to 127\.0\.0\.1:\d+: /);
      assert.equal(lines.length, 2, 'one line down, one line back, however many retries');
    } finally {
      await store?.close();
      await server.stop();
    }
  });
});
