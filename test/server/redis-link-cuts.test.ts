// A server node whose link to Redis keeps dropping mid-command, seen from its
// clients: whatever was acknowledged as sent is stored exactly once, and
// whatever is stored is either handed to the reader's plain inbox or still
// waiting, never marked received without having been handed over.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ChatClient, ChatError } from '../../src/client.js';
import type { Message } from '../../src/protocol.js';
import * as msgLua from '../../src/server/store/redis-scripts-messages.js';
import { redisSkip, startRedis, type RedisServer } from '../helpers/redis.js';
import { RedisLinkProxy, scriptMarkers } from '../helpers/redis-proxy.js';
import { startServer, type TestServer } from '../helpers/server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const PASSWORD = 'surabaya';
const P = '{chatbox}:';

/** A logged-in client that logs in again on a new connection whenever its connection drops. */
class Peer {
  private client: ChatClient | null = null;
  private token = '';
  constructor(private readonly port: number, private readonly name: string) {}

  /** Runs `op` on a live session; a connection that dropped is replaced first. */
  async run<T>(op: (c: ChatClient, token: string) => Promise<T>): Promise<T> {
    for (let attempt = 1; this.client === null; attempt++) {
      try {
        const c = await ChatClient.connect({ port: this.port, requestTimeoutMs: 15_000 });
        try {
          this.token = await c.auth(this.name, PASSWORD);
          this.client = c;
        } catch (err) {
          c.destroy();
          throw err;
        }
      } catch (err) {
        if (attempt >= 50) throw err;
        await sleep(50);
      }
    }
    try {
      return await op(this.client, this.token);
    } catch (err) {
      this.client.destroy();
      this.client = null;
      throw err;
    }
  }

  close(): void {
    this.client?.destroy();
  }
}

