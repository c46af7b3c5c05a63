// Server configuration: one defaults object, merged with the options of the
// table in options.ts (flags, CHATBOX_* variables, the config file), validated once at start.

import { readFileSync } from 'node:fs';
import { UsageError } from '../args.js';
import { DEFAULT_MAX_LINE_BYTES, DEFAULT_PORT } from '../protocol.js';
import type { LogFormat, LogLevel } from './log.js';
import { resolveOptions, serveHelp } from './option-sources.js';
import { parseDuration } from './options.js';
import { MIN_SAFE_COST } from './passwords.js';

/** Everything a server needs to know to run. */
export interface ServerConfig {
  host: string;
  port: number;
  /** SQLite file, used when `redis` is not set. */
  db: string;
  /** Redis URL (or comma-separated cluster URLs): the scale-out store. */
  redis: string | null;
  /** Redis password given apart from the URL (which `ps` shows). */
  redisPassword: string | null;
  /** The config file read, if any (read again on SIGHUP). */
  configFile: string | null;
  /** Messages older than this many days are deleted; null: kept for ever. */
  retentionDays: number | null;
  /** Where to serve /metrics and /healthz; null: not at all. */
  metrics: { host: string; port: number } | null;
  demo: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  sync: 'normal' | 'full';
  tlsCert: string | null;
  tlsKey: string | null;
  maxLineBytes: number;
  maxConnections: number;
  maxConnectionsPerPeer: number;
  authFailureLimit: number;
  authFailureWindowMs: number;
  partialLineTimeoutMs: number;
  /** Past this share (percent) of a connection cap, quiet connections that never logged in are closed, longest-quiet first. */
  quietEvictPercent: number;
  /** 0: an authenticated connection may stay idle for ever. */
  idleTimeoutMs: number;
  replyBufferBytes: number;
  /** Unsent replies of all connections together, past which those holding the most stop being read. */
  replyMemoryBytes: number;
  stalledReaderTimeoutMs: number;
  presenceWindowMs: number;
  sessionLifetimeMs: number;
  /** A login past this many sessions of one user ends its least recently used one. */
  maxSessionsPerUser: number;
  /** A waiting sync is woken for a change of presence at most once per this many ms (per connection). */
  presenceWakeMs: number;
  /** log2 of scrypt's N for new hashes. */
  scryptCost: number;
  /** Set when the cost was lowered below the safe minimum (tests only). */
  unsafeScrypt: boolean;
  /** What to warn about at start: settings of old command lines that no longer do anything. */
  warnings: string[];
}

/** The defaults, as documented in `chatbox serve --help`. */
export const DEFAULTS: ServerConfig = {
  host: '127.0.0.1',
  port: DEFAULT_PORT,
  db: './chatbox.db',
  redis: null,
  redisPassword: null,
  configFile: null,
  metrics: null,
  retentionDays: null,
  demo: false,
  logLevel: 'info',
  logFormat: 'text',
  sync: 'normal',
  tlsCert: null,
  tlsKey: null,
  maxLineBytes: DEFAULT_MAX_LINE_BYTES,
  maxConnections: 10_000,
  maxConnectionsPerPeer: 1_000,
  authFailureLimit: 10,
  authFailureWindowMs: 60_000,
  partialLineTimeoutMs: 30_000,
  quietEvictPercent: 90,
  idleTimeoutMs: 0,
  replyBufferBytes: 1024 * 1024,
  replyMemoryBytes: 256 * 1024 * 1024,
  stalledReaderTimeoutMs: 60_000,
  presenceWindowMs: 30_000,
  sessionLifetimeMs: 7 * 24 * 3600_000,
  maxSessionsPerUser: 100,
  presenceWakeMs: 2000,
  scryptCost: MIN_SAFE_COST,
  unsafeScrypt: false,
  warnings: [],
};

/** `chatbox serve --help`, generated from the option table. */
export const SERVE_HELP = serveHelp();

