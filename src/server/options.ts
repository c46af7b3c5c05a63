// The server's options as data: one row per option generates its flag, its
// CHATBOX_* environment variable, its config file key, its line in `--help`
// and its row in the README. Values are parsed where they come from, so a
// mistake names its source: `--port`, `CHATBOX_PORT` or `port in FILE`.

import { parseIntSetting, UsageError } from '../args.js';
import { DEFAULT_MAX_LINE_BYTES, DEFAULT_PORT } from '../protocol.js';
import { LOG_FORMATS, LOG_LEVELS } from './log.js';
import { MIN_SAFE_COST } from './passwords.js';

/** A value as a source gives it: text from a flag or the environment, any JSON value from the file. */
export type RawValue = string | number | boolean | null | object;

/** One option of `chatbox serve`. */
export interface OptionSpec {
  /** The flag without its dashes; also the key in the config file. */
  name: string;
  /** Placeholder in help; absent for a switch (`--demo`). */
  arg?: string;
  /** What it does, for help and the README. */
  help: string;
  group: 'server' | 'limits' | 'operations';
  /** The default as help shows it; absent when there is none. */
  shown?: string;
  /** A secret: no flag (it would show in `ps`), only the environment or the file. */
  noFlag?: boolean;
  /** Not a key of the config file (the file's own name). */
  noFile?: boolean;
  /** Accepted, but left out of help (settings of old command lines). */
  hidden?: boolean;
  /** Turns a raw value into the setting; `where` names the source in errors. */
  parse(value: RawValue, where: string): unknown;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `30s`, `2m`, `1h`, `7d` or a bare number of seconds into ms. */
export function parseDuration(value: string, name: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!m) throw new UsageError(`${name} must be a duration such as 500ms, 30s, 5m, 1h or 7d, got '${value}'`);
  const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
  if (!Number.isSafeInteger(ms)) throw new UsageError(`${name} is too large: ${value}`);
  return ms;
}

/** A duration as help shows it: the largest unit that divides it. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The text of a value from any source; the file may give numbers where a flag gives digits. */
function text(value: RawValue, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new UsageError(`${where} must be ${typeof value === 'boolean' ? 'a value, not true or false' : 'a string or a number'}, got ${JSON.stringify(value)}`);
}

const str = (value: RawValue, where: string): string => {
  const s = text(value, where);
  if (s === '') throw new UsageError(`${where} must not be empty`);
  return s;
};
const int =
  (min: number, max: number) =>
  (value: RawValue, where: string): number =>
    parseIntSetting(text(value, where), where, min, max);
const duration =
  (minMs: number) =>
  (value: RawValue, where: string): number => {
    const s = text(value, where);
    const ms = parseDuration(s, where);
    if (ms < minMs) throw new UsageError(`${where} must be at least ${formatDuration(minMs)}, got ${s}`);
    return ms;
  };
const oneOf =
  (choices: readonly string[]) =>
  (value: RawValue, where: string): string => {
    const s = text(value, where);
    if (!choices.includes(s)) throw new UsageError(`${where} must be one of ${choices.join(', ')}, got '${s}'`);
    return s;
  };
const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);
const bool = (value: RawValue, where: string): boolean => {
  if (typeof value === 'boolean') return value;
  const s = typeof value === 'string' ? value.toLowerCase() : '';
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new UsageError(`${where} must be true or false (1/0, yes/no), got ${JSON.stringify(value)}`);
};

/** `HOST:PORT`, or a bare port on 127.0.0.1. */
export function parseHostPort(value: RawValue, where: string): { host: string; port: number } {
  const s = str(value, where);
  const m = /^(?:\[([^\]]+)\]|([^:]*)):([0-9]+)$/.exec(s);
  if (!m) {
    if (!/^[0-9]+$/.test(s)) throw new UsageError(`${where} must be HOST:PORT or a port, got '${s}'`);
    return { host: '127.0.0.1', port: parseIntSetting(s, where, 0, 65535) };
  }
  const host = m[1] ?? m[2]!;
  if (host === '') throw new UsageError(`${where} must be HOST:PORT or a port, got '${s}'`);
  return { host, port: parseIntSetting(m[3]!, where, 0, 65535) };
}

