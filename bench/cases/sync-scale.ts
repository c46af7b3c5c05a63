// Many clients on `sync`: case "waiting" (10,000 clients each with a sync
// waiting, 100 messages/s spread among them) and case "presence" (clients
// online while others log in and out: the bytes presence costs with sync +
// versioned online, against plain online polled once a second).

import { alternate, sleep, type BenchCase, type CaseContext } from '../lib/case.js';
import { ChatClient } from '../../src/client.js';
import { closeClient, createFixture, login, type Fixture, type Session } from '../lib/fixture.js';
import { LoadGroup, type LoadSpec } from '../lib/load.js';
import { medians, row, type CaseReport, type Figures } from '../lib/report.js';
import { startServer, type RunningServer } from '../lib/servers.js';
import { Histogram, summarize } from '../lib/stats.js';
import { ADDRESSES, rssPeak, WORKERS } from './connections.js';

const CLIENTS = 10_000;
const SENDERS = 10;
const RATE = 100;
const PRESENCE_CLIENTS = Number(process.env.BENCH_PRESENCE_CLIENTS ?? 1000);
const CHURN_USERS = 100;
const CHURN_PER_SEC = 10;

/** Accounts for these cases: CLIENTS receivers, then senders (or churning users). */
async function withFixture<T>(ctx: CaseContext, users: number, body: (f: Fixture) => Promise<T>): Promise<T> {
  ctx.log(`creating ${users} accounts`);
  const f = await createFixture(users);
  try {
    return await body(f);
  } finally {
    f.remove();
  }
}

/** Logs in users first..first+count-1, a thousand per connection at a time. */
async function loginMany(server: RunningServer, first: number, count: number): Promise<Session[]> {
  const out: Session[] = [];
  for (let at = first; at < first + count; at += 1000) out.push(...(await login(server.host, server.port, at, Math.min(1000, first + count - at))));
  return out;
}

/** A server whose caps sit well above `connections`: near a cap it closes quiet unauthenticated connections first, the load's among them. */
async function startLoaded(fixture: Fixture, connections: number): Promise<RunningServer> {
  const cap = String(Math.ceil(connections * 1.5) + 100);
  return startServer('chatbox', { fixtureDb: fixture.db, args: ['--max-connections', cap, '--max-connections-per-ip', cap] });
}

async function waitingRun(ctx: CaseContext, fixture: Fixture): Promise<Figures> {
  const warmupMs = 3000;
  const measureMs = ctx.quick ? 5000 : 10_000;
  const server = await startLoaded(fixture, CLIENTS);
  try {
    const receivers = await loginMany(server, 0, CLIENTS);
    const senders = await loginMany(server, CLIENTS, SENDERS);
    const spec: LoadSpec = { host: server.host, port: server.port, sessions: receivers, connections: CLIENTS, workers: WORKERS, addressesPerWorker: ADDRESSES, mode: 'sync', warmupMs, measureMs };
    const load = await LoadGroup.open(spec);
    const clients = await Promise.all(senders.map(() => ChatClient.connect({ host: server.host, port: server.port, requestTimeoutMs: 30_000 })));
    try {
      // Let the first syncs and their presence wake-ups settle before the window.
      await sleep(2000);
      const peak = rssPeak(server);
      let sending = true;
      let sendErrors = 0;
      // How long each send took to be answered, as this process saw it (its own event-loop delays included).
      const sendAnswered = new Histogram();
      const sendLoop = async (i: number): Promise<void> => {
        const start = performance.now();
        // Each sender sends RATE / SENDERS a second on a fixed schedule, to random receivers.
        for (let n = 0; sending; n++) {
          const due = start + Math.random() * 10 + (n * 1000 * SENDERS) / RATE;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          const to = receivers[Math.floor(Math.random() * receivers.length)]!.user;
          const t = performance.now();
          clients[i]!
            .send(senders[i]!.token, to, `t=${performance.timeOrigin + t} bench`)
            .then(() => sendAnswered.record((performance.now() - t) * 1000))
            .catch(() => sendErrors++);
        }
      };
      const loops = clients.map((_, i) => sendLoop(i));
      if (process.env.BENCH_TRACE) ctx.log(`  senders started`);
      const r = await load.run(server.cpuMs);
      sending = false;
      await Promise.all(loops);
      const rssMiB = Math.round(peak.stop() / 1024);
      if (r.errorSamples.length) ctx.log(`  errors: ${r.errorSamples.join('; ')}`);
      const expected = (RATE * measureMs) / 1000;
      return {
        connections: r.connected,
        delivered: r.delivered,
        p50Ms: r.latencyMs.p50,
        p99Ms: r.latencyMs.p99,
        maxMs: r.latencyMs.max,
        sendAnsweredP50Ms: summarize(sendAnswered).p50,
        sendAnsweredP99Ms: summarize(sendAnswered).p99,
        rssMiB,
        syncRepliesPerSec: Math.round(r.replies / (measureMs / 1000)),
        generatorCores: Math.round(r.generatorCores * 100) / 100,
        serverCores: Math.round(((r.serverCpuMs ?? NaN) / measureMs) * 100) / 100,
        serverUsPerMessage: Math.round(((r.serverCpuMs ?? NaN) * 1000) / Math.max(1, r.delivered)),
        // Sends at a 100/s schedule: a shortfall of more than 2 % counts as lost.
        errors: r.errors + sendErrors + (r.delivered < expected * 0.98 ? Math.round(expected - r.delivered) : 0),
      };
    } finally {
      await Promise.all(clients.map(closeClient));
      await load.close();
    }
  } finally {
    await server.stop();
  }
}

