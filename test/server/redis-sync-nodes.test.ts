// Live sync across two server nodes on one redis-server: a sync waiting on
// one node wakes for a message or a read marker stored through the other,
// still wakes when its node's subscriber link was cut and came back, and ids
// never go backwards for a reader while both nodes take sends.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient, type SyncResult } from '../../src/client.js';
import { RedisLinkProxy } from '../helpers/redis-proxy.js';
import { redisSkip, startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../helpers/redis.js';
import { startServer, type TestServer } from '../helpers/server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits in sync until it answers with news: a change of presence (a node's
 * links being cut can change who is online) answers a waiting sync empty.
 */
async function syncForNews(c: ChatClient, token: string, since: number): Promise<SyncResult> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await c.sync(token, since, Math.max(1, deadline - Date.now()));
    if (r.messages.length > 0 || r.read.size > 0 || Date.now() >= deadline) return r;
  }
}

describe('live sync across two nodes on one Redis', { skip: redisSkip() }, () => {
  let redis: RedisServer;
  let proxy: RedisLinkProxy;
  let nodeA: TestServer;
  let nodeB: TestServer;
  const clients: ChatClient[] = [];
  const on = async (node: TestServer): Promise<ChatClient> => {
    const c = await ChatClient.connect({ port: node.port });
    clients.push(c);
    return c;
  };

  before(async () => {
    redis = await startRedis();
    proxy = new RedisLinkProxy({ host: '127.0.0.1', port: redis.port });
    await proxy.listen();
    // Node A reaches Redis through the proxy, so its links can be cut; node B directly.
    nodeA = await startServer({ redis: proxy.url, args: ['--presence-wake', '60s'] });
    nodeB = await startServer({ redis: redis.url, args: ['--presence-wake', '60s'] });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await nodeA?.stop();
    await nodeB?.stop();
    await proxy?.close();
    await redis?.stop();
  });

  it('a sync waiting on node A answers with a message sent on node B', async () => {
    const a = await on(nodeA);
    const b = await on(nodeB);
    const hend = await a.auth('henderson', 'surabaya');
    const messi = await b.auth('messi', 'surabaya');
    const start = (await a.sync(hend, 0)).next;
    const started = Date.now();
    const waiting = syncForNews(a, hend, start);
    await sleep(100);
    await b.send(messi, 'henderson', 'lintas node');
    const r = await waiting;
    assert.deepEqual(r.messages.map((m) => m.msg), ['lintas node']);
    assert.ok(Date.now() - started < 10_000, 'woken by the event, not the timeout');
  });

  it('a sync waiting on node A answers with a read marker set on node B', async () => {
    const a = await on(nodeA);
    const b = await on(nodeB);
    const hendA = await a.auth('henderson', 'surabaya');
    const hendB = await b.auth('henderson', 'surabaya');
    const messi = await b.auth('messi', 'surabaya');
    const before = (await a.sync(hendA, 0)).next;
    await b.send(messi, 'henderson', 'tolong dibaca');
    const sent = (await a.sync(hendA, before)).messages[0]!;
    const start = (await a.sync(hendA, sent.id)).next;
    const started = Date.now();
    const waiting = syncForNews(a, hendA, start);
    await sleep(100);
    await b.read(hendB, 'messi', sent.id);
    const r = await waiting;
    assert.deepEqual(r.messages, []);
    assert.deepEqual(r.read, new Map([['messi', sent.id]]));
    assert.ok(r.next > sent.id);
    assert.ok(Date.now() - started < 10_000, 'woken by the event, not the timeout');
    // The marker marked the message received on every node.
    assert.deepEqual(Object.keys(await a.inbox(hendA)), []);
  });

  it('a sync waiting while its node\'s links to Redis are cut still answers with a message sent meanwhile', async () => {
    const a = await on(nodeA);
    const b = await on(nodeB);
    const hend = await a.auth('henderson', 'surabaya');
    const messi = await b.auth('messi', 'surabaya');
    const start = (await a.sync(hend, 0)).next;
    // Both nodes' presence checks (once a second) have seen who is online, so no change of presence answers this wait.
    await sleep(1500);
    const waiting = a.sync(hend, start, 30_000);
    await sleep(100);
    const started = Date.now();
    // The event is published while node A cannot reach Redis: only the re-check after the reconnect finds it.
    proxy.refusing = true;
    proxy.cutAll();
    await b.send(messi, 'henderson', 'selagi terputus');
    await sleep(500);
    proxy.refusing = false;
    const r = await waiting;
    assert.deepEqual(r.messages.map((m) => m.msg), ['selagi terputus']);
    assert.ok(Date.now() - started < 20_000, 'answered after the reconnect, not at the timeout');
    // And the feed works again afterwards.
    const again = syncForNews(a, hend, r.next);
    await sleep(100);
    await b.send(messi, 'henderson', 'sudah tersambung');
    assert.deepEqual((await again).messages.map((m) => m.msg), ['sudah tersambung']);
  });

  it('a reader syncing on node A never sees a smaller id after a larger one while both nodes take sends', async () => {
    const reader = await on(nodeA);
    const hend = await reader.auth('henderson', 'surabaya');
    let cursor = (await reader.sync(hend, 0)).next;
    const senders = await Promise.all(Array.from({ length: 8 }, (_, i) => on(i % 2 ? nodeA : nodeB)));
    const tokens = await Promise.all(senders.map((s, i) => s.auth(i % 2 ? 'messi' : 'lineker', 'surabaya')));
    const perSender = 40;
    const seen: number[] = [];
    let sending = true;
    const follow = (async () => {
      for (;;) {
        const r = await reader.sync(hend, cursor, 2000);
        for (const m of r.messages) seen.push(m.id);
        assert.ok(r.next >= cursor, 'the cursor never goes back');
        cursor = r.next;
        if (!sending && r.messages.length === 0) break;
      }
    })();
    await Promise.all(senders.map(async (s, i) => {
      for (let k = 0; k < perSender; k++) await s.send(tokens[i]!, 'henderson', `m${i}-${k}`);
    }));
    sending = false;
    await follow;
    assert.equal(seen.length, 8 * perSender, 'every message seen once');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `id ${seen[i]} after ${seen[i - 1]}`);
  });
});

describe('live sync across two nodes on a Redis Cluster', { skip: redisSkip() }, () => {
  let cluster: RedisCluster;
  const nodes: TestServer[] = [];
  const clients: ChatClient[] = [];
  after(async () => {
    for (const c of clients) c.destroy();
    for (const n of nodes) await n.stop();
    await cluster?.stop();
  });

  it('a sync waiting on one node answers with a message sent on the other', async () => {
    cluster = await startRedisCluster(2);
    // Each node is given a different master: publishes reach subscribers on every master.
    for (const n of cluster.nodes) nodes.push(await startServer({ redis: n.url, args: ['--presence-wake', '60s'] }));
    const [a, b] = await Promise.all(nodes.map((n) => ChatClient.connect({ port: n.port })));
    clients.push(a!, b!);
    const hend = await a!.auth('henderson', 'surabaya');
    const messi = await b!.auth('messi', 'surabaya');
    const start = (await a!.sync(hend, 0)).next;
    const started = Date.now();
    const waiting = syncForNews(a!, hend, start);
    await sleep(100);
    await b!.send(messi, 'henderson', 'lewat cluster');
    assert.deepEqual((await waiting).messages.map((m) => m.msg), ['lewat cluster']);
    assert.ok(Date.now() - started < 10_000, 'woken by the event, not the timeout');
  });
});
