// The shape of a benchmark case and the round structure they share:
// baseline and chatbox runs alternate, so drift in a noisy machine hits both.

import type { Fixture } from './fixture.js';
import type { CaseReport, Figures } from './report.js';
import type { ServerKind } from './servers.js';

/** What every case gets from the runner. */
export interface CaseContext {
  fixture: Fixture;
  quick: boolean;
  /** Baseline/chatbox pairs to run (a short case may run more). */
  rounds: number;
  log(line: string): void;
}

/** One benchmark case. */
export interface BenchCase {
  name: string;
  title: string;
  run(ctx: CaseContext): Promise<CaseReport>;
}

/** Every run's figures, by server. */
export interface Runs {
  baseline: Figures[];
  chatbox: Figures[];
}

/** Runs baseline, chatbox, baseline, chatbox, ... and logs each run's headline figures. */
export async function alternate(
  ctx: CaseContext,
  name: string,
  run: (kind: ServerKind, round: number) => Promise<Figures>,
  headline: (f: Figures) => string,
  rounds = ctx.rounds,
): Promise<Runs> {
  const runs: Runs = { baseline: [], chatbox: [] };
  for (let round = 0; round < rounds; round++) {
    for (const kind of ['baseline', 'chatbox'] as const) {
      const t0 = Date.now();
      const f = await run(kind, round);
      runs[kind].push(f);
      const secs = Math.round((Date.now() - t0) / 1000);
      ctx.log(`[${name}] round ${round + 1}/${rounds} ${kind.padEnd(8)} ${headline(f)}  (${secs} s)`);
    }
  }
  return runs;
}

/** Waits `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