/** Re-exported for callers that parse durations of their own. */
export { parseDuration };

/**
 * Builds the configuration from argv, the environment and the config file they
 * name; throws UsageError (one line naming the bad value's source) on any mistake.
 */
export function loadServerConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig | 'help' {
  const r = resolveOptions(argv, env);
  if (r.help) return 'help';
  if (r.positionals.length > 0) throw new UsageError(`unexpected argument '${r.positionals[0]}' for chatbox serve`);
  const v = r.values;
  const c: ServerConfig = { ...DEFAULTS, warnings: [], configFile: r.configFile };
  const set = <K extends keyof ServerConfig>(field: K, name: string): void => {
    if (v.has(name)) c[field] = v.get(name) as ServerConfig[K];
  };
  set('host', 'host');
  set('port', 'port');
  set('db', 'db');
  set('redis', 'redis');
  set('demo', 'demo');
  set('logLevel', 'log-level');
  set('logFormat', 'log-format');
  set('sync', 'sync');
  set('tlsCert', 'tls-cert');
  set('tlsKey', 'tls-key');
  set('maxLineBytes', 'max-line-bytes');
  set('maxConnections', 'max-connections');
  set('maxConnectionsPerPeer', 'max-connections-per-ip');
  set('authFailureLimit', 'auth-failures');
  set('authFailureWindowMs', 'auth-window');
  set('partialLineTimeoutMs', 'partial-line-timeout');
  set('quietEvictPercent', 'evict-quiet-at');
  set('idleTimeoutMs', 'idle-timeout');
  set('replyBufferBytes', 'reply-buffer');
  set('replyMemoryBytes', 'reply-memory');
  set('stalledReaderTimeoutMs', 'stalled-reader-timeout');
  set('presenceWindowMs', 'presence-window');
  set('sessionLifetimeMs', 'session-lifetime');
  set('maxSessionsPerUser', 'max-sessions-per-user');
  set('presenceWakeMs', 'presence-wake');
  set('metrics', 'metrics');
  set('retentionDays', 'retention-days');
  // Quiet connections are no longer closed by time (the original client spins on a closed socket).
  if (v.has('first-line-timeout')) c.warnings.push(`${r.from.get('first-line-timeout')} no longer closes anything: see --evict-quiet-at`);
  if ((c.tlsCert === null) !== (c.tlsKey === null)) {
    const given = r.from.get(c.tlsCert === null ? 'tls-key' : 'tls-cert');
    throw new UsageError(`--tls-cert and --tls-key go together (only ${given} is set)`);
  }
  if (v.has('scrypt-cost') && v.has('unsafe-scrypt-cost')) throw new UsageError('give --scrypt-cost or --unsafe-scrypt-cost, not both');
  if (v.has('scrypt-cost')) c.scryptCost = v.get('scrypt-cost') as number;
  if (v.has('unsafe-scrypt-cost')) {
    c.scryptCost = v.get('unsafe-scrypt-cost') as number;
    c.unsafeScrypt = c.scryptCost < MIN_SAFE_COST;
  }
  c.redisPassword = redisPassword(r.values, r.from);
  return c;
}

/** The Redis password from CHATBOX_REDIS_PASSWORD (or the file's key), or from the first line of a password file. */
export function redisPassword(values: Map<string, unknown>, from: Map<string, string>): string | null {
  const direct = values.get('redis-password') as string | undefined;
  const file = values.get('redis-password-file') as string | undefined;
  if (direct !== undefined && file !== undefined) {
    throw new UsageError(`give the Redis password once: ${from.get('redis-password')} or ${from.get('redis-password-file')}, not both`);
  }
  if (file === undefined) return direct ?? null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${from.get('redis-password-file')} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  const password = text.split(/\r?\n/)[0]!;
  if (password === '') throw new UsageError(`${from.get('redis-password-file')} ${file} is empty`);
  return password;
}
