// What the SQLite store keeps in memory (sessions, users, the online list,
// inboxes) never hides a change: its own, another store's in this
// process, or another process's, seen by the first call made after it.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { addUsers, login, POLICY, profile, sendAs, T0, useSqliteFile } from '../helpers/stores.js';

const storeUrl = new URL('../../src/server/store/sqlite.js', import.meta.url).href;

/** Runs `body` in another process with `s`, a store on `file`; resolves once that process has exited. */
function inOtherProcess(file: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { SqliteStore } = await import(${JSON.stringify(storeUrl)});
         const s = SqliteStore.open(${JSON.stringify(file)}, ${JSON.stringify(POLICY)});
         ${body}
         await s.close();`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`other process exited with ${code}: ${err}`));
    });
  });
}

const names = (list: { username: string }[]): string[] => list.map((u) => u.username);

describe('SQLite store memory', () => {
  const fx = useSqliteFile();
  const open = fx.open;

  test('an inbox found empty shows a message stored after, by this store or another in the process', async () => {
    const server = open();
    const admin = open();
    const [alice, bob] = await addUsers(server, 'alice', 'bob');
    assert.deepEqual(await server.claimInbox(bob!.id, 'c1', 10, T0, T0 + 1000), []);
    assert.deepEqual(await server.claimInbox(bob!.id, 'c2', 10, T0, T0 + 1000), []);
    const m1 = await sendAs(server, alice!, bob!, 'one', T0);
    assert.deepEqual(await server.claimInbox(bob!.id, 'c3', 10, T0, T0 + 1000), [m1]);
    await server.settleClaim(bob!.id, 'c3', true);
    assert.deepEqual(await server.claimInbox(bob!.id, 'c4', 10, T0, T0 + 1000), []);
    const m2 = await sendAs(admin, alice!, bob!, 'two', T0);
    assert.deepEqual(await server.claimInbox(bob!.id, 'c5', 10, T0, T0 + 1000), [m2]);
  });

  test('an inbox whose messages are all claimed is not taken for empty', async () => {
    const s = open();
    const [alice, bob] = await addUsers(s, 'alice', 'bob');
    const m = await sendAs(s, alice!, bob!, 'held', T0);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c1', 10, T0, T0 + 1000), [m]);
    // Held by the claim, then the write fails: free again for the next poll.
    assert.deepEqual(await s.claimInbox(bob!.id, 'c2', 10, T0, T0 + 1000), []);
    await s.settleClaim(bob!.id, 'c1', false);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c3', 10, T0, T0 + 1000), [m]);
    // A lease that runs out frees the messages too.
    assert.deepEqual(await s.claimInbox(bob!.id, 'c4', 10, T0 + 500, T0 + 1000), []);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c5', 10, T0 + 1000, T0 + 2000), [m]);
  });

  test("another process's message, password change and new session are seen by the next call", async () => {
    const server = open();
    const [, bob] = await addUsers(server, 'alice', 'bob');
    const now = Date.now();
    await login(server, 'tok', 'alice', now);
    assert.equal((await server.useSession('tok', now + 1))?.username, 'alice');
    assert.deepEqual(names(await server.onlineUsers(now + 1)), ['alice']);
    assert.deepEqual(await server.claimInbox(bob!.id, 'c1', 10, now, now + 1000), []);
    assert.equal((await server.getUser('bob'))?.nama, profile('bob').nama);

    await inOtherProcess(
      fx.file,
      `const alice = await s.getUser('alice'), bob = await s.getUser('bob');
       await s.sendMessage(alice.id, 'bob', 'from afar', ${now});
       await s.createSession('tok2', bob, ${now});
       await s.setPassword('alice', 'changed');`,
    );
    assert.equal(await server.useSession('tok', now + 2), null, 'the password change ended the session');
    assert.equal((await server.getUser('alice'))?.passwordHash, 'changed');
    assert.deepEqual(names(await server.onlineUsers(now + 2)), ['bob']);
    const got = await server.claimInbox(bob!.id, 'c2', 10, now, now + 1000);
    assert.deepEqual(
      got.map((m) => m.msg),
      ['from afar'],
    );
  });

  test('a remembered session of an account removed and re-added by another process never acts as the new account', async () => {
    const server = open();
    const [oldAlice, bob] = await addUsers(server, 'alice', 'bob');
    const now = Date.now();
    await login(server, 'tok', 'alice', now);
    await sendAs(server, bob!, oldAlice!, 'for the old alice', now);
    assert.equal((await server.useSession('tok', now + 1))?.userId, oldAlice!.id);
    assert.equal((await server.getUser('alice'))?.id, oldAlice!.id);
    assert.deepEqual(await server.claimInbox(bob!.id, 'c0', 10, now, now + 1), [], 'bob has nothing: remembered as empty');

    await inOtherProcess(
      fx.file,
      `await s.removeUser('alice');
       await s.addUser({ username: 'alice', nama: 'New Alice', negara: 'X', passwordHash: 'h' });`,
    );
    assert.equal(await server.useSession('tok', now + 2), null, 'the old token is refused');
    const newAlice = (await server.getUser('alice'))!;
    assert.notEqual(newAlice.id, oldAlice!.id);
    assert.equal(newAlice.nama, 'New Alice');
    assert.deepEqual(await server.claimInbox(newAlice.id, 'c1', 10, now + 10, now + 1000), []);
    assert.deepEqual(await server.history(newAlice.id, bob!.id, null, 10), []);
    assert.equal(await server.createSession('late', oldAlice!, now + 3), false);
  });

  test('sends reach the account that has the name now: removed and re-added here (same turn) or by another process', async () => {
    const server = open();
    const [alice, bob] = await addUsers(server, 'alice', 'bob');
    await sendAs(server, alice!, bob!, 'to the first bob', T0);
    // Queued in the same turn as the removal: it commits with it, and what it read of bob is not kept.
    const queued = server.sendMessage(alice!.id, 'bob', 'just before', T0 + 1);
    assert.equal(await server.removeUser('bob'), true);
    assert.equal(typeof (await queued), 'object');
    await server.addUser({ ...profile('bob'), passwordHash: 'h2' });
    const bob2 = (await server.getUser('bob'))!;
    assert.notEqual(bob2.id, bob!.id);
    const m2 = await sendAs(server, alice!, bob2, 'to the second bob', T0 + 2);
    assert.deepEqual(await server.claimInbox(bob2.id, 'c1', 10, T0, T0 + 1000), [m2]);

    await inOtherProcess(fx.file, `await s.removeUser('bob'); await s.addUser({ username: 'bob', nama: 'Bob Tiga', negara: 'Z', passwordHash: 'h3' });`);
    const bob3 = (await server.getUser('bob'))!;
    assert.notEqual(bob3.id, bob2.id);
    const m3 = await sendAs(server, alice!, bob3, 'to the third bob', T0 + 3);
    assert.equal(m3.msg_to, 'Bob Tiga');
    assert.deepEqual(await server.claimInbox(bob3.id, 'c2', 10, T0, T0 + 1000), [m3]);
    assert.deepEqual(await server.claimInbox(bob2.id, 'c3', 10, T0, T0 + 1000), []);
  });
});
