// The benchmark's accounts: one SQLite file written directly through the
// store before any server starts (adding users over the CLI costs a process
// and a hash each), copied fresh for every run. Also logs users in over the
// wire, once per user, for the load generators to share their tokens.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChatClient } from '../../src/client.js';
import { hashPassword } from '../../src/server/passwords.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';

/** Every benchmark account has this password. */
export const BENCH_PASSWORD = 'bench-password';

/** Username of the i-th benchmark account. */
export const benchUser = (i: number): string => `bench${String(i).padStart(4, '0')}`;

/** A fixture database and the directory that holds it. */
export interface Fixture {
  db: string;
  users: number;
  remove(): void;
}

/**
 * The store that writes the fixture: this checkout's, or, with
 * BENCH_FIXTURE_FROM=<another built checkout>, that one's, so that an older
 * build compared with this one can open the file (a newer build migrates it).
 */
async function fixtureStore(): Promise<typeof SqliteStore> {
  const from = process.env.BENCH_FIXTURE_FROM;
  if (!from) return SqliteStore;
  const mod = (await import(pathToFileURL(resolve(from, 'dist/src/server/store/sqlite.js')).href)) as { SqliteStore: typeof SqliteStore };
  return mod.SqliteStore;
}

/** Writes `users` accounts into a new database file. */
export async function createFixture(users: number): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'chatbox-bench-fixture-'));
  const db = join(dir, 'chat.db');
  const store = (await fixtureStore()).open(db, { idleLifetimeMs: 7 * 86_400_000, presenceWindowMs: 30_000 });
  try {
    // One hash for all: same password, and the fixture is not about salts.
    const passwordHash = await hashPassword(BENCH_PASSWORD, 10);
    for (let i = 0; i < users; i++) {
      const n = String(i).padStart(4, '0');
      await store.addUser({ username: benchUser(i), nama: `Bench User ${n}`, negara: 'Indonesia', passwordHash });
    }
  } finally {
    await store.close();
  }
  return { db, users, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logged-in benchmark user. */
export interface Session {
  user: string;
  token: string;
}

/**
 * Logs in users `first`..`first + count - 1` over one connection (pipelined;
 * the server hashes two at a time) and returns their tokens. Against the
 * baseline, which accepts anything, the tokens are just placeholders.
 */
export async function login(host: string, port: number, first: number, count: number): Promise<Session[]> {
  const client = await ChatClient.connect({ host, port, requestTimeoutMs: 60_000 });
  try {
    const names = Array.from({ length: count }, (_, i) => benchUser(first + i));
    const tokens = await Promise.all(names.map((u) => client.request(['auth', u, BENCH_PASSWORD])));
    return tokens.map((reply, i) => {
      if (reply.status !== 'OK') throw new Error(`login of ${names[i]} failed: ${reply.message}`);
      const token = typeof reply.tokenid === 'string' ? reply.tokenid : `baseline-token-${i}`;
      return { user: names[i]!, token };
    });
  } finally {
    await closeClient(client);
  }
}

/** Closes a client and waits until its socket is gone, so it no longer counts against connection caps. */
export function closeClient(client: ChatClient): Promise<void> {
  if (!client.connected) return Promise.resolve();
  return new Promise((resolve) => {
    client.once('close', () => resolve());
    client.close();
  });
}