describe('a node whose Redis link drops mid-command', { skip: redisSkip() }, () => {
  let redis: RedisServer;
  let proxy: RedisLinkProxy;
  let server: TestServer;
  let direct: Redis;

  before(async () => {
    redis = await startRedis();
    proxy = new RedisLinkProxy({ host: '127.0.0.1', port: redis.port });
    await proxy.listen();
    server = await startServer({ redis: proxy.url });
    direct = new Redis(redis.port, '127.0.0.1');
  });
  after(async () => {
    direct?.disconnect();
    await server?.stop();
    await proxy?.close();
    await redis?.stop();
  });

  test('acknowledged sends are stored once, and plain inbox hands every stored message over or keeps it', { timeout: 90_000 }, async (t) => {
    const PER_LANE = 300;
    const lanes = [['messi', 'a'], ['lineker', 'b'], ['messi', 'c']] as const;
    const acked = new Set<string>();
    /** Sends whose connection dropped before the answer: stored or not, both are right. */
    const unknown = new Set<string>();
    const refused: string[] = [];
    /** Times each message id was handed over by plain inbox. */
    const delivered = new Map<number, number>();
    const deadline = Date.now() + 25_000;
    let writing = true;

    const writer = async ([from, lane]: readonly [string, string]): Promise<void> => {
      const peer = new Peer(server.port, from);
      try {
        for (let i = 0; i < PER_LANE && Date.now() < deadline; i++) {
          const text = `${lane}-${i}`;
          try {
            await peer.run((c, token) => c.send(token, 'henderson', text));
            acked.add(text);
          } catch (err) {
            if (err instanceof ChatError) refused.push(`${text}: ${err.message}`);
            unknown.add(text);
          }
        }
      } finally {
        peer.close();
      }
    };

    const reader = async (): Promise<void> => {
      const peer = new Peer(server.port, 'henderson');
      try {
        let quiet = 0;
        while ((writing || quiet < 3) && Date.now() < deadline + 15_000) {
          let got: Message[] = [];
          try {
            got = Object.values(await peer.run((c, token) => c.inbox(token))).flat();
          } catch {
            // The node closed the connection rather than answer: that batch stays waiting.
          }
          for (const m of got) delivered.set(m.id, (delivered.get(m.id) ?? 0) + 1);
          quiet = got.length === 0 ? quiet + 1 : 0;
          if (got.length === 0) await sleep(20);
        }
      } finally {
        peer.close();
      }
    };

    // Cuts after a send, after a claim, and after any command, in turn, until the writers are done.
    const cutter = async (): Promise<void> => {
      const targets = [scriptMarkers(msgLua.ADD_MESSAGE), scriptMarkers(msgLua.CLAIM_INBOX), []];
      for (let i = 0; writing && i < 200; i++) {
        await proxy.cutAfterNext(targets[i % targets.length], { armedMs: 1000 });
        await sleep(80 + Math.floor(Math.random() * 120));
      }
    };

    const reading = reader();
    const cutting = cutter();
    await Promise.all(lanes.map(writer));
    writing = false;
    await cutting;
    await reading;

    // What Redis holds, read directly.
    const bodies = async (ids: string[]): Promise<Message[]> =>
      ids.length === 0 ? [] : (await direct.mget(...ids.map((id) => `${P}m:${id}`))).map((b) => JSON.parse(b!) as Message);
    const uid = async (name: string): Promise<number> => Number(await direct.hget(`${P}uid`, name));
    const conv = async (a: string, b: string): Promise<string> => {
      const [x, y] = [await uid(a), await uid(b)].sort((m, n) => m - n);
      return `${P}conv:${x}:${y}`;
    };
    const stored: Message[] = [];
    for (const key of [await conv('henderson', 'lineker'), await conv('henderson', 'messi')]) stored.push(...(await bodies(await direct.zrange(key, 0, -1))));
    const copies = new Map<string, number>();
    for (const m of stored) copies.set(m.msg, (copies.get(m.msg) ?? 0) + 1);
    const waiting = new Set((await direct.zrange(`${P}inbox:${await uid('henderson')}`, 0, -1)).map(Number));

    const ackedMissing = [...acked].filter((x) => !copies.has(x));
    const storedTwice = [...copies].filter(([, n]) => n > 1).map(([x, n]) => `${x} x${n}`);
    const invented = [...copies.keys()].filter((x) => !acked.has(x) && !unknown.has(x));
    const neverHanded = stored.filter((m) => !delivered.has(m.id) && !waiting.has(m.id)).map((m) => m.msg);
    const handedTwice = [...delivered].filter(([, n]) => n > 1).map(([id]) => id);
    t.diagnostic(
      `cuts ${proxy.cuts}; sends acked ${acked.size}, failed ${unknown.size}; stored ${stored.length}; ` +
        `acked lost ${ackedMissing.length}, stored more than once ${storedTwice.length}; ` +
        `delivered ${delivered.size}, waiting ${waiting.size}, marked received but never handed over ${neverHanded.length}, handed twice ${handedTwice.length}`,
    );

    const failures = new Map<string, number>();
    for (const m of server.stderr().matchAll(/ store failure .*?error="([^"]*)"/g)) failures.set(m[1]!, (failures.get(m[1]!) ?? 0) + 1);
    t.diagnostic(`store failures the node reported: ${JSON.stringify(Object.fromEntries(failures))}`);

    assert.ok(proxy.cuts >= 10, `the link was cut often enough (${proxy.cuts})`);
    assert.ok(acked.size >= 200, `enough sends went through to mean something (${acked.size})`);
    assert.deepEqual(refused, [], 'no send was answered with an error: failures close the connection');
    assert.deepEqual(ackedMissing, [], 'every acknowledged send is stored');
    assert.deepEqual(storedTwice, [], 'no send is stored twice');
    assert.deepEqual(invented, []);
    assert.deepEqual(neverHanded, [], 'nothing is marked received without being handed over');
    assert.deepEqual(handedTwice, [], 'within the claim lease nothing is handed over twice');
  });
});
