// Two stateless server nodes on one redis-server behave as one server.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ChatClient, ChatError } from '../../src/client.js';
import { Errors, type Message } from '../../src/protocol.js';
import { redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';
import { CHATBOX_BIN, startServer, TEST_SCRYPT, type TestServer } from '../helpers/server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('two nodes on one Redis', { skip: redisSkip() }, () => {
  let redis: RedisServer;
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
    const args = ['--presence-window', '1s'];
    nodeA = await startServer({ redis: redis.url, args });
    nodeB = await startServer({ redis: redis.url, args, demo: true });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await nodeA?.stop();
    await nodeB?.stop();
    await redis?.stop();
  });

  it('users on different nodes chat, see each other online, and read history', async () => {
    const a = await on(nodeA);
    const b = await on(nodeB);
    const messi = await a.auth('messi', 'surabaya');
    const hend = await b.auth('henderson', 'surabaya');
    assert.ok((await a.online(messi)).some((u) => u.username === 'henderson'));
    assert.ok((await b.online(hend)).some((u) => u.username === 'messi'));
    await a.send(messi, 'henderson', 'dari node A');
    await b.send(hend, 'messi', 'dari node B');
    assert.deepEqual((await b.inbox(hend)).messi!.map((m) => m.msg), ['dari node A']);
    assert.deepEqual((await a.inbox(messi)).henderson!.map((m) => m.msg), ['dari node B']);
    const hA = await a.history(messi, 'henderson');
    const hB = await b.history(hend, 'messi');
    assert.deepEqual(hA.map((m) => m.msg), ['dari node A', 'dari node B']);
    assert.deepEqual(hA, hB);
  });

  it('a token from one node works on the other, and a logout on one ends it on both', async () => {
    const a = await on(nodeA);
    const b = await on(nodeB);
    const t = await a.auth('lineker', 'surabaya');
    assert.ok(Array.isArray(await b.users(t)));
    await b.send(t, 'messi', 'via B with a token from A');
    await a.logout(t);
    await assert.rejects(b.online(t), (e: unknown) => e instanceof ChatError && e.code === Errors.noSession);
  });

  it('ids are unique and increasing across nodes, and concurrent drains on both nodes share nothing', async () => {
    const a = await on(nodeA);
    const b = await on(nodeB);
    const sA = await a.auth('messi', 'surabaya');
    const sB = await b.auth('lineker', 'surabaya');
    const h1 = await a.auth('henderson', 'surabaya');
    const h2 = await b.auth('henderson', 'surabaya');
    await a.inbox(h1);
    const seen: Message[] = [];
    const drainA = await on(nodeA);
    const drainB = await on(nodeB);
    const n = 200;
    await Promise.all([
      Promise.all(Array.from({ length: n }, (_, i) => a.send(sA, 'henderson', `a${i}`))),
      Promise.all(Array.from({ length: n }, (_, i) => b.send(sB, 'henderson', `b${i}`))),
      (async () => {
        for (let i = 0; i < 30; i++) for (const list of Object.values(await drainA.inbox(h1))) seen.push(...list);
      })(),
      (async () => {
        for (let i = 0; i < 30; i++) for (const list of Object.values(await drainB.inbox(h2))) seen.push(...list);
      })(),
    ]);
    for (;;) {
      const rest = Object.values(await a.inbox(h1)).flat();
      if (rest.length === 0) break;
      seen.push(...rest);
    }
    const ids = seen.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length, 'no message delivered twice');
    assert.equal(ids.length, 2 * n, 'none lost');
    for (const sender of ['messi', 'lineker']) {
      const mine = seen.filter((m) => m.sender === sender).map((m) => m.id);
      assert.equal(mine.length, n);
    }
    const history = await a.history(sA, 'henderson', undefined, 500);
    const hids = history.map((m) => m.id);
    assert.deepEqual([...hids].sort((x, y) => x - y), hids, 'ids increase');
  });

  it('a node killed with SIGKILL loses no acknowledged message, and its users go offline after the window', async () => {
    const watcher = await on(nodeA);
    const w = await watcher.auth('henderson', 'surabaya');
    const victim = await ChatClient.connect({ port: nodeB.port });
    const t = await victim.auth('lineker', 'surabaya');
    await watcher.inbox(w);
    const acked: string[] = [];
    const sends = Array.from({ length: 300 }, (_, i) =>
      victim.send(t, 'henderson', `k${i}`).then(
        () => acked.push(`k${i}`),
        () => {},
      ),
    );
    while (acked.length < 30) await sleep(2);
    await nodeB.kill();
    await Promise.all(sends);
    victim.destroy();
    assert.ok((await watcher.online(w)).some((u) => u.username === 'lineker'), 'online right after the crash');
    const got: string[] = [];
    for (;;) {
      const list = (await watcher.inbox(w)).lineker ?? [];
      if (list.length === 0) break;
      got.push(...list.map((m) => m.msg));
    }
    assert.equal(new Set(got).size, got.length);
    for (const m of acked) assert.ok(got.includes(m), `acknowledged ${m} lost`);
    const deadline = Date.now() + 6000;
    while ((await watcher.online(w)).some((u) => u.username === 'lineker')) {
      assert.ok(Date.now() < deadline, 'the dead node left a ghost online');
      await sleep(100);
    }
    // The token still works on the surviving node.
    assert.ok(Array.isArray(await watcher.online(t)));
    nodeB = await nodeB.restart();
  });

  it("a node polling from its caches sees the other node's login and logout and the admin command's new password at once", async () => {
    const user = (...args: string[]) =>
      spawnSync(process.execPath, [CHATBOX_BIN, 'user', ...args, '--password-stdin', '--redis', redis.url, ...TEST_SCRYPT], {
        input: 'kata-sandi\n',
        encoding: 'utf8',
        env: { ...process.env, CHATBOX_CONFIG: '', CHATBOX_REDIS_PASSWORD: '' },
      });
    for (const name of ['siti', 'budi']) {
      const added = user('add', name, '--name', name, '--country', 'Indonesia');
      assert.equal(added.status, 0, added.stderr);
    }
    const a = await on(nodeA);
    const t = await a.auth('siti', 'kata-sandi');
    for (let i = 0; i < 5; i++) assert.ok(!(await a.online(t)).some((u) => u.username === 'budi'));
    const b = await on(nodeB);
    const m = await b.auth('budi', 'kata-sandi');
    assert.ok((await a.online(t)).some((u) => u.username === 'budi'), 'a login on B shows in the next online on A');
    await b.logout(m);
    assert.ok(!(await a.online(t)).some((u) => u.username === 'budi'), 'a logout on B shows in the next online on A');
    const passwd = user('passwd', 'siti');
    assert.equal(passwd.status, 0, passwd.stderr);
    await assert.rejects(a.online(t), (e: unknown) => e instanceof ChatError && e.code === Errors.noSession);
  });
});
