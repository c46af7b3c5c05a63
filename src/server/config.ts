// Server configuration: one defaults object, merged with flags and CHATBOX_*
// environment variables, validated once at start.

import { flagOrEnv, parseFlags, parseIntSetting, parsePort, UsageError } from '../args.js';
import { DEFAULT_MAX_LINE_BYTES, DEFAULT_PORT } from '../protocol.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';
import { MIN_SAFE_COST } from './passwords.js';

/** Everything a server needs to know to run. */
export interface ServerConfig {
  host: string;
  port: number;
  /** SQLite file, used when `redis` is not set. */
  db: string;
  /** Redis URL (or comma-separated cluster URLs): the scale-out store. */
  redis: string | null;
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

export const SERVE_HELP = `Usage: chatbox serve [options]

Runs a ChatBox server. Every option can also be set with the environment
variable shown; a flag wins over the environment.

  --host HOST                      address to bind (CHATBOX_HOST)          [127.0.0.1]
  --port PORT                      TCP port, 0 picks a free one (CHATBOX_PORT) [8889]
  --db PATH                        SQLite database file (CHATBOX_DB)       [./chatbox.db]
  --redis URL                      use Redis instead of SQLite: redis://HOST:PORT[/DB],
                                   or several URLs separated by commas for a cluster (CHATBOX_REDIS)
  --demo                           create the demo accounts messi, henderson, lineker
                                   (password surabaya) if missing
  --log-level LEVEL                debug, info, warn, error or silent (CHATBOX_LOG_LEVEL) [info]
  --log-format text|json           log lines as text or as JSON objects (CHATBOX_LOG_FORMAT) [text]
  --sync normal|full               SQLite: 'normal' survives a crash of the server,
                                   'full' also a power cut (CHATBOX_SYNC)  [normal]
  --tls-cert FILE --tls-key FILE   serve TLS with this certificate and key (PEM)

Limits (durations take ms, s, m, h or d; a bare number is seconds):
  --max-line-bytes N               longest request line                    [65536]
  --max-connections N              open connections in total               [10000]
  --max-connections-per-ip N       open connections from one address       [1000]
  --auth-failures N                failed logins allowed per address ...   [10]
  --auth-window DURATION           ... within this window                  [60s]
  --partial-line-timeout DURATION  close if a request line stays unfinished [30s]
  --evict-quiet-at PERCENT         past this share of a connection cap, close the
                                   longest-quiet connections that never logged in [90]
  --idle-timeout DURATION          close authenticated idle connections, 0 = never [0]
  --reply-buffer BYTES             unsent replies at which reading pauses  [1048576]
  --reply-memory BYTES             unsent replies of all connections: past it, stop
                                   reading those that hold some; past twice it, answer
                                   none until they drain                   [268435456]
  --stalled-reader-timeout DURATION cut off a paused client whose replies make no
                                   progress at all for this long           [60s]
  --presence-window DURATION       online for this long after the last request [30s]
  --session-lifetime DURATION      sessions unused this long expire        [7d]
  --max-sessions-per-user N        past it a login ends the user's least recently
                                   used session (CHATBOX_MAX_SESSIONS_PER_USER) [100]
  --presence-wake DURATION         a waiting sync is woken for presence changes at
                                   most once per this long, per connection  [2s]
  --scrypt-cost N                  log2 of scrypt's N for new passwords (at least 17) [17]
  --unsafe-scrypt-cost N           a cost below 17: for tests only, never in production
`;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `30s`, `2m`, `1h`, `7d` or a bare number of seconds into ms. */
export function parseDuration(value: string, name: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!m) throw new UsageError(`${name} must be a duration such as 500ms, 30s, 5m, 1h or 7d, got '${value}'`);
  const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
  if (!Number.isSafeInteger(ms)) throw new UsageError(`${name} is too large: ${value}`);
  return ms;
}

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  db: { type: 'string' },
  redis: { type: 'string' },
  demo: { type: 'boolean' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  sync: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'max-line-bytes': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-ip': { type: 'string' },
  'auth-failures': { type: 'string' },
  'auth-window': { type: 'string' },
  'first-line-timeout': { type: 'string' },
  'partial-line-timeout': { type: 'string' },
  'evict-quiet-at': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'reply-buffer': { type: 'string' },
  'reply-memory': { type: 'string' },
  'stalled-reader-timeout': { type: 'string' },
  'presence-window': { type: 'string' },
  'session-lifetime': { type: 'string' },
  'max-sessions-per-user': { type: 'string' },
  'presence-wake': { type: 'string' },
  'scrypt-cost': { type: 'string' },
  'unsafe-scrypt-cost': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Builds the configuration from argv and the environment; throws UsageError on any bad value. */
export function loadServerConfig(argv: string[]): ServerConfig | 'help' {
  const { values: v, positionals } = parseFlags(argv, FLAGS, true);
  if (v.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' for chatbox serve`);
  const c: ServerConfig = { ...DEFAULTS, warnings: [] };
  const host = flagOrEnv(v.host, 'CHATBOX_HOST');
  if (host !== undefined) c.host = host;
  const port = flagOrEnv(v.port, 'CHATBOX_PORT');
  if (port !== undefined) c.port = parsePort(port);
  c.db = flagOrEnv(v.db, 'CHATBOX_DB') ?? c.db;
  c.redis = flagOrEnv(v.redis, 'CHATBOX_REDIS') ?? null;
  c.demo = v.demo ?? false;
  const level = flagOrEnv(v['log-level'], 'CHATBOX_LOG_LEVEL');
  if (level !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
    }
    c.logLevel = level as LogLevel;
  }
  const format = flagOrEnv(v['log-format'], 'CHATBOX_LOG_FORMAT');
  if (format !== undefined) {
    if (!(LOG_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--log-format must be text or json, got '${format}'`);
    c.logFormat = format as LogFormat;
  }
  const sync = flagOrEnv(v.sync, 'CHATBOX_SYNC');
  if (sync !== undefined) {
    if (sync !== 'normal' && sync !== 'full') throw new UsageError(`--sync must be 'normal' or 'full', got '${sync}'`);
    c.sync = sync;
  }
  c.tlsCert = v['tls-cert'] ?? null;
  c.tlsKey = v['tls-key'] ?? null;
  if ((c.tlsCert === null) !== (c.tlsKey === null)) throw new UsageError('--tls-cert and --tls-key go together');

  const int = (flag: keyof typeof v, min: number, max: number): number | undefined => {
    const s = v[flag];
    return typeof s === 'string' ? parseIntSetting(s, `--${flag}`, min, max) : undefined;
  };
  const dur = (flag: keyof typeof v, min: number): number | undefined => {
    const s = v[flag];
    if (typeof s !== 'string') return undefined;
    const ms = parseDuration(s, `--${flag}`);
    if (ms < min) throw new UsageError(`--${flag} must be at least ${min} ms, got ${s}`);
    return ms;
  };
  c.maxLineBytes = int('max-line-bytes', 256, 16 * 1024 * 1024) ?? c.maxLineBytes;
  c.maxConnections = int('max-connections', 1, 1_000_000) ?? c.maxConnections;
  c.maxConnectionsPerPeer = int('max-connections-per-ip', 1, 1_000_000) ?? c.maxConnectionsPerPeer;
  c.authFailureLimit = int('auth-failures', 5, 1_000_000) ?? c.authFailureLimit;
  c.authFailureWindowMs = dur('auth-window', 1000) ?? c.authFailureWindowMs;
  // Quiet connections are no longer closed by time (the original client spins on a closed socket).
  if (dur('first-line-timeout', 0) !== undefined) c.warnings.push('--first-line-timeout no longer closes anything: see --evict-quiet-at');
  c.partialLineTimeoutMs = dur('partial-line-timeout', 100) ?? c.partialLineTimeoutMs;
  c.quietEvictPercent = int('evict-quiet-at', 1, 100) ?? c.quietEvictPercent;
  c.idleTimeoutMs = dur('idle-timeout', 0) ?? c.idleTimeoutMs;
  c.replyBufferBytes = int('reply-buffer', 4096, 1024 * 1024 * 1024) ?? c.replyBufferBytes;
  c.replyMemoryBytes = int('reply-memory', 1024 * 1024, 2 ** 40) ?? c.replyMemoryBytes;
  c.stalledReaderTimeoutMs = dur('stalled-reader-timeout', 100) ?? c.stalledReaderTimeoutMs;
  c.presenceWindowMs = dur('presence-window', 100) ?? c.presenceWindowMs;
  c.sessionLifetimeMs = dur('session-lifetime', 1000) ?? c.sessionLifetimeMs;
  const perUser = flagOrEnv(v['max-sessions-per-user'], 'CHATBOX_MAX_SESSIONS_PER_USER');
  if (perUser !== undefined) c.maxSessionsPerUser = parseIntSetting(perUser, '--max-sessions-per-user', 1, 1_000_000);
  c.presenceWakeMs = dur('presence-wake', 10) ?? c.presenceWakeMs;
  const cost = int('scrypt-cost', MIN_SAFE_COST, 22);
  const unsafeCost = int('unsafe-scrypt-cost', 1, 22);
  if (cost !== undefined && unsafeCost !== undefined) throw new UsageError('give --scrypt-cost or --unsafe-scrypt-cost, not both');
  if (cost !== undefined) c.scryptCost = cost;
  if (unsafeCost !== undefined) {
    c.scryptCost = unsafeCost;
    c.unsafeScrypt = unsafeCost < MIN_SAFE_COST;
  }
  return c;
}
