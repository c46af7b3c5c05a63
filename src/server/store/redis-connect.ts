// Connecting to Redis for the store: parse `redis://` URLs (a comma-separated
// list means Redis Cluster), connect once without retrying so a wrong address
// fails at start with one clear line, then let ioredis reconnect with backoff
// while every command stays bounded by a timeout. A command whose answer was
// lost with the connection is failed, never re-sent blindly: it may have run.
// What is safe to run again is re-run explicitly (runAgainIfCut).

import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** Connection settings of the Redis store. */
export interface RedisConnectOptions {
  /** A command not answered within this many ms fails (default 5000). */
  commandTimeoutMs?: number;
  /** Opening gives up after this many ms (default 5000). */
  connectTimeoutMs?: number;
  /** Receives one line per connection problem after open (default: dropped). */
  log?: (line: string) => void;
  /** The password, given apart from the URL (so `ps` does not show it); wins over one in the URL. */
  password?: string;
}

/** One Redis server as a URL names it. */
export interface RedisEndpoint {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username: string | undefined;
  password: string | undefined;
}

/** A connected client: one server or a Cluster. */
export type RedisClient = Redis | Cluster;

/** Turns a URL into an endpoint; the error names the URL without its password. */
export function parseRedisUrl(url: string): RedisEndpoint {
  const shown = redactUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid Redis URL '${shown}' (expected redis://host:port[/db])`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`invalid Redis URL '${shown}': the scheme must be redis:// or rediss://`);
  }
  if (u.hostname === '') throw new Error(`invalid Redis URL '${shown}': no host`);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^[0-9]{1,5}$/.test(dbText)) {
    throw new Error(`invalid Redis URL '${shown}': the path must be a database number`);
  }
  return {
    // URL keeps the brackets of an IPv6 literal; sockets want them off.
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port === '' ? 6379 : Number(u.port),
    db: dbText === '' ? 0 : Number(dbText),
    tls: u.protocol === 'rediss:',
    username: u.username === '' ? undefined : decodeURIComponent(u.username),
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
  };
}

/** The URL with any user and password replaced, fit for a log line. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** Backoff between reconnect attempts after open: 100 ms, 200 ms, ... at most 2 s. */
const backoff = (times: number): number => Math.min(times * 100, 2000);

/**
 * Connects to `spec` and checks it answers. One URL of a server in cluster
 * mode, or several comma-separated URLs, connect to a Redis Cluster.
 */
