// Compares two builds of the server under the same closed-loop load,
// alternating A, B, A, B, ...: requests/s and the server's CPU per request.
// For before/after figures of an optimisation on a noisy machine.
//
//   git worktree add /tmp/before <commit> && (cd /tmp/before && ln -s $PWD/node_modules . && npx tsc -p .)
//   A_BIN=/tmp/before/bin/chatbox node dist/bench/ab.js online:1,inbox:1,send:1 [rounds] [connections]
//
// B_BIN defaults to this checkout's bin/chatbox (as does A_BIN).

import { createFixture, login } from './lib/fixture.js';
import { LoadGroup } from './lib/load.js';
import type { Command } from './lib/plan.js';
import { startServer } from './lib/servers.js';
import { median } from './lib/stats.js';

const [mixArg, roundsArg = '4', connsArg = '200'] = process.argv.slice(2);
if (!mixArg) {
  process.stderr.write('usage: A_BIN=... [B_BIN=...] node dist/bench/ab.js online:1,inbox:1,send:1 [rounds] [connections]\n');
  process.exit(2);
}
const mix = Object.fromEntries(mixArg.split(',').map((p) => [p.split(':')[0] as Command, Number(p.split(':')[1] ?? 1)]));
const fixture = await createFixture(200);
const res: Record<'A' | 'B', { rps: number; us: number }[]> = { A: [], B: [] };
try {
  for (let r = 0; r < Number(roundsArg); r++) {
    for (const name of ['A', 'B'] as const) {
      const bin = process.env[`${name}_BIN`];
      if (bin) process.env.BENCH_CHATBOX_BIN = bin;
      else delete process.env.BENCH_CHATBOX_BIN;
      const server = await startServer('chatbox', { fixtureDb: fixture.db });
      try {
        const sessions = await login(server.host, server.port, 0, 100);
        const load = await LoadGroup.open({
          host: server.host,
          port: server.port,
          sessions,
          connections: Number(connsArg),
          workers: 2,
          addressesPerWorker: 1,
          mode: 'closed',
          mix,
          warmupMs: 1000,
          measureMs: 3000,
        });
        const out = await load.run(server.cpuMs);
        await load.close();
        const us = ((out.serverCpuMs ?? NaN) * 1000) / out.replies;
        res[name].push({ rps: out.requestsPerSec, us });
        process.stdout.write(`${name} ${Math.round(out.requestsPerSec)} req/s  ${us.toFixed(1)} us/req  p99 ${out.latencyMs.p99} ms  errors ${out.errors}\n`);
      } finally {
        await server.stop();
      }
    }
  }
  for (const k of ['A', 'B'] as const) {
    const rps = Math.round(median(res[k].map((x) => x.rps)));
    const us = median(res[k].map((x) => x.us)).toFixed(1);
    process.stdout.write(`${k} median: ${rps} req/s, ${us} us of server CPU per request\n`);
  }
} finally {
  fixture.remove();
}
