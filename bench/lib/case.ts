// The shape of a benchmark case and the round structure they share:
// baseline and chatbox runs alternate, so drift in a noisy machine hits both.

import type { Fixture } from './fixture.js';
import type { CaseReport, Figures } from './report.js';
import type { ServerKind } from './servers.js';

/** What every case gets from the runner. */
export interface CaseContext {
  fixture: Fixture;
  quick: boolean;
  /** Baseline/chatbox pairs to run. */
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
): Promise<Runs> {
  const runs: Runs = { baseline: [], chatbox: [] };
  for (let round = 0; round < ctx.rounds; round++) {
    for (const kind of ['baseline', 'chatbox'] as const) {
      const f = await run(kind, round);
      runs[kind].push(f);
      ctx.log(`[${name}] round ${round + 1}/${ctx.rounds} ${kind.padEnd(8)} ${headline(f)}`);
    }
  }
  return runs;
}

/** Waits `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
