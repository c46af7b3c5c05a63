// Case "sync": delivery latency when receivers wait in `sync`, beside the
// same pairs polling `inbox` once a second (the baseline column), in the same
// run; and, when the Redis store serves `sync`, with sender and receiver on two
// nodes of one Redis.

import { ChatClient } from '../../src/client.js';
import type { BenchCase, CaseContext } from '../lib/case.js';
import { closeClient, login, type Session } from '../lib/fixture.js';
import { medians, row, type CaseReport, type Figures, type MetricRow } from '../lib/report.js';
import { startServer, type RunningServer } from '../lib/servers.js';
import { Histogram, summarize } from '../lib/stats.js';
import { runDeliveryWorker } from './delivery.js';
import { redisWithUsers } from './redis.js';

const PAIRS = 100;
const SEND_EVERY_MS = 1000;

/** One measured window: senders are users 0..99, receivers 100..199 (distinct accounts). */
async function measure(ctx: CaseContext, servers: RunningServer[], sessions: Session[], receive: 'poll' | 'sync'): Promise<Figures> {
  const [a, b = a] = servers as [RunningServer, RunningServer?];
  const cpu0 = servers.map((s) => s.cpuMs());
  const measureMs = ctx.quick ? 5000 : 8000;
  const r = await runDeliveryWorker({
    host: a.host,
    port: a.port,
    receiverPort: b!.port,
    baseline: false,
    receive,
    senders: sessions.slice(0, PAIRS),
    receivers: sessions.slice(PAIRS, 2 * PAIRS),
    pollMs: 1000,
    sendEveryMs: SEND_EVERY_MS,
    warmupMs: 2000,
    measureMs,
  });
  const cpuMs = servers.reduce((n, s, i) => n + s.cpuMs() - cpu0[i]!, 0);
  if (r.errorSamples.length) ctx.log(`  errors: ${r.errorSamples.join('; ')}`);
  const lat = summarize(Histogram.from(r.latency));
  return {
    messages: r.sent,
    p50Ms: lat.p50,
    p90Ms: lat.p90,
    p99Ms: lat.p99,
    maxMs: lat.max,
    errors: r.errors + r.lost,
    // The whole run's server CPU (warm-up and drain included) over the messages of the window: a rough figure.
    serverCores: Math.round((cpuMs / (measureMs + 3000)) * 100) / 100,
  };
}

/** Whether the store behind `server` serves `sync` (the Redis store may not yet). */
async function servesSync(server: RunningServer, token: string): Promise<boolean> {
  const c = await ChatClient.connect({ host: server.host, port: server.port });
  try {
    await c.sync(token, 0);
    return true;
  } catch (err) {
    if ((err as Error).message === 'Protocol Tidak Benar') return false;
    throw err;
  } finally {
    await closeClient(c);
  }
}

async function sqliteRound(ctx: CaseContext, receive: 'poll' | 'sync'): Promise<Figures> {
  const server = await startServer('chatbox', { fixtureDb: ctx.fixture.db });
  try {
    const sessions = await login(server.host, server.port, 0, 2 * PAIRS);
    return await measure(ctx, [server], sessions, receive);
  } finally {
    await server.stop();
  }
}

/** Two nodes on one fresh Redis, senders on the first, receivers on the second; why not, when they cannot be measured. */
async function redisRound(ctx: CaseContext): Promise<Figures | string> {
  let redis: Awaited<ReturnType<typeof redisWithUsers>>;
  try {
    redis = await redisWithUsers(2 * PAIRS);
  } catch (err) {
    return `no redis-server to run (${(err as Error).message.split('\n')[0]})`;
  }
  const nodes: RunningServer[] = [];
  try {
    nodes.push(await startServer('chatbox', { redis: redis.url }));
    nodes.push(await startServer('chatbox', { redis: redis.url }));
    const sessions = await login(nodes[0]!.host, nodes[0]!.port, 0, 2 * PAIRS);
    if (!(await servesSync(nodes[1]!, sessions[PAIRS]!.token))) return 'the Redis store answers sync with Protocol Tidak Benar';
    return await measure(ctx, nodes, sessions, 'sync');
  } finally {
    for (const n of nodes) await n.stop();
    await redis.stop();
  }
}

