// Starts real redis-server processes for tests: a free port on 127.0.0.1, a
// temp dir for the append-only file, PING before handing it over, and
// cleanup that leaves no process or dir behind.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RedisStore } from '../../src/server/store/redis.js';
import type { Store } from '../../src/server/store/types.js';
import type { StoreKind } from './stores.js';

/** How a test redis-server persists (all default to the production-like setting). */
export interface RedisOptions {
  /** appendfsync policy; `everysec` unless given. */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Extra redis-server arguments, e.g. ['--cluster-enabled', 'yes']. */
  args?: string[];
}

/** A running test redis-server. */
export interface RedisServer {
  url: string;
  port: number;
  /** The server's data dir (holds the append-only file). */
  dir: string;
  /** Stops the server gracefully and removes its dir. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL at once, keeping its dir (for restart()). */
  kill(): void;
  /** Starts the server again on the same port and dir, and waits for PING. */
  restart(): Promise<void>;
}

let available: boolean | undefined;

/** True when a redis-server binary can be run here. */
export function redisAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
    available = r.error === undefined && r.status === 0;
  }
  return available;
}

/**
 * Why Redis tests must be skipped, or false to run them. In CI a missing
 * redis-server is an error, never a silent skip.
 */
export function redisSkip(): string | false {
  if (redisAvailable()) return false;
  if (process.env.CI) throw new Error('redis-server is not installed, and CI must run the Redis tests');
  return 'redis-server is not installed (apt-get install redis-server)';
}

// Servers still running when the process exits (a test failed before its
// cleanup) are killed and their dirs removed, so none outlive a test run.
const running = new Set<ChildProcess>();
const dirs = new Set<string>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends PING over a raw socket; true once the server answers (not while it is still loading). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      // NOAUTH: up, and asking for the password a test gave it.
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG') || buf.startsWith('-NOAUTH'));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Launch {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts redis-server and resolves once it answers PING; rejects if it exits first. */
async function launch(port: number, dir: string, opts: RedisOptions): Promise<Launch> {
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'yes', '--appendfsync', opts.appendfsync ?? 'everysec',
    '--daemonize', 'no', '--protected-mode', 'no', '--loglevel', 'warning',
    '--logfile', path.join(dir, 'redis.log'),
    ...(opts.args ?? []),
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  running.add(child);
  let gone = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      gone = true;
      running.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      gone = true;
      running.delete(child);
      resolve(null);
    });
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`redis-server exited at start on port ${port}`);
    if (await ping(port)) return { child, exited };
    await sleep(25);
  }
  child.kill('SIGKILL');
  await exited;
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
}

/** Starts a fresh redis-server on a free port in its own temp dir. */
export async function startRedis(opts: RedisOptions = {}): Promise<RedisServer> {
  if (!redisAvailable()) throw new Error('redis-server is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbox-redis-'));
  dirs.add(dir);
  let current: Launch | undefined;
  let port = 0;
  // Another process may take the port between our probe and redis binding it: retry.
  for (let attempt = 1; current === undefined; attempt++) {
    port = await freePort();
    try {
      current = await launch(port, dir, opts);
    } catch (err) {
      if (attempt >= 5) {
        fs.rmSync(dir, { recursive: true, force: true });
        dirs.delete(dir);
        throw err;
      }
    }
  }
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      const c = current;
      current = undefined;
      if (c && c.child.exitCode === null && c.child.signalCode === null) {
        c.child.kill('SIGTERM');
        const timer = setTimeout(() => c.child.kill('SIGKILL'), 5000);
        await c.exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
    kill() {
      current?.child.kill('SIGKILL');
    },
    async restart() {
      if (current) {
        current.child.kill('SIGKILL');
        await current.exited;
      }
      current = undefined;
      // The port was ours a moment ago; retry briefly while the kernel lets it go.
      for (let attempt = 1; ; attempt++) {
        try {
          current = await launch(port, dir, opts);
          return;
        } catch (err) {
          if (attempt >= 5) throw err;
          await sleep(200);
        }
      }
    },
  };
  return server;
}

/** A running test Redis Cluster of several masters, each with a share of the slots. */
export interface RedisCluster {
  /** Comma-separated redis:// URLs of every node, as RedisStore.open takes a Cluster. */
  url: string;
  nodes: RedisServer[];
  stop(): Promise<void>;
}

/** Sends one command over a raw socket and returns the first reply (bulk replies whole). */
function command(port: number, words: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    sock.setTimeout(2000, () => {
      sock.destroy();
      reject(new Error(`no reply from port ${port} to ${words[0]}`));
    });
    sock.on('error', reject);
    sock.on('connect', () => sock.write(words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join('').replace(/^/, `*${words.length}\r\n`)));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      const bulk = /^\$(\d+)\r\n/.exec(buf);
      if (bulk ? buf.length >= bulk[0].length + Number(bulk[1]) + 2 : buf.includes('\r\n')) {
        sock.destroy();
        resolve(bulk ? buf.slice(bulk[0].length, bulk[0].length + Number(bulk[1])) : buf.trim());
      }
    });
  });
}

/** Starts `size` cluster-enabled servers, splits the 16384 slots between them and waits until the cluster is up. */
export async function startRedisCluster(size = 2): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const buses: number[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    for (let i = 0; i < size; i++) {
      // The cluster bus needs a port too; port + 10000 may be past 65535, so pick one.
      const bus = await freePort();
      buses.push(bus);
      nodes.push(await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(bus)] }));
    }
    const per = Math.ceil(16384 / size);
    for (const [i, node] of nodes.entries()) {
      const reply = await command(node.port, ['CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1))]);
      if (reply !== '+OK') throw new Error(`CLUSTER ADDSLOTSRANGE: ${reply}`);
      if (i > 0) await command(node.port, ['CLUSTER', 'MEET', '127.0.0.1', String(nodes[0]!.port), String(buses[0])]);
    }
    const deadline = Date.now() + 10_000;
    for (const node of nodes) {
      for (;;) {
        const info = await command(node.port, ['CLUSTER', 'INFO']);
        if (info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${size}`)) break;
        if (Date.now() > deadline) throw new Error('the test Redis Cluster did not come up within 10 s');
        await sleep(50);
      }
    }
    return { url: nodes.map((n) => n.url).join(','), nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The Redis store for the conformance suite: a redis-server of its own per open(). */
export const redisKind: StoreKind = {
  name: 'redis',
  skip: redisSkip,
  async open(policy) {
    const server = await startRedis();
    const opened: Store[] = [];
    const openOne = async (): Promise<Store> => {
      const store = await RedisStore.open(server.url, policy);
      opened.push(store);
      return store;
    };
    try {
      return {
        store: await openOne(),
        reopen: openOne,
        async cleanup() {
          for (const s of opened) await s.close();
          await server.stop();
        },
      };
    } catch (err) {
      await server.stop();
      throw err;
    }
  },
};
