// The caches of a Redis node (docs/redis.md, "Node caches"): what one node
// keeps in memory is answered without a script, and what another node or the
// admin command changes is seen as documented. Two real stores on one real
// redis-server; Redis's own command counts show what reached it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { digestOnline } from '../../src/server/sync/presence.js';
import { RedisStore } from '../../src/server/store/redis.js';
import { ONLINE_LAG_MS } from '../../src/server/store/redis-stamps.js';
import type { SessionPolicy } from '../../src/server/store/types.js';
import { redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';
import { CHATBOX_BIN, TEST_SCRYPT } from '../helpers/server.js';
import { account, addUsers, login, profile } from '../helpers/stores.js';

const POLICY: SessionPolicy = { idleLifetimeMs: 60_000, presenceWindowMs: 30_000 };
const T0 = Date.UTC(2026, 0, 1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const names = (list: readonly { username: string }[]): string[] => list.map((u) => u.username);

describe('redis node caches', { skip: redisSkip() }, () => {
  let redis: RedisServer;
  let admin: Redis;
  let a: RedisStore;
  let b: RedisStore;
  let prefix = 0;

  /** Scripts Redis ran (EVALSHA and EVAL) since it started. */
  async function scriptsRun(): Promise<number> {
    const info = await admin.info('commandstats');
    let n = 0;
    for (const m of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)) n += Number(m[2]);
    return n;
  }

  before(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  after(async () => {
    admin?.disconnect();
    await redis?.stop();
  });
  beforeEach(async () => {
    const options = { prefix: `cache${++prefix}` };
    a = await RedisStore.open(redis.url, POLICY, options);
    b = await RedisStore.open(redis.url, POLICY, options);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  test('a session checked once is answered without a script; ended on the other node it is refused at once', async () => {
    await addUsers(a, 'alice');
    await login(a, 'tok', 'alice', T0);
    assert.equal((await a.useSession('tok', T0 + 10))?.username, 'alice');
    const before = await scriptsRun();
    for (let i = 0; i < 20; i++) assert.equal((await a.useSession('tok', T0 + 20 + i))?.username, 'alice');
    assert.equal(await scriptsRun(), before, 'uses within the write slack run no script');
    // A use that is due to be written runs the script (and keeps the session alive in Redis).
    assert.equal((await a.useSession('tok', T0 + 5000))?.lastUsedAt, T0 + 5000);
    assert.equal(await scriptsRun(), before + 1);

    assert.equal(await b.endSession('tok'), true);
    assert.equal(await a.useSession('tok', T0 + 5010), null, 'a logout on another node ends the session here at once');
  });

  test('sessions of an account with no session version yet (from before the counters) become cacheable', async () => {
    const [alice] = await addUsers(a, 'alice');
    await login(a, 'tok', 'alice', T0);
    await admin.del(`{cache${prefix}}:ver:s:${alice!.id}`);
    assert.ok(await a.useSession('tok', T0 + 1));
    const before = await scriptsRun();
    assert.ok(await a.useSession('tok', T0 + 2));
    assert.equal(await scriptsRun(), before);
    assert.equal(await b.endSession('tok'), true);
    assert.equal(await a.useSession('tok', T0 + 3), null);
  });

  test("another account's logout leaves a cached session cached: versions are per account", async () => {
    await addUsers(a, 'alice', 'bob');
    await login(a, 'ta', 'alice', T0);
    await login(b, 'tb', 'bob', T0);
    assert.ok(await a.useSession('ta', T0 + 1));
    assert.equal(await b.endSession('tb'), true);
    const before = await scriptsRun();
    assert.equal((await a.useSession('ta', T0 + 2))?.username, 'alice');
    assert.equal(await scriptsRun(), before);
  });

  test('a new password or a removal on the other node ends the cached sessions at once', async () => {
    await addUsers(a, 'alice', 'bob');
    await login(a, 'ta', 'alice', T0);
    await login(a, 'tb', 'bob', T0);
    assert.ok(await a.useSession('ta', T0 + 1));
    assert.ok(await a.useSession('tb', T0 + 1));
    assert.equal(await b.setPassword('alice', 'new-hash'), true);
    assert.equal(await a.useSession('ta', T0 + 2), null);
    assert.equal(await b.removeUser('bob'), true);
    assert.equal(await a.useSession('tb', T0 + 2), null);
    // The name taken again is a new account: the old token stays dead on the node that cached it.
    await addUsers(b, 'bob');
    assert.equal(await a.useSession('tb', T0 + 3), null);
  });

  test('a wiped namespace is never answered from the caches', async () => {
    await addUsers(a, 'alice');
    await login(a, 'tok', 'alice', T0);
    assert.ok(await a.useSession('tok', T0 + 1));
    assert.ok(await a.getUser('alice'));
    assert.deepEqual(names(await a.onlineUsers(T0 + 1)), ['alice']);
    await admin.flushdb();
    assert.equal(await a.useSession('tok', T0 + 2), null);
    assert.equal(await a.getUser('alice'), null);
    assert.deepEqual(await a.onlineUsers(T0 + 2), []);
  });

  test('accounts follow a new password, a removal and a re-creation on the other node', async () => {
    const [alice] = await addUsers(a, 'alice');
    assert.equal(await a.getUser('nobody'), null);
    assert.equal((await a.getUser('alice'))?.passwordHash, 'hash-alice');
    const before = await scriptsRun();
    assert.equal((await a.getUser('alice'))?.passwordHash, 'hash-alice');
    assert.equal(await a.getUser('nobody'), null);
    assert.equal(await scriptsRun(), before, 'looked up again from the cache');

    assert.equal(await b.setPassword('alice', 'hash-two'), true);
    assert.equal((await a.getUser('alice'))?.passwordHash, 'hash-two');
    assert.equal(await b.removeUser('alice'), true);
    assert.equal(await a.getUser('alice'), null);
    await addUsers(b, 'alice', 'nobody');
    const again = await a.getUser('alice');
    assert.ok(again && again.id !== alice!.id, 'the re-created name is a new account');
    assert.equal((await a.getUser('nobody'))?.username, 'nobody', 'a name added elsewhere is found');
  });

  test('the admin command changing a password or removing a user is seen by a node that cached them', async () => {
    // The admin command works on the default namespace.
    const node = await RedisStore.open(redis.url, POLICY);
    const user = (...args: string[]) =>
      spawnSync(process.execPath, [CHATBOX_BIN, 'user', ...args, '--redis', redis.url, ...TEST_SCRYPT], {
        input: 'a-new-password\n',
        encoding: 'utf8',
        env: { ...process.env, CHATBOX_CONFIG: '', CHATBOX_REDIS_PASSWORD: '' },
      });
    try {
      await addUsers(node, 'alice', 'bob');
      await login(node, 'ta', 'alice', T0);
      await login(node, 'tb', 'bob', T0);
      const old = await node.getUser('alice');
      assert.ok(await node.useSession('ta', T0 + 1));
      assert.ok(await node.useSession('tb', T0 + 1));
      const passwd = user('passwd', 'alice', '--password-stdin');
      assert.equal(passwd.status, 0, passwd.stderr);
      assert.notEqual((await node.getUser('alice'))?.passwordHash, old?.passwordHash);
      assert.equal(await node.useSession('ta', T0 + 2), null);
      const remove = user('remove', 'bob');
      assert.equal(remove.status, 0, remove.stderr);
      assert.equal(await node.getUser('bob'), null);
      assert.equal(await node.useSession('tb', T0 + 2), null);
    } finally {
      await node.close();
    }
  });

  test('the online list is one array while nothing changes, and shows a login and a logout on the other node', async () => {
    await addUsers(a, 'alice', 'bob');
    await login(a, 'ta', 'alice', T0);
    const first = await a.onlineUsers(T0 + 10);
    assert.deepEqual(names(first), ['alice']);
    const before = await scriptsRun();
    assert.equal(await a.onlineUsers(T0 + 20), first, 'the same list, so its encoding is shared');
    assert.equal(await scriptsRun(), before);

    // A login elsewhere: seen at once by a request whose session check comes after it.
    await login(b, 'tb', 'bob', T0 + 30);
    assert.ok(await a.useSession('ta', T0 + 40));
    assert.deepEqual(names(await a.onlineUsers(T0 + 40)), ['alice', 'bob']);
    // And within the lag without any other request.
    await b.endSession('tb');
    await sleep(ONLINE_LAG_MS + 50);
    assert.deepEqual(names(await a.onlineUsers(T0 + 50)), ['alice']);
    // An end passing needs no counter: past it, the list is read again.
    assert.deepEqual(names(await a.onlineUsers(T0 + POLICY.presenceWindowMs + 10)), []);
  });

  test('the presence version costs no script while the digest it stands for is current', async () => {
    await addUsers(a, 'alice', 'bob');
    await login(a, 'ta', 'alice', T0);
    const list = await a.onlineUsers(T0 + 10);
    const v = await a.sync.presenceVersion(digestOnline(list));
    const before = await scriptsRun();
    assert.equal(await a.sync.presenceVersion(digestOnline(list)), v);
    assert.equal(await scriptsRun(), before);
    // Another node counts a new version for another list: this node's list is versioned anew.
    const other = await b.sync.presenceVersion(digestOnline([profile('bob')]));
    assert.ok(other > v);
    await sleep(ONLINE_LAG_MS + 50);
    const again = await a.sync.presenceVersion(digestOnline(list));
    assert.ok(again > other);
    assert.equal((await account(b, 'alice')).username, 'alice');
  });
});