const headline = (f: Figures): string => `${f.messages} msgs  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  max ${f.maxMs} ms  errors ${f.errors}  server ${f.serverCores} cores`;

/** Case 8: send-to-sync latency against 1 s inbox polls, SQLite (and two Redis nodes when served). */
export const syncDeliveryCase: BenchCase = {
  name: 'sync',
  title: '8. delivery, waiting sync (baseline: 1 s polls)',
  async run(ctx): Promise<CaseReport> {
    const runs = { baseline: [] as Figures[], chatbox: [] as Figures[] };
    const redisRuns: Figures[] = [];
    let redisServed = process.env.BENCH_SKIP_REDIS ? false : true;
    let redisSkipped = redisServed ? '' : 'BENCH_SKIP_REDIS is set';
    const rounds = ctx.quick ? 1 : 5;
    for (let round = 0; round < rounds; round++) {
      for (const receive of ['poll', 'sync'] as const) {
        const f = await sqliteRound(ctx, receive);
        (receive === 'poll' ? runs.baseline : runs.chatbox).push(f);
        ctx.log(`[sync] round ${round + 1}/${rounds} sqlite ${receive}  ${headline(f)}`);
      }
      if (redisServed) {
        const f = await redisRound(ctx);
        if (typeof f === 'string') {
          redisServed = false;
          redisSkipped = f;
          ctx.log(`[sync] skipping two Redis nodes: ${f}`);
        } else {
          redisRuns.push(f);
          ctx.log(`[sync] round ${round + 1}/${rounds} redis sync   ${headline(f)}`);
        }
      }
    }
    const b = medians(runs.baseline);
    const c = medians(runs.chatbox);
    const rows: MetricRow[] = [
      row('p50 delivery, SQLite', 'ms', b, c, 'p50Ms', { ratio: true, target: { text: '≤ 5 ms', met: (v) => v <= 5 } }),
      row('p99 delivery, SQLite', 'ms', b, c, 'p99Ms', { ratio: true, target: { text: '≤ 50 ms', met: (v) => v <= 50 } }),
      row('lost or failed, SQLite', '', b, c, 'errors', { target: { text: '0', met: (v) => v === 0 } }),
    ];
    if (redisRuns.length > 0) {
      const r = medians(redisRuns);
      rows.push(
        row('p50 delivery, 2 Redis nodes', 'ms', null, r, 'p50Ms', { target: { text: '≤ 5 ms', met: (v) => v <= 5 } }),
        row('p99 delivery, 2 Redis nodes', 'ms', null, r, 'p99Ms', { target: { text: '≤ 50 ms', met: (v) => v <= 50 } }),
        row('lost or failed, 2 Redis nodes', '', null, r, 'errors', { target: { text: '0', met: (v) => v === 0 } }),
      );
    }
    // Redis runs ride along as chatbox figures prefixed `redis`, so the result file keeps them.
    if (redisRuns.length > 0) runs.chatbox.forEach((f, i) => Object.assign(f, prefixed(redisRuns[i] ?? {})));
    return {
      name: 'sync',
      title: this.title,
      parameters: { pairs: PAIRS, sendEveryMs: `${SEND_EVERY_MS / 2}-${(SEND_EVERY_MS * 3) / 2} (uniform)`, baselinePollEveryMs: 1000, syncWaitMs: 30_000, redis: redisRuns.length > 0 ? 'two nodes, senders on one, receivers on the other' : `skipped: ${redisSkipped}` },
      runs,
      rows,
      notes: [
        `${PAIRS} pairs of distinct accounts (senders bench0000-0099, receivers bench0100-0199), each sender sending about once a second; both columns are the chatbox server on SQLite.`,
        'Baseline column: each receiver polls inbox every 1000 ms at a random phase. Chatbox column: each receiver keeps a `sync <token> <next> 30000` waiting on its own connection.',
        'Latency runs from writing the send to reading the reply (inbox or sync) that carries the message.',
        redisRuns.length > 0 ? 'Redis rows: two nodes on one redis-server, senders connected to one node, receivers to the other.' : `Two Redis nodes: not measured, ${redisSkipped}.`,
      ],
    };
  },
};

function prefixed(f: Figures): Figures {
  const out: Figures = {};
  for (const [k, v] of Object.entries(f)) out[`redis${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
  return out;
}
