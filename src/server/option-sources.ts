// Reads the options of the table from their three sources, in the order
// flag > CHATBOX_* environment variable > config file, and generates the
// help text and the README's table from the same rows.

import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { parseFlags, UsageError } from '../args.js';
import { envName, OPTIONS, type OptionSpec, type RawValue } from './options.js';

/** The options that were set, by name, already parsed; unset options are absent. */
export interface ResolvedOptions {
  values: Map<string, unknown>;
  /** Where each set option came from (`--port`, `CHATBOX_PORT`, `port in FILE`). */
  from: Map<string, string>;
  /** The config file read, if any. */
  configFile: string | null;
  positionals: string[];
  help: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

function flagTable(options: readonly OptionSpec[]): Options {
  const flags: Options = { help: { type: 'boolean', short: 'h' } };
  for (const o of options) if (!o.noFlag) flags[o.name] = { type: o.arg === undefined ? 'boolean' : 'string' };
  return flags;
}

/** Reads a config file: a JSON object whose keys are option names. Unknown keys are mistakes. */
export function readConfigFile(path: string, options: readonly OptionSpec[] = OPTIONS): Map<string, RawValue> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read config file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`config file ${path} must hold a JSON object of options, such as {"port": 8889}`);
  }
  const known = new Map(options.filter((o) => !o.noFile).map((o) => [o.name, o]));
  const out = new Map<string, RawValue>();
  // Own keys only, through a Map: a key such as `__proto__` is just an unknown option.
  for (const key of Object.keys(data)) {
    if (!known.has(key)) throw new UsageError(`config file ${path}: unknown option "${key}"`);
    out.set(key, (data as Record<string, RawValue>)[key]!);
  }
  return out;
}

/** Parses argv and the environment (and the config file they name) against the option table. */
export function resolveOptions(argv: string[], env: NodeJS.ProcessEnv = process.env, options: readonly OptionSpec[] = OPTIONS): ResolvedOptions {
  const { values: flags, positionals } = parseFlags(argv, flagTable(options), true) as {
    values: Record<string, string | boolean | undefined>;
    positionals: string[];
  };
  if (flags.help === true) return { values: new Map(), from: new Map(), configFile: null, positionals, help: true };
  return { ...resolveFrom(flags, env, options), positionals, help: false };
}

/**
 * Resolves `options` from flags already parsed (by their option names), the
 * environment and the config file these name; for commands with flags of their own.
 */
export function resolveFrom(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
  options: readonly OptionSpec[] = OPTIONS,
): Omit<ResolvedOptions, 'positionals' | 'help'> {
  const fromEnv = (o: OptionSpec): string | undefined => {
    const v = env[envName(o)];
    return v === undefined || v === '' ? undefined : v;
  };
  const resolved: Omit<ResolvedOptions, 'positionals' | 'help'> = { values: new Map(), from: new Map(), configFile: null };
  const configOption = options.find((o) => o.name === 'config');
  const configFile = configOption ? ((flags.config as string | undefined) ?? fromEnv(configOption) ?? null) : null;
  // The file may hold any option of chatbox serve, whichever of them this command reads.
  const file = configFile === null ? new Map<string, RawValue>() : readConfigFile(configFile);
  resolved.configFile = configFile;
  for (const o of options) {
    let raw: RawValue | undefined;
    let where: string;
    if (!o.noFlag && flags[o.name] !== undefined) {
      raw = flags[o.name] as RawValue;
      where = `--${o.name}`;
    } else if (fromEnv(o) !== undefined) {
      raw = fromEnv(o)!;
      where = envName(o);
    } else if (file.has(o.name)) {
      raw = file.get(o.name)!;
      where = `${o.name} in ${configFile}`;
    } else {
      continue;
    }
    resolved.values.set(o.name, o.parse(raw, where));
    resolved.from.set(o.name, where);
  }
  return resolved;
}

const GROUP_TITLES: Record<OptionSpec['group'], string> = {
  server: 'Server:',
  limits: 'Limits (durations take ms, s, m, h or d; a bare number is seconds):',
  operations: 'Operations:',
};

/** Wraps `words` into lines of at most `width` characters. */
function wrap(words: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** How an option is written on the command line (or, for a secret, only in the environment). */
function synopsis(o: OptionSpec): string {
  if (o.noFlag) return `${envName(o)}=${o.arg ?? 'VALUE'}`;
  return o.arg === undefined ? `--${o.name}` : `--${o.name} ${o.arg}`;
}

/** `chatbox serve --help`, built from the table: each option with its variable and its default. */
export function serveHelp(options: readonly OptionSpec[] = OPTIONS): string {
  const left = 34;
  const width = 80 - left;
  let out = `Usage: chatbox serve [options]

Runs a ChatBox server. Each option can also be set with the environment
variable shown under it, or as a key of the --config file (the option's name:
{"port": 8889, "log-level": "warn"}). A flag wins over the environment, the
environment over the file. Defaults are in [brackets]. SIGHUP reloads the TLS
certificate and key and the log level; SIGTERM or Ctrl+C stop gracefully.
`;
  for (const group of ['server', 'limits', 'operations'] as const) {
    const rows = options.filter((o) => o.group === group && !o.hidden);
    if (rows.length === 0) continue;
    out += `\n${GROUP_TITLES[group]}\n`;
    for (const o of rows) {
      const head = `  ${synopsis(o)}`;
      const desc = wrap(`${o.help}${o.shown !== undefined ? ` [${o.shown}]` : ''}`, width);
      const lines = o.noFlag ? desc : [...desc, envName(o)];
      if (head.length < left) {
        out += `${head.padEnd(left)}${lines[0]}\n`;
        lines.shift();
      } else {
        out += `${head}\n`;
      }
      for (const l of lines) out += `${' '.repeat(left)}${l}\n`;
    }
  }
  return out;
}

/** The README's table of options, built from the same rows (a test checks the README holds it). */
export function optionsMarkdown(options: readonly OptionSpec[] = OPTIONS): string {
  const rows = options.filter((o) => !o.hidden);
  let out = '| option | environment | default | what it does |\n|---|---|---|---|\n';
  for (const o of rows) {
    const flag = o.noFlag ? '(none)' : `\`${synopsis(o)}\``;
    out += `| ${flag} | \`${envName(o)}\` | ${o.shown !== undefined ? `\`${o.shown}\`` : ''} | ${o.help.replace(/\|/g, '\\|')} |\n`;
  }
  return out;
}
