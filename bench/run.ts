// `npm run bench`: runs the benchmark cases, each against the baseline server
// in the same run, writes bench/results/<case>.json and summary.md, and prints
// the summary table.
//
// node dist/bench/run.js [case...] [--quick]
//   case: a name (mixed, send, polling, idle, delivery, tui, redis, sync, waiting, presence, search) or its number 1-11.
//   --quick: one round and shorter windows (a smoke run, not for the record).

import { idleCase, pollingCase } from './cases/connections.js';
import { deliveryCase } from './cases/delivery.js';
import { redisCase } from './cases/redis.js';
import { searchCase } from './cases/search.js';
import { presenceCase, waitingCase } from './cases/sync-scale.js';
import { syncDeliveryCase } from './cases/sync-delivery.js';
import { mixedCase, sendCase } from './cases/throughput.js';
import { tuiCase } from './cases/tui.js';
import type { BenchCase, CaseContext } from './lib/case.js';
import { createFixture } from './lib/fixture.js';
import { writeCaseResult, writeSummary } from './lib/report.js';

const CASES: BenchCase[] = [mixedCase, sendCase, pollingCase, idleCase, deliveryCase, tuiCase, redisCase, syncDeliveryCase, waitingCase, presenceCase, searchCase];
const ORDER = ['mixed', 'send', 'polling', 'idle', 'delivery', 'tui', 'redis', 'sync', 'waiting', 'presence', 'search'] as const;
const FIXTURE_USERS = 1000;

function usage(problem: string): never {
  process.stderr.write(`bench: ${problem}\nusage: node dist/bench/run.js [${ORDER.join('|')}|1-${ORDER.length} ...] [--quick]\n`);
  process.exit(2);
}

function pickCases(argv: string[]): { cases: BenchCase[]; quick: boolean } {
  let quick = false;
  const names = new Set<string>();
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a === '--help' || a === '-h') usage('runs the benchmark cases');
    else if (/^[1-9][0-9]?$/.test(a) && Number(a) <= ORDER.length) names.add(ORDER[Number(a) - 1]!);
    else if ((ORDER as readonly string[]).includes(a)) names.add(a);
    else usage(`unknown case '${a}'`);
  }
  const cases = CASES.filter((c) => names.size === 0 || names.has(c.name));
  for (const n of names) if (!CASES.some((c) => c.name === n)) usage(`case '${n}' is not available`);
  return { cases, quick };
}

async function main(): Promise<void> {
  const { cases, quick } = pickCases(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string): void => {
    process.stderr.write(`${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s ${line}\n`);
  };
  log(`creating ${FIXTURE_USERS} accounts`);
  const fixture = await createFixture(FIXTURE_USERS);
  const ctx: CaseContext = { fixture, quick, rounds: quick ? 1 : 3, log };
  let failed = false;
  try {
    for (const c of cases) {
      const at = new Date().toISOString();
      const t0 = Date.now();
      try {
        const report = await c.run(ctx);
        writeCaseResult(report, { startedAt: at, durationSec: Math.round((Date.now() - t0) / 1000), quick, rounds: report.runs.chatbox.length });
      } catch (err) {
        failed = true;
        log(`[${c.name}] failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  } finally {
    fixture.remove();
  }
  const summary = writeSummary(ORDER);
  process.stdout.write(`\n${summary}`);
  log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exitCode = failed ? 1 : 0;
}

await main();
