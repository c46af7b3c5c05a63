// Many connections: case "polling" (10,000 connections polling online and
// inbox once a second each, open loop) and case "idle" (10,000 authenticated
// connections doing nothing: what each one costs the server in memory).

import { readFileSync } from 'node:fs';
import { alternate, sleep, type BenchCase, type CaseContext } from '../lib/case.js';
import { login } from '../lib/fixture.js';
import { LoadGroup } from '../lib/load.js';
import { medians, row, type CaseReport, type Figures } from '../lib/report.js';
import { loadFigures, withServerLoad, type LoadOptions } from '../lib/server-load.js';
import { startServer, type RunningServer, type ServerKind } from '../lib/servers.js';

const CONNECTIONS = 10_000;
const USERS = 100;
// Two load processes (5,000 connections each): more only add processes competing for the two
// cores. BENCH_WORKERS overrides.
export const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);

/** Local ports the kernel hands out to connect() (per destination), from /proc. */
function ephemeralPorts(): number {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return hi! - lo! + 1;
  } catch {
    return 28_232;
  }
}

/**
 * Source addresses per worker. Binding to 127.0.0.x before connecting is slow
 * (the kernel scans the bound ports: ~200 connections/s at 5,000), so extra
 * addresses are used only when the ephemeral port range cannot hold the
 * connections from one (0: the kernel picks address and port in connect).
 */
export const ADDRESSES = ephemeralPorts() >= CONNECTIONS * 1.25 ? 0 : Math.ceil(CONNECTIONS / WORKERS / (ephemeralPorts() * 0.8));
// Caps well above the load: near 90 % of a cap the server closes the longest-quiet connections
// that have not used a token yet, and 10,000 connections still sending their first request are those.
const CAP = String(Math.ceil(CONNECTIONS * 1.5) + 100);
const SERVER_ARGS = ['--max-connections', CAP, '--max-connections-per-ip', CAP];

/** Samples a server's RSS every 250 ms until stopped; returns the highest seen (KiB). */
export function rssPeak(server: RunningServer): { stop(): number } {
  let peak = server.rssKiB();
  const timer = setInterval(() => {
    peak = Math.max(peak, server.rssKiB());
  }, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, server.rssKiB());
    },
  };
}

async function pollingRun(ctx: CaseContext, kind: ServerKind): Promise<Figures> {
  const warmupMs = 2000;
  const measureMs = ctx.quick ? 5000 : 8000;
  const serverOpts = { fixtureDb: ctx.fixture.db, args: SERVER_ARGS };
  const spec: LoadOptions = {
    connections: CONNECTIONS,
    workers: WORKERS,
    addressesPerWorker: ADDRESSES,
    mode: 'open',
    batch: ['online', 'inbox'],
    periodMs: 1000,
    warmupMs,
    measureMs,
  };
  return withServerLoad(kind, serverOpts, USERS, spec, async (server, load) => {
    const peak = rssPeak(server);
    const r = await load.run(server.cpuMs);
    const rssMiB = peak.stop() / 1024;
    if (r.errorSamples.length) ctx.log(`  errors: ${r.errorSamples.join('; ')}`);
    return {
      connections: r.connected,
      ...loadFigures(r, measureMs),
      rssMiB: Math.round(rssMiB),
      generatorLagP99Ms: Math.round(r.generatorLagP99Ms * 10) / 10,
    };
  });
}

