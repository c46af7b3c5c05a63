// The Store contract for messages, run against every implementation in
// storeKinds: ids, inbox claims and acknowledgements, history, durability.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Message } from '../../src/protocol.js';
import type { Store } from '../../src/server/store/types.js';
import { addUsers, login, POLICY, sendAs, storeKinds, T0, type OpenedStore, type TestAccount } from '../helpers/stores.js';

const FIELD_ORDER = ['msg_from', 'msg_to', 'msg', 'id', 'sender', 'recipient', 'ts'];
const ids = (messages: readonly Message[]): number[] => messages.map((m) => m.id);

for (const kind of storeKinds) {
  describe(`store conformance (${kind.name}): messages`, { skip: kind.skip?.() || false }, () => {
    let opened: OpenedStore;
    let s: Store;
    let alice: TestAccount, bob: TestAccount, carol: TestAccount;
    beforeEach(async () => {
      opened = await kind.open(POLICY);
      s = opened.store;
      [alice, bob, carol] = (await addUsers(s, 'alice', 'bob', 'carol')) as [TestAccount, TestAccount, TestAccount];
    });
    afterEach(() => opened.cleanup());

    /** Sends `n` messages one after another; returns them. */
    async function send(from: TestAccount, to: TestAccount, n: number, at = T0): Promise<Message[]> {
      const out: Message[] = [];
      for (let i = 0; i < n; i++) out.push(await sendAs(s, from, to, `${from.username}->${to.username} ${i}`, at + i));
      return out;
    }

    test('addMessage returns the message in the protocol field order', async () => {
      const text = '  hai,   apakabar? 👋 日本語 ';
      const m = await sendAs(s, alice, bob, text, T0 + 123);
      assert.deepEqual(Object.keys(m), FIELD_ORDER);
      assert.deepEqual(m, {
        msg_from: 'Nama alice', msg_to: 'Nama bob', msg: text, id: m.id,
        sender: 'alice', recipient: 'bob', ts: '2026-01-01T00:00:00.123Z',
      });
      assert.ok(Number.isSafeInteger(m.id) && m.id > 0);
      const [stored] = await s.claimInbox(bob.id, 'c', 10, T0, T0 + 1000);
      assert.deepEqual(stored, m);
      assert.deepEqual(Object.keys(stored!), FIELD_ORDER);
    });

    test('ids are unique and increase in the order messages were added, also when added at once', async () => {
      const first = await send(alice, bob, 5);
      const burst = await Promise.all(
        Array.from({ length: 60 }, (_, i) => sendAs(s, i % 2 ? alice : carol, bob, `burst ${i}`, T0)),
      );
      const all = [...ids(first), ...ids(burst)];
      for (let i = 1; i < all.length; i++) assert.ok(all[i]! > all[i - 1]!, `id ${all[i]} after ${all[i - 1]}`);
      assert.deepEqual(burst.map((m) => m.msg), burst.map((_, i) => `burst ${i}`));
    });

    test('claimInbox takes the oldest free messages of that recipient; settling delivers or frees them', async () => {
      const toBob = [...(await send(alice, bob, 3)), ...(await send(carol, bob, 2))];
      const toCarol = await send(alice, carol, 1);
      assert.deepEqual(await s.claimInbox(bob.id, 'c1', 500, T0, T0 + 10_000), toBob);
      assert.deepEqual(await s.claimInbox(bob.id, 'c2', 500, T0 + 1, T0 + 10_000), [], 'held by c1');
      assert.deepEqual(await s.claimInbox(carol.id, 'c3', 500, T0, T0 + 10_000), toCarol);
      await s.settleClaim(bob.id, 'c1', false);
      assert.deepEqual(await s.claimInbox(bob.id, 'c4', 2, T0 + 2, T0 + 10_000), toBob.slice(0, 2));
      await s.settleClaim(bob.id, 'c4', true);
      assert.deepEqual(await s.claimInbox(bob.id, 'c5', 500, T0 + 3, T0 + 10_000), toBob.slice(2));
      await s.settleClaim(bob.id, 'c5', true);
      assert.deepEqual(await s.claimInbox(bob.id, 'c6', 500, T0 + 4, T0 + 10_000), [], 'all received');
      await s.settleClaim(bob.id, 'no-such-claim', true);
      assert.deepEqual(await s.claimInbox(carol.id, 'c7', 500, T0 + 20_000, T0 + 30_000), toCarol, 'carol untouched');
    });

    test('claimInbox respects its limit: 500 of 600, then the rest', async () => {
      const sent = await Promise.all(Array.from({ length: 600 }, (_, i) => sendAs(s, alice, bob, `m${i}`, T0)));
      const first = await s.claimInbox(bob.id, 'c1', 500, T0, T0 + 10_000);
      assert.deepEqual(ids(first), ids(sent.slice(0, 500)));
      await s.settleClaim(bob.id, 'c1', true);
      assert.deepEqual(ids(await s.claimInbox(bob.id, 'c2', 500, T0, T0 + 10_000)), ids(sent.slice(500)));
    });

    test('a claim whose lease ran out is free again, and its late settle touches nothing', async () => {
      const sent = await send(alice, bob, 3);
      assert.deepEqual(await s.claimInbox(bob.id, 'old', 500, T0, T0 + 5000), sent);
      assert.deepEqual(await s.claimInbox(bob.id, 'new', 500, T0 + 4000, T0 + 20_000), []);
      assert.deepEqual(await s.claimInbox(bob.id, 'new', 500, T0 + 6000, T0 + 20_000), sent);
      // The first holder settles after losing its lease: the messages belong to "new" now.
      await s.settleClaim(bob.id, 'old', true);
      await s.settleClaim(bob.id, 'new', false);
      assert.deepEqual(await s.claimInbox(bob.id, 'third', 500, T0 + 7000, T0 + 20_000), sent);
    });

    test('concurrent claims never share a message, and settling loses none', async () => {
      const sent = await Promise.all(Array.from({ length: 100 }, (_, i) => sendAs(s, alice, bob, `m${i}`, T0)));
      const claimIds = Array.from({ length: 8 }, (_, i) => `claim-${i}`);
      const claims = await Promise.all(claimIds.map((c) => s.claimInbox(bob.id, c, 20, T0, T0 + 60_000)));
      const seen = new Set<number>();
      for (const got of claims) {
        assert.deepEqual(ids(got), [...ids(got)].sort((a, b) => a - b), 'each claim is oldest first');
        for (const id of ids(got)) {
          assert.ok(!seen.has(id), `message ${id} handed to two claims`);
          seen.add(id);
        }
      }
      // Half the claims deliver, half give their messages back; then drain what is left.
      const delivered: number[] = [];
      await Promise.all(claims.map((got, i) => {
        if (i % 2 === 0) delivered.push(...ids(got));
        return s.settleClaim(bob.id, claimIds[i]!, i % 2 === 0);
      }));
      for (let round = 0; round < 20; round++) {
        const got = await s.claimInbox(bob.id, `drain-${round}`, 7, T0 + 1, T0 + 60_000);
        if (got.length === 0) break;
        delivered.push(...ids(got));
        await s.settleClaim(bob.id, `drain-${round}`, true);
      }
      assert.deepEqual([...delivered].sort((a, b) => a - b), ids(sent), 'every message delivered exactly once');
    });

    test('ackInbox marks up to ackId received and returns later ones without marking them', async () => {
      const toCarol = await send(alice, carol, 1);
      const sent = await send(alice, bob, 5);
      const after3 = sent.slice(3);
      assert.deepEqual(await s.ackInbox(bob.id, sent[2]!.id, 500), after3);
      assert.deepEqual(await s.ackInbox(bob.id, sent[2]!.id, 500), after3, 'peeking marks nothing');
      assert.deepEqual(await s.ackInbox(bob.id, 0, 500), after3, 'ack 0 acknowledges nothing');
      assert.deepEqual(await s.ackInbox(bob.id, 0, 1), after3.slice(0, 1), 'limit');
      assert.deepEqual(await s.claimInbox(bob.id, 'c', 500, T0, T0 + 1000), after3);
      assert.deepEqual(await s.ackInbox(bob.id, sent[4]!.id + 1000, 500), [], 'acking a claimed message receives it');
      assert.deepEqual(await s.claimInbox(bob.id, 'c2', 500, T0 + 5000, T0 + 6000), []);
      assert.deepEqual(await s.claimInbox(carol.id, 'c3', 500, T0, T0 + 1000), toCarol, 'only the recipient\'s messages');
    });

    test('history pages back through a conversation in both directions, oldest first', async () => {
      const convo: Message[] = [];
      for (let i = 0; i < 6; i++) {
        convo.push(await sendAs(s, i % 3 ? alice : bob, i % 3 ? bob : alice, `c${i}`, T0 + i));
        await sendAs(s, alice, carol, `noise ${i}`, T0 + i);
      }
      const self = await sendAs(s, bob, bob, 'note to self', T0 + 10);
      assert.deepEqual(await s.history(alice.id, bob.id, null, 50), convo);
      assert.deepEqual(await s.history(bob.id, alice.id, null, 50), convo, 'same from either side');
      const newest = await s.history(bob.id, alice.id, null, 4);
      assert.deepEqual(newest, convo.slice(2));
      assert.deepEqual(await s.history(alice.id, bob.id, newest[0]!.id, 4), convo.slice(0, 2));
      assert.deepEqual(await s.history(alice.id, bob.id, convo[0]!.id, 4), []);
      assert.deepEqual(await s.history(alice.id, bob.id, convo[3]!.id + 1, 2), convo.slice(2, 4), 'before_id bound is exclusive');
      assert.deepEqual(await s.history(bob.id, bob.id, null, 50), [self]);
      assert.deepEqual(await s.history(alice.id, 999_999, null, 50), []);
      // Reading history receives nothing.
      const inbox = await s.claimInbox(bob.id, 'c', 500, T0, T0 + 1000);
      assert.deepEqual(ids(inbox), ids([...convo.filter((m) => m.recipient === 'bob'), self]));
    });

    test('removeUser drops the messages waiting for them, and ids are never reused', async () => {
      const [delivered, waiting] = await send(alice, bob, 2);
      await s.ackInbox(bob.id, delivered!.id, 500);
      assert.equal(await s.removeUser('bob'), true);
      const [newBob] = await addUsers(s, 'bob');
      assert.deepEqual(await s.claimInbox(newBob!.id, 'c', 500, T0, T0 + 1000), []);
      // The newest message was deleted; a fresh one still gets a higher id.
      const next = await sendAs(s, alice, newBob!, 'welcome back', T0 + 10);
      assert.ok(next.id > waiting!.id, `id ${next.id} reuses or precedes ${waiting!.id}`);
    });

    test('a removed name taken again is a new account: none of the old conversations, inbox or sessions', async () => {
      const m1 = await sendAs(s, alice, bob, 'to old bob', T0);
      const m2 = await sendAs(s, bob, alice, 'from old bob', T0 + 1);
      await sendAs(s, carol, bob, 'never received', T0 + 2);
      await s.ackInbox(bob.id, m1.id, 500);
      await login(s, 'old-bob', 'bob', T0);
      assert.equal(await s.removeUser('bob'), true);
      const [newBob] = (await addUsers(s, 'bob')) as [TestAccount];
      assert.notEqual(newBob.id, bob.id, 'a new id, never one handed out before');

      // The new account sees none of the old one's conversations or inbox.
      assert.deepEqual(await s.history(newBob.id, alice.id, null, 50), []);
      assert.deepEqual(await s.history(newBob.id, carol.id, null, 50), []);
      assert.deepEqual(await s.ackInbox(newBob.id, 0, 500), []);
      assert.deepEqual(await s.claimInbox(newBob.id, 'c1', 500, T0, T0 + 1000), []);
      // Its old peer keeps the conversation, under the old account; what was still waiting is gone.
      assert.deepEqual(await s.history(alice.id, bob.id, null, 50), [m1, m2]);
      assert.deepEqual(await s.history(carol.id, bob.id, null, 50), []);
      // Old tokens and the old account act as nobody.
      assert.equal(await s.useSession('old-bob', T0 + 10), null);
      assert.equal(await s.createSession('late', bob, T0 + 10), false, 'a login checked against the old account');
      assert.equal(await s.useSession('late', T0 + 11), null);
      assert.equal(await s.sendMessage(bob.id, 'alice', 'ghost', T0 + 12), 'no such sender');
      // Sending to the name reaches the new account only.
      const hi = await sendAs(s, alice, newBob, 'hi, new bob', T0 + 13);
      assert.equal(hi.recipient, 'bob');
      assert.deepEqual(await s.history(newBob.id, alice.id, null, 50), [hi]);
      assert.deepEqual(await s.history(alice.id, bob.id, null, 50), [m1, m2]);
      assert.deepEqual(await s.claimInbox(newBob.id, 'c2', 500, T0, T0 + 1000), [hi]);
      assert.equal(await s.sendMessage(alice.id, 'nobody', 'x', T0), 'no such recipient');
    });

    test('messages and receipts survive close and reopen, claims as the store keeps them; close commits pending sends', async () => {
      const [m1, m2, m3] = await send(alice, bob, 3);
      await s.ackInbox(bob.id, m1!.id, 500);
      await s.claimInbox(bob.id, 'held', 1, T0, T0 + 60_000);
      const unawaited = sendAs(s, carol, bob, 'sent just before close', T0 + 5);
      await s.close();
      const m4 = await unawaited;
      const again = await opened.reopen();
      assert.deepEqual(await again.history(alice.id, bob.id, null, 50), [m1, m2, m3]);
      assert.deepEqual(await again.history(carol.id, bob.id, null, 50), [m4]);
      // Redis keeps a claim with the data, so m2 stays held; the SQLite server keeps claims
      // in its memory, so a restart frees m2 to be delivered again (at least once).
      const expected = kind.name === 'sqlite' ? [m2, m3, m4] : [m3, m4];
      assert.deepEqual(await again.claimInbox(bob.id, 'c', 500, T0 + 1000, T0 + 2000), expected, 'm1 received');
      const m5 = await sendAs(again, alice, bob, 'after reopen', T0 + 10);
      assert.ok(m5.id > m4.id);
    });
  });
}
