// A ChatServer built in the test's own process, on port 0 with a SQLite file
// in a temp dir, spoken to over real sockets: a handler bug fails the test
// with its stack instead of a closed connection.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ChatClient } from '../../src/client.js';
import { DEFAULTS, type ServerConfig } from '../../src/server/config.js';
import { ensureDemoUsers } from '../../src/server/demo.js';
import { Logger, type LogLevel } from '../../src/server/log.js';
import { ChatServer, type TlsMaterial } from '../../src/server/server.js';
import { openStore } from '../../src/server/store/open.js';
import type { Store } from '../../src/server/store/types.js';
import { makeTempDir, RawClient } from './server.js';

/** A server running in this process. */
export interface InProcessServer {
  host: string;
  port: number;
  server: ChatServer;
  store: Store;
  config: ServerConfig;
  /** Log lines so far (at the level asked for, `info` by default). */
  log(): string;
  /** A raw connection, optionally from another loopback address. */
  connect(localAddress?: string): Promise<RawClient>;
  /** A ChatClient connection. */
  client(): Promise<ChatClient>;
  /** Closes every connection this helper opened, the server and the store, and removes the temp dir. */
  close(): Promise<void>;
}

/** Options for startInProcess. */
export interface InProcessOptions {
  /** Settings over the defaults (fast test hashing is the default here). */
  config?: Partial<ServerConfig>;
  /** Create the demo users (default true). */
  demo?: boolean;
  logLevel?: LogLevel;
  tls?: TlsMaterial;
}

export async function startInProcess(opts: InProcessOptions = {}): Promise<InProcessServer> {
  const dir = makeTempDir('chatbox-inproc-');
  const config: ServerConfig = {
    ...DEFAULTS,
    host: '127.0.0.1',
    port: 0,
    db: join(dir, 'chat.db'),
    scryptCost: 10,
    unsafeScrypt: true,
    warnings: [],
    ...opts.config,
  };
  let logged = '';
  const log = new Logger(opts.logLevel ?? 'info', 'text', (text: string) => (logged += text));
  const store = await openStore(config, { idleLifetimeMs: config.sessionLifetimeMs, presenceWindowMs: config.presenceWindowMs });
  if (opts.demo ?? true) await ensureDemoUsers(store, config.scryptCost);
  const server = new ChatServer(store, config, log, opts.tls);
  const { host, port } = await server.listen();
  const raws: RawClient[] = [];
  const clients: ChatClient[] = [];
  return {
    host,
    port,
    server,
    store,
    config,
    log: () => {
      log.flush();
      return logged;
    },
    async connect(localAddress) {
      const r = await RawClient.connect(port, host, localAddress);
      raws.push(r);
      return r;
    },
    async client() {
      const c = await ChatClient.connect({ host, port });
      clients.push(c);
      return c;
    },
    async close() {
      for (const r of raws) r.close();
      for (const c of clients) c.destroy();
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
