// Shared command-line handling: parse flags with node:util, fall back to
// CHATBOX_* environment variables, and turn every mistake into one clear line.

import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake on the command line or in the environment; shown as one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseFlags returns for `options` (spelled out so the declaration can name it). */
export type ParsedFlags<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>>;

/** Parses `argv` against `options`; unknown flags and missing values become UsageErrors. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false): ParsedFlags<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(msg);
  }
}

/** A flag's value, else the environment variable's, else undefined. */
export function flagOrEnv(flag: string | undefined, envName: string): string | undefined {
  if (flag !== undefined) return flag;
  const v = process.env[envName];
  return v === undefined || v === '' ? undefined : v;
}

/** Parses a whole number within bounds, naming the setting in the error. */
export function parseIntSetting(value: string, name: string, min: number, max: number): number {
  if (!/^-?[0-9]+$/.test(value.trim())) throw new UsageError(`${name} must be a whole number, got '${value}'`);
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return n;
}

/** Parses a TCP port (0 picks a free one where `allowZero`). */
export function parsePort(value: string, name = '--port', allowZero = true): number {
  return parseIntSetting(value, name, allowZero ? 0 : 1, 65535);
}

/**
 * A reader that goes away (`chatbox user list | head -1`) ends the command quietly
 * with status 0, as `head` expects of a Unix tool; a closed stderr only loses the log.
 */
export function quietOnClosedPipes(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

/** Runs a command's main function: UsageErrors and other expected failures print one line and exit non-zero. */
export async function runMain(main: () => Promise<number | void>): Promise<void> {
  quietOnClosedPipes();
  try {
    const code = await main();
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    const e = err as Error;
    if (e instanceof UsageError) {
      process.stderr.write(`chatbox: ${e.message}\n`);
      process.exitCode = 2;
    } else if (e && (e as { expected?: boolean }).expected) {
      process.stderr.write(`chatbox: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`chatbox: unexpected error: ${e?.stack ?? String(err)}\n`);
      process.exitCode = 70;
    }
  }
}

/** An error that is a normal outcome (port in use, refused connection, ...): one line, exit 1. */
export function fatal(message: string): Error {
  const e = new Error(message) as Error & { expected: boolean };
  e.expected = true;
  return e;
}