export async function connectRedis(spec: string, opts: RedisConnectOptions = {}): Promise<RedisClient> {
  const urls = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (urls.length === 0) throw new Error('no Redis URL given');
  const endpoints = urls.map(parseRedisUrl);
  const where = endpoints.map((e) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`).join(', ');
  const first = endpoints[0]!;
  const common: RedisOptions = {
    username: first.username,
    password: opts.password ?? first.password,
    tls: first.tls ? {} : undefined,
    lazyConnect: true,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    commandTimeout: opts.commandTimeoutMs ?? 5000,
    // While Redis is away, a command waits for at most one reconnect attempt, then fails.
    maxRetriesPerRequest: 1,
    // A command sent when the connection dropped may have run: re-sending it on
    // reconnect would run it twice (a second copy of a message, a second batch
    // for one claim). Such a command fails instead (see failInFlight).
    autoResendUnfulfilledCommands: false,
    connectionName: 'chatbox',
  };

  // One server at a time first: it says whether it is in cluster mode, and why
  // it cannot be reached, which a Cluster client does not.
  let firstError: Error | undefined;
  for (const [i, e] of endpoints.entries()) {
    const one = new Redis({ ...common, host: e.host, port: e.port, db: e.db, enableAutoPipelining: true, retryStrategy: () => null });
    const mode = await connectOnce(one);
    if (mode instanceof Error) {
      firstError ??= mode;
      continue;
    }
    if (!atLeast(mode.version, 6, 2)) {
      one.disconnect();
      throw new Error(`Redis at ${where.split(', ')[i]} is version ${mode.version}; chatbox needs 6.2 or newer`);
    }
    if (!mode.cluster && urls.length === 1) return ready(one, where, opts.log);
    one.disconnect();
    if (!mode.cluster) throw new Error(`Redis at ${where.split(', ')[i]} is not in cluster mode: give one URL for a single server`);
    if (endpoints.some((x) => x.db !== 0)) throw new Error('Redis Cluster has only database 0: drop the /db from the URLs');
    const cluster = new Cluster(
      endpoints.map((x) => ({ host: x.host, port: x.port })),
      {
        lazyConnect: true,
        enableAutoPipelining: true,
        clusterRetryStrategy: () => null,
        // The Cluster client re-sends a command whose node connection closed,
        // whether or not it ran: off, for the same reason as above.
        retryDelayOnFailover: 0,
        redisOptions: common,
      },
    );
    const up = await connectOnce(cluster);
    if (up instanceof Error) throw new Error(`cannot use Redis Cluster at ${where}: ${describe(up)}`);
    return ready(cluster, where, opts.log);
  }
  throw new Error(`cannot reach Redis at ${where}: ${describe(firstError!)}`);
}

/**
 * Connects `client` with retries off and asks whether it is in cluster mode;
 * the connection error instead (the client is then closed).
 */
async function connectOnce(client: RedisClient): Promise<{ cluster: boolean; version: string } | Error> {
  let lastError: Error | undefined;
  const onError = (err: Error): void => {
    lastError ??= err;
  };
  client.on('error', onError);
  try {
    await client.connect();
    const info = (await client.info('server')) + (await client.info('cluster'));
    return { cluster: /cluster_enabled:1/.test(info), version: /redis_version:([0-9.]+)/.exec(info)?.[1] ?? '0' };
  } catch (err) {
    client.disconnect();
    return lastError ?? (err as Error);
  } finally {
    client.off('error', onError);
  }
}

/** Connected: from now on a lost connection is retried in the background, and reported. */
function ready<C extends RedisClient>(client: C, where: string, log: ((line: string) => void) | undefined): C {
  if (client instanceof Redis) {
    client.options.retryStrategy = backoff;
    client.on('close', () => failInFlight(client));
  } else {
    client.options.clusterRetryStrategy = backoff;
  }
  attachLog(client, where, log);
  return client;
}

/** How ioredis says the connection closed under a command (its CONNECTION_CLOSED_ERROR_MSG). */
const CONNECTION_CLOSED = 'Connection is closed.';

/**
 * Fails at once the commands that were sent and not answered when the
 * connection dropped. With re-sending off, ioredis would otherwise keep them
 * waiting until the command timeout. Runs on 'close', before any reconnect
 * (those come after a backoff), so only the old connection's commands go.
 */
function failInFlight(client: Redis): void {
  if (client.status !== 'reconnecting' && client.status !== 'end' && client.status !== 'close') return;
  const err = new Error(CONNECTION_CLOSED);
  for (let item = client.commandQueue.shift(); item !== undefined; item = client.commandQueue.shift()) {
    item.command.reject(err);
  }
}

/**
 * Runs `call`, and once more if the connection dropped under it: only for
 * operations whose re-run is harmless (docs/redis.md, "Retry safety"). The
 * second try waits for the reconnect like any command, within the same bounds.
 */
export async function runAgainIfCut<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!answerLost(err)) throw err;
    return call();
  }
}

/**
 * True for ioredis's ways of saying the connection closed after the command
 * was sent (it may have run): 'Connection is closed.', or, for a command
 * in an auto-pipelined batch whose first part was answered, an AbortError.
 */
export function answerLost(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.message === CONNECTION_CLOSED || (err.name === 'AbortError' && err.message === 'Command aborted due to connection close');
}

/** True when a dotted version is at least major.minor. */
function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** Reports connection loss and recovery once each, not once per retry. */
function attachLog(client: RedisClient, where: string, log: ((line: string) => void) | undefined): void {
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log?.(`redis: lost connection to ${where}: ${describe(err)}; retrying`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log?.(`redis: connected again to ${where}`);
  });
}

/** A short reason for a connection error (no stack, no password). */
function describe(err: Error): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
  }
  const msg = err.message.split('\n', 1)[0]!.trim();
  if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(msg)) return 'authentication failed (check the password in the URL)';
  return msg;
}
