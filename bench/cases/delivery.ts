// Case "delivery": how long a message takes from `send` on one connection to
// showing up in another connection's inbox, polled once a second.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DeliveryPlan, DeliveryResult } from '../delivery-worker.js';
import { alternate, type BenchCase, type CaseContext } from '../lib/case.js';
import { login } from '../lib/fixture.js';
import { medians, row, type CaseReport, type Figures } from '../lib/report.js';
import { startServer, type ServerKind } from '../lib/servers.js';
import { Histogram, summarize } from '../lib/stats.js';

const WORKER = fileURLToPath(new URL('../delivery-worker.js', import.meta.url));
const PAIRS = 100;
const POLL_MS = 1000;
const SEND_EVERY_MS = 1000;

/** Runs one delivery plan in a worker process of its own, so the clients are not the bottleneck. */
export function runDeliveryWorker(plan: DeliveryPlan): Promise<DeliveryResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    proc.on('message', (m: { type: 'result'; result: DeliveryResult } | { type: 'fatal'; message: string }) => {
      settled = true;
      if (m.type === 'result') resolve(m.result);
      else reject(new Error(`delivery worker failed: ${m.message}`));
    });
    proc.on('exit', (code) => {
      if (!settled) reject(new Error(`delivery worker exited with ${code}`));
    });
    proc.send(plan);
  });
}

async function deliveryRun(ctx: CaseContext, kind: ServerKind): Promise<Figures> {
  const server = await startServer(kind, { fixtureDb: ctx.fixture.db });
  try {
    const sessions = await login(server.host, server.port, 0, 2 * PAIRS);
    const r = await runDeliveryWorker({
      host: server.host,
      port: server.port,
      baseline: kind === 'baseline',
      senders: sessions.slice(0, PAIRS),
      receivers: sessions.slice(PAIRS),
      pollMs: POLL_MS,
      sendEveryMs: SEND_EVERY_MS,
      warmupMs: 2000,
      measureMs: ctx.quick ? 5000 : 8000,
    });
    if (r.errorSamples.length) ctx.log(`  errors: ${r.errorSamples.join('; ')}`);
    const lat = summarize(Histogram.from(r.latency));
    return {
      messages: r.sent,
      delivered: r.delivered,
      p50Ms: lat.p50,
      p90Ms: lat.p90,
      p99Ms: lat.p99,
      maxMs: lat.max,
      lost: r.lost,
      errors: r.errors + r.lost,
    };
  } finally {
    await server.stop();
  }
}

/** Case 5: send-to-inbox latency at a 1 s poll interval. */
export const deliveryCase: BenchCase = {
  name: 'delivery',
  title: '5. delivery latency, 1 s polls',
  async run(ctx): Promise<CaseReport> {
    const runs = await alternate(ctx, 'delivery', (kind) => deliveryRun(ctx, kind), (f) =>
      `${f.messages} msgs  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  max ${f.maxMs} ms  lost ${f.lost}  errors ${f.errors}`,
    );
    const b = medians(runs.baseline);
    const c = medians(runs.chatbox);
    const limit = POLL_MS + 50;
    return {
      name: 'delivery',
      title: this.title,
      parameters: { pairs: PAIRS, pollEveryMs: POLL_MS, sendEveryMs: `${SEND_EVERY_MS / 2}-${(SEND_EVERY_MS * 3) / 2} (uniform)` },
      runs,
      rows: [
        row('p50 delivery', 'ms', b, c, 'p50Ms', { ratio: true }),
        row('p99 delivery', 'ms', b, c, 'p99Ms', { ratio: true, target: { text: `≤ ${limit} ms`, met: (v) => v <= limit } }),
        row('lost or failed', '', b, c, 'errors', { target: { text: '0', met: (v) => v === 0 } }),
      ],
      notes: [
        `${PAIRS} sender/receiver pairs, each receiver polling its inbox every ${POLL_MS} ms at a random phase, each sender sending about once a second.`,
        'Latency runs from writing the send to receiving the inbox reply that carries the message. For the baseline, a message counts as carried by the first poll written after its send was answered.',
      ],
    };
  },
};
