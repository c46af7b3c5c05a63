// Closed-loop throughput: many connections each sending a request as soon as
// the previous reply came. Case "mixed" (online/inbox/send) and case "send"
// (send only: every reply waits for the SQLite commit).

import { alternate, type BenchCase, type CaseContext } from '../lib/case.js';
import type { Command } from '../lib/plan.js';
import { medians, row, type CaseReport, type Figures } from '../lib/report.js';
import { loadFigures, withServerLoad, type LoadOptions } from '../lib/server-load.js';
import type { ServerKind, ServerOptions } from '../lib/servers.js';

const CONNECTIONS = 200;
/** Users logged in by the closed-loop cases. */
export const USERS = 100;
const WORKERS = 2;

/** One closed-loop run against a fresh server; `serverOpts` picks its store (SQLite fixture by default). */
export async function closedLoopRun(
  ctx: CaseContext,
  kind: ServerKind,
  mix: Partial<Record<Command, number>>,
  serverOpts: ServerOptions = { fixtureDb: ctx.fixture.db },
): Promise<Figures> {
  const warmupMs = ctx.quick ? 1000 : 2000;
  const measureMs = ctx.quick ? 3000 : 5000;
  const spec: LoadOptions = { connections: CONNECTIONS, workers: WORKERS, addressesPerWorker: 1, mode: 'closed', mix, warmupMs, measureMs };
  return withServerLoad(kind, serverOpts, USERS, spec, async (server, load) => {
    const r = await load.run(server.cpuMs);
    if (r.errorSamples.length) ctx.log(`  errors: ${r.errorSamples.join('; ')}`);
    return loadFigures(r, measureMs);
  });
}

const headline = (f: Figures): string =>
  `${f.requestsPerSec} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  errors ${f.errors}  server ${f.serverCores} cores, ${f.serverUsPerRequest} us/req`;

function throughputRows(runs: { baseline: Figures[]; chatbox: Figures[] }, minRatio: number, p99Factor: number | null) {
  const b = medians(runs.baseline);
  const c = medians(runs.chatbox);
  const ratio = c.requestsPerSec! / b.requestsPerSec!;
  const rows = [
    row('requests/s', 'req/s', b, c, 'requestsPerSec', {
      ratio: true,
      value: ratio,
      target: { text: `≥ ${minRatio}× baseline`, met: (v) => v >= minRatio },
    }),
    row('p50 latency', 'ms', b, c, 'p50Ms', { ratio: true }),
  ];
  if (p99Factor !== null) {
    rows.push(
      row('p99 latency', 'ms', b, c, 'p99Ms', {
        ratio: true,
        value: c.p99Ms! / b.p99Ms!,
        target: { text: `≤ ${p99Factor}× baseline`, met: (v) => v <= p99Factor },
      }),
    );
  } else {
    rows.push(row('p99 latency', 'ms', b, c, 'p99Ms', { ratio: true }));
  }
  rows.push(
    row('errors', '', b, c, 'errors', { target: { text: '0', met: (v) => v === 0 } }),
    row('server CPU', 'cores', b, c, 'serverCores'),
    row('server CPU per request', 'µs', b, c, 'serverUsPerRequest', { ratio: true }),
  );
  return rows;
}

const MIX = { online: 1, inbox: 1, send: 1 };

/** Case 1: a mix of online, inbox and send on 200 connections. */
export const mixedCase: BenchCase = {
  name: 'mixed',
  title: '1. mixed, 200 conns, closed loop',
  async run(ctx): Promise<CaseReport> {
    const runs = await alternate(ctx, 'mixed', (kind) => closedLoopRun(ctx, kind, MIX), headline);
    return {
      name: 'mixed',
      title: this.title,
      parameters: { connections: CONNECTIONS, users: USERS, loadWorkers: WORKERS, mix: MIX, loop: 'closed' },
      runs,
      rows: throughputRows(runs, 0.6, 2),
      notes: [
        `${USERS} users logged in once each, ${CONNECTIONS / USERS} connections per user; each request picks online, inbox or send with equal odds.`,
        `An online reply lists the other ${USERS - 1} users (about 8 KB); the baseline answers a fixed 45-byte reply.`,
      ],
    };
  },
};

/** Case 2: send only, every reply waiting for its durable commit to SQLite. */
export const sendCase: BenchCase = {
  name: 'send',
  title: '2. send only, SQLite, closed loop',
  async run(ctx): Promise<CaseReport> {
    const runs = await alternate(ctx, 'send', (kind) => closedLoopRun(ctx, kind, { send: 1 }), headline);
    return {
      name: 'send',
      title: this.title,
      parameters: { connections: CONNECTIONS, users: USERS, loadWorkers: WORKERS, mix: { send: 1 }, loop: 'closed', store: 'sqlite (synchronous=NORMAL)' },
      runs,
      rows: throughputRows(runs, 0.5, null),
      notes: ['Each "Message Sent" is written only after the message is committed (group commit per event-loop turn).'],
    };
  },
};