/** Case 9: 10,000 clients waiting in sync, 100 messages/s among them. */
export const waitingCase: BenchCase = {
  name: 'waiting',
  title: '9. 10k clients waiting in sync, 100 msgs/s',
  async run(ctx): Promise<CaseReport> {
    return withFixture(ctx, CLIENTS + SENDERS, async (fixture) => {
      const runs = { baseline: [] as Figures[], chatbox: [] as Figures[] };
      const rounds = ctx.quick ? 1 : 3;
      for (let round = 0; round < rounds; round++) {
        const f = await waitingRun(ctx, fixture);
        runs.chatbox.push(f);
        ctx.log(
          `[waiting] round ${round + 1}/${rounds}  ${f.connections} conns  ${f.delivered} delivered  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  (send answered p50 ${f.sendAnsweredP50Ms} ms, p99 ${f.sendAnsweredP99Ms} ms)  rss ${f.rssMiB} MiB  server ${f.serverCores} cores, ${f.serverUsPerMessage} µs/msg  ${f.syncRepliesPerSec} sync replies/s  generators ${f.generatorCores} cores  errors ${f.errors}`,
        );
      }
      const c = medians(runs.chatbox);
      return {
        name: 'waiting',
        title: this.title,
        parameters: { clients: CLIENTS, distinctUsers: CLIENTS, senders: SENDERS, messagesPerSec: RATE, syncWaitMs: 60_000, loadWorkers: WORKERS },
        runs,
        rows: [
          row('p99 delivery', 'ms', null, c, 'p99Ms', { target: { text: '≤ 100 ms', met: (v) => v <= 100 } }),
          row('p50 delivery', 'ms', null, c, 'p50Ms'),
          row('server RSS (peak)', 'MiB', null, c, 'rssMiB', { target: { text: '< 400 MiB', met: (v) => v < 400 } }),
          row('server CPU per delivered message', 'µs', null, c, 'serverUsPerMessage'),
          row('server CPU', 'cores', null, c, 'serverCores'),
          row('lost or failed', '', null, c, 'errors', { target: { text: '0', met: (v) => v === 0 } }),
        ],
        notes: [
          `${CLIENTS} accounts, one connection each, each keeping "sync <token> <next> 60000" waiting (load workers on raw sockets); ${SENDERS} more accounts send ${RATE} messages/s in all to random receivers on a fixed schedule.`,
          'Latency runs from the sender writing the send (its time is in the message text) to a load worker reading the sync reply that carries it; the processes share the machine clock.',
          'Server CPU per delivered message is all the server did in the window (sends, wake-ups, syncs re-sent after each reply) over the messages delivered; no baseline: the original protocol has no sync.',
        ],
      };
    });
  },
};

/** Logs churn users in and out on one connection, CHURN_PER_SEC a second, until stopped. */
function churn(server: RunningServer, first: number): { stop(): Promise<number> } {
  let on = true;
  let errors = 0;
  const done = (async () => {
    const c = await ChatClient.connect({ host: server.host, port: server.port, requestTimeoutMs: 30_000 });
    const tokens = new Map<number, string>();
    const start = performance.now();
    try {
      for (let k = 0; on; k++) {
        const wait = start + (k * 1000) / CHURN_PER_SEC - performance.now();
        if (wait > 0) await sleep(wait);
        const i = first + (k % CHURN_USERS);
        const token = tokens.get(i);
        try {
          if (token) {
            tokens.delete(i);
            await c.logout(token);
          } else {
            tokens.set(i, await c.auth(`bench${String(i).padStart(4, '0')}`, 'bench-password'));
          }
        } catch {
          errors++;
        }
      }
    } finally {
      await closeClient(c);
    }
  })();
  return {
    stop: async () => {
      on = false;
      await done;
      return errors;
    },
  };
}