/** Every option of `chatbox serve`, in help order. */
export const OPTIONS: readonly OptionSpec[] = [
  { name: 'config', arg: 'FILE', group: 'server', noFile: true, help: 'read options from this JSON file (keys are the option names)', parse: str },
  { name: 'host', arg: 'HOST', group: 'server', shown: '127.0.0.1', help: 'address to bind', parse: str },
  { name: 'port', arg: 'PORT', group: 'server', shown: String(DEFAULT_PORT), help: 'TCP port, 0 picks a free one', parse: int(0, 65535) },
  { name: 'db', arg: 'PATH', group: 'server', shown: './chatbox.db', help: 'SQLite database file', parse: str },
  {
    name: 'redis', arg: 'URL', group: 'server',
    help: 'use Redis instead of SQLite: redis://HOST:PORT[/DB], or several URLs separated by commas for a cluster',
    parse: str,
  },
  { name: 'redis-password', arg: 'PASSWORD', group: 'server', noFlag: true, help: 'password for Redis, kept out of the URL and of ps', parse: str },
  { name: 'redis-password-file', arg: 'FILE', group: 'server', help: 'read the Redis password from the first line of this file', parse: str },
  { name: 'demo', group: 'server', help: 'create the demo accounts messi, henderson, lineker (password surabaya) if missing', parse: bool },
  { name: 'log-level', arg: 'LEVEL', group: 'server', shown: 'info', help: `${LOG_LEVELS.join(', ')}`, parse: oneOf(LOG_LEVELS) },
  { name: 'log-format', arg: 'FORMAT', group: 'server', shown: 'text', help: 'log lines as text or as JSON objects', parse: oneOf(LOG_FORMATS) },
  {
    name: 'sync', arg: 'MODE', group: 'server', shown: 'normal',
    help: "SQLite: 'normal' survives a crash of the server, 'full' also a power cut",
    parse: oneOf(['normal', 'full']),
  },
  { name: 'tls-cert', arg: 'FILE', group: 'server', help: 'serve TLS with this certificate (PEM; reloaded on SIGHUP)', parse: str },
  { name: 'tls-key', arg: 'FILE', group: 'server', help: 'the key of --tls-cert (PEM; reloaded on SIGHUP)', parse: str },

  { name: 'max-line-bytes', arg: 'N', group: 'limits', shown: String(DEFAULT_MAX_LINE_BYTES), help: 'longest request line', parse: int(256, 16 * 1024 * 1024) },
  { name: 'max-connections', arg: 'N', group: 'limits', shown: '10000', help: 'open connections in total', parse: int(1, 1_000_000) },
  { name: 'max-connections-per-ip', arg: 'N', group: 'limits', shown: '1000', help: 'open connections from one address', parse: int(1, 1_000_000) },
  { name: 'auth-failures', arg: 'N', group: 'limits', shown: '10', help: 'failed logins allowed per address within --auth-window', parse: int(5, 1_000_000) },
  { name: 'auth-window', arg: 'DURATION', group: 'limits', shown: '60s', help: 'the window of --auth-failures', parse: duration(1000) },
  { name: 'first-line-timeout', arg: 'DURATION', group: 'limits', hidden: true, help: 'no longer does anything', parse: duration(0) },
  { name: 'partial-line-timeout', arg: 'DURATION', group: 'limits', shown: '30s', help: 'close if a request line stays unfinished this long', parse: duration(100) },
  {
    name: 'evict-quiet-at', arg: 'PERCENT', group: 'limits', shown: '90',
    help: 'past this share of a connection cap, close the longest-quiet connections that never logged in',
    parse: int(1, 100),
  },
  { name: 'idle-timeout', arg: 'DURATION', group: 'limits', shown: '0', help: 'close authenticated idle connections, 0 = never', parse: duration(0) },
  { name: 'reply-buffer', arg: 'BYTES', group: 'limits', shown: '1048576', help: 'unsent replies of one connection at which reading pauses', parse: int(4096, 1024 * 1024 * 1024) },
  {
    name: 'reply-memory', arg: 'BYTES', group: 'limits', shown: String(256 * 1024 * 1024),
    help: 'unsent replies of all connections: past it, stop reading those that hold some; past twice it, answer none until they drain',
    parse: int(1024 * 1024, 2 ** 40),
  },
  {
    name: 'stalled-reader-timeout', arg: 'DURATION', group: 'limits', shown: '60s',
    help: 'cut off a paused client whose replies make no progress at all for this long',
    parse: duration(100),
  },
  { name: 'presence-window', arg: 'DURATION', group: 'limits', shown: '30s', help: 'online for this long after the last request', parse: duration(100) },
  { name: 'session-lifetime', arg: 'DURATION', group: 'limits', shown: '7d', help: 'sessions unused this long expire', parse: duration(1000) },
  {
    name: 'max-sessions-per-user', arg: 'N', group: 'limits', shown: '100',
    help: "past it a login ends the user's least recently used session",
    parse: int(1, 1_000_000),
  },
  {
    name: 'presence-wake', arg: 'DURATION', group: 'limits', shown: '2s',
    help: 'a waiting sync is woken for presence changes at most once per this long, per connection',
    parse: duration(10),
  },
  { name: 'scrypt-cost', arg: 'N', group: 'limits', shown: String(MIN_SAFE_COST), help: `log2 of scrypt's N for new passwords (at least ${MIN_SAFE_COST})`, parse: int(MIN_SAFE_COST, 22) },
  { name: 'unsafe-scrypt-cost', arg: 'N', group: 'limits', help: `a cost below ${MIN_SAFE_COST}: for tests only, never in production`, parse: int(1, 22) },
  {
    name: 'retention-days', arg: 'N', group: 'operations',
    help: 'delete messages older than N days, a few hundred at a time in the background; off (kept for ever) unless given',
    parse: int(1, 100_000),
  },
  {
    name: 'metrics', arg: 'HOST:PORT', group: 'operations',
    help: 'serve Prometheus metrics at /metrics and a health check at /healthz here (a bare port binds 127.0.0.1); off unless given',
    parse: parseHostPort,
  },
];

/** The environment variable of an option: `max-line-bytes` -> `CHATBOX_MAX_LINE_BYTES`. */
export function envName(option: OptionSpec | string): string {
  const name = typeof option === 'string' ? option : option.name;
  return `CHATBOX_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** Where a value came from, as errors name it. */
export function flagWhere(option: OptionSpec): string {
  return `--${option.name}`;
}
