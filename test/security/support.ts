// Shared by the attack tests: a bystander client that keeps using the server
// while it is under attack, memory readings of the server process, and small
// waiting helpers with deadlines.

import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process in MiB, from /proc/<pid>/status. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** Samples a process's resident memory every `everyMs` until stopped; `peak` is the highest seen. */
export class MemoryWatch {
  peak: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, everyMs = 50) {
    this.peak = rssMiB(pid);
    this.timer = setInterval(() => {
      try {
        this.peak = Math.max(this.peak, rssMiB(this.pid));
      } catch {
        // The process is gone; the test will say so.
      }
    }, everyMs);
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

/** Waits until `check` holds, polling; throws `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** What a bystander saw while it kept using the server. */
export interface BystanderReport {
  requests: number;
  failures: string[];
  maxMs: number;
}

/** Where and as whom a bystander connects. */
export interface BystanderOptions {
  port: number;
  user?: string;
  localAddress?: string;
  /** PEM of a CA to trust: connect with TLS. */
  ca?: string;
}

const BYSTANDER = fileURLToPath(new URL('./bystander-process.js', import.meta.url));

/**
 * A well-behaved user on its own connection, in its own process (so that
 * what it measures is the server, not the test's own event loop): it logs
 * in, then keeps asking `online`, sending itself a message and draining its
 * inbox, one request at a time, and reports how long each reply took.
 */
export class Bystander {
  private constructor(private readonly child: ChildProcess) {}

  static async start(options: BystanderOptions): Promise<Bystander> {
    const child = fork(BYSTANDER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const b = new Bystander(child);
    child.send({ user: 'lineker', localAddress: '127.0.0.2', ...options });
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(`bystander: ${m.error}`))));
      child.once('exit', (code) => reject(new Error(`bystander exited with ${code}`)));
    });
    return b;
  }

  /** Stops asking and returns what it saw. */
  async stop(): Promise<BystanderReport> {
    if (this.child.exitCode !== null) throw new Error('bystander process died');
    const report = new Promise<BystanderReport>((resolve) => this.child.once('message', (m: BystanderReport) => resolve(m)));
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send('stop');
    const r = await report;
    await exited;
    return r;
  }

  /** Kills the process without a report (cleanup after a failure). */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
