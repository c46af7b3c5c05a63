// Reading a password: from a terminal without echo, or from a pipe when asked.

import { UsageError } from '../args.js';

/** Reads the first line of standard input. */
function readFirstLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const stdin = process.stdin;
    stdin.setEncoding('utf8');
    const done = (): void => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.pause();
      const nl = data.indexOf('\n');
      resolve((nl === -1 ? data : data.slice(0, nl)).replace(/\r$/, ''));
    };
    const onData = (chunk: string): void => {
      data += chunk;
      if (data.includes('\n')) done();
    };
    stdin.on('data', onData);
    stdin.on('end', done);
    stdin.on('error', reject);
  });
}

/** Asks on the terminal with echo off; Ctrl+C aborts. */
function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    let answer = '';
    const finish = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.off('data', onData);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else if (ch >= ' ') answer += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** The password for a new or changed account. */
export async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readFirstLine();
  if (!process.stdin.isTTY) {
    throw new UsageError('standard input is not a terminal: pass --password-stdin to read the password from it');
  }
  const first = await askHidden('Password: ');
  const again = await askHidden('Password again: ');
  if (first !== again) throw new UsageError('the passwords do not match');
  return first;
}
