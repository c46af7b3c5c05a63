// A load generator process: opens its share of connections over raw sockets,
// drives them as its plan says (closed loop, open loop or idle) and reports a
// latency histogram. Forked by the orchestrator; talks to it over IPC.
//
// Replies are not parsed: a reply ends at its second `\n` (JSON never holds a
// raw line break, so only the `\r\n\r\n` terminator does), and byte 12 of a
// frame is `O` for `{"status": "OK"` or `E` for `{"status": "ERROR"`.

import net from 'node:net';
import type { Command, FromWorker, LoadPlan, ToWorker, WorkerResult } from './lib/plan.js';
import { Histogram } from './lib/stats.js';

const STATUS_OFFSET = 12;
const O = 0x4f;

let plan: LoadPlan;
const conns: Conn[] = [];
const latency = new Histogram();
const lag = new Histogram();
let replies = 0;
let errors = 0;
const errorSamples: string[] = [];
let windowStart = Infinity;
let windowEnd = Infinity;
let running = false;
let seq = 0;
let bytesIn = 0;
let delivered = 0;
// BENCH_TRACE=1: each worker prints replies and latency per second to stderr, to see a run's shape.
let trace: Histogram | null = null;
function startTrace(): void {
  if (!process.env.BENCH_TRACE) return;
  trace = new Histogram();
  const t0 = performance.now();
  const timer = setInterval(() => {
    const h = trace!;
    process.stderr.write(
      `  worker ${process.pid} t=${((performance.now() - t0) / 1000).toFixed(0)}s replies ${h.count} p50 ${(h.quantile(0.5) / 1000).toFixed(1)} ms p99 ${(h.quantile(0.99) / 1000).toFixed(1)} ms max ${(h.max / 1000).toFixed(1)} ms\n`,
    );
    trace = new Histogram();
    if (!running) clearInterval(timer);
  }, 1000);
}

function send(msg: FromWorker): void {
  process.send!(msg);
}

function noteError(what: string): void {
  errors++;
  if (errorSamples.length < 5) errorSamples.push(what);
}

/** One load connection: a FIFO of send times matched to replies in order. */
class Conn {
  readonly sentAt: number[] = [];
  private head = 0;
  private frameBytes = 0;
  private statusSeen = false;
  private statusOk = false;
  private newlines = 0;
  dead = false;
  /** Open loop: when this connection's next batch is due. */
  due = 0;
  /** Sync mode: the cursor, the presence version last fetched, and the reply being read. */
  cursor = 0;
  presence = 0;
  private parts: Buffer[] = [];

  constructor(
    readonly socket: net.Socket,
    readonly token: string,
    private readonly onReply: (conn: Conn, text: string | null) => void,
    /** Keep each reply's text (sync mode parses them). */
    private readonly collect = false,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!this.dead && running) noteError(`socket: ${err.code ?? err.message}`);
      this.dead = true;
    });
    socket.on('close', () => {
      if (!this.dead && running) noteError('closed by server');
      this.dead = true;
    });
  }

  get outstanding(): number {
    return this.sentAt.length - this.head;
  }

  write(lines: string, count: number, now: number): void {
    if (this.dead) return;
    for (let i = 0; i < count; i++) this.sentAt.push(now);
    this.socket.write(lines);
  }

  private onData(chunk: Buffer): void {
    if (running) {
      const now = performance.now();
      if (now >= windowStart && now < windowEnd) bytesIn += chunk.length;
    }
    let pos = 0;
    let start = 0;
    for (;;) {
      if (!this.statusSeen) {
        const at = pos + (STATUS_OFFSET - this.frameBytes);
        if (at < chunk.length) {
          this.statusOk = chunk[at] === O;
          this.statusSeen = true;
        }
      }
      const nl = chunk.indexOf(10, pos);
      if (nl === -1) {
        this.frameBytes += chunk.length - pos;
        if (this.collect) this.parts.push(chunk.subarray(start));
        return;
      }
      if (this.newlines === 0) {
        this.newlines = 1;
        this.frameBytes += nl + 1 - pos;
      } else {
        this.newlines = 0;
        this.frameBytes = 0;
        this.statusSeen = false;
        let text: string | null = null;
        if (this.collect) {
          this.parts.push(chunk.subarray(start, nl + 1));
          text = Buffer.concat(this.parts).toString('utf8');
          this.parts = [];
        }
        start = nl + 1;
        this.complete(this.statusOk, text);
      }
      pos = nl + 1;
    }
  }

  private complete(ok: boolean, text: string | null): void {
    const now = performance.now();
    const at = this.sentAt[this.head++];
    if (this.head > 1024) {
      this.sentAt.splice(0, this.head);
      this.head = 0;
    }
    if (at === undefined) {
      noteError('reply without a request');
      return;
    }
    if (this.collect) {
      // A waiting sync's own latency is its wait: the messages it carries are timed instead,
      // and its replies count by when they arrive.
      if (now >= windowStart && now < windowEnd) replies++;
      this.onReply(this, text);
      return;
    }
    if (trace) trace.record((now - at) * 1000);
    if (at >= windowStart && at < windowEnd) {
      replies++;
      latency.record((now - at) * 1000);
      if (!ok) noteError('ERROR reply');
    }
    this.onReply(this, text);
  }
}

