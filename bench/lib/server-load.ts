// A fresh server with a load group of logged-in connections on it, the shape
// of every case that drives the server through the load workers.

import { login } from './fixture.js';
import { LoadGroup, type LoadSpec } from './load.js';
import { startServer, type RunningServer, type ServerKind, type ServerOptions } from './servers.js';

/** What a load group runs, apart from where and as whom (withServerLoad fills those in). */
export type LoadOptions = Omit<LoadSpec, 'host' | 'port' | 'sessions'>;

/** Starts a `kind` server, logs in users 0..users-1, opens `spec` on their sessions and runs `body`; then closes both. */
export async function withServerLoad<T>(
  kind: ServerKind,
  serverOpts: ServerOptions,
  users: number,
  spec: LoadOptions,
  body: (server: RunningServer, load: LoadGroup) => Promise<T>,
): Promise<T> {
  const server = await startServer(kind, serverOpts);
  try {
    const sessions = await login(server.host, server.port, 0, users);
    const load = await LoadGroup.open({ host: server.host, port: server.port, sessions, ...spec });
    try {
      return await body(server, load);
    } finally {
      await load.close();
    }
  } finally {
    await server.stop();
  }
}
