// `chatbox serve`: configuration, store, listening socket and signals.

import { readFileSync } from 'node:fs';
import { fatal } from '../args.js';
import { loadServerConfig, SERVE_HELP, type ServerConfig } from './config.js';
import { ensureDemoUsers } from './demo.js';
import { Logger } from './log.js';
import { Metrics, serveMetrics } from './metrics.js';
import { Retention } from './retention.js';
import { MIN_SAFE_COST } from './passwords.js';
import { ChatServer, type Address, type TlsMaterial } from './server.js';
import { openStore } from './store/open.js';

function readTls(config: ServerConfig): TlsMaterial | undefined {
  if (!config.tlsCert || !config.tlsKey) return undefined;
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw fatal(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  };
  return { cert: read(config.tlsCert, '--tls-cert'), key: read(config.tlsKey, '--tls-key') };
}

export async function serveCommand(argv: string[]): Promise<number | void> {
  const config = loadServerConfig(argv);
  if (config === 'help') {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const log = new Logger(config.logLevel, config.logFormat);
  const tlsMaterial = readTls(config);
  for (const warning of config.warnings) log.warn('setting ignored', { note: warning });
  if (config.unsafeScrypt) {
    log.warn('unsafe password hashing', { scrypt_cost: config.scryptCost, minimum: MIN_SAFE_COST, note: 'for tests only' });
  }
  const store = await openStore(
    config,
    { idleLifetimeMs: config.sessionLifetimeMs, presenceWindowMs: config.presenceWindowMs, maxSessionsPerUser: config.maxSessionsPerUser },
    (line) => log.warn('redis', { event: line }),
  );
  let server: ChatServer | null = null;
  let addr: Address;
  // Gauges read the server when scraped; the store is timed only when metrics are on.
  const metrics = config.metrics
    ? new Metrics({
        get connectionCount() {
          return server?.connectionCount ?? 0;
        },
        get unsentReplyBytes() {
          return server?.unsentReplyBytes ?? 0;
        },
        get waitingSyncs() {
          return server?.waitingSyncs ?? 0;
        },
      })
    : null;
  const served = metrics ? metrics.timedStore(store) : store;
  let metricsServer: import('node:http').Server | null = null;
  try {
    if (config.demo) {
      const created = await ensureDemoUsers(store, config.scryptCost);
      if (created.length > 0) log.info('demo accounts created', { users: created.join(',') });
    }
    if ((await store.countUsers()) === 0) {
      log.warn('no accounts yet', {
        hint: 'add one with: chatbox user add NAME --name "Full Name" --country COUNTRY (or start with --demo)',
      });
    }
    server = new ChatServer(served, config, log, tlsMaterial, metrics ?? undefined);
    addr = await server.listen();
    if (metrics && config.metrics) {
      const m = await serveMetrics(metrics, store, config.metrics.host, config.metrics.port);
      metricsServer = m.server;
      log.info('metrics listening', { host: m.host, port: m.port, paths: '/metrics,/healthz' });
    }
    log.info('listening', {
      host: addr.host,
      port: addr.port,
      store: config.redis ? 'redis' : 'sqlite',
      tls: tlsMaterial ? 'on' : 'off',
    });
  } catch (err) {
    await server?.close().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }

  const running = server;
  const retention = config.retentionDays !== null ? new Retention(store, log, { days: config.retentionDays }) : null;
  retention?.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        log.warn('second signal, exiting at once', { signal });
        log.flush();
        process.exit(1);
      }
      stopping = true;
      log.info('shutting down', { signal, connections: running.connectionCount });
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      running
        .close()
        .then(() => retention?.stop())
        .then(() => store.close())
        .catch((err: Error) => log.error('shutdown failed', { error: err.message }))
        .finally(() => {
          log.info('stopped');
          log.flush();
          resolve();
        });
    };
    process.on('SIGHUP', () => reload(argv, running, log, config));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    // Announced only once the handlers are in place: a supervisor or test may signal the moment it reads this.
    // The start-up log goes out first, so whoever waits for this line can read it.
    log.flush();
    process.stdout.write(`listening on ${addr.host}:${addr.port}\n`);
  });
  return 0;
}

/**
 * SIGHUP: reads the options again (flags as given, the environment, the config
 * file as it is now) and applies what can change while connections stay open:
 * the log level and the TLS certificate and key (for new connections; open ones
 * keep theirs). A mistake is logged and changes nothing.
 */
function reload(argv: string[], server: ChatServer, log: Logger, started: ServerConfig): void {
  try {
    const next = loadServerConfig(argv);
    if (next === 'help') return;
    let tls = 'off';
    if (started.tlsCert) {
      if (!next.tlsCert) throw new Error('TLS cannot be turned off while running: restart for that');
      server.setTls(readTls(next)!);
      tls = 'reloaded';
    } else if (next.tlsCert) {
      throw new Error('TLS cannot be turned on while running: restart for that');
    }
    log.setLevel(next.logLevel);
    log.info('reloaded', { signal: 'SIGHUP', log_level: next.logLevel, tls, ...(next.tlsCert ? { tls_cert: next.tlsCert } : {}) });
  } catch (err) {
    log.error('reload failed, settings unchanged', { signal: 'SIGHUP', error: (err as Error).message });
  }
}
