// Every Store implementation the conformance suite (test/server/store*.test.ts)
// runs against, and the fixtures it shares. Adding an implementation is
// adding its entry to `storeKinds`.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import { SqliteStore, type SqliteOptions } from '../../src/server/store/sqlite.js';
import { redisKind } from './redis.js';
import type { UserProfile } from '../../src/protocol.js';
import type { SessionPolicy, Store } from '../../src/server/store/types.js';

/** A fresh, empty store for one test, and how to get at its data again. */
export interface OpenedStore {
  store: Store;
  /** Opens another store on the same data (close `store` first to test durability). */
  reopen(): Promise<Store>;
  /** Closes every store opened here and removes the data. */
  cleanup(): Promise<void>;
}

/** One Store implementation under test. */
export interface StoreKind {
  name: string;
  /** Why this kind cannot run here (e.g. its server is not installed), or false. */
  skip?: () => string | false;
  open(policy: SessionPolicy): Promise<OpenedStore>;
}

/** Session timings of every store under test (ms). */
export const POLICY: SessionPolicy = { idleLifetimeMs: 60_000, presenceWindowMs: 30_000 };
/** A fixed "now": the store takes time as an argument, so tests need no clock. */
export const T0 = Date.UTC(2026, 0, 1);

/** A profile for `username`, with a nama and negara derived from it. */
export function profile(username: string): UserProfile {
  return { username, nama: `Nama ${username}`, negara: `Negara ${username}` };
}

/** Adds users with a password hash derived from the name; returns their profiles. */
export async function addUsers(store: Store, ...names: string[]): Promise<UserProfile[]> {
  for (const n of names) assert.equal(await store.addUser({ ...profile(n), passwordHash: `hash-${n}` }), true);
  return names.map(profile);
}

/** Makes a temp dir for a test's files; the caller removes it. */
export function makeTempDir(prefix = 'chatbox-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A new SQLite file path per test, in its own temp dir, and the stores opened on it. */
export interface SqliteFileFixture {
  /** The current test's temp dir. */
  readonly dir: string;
  /** `chat.db` in `dir`; not created until a store opens it. */
  readonly file: string;
  /** Opens a store on `file` (with POLICY), closed after the test. */
  open(options?: SqliteOptions): SqliteStore;
}

/** Call inside a describe block: each test gets a fresh file, and its stores and dir are removed after it. */
export function useSqliteFile(): SqliteFileFixture {
  let dir = '';
  let file = '';
  const stores: SqliteStore[] = [];
  beforeEach(() => {
    dir = makeTempDir();
    file = path.join(dir, 'chat.db');
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    get file() {
      return file;
    },
    open(options) {
      const s = SqliteStore.open(file, POLICY, options);
      stores.push(s);
      return s;
    },
  };
}

/** SQLite on a new file in its own temp dir. */
export const sqliteKind: StoreKind = {
  name: 'sqlite',
  async open(policy) {
    const dir = makeTempDir();
    const file = path.join(dir, 'chat.db');
    const opened: Store[] = [];
    const openOne = (): Store => {
      const store = SqliteStore.open(file, policy);
      opened.push(store);
      return store;
    };
    return {
      store: openOne(),
      reopen: async () => openOne(),
      async cleanup() {
        for (const s of opened) await s.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** The kinds the conformance suite runs, each in its own describe block. */
export const storeKinds: StoreKind[] = [sqliteKind, redisKind];
