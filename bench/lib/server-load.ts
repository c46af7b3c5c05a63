// A fresh server with a load group of logged-in connections on it, the shape
// of every case that drives the server through the load workers.

import { login } from './fixture.js';
import { LoadGroup, type LoadResult, type LoadSpec } from './load.js';
import type { Figures } from './report.js';
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

/** The figures every load case reports from a run measured over `measureMs`. */
export function loadFigures(r: LoadResult, measureMs: number): Figures {
  const serverCpu = r.serverCpuMs ?? NaN;
  return {
    requestsPerSec: Math.round(r.requestsPerSec),
    p50Ms: r.latencyMs.p50,
    p90Ms: r.latencyMs.p90,
    p99Ms: r.latencyMs.p99,
    maxMs: r.latencyMs.max,
    errors: r.errors,
    serverCores: Math.round((serverCpu / measureMs) * 100) / 100,
    serverUsPerRequest: Math.round(((serverCpu * 1000) / Math.max(1, r.replies)) * 10) / 10,
    generatorCores: Math.round(r.generatorCores * 100) / 100,
  };
}
