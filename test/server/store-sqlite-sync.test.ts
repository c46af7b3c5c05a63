// The SQLite store's sync half: the migration from schema 2 (read markers for
// what was received, the full-text index of existing messages), event ids
// shared with messages, and search.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/server/store/sqlite-schema.js';
import { searchWords } from '../../src/server/store/sync-types.js';
import { addUsers, sendAs, T0, useSqliteFile } from '../helpers/stores.js';

describe('SQLite sync store', () => {
  const fx = useSqliteFile();

  test('a database of schema 2 is migrated: received messages count as read, existing messages are searchable', async () => {
    const raw = new Database(fx.file);
    raw.exec(MIGRATIONS[0]!);
    raw.exec(MIGRATIONS[1]!);
    raw.pragma('user_version = 2');
    const addUser = raw.prepare('INSERT INTO users (username, nama, negara, password_hash) VALUES (?, ?, ?, ?)');
    addUser.run('alice', 'Alice', 'X', 'h');
    addUser.run('bob', 'Bob', 'Y', 'h');
    const add = raw.prepare(
      `INSERT INTO messages (sender, recipient, sender_id, recipient_id, msg_from, msg_to, body, ts, delivered)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const ts = new Date(T0).toISOString();
    add.run('bob', 'alice', 2, 1, 'Bob', 'Alice', 'Selamat pagi, Alice', ts, 1);
    add.run('bob', 'alice', 2, 1, 'Bob', 'Alice', 'Apa kabar?', ts, 0);
    add.run('alice', 'bob', 1, 2, 'Alice', 'Bob', 'PAGI juga', ts, 0);
    raw.close();

    const s = fx.open();
    const alice = (await s.getUser('alice'))!;
    const bob = (await s.getUser('bob'))!;
    const conv = await s.sync.conversations(alice.id);
    assert.deepEqual(conv.byPeer.get('bob'), { unread: 1, lastId: 3 });
    assert.equal(conv.next, 3);
    assert.deepEqual((await s.sync.search(alice.id, null, 10, searchWords('pagi'))).map((m) => m.id), [1, 3]);
    assert.deepEqual((await s.sync.search(bob.id, null, 10, searchWords('kabar'))).map((m) => m.msg), ['Apa kabar?']);
    // A marker change takes the next id of the messages' sequence: the next message comes after it.
    const event = await s.sync.setReadMarker(alice.id, 'alice', bob.id, 2);
    assert.equal(event, 4);
    const sent = await sendAs(s, bob, alice, 'lagi', T0 + 1);
    assert.equal(sent.id, 5);
    const batch = await s.sync.changes(alice.id, 3, 500);
    assert.deepEqual([...batch.read], [['bob', 2]]);
    assert.deepEqual(batch.messages.map((m) => m.id), [5]);
    assert.equal(batch.next, 5);
  });

  test('a new store: a marker change before any message, pages of changes end at their last message', async () => {
    const s = fx.open();
    const [alice, bob] = await addUsers(s, 'alice', 'bob');
    // Nothing assigned yet: the marker is capped at 0 and nothing changes.
    assert.equal(await s.sync.setReadMarker(alice!.id, 'alice', bob!.id, 10), 0);
    for (let i = 0; i < 5; i++) await sendAs(s, bob!, alice!, `m${i}`, T0 + i);
    const ev = await s.sync.setReadMarker(alice!.id, 'alice', bob!.id, 2);
    assert.equal(ev, 6);
    await sendAs(s, bob!, alice!, 'm5', T0 + 9);
    const page = await s.sync.changes(alice!.id, 0, 3);
    assert.deepEqual(page.messages.map((m) => m.id), [1, 2, 3]);
    assert.equal(page.read.size, 0, 'the marker change lies past this page');
    assert.equal(page.next, 3);
    const rest = await s.sync.changes(alice!.id, page.next, 3);
    assert.deepEqual(rest.messages.map((m) => m.id), [4, 5, 7]);
    assert.equal(rest.next, 7);
    assert.deepEqual([...(await s.sync.changes(alice!.id, 5, 3)).read], [['bob', 2]]);
  });

  test('the search index follows in batches: current for every search, caught up in the background, consistent through deletions', async () => {
    const s = fx.open();
    const [alice, bob] = await addUsers(s, 'alice', 'bob');
    const raw = new Database(fx.file);
    const indexed = (): number => raw.prepare('SELECT indexed_upto FROM search_progress').pluck().get() as number;
    const check = (): void => {
      // FTS5 checks its index against every message, so only once all are indexed: throws when they disagree.
      raw.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    };
    try {
      for (let i = 0; i < 3; i++) await sendAs(s, bob!, alice!, `kopi nomor ${i}`, T0 + i);
      assert.equal(indexed(), 0, 'a send does not index its message in its own commit');
      // A search first brings the index up to the newest message.
      assert.deepEqual((await s.sync.search(alice!.id, null, 10, searchWords('kopi'))).map((m) => m.id), [1, 2, 3]);
      assert.equal(indexed(), 3);
      check();

      // Deleted before it was indexed (retention), after it was indexed: both leave a consistent index.
      await sendAs(s, bob!, alice!, 'teh manis', T0 + 10);
      await sendAs(s, bob!, alice!, 'teh pahit', T0 + 11);
      assert.equal(await s.deleteMessagesBefore(new Date(T0 + 10).toISOString(), 10), 3, 'the three indexed messages go');
      raw.prepare('DELETE FROM messages WHERE id = 4').run();
      assert.deepEqual((await s.sync.search(alice!.id, null, 10, searchWords('teh'))).map((m) => m.msg), ['teh pahit']);
      assert.deepEqual(await s.sync.search(alice!.id, null, 10, searchWords('kopi')), []);
      check();

      // With no search asking, waiting messages are indexed within a few seconds.
      await sendAs(s, alice!, bob!, 'roti bakar', T0 + 20);
      const deadline = Date.now() + 10_000;
      while (indexed() < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(indexed(), 6);
      const hits = raw.prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'roti'").pluck().all();
      assert.deepEqual(hits, [6]);
      check();
    } finally {
      raw.close();
    }
  });
});
