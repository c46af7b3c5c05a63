// End-to-end delivery: pairs of connections, one sending a message now and
// then, the other polling `inbox` at a fixed interval or waiting in `sync`
// (receive: 'sync', each receiver on a connection of its own, possibly on
// another node: `receiverPort`); a message's latency is
// from the moment its `send` was written to the moment the poll reply that
// carries it arrived. Both ends live in this one process, so they share a clock.
//
// Against the baseline (which stores nothing) a message counts as carried by
// the first poll written after its `send` was answered: the floor of any
// polling design.

import { ChatClient } from '../src/client.js';
import type { Message } from '../src/protocol.js';
import type { HistogramData } from './lib/stats.js';
import { Histogram } from './lib/stats.js';

/** What the orchestrator asks of this process. */
export interface DeliveryPlan {
  host: string;
  port: number;
  baseline: boolean;
  senders: { user: string; token: string }[];
  receivers: { user: string; token: string }[];
  pollMs: number;
  /** poll: `inbox` every pollMs; sync: a waiting `sync` always outstanding. */
  receive?: 'poll' | 'sync';
  /** Port the receivers connect to (default: `port`): another node of the same store. */
  receiverPort?: number;
  /** Each sender waits a random time in [0.5, 1.5] × this between messages. */
  sendEveryMs: number;
  warmupMs: number;
  measureMs: number;
}

/** What it measured. */
export interface DeliveryResult {
  latency: HistogramData;
  sent: number;
  delivered: number;
  lost: number;
  errors: number;
  errorSamples: string[];
}

interface Sent {
  writtenAt: number;
  answeredAt: number;
  measured: boolean;
}

let errors = 0;
const errorSamples: string[] = [];
const noteError = (what: string): void => {
  errors++;
  if (errorSamples.length < 5) errorSamples.push(what);
};

async function run(plan: DeliveryPlan): Promise<DeliveryResult> {
  const connect = (): Promise<ChatClient> => ChatClient.connect({ host: plan.host, port: plan.port, requestTimeoutMs: 30_000 });
  const senders = await Promise.all(plan.senders.map(connect));
  const receivers = await Promise.all(
    plan.receivers.map(() => ChatClient.connect({ host: plan.host, port: plan.receiverPort ?? plan.port, requestTimeoutMs: 30_000 })),
  );
  // Sync receivers start from the cursor of an immediate sync (what a client does after `users`).
  const cursors = plan.receive === 'sync' ? await Promise.all(receivers.map((c, i) => c.sync(plan.receivers[i]!.token, 0).then((r) => r.next))) : [];
  const latency = new Histogram();
  // Per pair: messages in flight, by sequence number.
  const inFlight = plan.senders.map(() => new Map<number, Sent>());
  const t0 = performance.now();
  const windowStart = t0 + plan.warmupMs;
  const windowEnd = windowStart + plan.measureMs;
  let sending = true;
  let polling = true;
  let sent = 0;
  let delivered = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const deliver = (pair: number, seq: number, now: number): void => {
    const s = inFlight[pair]!.get(seq);
    if (!s) return;
    inFlight[pair]!.delete(seq);
    if (s.measured) {
      delivered++;
      latency.record((now - s.writtenAt) * 1000);
    }
  };

  const sendLoop = (pair: number, seq: number): void => {
    if (!sending) return;
    const writtenAt = performance.now();
    const measured = writtenAt >= windowStart && writtenAt < windowEnd;
    if (measured) sent++;
    const entry: Sent = { writtenAt, answeredAt: Infinity, measured };
    inFlight[pair]!.set(seq, entry);
    senders[pair]!
      .send(plan.senders[pair]!.token, plan.receivers[pair]!.user, `e2e ${pair} ${seq}`)
      .then(() => {
        entry.answeredAt = performance.now();
      })
      .catch((err: Error) => {
        inFlight[pair]!.delete(seq);
        noteError(`send: ${err.message}`);
      });
    later(plan.sendEveryMs * (0.5 + Math.random()), () => sendLoop(pair, seq + 1));
  };

  const pollLoop = (pair: number): void => {
    if (!polling) return;
    const writtenAt = performance.now();
    later(plan.pollMs, () => pollLoop(pair));
    receivers[pair]!
      .inbox(plan.receivers[pair]!.token)
      .then((inbox) => {
        const now = performance.now();
        if (plan.baseline) {
          for (const [seq, s] of inFlight[pair]!) if (s.answeredAt <= writtenAt) deliver(pair, seq, now);
          return;
        }
        for (const list of Object.values(inbox)) carried(pair, list as Message[], now);
      })
      .catch((err: Error) => noteError(`inbox: ${err.message}`));
  };

  const carried = (pair: number, list: readonly Message[], now: number): void => {
    for (const m of list) {
      const [, p, seq] = m.msg.split(' ');
      if (Number(p) !== pair) noteError('message for another pair');
      else deliver(pair, Number(seq), now);
    }
  };

  const syncLoop = (pair: number): void => {
    if (!polling) return;
    receivers[pair]!
      .sync(plan.receivers[pair]!.token, cursors[pair]!, 30_000)
      .then((r) => {
        carried(pair, r.messages, performance.now());
        cursors[pair] = r.next;
        syncLoop(pair);
      })
      .catch((err: Error) => {
        if (polling) noteError(`sync: ${err.message}`);
      });
  };

  plan.senders.forEach((_, pair) => {
    later(Math.random() * plan.sendEveryMs, () => sendLoop(pair, 1));
    if (plan.receive === 'sync') syncLoop(pair);
    else later(Math.random() * plan.pollMs, () => pollLoop(pair));
  });
  await new Promise((r) => setTimeout(r, windowEnd - performance.now()));
  sending = false;
  // Two more polls each bring in what was sent last (a sync brings it in at once).
  await new Promise((r) => setTimeout(r, plan.receive === 'sync' ? 1000 : 2 * plan.pollMs + 500));
  polling = false;
  for (const t of timers) clearTimeout(t);
  const lost = inFlight.reduce((n, m) => n + [...m.values()].filter((s) => s.measured).length, 0);
  for (const c of [...senders, ...receivers]) c.destroy();
  return { latency: latency.toData(), sent, delivered, lost, errors, errorSamples };
}

process.once('message', (plan: DeliveryPlan) => {
  run(plan)
    .then((result) => process.send!({ type: 'result', result }))
    .catch((err: Error) => process.send!({ type: 'fatal', message: err.stack ?? String(err) }))
    .finally(() => process.disconnect());
});
