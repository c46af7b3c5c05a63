// The stores a server can run on, for suites that must pass on each: SQLite
// always; Redis when redis-server is installed (and always in CI).

import { redisSkip, startRedis } from './redis.js';
import { startServer, type StartOptions, type TestServer } from './server.js';

/** A way to start a test server on one kind of store. */
export interface Backend {
  name: string;
  /** Why this backend's tests are skipped here, or false. */
  skip(): string | false;
  start(opts?: StartOptions): Promise<TestServer>;
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  skip: () => false,
  start: (opts) => startServer(opts),
};

export const redisBackend: Backend = {
  name: 'redis',
  skip: () => redisSkip(),
  async start(opts = {}) {
    const redis = await startRedis();
    const server = await startServer({ ...opts, redis: redis.url });
    return withRedis(server, redis.stop);
  },
};

/** Stopping the server also stops its private redis-server; a restart keeps it. */
function withRedis(server: TestServer, stopRedis: () => Promise<void>): TestServer {
  return {
    ...server,
    async stop(o) {
      const code = await server.stop(o);
      await stopRedis();
      return code;
    },
    async restart() {
      return withRedis(await server.restart(), stopRedis);
    },
  };
}

export const backends: Backend[] = [sqliteBackend, redisBackend];
