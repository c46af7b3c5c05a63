// The full-screen client's config file: $XDG_CONFIG_HOME/chatbox/config.json
// (by default ~/.config/chatbox/config.json), or the file `--config` names.
// It holds where the server is, who to log in as, the theme and key
// bindings; never a password. Flags and CHATBOX_* variables win over it.
// Everything in it is checked here, at start, before the screen changes:
// a mistake is one line naming the file and the setting.

import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isValidUsername } from '../protocol.js';
import { rebind, type BoundKeys } from './key-config.js';
import { THEMES, THEME_NAMES } from './theme.js';

/** A mistake in the config file; the message names the file. Shown as one line, exit status 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** What the config file says, checked. */
export interface FileConfig {
  /** The file read, or null when there was none. */
  file: string | null;
  host?: string;
  port?: number;
  user?: string;
  theme?: string;
  /** The binding tables with `keys` applied, when it had any. */
  keys?: BoundKeys;
}

/** The settings a config file may hold. */
export const CONFIG_KEYS = ['server', 'user', 'theme', 'keys'] as const;

/** Where the config file is looked for, or null when there is no home to look in. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string | null {
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && isAbsolute(xdg) ? xdg : env['HOME'] ? join(env['HOME'], '.config') : null;
  return base === null ? null : join(base, 'chatbox', 'config.json');
}

/** A port, from a number or a string of digits; null when it is not one. */
function portOf(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]{1,5}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
}

/** Whether `v` is a plain JSON object (not an array, not null). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Splits `host`, `host:port`, `[v6]:port` or a bare IPv6 address; throws a
 * plain Error saying what is wrong.
 */
export function parseServer(text: string): { host: string; port?: number } {
  const t = text.trim();
  let host = t;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(t);
  if (v6) {
    host = v6[1]!;
    port = v6[2];
  } else if (t.split(':').length === 2) {
    [host, port] = t.split(':') as [string, string];
  }
  if (host === '' || /\s/.test(host)) throw new Error(`needs a host name or address, got ${JSON.stringify(text)}`);
  if (port === undefined) return { host };
  const p = portOf(port);
  if (p === null) throw new Error(`port must be 1-65535, got ${JSON.stringify(port)}`);
  return { host, port: p };
}

/** The server setting: "host:port" or { "host": ..., "port": ... }. */
function serverSetting(v: unknown): { host?: string; port?: number } {
  if (typeof v === 'string') return parseServer(v);
  if (!isObject(v)) throw new Error('must be "host:port" or { "host": "...", "port": 4000 }');
  const out: { host?: string; port?: number } = {};
  for (const [k, value] of Object.entries(v)) {
    if (k === 'host') {
      if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value.trim())) throw new Error('host must be a host name or address');
      out.host = value.trim();
    } else if (k === 'port') {
      const p = portOf(value);
      if (p === null) throw new Error(`port must be 1-65535, got ${JSON.stringify(value)}`);
      out.port = p;
    } else {
      throw new Error(`unknown setting "${k}" (known: host, port)`);
    }
  }
  return out;
}

/** The keys setting: action -> a key name or a list of them. */
function keysSetting(v: Record<string, unknown>): BoundKeys {
  // A Map: the names come from a file, and may be `__proto__`.
  const overrides = new Map<string, string[]>();
  for (const [action, value] of Object.entries(v)) {
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || !list.every((k): k is string => typeof k === 'string')) {
      throw new Error(`${action}: must be a key name or a list of key names`);
    }
    overrides.set(action, list.map((k) => k.trim().toLowerCase()));
  }
  return rebind(overrides);
}

/** Checks a config file's text; throws a ConfigError naming `file` and the setting. */
export function parseConfig(text: string, file: string): FileConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(data)) throw new ConfigError(`${file}: must hold one JSON object ({ "server": ..., "user": ..., "theme": ..., "keys": { ... } })`);
  const out: FileConfig = { file };
  for (const [key, value] of Object.entries(data)) {
    // `keys` problems start with the action: "keys.send: unknown key name ...".
    const where = `${file}: ${key}${key === 'keys' ? '.' : ': '}`;
    try {
      switch (key) {
        case 'server': {
          const s = serverSetting(value);
          if (s.host !== undefined) out.host = s.host;
          if (s.port !== undefined) out.port = s.port;
          break;
        }
        case 'user':
          if (typeof value !== 'string' || !isValidUsername(value)) throw new Error('must be 1-32 characters of A-Z a-z 0-9 _ . -');
          out.user = value;
          break;
        case 'theme':
          if (typeof value !== 'string' || !THEMES.has(value)) throw new Error(`must be one of ${THEME_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
          out.theme = value;
          break;
        case 'keys':
          if (!isObject(value)) throw new ConfigError(`${file}: keys: must be an object of action -> key name or list of key names`);
          out.keys = keysSetting(value);
          break;
        case 'password':
          throw new Error('a password does not belong in a file; use CHATBOX_PASSWORD or the login form');
        default:
          throw new Error(`unknown setting (known: ${CONFIG_KEYS.join(', ')})`);
      }
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(where + (err as Error).message);
    }
  }
  return out;
}

/**
 * Reads the config file: `given` (from --config) must exist; the default
 * file may be missing, which is the same as an empty one.
 */
export function loadConfig(given: string | undefined, env: NodeJS.ProcessEnv = process.env): FileConfig {
  const file = given ?? configPath(env);
  if (file === null) return { file: null };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && given === undefined) return { file: null };
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ConfigError(`cannot read config file ${file}: ${why}`);
  }
  return parseConfig(text, file);
}
