// The Store contract, run against every implementation in storeKinds: users,
// sessions and presence here; messages in store-messages.test.ts.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { UserProfile } from '../../src/protocol.js';
import type { Store } from '../../src/server/store/types.js';
import { addUsers, login, POLICY, profile, storeKinds, T0, type OpenedStore } from '../helpers/stores.js';

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
      const alice = await s.getUser('alice');
      assert.ok(alice && Number.isSafeInteger(alice.id) && alice.id > 0, 'an account has a positive integer id');
      assert.deepEqual(alice, { id: alice.id, ...profile('alice'), passwordHash: 'h1' });
      assert.equal(await s.getUser('bob'), null);
      assert.equal(await s.getUser('Alice'), null, 'usernames are case-sensitive');
      assert.equal(await s.addUser({ ...profile('bob'), passwordHash: 'h3' }), true);
      assert.notEqual((await s.getUser('bob'))!.id, alice.id);
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
      await login(s, 'a1', 'alice', T0);
      await login(s, 'a2', 'alice', T0);
      await login(s, 'b1', 'bob', T0);
      assert.equal(await s.setPassword('alice', 'new-hash'), true);
      assert.equal((await s.getUser('alice'))?.passwordHash, 'new-hash');
      assert.equal(await s.useSession('a1', T0 + 1), null);
      assert.equal(await s.useSession('a2', T0 + 1), null);
      assert.equal((await s.useSession('b1', T0 + 1))?.username, 'bob');
      assert.equal(await s.setPassword('nobody', 'x'), false);
    });

    test('removeUser removes the user and their sessions', async () => {
      await addUsers(s, 'alice', 'bob');
      await login(s, 'a1', 'alice', T0);
      assert.equal(await s.removeUser('alice'), true);
      assert.equal(await s.getUser('alice'), null);
      assert.equal(await s.useSession('a1', T0 + 1), null);
      assert.deepEqual(names(await s.onlineUsers(T0 + 1)), []);
      assert.deepEqual(names(await s.listUsers()), ['bob']);
      assert.equal(await s.countUsers(), 1);
      assert.equal(await s.removeUser('alice'), false);
    });

    test('a session is found by its token, records use, and ends once', async () => {
      const [alice] = await addUsers(s, 'alice');
      await login(s, 'tok', 'alice', T0);
      assert.deepEqual(await s.useSession('tok', T0 + 5000), { userId: alice!.id, username: 'alice', lastUsedAt: T0 + 5000 });
      assert.equal(await s.useSession('other', T0 + 5000), null);
      assert.equal(await s.endSession('tok'), true);
      assert.equal(await s.useSession('tok', T0 + 6000), null);
      assert.equal(await s.endSession('tok'), false);
    });

    test('a session unused for longer than the idle lifetime expires and stays gone', async () => {
      await addUsers(s, 'alice');
      await login(s, 'tok', 'alice', T0);
      await login(s, 'kept', 'alice', T0);
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
      await login(s, 'tok', 'alice', T0);
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

    test('holdPresence keeps accounts online past the window and never shortens; releasePresence ends the hold', async () => {
      const [alice, bob] = await addUsers(s, 'alice', 'bob', 'carol');
      await login(s, 'a', 'alice', T0);
      await login(s, 'b', 'bob', T0);
      await login(s, 'c', 'carol', T0);
      const hold = (userId: number, token: string) => ({ userId, token });
      // Held at 20 s: online until 50 s, past the window after the last use (30 s), within the idle lifetime (60 s).
      assert.deepEqual(await s.holdPresence([hold(alice!.id, 'a'), hold(bob!.id, 'b'), hold(bob!.id, 'no-such-token')], T0 + 20_000), ['no-such-token']);
      assert.deepEqual(await s.holdPresence([], T0 + 25_000), []);
      assert.deepEqual(await s.holdPresence([hold(alice!.id, 'a')], T0 + 1000), [], 'an older hold shortens nothing');
      assert.deepEqual(await s.holdPresence([hold(alice!.id, 'c')], T0 + 20_000), ['c'], "another account's token holds nothing");
      assert.deepEqual(names(await s.onlineUsers(T0 + 45_000)), ['alice', 'bob']);
      assert.deepEqual(names(await s.onlineUsers(T0 + 52_000)), []);
      // The last connection closed: online only until the given time, even if held longer before.
      await s.releasePresence(bob!.id, T0 + 40_000);
      assert.deepEqual(names(await s.onlineUsers(T0 + 38_000)), ['alice', 'bob']);
      assert.deepEqual(names(await s.onlineUsers(T0 + 42_000)), ['alice']);
      // Released early: still online for the window after the last use, as any session is.
      await s.releasePresence(alice!.id, T0);
      assert.deepEqual(names(await s.onlineUsers(T0 + 2000)), ['alice', 'bob', 'carol']);
      assert.deepEqual(names(await s.onlineUsers(T0 + 32_000)), ['bob']);
    });

    test('a hold needs a live session: logout, expiry or removal ends it', async () => {
      const [alice, bob] = await addUsers(s, 'alice', 'bob');
      await login(s, 'a1', 'alice', T0);
      await login(s, 'a2', 'alice', T0);
      await login(s, 'b', 'bob', T0);
      await s.holdPresence([{ userId: alice!.id, token: 'a1' }, { userId: bob!.id, token: 'b' }], T0 + 20_000);
      await s.endSession('a1');
      assert.deepEqual(names(await s.onlineUsers(T0 + 45_000)), ['alice', 'bob'], 'another live session of alice');
      await s.endSession('a2');
      assert.deepEqual(names(await s.onlineUsers(T0 + 45_000)), ['bob'], 'no live session, no presence');
      assert.deepEqual(await s.holdPresence([{ userId: alice!.id, token: 'a1' }], T0 + 21_000), ['a1']);
      await s.removeUser('bob');
      assert.deepEqual(names(await s.onlineUsers(T0 + 45_000)), []);
    });

    test('onlineUsers lists each online user once, ordered, leaving out expired sessions', async () => {
      await addUsers(s, 'mike', 'Bob', 'zed', 'alice', 'idle');
      for (const [tok, user] of [['m1', 'mike'], ['m2', 'mike'], ['z', 'zed'], ['B', 'Bob'], ['i', 'idle']] as const) {
        await login(s, tok, user, T0);
      }
      assert.deepEqual(await s.onlineUsers(T0 + 1000), [profile('Bob'), profile('idle'), profile('mike'), profile('zed')]);
      // A session held present but past its idle lifetime is no longer a session at all.
      const idle = (await s.getUser('idle'))!.id;
      assert.deepEqual(await s.holdPresence([{ userId: idle, token: 'i' }], T0 + POLICY.idleLifetimeMs - 1000), []);
      for (const tok of ['m1', 'z', 'B']) await s.useSession(tok, T0 + POLICY.idleLifetimeMs);
      const later = T0 + POLICY.idleLifetimeMs + 5000;
      assert.deepEqual(names(await s.onlineUsers(later)), ['Bob', 'mike', 'zed']);
    });

    test('directory lists every user, ordered, with whether they are online', async () => {
      await addUsers(s, 'carol', 'alice', 'bob');
      await login(s, 'b', 'bob', T0);
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

    test('a login past the cap (100) ends the least recently used session of that user only', async () => {
      await addUsers(s, 'alice', 'bob');
      await login(s, 'bob-1', 'bob', T0);
      for (let i = 0; i < 100; i++) await login(s, `a${i}`, 'alice', T0 + 1 + i);
      // a0 is used again: a1 is now the least recently used.
      assert.equal((await s.useSession('a0', T0 + 5000))?.username, 'alice');
      await login(s, 'a100', 'alice', T0 + 6000);
      assert.equal(await s.useSession('a1', T0 + 7000), null, 'the least recently used one ended');
      for (const tok of ['a0', 'a2', 'a50', 'a99', 'a100']) assert.equal((await s.useSession(tok, T0 + 7000))?.username, 'alice', tok);
      assert.equal((await s.useSession('bob-1', T0 + 7000))?.username, 'bob', "another user's sessions are untouched");
      await login(s, 'a101', 'alice', T0 + 8000);
      assert.equal(await s.useSession('a3', T0 + 9000), null, 'then the next least recently used');
      assert.equal(await s.endSession('a1'), false);
      assert.deepEqual(names(await s.onlineUsers(T0 + 9000)), ['alice', 'bob']);
    });

    test('the cap is configurable', async () => {
      const small = await kind.open({ ...POLICY, maxSessionsPerUser: 2 });
      try {
        await addUsers(small.store, 'alice');
        for (const [i, tok] of ['x', 'y', 'z'].entries()) await login(small.store, tok, 'alice', T0 + i);
        assert.equal(await small.store.useSession('x', T0 + 10), null);
        assert.equal((await small.store.useSession('y', T0 + 10))?.username, 'alice');
        assert.equal((await small.store.useSession('z', T0 + 10))?.username, 'alice');
      } finally {
        await small.cleanup();
      }
    });

    test('sessions bind to the account: removing and re-adding the name leaves old tokens dead', async () => {
      const [old] = await addUsers(s, 'alice');
      await login(s, 'old', 'alice', T0);
      assert.equal(await s.removeUser('alice'), true);
      const [again] = await addUsers(s, 'alice');
      assert.notEqual(again!.id, old!.id);
      assert.equal(await s.useSession('old', T0 + 1), null);
      assert.equal(await s.createSession('stale', old!, T0 + 2), false, 'a login of the removed account');
      assert.equal(await s.useSession('stale', T0 + 3), null);
      await login(s, 'new', 'alice', T0 + 4);
      assert.deepEqual(await s.useSession('new', T0 + 5), { userId: again!.id, username: 'alice', lastUsedAt: T0 + 5 });
    });

    test('users and sessions survive close and reopen', async () => {
      await addUsers(s, 'alice', 'bob');
      await login(s, 'tok', 'alice', T0);
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
