// A dropped link between a node and Redis: Redis ran the command, its answer
// never came back. Whatever the client library or the store does next, the
// command must not count twice, and a failure must be a clean error.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Message } from '../../src/protocol.js';
import { answerLost } from '../../src/server/store/redis-connect.js';
import { RedisStore } from '../../src/server/store/redis.js';
import * as msgLua from '../../src/server/store/redis-scripts-messages.js';
import * as userLua from '../../src/server/store/redis-scripts-users.js';
import type { SessionPolicy } from '../../src/server/store/types.js';
import { redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';
import { RedisLinkProxy, scriptMarkers } from '../helpers/redis-proxy.js';
import { profile } from '../helpers/stores.js';

const POLICY: SessionPolicy = { idleLifetimeMs: 60_000, presenceWindowMs: 30_000 };
const alice = profile('alice');
const bob = profile('bob');

/** Ids of messages, in order. */
const ids = (ms: readonly Message[]): number[] => ms.map((m) => m.id);

/** ioredis's AbortError (from redis-errors, not a dependency of ours): an Error by that name. */
const abortError = (message: string): Error => Object.assign(new Error(message), { name: 'AbortError' });

test('ioredis errors that mean the answer was lost with the connection, and no others', () => {
  assert.equal(answerLost(new Error('Connection is closed.')), true);
  assert.equal(answerLost(abortError('Command aborted due to connection close')), true);
  for (const other of [new Error('Command timed out'), new Error('NOSCRIPT No matching script'), abortError('Cluster is ended.'), 'Connection is closed.']) {
    assert.equal(answerLost(other), false, String(other));
  }
});

describe('redis store: a lost answer is never counted twice', { skip: redisSkip() }, () => {
  let server: RedisServer;
  let proxy: RedisLinkProxy;
  let direct: Redis;

  before(async () => {
    server = await startRedis();
    proxy = new RedisLinkProxy({ host: '127.0.0.1', port: server.port });
    await proxy.listen();
    direct = new Redis(server.port, '127.0.0.1');
  });
  after(async () => {
    direct?.disconnect();
    await proxy?.close();
    await server?.stop();
  });

  /** A store on its own prefix, reaching Redis through the proxy, with alice and bob. */
  async function openStore(): Promise<{ store: RedisStore; p: string; send: (text: string) => Promise<Message>; bobId: number; aliceId: number }> {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const store = await RedisStore.open(proxy.url, POLICY, { prefix, commandTimeoutMs: 4000 });
    for (const u of [alice, bob]) await store.addUser({ ...u, passwordHash: `hash-${u.username}` });
    const aliceId = (await store.getUser('alice'))!.id;
    const bobId = (await store.getUser('bob'))!.id;
    const send = async (text: string): Promise<Message> => {
      const r = await store.sendMessage(aliceId, 'bob', text, Date.now());
      assert.equal(typeof r, 'object', `stored: ${String(r)}`);
      return r as Message;
    };
    return { store, p: `{${prefix}}:`, send, aliceId, bobId };
  }

  test('a claim whose answer is lost returns the batch its claim id holds, and takes no other', async () => {
    const { store, p, send, bobId } = await openStore();
    try {
      const sent: Message[] = [];
      for (let i = 0; i < 250; i++) sent.push(await send(`m${i}`));
      // Each new connection gets the script's source once (EVAL), then its SHA: either may be cut.
      assert.deepEqual(await store.claimInbox(999_999, 'warm-up', 1, Date.now(), Date.now() + 1000), []);
      const now = Date.now();
      const cut = proxy.cutAfterNext(scriptMarkers(msgLua.CLAIM_INBOX));
      const got = await store.claimInbox(bobId, 'claim-1', 100, now, now + 60_000);
      assert.equal(await cut, true, 'the link was cut after the claim reached Redis');
      assert.deepEqual(ids(got), ids(sent.slice(0, 100)), 'the oldest 100, once');
      const leases = await direct.hgetall(`${p}lease:${bobId}`);
      const held = Object.keys(leases).map(Number).sort((a, b) => a - b);
      assert.deepEqual(held, ids(got), 'the claim holds exactly what it returned');
      await store.settleClaim(bobId, 'claim-1', true);
      const rest = await store.ackInbox(bobId, 0, 500);
      assert.deepEqual(ids(rest), ids(sent.slice(100)), 'everything not returned is still waiting');
    } finally {
      await store.close();
    }
  });

  test('a send whose answer is lost is stored once, under the id it returns', async () => {
    const { store, p, send, aliceId, bobId } = await openStore();
    try {
      await send('warm-up');
      const cut = proxy.cutAfterNext(scriptMarkers(msgLua.ADD_MESSAGE));
      const m = await send('exactly once');
      assert.equal(await cut, true, 'the link was cut after the send reached Redis');
      const history = await store.history(aliceId, bobId, null, 100);
      assert.deepEqual(history.map((x) => x.msg), ['warm-up', 'exactly once']);
      assert.equal(history[1]!.id, m.id);
      assert.equal(await direct.get(`${p}next`), String(m.id), 'no id was spent on a second copy');
      assert.deepEqual(ids(await store.ackInbox(bobId, 0, 100)), ids(history));
    } finally {
      await store.close();
    }
  });

  test('an add-user whose answer is lost fails at once, and the user exists once', async () => {
    const { store } = await openStore();
    try {
      const carol = { ...profile('carol'), passwordHash: 'hash-carol' };
      await store.addUser({ ...profile('dave'), passwordHash: 'hash-dave' });
      const cut = proxy.cutAfterNext(scriptMarkers(userLua.ADD_USER));
      const started = Date.now();
      // Not "the name is taken": that would be a false answer to a request that worked.
      await assert.rejects(store.addUser(carol), { message: 'Redis is unavailable: connection closed' });
      assert.equal(await cut, true);
      assert.ok(Date.now() - started < 3000, 'failed when the link dropped, not at the command timeout');
      assert.deepEqual({ ...(await store.getUser('carol'))!, id: 0 }, { ...carol, id: 0 });
      assert.equal(await store.countUsers(), 4);
    } finally {
      await store.close();
    }
  });
});

describe('redis scripts: a re-run changes nothing', { skip: redisSkip() }, () => {
  let server: RedisServer;
  let redis: Redis;
  type Call = (...args: (string | number)[]) => Promise<unknown>;
  let addMessage: Call;
  let claim: Call;
  let settle: Call;
  const P = '{rerun}:';

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.port, '127.0.0.1');
    redis.defineCommand('addMessage', { numberOfKeys: 1, lua: msgLua.ADD_MESSAGE });
    redis.defineCommand('claim', { numberOfKeys: 1, lua: msgLua.CLAIM_INBOX });
    redis.defineCommand('settle', { numberOfKeys: 1, lua: msgLua.SETTLE_CLAIM });
    const r = redis as unknown as Record<string, Call>;
    addMessage = (...args) => r.addMessage!(P, ...args);
    claim = (...args) => r.claim!(P, ...args);
    settle = (...args) => r.settle!(P, ...args);
  });
  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  /** The account id of `name`, added to the namespace on first use. */
  async function accountId(name: string): Promise<number> {
    const store = await RedisStore.open(`redis://127.0.0.1:${server.port}`, POLICY, { prefix: 'rerun' });
    try {
      await store.addUser({ ...profile(name), passwordHash: `hash-${name}` });
      return (await store.getUser(name))!.id;
    } finally {
      await store.close();
    }
  }
  /** Runs the add-message script as alice for `to`; the id of the message it answers with. */
  async function add(to: string, text: string, requestId: string): Promise<number> {
    const body = await addMessage(requestId, await accountId('alice'), to, JSON.stringify(text), new Date().toISOString(), 60_000);
    return (JSON.parse(String(body)) as Message).id;
  }

  test('the add-message script run twice with one request id stores one message and returns it both times', async () => {
    const [aliceId, bobId] = [await accountId('alice'), await accountId('bob')];
    const first = await add('bob', 'hello', 'req-1');
    const again = await add('bob', 'hello', 'req-1');
    const other = await add('bob', 'hello', 'req-2');
    assert.equal(again, first);
    assert.equal(other, first + 1, 'another request is another message');
    assert.deepEqual(await redis.zrange(`${P}inbox:${bobId}`, 0, -1), [String(first), String(other)]);
    const [a, b] = aliceId < bobId ? [aliceId, bobId] : [bobId, aliceId];
    assert.deepEqual(await redis.zrange(`${P}conv:${a}:${b}`, 0, -1), [String(first), String(other)]);
    const ttl = await redis.pttl(`${P}req:req-1`);
    assert.ok(ttl > 0 && ttl <= 60_000, 'the request id is forgotten after its TTL');
  });

  test('the claim script run twice with one claim id returns the same batch and leases nothing more', async () => {
    const carol = await accountId('carol');
    for (let i = 0; i < 30; i++) await add('carol', `c${i}`, `c-${i}`);
    const now = Date.now();
    const first = (await claim(carol, 'k1', 10, now, now + 60_000)) as string[];
    const again = (await claim(carol, 'k1', 10, now + 5, now + 60_005)) as string[];
    assert.equal(first.length, 10);
    assert.deepEqual(again, first);
    assert.equal(await redis.hlen(`${P}lease:${carol}`), 10, 'only the first batch is leased');
    const other = (await claim(carol, 'k2', 10, now, now + 60_000)) as string[];
    assert.equal(other.length, 10);
    assert.ok(other.every((b) => !first.includes(b)), 'another claim gets other messages');
    // Settling twice is settling once; a late re-run of a settled claim takes nothing.
    await settle(carol, 'k1', 1);
    await settle(carol, 'k1', 1);
    assert.equal(await redis.zcard(`${P}inbox:${carol}`), 20);
    assert.deepEqual(await claim(carol, 'k1', 10, now, now + 60_000), []);
    assert.equal(await redis.hlen(`${P}lease:${carol}`), 10, 'only k2 holds leases');
  });
});
