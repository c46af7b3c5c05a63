// Servers under test, each in its own child process: the chatbox server on a
// fresh copy of the fixture database, or the baseline server. Also reads a
// process's resident memory from /proc.

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// BENCH_CHATBOX_BIN=/other/checkout/bin/chatbox measures another build of the server (before/after).
// Read at each start: the A/B tool sets it before each run.
const chatboxBin = (): string => process.env.BENCH_CHATBOX_BIN || join(ROOT, 'bin', 'chatbox');
const BASELINE = fileURLToPath(new URL('../baseline-server.js', import.meta.url));

/** Which server a run measures. */
export type ServerKind = 'baseline' | 'chatbox';

/** A server process started for one run. */
export interface RunningServer {
  kind: ServerKind;
  host: string;
  port: number;
  pid: number;
  /** Resident memory of the server process now, in KiB. */
  rssKiB(): number;
  /** CPU time the server process has used so far, in ms. */
  cpuMs(): number;
  /** SIGTERM, wait for the exit, remove the run's files. */
  stop(): Promise<void>;
}

/** How to start a server for one run. */
export interface ServerOptions {
  /** Fixture database to copy (chatbox only). */
  fixtureDb?: string;
  /** Extra `chatbox serve` flags. */
  args?: string[];
  /** Serve from this Redis instead of a SQLite copy of the fixture (chatbox only). */
  redis?: string;
}

/** Resident set size of a process in KiB (VmRSS of /proc/PID/status). */
export function readRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]);
}

/** CPU time a process has used so far (user + system), in ms. */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** Linux's USER_HZ, the unit of /proc/PID/stat times. */
const CLOCK_TICKS = 100;

// Extra node flags for the server process, to profile it under a benchmark:
// BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
function nodeArgs(): string[] {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

export async function startServer(kind: ServerKind, opts: ServerOptions = {}): Promise<RunningServer> {
  let dir: string | null = null;
  let args: string[];
  if (kind === 'chatbox') {
    dir = mkdtempSync(join(tmpdir(), 'chatbox-bench-run-'));
    const db = join(dir, 'chat.db');
    if (opts.fixtureDb) copyFileSync(opts.fixtureDb, db);
    args = [
      ...nodeArgs(),
      chatboxBin(),
      'serve',
      '--port',
      '0',
      ...(opts.redis ? ['--redis', opts.redis] : ['--db', db]),
      '--demo',
      '--unsafe-scrypt-cost',
      '10',
      '--log-level',
      'warn',
      ...(opts.args ?? []),
    ];
  } else {
    args = [...nodeArgs(), BASELINE, '--port', '0', ...(process.env.BENCH_BASELINE_ARGS ?? '').split(/\s+/).filter(Boolean)];
  }
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHATBOX_HOST: '', CHATBOX_PORT: '', CHATBOX_DB: '', CHATBOX_REDIS: '' },
  });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    // Keep the tail only: a loaded server may warn a lot.
    err = (err + d).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const cleanup = (): void => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { host, port } = await waitListening(proc, exited, () => err);
    return {
      kind,
      host,
      port,
      pid: proc.pid!,
      rssKiB: () => readRssKiB(proc.pid!),
      cpuMs: () => readCpuMs(proc.pid!),
      stop: async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
        const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
        if (proc.exitCode !== 0 && proc.signalCode !== 'SIGTERM' && err.trim()) {
          process.stderr.write(`${kind} server exited with ${proc.exitCode ?? proc.signalCode}:\n${err.slice(-2000)}\n`);
        }
        cleanup();
      },
    };
  } catch (e) {
    proc.kill('SIGKILL');
    await exited;
    cleanup();
    throw e;
  }
}

function waitListening(proc: ChildProcess, exited: Promise<void>, stderr: () => string): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${stderr()}`)), 30_000);
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (\S+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1]!, port: Number(m[2]) });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${stderr()}`));
    });
  });
}
