// `--metrics`: a real server under load from real clients is scraped over
// HTTP, and its counters move; /healthz says 200 while the store answers and
// 503 once Redis is gone.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { redisSkip, startRedis } from '../helpers/redis.js';
import { startServer, type TestServer } from '../helpers/server.js';

async function metricsPort(server: TestServer): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = /metrics listening host=127\.0\.0\.1 port=(\d+)/.exec(server.stderr());
    if (m) return Number(m[1]);
    if (Date.now() > deadline) throw new Error(`no metrics line:\n${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
}

/** The value of one sample line (`name{labels} value`), 0 when absent. */
function sample(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return 0;
}

describe('metrics and health', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('counters move while the server is under load', async () => {
    const server = await startServer({ args: ['--metrics', '0'] });
    cleanup.push(() => server.stop());
    const port = await metricsPort(server);
    const clients = await Promise.all(['messi', 'henderson', 'lineker'].map(() => ChatClient.connect({ port: server.port })));
    cleanup.push(async () => clients.forEach((c) => c.destroy()));
    const tokens = await Promise.all(clients.map((c, i) => c.auth(['messi', 'henderson', 'lineker'][i]!, 'surabaya')));
    await assert.rejects(clients[0]!.auth('messi', 'wrong-password'));
    const before = await get(port, '/metrics');
    assert.equal(before.status, 200);
    let stop = false;
    const load = clients.map(async (c, i) => {
      let n = 0;
      while (!stop) {
        await c.send(tokens[i]!, 'henderson', `load ${n++}`);
        await c.inbox(tokens[i]!);
        await c.online(tokens[i]!);
      }
      return n;
    });
    await new Promise((r) => setTimeout(r, 300));
    const during = await get(port, '/metrics');
    await new Promise((r) => setTimeout(r, 300));
    const later = await get(port, '/metrics');
    stop = true;
    const sent = (await Promise.all(load)).reduce((a, b) => a + b, 0);
    assert.ok(sent > 0);
    const t = during.body;
    assert.ok(sample(t, 'chatbox_connections_open') >= 3, 'connections open');
    assert.ok(sample(t, 'chatbox_requests_total{cmd="send",status="OK"}') > 0);
    assert.ok(sample(later.body, 'chatbox_requests_total{cmd="send",status="OK"}') > sample(t, 'chatbox_requests_total{cmd="send",status="OK"}'), 'the send counter moves under load');
    assert.ok(sample(later.body, 'chatbox_messages_stored_total') > sample(before.body, 'chatbox_messages_stored_total'));
    assert.equal(sample(t, 'chatbox_login_failures_total{reason="bad_password"}'), 1);
    assert.ok(sample(t, 'chatbox_request_duration_seconds_count{cmd="inbox"}') > 0, 'latency histogram');
    assert.ok(sample(t, 'chatbox_store_duration_seconds_count{op="sendMessage"}') > 0, 'store latency histogram');
    assert.match(t, /^chatbox_unsent_reply_bytes \d+$/m);
    assert.match(t, /^chatbox_waiting_syncs 0$/m);
    assert.deepEqual(await get(port, '/healthz'), { status: 200, body: 'ok\n' });

    // A sync waiting on its own connection counts until it is answered.
    const waiter = await ChatClient.connect({ port: server.port });
    cleanup.push(async () => waiter.destroy());
    const lineker = await waiter.auth('lineker', 'surabaya');
    const { next } = await waiter.sync(lineker, 0);
    const waiting = waiter.sync(lineker, next, 30_000);
    let seen = 0;
    for (const deadline = Date.now() + 10_000; seen === 0 && Date.now() < deadline; ) {
      seen = sample((await get(port, '/metrics')).body, 'chatbox_waiting_syncs');
      if (seen === 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(seen, 1, 'one sync waiting');
    await clients[0]!.send(tokens[0]!, 'lineker', 'wake up');
    assert.deepEqual((await waiting).messages.map((m) => m.msg), ['wake up']);
    assert.equal(sample((await get(port, '/metrics')).body, 'chatbox_waiting_syncs'), 0, 'none once answered');
    assert.equal((await get(port, '/nothing')).status, 404);
  });

  it('is off unless asked for, and binds 127.0.0.1 for a bare port', async () => {
    const server = await startServer();
    cleanup.push(() => server.stop());
    assert.doesNotMatch(server.stderr(), /metrics listening/);
  });

  it('/healthz on Redis: 200, then 503 with Redis stopped', { skip: redisSkip() }, async () => {
    const redis = await startRedis();
    cleanup.push(() => redis.stop());
    const server = await startServer({ redis: redis.url, args: ['--metrics', '0'] });
    cleanup.push(() => server.stop());
    const port = await metricsPort(server);
    assert.equal((await get(port, '/healthz')).status, 200);
    redis.kill();
    const health = await get(port, '/healthz');
    assert.equal(health.status, 503);
    assert.match(health.body, /^store unavailable: /);
    // The metrics themselves still answer.
    assert.equal((await get(port, '/metrics')).status, 200);
  });
});
