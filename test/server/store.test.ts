// The Store contract, run against every implementation in storeKinds: users,
// sessions and presence here; messages in store-messages.test.ts.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { UserProfile } from '../../src/protocol.js';
import type { Store } from '../../src/server/store/types.js';
import { addUsers, POLICY, profile, storeKinds, T0, type OpenedStore } from '../helpers/stores.js';

const names = (users: readonly UserProfile[]): string[] => users.map((u) => u.username);

for (const kind of storeKinds) {
  describe(`store conformance (${kind.name}): users, sessions, presence`, { skip: kind.skip?.() || false }, () => {
    let opened: OpenedStore;
    let s: Store;
    beforeEach(async () => {
      opened = await kind.open(POLICY);
      s = opened.store;
    });
    afterEach(() => opened.cleanup());

    test('addUser adds once, getUser returns the record, unknown users are null', async () => {
      assert.equal(await s.addUser({ ...profile('alice'), passwordHash: 'h1' }), true);
      assert.equal(await s.addUser({ username: 'alice', nama: 'Other', negara: 'X', passwordHash: 'h2' }), false);
      assert.deepEqual(await s.getUser('alice'), { ...profile('alice'), passwordHash: 'h1' });
      assert.equal(await s.getUser('bob'), null);
      assert.equal(await s.getUser('Alice'), null, 'usernames are case-sensitive');
    });

    test('listUsers is ordered by username and countUsers counts', async () => {
      assert.deepEqual(await s.listUsers(), []);
      assert.equal(await s.countUsers(), 0);
      const added = ['bob', 'Zed', 'alice', 'bob.x', 'a-1', '_u', 'b'];
      await addUsers(s, ...added);
      assert.deepEqual(names(await s.listUsers()), [...added].sort());
      assert.deepEqual((await s.listUsers())[0], profile([...added].sort()[0]!));
      assert.equal(await s.countUsers(), added.length);
    });

    test('setPassword replaces the hash and ends that user\'s sessions only', async () => {
      await addUsers(s, 'alice', 'bob');
      await s.createSession('a1', 'alice', T0);
      await s.createSession('a2', 'alice', T0);
      await s.createSession('b1', 'bob', T0);
      assert.equal(await s.setPassword('alice', 'new-hash'), true);
      assert.equal((await s.getUser('alice'))?.passwordHash, 'new-hash');
      assert.equal(await s.useSession('a1', T0 + 1), null);
      assert.equal(await s.useSession('a2', T0 + 1), null);
      assert.equal((await s.useSession('b1', T0 + 1))?.username, 'bob');
      assert.equal(await s.setPassword('nobody', 'x'), false);
    });

    test('removeUser removes the user and their sessions', async () => {
      await addUsers(s, 'alice', 'bob');
      await s.createSession('a1', 'alice', T0);
      assert.equal(await s.removeUser('alice'), true);
      assert.equal(await s.getUser('alice'), null);
      assert.equal(await s.useSession('a1', T0 + 1), null);
      assert.deepEqual(names(await s.onlineUsers(T0 + 1)), []);
      assert.deepEqual(names(await s.listUsers()), ['bob']);
      assert.equal(await s.countUsers(), 1);
      assert.equal(await s.removeUser('alice'), false);
    });

    test('a session is found by its token, records use, and ends once', async () => {
      await addUsers(s, 'alice');
      await s.createSession('tok', 'alice', T0);
      assert.deepEqual(await s.useSession('tok', T0 + 5000), { username: 'alice', lastUsedAt: T0 + 5000 });
      assert.equal(await s.useSession('other', T0 + 5000), null);
      assert.equal(await s.endSession('tok'), true);
      assert.equal(await s.useSession('tok', T0 + 6000), null);
      assert.equal(await s.endSession('tok'), false);
    });

    test('a session unused for longer than the idle lifetime expires and stays gone', async () => {
      await addUsers(s, 'alice');
      await s.createSession('tok', 'alice', T0);
      await s.createSession('kept', 'alice', T0);
      // Each use restarts the idle lifetime.
      const used = T0 + POLICY.idleLifetimeMs - 5000;
      assert.equal((await s.useSession('kept', used))?.username, 'alice');
      assert.equal((await s.useSession('kept', used + POLICY.idleLifetimeMs - 5000))?.username, 'alice');
      assert.equal(await s.useSession('tok', T0 + POLICY.idleLifetimeMs + 5000), null);
      assert.equal(await s.useSession('tok', T0 + 10_000), null, 'an expired session is removed, not just refused');
      assert.equal(await s.endSession('tok'), false);
    });

    test('a session is online for the presence window after its last use', async () => {
      await addUsers(s, 'alice');
      await s.createSession('tok', 'alice', T0);
      const W = POLICY.presenceWindowMs;
      assert.deepEqual(names(await s.onlineUsers(T0)), ['alice']);
      assert.deepEqual(names(await s.onlineUsers(T0 + W - 2000)), ['alice']);
      assert.deepEqual(names(await s.onlineUsers(T0 + W + 2000)), []);
      await s.useSession('tok', T0 + 20_000);
      assert.deepEqual(names(await s.onlineUsers(T0 + 20_000 + W - 2000)), ['alice']);
      assert.deepEqual(names(await s.onlineUsers(T0 + 20_000 + W + 2000)), []);
      // Coming back after going offline makes the session online again.
      await s.useSession('tok', T0 + 60_000);
      assert.deepEqual(names(await s.onlineUsers(T0 + 60_000)), ['alice']);
      await s.endSession('tok');
      assert.deepEqual(names(await s.onlineUsers(T0 + 60_000)), []);
    });

    test('holdPresence keeps sessions online and never shortens; releasePresence sets the end', async () => {
      await addUsers(s, 'alice', 'bob', 'carol');
      await s.createSession('a', 'alice', T0);
      await s.createSession('b', 'bob', T0);
      await s.createSession('c', 'carol', T0);
      // Held past the presence window (30 s) but within the idle lifetime (60 s).
      await s.holdPresence(['a', 'b', 'no-such-token'], T0 + 50_000);
      await s.holdPresence([], T0 + 55_000);
      await s.holdPresence(['a'], T0 + 1000);
      assert.deepEqual(names(await s.onlineUsers(T0 + 45_000)), ['alice', 'bob']);
      assert.deepEqual(names(await s.onlineUsers(T0 + 52_000)), []);
      // The last connection closed: online only until the given time, even if held longer before.
      await s.releasePresence('b', T0 + 40_000);
      assert.deepEqual(names(await s.onlineUsers(T0 + 38_000)), ['alice', 'bob']);
      assert.deepEqual(names(await s.onlineUsers(T0 + 42_000)), ['alice']);
      await s.releasePresence('a', T0);
      assert.deepEqual(names(await s.onlineUsers(T0 + 2000)), ['bob', 'carol']);
    });

    test('onlineUsers lists each online user once, ordered, leaving out expired sessions', async () => {
      await addUsers(s, 'mike', 'Bob', 'zed', 'alice', 'idle');
      for (const [tok, user] of [['m1', 'mike'], ['m2', 'mike'], ['z', 'zed'], ['B', 'Bob'], ['i', 'idle']] as const) {
        await s.createSession(tok, user, T0);
      }
      assert.deepEqual(await s.onlineUsers(T0 + 1000), [profile('Bob'), profile('idle'), profile('mike'), profile('zed')]);
      // A session held present but past its idle lifetime is no longer a session at all.
      await s.holdPresence(['i'], T0 + 10 * POLICY.idleLifetimeMs);
      for (const tok of ['m1', 'z', 'B']) await s.useSession(tok, T0 + POLICY.idleLifetimeMs);
      const later = T0 + POLICY.idleLifetimeMs + 5000;
      assert.deepEqual(names(await s.onlineUsers(later)), ['Bob', 'mike', 'zed']);
    });

    test('directory lists every user, ordered, with whether they are online', async () => {
      await addUsers(s, 'carol', 'alice', 'bob');
      await s.createSession('b', 'bob', T0);
      assert.deepEqual(await s.directory(T0 + 1000), [
        { ...profile('alice'), online: false },
        { ...profile('bob'), online: true },
        { ...profile('carol'), online: false },
      ]);
      assert.deepEqual(
        (await s.directory(T0 + POLICY.presenceWindowMs + 2000)).map((u) => u.online),
        [false, false, false],
      );
    });

    test('users and sessions survive close and reopen', async () => {
      await addUsers(s, 'alice', 'bob');
      await s.createSession('tok', 'alice', T0);
      await s.setPassword('bob', 'changed');
      await s.close();
      const again = await opened.reopen();
      assert.deepEqual(names(await again.listUsers()), ['alice', 'bob']);
      assert.equal((await again.getUser('bob'))?.passwordHash, 'changed');
      assert.equal((await again.useSession('tok', T0 + 1000))?.username, 'alice');
      assert.deepEqual(names(await again.onlineUsers(T0 + 1000)), ['alice']);
    });
  });
}
