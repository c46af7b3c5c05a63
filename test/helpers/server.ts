// Starts real `chatbox serve` processes on port 0 with a SQLite file (or a
// Redis URL) for end-to-end tests, and talks to them over real sockets.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatClient } from '../../src/client.js';

/** The project's `chatbox` executable. */
export const CHATBOX_BIN = fileURLToPath(new URL('../../../bin/chatbox', import.meta.url));

/** A running server started by a test. */
export interface TestServer {
  host: string;
  port: number;
  /** Temp dir holding the database; removed by stop()/cleanup(). */
  dir: string;
  dbPath: string;
  proc: ChildProcess;
  /** Everything the server wrote to stderr so far (its log). */
  stderr(): string;
  /** SIGTERM and wait; resolves with the exit code. Removes the dir unless keepDir. */
  stop(opts?: { keepDir?: boolean }): Promise<number | null>;
  /** SIGKILL and wait (the dir stays, for a restart). */
  kill(): Promise<void>;
  /** A new server process on the same database (and same args). */
  restart(): Promise<TestServer>;
}

/** Options for startServer. */
export interface StartOptions {
  /** Extra flags for `chatbox serve`. */
  args?: string[];
  /** Reuse this dir (and its chat.db) instead of a new temp dir. */
  dir?: string;
  /** Create the demo users (default true). */
  demo?: boolean;
  /** Use this Redis URL instead of SQLite. */
  redis?: string;
  env?: NodeJS.ProcessEnv;
}

/** Fast hashing for tests only (the server warns about it). */
export const TEST_SCRYPT = ['--unsafe-scrypt-cost', '10'];

export function makeTempDir(prefix = 'chatbox-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dir = opts.dir ?? makeTempDir();
  const dbPath = join(dir, 'chat.db');
  const args = [CHATBOX_BIN, 'serve', '--port', '0', ...TEST_SCRYPT, '--log-level', 'info'];
  if (opts.redis) args.push('--redis', opts.redis);
  else args.push('--db', dbPath);
  if (opts.demo ?? true) args.push('--demo');
  args.push(...(opts.args ?? []));
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHATBOX_HOST: '', CHATBOX_PORT: '', CHATBOX_DB: '', CHATBOX_REDIS: '', ...opts.env },
  });
  let err = '';
  let out = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const { host, port } = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${err}`)), 20_000);
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (\S+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1]!, port: Number(m[2]) });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${err}`));
    });
  });
  const server: TestServer = {
    host,
    port,
    dir,
    dbPath,
    proc,
    stderr: () => err,
    async stop(o = {}) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const code = await exited;
      if (!o.keepDir && !opts.dir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    restart: () => startServer({ ...opts, dir }),
  };
  return server;
}

/** A raw socket speaking the protocol the way old clients do: write bytes, read until `\r\n\r\n`. */
export class RawClient {
  private buf = '';
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host, localAddress }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Reads one reply frame (without its terminator) and parses it, as `json.loads` would. */
  async reply(timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return JSON.parse(await this.frame(timeoutMs)) as Record<string, unknown>;
  }

  /** Reads one raw reply frame, without the `\r\n\r\n`. */
  async frame(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const idx = this.buf.indexOf('\r\n\r\n');
      if (idx !== -1) {
        const frame = this.buf.slice(0, idx);
        this.buf = this.buf.slice(idx + 4);
        return frame;
      }
      if (this.ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms; got ${JSON.stringify(this.buf)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends one request the way the original client did (`" \r\n"` ending) and reads its reply. */
  async ask(line: string): Promise<Record<string, unknown>> {
    this.write(line + ' \r\n');
    return this.reply();
  }

  /** Resolves when the server closes the connection. */
  async closed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  get isClosed(): boolean {
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Who `server` says is online, asked by a short session of `asUser` (a demo user). */
export async function onlineNames(server: { host: string; port: number }, asUser = 'lineker'): Promise<string[]> {
  const c = await ChatClient.connect({ host: server.host, port: server.port });
  try {
    const token = await c.auth(asUser, 'surabaya');
    const names = (await c.online(token)).map((u) => u.username);
    await c.logout(token);
    return names;
  } finally {
    c.close();
  }
}

/** Removes a temp dir made with makeTempDir. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
