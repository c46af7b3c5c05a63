// What only the SQLite store promises: sharing its file with the admin CLI,
// one-line errors when opening fails, the schema, durability across a
// SIGKILL, and polling that costs no writes.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { hashToken } from '../../src/server/store/common.js';
import { MIGRATIONS } from '../../src/server/store/sqlite-schema.js';
import { SqliteStore } from '../../src/server/store/sqlite.js';
import { addUsers, login, POLICY, profile, sendAs, T0, useSqliteFile } from '../helpers/stores.js';

describe('SQLite store', () => {
  const fx = useSqliteFile();
  const open = fx.open;

  test('a second store on the same file (the admin CLI) is seen at once by the first', async () => {
    const server = open();
    const admin = open();
    const [alice, bob] = await addUsers(admin, 'alice', 'bob');
    assert.deepEqual(await server.getUser('alice'), { id: alice!.id, ...profile('alice'), passwordHash: 'hash-alice' });
    assert.equal(await server.countUsers(), 2);
    await login(server, 'tok', 'alice', T0);
    assert.equal((await server.useSession('tok', T0 + 1))?.username, 'alice');
    await admin.setPassword('alice', 'new');
    assert.equal(await server.useSession('tok', T0 + 2), null, 'passwd in another process ends the session now');
    assert.equal((await server.getUser('alice'))?.passwordHash, 'new');
    const m = await sendAs(admin, bob!, alice!, 'hi', T0);
    assert.deepEqual(await server.claimInbox(alice!.id, 'c', 10, T0, T0 + 1000), [m]);
    await admin.removeUser('bob');
    assert.deepEqual((await server.directory(T0)).map((u) => u.username), ['alice']);
    assert.equal(await server.sendMessage(bob!.id, 'alice', 'gone', T0), 'no such sender', 'removed in another process');
  });

  test('a missing directory fails with one clear line', () => {
    const missing = path.join(fx.dir, 'no', 'such');
    assert.throws(
      () => SqliteStore.open(path.join(missing, 'chat.db'), POLICY),
      (err: Error & { expected?: boolean }) =>
        err.message === `database directory ${missing} does not exist` && err.expected === true,
    );
  });

  test('a file that is not a database, or is a directory, fails with one clear line', () => {
    fs.writeFileSync(fx.file, 'this is a text file, not a database\n'.repeat(200));
    assert.throws(() => SqliteStore.open(fx.file, POLICY), oneLine(`${fx.file} is not a ChatBox database (not an SQLite file)`));
    assert.throws(() => SqliteStore.open(fx.dir, POLICY), oneLine(`database ${fx.dir} is a directory, not a file`));
  });

  test('a database from a newer chatbox is refused, untouched', () => {
    const raw = new Database(fx.file);
    raw.pragma('user_version = 999');
    raw.close();
    assert.throws(() => SqliteStore.open(fx.file, POLICY), /has schema version 999, newer than this chatbox understands/);
    const check = new Database(fx.file);
    assert.equal(check.pragma('user_version', { simple: true }), 999);
    check.close();
  });

  const isRoot = process.getuid?.() === 0;
  test('a read-only database or directory fails with one clear line', { skip: isRoot && 'root can write to any file' }, async () => {
    await open().close();
    fs.chmodSync(fx.file, 0o444);
    assert.throws(() => SqliteStore.open(fx.file, POLICY), oneLine(`database ${fx.file} is not writable`));
    fs.chmodSync(fx.file, 0o644);
    fs.chmodSync(fx.dir, 0o555);
    try {
      assert.throws(() => SqliteStore.open(fx.file, POLICY), oneLine(`database directory ${fx.dir} is not writable`));
    } finally {
      fs.chmodSync(fx.dir, 0o755);
    }
  });

  test('a new file is private, gets WAL and the latest schema, and holds no session token in clear', async () => {
    const s = open();
    assert.equal(fs.statSync(fx.file).mode & 0o777, 0o600, 'it holds password hashes');
    await addUsers(s, 'alice');
    const token = 'f3b0c8a2-5d1e-4c7a-9b6f-2e8d4a1c0b9e';
    await login(s, token, 'alice', T0);
    const raw = new Database(fx.file, { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(raw.pragma('user_version', { simple: true }), MIGRATIONS.length);
    raw.close();
    for (const f of fs.readdirSync(fx.dir)) {
      assert.equal(fs.statSync(path.join(fx.dir, f)).mode & 0o777, 0o600, `${f} is private`);
      assert.ok(!fs.readFileSync(path.join(fx.dir, f)).includes(token), `token found in ${f}`);
    }
    // Reopening applies nothing twice and keeps the data.
    await s.close();
    assert.equal((await open().useSession(token, T0 + 1))?.username, 'alice');
  });

  test('a database of schema 1 (accounts by name) is migrated: ids assigned, sessions, inbox and history kept', async () => {
    const raw = new Database(fx.file);
    raw.exec(MIGRATIONS[0]!);
    raw.pragma('user_version = 1');
    const addUser = raw.prepare('INSERT INTO users (username, nama, negara, password_hash) VALUES (?, ?, ?, ?)');
    for (const n of ['bob', 'alice']) addUser.run(n, profile(n).nama, profile(n).negara, `hash-${n}`);
    raw.prepare('INSERT INTO sessions (token_hash, username, created_at, last_used, present_until) VALUES (?, ?, ?, ?, ?)')
      .run(hashToken('tok-a'), 'alice', T0, T0, T0 + POLICY.presenceWindowMs);
    const addMessage = raw.prepare(
      'INSERT INTO messages (sender, recipient, msg_from, msg_to, body, ts, delivered) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const ts = new Date(T0).toISOString();
    addMessage.run('alice', 'bob', 'Nama alice', 'Nama bob', 'hello bob', ts, 1);
    addMessage.run('bob', 'alice', 'Nama bob', 'Nama alice', 'hi alice', ts, 0);
    // From a user removed before the upgrade: the name no longer has an account.
    addMessage.run('ghost', 'alice', 'Old Ghost', 'Nama alice', 'boo', ts, 1);
    raw.close();

    const s = open();
    const check = new Database(fx.file, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), MIGRATIONS.length);
    check.close();
    const [alice, bob] = [(await s.getUser('alice'))!, (await s.getUser('bob'))!];
    assert.ok(alice.id > 0 && bob.id > 0 && alice.id !== bob.id);
    assert.deepEqual(alice, { id: alice.id, ...profile('alice'), passwordHash: 'hash-alice' });
    assert.deepEqual(await s.useSession('tok-a', T0 + 1000), { userId: alice.id, username: 'alice', lastUsedAt: T0 + 1000 });
    const wire = (id: number, from: string, to: string, msg: string) =>
      ({ msg_from: `Nama ${from}`, msg_to: `Nama ${to}`, msg, id, sender: from, recipient: to, ts });
    assert.deepEqual(await s.history(alice.id, bob.id, null, 50), [wire(1, 'alice', 'bob', 'hello bob'), wire(2, 'bob', 'alice', 'hi alice')]);
    assert.deepEqual(await s.claimInbox(alice.id, 'c', 500, T0, T0 + 1000), [wire(2, 'bob', 'alice', 'hi alice')]);
    // A new account under the removed name sees nothing of the old one.
    const [ghost] = await addUsers(s, 'ghost');
    assert.deepEqual(await s.history(ghost!.id, alice.id, null, 50), []);
    const next = await sendAs(s, alice, bob, 'after the upgrade', T0 + 5);
    assert.ok(next.id > 3);
    assert.deepEqual((await s.history(bob.id, alice.id, null, 50)).map((m) => m.msg), ['hello bob', 'hi alice', 'after the upgrade']);
  });

  test('a client polling more often than once a second costs no write', async () => {
    const s = open();
    await addUsers(s, 'alice');
    await login(s, 'tok', 'alice', T0);
    const watcher = new Database(fx.file, { readonly: true });
    const version = (): number => Number(watcher.pragma('data_version', { simple: true }));
    try {
      const before = version();
      for (let t = 0; t < 900; t += 100) assert.equal((await s.useSession('tok', T0 + t))?.username, 'alice');
      assert.equal(version(), before, 'no commit while polling within a second');
      await s.useSession('tok', T0 + 1500);
      await new Promise((r) => setImmediate(r));
      assert.notEqual(version(), before, "a use a second later is recorded, with the turn's commit");
    } finally {
      watcher.close();
    }
  });

  for (const synchronous of ['normal', 'full'] as const) {
    test(`synchronous=${synchronous}: messages are on disk once addMessage resolves (SIGKILL right after)`, async () => {
      const storeUrl = new URL('../../src/server/store/sqlite.js', import.meta.url).href;
      const child = spawn(process.execPath, ['--input-type=module', '-e', `
        const { SqliteStore } = await import(${JSON.stringify(storeUrl)});
        const s = SqliteStore.open(${JSON.stringify(fx.file)}, ${JSON.stringify(POLICY)}, { synchronous: '${synchronous}' });
        await s.addUser({ username: 'a', nama: 'A', negara: 'X', passwordHash: 'h' });
        await s.addUser({ username: 'b', nama: 'B', negara: 'X', passwordHash: 'h' });
        const a = await s.getUser('a');
        const sent = await Promise.all(Array.from({ length: 50 }, (_, i) => s.sendMessage(a.id, 'b', 'm' + i, ${T0})));
        process.stdout.write(JSON.stringify(sent.map((m) => m.id)));
        // Nothing may be left to write: die before the event loop turns again.
        process.kill(process.pid, 'SIGKILL');
      `], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      clearTimeout(timer);
      assert.equal(signal, 'SIGKILL');
      const reported = JSON.parse(out) as number[];
      assert.equal(reported.length, 50);
      const reopened = open({ synchronous });
      const [a, b] = [(await reopened.getUser('a'))!, (await reopened.getUser('b'))!];
      const stored = await reopened.history(a.id, b.id, null, 500);
      assert.deepEqual(stored.map((m) => m.id), reported);
    });
  }
});

/** Asserts an error is one line, expected, and is `message`. */
function oneLine(message: string) {
  return (err: Error & { expected?: boolean }): boolean => {
    assert.equal(err.expected, true);
    assert.ok(!err.message.includes('\n'), `"${err.message}" spans lines`);
    assert.equal(err.message, message);
    return true;
  };
}
