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
import type { Message, UserProfile } from '../../src/protocol.js';
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

/** An account as tests use it: the profile and the id the store gave it. */
export interface TestAccount extends UserProfile {
  id: number;
}

/** Adds users with a password hash derived from the name; returns their accounts. */
export async function addUsers(store: Store, ...names: string[]): Promise<TestAccount[]> {
  const out: TestAccount[] = [];
  for (const n of names) {
    assert.equal(await store.addUser({ ...profile(n), passwordHash: `hash-${n}` }), true);
    out.push({ ...profile(n), id: (await store.getUser(n))!.id });
  }
  return out;
}

/** The account that has `username` now. */
export async function account(store: Store, username: string): Promise<TestAccount> {
  const u = await store.getUser(username);
  assert.ok(u, `no user ${username}`);
  return { username: u.username, nama: u.nama, negara: u.negara, id: u.id };
}

/** Opens a session for the account that has `username` now; fails the test if refused. */
export async function login(store: Store, token: string, username: string, now: number): Promise<void> {
  assert.equal(await store.createSession(token, await account(store, username), now), true);
}

/** Sends as `from` to `to` and returns the stored message; fails the test if refused. */
export async function sendAs(store: Store, from: { id: number }, to: { username: string }, text: string, now: number): Promise<Message> {
  const m = await store.sendMessage(from.id, to.username, text, now);
  assert.ok(typeof m === 'object', `send refused: ${String(m)}`);
  return m;
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