/** Case 3: 10,000 polling connections, 20,000 requests/s offered. */
export const pollingCase: BenchCase = {
  name: 'polling',
  title: '3. 10k conns polling 1/s, open loop',
  async run(ctx): Promise<CaseReport> {
    const runs = await alternate(
      ctx,
      'polling',
      (kind) => pollingRun(ctx, kind),
      (f) =>
        `${f.connections} conns  ${f.requestsPerSec} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  errors ${f.errors}  rss ${f.rssMiB} MiB  server ${f.serverCores} cores, ${f.serverUsPerRequest} us/req  generators ${f.generatorCores} cores  lag p99 ${f.generatorLagP99Ms} ms`,
      ctx.quick ? 1 : 5,
    );
    const b = medians(runs.baseline);
    const c = medians(runs.chatbox);
    return {
      name: 'polling',
      title: this.title,
      parameters: { connections: CONNECTIONS, users: USERS, loadWorkers: WORKERS, sourceAddressesPerWorker: ADDRESSES || 'kernel', pollEveryMs: 1000, batch: ['online', 'inbox'], loop: 'open', serverArgs: SERVER_ARGS },
      runs,
      rows: [
        row('requests/s', 'req/s', b, c, 'requestsPerSec', { ratio: true }),
        row('p50 latency', 'ms', b, c, 'p50Ms', { ratio: true }),
        row('p99 latency', 'ms', b, c, 'p99Ms', { ratio: true, target: { text: '< 50 ms', met: (v) => v < 50 } }),
        row('errors', '', b, c, 'errors', { target: { text: '0', met: (v) => v === 0 } }),
        row('server RSS (peak)', 'MiB', b, c, 'rssMiB', { ratio: true, target: { text: '< 400 MiB', met: (v) => v < 400 } }),
        row('server CPU', 'cores', b, c, 'serverCores', { ratio: true }),
        row('server CPU per request', 'µs', b, c, 'serverUsPerRequest', { ratio: true }),
      ],
      notes: [
        `${USERS} users logged in once each, ${CONNECTIONS / USERS} connections per user; every connection sends "online" and "inbox" together once a second, at a random phase.`,
        'Latency is timed from when each batch was written; generatorLagP99Ms shows how late the generator itself sent against its schedule.',
      ],
    };
  },
};

async function idleRun(ctx: CaseContext, kind: ServerKind): Promise<Figures> {
  const server = await startServer(kind, { fixtureDb: ctx.fixture.db, args: SERVER_ARGS });
  try {
    const sessions = await login(server.host, server.port, 0, USERS);
    await sleep(1000);
    const before = server.rssKiB();
    const load = await LoadGroup.open({
      host: server.host,
      port: server.port,
      sessions,
      connections: CONNECTIONS,
      workers: WORKERS,
      addressesPerWorker: ADDRESSES,
      mode: 'idle',
      warmupMs: 0,
      measureMs: 0,
    });
    try {
      // Let the burst's garbage go and the heap settle before reading.
      await sleep(2000);
      const after = server.rssKiB();
      const r = await load.run();
      if (r.errorSamples.length) ctx.log(`  errors: ${r.errorSamples.join('; ')}`);
      return {
        connections: load.connected,
        rssBeforeMiB: Math.round(before / 102.4) / 10,
        rssAfterMiB: Math.round(after / 102.4) / 10,
        perConnectionKB: Math.round(((after - before) * 1024) / load.connected / 10) / 100,
        errors: r.errors,
      };
    } finally {
      await load.close();
    }
  } finally {
    await server.stop();
  }
}

/** Case 4: memory per idle authenticated connection. */
export const idleCase: BenchCase = {
  name: 'idle',
  title: '4. 10k idle authenticated conns',
  async run(ctx): Promise<CaseReport> {
    const runs = await alternate(
      ctx,
      'idle',
      (kind) => idleRun(ctx, kind),
      (f) => `${f.connections} conns  rss ${f.rssBeforeMiB} -> ${f.rssAfterMiB} MiB  ${f.perConnectionKB} KB/conn  errors ${f.errors}`,
      ctx.quick ? 1 : 5,
    );
    const b = medians(runs.baseline);
    const c = medians(runs.chatbox);
    return {
      name: 'idle',
      title: this.title,
      parameters: { connections: CONNECTIONS, users: USERS, loadWorkers: WORKERS, sourceAddressesPerWorker: ADDRESSES || 'kernel', serverArgs: SERVER_ARGS },
      runs,
      rows: [
        row('memory per connection', 'KB', b, c, 'perConnectionKB', { ratio: true, target: { text: '< 10 KB', met: (v) => v < 10 } }),
        row('server RSS with all connected', 'MiB', b, c, 'rssAfterMiB', { ratio: true }),
        row('errors', '', b, c, 'errors', { target: { text: '0', met: (v) => v === 0 } }),
      ],
      notes: [
        'Each connection sends one "inbox" with a shared token (so it holds a session), gets its reply, then stays silent.',
        'Memory per connection = (RSS with every connection open, after 2 s of quiet − RSS before connecting) / connections; KB = 1000 bytes.',
      ],
    };
  },
};
