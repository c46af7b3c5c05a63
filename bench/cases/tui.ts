// Case "tui": the full-screen client's first frame and keystroke re-render
// with 1,000 users and a 10,000-message conversation, and its memory,
// measured in a child process against a plain Ink screen of the same size.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { alternate, type BenchCase } from '../lib/case.js';
import { medians, row, type CaseReport, type Figures } from '../lib/report.js';
import type { ServerKind } from '../lib/servers.js';
import { quantile, round } from '../lib/stats.js';
import type { TuiPlan, TuiResult } from '../tui-worker.js';

const WORKER = fileURLToPath(new URL('../tui-worker.js', import.meta.url));
const USERS = 1000;
const MESSAGES = 10_000;
const KEYSTROKES = 100;
const COLS = 120;
const ROWS = 40;

function runWorker(plan: TuiPlan): Promise<TuiResult> {
  return new Promise((resolve, reject) => {
    // Ink restores the cursor on the real stderr: keep that out of the bench's log.
    // The environment the chat sets for itself before loading React and Ink (src/tui/main.tsx).
    const env = { ...process.env, NODE_ENV: 'production', CI: '0', CONTINUOUS_INTEGRATION: '0' };
    // --expose-gc: memory is read after a full collection (see tui-worker.tsx).
    const proc = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env, execArgv: ['--expose-gc'] });
    let stderr = '';
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    let settled = false;
    proc.on('message', (m: { type: 'result'; result: TuiResult } | { type: 'fatal'; message: string }) => {
      settled = true;
      if (m.type === 'result') resolve(m.result);
      else reject(new Error(`tui worker failed: ${m.message}\n${stderr}`));
    });
    proc.on('exit', (code) => {
      if (!settled) reject(new Error(`tui worker exited with ${code}\n${stderr}`));
    });
    proc.send(plan);
  });
}

async function tuiRun(kind: ServerKind, quick: boolean): Promise<Figures> {
  const r = await runWorker({ kind, users: USERS, messages: MESSAGES, keystrokes: quick ? 30 : KEYSTROKES, cols: COLS, rows: ROWS });
  return {
    stateMs: round(r.stateMs),
    firstFrameMs: round(r.firstFrameMs),
    keystrokeP50Ms: round(quantile(r.keystrokeMs, 0.5)),
    keystrokeP99Ms: round(quantile(r.keystrokeMs, 0.99)),
    keystrokeMaxMs: round(Math.max(...r.keystrokeMs)),
    frameKB: round(r.frameBytes / 1000),
    rssMiB: round(r.rssMiB),
    heapMiB: round(r.heapMiB),
  };
}

/** Case 6: the TUI's rendering cost. */
export const tuiCase: BenchCase = {
  name: 'tui',
  title: '6. TUI, 1k users, 10k messages',
  async run(ctx): Promise<CaseReport> {
    const runs = await alternate(ctx, 'tui', (kind) => tuiRun(kind, ctx.quick), (f) =>
      `first frame ${f.firstFrameMs} ms (state ${f.stateMs} ms)  keystroke p50 ${f.keystrokeP50Ms} ms p99 ${f.keystrokeP99Ms} ms  rss ${f.rssMiB} MiB (heap ${f.heapMiB})`,
    );
    const b = medians(runs.baseline);
    const c = medians(runs.chatbox);
    return {
      name: 'tui',
      title: this.title,
      parameters: { users: USERS, messages: MESSAGES, keystrokes: ctx.quick ? 30 : KEYSTROKES, terminal: `${COLS}x${ROWS}`, ink: 'maxFps 60, whole-frame redraws (as src/tui/run.tsx)' },
      runs,
      rows: [
        row('first frame', 'ms', b, c, 'firstFrameMs', { ratio: true, target: { text: '< 400 ms', met: (v) => v < 400 } }),
        row('keystroke re-render, median', 'ms', b, c, 'keystrokeP50Ms', { ratio: true, target: { text: '< 10 ms', met: (v) => v < 10 } }),
        row('keystroke re-render, p99', 'ms', b, c, 'keystrokeP99Ms', { ratio: true }),
        row('RSS', 'MiB', b, c, 'rssMiB', { ratio: true, target: { text: '< 150 MiB', met: (v) => v < 150 } }),
      ],
      notes: [
        'The chat screen (ChatView from src/tui/components) is rendered with Ink to a fake 120x40 terminal in a child process; the state comes from the real reducer (src/tui/state.ts) fed a users poll and a 10,000-message history.',
        'First frame: from feeding the data to the reducer to the first frame written. Keystroke: one "type" action through the reducer and the re-render it causes, until its frame is written; 20 ms apart, past the 60 fps throttle.',
        'Baseline: a plain Ink screen of the same size (one Text per row) with its last row changed per keystroke.',
      ],
    };
  },
};
