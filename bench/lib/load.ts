// The orchestrator's side of the load generators: forks worker processes,
// deals the connections out to them, starts them together and merges what
// they measured.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Session } from './fixture.js';
import type { Command, FromWorker, LoadPlan, ToWorker, WorkerResult } from './plan.js';
import { Histogram, summarize, type LatencySummary } from './stats.js';

const WORKER = fileURLToPath(new URL('../load-worker.js', import.meta.url));

/** A load to put on one server. */
export interface LoadSpec {
  host: string;
  port: number;
  sessions: Session[];
  connections: number;
  workers: number;
  /** Source addresses per worker (each worker gets its own 127.0.0.x); 0: the kernel's choice (127.0.0.1). */
  addressesPerWorker: number;
  mode: LoadPlan['mode'];
  mix?: Partial<Record<Command, number>>;
  batch?: Command[];
  periodMs?: number;
  followPresence?: boolean;
  warmupMs: number;
  measureMs: number;
}

/** What a load measured, merged over its workers. */
export interface LoadResult {
  requestsPerSec: number;
  latencyMs: LatencySummary;
  /** Open loop: p99 of how late the generator sent against its schedule (ms). */
  generatorLagP99Ms: number;
  replies: number;
  errors: number;
  errorSamples: string[];
  connected: number;
  /** CPU the load generators used during the window, in cores (1 = one core busy). */
  generatorCores: number;
  /** What `cpuMs` (the server's CPU clock) advanced by during the window, when given. */
  serverCpuMs: number | null;
  /** Bytes the server sent to the load's connections during the window. */
  bytesIn: number;
  /** Sync mode: messages carried whose send was written in the window. */
  delivered: number;
}

interface Worker {
  proc: ChildProcess;
  next(): Promise<FromWorker>;
  tell(msg: ToWorker): void;
}

function spawnWorker(): Worker {
  const proc = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: FromWorker[] = [];
  const waiting: Array<(m: FromWorker) => void> = [];
  const deliver = (m: FromWorker): void => {
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  };
  proc.on('message', (m: FromWorker) => deliver(m));
  proc.on('exit', (code) => deliver({ type: 'fatal', message: `load worker exited with ${code}` }));
  return {
    proc,
    next: () => {
      const m = inbox.shift();
      return m ? Promise.resolve(m) : new Promise((resolve) => waiting.push(resolve));
    },
    tell: (msg) => {
      if (proc.connected) proc.send(msg);
    },
  };
}

function expect<T extends FromWorker['type']>(m: FromWorker, type: T): Extract<FromWorker, { type: T }> {
  if (m.type === 'fatal') throw new Error(`load worker failed: ${m.message}`);
  if (m.type !== type) throw new Error(`load worker sent ${m.type}, expected ${type}`);
  return m as Extract<FromWorker, { type: T }>;
}

/** Load workers with their connections open, ready to start. */
export class LoadGroup {
  private constructor(
    private readonly spec: LoadSpec,
    private readonly workers: Worker[],
    readonly connected: number,
    readonly connectFailures: number,
    readonly setupErrors: string[],
  ) {}

  /** Forks the workers and opens every connection (idle mode: and sends each its one request). */
  static async open(spec: LoadSpec): Promise<LoadGroup> {
    const workers = Array.from({ length: spec.workers }, spawnWorker);
    try {
      workers.forEach((w, wi) => {
        const tokens: string[] = [];
        for (let i = wi; i < spec.connections; i += spec.workers) tokens.push(spec.sessions[i % spec.sessions.length]!.token);
        const localAddresses = Array.from(
          { length: spec.addressesPerWorker },
          (_, j) => `127.0.0.${2 + wi * spec.addressesPerWorker + j}`,
        );
        const plan: LoadPlan = {
          host: spec.host,
          port: spec.port,
          localAddresses,
          tokens,
          peers: spec.sessions.map((s) => s.user),
          mode: spec.mode,
          mix: spec.mix,
          batch: spec.batch,
          periodMs: spec.periodMs,
          followPresence: spec.followPresence,
          warmupMs: spec.warmupMs,
          measureMs: spec.measureMs,
          connectConcurrency: 64,
        };
        w.tell({ type: 'plan', plan });
      });
      let connected = 0;
      let failed = 0;
      const errors: string[] = [];
      for (const w of workers) {
        const r = expect(await w.next(), 'ready');
        connected += r.connected;
        failed += r.failed;
        errors.push(...r.errorSamples);
      }
      return new LoadGroup(spec, workers, connected, failed, errors);
    } catch (err) {
      for (const w of workers) w.proc.kill();
      throw err;
    }
  }

  /** Runs the warm-up and the measured window on every worker at once; merges their figures. */
  async run(cpuMs?: () => number): Promise<LoadResult> {
    for (const w of this.workers) w.tell({ type: 'go' });
    // Reads the server's CPU clock at the window's edges, as the workers time it.
    const at = (ms: number): Promise<number> => new Promise((resolve) => setTimeout(() => resolve(cpuMs ? cpuMs() : NaN), ms));
    const cpuStart = at(this.spec.warmupMs);
    const cpuEnd = at(this.spec.warmupMs + this.spec.measureMs);
    const results: WorkerResult[] = [];
    for (const w of this.workers) results.push(expect(await w.next(), 'result').result);
    const serverCpuMs = (await cpuEnd) - (await cpuStart);
    const latency = new Histogram();
    const lag = new Histogram();
    for (const r of results) {
      latency.merge(r.latency);
      lag.merge(r.lag);
    }
    const windowMs = Math.max(...results.map((r) => r.windowMs));
    const replies = results.reduce((n, r) => n + r.replies, 0);
    return {
      requestsPerSec: windowMs > 0 ? replies / (windowMs / 1000) : 0,
      latencyMs: summarize(latency),
      generatorLagP99Ms: lag.quantile(0.99) / 1000,
      replies,
      errors: results.reduce((n, r) => n + r.errors, 0) + this.connectFailures,
      errorSamples: [...this.setupErrors, ...results.flatMap((r) => r.errorSamples)].slice(0, 8),
      connected: this.connected,
      generatorCores: windowMs > 0 ? results.reduce((n, r) => n + r.cpuMs, 0) / windowMs : 0,
      serverCpuMs: Number.isFinite(serverCpuMs) ? serverCpuMs : null,
      bytesIn: results.reduce((n, r) => n + r.bytesIn, 0),
      delivered: results.reduce((n, r) => n + r.delivered, 0),
    };
  }

  /** Closes every connection and waits for the workers to exit. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.proc.exitCode !== null || w.proc.signalCode !== null) return resolve();
            const killer = setTimeout(() => w.proc.kill('SIGKILL'), 10_000);
            w.proc.once('exit', () => {
              clearTimeout(killer);
              resolve();
            });
            w.tell({ type: 'quit' });
          }),
      ),
    );
  }
}