async function presenceRun(ctx: CaseContext, fixture: Fixture, versioned: boolean): Promise<Figures> {
  const warmupMs = 3000;
  const measureMs = ctx.quick ? 5000 : 10_000;
  const server = await startLoaded(fixture, PRESENCE_CLIENTS);
  try {
    const sessions = await loginMany(server, 0, PRESENCE_CLIENTS);
    const spec: LoadSpec = {
      host: server.host,
      port: server.port,
      sessions,
      connections: PRESENCE_CLIENTS,
      workers: WORKERS,
      addressesPerWorker: 0,
      warmupMs,
      measureMs,
      ...(versioned ? { mode: 'sync', followPresence: true } : { mode: 'open', batch: ['online'], periodMs: 1000 }),
    };
    const load = await LoadGroup.open(spec);
    try {
      const churner = churn(server, PRESENCE_CLIENTS);
      const r = await load.run(server.cpuMs);
      const churnErrors = await churner.stop();
      if (r.errorSamples.length) ctx.log(`  errors: ${r.errorSamples.join('; ')}`);
      return {
        clients: r.connected,
        bytesPerSec: Math.round(r.bytesIn / (measureMs / 1000)),
        bytesPerClientPerSec: Math.round(r.bytesIn / (measureMs / 1000) / Math.max(1, r.connected)),
        repliesPerSec: Math.round(r.replies / (measureMs / 1000)),
        serverCores: Math.round(((r.serverCpuMs ?? NaN) / measureMs) * 100) / 100,
        errors: r.errors + churnErrors,
      };
    } finally {
      await load.close();
    }
  } finally {
    await server.stop();
  }
}

/** Case 10: presence bytes with sync + versioned online against plain online polled every second. */
export const presenceCase: BenchCase = {
  name: 'presence',
  title: `10. presence, ${PRESENCE_CLIENTS / 1000}k online, ${CHURN_PER_SEC} logins/logouts/s (baseline: online polled 1/s)`,
  async run(ctx): Promise<CaseReport> {
    return withFixture(ctx, PRESENCE_CLIENTS + CHURN_USERS, async (fixture) => {
      const runs = await alternate(
        ctx,
        'presence',
        (kind) => presenceRun(ctx, fixture, kind === 'chatbox'),
        (f) => `${f.clients} clients  ${f.bytesPerSec} B/s (${f.bytesPerClientPerSec} per client)  ${f.repliesPerSec} replies/s  server ${f.serverCores} cores  errors ${f.errors}`,
      );
      const b = medians(runs.baseline);
      const c = medians(runs.chatbox);
      const fewer = c.bytesPerSec! > 0 ? b.bytesPerSec! / c.bytesPerSec! : Infinity;
      return {
        name: 'presence',
        title: this.title,
        parameters: { clients: PRESENCE_CLIENTS, churnUsers: CHURN_USERS, loginsLogoutsPerSec: CHURN_PER_SEC, presenceWakeMs: 2000, baseline: 'plain online every 1000 ms', loadWorkers: WORKERS },
        runs,
        rows: [
          row('bytes/s sent for presence', 'B/s', b, c, 'bytesPerSec', { ratio: true, target: { text: '≥ 20× fewer', met: () => fewer >= 20 } }),
          row('bytes/s per client', 'B/s', b, c, 'bytesPerClientPerSec', { ratio: true }),
          row('server CPU', 'cores', b, c, 'serverCores', { ratio: true }),
          row('errors', '', b, c, 'errors', { target: { text: '0', met: (v) => v === 0 } }),
        ],
        notes: [
          `${PRESENCE_CLIENTS} accounts online, one connection each (scaled down from 10,000: polling 10,000 full online lists a second is more than 2 shared cores serve); ${CHURN_USERS} more accounts log in and out, ${CHURN_PER_SEC} a second in all, so the list changes ${CHURN_PER_SEC} times a second.`,
          'Baseline column: every client sends plain "online" once a second. Chatbox column: every client waits in sync and, when a reply shows a new presence version, asks "online <token> <version>" before syncing again (the server wakes a sync for presence at most every 2 s).',
          'Bytes are what the clients read from the server in the window; nothing else is sent, so all of it is presence.',
        ],
      };
    });
  },
};
