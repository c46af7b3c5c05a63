// Prometheus metrics and a health check, on their own HTTP listener
// (`--metrics HOST:PORT`, off by default). Requests are counted from one
// place, the connection's answer path, through RequestMetrics; gauges read
// the server's own counts only when scraped, so they cost nothing per request.

import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, type Counter as CounterT, type Histogram as HistogramT } from 'prom-client';
import { Errors } from '../protocol.js';
import type { Store } from './store/types.js';

/** What the request path reports; a server without metrics has none. */
export interface RequestMetrics {
  /** One request answered: its command word, status, error text (if any) and time taken. */
  request(cmd: string, status: string, error: string | undefined, seconds: number): void;
}

/** What the gauges read from the server when scraped. */
export interface ServerGauges {
  readonly connectionCount: number;
  readonly unsentReplyBytes: number;
  /** `sync` requests waiting for an event. */
  readonly waitingSyncs: number;
}

const LOGIN_FAILURES = new Map<string, string>([
  [Errors.noUser, 'no_user'],
  [Errors.badPassword, 'bad_password'],
  [Errors.tooMany, 'throttled'],
]);

/** The metrics of one server process. */
export class Metrics implements RequestMetrics {
  readonly registry = new Registry();
  private readonly requests: CounterT<'cmd' | 'status'>;
  private readonly latency: HistogramT<'cmd'>;
  private readonly storeLatency: HistogramT<'op'>;
  private readonly messages: CounterT;
  private readonly loginFailures: CounterT<'reason'>;
  /** Children by `cmd status`, made once: a label lookup per request is the expensive part. */
  private readonly requestChildren = new Map<string, { inc(): void }>();
  private readonly latencyChildren = new Map<string, { observe(v: number): void }>();

  constructor(gauges: ServerGauges) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'chatbox_requests_total', help: 'Requests answered, by command and status', labelNames: ['cmd', 'status'], registers });
    this.latency = new Histogram({
      name: 'chatbox_request_duration_seconds',
      help: 'Time from reading a request to handing its reply to the socket',
      labelNames: ['cmd'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.storeLatency = new Histogram({
      name: 'chatbox_store_duration_seconds',
      help: 'Time of each store call, by operation',
      labelNames: ['op'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1],
      registers,
    });
    this.messages = new Counter({ name: 'chatbox_messages_stored_total', help: 'Messages stored (sends answered OK) by this node', registers });
    this.loginFailures = new Counter({ name: 'chatbox_login_failures_total', help: 'Failed logins, by reason', labelNames: ['reason'], registers });
    new Gauge({
      name: 'chatbox_connections_open',
      help: 'Open client connections',
      registers,
      collect() {
        this.set(gauges.connectionCount);
      },
    });
    new Gauge({
      name: 'chatbox_unsent_reply_bytes',
      help: 'Reply bytes written by the server and not yet taken by clients',
      registers,
      collect() {
        this.set(gauges.unsentReplyBytes);
      },
    });
    new Gauge({
      name: 'chatbox_waiting_syncs',
      help: 'Requests waiting for new messages (live sync)',
      registers,
      collect() {
        this.set(gauges.waitingSyncs);
      },
    });
  }

  request(cmd: string, status: string, error: string | undefined, seconds: number): void {
    const key = `${cmd} ${status}`;
    let counter = this.requestChildren.get(key);
    if (!counter) this.requestChildren.set(key, (counter = this.requests.labels(cmd, status)));
    counter.inc();
    let hist = this.latencyChildren.get(cmd);
    if (!hist) this.latencyChildren.set(cmd, (hist = this.latency.labels(cmd)));
    hist.observe(seconds);
    if (cmd === 'send' && status === 'OK') this.messages.inc();
    else if (cmd === 'auth' && error !== undefined) this.loginFailures.labels(LOGIN_FAILURES.get(error) ?? 'other').inc();
  }

  /** The store with each call timed; the same object for every caller, so the server sees no difference. */
  timedStore(store: Store): Store {
    const timed = Object.create(store) as Store;
    let proto: object | null = store;
    const seen = new Set<string>();
    while (proto && proto !== Object.prototype) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        const fn = (store as unknown as Record<string, unknown>)[name];
        if (name === 'constructor' || seen.has(name) || typeof fn !== 'function') continue;
        seen.add(name);
        const hist = this.storeLatency.labels(name);
        (timed as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]): unknown {
          const started = performance.now();
          const result = (fn as (...a: unknown[]) => unknown).apply(store, args);
          if (result instanceof Promise) {
            return result.finally(() => hist.observe((performance.now() - started) / 1000));
          }
          hist.observe((performance.now() - started) / 1000);
          return result;
        };
      }
      proto = Object.getPrototypeOf(proto) as object | null;
    }
    return timed;
  }
}

/** How long /healthz waits for the store before it says 503. */
const HEALTH_TIMEOUT_MS = 2000;

/** Serves `/metrics` (Prometheus text) and `/healthz` (200 when the store answers, 503 otherwise). */
export function serveMetrics(metrics: Metrics, store: Store, host: string, port: number): Promise<{ server: http.Server; host: string; port: number }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
      );
    } else if (path === '/healthz') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`store did not answer in ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
      });
      Promise.race([store.countUsers(), timeout])
        .then(
          () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
          (err: Error) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`store unavailable: ${err.message}\n`),
        )
        .finally(() => clearTimeout(timer));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(Object.assign(new Error(`cannot serve metrics on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'port already in use' : err.message}`), { expected: true })),
    );
    server.listen({ host, port }, () => {
      const a = server.address() as { address: string; port: number };
      resolve({ server, host: a.address, port: a.port });
    });
  });
}
