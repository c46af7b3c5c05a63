// A dropped link between a node and a Redis Cluster master: the Cluster
// client has its own way of re-sending a command whose connection closed,
// and it must not run a send or a claim twice either. Each master is reached
// through a cutting proxy, which it announces as its address.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Message } from '../../src/protocol.js';
import { RedisStore } from '../../src/server/store/redis.js';
import * as msgLua from '../../src/server/store/redis-scripts-messages.js';
import * as userLua from '../../src/server/store/redis-scripts-users.js';
import type { SessionPolicy } from '../../src/server/store/types.js';
import { redisSkip, startRedisCluster, type RedisCluster } from '../helpers/redis.js';
import { RedisLinkProxy, scriptMarkers } from '../helpers/redis-proxy.js';
import { profile } from '../helpers/stores.js';

const POLICY: SessionPolicy = { idleLifetimeMs: 60_000, presenceWindowMs: 30_000 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const [alice, bob] = [profile('alice'), profile('bob')];
const ids = (ms: readonly Message[]): number[] => ms.map((m) => m.id);

describe('redis store on a Redis Cluster: a lost answer is never counted twice', { skip: redisSkip() }, () => {
  let cluster: RedisCluster;
  const proxies: RedisLinkProxy[] = [];
  const direct: Redis[] = [];
  let store: RedisStore;
  /** The proxy in front of the master that owns the 'chatbox' namespace (slot 4939). */
  let owner: RedisLinkProxy;
  const P = '{chatbox}:';

  before(async () => {
    cluster = await startRedisCluster(2);
    for (const node of cluster.nodes) {
      const proxy = new RedisLinkProxy({ host: '127.0.0.1', port: node.port });
      await proxy.listen();
      proxies.push(proxy);
      const r = new Redis(node.port, '127.0.0.1');
      direct.push(r);
      await r.config('SET', 'cluster-announce-port', String(proxy.port));
    }
    // Wait until every master tells every other's proxy address.
    const want = proxies.map((p) => p.port).sort();
    for (const deadline = Date.now() + 15_000; ; ) {
      const seen = await Promise.all(
        direct.map(async (r) => ((await r.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][]).map((s) => s[2][1]).sort()),
      );
      if (seen.every((ports) => JSON.stringify(ports) === JSON.stringify(want))) break;
      if (Date.now() > deadline) throw new Error(`the masters did not announce their proxies: ${JSON.stringify(seen)}`);
      await sleep(100);
    }
    owner = proxies[0]!;
    store = await RedisStore.open(proxies.map((p) => p.url).join(','), POLICY, { commandTimeoutMs: 4000 });
    for (const u of [alice, bob]) assert.equal(await store.addUser({ ...u, passwordHash: `h-${u.username}` }), true);
    aliceId = (await store.getUser('alice'))!.id;
    bobId = (await store.getUser('bob'))!.id;
  });
  let aliceId = 0;
  let bobId = 0;
  async function send(text: string): Promise<Message> {
    const r = await store.sendMessage(aliceId, 'bob', text, Date.now());
    assert.equal(typeof r, 'object', `stored: ${String(r)}`);
    return r as Message;
  }
  after(async () => {
    await store?.close();
    for (const r of direct) r.disconnect();
    for (const p of proxies) await p.close();
    await cluster?.stop();
  });

  test('a claim whose answer is lost returns the batch its claim id holds, and takes no other', async () => {
    const sent: Message[] = [];
    for (let i = 0; i < 150; i++) sent.push(await send(`m${i}`));
    assert.deepEqual(await store.claimInbox(999_999, 'warm-up', 1, Date.now(), Date.now() + 1000), []);
    const now = Date.now();
    const cut = owner.cutAfterNext(scriptMarkers(msgLua.CLAIM_INBOX));
    const got = await store.claimInbox(bobId, 'claim-1', 50, now, now + 60_000);
    assert.equal(await cut, true, 'the link was cut after the claim reached Redis');
    assert.deepEqual(ids(got), ids(sent.slice(0, 50)));
    assert.equal(await direct[0]!.hlen(`${P}lease:${bobId}`), 50, 'the claim holds exactly what it returned');
    await store.settleClaim(bobId, 'claim-1', true);
    assert.deepEqual(ids(await store.ackInbox(bobId, 0, 500)), ids(sent.slice(50)));
    await store.ackInbox(bobId, sent.at(-1)!.id, 0);
  });

  test('a send whose answer is lost is stored once', async () => {
    await send('warm-up');
    const before = Number(await direct[0]!.get(`${P}next`));
    const cut = owner.cutAfterNext(scriptMarkers(msgLua.ADD_MESSAGE));
    const m = await send('exactly once');
    assert.equal(await cut, true);
    assert.equal(m.id, before + 1);
    assert.equal(await direct[0]!.get(`${P}next`), String(m.id), 'no second copy');
    assert.deepEqual((await store.history(aliceId, bobId, null, 2)).map((x) => x.msg), ['warm-up', 'exactly once']);
  });

  test('an add-user whose answer is lost fails cleanly, and the user exists once', async () => {
    const cut = owner.cutAfterNext(scriptMarkers(userLua.ADD_USER));
    const carol = { ...profile('carol'), passwordHash: 'h-carol' };
    await assert.rejects(store.addUser(carol), { message: 'Redis is unavailable: connection closed' });
    assert.equal(await cut, true);
    let found = null;
    // The Cluster client may still be finding the master again: give it a moment.
    for (const deadline = Date.now() + 10_000; found === null && Date.now() < deadline; ) {
      found = await store.getUser('carol').catch(() => null);
      if (found === null) await sleep(100);
    }
    assert.deepEqual(found && { ...found, id: 0 }, { ...carol, id: 0 });
  });
});
