// The Redis store beside the SQLite store: the same closed-loop loads (the
// mixed one of case 1 and the send-only one of case 2) against a node on each
// store, alternating in the same run. The SQLite node is this case's baseline.

import { RedisStore } from '../../src/server/store/redis.js';
import { hashPassword } from '../../src/server/passwords.js';
import { startRedis } from '../../test/helpers/redis.js';
import { alternate, type BenchCase, type CaseContext } from '../lib/case.js';
import { BENCH_PASSWORD, benchUser } from '../lib/fixture.js';
import { row, medians, type CaseReport, type Figures } from '../lib/report.js';
import { closedLoopRun, USERS } from './throughput.js';

const MIXED = { online: 1, inbox: 1, send: 1 };
/** A node on Redis should serve the mixed load at this fraction of a node on SQLite, at least. */
const MIN_MIXED_RATIO = 0.7;

/** A fresh redis-server holding the first `users` benchmark accounts (the same ones the SQLite fixture has). */
export async function redisWithUsers(users = USERS): Promise<{ url: string; stop(): Promise<void> }> {
  const redis = await startRedis({ appendfsync: 'everysec' });
  const store = await RedisStore.open(redis.url, { idleLifetimeMs: 7 * 86_400_000, presenceWindowMs: 30_000 });
  try {
    const passwordHash = await hashPassword(BENCH_PASSWORD, 10);
    await Promise.all(
      Array.from({ length: users }, (_, i) =>
        store.addUser({ username: benchUser(i), nama: `Bench User ${String(i).padStart(4, '0')}`, negara: 'Indonesia', passwordHash }),
      ),
    );
  } finally {
    await store.close();
  }
  return redis;
}

/** Both loads against one node; figures prefixed `mixed`/`send`. */
async function bothLoads(ctx: CaseContext, store: 'sqlite' | 'redis'): Promise<Figures> {
  const out: Figures = {};
  for (const [prefix, mix] of [['mixed', MIXED], ['send', { send: 1 }]] as const) {
    const redis = store === 'redis' ? await redisWithUsers() : null;
    try {
      const f = await closedLoopRun(ctx, 'chatbox', mix, redis ? { redis: redis.url } : { fixtureDb: ctx.fixture.db });
      out[`${prefix}Rps`] = f.requestsPerSec!;
      out[`${prefix}P99Ms`] = f.p99Ms!;
      out[`${prefix}Errors`] = f.errors!;
      out[`${prefix}UsPerRequest`] = f.serverUsPerRequest!;
    } finally {
      await redis?.stop();
    }
  }
  return out;
}

/** Case 7: Redis mode against SQLite mode under the same loads. */
export const redisCase: BenchCase = {
  name: 'redis',
  title: '7. Redis store vs SQLite store (baseline column: SQLite)',
  async run(ctx): Promise<CaseReport> {
    const runs = await alternate(
      ctx,
      'redis',
      (kind) => bothLoads(ctx, kind === 'baseline' ? 'sqlite' : 'redis'),
      (f) => `mixed ${f.mixedRps} req/s p99 ${f.mixedP99Ms} ms · send ${f.sendRps} req/s p99 ${f.sendP99Ms} ms`,
    );
    const sqlite = medians(runs.baseline);
    const redis = medians(runs.chatbox);
    return {
      name: 'redis',
      title: this.title,
      parameters: { connections: 200, users: USERS, loop: 'closed', redis: 'redis-server on this machine, appendonly yes, appendfsync everysec', sqlite: 'synchronous=NORMAL' },
      runs,
      rows: [
        row('mixed requests/s', 'req/s', sqlite, redis, 'mixedRps', {
          ratio: true,
          value: redis.mixedRps! / sqlite.mixedRps!,
          target: { text: `≥ ${MIN_MIXED_RATIO}× SQLite`, met: (v) => v >= MIN_MIXED_RATIO },
        }),
        row('mixed p99 latency', 'ms', sqlite, redis, 'mixedP99Ms', { ratio: true }),
        row('send requests/s', 'req/s', sqlite, redis, 'sendRps', { ratio: true }),
        row('send p99 latency', 'ms', sqlite, redis, 'sendP99Ms', { ratio: true }),
        row('server CPU per request, mixed', 'µs', sqlite, redis, 'mixedUsPerRequest', { ratio: true }),
        row('errors (mixed + send)', '', { e: sqlite.mixedErrors! + sqlite.sendErrors! }, { e: redis.mixedErrors! + redis.sendErrors! }, 'e', {
          target: { text: '0', met: (v) => v === 0 },
        }),
      ],
      notes: [
        'Runs alternate a node on SQLite and a node on Redis; "baseline" is the SQLite node, "chatbox" the Redis node, ratio = Redis / SQLite.',
        'The Redis node answers session checks and online polls from its caches, checked by one MGET shared by the requests of an event-loop turn (docs/redis.md, "Node caches"): inbox and send cost that MGET plus their script, online only the MGET.',
        'Redis runs on the same 2 cores as the node and the load generators, so it competes with them for CPU; on its own machine it would not.',
        'Durability is like for like: SQLite synchronous=NORMAL and Redis appendfsync everysec both keep every acknowledged message when the server process dies.',
      ],
    };
  },
};