function line(cmd: Command, token: string): string {
  if (cmd === 'send') {
    const to = plan.peers[Math.floor(Math.random() * plan.peers.length)]!;
    return `send ${token} ${to} bench message number ${++seq} with some text\r\n`;
  }
  return `${cmd} ${token}\r\n`;
}

function pickCommand(weights: [Command, number][], total: number): Command {
  let r = Math.random() * total;
  for (const [cmd, w] of weights) {
    r -= w;
    if (r < 0) return cmd;
  }
  return weights[weights.length - 1]![0];
}

async function connectAll(): Promise<{ connected: number; failed: number; samples: string[] }> {
  const samples: string[] = [];
  let failed = 0;
  let next = 0;
  const onReply = plan.mode === 'closed' ? closedNext : plan.mode === 'sync' ? syncNext : (): void => {};
  const one = async (): Promise<void> => {
    while (next < plan.tokens.length) {
      const i = next++;
      // No source address: the kernel picks the port as part of connect, far faster than bind()
      // to a port-0 address (which scans the bound ports: ~200 connections/s at 5,000).
      const localAddress = plan.localAddresses.length > 0 ? plan.localAddresses[i % plan.localAddresses.length] : undefined;
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host: plan.host, port: plan.port, localAddress });
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        conns.push(new Conn(socket, plan.tokens[i]!, onReply, plan.mode === 'sync'));
      } catch (err) {
        failed++;
        if (samples.length < 5) samples.push(`connect: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.connectConcurrency }, one));
  return { connected: conns.length, failed, samples };
}

// --- closed loop ---

let mixWeights: [Command, number][] = [];
let mixTotal = 0;

function closedNext(conn: Conn): void {
  if (!running || conn.outstanding > 0) return;
  conn.write(line(pickCommand(mixWeights, mixTotal), conn.token), 1, performance.now());
}

// --- sync ---

const syncLine = (c: Conn): string => `sync ${c.token} ${c.cursor} 60000\r\n`;

/** Handles a sync (or online) reply: times the messages it carries, then syncs again from its cursor. */
function syncNext(conn: Conn, text: string | null): void {
  if (text === null) return;
  let r: { status?: string; message?: string; messages?: { msg: string }[]; next?: number; presence?: number; users?: unknown; unchanged?: boolean };
  try {
    r = JSON.parse(text) as typeof r;
  } catch {
    noteError('unparsable reply');
    return;
  }
  if (r.status !== 'OK') {
    noteError(`ERROR ${r.message ?? ''}`);
    return;
  }
  if (r.next === undefined) {
    // An online reply: the list (or "unchanged") at this version.
    if (typeof r.presence === 'number') conn.presence = r.presence;
    return;
  }
  const now = performance.timeOrigin + performance.now();
  for (const m of r.messages ?? []) {
    const t = /t=(\d+(?:\.\d+)?)/.exec(m.msg);
    if (!t) continue;
    const sentAt = Number(t[1]) - performance.timeOrigin;
    if (sentAt >= windowStart && sentAt < windowEnd) {
      delivered++;
      latency.record((now - Number(t[1])) * 1000);
    }
  }
  conn.cursor = r.next;
  if (!running) return;
  if (plan.followPresence && r.presence !== conn.presence) {
    conn.write(`online ${conn.token} ${conn.presence}\r\n${syncLine(conn)}`, 2, performance.now());
  } else {
    conn.write(syncLine(conn), 1, performance.now());
  }
}

// --- open loop ---

let batchLines: Map<Conn, string> = new Map();

/** Sends every batch that is due, then sleeps until the next one. */
function openTick(): void {
  if (!running) return;
  const now = performance.now();
  const period = plan.periodMs!;
  const count = plan.batch!.length;
  let soonest = Infinity;
  for (const c of conns) {
    if (c.due <= now) {
      lag.record((now - c.due) * 1000);
      c.write(batchLines.get(c)!, count, now);
      // Keep the schedule: a late batch does not shift the ones after it.
      c.due += period * Math.max(1, Math.ceil((now - c.due) / period));
    }
    if (c.due < soonest) soonest = c.due;
  }
  setTimeout(openTick, Math.max(0, soonest - performance.now()));
}

async function waitOutstanding(limitMs: number): Promise<void> {
  const until = performance.now() + limitMs;
  while (performance.now() < until && conns.some((c) => !c.dead && c.outstanding > 0)) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function go(): Promise<void> {
  if (plan.mode === 'idle') {
    // Idle connections have nothing to time: report what went wrong while they were held.
    send({ type: 'result', result: { latency: latency.toData(), lag: lag.toData(), replies, errors, errorSamples, windowMs: 0, cpuMs: 0, bytesIn, delivered } });
    return;
  }
  const t0 = performance.now();
  windowStart = t0 + plan.warmupMs;
  windowEnd = windowStart + plan.measureMs;
  running = true;
  startTrace();
  if (plan.mode === 'sync') {
    // The syncs were sent when the connections opened (startSync); a new window starts now.
  } else if (plan.mode === 'closed') {
    mixWeights = Object.entries(plan.mix ?? {}).filter(([, w]) => w! > 0) as [Command, number][];
    mixTotal = mixWeights.reduce((s, [, w]) => s + w, 0);
    for (const c of conns) closedNext(c);
  } else if (plan.mode === 'open') {
    batchLines = new Map(conns.map((c) => [c, plan.batch!.map((cmd) => line(cmd, c.token)).join('')]));
    for (const c of conns) c.due = t0 + Math.random() * plan.periodMs!;
    openTick();
  }
  await new Promise((r) => setTimeout(r, windowStart - performance.now()));
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, Math.max(0, windowEnd - performance.now())));
  const cpu = process.cpuUsage(cpu0);
  if (plan.mode === 'sync') {
    // Messages sent at the window's end still arrive: wait for them, syncing on, then report.
    await new Promise((r) => setTimeout(r, 1500));
  }
  running = false;
  // Replies to requests sent inside the window still count; a missing one is an error (a sync keeps waiting).
  if (plan.mode !== 'sync') await waitOutstanding(5000);
  const missing = plan.mode === 'sync' ? 0 : conns.reduce((n, c) => n + c.outstanding, 0);
  if (missing > 0) {
    noteError(`${missing} replies missing 5 s after the window`);
    errors += missing - 1;
  }
  const result: WorkerResult = {
    latency: latency.toData(),
    lag: lag.toData(),
    replies,
    errors,
    errorSamples,
    windowMs: plan.measureMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    bytesIn,
    delivered,
  };
  send({ type: 'result', result });
}

async function startIdle(): Promise<number> {
  running = true;
  windowStart = 0;
  windowEnd = Infinity;
  for (const c of conns) c.write(line('inbox', c.token), 1, performance.now());
  await waitOutstanding(60_000);
  running = false;
  return conns.filter((c) => c.outstanding > 0).length;
}

process.on('message', (msg: ToWorker) => {
  void (async () => {
    try {
      if (msg.type === 'plan') {
        plan = msg.plan;
        const t0 = performance.now();
        const { connected, failed, samples } = await connectAll();
        if (process.env.BENCH_TRACE) process.stderr.write(`  worker ${process.pid} connected ${connected} in ${Math.round(performance.now() - t0)} ms\n`);
        if (plan.mode === 'sync') {
          // Every connection starts waiting at once: a sync from 0 answers what is stored, then waits.
          running = true;
          windowStart = Infinity;
          for (const c of conns) c.write(syncLine(c), 1, performance.now());
        }
        if (plan.mode === 'idle') {
          const t1 = performance.now();
          const unanswered = await startIdle();
          if (process.env.BENCH_TRACE) process.stderr.write(`  worker ${process.pid} first requests answered in ${Math.round(performance.now() - t1)} ms\n`);
          if (unanswered > 0) samples.push(`${unanswered} first requests unanswered`);
          running = true;
        }
        send({ type: 'ready', connected, failed, errorSamples: [...samples, ...errorSamples] });
      } else if (msg.type === 'go') {
        await go();
      } else if (msg.type === 'quit') {
        running = false;
        for (const c of conns) c.socket.destroy();
        process.disconnect();
        setTimeout(() => process.exit(0), 200).unref();
      }
    } catch (err) {
      send({ type: 'fatal', message: (err as Error).stack ?? String(err) });
    }
  })();
});
