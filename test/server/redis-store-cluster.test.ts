// The Redis store on a real two-master Redis Cluster: every operation works
// whichever master owns the namespace's slot (the client follows MOVED), and
// all of one namespace's keys stay on that one master.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/server/store/redis.js';
import type { SessionPolicy } from '../../src/server/store/types.js';
import { redisSkip, startRedis, startRedisCluster, type RedisCluster } from '../helpers/redis.js';
import { account, login, profile, sendAs } from '../helpers/stores.js';

const POLICY: SessionPolicy = { idleLifetimeMs: 60_000, presenceWindowMs: 30_000 };
const T0 = Date.UTC(2026, 0, 1);
const [alice, bob] = [profile('alice'), profile('bob')];
const ids = (ms: readonly { id: number }[]): number[] => ms.map((m) => m.id);

describe('redis store on a Redis Cluster', { skip: redisSkip() }, () => {
  let cluster: RedisCluster;
  before(async () => {
    cluster = await startRedisCluster(2);
  });
  after(() => cluster?.stop());

  // 'chatbox' hashes to slot 4939 (first master), 'p1' to 11819 (second).
  for (const [prefix, owner] of [['chatbox', 0], ['p1', 1]] as const) {
    test(`namespace '${prefix}' works from two nodes and lives on master ${owner}`, async () => {
      const a = await RedisStore.open(cluster.url, POLICY, { prefix });
      // A second node given only one URL finds the cluster by itself.
      const b = await RedisStore.open(cluster.nodes[1 - owner]!.url, POLICY, { prefix });
      try {
        for (const u of [alice, bob]) assert.equal(await a.addUser({ ...u, passwordHash: `h-${u.username}` }), true);
        assert.deepEqual(await b.listUsers(), [alice, bob]);
        assert.equal(await b.countUsers(), 2);

        const [A, B] = [await account(a, 'alice'), await account(b, 'bob')];
        await login(a, 'ta', 'alice', T0);
        await login(b, 'tb', 'bob', T0);
        assert.deepEqual(await b.useSession('ta', T0 + 1000), { userId: A.id, username: 'alice', lastUsedAt: T0 + 1000 });
        await b.holdPresence([{ userId: B.id, token: 'tb' }], T0 + 25_000);
        await a.releasePresence(A.id, T0 + 40_000);
        assert.deepEqual(await a.onlineUsers(T0 + 50_000), [bob]);
        assert.deepEqual((await b.directory(T0 + 35_000)).map((u) => u.online), [true, true]);

        const sent = [await sendAs(a, A, B, 'one', T0), await sendAs(b, B, A, 'two', T0), await sendAs(b, A, B, 'three', T0)];
        assert.deepEqual(ids(sent), [1, 2, 3]);
        assert.deepEqual(await b.claimInbox(B.id, 'c1', 1, T0, T0 + 5000), [sent[0]]);
        assert.deepEqual(await a.claimInbox(B.id, 'c2', 10, T0, T0 + 5000), [sent[2]], 'c1 holds the first');
        await a.settleClaim(B.id, 'c1', true);
        await b.settleClaim(B.id, 'c2', false);
        assert.deepEqual(await a.ackInbox(B.id, 0, 10), [sent[2]]);
        assert.deepEqual(await b.history(B.id, A.id, null, 10), sent);
        assert.deepEqual(await b.history(A.id, B.id, 3, 1), [sent[1]]);

        assert.equal(await a.setPassword('alice', 'new'), true);
        assert.equal(await b.useSession('ta', T0 + 2000), null);
        assert.equal(await b.removeUser('bob'), true);
        assert.deepEqual(await a.ackInbox(B.id, 0, 10), []);
        assert.equal(await a.endSession('tb'), false);

        // Every key of the namespace shares one slot, so one master holds them all.
        const counts: number[] = [];
        for (const node of cluster.nodes) {
          const raw = new Redis(node.url);
          counts.push((await raw.keys(`{${prefix}}:*`)).length);
          raw.disconnect();
        }
        assert.ok(counts[owner]! > 0 && counts[1 - owner] === 0, `keys per master: ${counts.join(', ')}`);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  }

  test('Cluster URLs are checked: no database number, and every listed server in cluster mode', async () => {
    const [one, two] = cluster.nodes.map((n) => n.url) as [string, string];
    await assert.rejects(RedisStore.open(`${one}/2,${two}`, POLICY), {
      message: 'Redis Cluster has only database 0: drop the /db from the URLs',
    });
    const plain = await startRedis();
    try {
      await assert.rejects(RedisStore.open(`${plain.url},${plain.url}`, POLICY), {
        message: `Redis at 127.0.0.1:${plain.port} is not in cluster mode: give one URL for a single server`,
      });
    } finally {
      await plain.stop();
    }
  });
});
