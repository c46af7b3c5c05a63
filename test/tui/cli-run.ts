// Runs `chatbox cli` as a child process with piped stdin, for tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { CHATBOX_BIN } from '../helpers/server.js';

/** How a `chatbox cli` run ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `chatbox cli --host H --port P ...extra`; writes `input` and closes stdin unless it is null. */
export function runCli(
  server: { host: string; port: number },
  input: string | null,
  extra: string[] = [],
): { done: Promise<CliRun>; proc: ChildProcess; stdout: () => string } {
  const proc = spawn(process.execPath, [CHATBOX_BIN, 'cli', '--host', server.host, '--port', String(server.port), ...extra], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, CHATBOX_HOST: '', CHATBOX_PORT: '', CHATBOX_TLS: '' },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // A child that exits before reading everything must not fail the test with EPIPE.
  proc.stdin!.on('error', () => undefined);
  if (input !== null) proc.stdin!.end(input);
  const done = new Promise<CliRun>((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { done, proc, stdout: () => stdout };
}
