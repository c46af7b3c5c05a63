// What the orchestrator and a load worker say to each other over IPC.

import type { HistogramData } from './stats.js';

/** A command a load connection sends. */
export type Command = 'online' | 'inbox' | 'send';

/** One worker's share of a load. */
export interface LoadPlan {
  host: string;
  port: number;
  /** Source addresses to spread this worker's connections over (127.0.0.x); none: the kernel's choice. */
  localAddresses: string[];
  /** The token each connection uses (tokens are shared between connections of one user). */
  tokens: string[];
  /** Usernames `send` picks its destinations from. */
  peers: string[];
  /**
   * closed: each connection sends, waits for the reply, sends again, picking commands by `mix` weights;
   * open: each connection sends `batch` (pipelined) every `periodMs`, at a random phase;
   * idle: each connection sends one `inbox`, then stays silent until told to quit;
   * sync: each connection keeps `sync <token> <next> 60000` waiting, following the cursor, and times
   * every message it carries from the `t=<epoch ms>` its sender wrote in it.
   */
  mode: 'closed' | 'open' | 'idle' | 'sync';
  /** Sync mode: when a reply's presence version changed, ask `online <token> <version>` before syncing again. */
  followPresence?: boolean;
  mix?: Partial<Record<Command, number>>;
  batch?: Command[];
  periodMs?: number;
  warmupMs: number;
  measureMs: number;
  /** Connection attempts in flight at once. */
  connectConcurrency: number;
}

/** Orchestrator to worker. */
export type ToWorker = { type: 'plan'; plan: LoadPlan } | { type: 'go' } | { type: 'quit' };

/** What one worker measured. */
export interface WorkerResult {
  /** Latency of every reply to a request sent inside the window (µs). */
  latency: HistogramData;
  /** Open loop: how late each batch left against its schedule (µs): the generator's own health. */
  lag: HistogramData;
  replies: number;
  errors: number;
  /** A few error descriptions, for the report. */
  errorSamples: string[];
  windowMs: number;
  /** CPU the worker used during the window (ms). */
  cpuMs: number;
  /** Bytes the server sent to this worker's connections during the window. */
  bytesIn: number;
  /** Sync mode: messages carried whose send was written inside the window (their latency is in `latency`). */
  delivered: number;
}

/** Worker to orchestrator. */
export type FromWorker =
  | { type: 'ready'; connected: number; failed: number; errorSamples: string[] }
  | { type: 'result'; result: WorkerResult }
  | { type: 'fatal'; message: string };
