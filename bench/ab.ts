// Compares two builds of the server under the same closed-loop load,
// alternating A, B, A, B, ...: requests/s and the server's CPU per request.
// For before/after figures of an optimisation on a noisy machine.
//
//   git worktree add /tmp/before <commit> && (cd /tmp/before && ln -s $PWD/node_modules . && npx tsc -p .)
//   A_BIN=/tmp/before/bin/chatbox node dist/bench/ab.js online:1,inbox:1,send:1 [rounds] [connections]
//
// B_BIN defaults to this checkout's bin/chatbox (as does A_BIN). A build with an
// older schema cannot open a file this one wrote: BENCH_FIXTURE_FROM=/tmp/before
// writes the fixture with that checkout's store (the newer build migrates it). AB_USERS
// (default 100) is how many users log in: each `online` reply lists the others,
// so 3 makes it small. AB_ECHO=1 adds the echo baseline (E) to each round, for
// the ratios (BENCH_BASELINE_ARGS as in the suite).

import { createFixture, login } from './lib/fixture.js';
import { LoadGroup } from './lib/load.js';
import type { Command } from './lib/plan.js';
import { startServer, type ServerKind } from './lib/servers.js';
import { median } from './lib/stats.js';

const [mixArg, roundsArg = '4', connsArg = '200'] = process.argv.slice(2);
if (!mixArg) {
  process.stderr.write('usage: A_BIN=... [B_BIN=...] node dist/bench/ab.js online:1,inbox:1,send:1 [rounds] [connections]\n');
  process.exit(2);
}
const mix = Object.fromEntries(mixArg.split(',').map((p) => [p.split(':')[0] as Command, Number(p.split(':')[1] ?? 1)]));
const users = Number(process.env.AB_USERS ?? 100);
const names = process.env.AB_ECHO === '1' ? (['E', 'A', 'B'] as const) : (['A', 'B'] as const);
const fixture = await createFixture(Math.max(200, users));
const res: Record<'A' | 'B' | 'E', { rps: number; us: number; p99: number }[]> = { A: [], B: [], E: [] };
try {
  for (let r = 0; r < Number(roundsArg); r++) {
    for (const name of names) {
      const bin = process.env[`${name}_BIN`];
      if (bin) process.env.BENCH_CHATBOX_BIN = bin;
      else delete process.env.BENCH_CHATBOX_BIN;
      const kind: ServerKind = name === 'E' ? 'baseline' : 'chatbox';
      const server = await startServer(kind, { fixtureDb: fixture.db });
      try {
        const sessions = await login(server.host, server.port, 0, users);
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
        res[name].push({ rps: out.requestsPerSec, us, p99: out.latencyMs.p99 });
        process.stdout.write(`${name} ${Math.round(out.requestsPerSec)} req/s  ${us.toFixed(1)} us/req  p99 ${out.latencyMs.p99} ms  errors ${out.errors}\n`);
      } finally {
        await server.stop();
      }
    }
  }
  for (const k of names) {
    const rps = Math.round(median(res[k].map((x) => x.rps)));
    const us = median(res[k].map((x) => x.us)).toFixed(1);
    const p99 = median(res[k].map((x) => x.p99));
    const spread = `${Math.round(Math.min(...res[k].map((x) => x.rps)))}–${Math.round(Math.max(...res[k].map((x) => x.rps)))}`;
    const vsEcho = res.E.length ? `  (${(rps / median(res.E.map((x) => x.rps))).toFixed(2)}× echo, ${(Number(us) / median(res.E.map((x) => x.us))).toFixed(2)}× its CPU)` : '';
    process.stdout.write(`${k} median: ${rps} req/s (${spread}), ${us} us of server CPU per request, p99 ${p99} ms${vsEcho}\n`);
  }
} finally {
  fixture.remove();
}

