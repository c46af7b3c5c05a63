// The SQLite server holds each account's undelivered messages and the drains
// under way in memory: what reaches the file and when, long inboxes read a
// window at a time, and every other writer's change (another process, a read
// marker, retention) followed.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { searchWords } from '../../src/server/store/sync-types.js';
import { addUsers, sendAs, T0, useSqliteFile } from '../helpers/stores.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SQLite inboxes in memory', () => {
  const fx = useSqliteFile();

  test('a drain writes nothing; its delivered mark goes with the next commit, an acknowledgement before it resolves', async () => {
    const s = fx.open();
    const [alice, bob] = await addUsers(s, 'alice', 'bob');
    const m1 = await sendAs(s, alice!, bob!, 'one', T0);
    const m2 = await sendAs(s, alice!, bob!, 'two', T0 + 1);
    const raw = new Database(fx.file, { readonly: true });
    const delivered = (id: number): number => raw.prepare('SELECT delivered FROM messages WHERE id = ?').pluck().get(id) as number;
    try {
      assert.deepEqual(await s.claimInbox(bob!.id, 'c1', 1, T0, T0 + 1000), [m1]);
      assert.equal(raw.prepare('SELECT count(*) FROM messages WHERE claim_id IS NOT NULL').pluck().get(), 0, 'the claim is not written');
      await s.settleClaim(bob!.id, 'c1', true);
      assert.equal(delivered(m1.id), 0, 'not before the commit');
      await turn();
      assert.equal(delivered(m1.id), 1, 'with the turn commit');
      assert.deepEqual(await s.ackInbox(bob!.id, m2.id, 10), []);
      assert.equal(delivered(m2.id), 1, 'an acknowledgement is on disk once answered');
    } finally {
      raw.close();
    }
  });

  test('an inbox longer than one read is drained whole, in order, each message once, with one stored meanwhile last', async () => {
    const s = fx.open();
    const [alice, bob] = await addUsers(s, 'alice', 'bob');
    // Written by another connection (as a restored backup would hold them): 2,300 waiting.
    const raw = new Database(fx.file);
    const add = raw.prepare(
      `INSERT INTO messages (sender, recipient, sender_id, recipient_id, msg_from, msg_to, body, ts)
       VALUES ('alice', 'bob', ?, ?, 'Nama alice', 'Nama bob', ?, ?)`,
    );
    raw.transaction(() => {
      for (let i = 0; i < 2300; i++) add.run(alice!.id, bob!.id, `m${i}`, new Date(T0).toISOString());
    })();
    raw.close();
    const seen: number[] = [];
    let late: number | null = null;
    for (let round = 0; round < 10; round++) {
      const batch = await s.claimInbox(bob!.id, `c${round}`, 500, T0, T0 + 1000);
      if (batch.length === 0) break;
      seen.push(...batch.map((m) => m.id));
      await s.settleClaim(bob!.id, `c${round}`, true);
      if (round === 1) late = (await sendAs(s, alice!, bob!, 'late', T0 + 5)).id;
    }
    assert.equal(seen.length, 2301);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'oldest first');
    assert.equal(new Set(seen).size, seen.length, 'each once');
    assert.equal(seen[seen.length - 1], late);
  });

  test('a drain under way settles through another process commit; its messages are not delivered twice', async () => {
    const s = fx.open();
    const admin = fx.open();
    const [alice, bob, carol] = await addUsers(s, 'alice', 'bob', 'carol');
    const m = await sendAs(s, alice!, bob!, 'held', T0);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c1', 10, T0, T0 + 1000), [m]);
    // Another writer commits: what was read is dropped, the claim is kept.
    await sendAs(admin, alice!, carol!, 'elsewhere', T0 + 1);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c2', 10, T0, T0 + 1000), [], 'still held');
    await s.settleClaim(bob!.id, 'c1', true);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c3', 10, T0, T0 + 1000), [], 'delivered');
    await admin.close();
    const again = await (async () => {
      await s.close();
      return fx.open();
    })();
    assert.deepEqual(await again.claimInbox(bob!.id, 'c4', 10, T0, T0 + 1000), [], 'the mark reached the file');
  });

  test('a read marker and retention take what they remove out of the inbox held in memory', async () => {
    const s = fx.open();
    const [alice, bob] = await addUsers(s, 'alice', 'bob');
    const old = await sendAs(s, alice!, bob!, 'old', T0);
    const m1 = await sendAs(s, alice!, bob!, 'one', T0 + 10_000);
    const m2 = await sendAs(s, alice!, bob!, 'two', T0 + 10_001);
    assert.equal((await s.ackInbox(bob!.id, 0, 10)).length, 3, 'read into memory');
    assert.equal(await s.deleteMessagesBefore(new Date(T0 + 1).toISOString(), 10), 1);
    await s.sync.setReadMarker(bob!.id, 'bob', alice!.id, m1.id);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c1', 10, T0 + 20_000, T0 + 30_000), [m2]);
    assert.notEqual(old.id, m2.id);
    // The search index saw the deletion too.
    assert.deepEqual(await s.sync.search(bob!.id, null, 10, searchWords('old')), []);
  });

  test('an acknowledgement over a drain under way: the drain still settles what is left of it, and nothing comes back', async () => {
    const s = fx.open();
    const [alice, bob] = await addUsers(s, 'alice', 'bob');
    const [m1, m2, m3] = [await sendAs(s, alice!, bob!, 'a', T0), await sendAs(s, alice!, bob!, 'b', T0 + 1), await sendAs(s, alice!, bob!, 'c', T0 + 2)];
    assert.deepEqual(await s.claimInbox(bob!.id, 'c1', 10, T0, T0 + 1000), [m1, m2, m3]);
    // Another device acknowledges up to m2 while the drain's reply is on its way; the peek shows m3, held or not.
    assert.deepEqual(await s.ackInbox(bob!.id, m2!.id, 10), [m3]);
    await s.settleClaim(bob!.id, 'c1', true);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c2', 10, T0, T0 + 1000), []);
    await s.close();
    const again = fx.open();
    assert.deepEqual(await again.claimInbox(bob!.id, 'c3', 10, T0, T0 + 1000), [], 'all three are received in the file');
  });

  test('a drain whose reply was not written frees its messages at once, also after the inbox was read again', async () => {
    const s = fx.open();
    const admin = fx.open();
    const [alice, bob, carol] = await addUsers(s, 'alice', 'bob', 'carol');
    const m = await sendAs(s, alice!, bob!, 'retry me', T0);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c1', 10, T0, T0 + 60_000), [m]);
    await sendAs(admin, alice!, carol!, 'elsewhere', T0 + 1);
    await s.settleClaim(bob!.id, 'c1', false);
    assert.deepEqual(await s.claimInbox(bob!.id, 'c2', 10, T0, T0 + 60_000), [m]);
  });
});
